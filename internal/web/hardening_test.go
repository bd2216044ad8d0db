package web

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// rawGet sends a request line exactly as given (no client-side cleaning or
// escaping) and returns the response.
func rawGet(t *testing.T, addr, target string) *http.Response {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", target, addr)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("GET %q: %v", target, err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(strings.NewReader(string(body)))
	return resp
}

// TestPathTraversal_Raw sends traversal payloads over a real connection,
// byte for byte (the Go client would clean or escape some of them): dot
// segments plain, encoded, double-encoded and overlong-UTF-8, backslashes
// raw and encoded, NUL, and slashes that could make a redirect leave the
// site. Every one is a 400 or 404, never a redirect, never a file.
func TestPathTraversal_Raw(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	addr := strings.TrimPrefix(ts.URL, "http://")
	var targets []string
	for _, prefix := range []string{"/calls/", "/calls/" + slugHarbour + "/", "/static/", "/speakers/", "/api/v1/calls/", "/"} {
		for _, tr := range []string{
			"../../../../etc/passwd",
			"..%2f..%2f..%2fetc%2fpasswd",
			"%2e%2e/%2e%2e/etc/passwd",
			"%2e%2e%2f%2e%2e%2fetc%2fpasswd",
			"%252e%252e%252fetc%252fpasswd",
			"%25252e%25252e%25252f",
			"..%c0%af..%c0%afetc%c0%afpasswd",
			"%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
			"..\\..\\..\\windows\\win.ini",
			"..%5c..%5c..%5cwindows%5cwin.ini",
			"..%255c..%255cwindows",
			"app.css%00",
			"app.css%00.html",
			"%00",
			"..;/..;/etc/passwd",
			"./../templates/layout.html",
			".%2e/templates/layout.html",
			"..%2ftemplates%2flayout.html",
			"../templates/layout.html",
			"..%2f..%2fgo.mod",
			"app.css/..%2f..%2ftemplates%2flayout.html",
			"%2f%2fevil.example",
			"/evil.example/",
			"\\evil.example",
		} {
			targets = append(targets, prefix+tr)
		}
	}
	targets = append(targets, "//evil.example", "///evil.example/", "/\\evil.example", "/%5cevil.example", "/%2f%2fevil.example")
	for _, target := range targets {
		resp := rawGet(t, addr, target)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 400 && resp.StatusCode != 404 {
			t.Errorf("GET %q: %d, want 400 or 404", target, resp.StatusCode)
		}
		if loc := resp.Header.Get("Location"); loc != "" {
			t.Errorf("GET %q: redirect to %q", target, loc)
		}
		for _, leak := range []string{"{{define", "root:", "module backchannel", "[fonts]"} {
			if strings.Contains(string(body), leak) {
				t.Errorf("GET %q: served a file (%q)", target, leak)
			}
		}
	}
}

// TestLocationHeaders requests every route, with and without a trailing
// slash and with odd slashes and parameters: any Location header starts
// with a single "/", so no response can send a reader to another site.
func TestLocationHeaders(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return sampleResult(), nil
	}})
	var targets []string
	for _, p := range []string{
		"/", "/calls/" + slugHarbour, "/calls/" + slugHarbour + "/L2", "/calls/" + slugHarbour + "/L2-L3",
		"/calls/" + slugHarbour + ".txt", "/calls/" + slugHarbour + ".json", "/search?q=word", "/search/help",
		"/speakers/mara-harlow", "/api/v1/search?q=word", "/api/v1/calls", "/api/v1/calls/" + slugHarbour,
		"/healthz", "/metrics", "/robots.txt", "/favicon.ico", "/static/app.css", "/feed.atom", "/sitemap.xml",
		"/opensearch.xml",
	} {
		path, query, _ := strings.Cut(p, "?")
		if query != "" {
			query = "?" + query
		}
		targets = append(targets, p, path+"/"+query, "/"+path+query, path+"//"+query,
			path+"?next=//evil.example&url=https://evil.example&redirect=%2F%2Fevil.example")
	}
	for _, target := range targets {
		rec := get(t, s, target)
		if loc := rec.Header().Get("Location"); loc != "" && (!strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\")) {
			t.Errorf("GET %s: Location %q does not start with a single /", target, loc)
		}
		if rec.Code >= 300 && rec.Code < 400 && rec.Code != http.StatusNotModified {
			t.Logf("GET %s: %d to %q", target, rec.Code, rec.Header().Get("Location"))
		}
	}
}

// TestUnusedMethods: every route answers only GET and HEAD; anything else
// is a 405 with Allow, whatever the method's name.
func TestUnusedMethods(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, path := range []string{
		"/", "/calls/" + slugHarbour, "/calls/" + slugHarbour + "/L2", "/search", "/search/help", "/speakers/mara-harlow",
		"/api/v1/search", "/api/v1/calls", "/api/v1/calls/" + slugHarbour, "/healthz", "/metrics", "/robots.txt",
		"/favicon.ico", "/static/app.css", "/feed.atom", "/sitemap.xml", "/opensearch.xml",
	} {
		for _, method := range []string{"POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "MKCOL", "BREW"} {
			rec := do(t, s, method, path)
			if rec.Code != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d, want 405", method, path, rec.Code)
				continue
			}
			if allow := rec.Header().Get("Allow"); allow != "GET, HEAD" {
				t.Errorf("%s %s: Allow %q", method, path, allow)
			}
		}
		// (net/http drops a HEAD response's body; the recorder does not.)
		if rec := do(t, s, "HEAD", path); rec.Code == http.StatusMethodNotAllowed {
			t.Errorf("HEAD %s: 405", path)
		}
	}
}

// FuzzPathParams puts arbitrary text in every path parameter (slug, line
// range, speaker id): no 5xx, no redirect, and a 200 only for a value the
// in-memory catalogue knows (or a well-formed line range).
func FuzzPathParams(f *testing.F) {
	for _, seed := range []string{
		slugHarbour, slugHarbour + ".txt", slugHarbour + ".json", "L2", "L2-L3", "L3-L2", "L0", "L9999999",
		"mara-harlow", "..", ".", "%00", "\x00", "..\\..", "L1\x00", "MARA-HARLOW", slugHarbour + "/",
	} {
		f.Add(seed)
	}
	a := testArchive()
	s := newTestServer(f, &fakeLibrary{})
	f.Fuzz(func(t *testing.T, param string) {
		esc := url.PathEscape(param)
		for _, tc := range []struct {
			target string
			known  bool
		}{
			{"/calls/" + esc, knownCall(a, param)},
			{"/api/v1/calls/" + esc, knownCall(a, param) && !strings.Contains(param, ".")},
			{"/calls/" + slugHarbour + "/" + esc, linesPattern.MatchString(param)},
			{"/speakers/" + esc, knownSpeaker(a, param)},
		} {
			rec := get(t, s, tc.target)
			if rec.Code >= 500 {
				t.Fatalf("GET %s: %d", tc.target, rec.Code)
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Fatalf("GET %s: redirect to %q", tc.target, loc)
			}
			if rec.Code == 200 && !tc.known {
				t.Fatalf("GET %s: 200 for a value the catalogue does not know", tc.target)
			}
		}
	})
}

func knownCall(a *transcript.Archive, p string) bool {
	p = strings.TrimSuffix(strings.TrimSuffix(p, ".txt"), ".json")
	_, ok := a.Call(p)
	return ok
}

func knownSpeaker(a *transcript.Archive, id string) bool {
	_, ok := a.Speaker(id)
	return ok
}

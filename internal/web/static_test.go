package web

import (
	"compress/gzip"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"backchannel/internal/transcript"
)

func TestStatic(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	home := mustDoc(t, get(t, s, "/"))
	css := home.Find(`link[rel="stylesheet"]`).AttrOr("href", "")
	if !strings.HasPrefix(css, "/static/app.css?v=") {
		t.Fatalf("stylesheet href %q", css)
	}
	rec := get(t, s, css)
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
		t.Errorf("versioned CSS: %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	etag := rec.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	rec = get(t, s, "/static/app.css")
	if cc := rec.Header().Get("Cache-Control"); strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age") {
		t.Errorf("unversioned CSS Cache-Control %q", cc)
	}
	req := httptest.NewRequest(http.MethodGet, "/static/app.css", nil)
	req.Header.Set("If-None-Match", etag)
	rr := httptest.NewRecorder()
	s.Handler().ServeHTTP(rr, req)
	if rr.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: %d, want 304", rr.Code)
	}
	if js := home.Find("script").AttrOr("src", ""); get(t, s, js).Code != 200 {
		t.Errorf("script %q not served", js)
	}
	if body := get(t, s, "/favicon.ico").Body.String(); !strings.HasPrefix(body, "<svg") {
		t.Error("favicon is not the SVG icon")
	}
	if body := get(t, s, "/robots.txt").Body.String(); !strings.Contains(body, "User-agent: *") {
		t.Errorf("robots.txt = %q", body)
	}
}

// assetsWithout copies the real assets into a MapFS, leaving out one file.
func assetsWithout(t *testing.T, skip string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	root := os.DirFS("../../web")
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p == skip || strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := fs.ReadFile(root, p)
		m[p] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewServer_MissingAssets(t *testing.T) {
	for _, skip := range []string{"templates/call.html", "templates/layout.html", "templates/error.html", "static/app.js", "static/app.css"} {
		_, err := NewServer(Config{Library: &fakeLibrary{}, Assets: assetsWithout(t, skip)})
		if err == nil {
			t.Errorf("NewServer without %s: no error", skip)
		}
	}
	if _, err := NewServer(Config{Library: &fakeLibrary{}, Assets: assetsWithout(t, "none")}); err != nil {
		t.Errorf("NewServer with every asset: %v", err)
	}
	broken := assetsWithout(t, "none")
	broken["templates/home.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{.Nope`)}
	if _, err := NewServer(Config{Library: &fakeLibrary{}, Assets: broken}); err == nil {
		t.Error("NewServer with a broken template: no error")
	}
}

func TestDevModeReloads(t *testing.T) {
	assets := assetsWithout(t, "none")
	a := testArchive()
	lib := &fakeLibrary{}
	lib.ArchiveFunc = func() *transcript.Archive { return a }
	s, err := NewServer(Config{Library: lib, Assets: assets, Dev: true})
	if err != nil {
		t.Fatal(err)
	}
	assets["templates/help.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}<h1>Edited help</h1>{{end}}`)}
	if got := mustDoc(t, get(t, s, "/search/help")).Find("h1").Text(); got != "Edited help" {
		t.Errorf("dev mode served %q, want the edited template", got)
	}
	assets["templates/help.html"] = &fstest.MapFile{Data: []byte(`{{define "main"}}{{.Nope}}{{end}}`)}
	if rec := get(t, s, "/search/help"); rec.Code != 500 {
		t.Errorf("dev mode with a broken template: %d, want 500", rec.Code)
	}
}

func TestCompression(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, p := range []string{"/calls/" + slugHarbour, "/static/app.css", "/feed.atom"} { // gzhttp leaves bodies under 1 KB alone
		req := httptest.NewRequest(http.MethodGet, p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Header().Get("Content-Encoding") != "gzip" {
			t.Errorf("%s: Content-Encoding %q", p, rec.Header().Get("Content-Encoding"))
			continue
		}
		sent := rec.Body.Len() // before the gzip reader consumes the buffer
		zr, err := gzip.NewReader(rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(zr)
		if err != nil {
			t.Fatal(err)
		}
		if plain := get(t, s, p).Body.String(); string(body) != plain {
			t.Errorf("%s: gzip body differs from the plain one", p)
		}
		if cl := rec.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(sent) {
			t.Errorf("%s: stale Content-Length %s", p, cl)
		}
	}
}

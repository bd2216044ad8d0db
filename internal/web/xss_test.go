package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"backchannel/internal/index"
)

// unsafeHTML walks a page with the HTML tokenizer and lists anything that
// could run script: script elements other than the site's own file, event
// handler and style attributes, style elements, and URLs with a scheme
// other than http, https and mailto.
func unsafeHTML(page string) []string {
	var bad []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return bad
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script":
			src := ""
			for _, a := range tok.Attr {
				if a.Key == "src" {
					src = a.Val
				}
			}
			if !strings.HasPrefix(src, "/static/app.js?v=") {
				bad = append(bad, "script element")
			}
		case "iframe", "object", "embed", "style", "img", "svg", "base", "form":
			if tok.Data == "form" && attr(tok, "action") == "/search" {
				continue
			}
			bad = append(bad, "element "+tok.Data)
		}
		for _, a := range tok.Attr {
			k := strings.ToLower(a.Key)
			switch {
			case strings.HasPrefix(k, "on"), k == "style", k == "srcdoc", k == "formaction":
				bad = append(bad, "attribute "+k+"="+a.Val)
			case k == "href" || k == "src" || k == "action" || (k == "content" && strings.Contains(a.Val, ":") && strings.HasPrefix(strings.TrimSpace(strings.ToLower(a.Val)), "javascript")):
				u, err := url.Parse(strings.TrimSpace(a.Val))
				if err != nil {
					bad = append(bad, "bad URL "+a.Val)
					continue
				}
				switch strings.ToLower(u.Scheme) {
				case "", "http", "https", "mailto":
				default:
					bad = append(bad, "URL scheme "+u.Scheme)
				}
			}
		}
	}
}

func attr(tok html.Token, key string) string {
	for _, a := range tok.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestXSS(t *testing.T) {
	hostileQuery := url.QueryEscape(xssScript + xssAttr + xssImg)
	lib := &fakeLibrary{SearchFunc: func(_ context.Context, q index.Query) (*index.Result, error) {
		if strings.Contains(q.Text, "bad") {
			return nil, errors.New(xssScript)
		}
		return &index.Result{
			Total: 2,
			Hits: []index.Hit{
				{Call: slugHostile, Line: 1, Speaker: "eve-null", Text: xssScript,
					Fragments: []index.Fragment{{Text: xssScript + xssAttr + `<img src=x onerror=alert(1)>`, Marks: []index.Span{{Start: 0, End: len(xssScript)}}}},
					Terms:     []string{xssScript, xssAttr}},
				{Call: "gone-call", Line: 9, Speaker: xssAttr, Text: xssImg + xssScript},
			},
			Facets: index.Facets{
				Speaker:  []index.FacetCount{{Value: "eve-null", Count: 1}, {Value: xssAttr, Count: 1}},
				Call:     []index.FacetCount{{Value: slugHostile, Count: 1}, {Value: xssScript, Count: 1}},
				Language: []index.FacetCount{{Value: xssImg, Count: 1}},
			},
			Parsed:      xssScript + xssAttr,
			Suggestions: []string{xssScript},
		}, nil
	}}
	s := newTestServer(t, lib)
	paths := []string{
		"/",
		"/calls/" + slugHostile,
		"/calls/" + slugHostile + "?hl=" + hostileQuery,
		"/calls/" + slugHostile + "?hl=script+alert+onmouseover",
		"/calls/" + slugHostile + "/L1",
		"/calls/" + slugHostile + "/L1-L2",
		"/speakers/eve-null",
		"/search?q=" + hostileQuery,
		"/search?q=" + hostileQuery + "&speaker=" + hostileQuery,
		"/search?q=bad" + hostileQuery,
		"/search?q=x&after=" + hostileQuery,
		"/calls/" + url.PathEscape(xssScript),
		"/speakers/" + url.PathEscape(xssAttr),
		"/" + url.PathEscape(xssScript),
	}
	for _, p := range paths {
		rec := get(t, s, p)
		body := rec.Body.String()
		if bad := unsafeHTML(body); len(bad) > 0 {
			t.Errorf("GET %s: unsafe output %v", p, bad)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
			t.Errorf("GET %s: payload reached the page unescaped", p)
		}
		if rec.Code >= 500 && !strings.Contains(p, "bad") {
			t.Errorf("GET %s: %d", p, rec.Code)
		}
	}
	// The transcript text is still all there, as text.
	doc := mustDoc(t, get(t, s, "/calls/"+slugHostile+"?hl=script"))
	if got := doc.Find("#L1 .line-text p").First().Text(); got != xssScript+" and "+xssAttr {
		t.Errorf("hostile line shown as %q", got)
	}
	if got := doc.Find("#L1 mark").First().Text(); got != "script" {
		t.Errorf("hl in hostile text marked %q", got)
	}
	if doc.Find("article.call").AttrOr("lang", "") != "" {
		t.Error("a malformed language reached the lang attribute")
	}
	if strings.Contains(doc.Find(".provenance dt").Text(), "Original") {
		t.Error("a javascript: source URL became a link")
	}
	// The JSON API escapes < > & in strings.
	for _, p := range []string{"/api/v1/calls", "/api/v1/calls/" + slugHostile, "/api/v1/search?q=x"} {
		body := get(t, s, p).Body.String()
		if strings.Contains(body, "<script") || strings.Contains(body, "<img") {
			t.Errorf("GET %s: raw markup in JSON", p)
		}
	}
}

func TestPathTraversal(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, p := range []string{
		"/calls/..%2f..%2fetc%2fpasswd",
		"/calls/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
		"/calls/%252e%252e%252fetc%252fpasswd",
		"/calls/..%5c..%5cwindows",
		"/calls/" + slugHarbour + "%00",
		"/calls/" + slugHarbour + "%00.txt",
		"/calls/..",
		"/calls/.json",
		"/calls/..%2f" + slugHarbour + ".txt",
		"/static/..%2ftemplates%2flayout.html",
		"/static/%2e%2e/templates/layout.html",
		"/static/app.css%00",
		"/static/.%2fapp.css",
		"/static/APP.CSS",
		"/speakers/..%2f..%2fetc",
		"/speakers/mara-harlow%00",
		"/api/v1/calls/..%2f..%2fetc%2fpasswd",
		"//evil.example/",
		"/\\evil.example",
		"/calls/" + slugHarbour + "/",
	} {
		rec := get(t, s, p)
		if rec.Code != 404 && rec.Code != 400 {
			t.Errorf("GET %s: %d, want 400 or 404", p, rec.Code)
		}
		if loc := rec.Header().Get("Location"); loc != "" {
			t.Errorf("GET %s: redirect to %q", p, loc)
		}
		if strings.Contains(rec.Body.String(), "{{define") {
			t.Errorf("GET %s: served a template file", p)
		}
	}
}

// FuzzHandler sends arbitrary paths and queries: user input never gives a
// 5xx, and pages never carry a script of their own making.
func FuzzHandler(f *testing.F) {
	for _, seed := range []string{
		"/calls/" + slugHarbour + "?hl=word", "/calls/" + slugHarbour + "/L2-L3", "/search?q=%22x&page=2",
		"/api/v1/search?q=x&size=100", "/speakers/mara-harlow", "/calls/..%2f", "/static/app.css?v=1",
	} {
		f.Add(seed)
	}
	s := newTestServer(f, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return sampleResult(), nil
	}})
	f.Fuzz(func(t *testing.T, target string) {
		u, err := url.Parse(target)
		if err != nil || u.Path == "" || u.Path[0] != '/' || u.Host != "" || u.Scheme != "" {
			return
		}
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.URL = u
		req.RequestURI = u.RequestURI()
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %q: %d", target, rec.Code)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			if bad := unsafeHTML(rec.Body.String()); len(bad) > 0 {
				t.Fatalf("GET %q: %v", target, bad)
			}
		}
	})
}

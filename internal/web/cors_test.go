package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"backchannel/internal/index"
)

func TestCORS(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: manyHits(3)})
	tests := []struct {
		method, target, preflight string
		status                    int
		allow                     string // Access-Control-Allow-Origin
	}{
		{"GET", "/api/v1/search?q=x", "", 200, "*"},
		{"HEAD", "/api/v1/search?q=x", "", 200, "*"},
		{"GET", "/api/v1/search.csv?q=x", "", 200, "*"},
		{"GET", "/api/v1/calls", "", 200, "*"},
		{"GET", "/api/v1/calls.csv", "", 200, "*"},
		{"GET", "/api/v1/speakers", "", 200, "*"},
		{"GET", "/api/v1/calls/" + slugHarbour, "", 200, "*"},
		{"GET", "/calls/" + slugHarbour + ".json", "", 200, "*"},
		{"GET", "/calls/" + slugHarbour + ".csv", "", 200, "*"},
		{"GET", "/calls/" + slugHarbour + ".txt", "", 200, "*"},
		// Errors are readable too, so a script can show them.
		{"GET", "/api/v1/calls/nope", "", 404, "*"},
		{"GET", "/api/v1/search?q=x&page=0", "", 400, "*"},
		// Preflight for GET and HEAD only.
		{"OPTIONS", "/api/v1/search?q=x", "GET", 204, "*"},
		{"OPTIONS", "/calls/" + slugHarbour + ".csv", "HEAD", 204, "*"},
		{"OPTIONS", "/api/v1/search?q=x", "POST", 204, ""},
		{"OPTIONS", "/api/v1/search?q=x", "", 405, ""},
		{"POST", "/api/v1/search?q=x", "", 405, ""},
		// Pages do not.
		{"GET", "/", "", 200, ""},
		{"GET", "/search?q=x", "", 200, ""},
		{"GET", "/calls/" + slugHarbour, "", 200, ""},
		{"GET", "/speakers/otto-brandt", "", 200, ""},
		{"OPTIONS", "/search?q=x", "GET", 405, ""},
	}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target+" "+tt.preflight, func(t *testing.T) {
			req := httptest.NewRequest(tt.method, tt.target, nil)
			req.Header.Set("Origin", "http://other.example")
			if tt.preflight != "" {
				req.Header.Set("Access-Control-Request-Method", tt.preflight)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Errorf("status %d, want %d", rec.Code, tt.status)
			}
			h := rec.Header()
			if got := h.Get("Access-Control-Allow-Origin"); got != tt.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tt.allow)
			}
			if h.Get("Access-Control-Allow-Credentials") != "" {
				t.Error("credentials allowed")
			}
			if tt.allow != "" && tt.method == "OPTIONS" {
				if m := h.Get("Access-Control-Allow-Methods"); m != "GET, HEAD" {
					t.Errorf("Access-Control-Allow-Methods %q", m)
				}
			}
			if tt.allow != "" && tt.method == "GET" && !strings.Contains(h.Get("Access-Control-Expose-Headers"), "Link") {
				t.Errorf("Access-Control-Expose-Headers %q lacks Link", h.Get("Access-Control-Expose-Headers"))
			}
		})
	}
}

// TestBrowserCORS: a page served from a second loopback origin fetches
// /api/v1/search from its script and reads the answer (and its Link
// header, and a conditional request that needs a preflight); a fetch of a
// page of the site from there is refused by the browser.
func TestBrowserCORS(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := chromiumPath(t)
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(ctx context.Context, q index.Query) (*index.Result, error) {
		return manyHits(45)(ctx, q)
	}})
	site := httptest.NewServer(s.Handler())
	defer site.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>Another site</title><p id=out>waiting</p>`))
	}))
	defer other.Close()
	if site.URL[:len("http://127.0.0.1:")] != other.URL[:len("http://127.0.0.1:")] || site.URL == other.URL {
		t.Fatalf("want two loopback origins, got %s and %s", site.URL, other.URL)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(other.URL+"/")); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}
	api := site.URL + "/api/v1/search?q=x"
	got := eval(`fetch(` + jsString(api) + `).then(async r => {
		const j = await r.json();
		return [location.origin, r.status, j.total, j.hits.length, j.hits[0].call, r.headers.get("Link") || "no Link"].join(" | ");
	}).catch(e => "refused: " + e)`)
	want := strings.Join([]string{other.URL, "200", "45", "20", slugHarbour,
		`<` + site.URL + `/api/v1/search?page=2&q=x>; rel="next"`}, " | ")
	if got != want {
		t.Errorf("cross-origin fetch of the API:\n got %s\nwant %s", got, want)
	}
	// A header outside the safelist makes the browser send a preflight.
	got = eval(`fetch(` + jsString(api+"&size=5") + `, {headers: {"If-None-Match": "\"x\""}}).then(async r => r.status + " " + (await r.json()).hits.length).catch(e => "refused: " + e)`)
	if got != "200 5" {
		t.Errorf("fetch with a preflight: %s", got)
	}
	got = eval(`fetch(` + jsString(site.URL+"/search?q=x") + `).then(r => "read " + r.status).catch(e => "refused")`)
	if got != "refused" {
		t.Errorf("cross-origin fetch of a page: %s, want the browser to refuse it", got)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

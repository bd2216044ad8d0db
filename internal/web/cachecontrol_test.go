package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/index"
)

// TestCacheControl: every answer of the site carries the Cache-Control of
// its kind, the same on a 200, its HEAD and its 304: current pages a short
// max-age with stale-while-revalidate (and an ETag to revalidate with),
// searches and the API a short max-age, versioned static files a year,
// health and metrics never stored, errors by status.
func TestCacheControl(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return &index.Result{}, nil
	}})
	css := "/static/app.css?v=" + s.static["app.css"].version
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/", 200, ccCurrent},
		{"/calls/" + slugHarbour, 200, ccCurrent},
		{"/calls/" + slugHarbour + ".txt", 200, ccCurrent},
		{"/calls/" + slugHarbour + ".json", 200, ccCurrent},
		{"/calls/" + slugHarbour + "/L3", 200, ccCurrent},
		{"/calls/" + slugHarbour + "/L1-L3", 200, ccCurrent},
		{"/speakers/mara-harlow", 200, ccCurrent},
		{"/feed.atom", 200, ccCurrent},
		{"/sitemap.xml", 200, ccCurrent},
		{"/search?q=harbour", 200, ccShort},
		{"/search", 200, ccShort},
		{"/api/v1/search?q=harbour", 200, ccShort},
		{"/api/v1/calls", 200, ccShort},
		{"/api/v1/calls/" + slugHarbour, 200, ccShort},
		{css, 200, ccImmutable},
		{"/static/app.css", 200, ccHour},
		{"/static/app.css?v=0000", 200, ccHour},
		{"/favicon.ico", 200, ccDay},
		{"/robots.txt", 200, ccDay},
		{"/opensearch.xml", 200, ccDay},
		{"/healthz", 200, ccNoStore},
		{"/metrics", 200, ccNoStore},
		{"/calls/no-such-call", 404, ccShort},
		{"/calls/" + slugHarbour + "@99", 404, ccShort}, // an unknown version is no pinned page
		{"/search?q=harbour&sort=sideways", 400, ccShort},
		{"/api/v1/search?q=", 400, ccShort},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			rec := do(t, s, method, tt.path)
			if rec.Code != tt.code {
				t.Errorf("%s %s = %d, want %d", method, tt.path, rec.Code, tt.code)
				continue
			}
			if got := rec.Header().Values("Cache-Control"); !cmp.Equal(got, []string{tt.want}) {
				t.Errorf("%s %s: Cache-Control %q, want %q", method, tt.path, got, tt.want)
			}
			etag := rec.Header().Get("ETag")
			if tt.code != 200 || tt.want == ccNoStore {
				if tt.want == ccNoStore && etag != "" {
					t.Errorf("%s %s: ETag %q on an answer that is never stored", method, tt.path, etag)
				}
				continue
			}
			if etag == "" {
				t.Errorf("%s %s: no ETag to revalidate with", method, tt.path)
				continue
			}
			req := httptest.NewRequest(method, tt.path, nil)
			req.Header.Set("If-None-Match", etag)
			rec = httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusNotModified {
				t.Errorf("%s %s If-None-Match its ETag = %d, want 304", method, tt.path, rec.Code)
			}
			if got := rec.Header().Get("Cache-Control"); got != tt.want {
				t.Errorf("%s %s 304: Cache-Control %q, want %q", method, tt.path, got, tt.want)
			}
		}
	}
}

// TestCacheControl_Refused: a search refused for lack of capacity (503)
// and a failed page (500) are never stored.
func TestCacheControl_Refused(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return nil, context.DeadlineExceeded
	}})
	rec := get(t, s, "/search?q=harbour")
	if rec.Code < 500 {
		t.Fatalf("a search that timed out = %d, want a 5xx", rec.Code)
	}
	if got := rec.Header().Get("Cache-Control"); got != ccNoStore {
		t.Errorf("%d: Cache-Control %q, want %q", rec.Code, got, ccNoStore)
	}
}

// TestCacheControl_Pinned: a pinned version of a call, its lines and its
// downloads (/calls/{slug}@{version}…) are immutable for a year when they
// are answered 200; a redirect or an error there is not; nothing else is.
func TestCacheControl_Pinned(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	tests := []struct {
		path   string
		status int
		want   string
	}{
		{"/calls/a-call@3", 200, ccImmutable},
		{"/calls/a-call@3/L7", 200, ccImmutable},
		{"/calls/a-call@3/L7-L9", 200, ccImmutable},
		{"/calls/a-call@3.txt", 200, ccImmutable},
		{"/calls/a-call@3.json", 200, ccImmutable},
		{"/calls/a-call@3", 304, ccImmutable},
		{"/api/v1/calls/a-call@3", 200, ccImmutable},
		{"/calls/a-call@3", 302, ccShort},
		{"/calls/a-call@3", 404, ccShort},
		{"/calls/a-call@3", 503, ccNoStore},
		{"/calls/a-call", 200, ccCurrent},
		{"/calls/a-call/history", 200, ccCurrent},
		{"/calls/a-call@", 200, ccCurrent},
		{"/calls/@3", 200, ccCurrent},
		{"/speakers/a@b", 200, ccCurrent},
		{"/search", 200, ccShort},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(http.MethodGet, tt.path, nil)
		if got := s.cacheControl(r, tt.status); !cmp.Equal(got, []string{tt.want}) {
			t.Errorf("%s %d: %q, want %q", tt.path, tt.status, got, tt.want)
		}
	}
}

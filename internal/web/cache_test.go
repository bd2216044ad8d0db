package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"backchannel/internal/transcript"
)

// TestPageCache checks what a reader of a cached page would notice: the
// same bytes as a fresh render, a 304 for a version they have, gzip when
// asked, and a new page as soon as the archive is swapped.
func TestPageCache(t *testing.T) {
	var cur atomic.Pointer[transcript.Archive]
	cur.Store(testArchive())
	lib := &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return cur.Load() }}
	s := newTestServer(t, lib)
	path := "/calls/" + slugHarbour

	first := get(t, s, path)
	second := get(t, s, path)
	if first.Code != 200 || second.Code != 200 {
		t.Fatalf("status %d then %d", first.Code, second.Code)
	}
	if first.Body.String() != second.Body.String() {
		t.Error("the cached page differs from the first render")
	}
	etag := second.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on a call page")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options"} {
		if second.Header().Get(h) == "" {
			t.Errorf("cached page lacks %s", h)
		}
	}

	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag: %d with %d bytes, want 304 and no body", rec.Code, rec.Body.Len())
	}

	req = httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "br;q=1, gzip;q=0.8")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != first.Body.String() {
		t.Error("the gzipped cached page differs from the plain one")
	}

	// A swapped archive (ingest, --watch) is served at once.
	edited := testArchive()
	c, _ := edited.Call(slugHarbour)
	c.Title = "An edited fictional title"
	cur.Store(edited)
	after := get(t, s, path)
	if !strings.Contains(after.Body.String(), "An edited fictional title") {
		t.Error("after the archive was swapped the old page is still served")
	}
	if after.Header().Get("ETag") == etag {
		t.Error("the ETag did not change with the page")
	}

	// Pages with a query (?hl=) and errors are not cached.
	if rec := get(t, s, path+"?hl=harbour"); !strings.Contains(rec.Body.String(), "<mark") {
		t.Error("?hl= page not highlighted (served from the cache?)")
	}
	if rec := get(t, s, "/calls/no-such-call"); rec.Code != 404 {
		t.Errorf("unknown call: %d", rec.Code)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   bool
	}{
		{"gzip", true},
		{"gzip, deflate, br", true},
		{"br;q=1, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"identity", false},
		{"", false},
		{"*", true},
	} {
		if got := acceptsGzip(tc.header); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.header, got, tc.want)
		}
	}
}

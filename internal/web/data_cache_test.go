package web

import (
	"compress/gzip"
	"encoding/csv"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestDataCaching: the JSON and CSV answers carry an ETag, answer 304 to
// a client that has them, and are gzipped for a client that asks (and
// decompress to the same bytes).
func TestDataCaching(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: manyHits(3000)})
	for _, target := range []string{
		"/api/v1/search?q=x&size=100",
		"/api/v1/search.csv?q=x",
		"/api/v1/calls",
		"/api/v1/speakers.csv",
		"/api/v1/export.ndjson",
	} {
		t.Run(target, func(t *testing.T) {
			plain := get(t, s, target)
			etag := plain.Header().Get("ETag")
			if plain.Code != 200 || etag == "" {
				t.Fatalf("status %d, ETag %q", plain.Code, etag)
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("If-None-Match", etag)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusNotModified {
				t.Errorf("If-None-Match: status %d, want 304", rec.Code)
			}

			req = httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			rec = httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if plain.Body.Len() < 2048 {
				return // too small to be worth compressing
			}
			if rec.Header().Get("Content-Encoding") != "gzip" {
				t.Fatalf("Accept-Encoding: gzip: Content-Encoding %q (%d bytes)", rec.Header().Get("Content-Encoding"), plain.Body.Len())
			}
			zr, err := gzip.NewReader(rec.Body)
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != plain.Body.String() {
				t.Error("the gzipped body is not the plain one")
			}
		})
	}
	// A CSV of 3,000 hits, all of them, one header row.
	rows, err := csv.NewReader(get(t, s, "/api/v1/search.csv?q=x").Body).ReadAll()
	if err != nil || len(rows) != 3001 {
		t.Errorf("%d rows, %v", len(rows), err)
	}
}

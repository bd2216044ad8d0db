package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

// TestMetricsPrivate: with Config.MetricsPrivate the site answers
// /metrics 404 like any unknown page, and MetricsHandler answers /metrics
// (counting the site's requests) and nothing else.
func TestMetricsPrivate(t *testing.T) {
	a := testArchive()
	s, err := NewServer(Config{
		Library:        &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }},
		Assets:         os.DirFS("../../web"),
		Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		MetricsPrivate: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec := get(t, s, "/"); rec.Code != 200 {
		t.Fatalf("GET / = %d", rec.Code)
	}
	for _, method := range []string{http.MethodGet, http.MethodHead} {
		if rec := do(t, s, method, "/metrics"); rec.Code != 404 || strings.Contains(rec.Body.String(), "backchannel_http") {
			t.Errorf("%s /metrics on the site = %d, want 404 without metrics:\n%.300s", method, rec.Code, rec.Body.String())
		}
	}

	m := s.MetricsHandler()
	tests := []struct {
		method, path string
		code         int
		want         string
	}{
		{"GET", "/metrics", 200, `backchannel_http_requests_total{code="200",method="GET",route="/"} 1`},
		{"HEAD", "/metrics", 200, ""},
		{"GET", "/", 404, ""},
		{"GET", "/calls/" + a.Calls[0].Slug, 404, ""},
		{"GET", "/healthz", 404, ""},
		{"GET", "/metrics/", 404, ""},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		m.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
		if rec.Code != tt.code || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("%s %s on the metrics address = %d, want %d containing %q:\n%.500s", tt.method, tt.path, rec.Code, tt.code, tt.want, rec.Body.String())
		}
		if tt.code == 200 && rec.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s %s: Cache-Control %q, want no-store", tt.method, tt.path, rec.Header().Get("Cache-Control"))
		}
	}
}

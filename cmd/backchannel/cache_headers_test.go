package main

import (
	"encoding/json"
	"net/http"
	"net/url"
	"path/filepath"
	"testing"
)

// TestServe_CacheHeaders: what a cache in front of serve is told, end to
// end: a pinned version of a call (its page, lines and downloads) is
// immutable for a year, also on a 304; the current call page, its history
// and the versions API are kept briefly; an unknown version is a 404 kept
// briefly, never for a year.
func TestServe_CacheHeaders(t *testing.T) {
	const (
		current   = "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400"
		short     = "public, max-age=60"
		immutable = "public, max-age=31536000, immutable"
	)
	transcripts, data := t.TempDir(), t.TempDir()
	writeReplicaCall(t, transcripts, "replica-01", 6, "amber")
	mustIngest(t, transcripts, data)
	writeReplicaCall(t, transcripts, "replica-01", 6, "saffron")
	mustIngest(t, transcripts, data)
	srv := startServeArgs(t, filepath.Join(t.TempDir(), "none"), data, "--read-only")

	_, body := srv.get(t, "/api/v1/calls/replica-01/versions")
	var res struct {
		Versions []struct {
			URL     string `json:"url"`
			Current bool   `json:"current"`
		} `json:"versions"`
	}
	if err := json.Unmarshal(body, &res); err != nil || len(res.Versions) != 2 {
		t.Fatalf("versions of replica-01: %v, want 2:\n%s", err, body)
	}
	var old string
	for _, v := range res.Versions {
		if !v.Current {
			u, err := url.Parse(v.URL)
			if err != nil {
				t.Fatal(err)
			}
			old = u.Path
		}
	}
	tests := []struct {
		path string
		code int
		want string
	}{
		{old, 200, immutable},
		{old + "/L2", 200, immutable},
		{old + "/L2-L4", 200, immutable},
		{old + ".txt", 200, immutable},
		{old + ".json", 200, immutable},
		{"/calls/replica-01", 200, current},
		{"/calls/replica-01/history", 200, current},
		{"/api/v1/calls/replica-01/versions", 200, short},
		{"/calls/replica-01@ffffffffffff", 404, short},
	}
	for _, tt := range tests {
		resp, body := srv.get(t, tt.path)
		if resp.StatusCode != tt.code || resp.Header.Get("Cache-Control") != tt.want {
			t.Errorf("GET %s = %d, Cache-Control %q; want %d, %q\n%.200s", tt.path, resp.StatusCode, resp.Header.Get("Cache-Control"), tt.code, tt.want, body)
			continue
		}
		etag := resp.Header.Get("ETag")
		if tt.code != 200 || etag == "" {
			continue
		}
		req, _ := http.NewRequest(http.MethodGet, srv.base+tt.path, nil)
		req.Header.Set("If-None-Match", etag)
		r304, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r304.Body.Close()
		if r304.StatusCode != 304 || r304.Header.Get("Cache-Control") != tt.want {
			t.Errorf("GET %s If-None-Match its ETag = %d, Cache-Control %q; want 304, %q", tt.path, r304.StatusCode, r304.Header.Get("Cache-Control"), tt.want)
		}
	}
}

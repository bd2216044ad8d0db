package main

import (
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// freeAddr returns a loopback address that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// TestServe_MetricsAddr: with --metrics-addr, /metrics is served there
// (and nothing else is), and the public address answers 404 for it.
func TestServe_MetricsAddr(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	maddr := freeAddr(t)
	srv := startServeArgs(t, dir, data, "--metrics-addr", maddr)

	if resp, _ := srv.get(t, "/calls/2024-03-02-keller-osei"); resp.StatusCode != 200 {
		t.Fatalf("call page = %d", resp.StatusCode)
	}
	if resp, body := srv.get(t, "/metrics"); resp.StatusCode != 404 || strings.Contains(string(body), "backchannel_http") {
		t.Errorf("public /metrics = %d, want 404 without metrics:\n%.300s", resp.StatusCode, body)
	}
	tests := []struct {
		path string
		code int
		want string
	}{
		{"/metrics", 200, `backchannel_http_requests_total{code="200",method="GET",route="/calls/{slug}"}`},
		{"/", 404, ""},
		{"/calls/2024-03-02-keller-osei", 404, ""},
		{"/healthz", 404, ""},
	}
	for _, tt := range tests {
		resp, err := http.Get("http://" + maddr + tt.path)
		if err != nil {
			t.Fatalf("GET %s on the metrics address: %v", tt.path, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || !strings.Contains(string(body), tt.want) {
			t.Errorf("GET %s on the metrics address = %d, want %d containing %q:\n%.500s", tt.path, resp.StatusCode, tt.code, tt.want, body)
		}
	}
}

// TestServe_MetricsAddrTaken: serve refuses to start when the metrics
// address cannot be listened on, and says which flag.
func TestServe_MetricsAddrTaken(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, stderr, code := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--transcripts", dir, "--data", data, "--metrics-addr", ln.Addr().String())
	if code != 1 || !strings.Contains(stderr, "--metrics-addr") || !strings.Contains(stderr, "address already in use") {
		t.Errorf("exit %d, stderr:\n%s\nwant 1 naming --metrics-addr and the address in use", code, stderr)
	}
}

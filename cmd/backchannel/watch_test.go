package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startServeArgs is startServe with extra flags.
func startServeArgs(t *testing.T, transcripts, data string, extra ...string) *server {
	t.Helper()
	return startServeWith(t, append([]string{"serve", "--addr", "127.0.0.1:0",
		"--transcripts", transcripts, "--data", data}, extra...))
}

// waitFor polls cond every 20 ms until it holds or timeout passes, and
// returns how long it took.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

// TestServeWatch edits the transcripts folder under a running
// `serve --watch`: a new file becomes searchable, a broken edit keeps the
// last good version serving and shows up in /healthz.
func TestServeWatch(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	srv := startServeArgs(t, dir, data, "--watch")

	healthy := func() bool {
		resp, _ := srv.get(t, "/healthz")
		return resp.StatusCode == 200
	}
	waitFor(t, 10*time.Second, "healthz 200 once watching", healthy)

	total := func(q string) int {
		_, body := srv.get(t, "/api/v1/search?q="+q)
		var res struct {
			Total int `json:"total"`
		}
		json.Unmarshal(body, &res)
		return res.Total
	}
	if n := total("marigold"); n != 0 {
		t.Fatalf("marigold found %d times before the edit", n)
	}
	added := "---\ntitle: A new fictional call\ndate: 2024-07-01\nparticipants:\n  - id: daniel-osei\n    name: Daniel Osei\n---\n\nDaniel Osei (DO): Plant the marigold by the quay.\n"
	if err := os.WriteFile(filepath.Join(dir, "2024-07-01-osei.md"), []byte(added), 0o644); err != nil {
		t.Fatal(err)
	}
	took := waitFor(t, 10*time.Second, "new line searchable", func() bool { return total("marigold") == 1 })
	t.Logf("a new file was searchable %v after it was written", took)

	broken := "---\ntitle: Broken\ndate: 2024-07-02\n---\n\nZQ: nobody declared me\n"
	if err := os.WriteFile(filepath.Join(dir, "2024-07-02-broken.md"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "broken edit reported in /healthz", func() bool {
		_, body := srv.get(t, "/healthz")
		return strings.Contains(string(body), "2024-07-02-broken.md:6")
	})
	if n := total("marigold"); n != 1 {
		t.Errorf("after a broken edit marigold found %d times, want 1 (last good version)", n)
	}
	if resp, _ := srv.get(t, "/calls/2024-03-02-keller-osei"); resp.StatusCode != 200 {
		t.Errorf("call page after a broken edit = %d", resp.StatusCode)
	}
}

// startServeWith runs the binary with args (a serve command line) and waits
// for its address.
func startServeWith(t *testing.T, args []string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, binPath, args...)
	return launch(t, ctx, cancel, cmd)
}

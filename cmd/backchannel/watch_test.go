package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

// TestServeWatch_NeverOffline: while a client reads every page of two calls
// over and over, one call's file is broken, half-written, fixed, edited in
// two lines at once and removed, under --watch. No answer is a 503 or
// another error, and no answer mixes two versions of a call (the two
// edited lines are always both old or both new). A removed call is a 404.
// While the one call is broken, an edit of the other is served, the broken
// one keeps its last good version, and /healthz (200) names the bad file.
func TestServeWatch_NeverOffline(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	for _, f := range []string{"2023-11-08-lindqvist-amara.md", "2023-12-01-amara-brandt.md"} {
		copyFile(t, filepath.Join("testdata/browser", f), filepath.Join(dir, f))
	}
	t.Setenv("BACKCHANNEL_RACY_MARGIN", "0")
	srv := startServeArgs(t, dir, data, "--watch")
	waitFor(t, 10*time.Second, "healthz 200 once watching", func() bool {
		resp, _ := srv.get(t, "/healthz")
		return resp.StatusCode == 200
	})
	const slug = "2023-12-01-amara-brandt"
	path := filepath.Join(dir, slug+".md")
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pages := []string{"/calls/" + slug, "/calls/" + slug + ".json", "/calls/" + slug + ".txt", "/calls/" + slug + "/L1-L2",
		"/api/v1/calls/" + slug, "/calls/2023-11-08-lindqvist-amara", "/search?q=Preis", "/speakers/helga-brandt"}
	var (
		mu       sync.Mutex
		problems []string
		reads    int
		removed  atomic.Bool
	)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, p := range pages {
				resp, err := http.Get(srv.base + p)
				if err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("%s: %v", p, err))
					mu.Unlock()
					continue
				}
				body, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				mu.Lock()
				reads++
				ok := resp.StatusCode == 200 || resp.StatusCode == 404 && removed.Load() && (strings.Contains(p, slug) || strings.Contains(p, "helga"))
				if !ok {
					problems = append(problems, fmt.Sprintf("%s = %d", p, resp.StatusCode))
				}
				// The two edited lines change together or not at all.
				if a, b := strings.Contains(string(body), "Guten Abend"), strings.Contains(string(body), "Deutlich weiter runter"); a != b && strings.Contains(p, slug) && !strings.Contains(p, "L1-L2") {
					problems = append(problems, fmt.Sprintf("%s mixes two versions of the call", p))
				}
				mu.Unlock()
			}
		}
	}()
	edit := func(what string, content []byte, wait func() bool) {
		t.Helper()
		if content == nil {
			removed.Store(true)
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
		} else if err := os.WriteFile(path, content, 0o644); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 15*time.Second, what, wait)
	}
	healthText := func() string {
		_, body := srv.get(t, "/healthz")
		return string(body)
	}
	jsonHas := func(s string) func() bool {
		return func() bool {
			_, body := srv.get(t, "/calls/"+slug+".json")
			return strings.Contains(string(body), s)
		}
	}
	broken := strings.Replace(string(orig), "title:", "title: [", 1)
	edit("a broken header reported", []byte(broken), func() bool { return strings.Contains(healthText(), slug+".md") })
	// An edit of another call while this one is broken is built and
	// served; the broken call keeps its last good version meanwhile.
	otherPath := filepath.Join(dir, "2023-11-08-lindqvist-amara.md")
	otherOrig, err := os.ReadFile(otherPath)
	if err != nil {
		t.Fatal(err)
	}
	otherEdit := strings.Replace(string(otherOrig), "Have you got a minute before", "Have you got a fictional minute before", 1)
	if err := os.WriteFile(otherPath, []byte(otherEdit), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "an edit beside a broken call served", func() bool {
		_, body := srv.get(t, "/calls/2023-11-08-lindqvist-amara.json")
		return strings.Contains(string(body), "fictional minute")
	})
	if resp, body := srv.get(t, "/healthz"); resp.StatusCode != 200 || !strings.Contains(string(body), slug+".md") {
		t.Errorf("/healthz with a broken call kept at its last version = %d, want 200 naming %s.md:\n%s", resp.StatusCode, slug, body)
	}
	if _, body := srv.get(t, "/calls/"+slug+".json"); !strings.Contains(string(body), "Guten Morgen") {
		t.Errorf("the broken call does not serve its last good version:\n%.300s", body)
	}
	half := orig[:len(orig)*2/3]
	edit("a half-written file built or reported", half, func() bool { return !strings.Contains(healthText(), "title") })
	two := strings.NewReplacer("Guten Morgen", "Guten Abend", "Deutlich runter", "Deutlich weiter runter").Replace(string(orig))
	edit("an edit of two lines served", []byte(two), jsonHas("Guten Abend"))
	edit("a removed call gone", nil, func() bool {
		resp, _ := srv.get(t, "/calls/"+slug)
		return resp.StatusCode == 404
	})
	close(stop)
	<-done
	mu.Lock()
	defer mu.Unlock()
	if reads == 0 {
		t.Fatal("the client read nothing")
	}
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("%d reads while the file was broken, half-written, edited and removed", reads)
}

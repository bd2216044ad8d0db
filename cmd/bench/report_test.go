package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestUpdateResults_SideBySide: a run at one size keeps the other sizes'
// sections, and the side-by-side table shows every size's figures.
func TestUpdateResults_SideBySide(t *testing.T) {
	path := filepath.Join(t.TempDir(), "RESULTS.md")
	run := func(lines int, apiP99 time.Duration) {
		r := &sizeResult{Lines: lines, Date: "today", User: map[userClass]*userResult{
			ucRare: {API: latencies{N: 500, P99: apiP99}},
		}}
		if err := updateResults(path, r, r.markdown()); err != nil {
			t.Fatal(err)
		}
	}
	run(1000000, 42*time.Millisecond)
	run(100000, 7*time.Millisecond)
	run(1000000, 31*time.Millisecond) // replaces the first 1M run
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	if got := strings.Count(s, "## 1000000 lines"); got != 1 {
		t.Errorf("1M section %d times, want once", got)
	}
	if !strings.Contains(s, "## 100000 lines") {
		t.Errorf("the 100k section was dropped")
	}
	var row string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "| rare word — p99") {
			row = l
		}
	}
	want := "| rare word — p99 API / search page / FTS5 (server CPU per request, API / page) | 7.00 ms / – / – (– / –) | 31 ms / – / – (– / –) |"
	if diff := cmp.Diff(want, row); diff != "" {
		t.Errorf("side-by-side row (-want +got):\n%s", diff)
	}
	if !strings.Contains(s, "| figure | 100k lines | 1M lines |") {
		t.Errorf("side-by-side header missing:\n%s", s[:min(len(s), 800)])
	}
}

// TestLoadPaths_Distinct: a load run over a list of paths asks each path
// once before any is asked twice, with wrk and with the Go loop.
func TestLoadPaths_Distinct(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]int{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.RequestURI()]++
		mu.Unlock()
		time.Sleep(2 * time.Millisecond) // keep the run short of the list
	}))
	defer srv.Close()
	var paths []string
	for i := range 5000 {
		paths = append(paths, "/search?q=w"+strings.Repeat("x", i%7)+"&n="+itoa(i))
	}
	loaders := []loader{{name: "go", conns: 4, duration: time.Second, run: goLoad}}
	if p, err := exec.LookPath("wrk"); err == nil {
		work := t.TempDir()
		loaders = append(loaders, loader{name: "wrk", conns: 4, duration: time.Second, work: work,
			run: func(ctx context.Context, base string, paths []string, conns int, d time.Duration) (loadResult, error) {
				return runWrk(ctx, p, work, base, paths, conns, d)
			}})
	} else {
		t.Log("wrk not installed: only the Go loop is tested")
	}
	for _, ld := range loaders {
		clear(seen)
		r, err := ld.loadPaths(context.Background(), srv.URL, paths)
		if err != nil {
			t.Fatalf("%s: %v", ld.name, err)
		}
		mu.Lock()
		if r.Requests < 50 || len(seen) < r.Requests*9/10 {
			t.Errorf("%s: %d requests reached %d distinct paths", ld.name, r.Requests, len(seen))
		}
		for p, n := range seen {
			if n > 1 {
				t.Errorf("%s: %s asked %d times before the list was used up", ld.name, p, n)
				break
			}
		}
		mu.Unlock()
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

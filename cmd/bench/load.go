package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what a load run measured.
type loadResult struct {
	RPS      float64
	P50, P99 time.Duration
	Requests int
	Errors   int // non-2xx answers and socket errors
	Bytes    int // size of one answer
	Paths    int // distinct paths walked (0: one URL)
	// CPU is the server's CPU time per request during the run, when its
	// process id was known.
	CPU time.Duration
}

// loader drives HTTP load on loopback for a fixed time, at one URL or
// walking a list of paths (each connection takes the next path not yet
// asked, so that no path is asked twice until the list is used up).
type loader struct {
	name     string
	conns    int
	duration time.Duration
	work     string // folder for wrk's script and path list
	run      func(ctx context.Context, base string, paths []string, conns int, d time.Duration) (loadResult, error)
}

// newLoader uses wrk when it is installed, else a bounded Go loop. work is
// a folder for wrk's files.
func newLoader(conns int, d time.Duration, work string) loader {
	if p, err := exec.LookPath("wrk"); err == nil {
		return loader{name: fmt.Sprintf("wrk -t2 -c%d -d%s", conns, d), conns: conns, duration: d, work: work,
			run: func(ctx context.Context, base string, paths []string, conns int, d time.Duration) (loadResult, error) {
				return runWrk(ctx, p, work, base, paths, conns, d)
			}}
	}
	return loader{name: fmt.Sprintf("Go loop, %d connections, %s (wrk not installed)", conns, d), conns: conns, duration: d, run: goLoad}
}

// load runs load at one URL.
func (l loader) load(ctx context.Context, url string) (loadResult, error) {
	r, err := l.run(ctx, url, nil, l.conns, l.duration)
	if err != nil {
		return r, err
	}
	resp, err := http.Get(url)
	if err != nil {
		return r, fmt.Errorf("load %s: %w", url, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	r.Bytes = len(b)
	return r, nil
}

// loadPaths runs load on base + each of paths in turn (wrapping around
// when the run asks more than len(paths)). Requests send Accept-Encoding:
// gzip, as browsers do.
func (l loader) loadPaths(ctx context.Context, base string, paths []string) (loadResult, error) {
	r, err := l.run(ctx, base, paths, l.conns, l.duration)
	if err != nil {
		return r, err
	}
	r.Paths = len(paths)
	return r, nil
}

// wrkPathsScript makes wrk walk the path list given after "--": thread i
// of n asks paths i, i+n, i+2n, ... so that the threads never ask the same
// path until the list wraps.
const wrkPathsScript = `local n = 0
function setup(thread)
  thread:set("id", n)
  n = n + 1
end
function init(args)
  paths = {}
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  step = tonumber(args[2])
  i = id
  wrk.headers["Accept-Encoding"] = "gzip"
end
function request()
  local p = paths[(i % #paths) + 1]
  i = i + step
  return wrk.format(nil, p)
end
`

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal   = regexp.MustCompile(`(\d+) requests in`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func runWrk(ctx context.Context, wrk, work, url string, paths []string, conns int, d time.Duration) (loadResult, error) {
	const threads = 2
	args := []string{"-t" + strconv.Itoa(threads), "-c" + strconv.Itoa(conns), "-d" + strconv.Itoa(int(d.Seconds())) + "s",
		"--latency", "--timeout", "5s"}
	if len(paths) > 0 {
		script, list := filepath.Join(work, "paths.lua"), filepath.Join(work, "paths.txt")
		if err := os.WriteFile(script, []byte(wrkPathsScript), 0o644); err != nil {
			return loadResult{}, fmt.Errorf("wrk script: %w", err)
		}
		if err := os.WriteFile(list, []byte(strings.Join(paths, "\n")+"\n"), 0o644); err != nil {
			return loadResult{}, fmt.Errorf("wrk paths: %w", err)
		}
		args = append(args, "-s", script, url, "--", list, strconv.Itoa(threads))
	} else {
		args = append(args, url)
	}
	cmd := exec.CommandContext(ctx, wrk, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return loadResult{}, fmt.Errorf("wrk %s: %w\n%s", url, err, out)
	}
	s := string(out)
	var r loadResult
	if m := wrkRPS.FindStringSubmatch(s); m != nil {
		r.RPS, _ = strconv.ParseFloat(m[1], 64)
	} else {
		return r, fmt.Errorf("wrk %s: no Requests/sec in output:\n%s", url, s)
	}
	if m := wrkTotal.FindStringSubmatch(s); m != nil {
		r.Requests, _ = strconv.Atoi(m[1])
	}
	for _, m := range wrkPct.FindAllStringSubmatch(s, -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second}[m[3]]
		d := time.Duration(v * float64(unit))
		if m[1] == "50" {
			r.P50 = d
		} else {
			r.P99 = d
		}
	}
	if m := wrkNon2xx.FindStringSubmatch(s); m != nil {
		r.Errors, _ = strconv.Atoi(m[1])
	}
	if m := wrkSockErr.FindStringSubmatch(s); m != nil {
		for _, x := range m[1:] {
			n, _ := strconv.Atoi(x)
			r.Errors += n
		}
	}
	return r, nil
}

// goLoad is the fallback load generator: conns goroutines with keep-alive
// connections, each requesting url (or base + the next of paths) in a loop
// until d has passed.
func goLoad(ctx context.Context, url string, paths []string, conns int, d time.Duration) (loadResult, error) {
	var next atomic.Int64
	target := func() string {
		if len(paths) == 0 {
			return url
		}
		return url + paths[int(next.Add(1)-1)%len(paths)]
	}
	tr := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	var mu sync.Mutex
	var all []time.Duration
	errs := 0
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var ds []time.Duration
			e := 0
			for ctx.Err() == nil {
				t := time.Now()
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, target(), nil)
				resp, err := client.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						e++
					}
					continue
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode/100 != 2 {
					if ctx.Err() == nil {
						e++
					}
					continue
				}
				ds = append(ds, time.Since(t))
			}
			mu.Lock()
			all = append(all, ds...)
			errs += e
			mu.Unlock()
		}()
	}
	wg.Wait()
	el := time.Since(start)
	l := summarize(all)
	return loadResult{RPS: float64(len(all)) / el.Seconds(), P50: l.P50, P99: l.P99, Requests: len(all), Errors: errs}, nil
}

// getOK fetches url and fails unless it answers 200.
func getOK(ctx context.Context, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return b, fmt.Errorf("GET %s: %s: %s", url, resp.Status, strings.TrimSpace(tail(string(b), 300)))
	}
	return b, nil
}

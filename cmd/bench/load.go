package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// loadResult is what a load run measured.
type loadResult struct {
	RPS      float64
	P50, P99 time.Duration
	Requests int
	Errors   int // non-2xx answers and socket errors
	Bytes    int // size of one answer
}

// loader drives HTTP load at one URL on loopback for a fixed time.
type loader struct {
	name     string
	conns    int
	duration time.Duration
	run      func(ctx context.Context, url string, conns int, d time.Duration) (loadResult, error)
}

// newLoader uses wrk when it is installed, else a bounded Go loop.
func newLoader(conns int, d time.Duration) loader {
	if p, err := exec.LookPath("wrk"); err == nil {
		return loader{name: fmt.Sprintf("wrk -t2 -c%d -d%s", conns, d), conns: conns, duration: d,
			run: func(ctx context.Context, url string, conns int, d time.Duration) (loadResult, error) {
				return runWrk(ctx, p, url, conns, d)
			}}
	}
	return loader{name: fmt.Sprintf("Go loop, %d connections, %s (wrk not installed)", conns, d), conns: conns, duration: d, run: goLoad}
}

func (l loader) load(ctx context.Context, url string) (loadResult, error) {
	r, err := l.run(ctx, url, l.conns, l.duration)
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

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal   = regexp.MustCompile(`(\d+) requests in`)
	wrkPct     = regexp.MustCompile(`(?m)^\s+(50|99)%\s+([0-9.]+)(us|ms|s)\s*$`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSockErr = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
)

func runWrk(ctx context.Context, wrk, url string, conns int, d time.Duration) (loadResult, error) {
	cmd := exec.CommandContext(ctx, wrk, "-t2", "-c"+strconv.Itoa(conns), "-d"+strconv.Itoa(int(d.Seconds()))+"s",
		"--latency", "--timeout", "5s", url)
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
// connections, each requesting url in a loop until d has passed.
func goLoad(ctx context.Context, url string, conns int, d time.Duration) (loadResult, error) {
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
				req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
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

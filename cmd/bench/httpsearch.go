package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"
)

// Endpoints timed with the user classes.
const (
	apiSearch  = "/api/v1/search"
	pageSearch = "/search"
)

// repeatedQueries and repeatedPasses shape the repeated-query figure: the
// first repeatedQueries of a class's API half, asked once to warm up and
// then repeatedPasses times in rotation.
const (
	repeatedQueries = 20
	repeatedPasses  = 5
)

// userResult is one class's figures at one size.
type userResult struct {
	Pool       int       // distinct queries in the class's pool
	API, Page  latencies // distinct: each query asked once
	APIRep     latencies // repeated
	PageRep    latencies
	FTS        latencies // SQLite FTS5 in-process, distinct (the API's queries)
	Throughput *loadResult
	// APICPU and PageCPU are the server's CPU time (user + system) per
	// distinct request: what a request costs, whatever else runs on the
	// machine (latency under load is mostly waiting for a core).
	APICPU, PageCPU time.Duration
}

// cpuPer is the CPU time of server pid spent while run ran, per request.
func cpuPer(pid int, run func() latencies) (latencies, time.Duration) {
	before := procCPU(pid)
	l := run()
	n := l.N + l.Errors
	if pid <= 0 || n == 0 {
		return l, 0
	}
	return l, (procCPU(pid) - before) / time.Duration(n)
}

// halves splits a pool into the API's queries (even entries) and the
// search page's (odd entries).
func halves(qs []userQuery) (api, page []userQuery) {
	for i, q := range qs {
		if i%2 == 0 {
			api = append(api, q)
		} else {
			page = append(page, q)
		}
	}
	return api[:min(len(api), poolSize)], page[:min(len(page), poolSize)]
}

// httpSearcher asks one request at a time over a keep-alive connection,
// with Accept-Encoding: gzip as a browser sends it (the Go client sends it
// and decompresses).
type httpSearcher struct {
	base   string
	client *http.Client
}

func newHTTPSearcher(base string) *httpSearcher {
	return &httpSearcher{base: base, client: &http.Client{Timeout: 30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 1}}}
}

// get asks path and returns the total hits when the answer is the API's
// JSON (0 for a page). A non-200 answer is an error.
func (h *httpSearcher) get(ctx context.Context, path string, api bool) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return 0, err
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		msg := resp.Status
		if api { // the API's error is one line of JSON; a page's is a page
			msg += ": " + strings.Join(strings.Fields(tail(string(b), 200)), " ")
		}
		return 0, fmt.Errorf("GET %s: %s", path, msg)
	}
	if !api {
		return 0, nil
	}
	var body struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal(b, &body); err != nil {
		return 0, fmt.Errorf("GET %s: %w", path, err)
	}
	return body.Total, nil
}

// timeEach asks each query of qs in order until budget has passed, and
// times each run (for HTTP: from sending the request to reading the last
// byte of the answer, plus decoding the API's total: microseconds).
func timeEach(qs []userQuery, budget time.Duration, run func(userQuery) (int, error)) latencies {
	var ds []time.Duration
	hits, errs, first := 0, 0, ""
	deadline := time.Now().Add(budget)
	for _, q := range qs {
		if time.Now().After(deadline) {
			break
		}
		start := time.Now()
		n, err := run(q)
		d := time.Since(start)
		if err != nil {
			errs++
			if first == "" {
				first = err.Error()
			}
			continue
		}
		ds = append(ds, d)
		hits += n
	}
	l := summarize(ds)
	l.Errors, l.Err = errs, first
	if len(ds) > 0 {
		l.MeanHits = float64(hits) / float64(len(ds))
	}
	return l
}

// timeRepeated asks qs once untimed, then repeatedPasses times in rotation
// (until budget has passed), timing those.
func timeRepeated(qs []userQuery, budget time.Duration, run func(userQuery) (int, error)) latencies {
	for _, q := range qs {
		run(q) // warm-up; an error shows again below
	}
	var all []userQuery
	for range repeatedPasses {
		all = append(all, qs...)
	}
	return timeEach(all, budget, run)
}

// timeUserClasses times every class over HTTP (distinct, then repeated)
// against the server at base, whose process id is pid (0 when unknown: no
// CPU figures).
func timeUserClasses(ctx context.Context, base string, pid int, pools map[userClass][]userQuery, budget time.Duration, out map[userClass]*userResult, logf func(string, ...any)) {
	h := newHTTPSearcher(base)
	for _, cl := range userClasses {
		if len(pools[cl]) == 0 {
			continue
		}
		api, page := halves(pools[cl])
		res := out[cl]
		if res == nil {
			res = &userResult{}
			out[cl] = res
		}
		res.Pool = len(pools[cl])
		res.API, res.APICPU = cpuPer(pid, func() latencies {
			return timeEach(api, budget, func(q userQuery) (int, error) { return h.get(ctx, q.path(apiSearch), true) })
		})
		res.Page, res.PageCPU = cpuPer(pid, func() latencies {
			return timeEach(page, budget, func(q userQuery) (int, error) { return h.get(ctx, q.path(pageSearch), false) })
		})
		rep := api[:min(len(api), repeatedQueries)]
		res.APIRep = timeRepeated(rep, budget/2, func(q userQuery) (int, error) { return h.get(ctx, q.path(apiSearch), true) })
		res.PageRep = timeRepeated(rep, budget/2, func(q userQuery) (int, error) { return h.get(ctx, q.path(pageSearch), false) })
		logf("  http %-24s api %s (n %d, hits %.0f, CPU %s)  page %s (n %d, CPU %s)  repeated api %s page %s",
			cl, p5099(res.API), res.API.N, res.API.MeanHits, ms(res.APICPU), p5099(res.Page), res.Page.N, ms(res.PageCPU), p5099(res.APIRep), p5099(res.PageRep))
	}
}

// timeFTSClasses times SQLite FTS5 in-process on each class's API half,
// each query once.
func timeFTSClasses(ctx context.Context, db string, pools map[userClass][]userQuery, budget time.Duration, out map[userClass]*userResult, logf func(string, ...any)) error {
	s, err := openSQLite(ctx, db)
	if err != nil {
		return err
	}
	defer s.Close()
	for _, cl := range userClasses {
		api, _ := halves(pools[cl])
		res := out[cl]
		if res == nil {
			res = &userResult{}
			out[cl] = res
		}
		res.FTS = timeEach(api, budget, func(q userQuery) (int, error) { return s.searchUser(ctx, q) })
		logf("  sqlite %-24s %s (n %d, hits %.0f)", cl, p5099(res.FTS), res.FTS.N, res.FTS.MeanHits)
	}
	return nil
}

// throughputClasses are the classes whose search page is loaded at -conns
// connections, and throughputPaths the most distinct paths each walks.
var throughputClasses = []userClass{ucCommon, ucRare, ucPrefix}

const throughputPaths = 20000

// throughputPathList is the search-page paths a throughput run walks: for
// rare words and prefixes the queries past the timed halves (never asked
// before), for common words the whole pool (the corpus has only so many
// common words; the timed runs asked them before).
func throughputPathList(pools map[userClass][]userQuery, cl userClass) []string {
	qs := pools[cl]
	if len(qs) > 2*poolSize+1000 {
		qs = qs[2*poolSize:]
	}
	qs = qs[:min(len(qs), throughputPaths)]
	paths := make([]string, len(qs))
	for i, q := range qs {
		paths[i] = q.path(pageSearch)
	}
	return paths
}

// runHTTP is `bench http`: the user classes over HTTP alone, against a
// server already running on an archive that `bench -keep` generated (for
// profiling a server, e.g. `bench serve -cpuprofile`, without a full run):
//
//	bench http -base http://127.0.0.1:PORT -lines N [-seed S] [-budget 2s] [-class NAME] [-pid PID]
//
// The pools are drawn again from the regenerated corpus (it depends only on
// -lines and -seed).
func runHTTP(ctx context.Context, args []string, stderr io.Writer) error {
	fl := flag.NewFlagSet("bench http", flag.ContinueOnError)
	fl.SetOutput(stderr)
	base := fl.String("base", "", "server to ask, e.g. http://127.0.0.1:8080 (required)")
	lines := fl.Int("lines", 100000, "corpus size the server's archive was generated with")
	seed := fl.Uint64("seed", 1, "generator seed of the archive")
	budget := fl.Duration("budget", 2*time.Second, "time limit per class and endpoint")
	only := fl.String("class", "", "time only the classes whose name contains this")
	pid := fl.Int("pid", 0, "the server's process id, for its CPU time per request (optional)")
	if err := fl.Parse(args); err != nil {
		return err
	}
	if *base == "" {
		return errors.New("bench http: -base is required")
	}
	dir, err := os.MkdirTemp("", "bench-http-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	c, err := generate(dir, genConfig{Lines: *lines, Seed: *seed})
	if err != nil {
		return err
	}
	pools := userPools(c, *seed, 0)
	for cl := range pools {
		if *only != "" && !strings.Contains(string(cl), *only) {
			delete(pools, cl)
		}
	}
	logf := func(format string, a ...any) { fmt.Fprintf(stderr, format+"\n", a...) }
	timeUserClasses(ctx, *base, *pid, pools, *budget, map[userClass]*userResult{}, logf)
	return nil
}

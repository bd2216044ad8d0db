package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"backchannel/internal/transcript"
)

// options are runBench's flags.
type options struct {
	sizes       []int
	seed        uint64
	work        string
	keep        bool
	backchannel string
	self        string // a snapshot of this binary, for child processes
	results     string
	profile     string
	reps        int
	classBudget time.Duration
	loadTime    time.Duration
	conns       int
	httpBudget  time.Duration
}

func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	sizes := fs.String("sizes", "100000", "comma-separated corpus sizes in lines")
	fs.Uint64Var(&o.seed, "seed", 1, "generator seed")
	fs.StringVar(&o.work, "work", "", "work folder (default: a new temp dir, removed afterwards)")
	fs.BoolVar(&o.keep, "keep", false, "keep the work folder")
	fs.StringVar(&o.backchannel, "backchannel", "", "backchannel binary (default: go build ./cmd/backchannel into the work folder)")
	fs.StringVar(&o.results, "results", "", "markdown file to update with the table (e.g. cmd/bench/RESULTS.md)")
	fs.StringVar(&o.profile, "profile", "", "write CPU profiles of Backchannel's searches and ingest, and a heap profile, into this folder")
	fs.IntVar(&o.reps, "reps", 10, "timed passes over each class's queries")
	fs.DurationVar(&o.classBudget, "class-budget", 0, "time limit for one engine on one query class (default 5s up to 100k lines, else 10s)")
	fs.DurationVar(&o.loadTime, "load-time", 4*time.Second, "duration of each HTTP load run")
	fs.IntVar(&o.conns, "conns", 16, "concurrent HTTP connections")
	fs.DurationVar(&o.httpBudget, "http-budget", 0, "time limit for one endpoint (or FTS5) on one user class's distinct queries (default 3s up to 100k lines, 6s to 1M, else 15s)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1000 {
			return fmt.Errorf("bad size %q (want at least 1000 lines)", s)
		}
		o.sizes = append(o.sizes, n)
	}
	if o.work == "" {
		d, err := os.MkdirTemp("", "backchannel-bench-")
		if err != nil {
			return fmt.Errorf("work dir: %w", err)
		}
		o.work = d
		if !o.keep {
			defer os.RemoveAll(d)
		}
	}
	if err := os.MkdirAll(o.work, 0o755); err != nil {
		return fmt.Errorf("work dir: %w", err)
	}
	if o.profile != "" {
		if err := os.MkdirAll(o.profile, 0o755); err != nil {
			return fmt.Errorf("profile dir: %w", err)
		}
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, "%s  %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, a...))
	}
	var err error
	if o.backchannel == "" {
		o.backchannel = filepath.Join(o.work, "backchannel")
		logf("building %s", o.backchannel)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", o.backchannel, "./cmd/backchannel")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("go build ./cmd/backchannel (run bench from the repo root, or pass -backchannel): %w\n%s", err, out)
		}
	}
	// Snapshot both binaries into the work folder: in a shared tree another
	// `make build` may replace bin/backchannel during a run (which once made
	// serve find a newer schema and rebuild the index under the benchmark).
	if o.backchannel, err = snapshot(o.backchannel, filepath.Join(o.work, "backchannel.snapshot")); err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("find own binary: %w", err)
	}
	if o.self, err = snapshot(self, filepath.Join(o.work, "bench.snapshot")); err != nil {
		return err
	}
	for _, n := range o.sizes {
		r, err := benchSize(ctx, o, n, logf)
		if err != nil {
			return fmt.Errorf("%d lines: %w", n, err)
		}
		table := r.markdown()
		fmt.Fprintln(stdout, table)
		if o.results != "" {
			if err := updateResults(o.results, r, table); err != nil {
				return err
			}
		}
	}
	return nil
}

// benchSize runs every measurement on one corpus.
func benchSize(ctx context.Context, o options, lines int, logf func(string, ...any)) (*sizeResult, error) {
	dir := filepath.Join(o.work, strconv.Itoa(lines))
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	transcripts := filepath.Join(dir, "transcripts")
	began := time.Now()
	if o.classBudget == 0 {
		o.classBudget = 5 * time.Second
		if lines > 100000 {
			o.classBudget = 10 * time.Second
		}
	}
	if o.httpBudget == 0 {
		switch {
		case lines <= 100000:
			o.httpBudget = 3 * time.Second
		case lines <= 1000000:
			o.httpBudget = 6 * time.Second
		default:
			o.httpBudget = 15 * time.Second
		}
	}
	r := &sizeResult{Lines: lines, Seed: o.seed, Date: time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Cores: runtime.NumCPU(), GoVersion: runtime.Version(), LoadBefore: loadAvg()}

	logf("%d lines: generating", lines)
	start := time.Now()
	c, err := generate(transcripts, genConfig{Lines: lines, Seed: o.seed})
	if err != nil {
		return nil, err
	}
	r.GenTime = time.Since(start)
	r.Calls, r.FileBytes, r.TextBytes, r.Speakers = len(c.Calls), c.FileBytes, c.TextBytes, len(c.Speakers)
	qs := makeQueries(c, o.seed)
	pools := userPools(c, o.seed, throughputPaths)
	r.HTTPBudget = o.httpBudget
	r.User = map[userClass]*userResult{}
	// The product's parser on the same files: a share of every ingest, and a
	// check that the corpus is valid.
	start = time.Now()
	a, problems := transcript.LoadDir(transcripts)
	r.ParseTime = time.Since(start)
	if len(problems) > 0 {
		return nil, fmt.Errorf("generated archive does not parse cleanly: %w", problems)
	}
	if got := countLines(a); got != c.Lines {
		return nil, fmt.Errorf("generated %d lines, the parser read %d", c.Lines, got)
	}
	a = nil
	logf("%d lines: %d calls, %s, %d queries, generated in %s", lines, r.Calls, mb(r.FileBytes), len(qs), ms(r.GenTime))

	// Backchannel ingest, as the product runs it.
	data := filepath.Join(dir, "data")
	logf("backchannel ingest")
	ing, err := runChild(exec.CommandContext(ctx, o.backchannel, "ingest", "--transcripts", transcripts, "--data", data))
	if err != nil {
		return nil, fmt.Errorf("backchannel ingest: %w", err)
	}
	r.BC.IngestTime, r.BC.IngestRSS, r.BC.IngestCPU = ing.Wall, ing.MaxRSS, ing.CPU
	if r.BC.IndexBytes, r.BC.StoreBytes, err = dataSizes(data); err != nil {
		return nil, err
	}
	logf("backchannel ingest: %s, peak RSS %s, index %s, line store and the rest of the data folder %s",
		ms(ing.Wall), mb(ing.MaxRSS), mb(r.BC.IndexBytes), mb(r.BC.StoreBytes))

	// SQLite build, in a child too.
	db := filepath.Join(dir, "fts.db")
	self := o.self
	logf("sqlite build")
	sb, err := runChild(exec.CommandContext(ctx, self, "sqlite-build", "-transcripts", transcripts, "-db", db))
	if err != nil {
		return nil, fmt.Errorf("sqlite build: %w", err)
	}
	r.SQL.IngestTime, r.SQL.IngestRSS, r.SQL.IngestCPU = sb.Wall, sb.MaxRSS, sb.CPU
	if r.SQL.IndexBytes, err = dirSize(filepath.Dir(db) + "/fts.db"); err != nil {
		return nil, err
	}
	logf("sqlite build: %s, peak RSS %s, db %s", ms(sb.Wall), mb(sb.MaxRSS), mb(r.SQL.IndexBytes))

	if o.profile != "" {
		prof := filepath.Join(o.profile, fmt.Sprintf("%d-ingest.cpu.pprof", lines))
		logf("profiling an in-process ingest into %s", prof)
		pstart := time.Now()
		if _, err := runChild(exec.CommandContext(ctx, self, "ingest", "-transcripts", transcripts,
			"-data", filepath.Join(dir, "data-profile"), "-cpuprofile", prof)); err != nil {
			return nil, fmt.Errorf("profiled ingest: %w", err)
		}
		r.Notes = append(r.Notes, fmt.Sprintf("Run with -profile: the elapsed time includes a second, CPU-profiled in-process ingest (%s) that no figure above uses.", ms(time.Since(pstart))))
		os.RemoveAll(filepath.Join(dir, "data-profile"))
	}

	// Search latency, in-process.
	if err := benchBackchannelSearch(ctx, o, data, transcripts, qs, r, logf); err != nil {
		return nil, err
	}
	logf("sqlite search")
	if r.SQL.Cold, err = sqliteColdStart(ctx, db, qs[0]); err != nil {
		return nil, err
	}
	s, err := openSQLite(ctx, db)
	if err != nil {
		return nil, err
	}
	r.SQL.Search = map[class]latencies{}
	for _, cl := range classes {
		r.SQL.Search[cl] = timeQueries(byClass(qs, cl), o.reps, o.classBudget, func(q benchQuery) (int, error) {
			return s.search(ctx, q)
		})
		logf("  sqlite %-24s p50 %s p99 %s", cl, ms(r.SQL.Search[cl].P50), ms(r.SQL.Search[cl].P99))
	}
	s.Close()
	logf("sqlite search, user classes, distinct queries")
	if err := timeFTSClasses(ctx, db, pools, o.httpBudget, r.User, logf); err != nil {
		return nil, err
	}

	g := newGrepper(transcripts)
	r.GrepName = g.name
	r.Grep = map[class]latencies{}
	for _, cl := range []class{classPhrase, classCommonPhrase} {
		r.Grep[cl] = timeQueries(byClass(qs, cl), min(o.reps, 3), o.classBudget, func(q benchQuery) (int, error) {
			return g.run(ctx, q.Phrase)
		})
		logf("  grep %-24s p50 %s p99 %s", cl, ms(r.Grep[cl].P50), ms(r.Grep[cl].P99))
	}

	if err := benchHTTP(ctx, o, c, qs, pools, transcripts, data, dir, r, logf); err != nil {
		return nil, err
	}
	r.LoadAfter = loadAvg()
	r.Elapsed = time.Since(began)
	if o.profile != "" {
		paths := []string{r.PagePaths["transcript"], r.PagePaths["line"], r.PagePaths["search"]}
		if err := profileHTTP(ctx, o, lines, transcripts, data, paths, pools, logf); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func countLines(a *transcript.Archive) int {
	n := 0
	for _, c := range a.Calls {
		n += len(c.Lines)
	}
	return n
}

func byClass(qs []benchQuery, c class) []benchQuery {
	var out []benchQuery
	for _, q := range qs {
		if q.Class == c {
			out = append(out, q)
		}
	}
	return out
}

// benchHTTP starts `backchannel serve`, times it to its first answer, then
// loads three pages and the static copies of two of them.
func benchHTTP(ctx context.Context, o options, c *corpus, qs []benchQuery, pools map[userClass][]userQuery, transcripts, data, dir string, r *sizeResult, logf func(string, ...any)) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	base := "http://" + addr
	searchPath := "/search?q=" + byClass(qs, classCommon)[0].Words[0]
	logf("backchannel serve on %s", addr)
	cmd := exec.Command(o.backchannel, "serve", "--addr", addr, "--transcripts", transcripts, "--data", data)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("backchannel serve: %w", err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := getOK(ctx, base+searchPath); err == nil {
			break
		} else if time.Now().After(deadline) || ctx.Err() != nil {
			return fmt.Errorf("backchannel serve never answered %s: %v\n%s", searchPath, err, tail(log.String(), 2000))
		}
		time.Sleep(2 * time.Millisecond)
	}
	r.BC.ServeCold = time.Since(start)
	logf("serve answered its first search after %s", ms(r.BC.ServeCold))

	// A median-sized call, and a line in its middle.
	call := medianCall(c)
	pages := map[string]string{
		"transcript": "/calls/" + call.Slug,
		"line":       fmt.Sprintf("/calls/%s/L%d", call.Slug, call.Lines/2),
		"search":     searchPath,
	}
	r.PagePaths = pages
	static := filepath.Join(dir, "static")
	if err := os.MkdirAll(static, 0o755); err != nil {
		return err
	}
	for _, p := range []string{"transcript", "line"} {
		b, err := getOK(ctx, base+pages[p])
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(static, p+".html"), b, 0o644); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: http.FileServer(http.Dir(static)), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Close()
	sbase := "http://" + ln.Addr().String()

	ld := newLoader(o.conns, o.loadTime, o.work)
	r.LoaderName = ld.name
	r.HTTP = map[string]loadResult{}
	for _, run := range []struct{ key, url string }{
		{"transcript", base + pages["transcript"]},
		{"static transcript", sbase + "/transcript.html"},
		{"line", base + pages["line"]},
		{"static line", sbase + "/line.html"},
		{"search", base + pages["search"]},
	} {
		lr, err := ld.load(ctx, run.url)
		if err != nil {
			return err
		}
		r.HTTP[run.key] = lr
		logf("  %-18s %8.0f req/s  p99 %s  errors %d  %d bytes", run.key, lr.RPS, ms(lr.P99), lr.Errors, lr.Bytes)
	}
	logf("user classes over HTTP: /api/v1/search and /search, distinct queries, then repeated")
	timeUserClasses(ctx, base, cmd.Process.Pid, pools, o.httpBudget, r.User, logf)
	for _, cl := range throughputClasses {
		before := procCPU(cmd.Process.Pid)
		lr, err := ld.loadPaths(ctx, base, throughputPathList(pools, cl))
		if err != nil {
			return err
		}
		if lr.Requests > 0 {
			lr.CPU = (procCPU(cmd.Process.Pid) - before) / time.Duration(lr.Requests)
		}
		r.User[cl].Throughput = &lr
		logf("  search page %-18s %8.0f req/s  p50 %s p99 %s  errors %d  %d requests over %d paths",
			cl, lr.RPS, ms(lr.P50), ms(lr.P99), lr.Errors, lr.Requests, lr.Paths)
	}
	m, err := procRSS(cmd.Process.Pid)
	if err != nil {
		return err
	}
	r.BC.ServeRSS, r.BC.ServeHWM, r.BC.ServeAnon, r.BC.ServeFile = m.RSS, m.HWM, m.Anon, m.File
	logf("serve RSS %s (peak %s; anonymous %s, file-backed %s)", mb(m.RSS), mb(m.HWM), mb(m.Anon), mb(m.File))
	return nil
}

// medianCall returns the first call whose size is the median size.
func medianCall(c *corpus) genCall {
	sizes := make([]int, len(c.Calls))
	for i, x := range c.Calls {
		sizes[i] = x.Lines
	}
	slices.Sort(sizes)
	med := sizes[len(sizes)/2]
	for _, x := range c.Calls {
		if x.Lines == med {
			return x
		}
	}
	return c.Calls[0]
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// runGen writes a synthetic archive: `bench gen -lines N DIR`.
func runGen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	lines := fs.Int("lines", 100000, "total lines")
	seed := fs.Uint64("seed", 1, "seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: bench gen [-lines N] [-seed S] DIR")
	}
	c, err := generate(fs.Arg(0), genConfig{Lines: *lines, Seed: *seed})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d calls, %d lines, %s in %s\n", len(c.Calls), c.Lines, mb(c.FileBytes), c.Dir)
	for _, q := range makeQueries(c, *seed) {
		fmt.Fprintf(stdout, "%-24s %s", q.Class, q.text())
		if q.Speaker.ID != "" {
			fmt.Fprintf(stdout, "  speaker=%q", q.Speaker.Name)
		}
		fmt.Fprintln(stdout)
	}
	pools := userPools(c, *seed, 0)
	for _, cl := range userClasses {
		qs := pools[cl]
		fmt.Fprintf(stdout, "pool %-24s %4d distinct, e.g.", cl, len(qs))
		for _, q := range qs[:min(3, len(qs))] {
			fmt.Fprintf(stdout, "  %s", q.path("/search"))
		}
		fmt.Fprintln(stdout)
	}
	return nil
}

func runSQLiteBuild(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("sqlite-build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	transcripts := fs.String("transcripts", "", "transcripts folder")
	db := fs.String("db", "", "database file to create")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *transcripts == "" || *db == "" {
		return errors.New("usage: bench sqlite-build -transcripts DIR -db FILE")
	}
	return sqliteBuild(ctx, *transcripts, *db)
}

// startCPUProfile starts a CPU profile into path; stop ends it.
func startCPUProfile(path string) (stop func() error, err error) {
	if path == "" {
		return func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}

func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}

// snapshot copies the executable src to dst and returns dst.
func snapshot(src, dst string) (string, error) {
	b, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("snapshot %s: %w", src, err)
	}
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		return "", fmt.Errorf("snapshot %s: %w", src, err)
	}
	return dst, nil
}

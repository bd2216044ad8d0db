package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"time"

	webassets "backchannel/web"

	"backchannel/internal/library"
	"backchannel/internal/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--addr 127.0.0.1:8080] [--transcripts DIR] [--data DIR] [--watch | --read-only] [--base-url URL] [--hsts]",
		"Serves the archive. Builds it first when the data folder has no build or\n"+
			"the transcripts changed since it was built; refuses to start on a broken\n"+
			"archive. Follows the data folder: a build swapped in by any process is\n"+
			"served within a second. With --read-only it never builds or writes (a\n"+
			"replica): it serves the data folder's current build, and refuses to\n"+
			"start when there is none.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	addr := fs.String("addr", envOr("BACKCHANNEL_ADDR", "127.0.0.1:8080"), "listen address (env BACKCHANNEL_ADDR)")
	hsts := fs.Bool("hsts", false, "send Strict-Transport-Security (only behind TLS)")
	baseURL := fs.String("base-url", envOr("BACKCHANNEL_BASE_URL", ""), "scheme and host for absolute links in citations, the feed and the sitemap, e.g. https://archive.example.org (default: the request's host; env BACKCHANNEL_BASE_URL)")
	watchFiles := fs.Bool("watch", false, "build again when files in the transcripts folder change")
	readOnly := fs.Bool("read-only", false, "never build or write the data folder: serve its current build and follow it (a replica; --transcripts is not read)")
	staleGrace := fs.Duration("stale-grace", 5*time.Second, "how long the build served may lag behind the data folder, or the data folder be unreadable, before /healthz answers 503")
	metricsAddr := fs.String("metrics-addr", "", "serve /metrics on this address only (e.g. 127.0.0.1:9090); the public address then answers 404 for it")
	readHeader := fs.Duration("read-header-timeout", 5*time.Second, "close connections that have not sent their request headers within this time (at most 10s)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	if *readOnly && *watchFiles {
		return usageError("--watch builds and --read-only never does: give one or the other")
	}
	if *staleGrace < 0 {
		return usageError("--stale-grace must not be negative, got %s", *staleGrace)
	}
	if *readHeader <= 0 || *readHeader > 10*time.Second {
		return usageError("--read-header-timeout must be more than 0 and at most 10s, got %s", *readHeader)
	}
	// Log lines are written in batches, at most logDelay late: one write
	// to stderr per request was an eighth of a cached page's CPU. What is
	// buffered is written on the way out, panics included; only a killed
	// process loses its last lines.
	lw := web.NewLogWriter(stderr, logDelay)
	defer lw.Flush()
	logger := slog.New(slog.NewTextHandler(lw, nil))
	// A soft memory limit bounds the heap (about 80 MB live at a million
	// lines, with lines read from the line store on demand); within it the
	// collector runs four times less often than by default: a search page
	// allocates most of its 5 ms of CPU, and collection was about 15% of it
	// (GOGC=400 measured 20% less CPU per request for 60 MB more heap).
	// GOMEMLIMIT and GOGC override them.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(serveGCPercent)
	}

	// The pages' templates are parsed while the build opens: neither
	// needs the other.
	lib := library.New(dirs.data, logger)
	lib.SetStaleGrace(*staleGrace)
	srvc := make(chan madeServer, 1)
	go func() {
		srv, err := web.NewServer(web.Config{Library: lib, Notes: lib, Health: lib, Metrics: lib, Versions: lib,
			Assets: webassets.FS, Logger: logger, HSTS: *hsts, BaseURL: *baseURL, MetricsPrivate: *metricsAddr != ""})
		srvc <- madeServer{srv, err}
	}()
	var err error
	if *readOnly {
		err = openReadOnly(lib, dirs.data)
	} else {
		err = startLibrary(ctx, lib, dirs, stderr, logger)
	}
	made := <-srvc
	if err == nil {
		err = made.err
	}
	defer lib.Close()
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	go lib.Follow(ctx)
	if *watchFiles {
		lib.SetReady(errors.New("not watching the transcripts folder yet"))
		go func() {
			if err := lib.Watch(ctx, dirs.transcripts, library.IngestOptions{RacyMargin: racyMargin()}); err != nil {
				lib.SetReady(err)
				logger.Error("watch failed", "err", err)
			}
		}()
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			ln.Close()
			return fmt.Errorf("serve: --metrics-addr: %w", err)
		}
		// The metrics address closes with the site, however that ends.
		mctx, stopMetrics := context.WithCancel(ctx)
		metricsDone := make(chan error, 1)
		go func() { metricsDone <- serveUntilDone(mctx, mln, made.srv.MetricsHandler(), *readHeader, logger) }()
		defer func() {
			stopMetrics()
			if err := <-metricsDone; err != nil {
				logger.Error("metrics server", "err", err)
			}
		}()
		logger.Info("metrics", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	calls := len(lib.Archive().Calls)
	logger.Info("listening", "url", "http://"+ln.Addr().String(), "calls", calls)
	lw.Flush() // what start-up said is out before the first request
	fmt.Fprintf(stdout, "Backchannel is serving %s at http://%s\n", plural(calls, "call"), ln.Addr())
	return serveUntilDone(ctx, ln, made.srv.Handler(), *readHeader, logger)
}

// startLibrary makes lib serve the data folder's current build, building
// it first when there is none or the transcripts or notes changed since
// it was built. When another process is building, the transcripts folder
// is missing, or the build fails for a reason that may pass (a full disk),
// it serves the current build and says why (the archive stays online);
// without a current build that is an error. A broken archive is refused,
// every problem printed, and the build already made is not touched.
func startLibrary(ctx context.Context, lib *library.Library, dirs dirFlags, stderr io.Writer, logger *slog.Logger) error {
	start := time.Now()
	res, err := library.Ingest(ctx, dirs.transcripts, dirs.data, library.IngestOptions{Logger: logger, RacyMargin: racyMargin()})
	switch {
	case errors.Is(err, library.ErrLocked):
		logger.Info("another process is making a build; serving the current one", "data", dirs.data)
	case errors.Is(err, library.ErrNoTranscripts) && library.CurrentID(dirs.data) != "":
		// Nothing archived is taken offline by a missing folder.
		logger.Warn("no transcripts to build: serving the current build", "transcripts", dirs.transcripts, "data", dirs.data)
	case library.Transient(err) && library.CurrentID(dirs.data) != "":
		logger.Error("cannot build: serving the current build", "err", err)
		fmt.Fprintf(stderr, "backchannel: serve: cannot build (%v); serving the current build\n", err)
		defer lib.Failed(err)
	case err != nil:
		return fmt.Errorf("%w; the build already made was not touched", reportIngest(stderr, res, err))
	default:
		reportIngest(stderr, res, nil)
	}
	if err == nil && res.Build != nil {
		if !res.Read {
			logger.Info("transcripts unchanged since they were catalogued: not read again",
				"calls", len(res.Archive.Calls), "seconds", time.Since(start).Seconds())
		}
		lib.Swap(res.Build)
		return nil
	}
	if err == nil {
		logger.Info("build made", "calls", len(res.Archive.Calls), "lines", res.Index.Lines,
			"incremental", res.Index.Incremental, "seconds", res.Duration.Seconds())
	}
	if err := lib.Open(); err != nil {
		return fmt.Errorf("open the data folder %s: %w", dirs.data, err)
	}
	return nil
}

// openReadOnly makes lib serve the data folder's current build without
// building or writing anything: a replica reading a folder that another
// process builds (an ingest, a writer's --watch) or a copy of it.
func openReadOnly(lib *library.Library, data string) error {
	if _, err := os.Stat(data); err != nil {
		return fmt.Errorf("--read-only: the data folder %w; make one with `backchannel ingest --data %s`, or copy one there", err, data)
	}
	err := lib.Open()
	if errors.Is(err, library.ErrNoBuild) {
		return fmt.Errorf("--read-only never makes a build, and the data folder %s has none to serve (%w); make one with `backchannel ingest --data %s`, or copy one there", data, err, data)
	}
	if err != nil {
		return fmt.Errorf("--read-only: open the data folder %s: %w", data, err)
	}
	return nil
}

// serveUntilDone serves h on ln until ctx is done, then shuts down
// gracefully: in-flight requests get up to ten seconds to finish.
// readHeader bounds how long a client may take to send its headers
// (slowloris).
func serveUntilDone(ctx context.Context, ln net.Listener, h http.Handler, readHeader time.Duration, logger *slog.Logger) error {
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeader,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	web.ConfigureHTTPServer(srv)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("serve: shutdown: %w", err)
	}
	return nil
}

// Serving defaults: how late a log line may be written, and the soft
// limit of the heap.
const (
	logDelay         = 100 * time.Millisecond
	serveMemoryLimit = 256 << 20
	serveGCPercent   = 400
)

// madeServer is what web.NewServer returned.
type madeServer struct {
	srv *web.Server
	err error
}

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

	"backchannel/internal/index"
	"backchannel/internal/transcript"
	"backchannel/internal/web"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("serve", "[--addr 127.0.0.1:8080] [--transcripts DIR] [--data DIR] [--watch] [--base-url URL] [--hsts]",
		"Serves the archive. Builds the index first when there is none or the\n"+
			"transcripts changed since it was built. Refuses to start on a broken archive.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	addr := fs.String("addr", envOr("BACKCHANNEL_ADDR", "127.0.0.1:8080"), "listen address (env BACKCHANNEL_ADDR)")
	hsts := fs.Bool("hsts", false, "send Strict-Transport-Security (only behind TLS)")
	baseURL := fs.String("base-url", envOr("BACKCHANNEL_BASE_URL", ""), "scheme and host for absolute links in citations, the feed and the sitemap, e.g. https://archive.example.org (default: the request's host; env BACKCHANNEL_BASE_URL)")
	watchFiles := fs.Bool("watch", false, "re-ingest when files in the transcripts folder change")
	readHeader := fs.Duration("read-header-timeout", 5*time.Second, "close connections that have not sent their request headers within this time (at most 10s)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("serve takes no arguments, got %q", fs.Args())
	}
	if *readHeader <= 0 || *readHeader > 10*time.Second {
		return usageError("--read-header-timeout must be more than 0 and at most 10s, got %s", *readHeader)
	}
	// Log lines are written in batches, at most logDelay late: one write
	// to stderr per request was an eighth of a cached page's CPU (issue
	// 6). What is buffered is written on the way out, panics included;
	// only a killed process loses its last lines.
	lw := web.NewLogWriter(stderr, logDelay)
	defer lw.Flush()
	logger := slog.New(slog.NewTextHandler(lw, nil))
	// A soft memory limit keeps the heap near its live size (about 100 MB
	// at a million lines, with lines read on demand) instead of letting it
	// grow to twice that between collections; GOMEMLIMIT overrides it.
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(serveMemoryLimit)
	}

	// The pages' templates are parsed while the archive and index open:
	// neither needs the other.
	lib := &library{dataDir: dirs.data}
	srvc := make(chan madeServer, 1)
	go func() {
		srv, err := web.NewServer(web.Config{Library: lib, Assets: webassets.FS, Logger: logger, HSTS: *hsts, BaseURL: *baseURL})
		srvc <- madeServer{srv, err}
	}()

	// When the catalog in the data folder still describes every transcript
	// file and the index was built from them, nothing is read or hashed:
	// the server starts at once and reads a call's lines when a page needs
	// them. Otherwise the transcripts are read and checked as always.
	opened := openFromCatalog(dirs.transcripts, dirs.data, logger)
	var (
		a        *transcript.Archive
		cat      *transcript.Catalog
		idx      *index.Index
		snap     *transcript.Snapshot
		problems transcript.Problems
	)
	if opened != nil {
		a, cat, idx = opened.archive, opened.catalog, opened.index
		for _, p := range cat.Warnings {
			fmt.Fprintln(stderr, p.String())
		}
	} else {
		snap = transcript.TakeSnapshot(dirs.transcripts)
		var err error
		a, problems, err = readArchive(dirs.transcripts, false, stderr)
		if err != nil {
			return fmt.Errorf("serve: %w; the index already built was not touched", err)
		}
	}
	// The server is made first: a bad flag or template fails before the
	// index is built.
	made := <-srvc
	srv, err := made.srv, made.err
	if err != nil {
		if idx != nil {
			idx.Close()
		}
		return fmt.Errorf("serve: %w", err)
	}
	if idx == nil {
		if idx, err = openFresh(ctx, dirs.data, a, logger); err != nil {
			return err
		}
		a, cat = catalogue(snap, a, problems, dirs.data, logger)
		releaseParsed(cat)
	}
	if opened != nil {
		lib.swapNoted(a, cat, idx, opened.notes)
	} else {
		lib.swap(a, cat, idx)
	}
	defer lib.close()
	logNotesProblems(logger, lib)
	if *watchFiles {
		lib.setReady(errors.New("not watching the transcripts folder yet"))
		go func() {
			if err := watch(ctx, dirs.transcripts, dirs.data, lib, logger); err != nil {
				lib.setReady(err)
				logger.Error("watch failed", "err", err)
			}
		}()
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	logger.Info("listening", "url", "http://"+ln.Addr().String(), "calls", len(a.Calls))
	lw.Flush() // what start-up said is out before the first request
	fmt.Fprintf(stdout, "Backchannel is serving %s at http://%s\n", plural(len(a.Calls), "call"), ln.Addr())
	return serveUntilDone(ctx, ln, srv.Handler(), *readHeader, logger)
}

// openFresh opens the index in dataDir, building it first when there is none,
// when it was built from other transcripts or another schema, or when it
// cannot be opened (the transcripts are the source of truth).
func openFresh(ctx context.Context, dataDir string, a *transcript.Archive, logger *slog.Logger) (*index.Index, error) {
	idx, err := index.Open(dataDir)
	switch {
	case err == nil && idx.Matches(a):
		return idx, nil
	case err == nil:
		idx.Close()
		logger.Info("transcripts changed since the index was built; rebuilding", "data", dataDir)
	case errors.Is(err, index.ErrNoIndex):
		logger.Info("no index yet; building it", "data", dataDir)
	case errors.Is(err, index.ErrLocked):
		return nil, fmt.Errorf("serve: the index in %s is locked by another process: %w", dataDir, err)
	default:
		logger.Warn("index cannot be opened; rebuilding it from the transcripts", "data", dataDir, "err", err)
	}
	stats, err := index.Build(ctx, dataDir, a, index.BuildOptions{Logger: logger})
	if err != nil {
		return nil, fmt.Errorf("serve: build index: %w", err)
	}
	logger.Info("index built", "calls", stats.Calls, "lines", stats.Lines, "seconds", stats.Duration.Seconds())
	idx, err = index.Open(dataDir)
	if err != nil {
		return nil, fmt.Errorf("serve: open index: %w", err)
	}
	return idx, nil
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
)

// madeServer is what web.NewServer returned.
type madeServer struct {
	srv *web.Server
	err error
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"backchannel/internal/library"
	"backchannel/internal/web"
	webassets "backchannel/web"
)

// runServe serves the product's pages from an existing index, in this
// process, so that the server can be CPU-profiled under load:
// `bench serve -addr A -transcripts DIR -data DIR -cpuprofile FILE`.
// It stops on SIGTERM or SIGINT and then writes the profile.
func runServe(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	fs.String("transcripts", "", "ignored: the build in -data holds everything served")
	data := fs.String("data", "", "data folder with a build")
	cpu := fs.String("cpuprofile", "", "write a CPU profile here, from the first request to shutdown")
	heap := fs.String("memprofile", "", "write a heap profile here at shutdown")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *data == "" {
		return errors.New("usage: bench serve -addr A -data DIR [-cpuprofile FILE]")
	}
	// The data folder's current build, as backchannel serve opens it.
	lib := library.New(*data, nil)
	if err := lib.Open(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer lib.Close()
	srv, err := web.NewServer(web.Config{Library: lib, Notes: lib, Health: lib, Metrics: lib, Versions: lib, Assets: webassets.FS,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}) // formats each line as serve does
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	stop, err := startCPUProfile(*cpu)
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	hs.Shutdown(sctx)
	if err := stop(); err != nil {
		return err
	}
	if *heap != "" {
		return writeHeapProfile(*heap)
	}
	return nil
}

// profileHTTP runs `bench serve` with a CPU profile under the same load as
// the real server got, for the pages and the search page, then asks each
// user class's distinct queries (for at most 2s per class and endpoint),
// and writes a heap profile of the serving process at the end.
func profileHTTP(ctx context.Context, o options, lines int, transcripts, data string, paths []string, pools map[userClass][]userQuery, logf func(string, ...any)) error {
	self := o.self
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cpu := filepath.Join(o.profile, fmt.Sprintf("%d-serve.cpu.pprof", lines))
	heap := filepath.Join(o.profile, fmt.Sprintf("%d-serve.heap.pprof", lines))
	cmd := exec.Command(self, "serve", "-addr", addr, "-transcripts", transcripts, "-data", data, "-cpuprofile", cpu, "-memprofile", heap)
	var log strings.Builder
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	base := "http://" + addr
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := getOK(ctx, base+paths[0]); err == nil {
			break
		} else if time.Now().After(deadline) {
			return fmt.Errorf("bench serve never answered: %v\n%s", err, tail(log.String(), 2000))
		}
		time.Sleep(5 * time.Millisecond)
	}
	ld := newLoader(o.conns, o.loadTime, o.work)
	for _, p := range paths {
		lr, err := ld.load(ctx, base+p)
		if err != nil {
			return err
		}
		logf("  profiled %-40s %8.0f req/s  p99 %s", p, lr.RPS, ms(lr.P99))
	}
	// The user classes' distinct queries, new to this process, one at a
	// time as they were timed against backchannel serve.
	timeUserClasses(ctx, base, cmd.Process.Pid, pools, min(o.httpBudget, 2*time.Second), map[userClass]*userResult{}, logf)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("bench serve: %w\n%s", err, tail(log.String(), 2000))
	}
	logf("serve profiles in %s and %s", cpu, heap)
	return nil
}

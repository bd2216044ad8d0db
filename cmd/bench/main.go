// Command bench measures Backchannel on a synthetic archive, side by side
// with SQLite FTS5, a grep scan of the raw files and a static file server,
// in one run on the same corpus and query list (issue 6).
//
// Usage:
//
//	bench [-sizes 100000,1000000] [-seed 1] [-work DIR] [-backchannel BIN]
//	      [-results cmd/bench/RESULTS.md] [-profile DIR]
//	bench gen [-lines N] [-seed S] DIR
//	bench search -data DIR -lines N [-db FILE] [-class NAME]   (classes alone, on a kept run)
//	bench http -base URL -lines N [-budget D] [-class NAME]    (user classes over HTTP alone)
//
// It is a separate binary so that the product does not carry SQLite.
// Everything runs on loopback in a temporary folder and is bounded in time.
// The ingest and the server run as child processes (the real
// `backchannel ingest` and `backchannel serve`), so that their peak and
// serving RSS are theirs alone; search latency is measured in-process
// through index.Open and Search.
//
// Internal subcommands, run by bench itself as child processes:
//
//	bench sqlite-build -transcripts DIR -db FILE
//	bench ingest -transcripts DIR -data DIR [-cpuprofile FILE]
//	bench serve -addr A -transcripts DIR -data DIR [-cpuprofile FILE]
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// run is main without os.Exit.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "gen":
			return runGen(args[1:], stdout, stderr)
		case "sqlite-build":
			return runSQLiteBuild(ctx, args[1:], stderr)
		case "ingest":
			return runIngest(ctx, args[1:], stderr)
		case "serve":
			return runServe(ctx, args[1:], stderr)
		case "search":
			return runSearch(ctx, args[1:], stdout, stderr)
		case "http":
			return runHTTP(ctx, args[1:], stderr)
		case "quotes":
			return runQuotes(ctx, args[1:], stdout, stderr)
		}
	}
	return runBench(ctx, args, stdout, stderr)
}

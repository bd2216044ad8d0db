// Backchannel is a web archive of leaked call transcripts with full-text
// search.
//
// Usage:
//
//	backchannel serve  [--addr 127.0.0.1:8080] [--transcripts ./transcripts] [--data ./data]
//	backchannel ingest [--transcripts DIR] [--data DIR] [--skip-bad] [--rebuild]
//	backchannel check  PATH...
//	backchannel search [--data DIR] [--speaker S] [--json] QUERY...
//	backchannel export --format sqlite|ndjson|csv|site --out FILE|DIR [--force] [--base-url URL]
//	backchannel verify DIR
//
// Flags may also come from BACKCHANNEL_ADDR, BACKCHANNEL_TRANSCRIPTS and
// BACKCHANNEL_DATA; a flag wins over the environment. Each command takes
// --help.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(exitCode(err, os.Stderr))
}

// exitCode reports err on stderr (once) and maps it to a process exit code:
// 0 for success, 2 for usage errors and --help, 1 otherwise.
func exitCode(err error, stderr *os.File) int {
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "backchannel:", err)
		return 2
	case errors.Is(err, errReported):
		return 1
	default:
		fmt.Fprintln(stderr, "backchannel:", err)
		return 1
	}
}

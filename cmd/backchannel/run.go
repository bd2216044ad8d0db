package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// errUsage marks an error in the command line itself.
var errUsage = errors.New("usage")

// errReported marks a failure whose details were already printed (for
// example every problem found by check); main only sets the exit code.
var errReported = errors.New("failed (reported above)")

func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s (run 'backchannel --help')", errUsage, fmt.Sprintf(format, args...))
}

const usage = `Backchannel: a web archive of leaked call transcripts with full-text search.

Usage:
  backchannel serve  [--addr 127.0.0.1:8080] [--transcripts ./transcripts] [--data ./data]
  backchannel ingest [--transcripts DIR] [--data DIR] [--skip-bad] [--rebuild]
  backchannel check  PATH...
  backchannel search [--data DIR] [--speaker S] [--json] QUERY...
  backchannel export --format sqlite|ndjson|csv|site --out FILE|DIR [--force] [--base-url URL]
  backchannel verify DIR
  backchannel version

Flags may also come from BACKCHANNEL_ADDR, BACKCHANNEL_TRANSCRIPTS and
BACKCHANNEL_DATA; a flag wins over the environment. 'backchannel COMMAND --help'
describes a command.
`

// run is main without os.Exit, so tests can call it.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return usageError("missing command")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "ingest":
		return runIngest(ctx, rest, stdout, stderr)
	case "check":
		return runCheck(ctx, rest, stdout, stderr)
	case "search":
		return runSearch(ctx, rest, stdout, stderr)
	case "export":
		return runExport(ctx, rest, stdout, stderr)
	case "verify":
		return runVerify(ctx, rest, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "backchannel", version)
		return nil
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		return usageError("unknown command %q", cmd)
	}
}

// newFlagSet returns a flag set that prints its usage to stderr with a
// one-line synopsis and description.
func newFlagSet(name, synopsis, description string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: backchannel %s %s\n\n%s\n\nFlags:\n", name, synopsis, description)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args with fs, mapping a bad flag to a usage error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %s %v", errUsage, fs.Name(), err)
	}
	return nil
}

// envOr returns the environment variable key, or def when it is unset or empty.
func envOr(key, def string) string {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v
	}
	return def
}

// racyMargin is how recent a change to a transcript may be before a
// build does not trust its state (library.IngestOptions.RacyMargin):
// BACKCHANNEL_RACY_MARGIN, a Go duration, lets tests, whose files are
// always new, trust them ("0") instead of waiting two seconds. Unset or
// unreadable: the default.
func racyMargin() time.Duration {
	d, err := time.ParseDuration(os.Getenv("BACKCHANNEL_RACY_MARGIN"))
	switch {
	case err != nil || d < 0:
		return 0
	case d == 0:
		return -1
	}
	return d
}

// dirFlags are the --transcripts and --data flags shared by several commands.
type dirFlags struct {
	transcripts string
	data        string
}

func (d *dirFlags) register(fs *flag.FlagSet, withTranscripts bool) {
	if withTranscripts {
		fs.StringVar(&d.transcripts, "transcripts", envOr("BACKCHANNEL_TRANSCRIPTS", "./transcripts"),
			"folder of transcript files (env BACKCHANNEL_TRANSCRIPTS)")
	}
	fs.StringVar(&d.data, "data", envOr("BACKCHANNEL_DATA", "./data"),
		"folder for the search index (env BACKCHANNEL_DATA)")
}

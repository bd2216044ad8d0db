package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"backchannel/internal/library"
	"backchannel/internal/transcript"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", "[--transcripts DIR] [--data DIR] [--skip-bad] [--rebuild]",
		"Builds the transcripts folder into a new build of the data folder (search\n"+
			"index, line store, catalog and notes), verifies it and swaps it in whole:\n"+
			"every running server follows within a second. A failed or interrupted\n"+
			"ingest leaves the current build exactly as it was.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	skipBad := fs.Bool("skip-bad", false, "build the good files instead of refusing them all: a bad file already archived keeps its archived version, a new one is left out")
	rebuild := fs.Bool("rebuild", false, "read every transcript and re-index every call, not only the ones that changed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("ingest takes no arguments, got %q", fs.Args())
	}
	// The summary line says what was built; the log only has what went wrong.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	res, err := library.Ingest(ctx, dirs.transcripts, dirs.data, library.IngestOptions{
		Logger: logger, Progress: newProgress(stderr), Rebuild: *rebuild, SkipBad: *skipBad, RacyMargin: racyMargin()})
	if err := reportIngest(stderr, res, err); err != nil {
		return fmt.Errorf("ingest %s: %w", dirs.transcripts, err)
	}
	how := "full build"
	switch {
	case res.Unchanged:
		how = "unchanged: the current build holds these transcripts and notes"
	case res.Index.Incremental:
		how = fmt.Sprintf("incremental: %s re-indexed, %d removed", plural(res.Index.Indexed, "line"), res.Index.Deleted)
	}
	lines := 0
	for _, c := range res.Archive.Calls {
		lines += res.Archive.LineCount(c)
	}
	fmt.Fprintf(stdout, "indexed %s, %s, %s in %.2fs into %s (%s)\n",
		plural(len(res.Archive.Calls), "call"), plural(lines, "line"), plural(len(res.Archive.Speakers()), "speaker"),
		res.Duration.Seconds(), dirs.data, how)
	return nil
}

// reportIngest prints the problems an ingest found (every one, errors
// first when it refused the archive) and returns its error.
func reportIngest(w io.Writer, res *library.IngestResult, err error) error {
	var bad *library.BadArchiveError
	if errors.As(err, &bad) {
		printProblems(w, bad.Problems)
		return err
	}
	if res != nil {
		printProblems(w, res.Problems)
		if len(res.Kept) > 0 {
			fmt.Fprintf(w, "keeping the archived version of %s: %v\n", plural(len(res.Kept), "bad file"), res.Kept)
		}
		if len(res.Skipped) > 0 {
			fmt.Fprintf(w, "skipping %s: %v\n", plural(len(res.Skipped), "bad file"), res.Skipped)
		}
	}
	return err
}

func printProblems(w io.Writer, ps transcript.Problems) {
	for _, p := range ps {
		fmt.Fprintln(w, p.String())
	}
}

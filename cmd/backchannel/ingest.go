package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

func runIngest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ingest", "[--transcripts DIR] [--data DIR] [--skip-bad] [--rebuild]",
		"Builds the search index from the transcripts folder. The new index is built\n"+
			"beside the live one and swapped in only when complete: a failed or\n"+
			"interrupted ingest leaves the previous index exactly as it was.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	skipBad := fs.Bool("skip-bad", false, "index the good files and list the bad ones, instead of refusing them all")
	rebuild := fs.Bool("rebuild", false, "re-index every call, not only the ones that changed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("ingest takes no arguments, got %q", fs.Args())
	}
	// The summary line says what was built; the log only has what went wrong.
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The files' state is taken before they are read: a file written
	// while they are read then differs from the catalog (see catalogue).
	snap := transcript.TakeSnapshot(dirs.transcripts)
	a, problems, err := readArchive(dirs.transcripts, *skipBad, stderr)
	if err != nil {
		return err
	}
	start := time.Now()
	stats, err := index.Build(ctx, dirs.data, a, index.BuildOptions{Logger: logger, Progress: newProgress(stderr), Rebuild: *rebuild})
	if err != nil {
		return fmt.Errorf("ingest %s: %w", dirs.transcripts, err)
	}
	catalogue(snap, a, problems, dirs.data, logger)
	how := "full build"
	if stats.Incremental {
		how = fmt.Sprintf("incremental: %s re-indexed, %d removed", plural(stats.Indexed, "line"), stats.Deleted)
	}
	fmt.Fprintf(stdout, "indexed %s, %s, %s in %.2fs into %s (%s)\n",
		plural(stats.Calls, "call"), plural(stats.Lines, "line"), plural(len(a.Speakers()), "speaker"),
		time.Since(start).Seconds(), dirs.data, how)
	return nil
}

// loadArchive reads every transcript in dir and prints its problems on w.
// With errors it fails, unless skipBad, in which case the good files are
// returned and the bad ones listed.
func loadArchive(dir string, skipBad bool, w io.Writer) (*transcript.Archive, error) {
	a, _, err := readArchive(dir, skipBad, w)
	return a, err
}

// readArchive is loadArchive that also returns the problems printed. The
// archive keeps no lines in memory: the index build and the pages read a
// call's lines from its file when they need them (a million lines would
// be about 300 MB).
func readArchive(dir string, skipBad bool, w io.Writer) (*transcript.Archive, transcript.Problems, error) {
	a, problems := transcript.LoadDirLazy(dir, lineCacheBytes)
	for _, p := range problems {
		fmt.Fprintln(w, p.String())
	}
	if problems.HasErrors() {
		bad := badFiles(problems)
		if !skipBad || a == nil {
			return nil, problems, fmt.Errorf("%s in %s: fix them (or use --skip-bad to leave those files out)",
				plural(len(bad), "bad file"), dir)
		}
		fmt.Fprintf(w, "skipping %s: %v\n", plural(len(bad), "bad file"), bad)
	}
	if a == nil || len(a.Calls) == 0 {
		return nil, problems, fmt.Errorf("no transcripts found in %s", dir)
	}
	return a, problems, nil
}

func badFiles(ps transcript.Problems) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if p.Severity == transcript.Error && !seen[p.Path] {
			seen[p.Path] = true
			out = append(out, p.Path)
		}
	}
	return out
}

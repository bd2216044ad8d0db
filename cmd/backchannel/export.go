package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"backchannel/internal/annotate"
	"backchannel/internal/export"
	"backchannel/internal/transcript"
	"backchannel/internal/web"
)

// exportLineCacheBytes bounds the lines the export's archive keeps once
// read, when it comes from the catalog.
const exportLineCacheBytes = 1 << 20

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "--format sqlite|ndjson|csv --out FILE [--force] [--transcripts DIR] [--data DIR]",
		"Writes every call, participant, line and editorial note of the archive to one\n"+
			"file: a SQLite database (tables calls, participants, lines, notes, and\n"+
			"lines_fts, an FTS5 index of the lines), NDJSON (one call per line, as\n"+
			"/api/v1/calls/{slug} gives it) or CSV (one table; see the README). The file\n"+
			"is written under a temporary name and renamed when complete; an existing\n"+
			"FILE is only replaced with --force.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	format := fs.String("format", "", "sqlite, ndjson or csv")
	out := fs.String("out", "", "the file to write")
	force := fs.Bool("force", false, "replace FILE if it exists")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("export takes no arguments besides its flags (got %q)", strings.Join(fs.Args(), " "))
	}
	if *format == "" || *out == "" {
		return usageError("export needs --format (sqlite, ndjson or csv) and --out FILE")
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usageError("%v", err)
	}
	start := time.Now()
	// The archive as catalogued when no file changed since, as search
	// does, else read from the transcripts; either way its lines are read
	// from the files a call at a time.
	// Each call is read once, so the archive gets a small line cache:
	// the default would hold 32 MB of lines the export is done with
	// (counted twice by the garbage collector).
	var a *transcript.Archive
	if _, cat := catalogArchive(dirs.transcripts, dirs.data, slog.New(slog.DiscardHandler)); cat != nil {
		a = cat.Archive(exportLineCacheBytes)
	} else {
		var problems transcript.Problems
		a, problems = transcript.LoadDirLazy(dirs.transcripts, exportLineCacheBytes)
		for _, p := range problems {
			fmt.Fprintln(stderr, p.String())
		}
		if problems.HasErrors() {
			return fmt.Errorf("export: %s in %s: fix them first ('backchannel check' lists them)", plural(len(badFiles(problems)), "bad file"), dirs.transcripts)
		}
		if a == nil || len(a.Calls) == 0 {
			return fmt.Errorf("export: no transcripts found in %s", dirs.transcripts)
		}
	}
	notes, problems := loadNotes(a)
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "note: %s in the editorial notes (run 'backchannel check'); exported as read\n",
			plural(len(problems), "problem"))
	}
	src := export.Source{
		Archive: a,
		Notes:   func(slug string) *annotate.Notes { return notes[slug] },
		Record:  func(c *transcript.Call, ns *annotate.Notes) any { return web.CallJSON(a, c, ns) },
	}
	if err := export.ToFile(ctx, f, *out, *force, src); err != nil {
		if errors.Is(err, export.ErrExists) {
			return fmt.Errorf("export: %w", err)
		}
		return err
	}
	lines := 0
	for _, c := range a.Calls {
		lines += a.LineCount(c)
	}
	fmt.Fprintf(stdout, "exported %s and %s to %s (%s) in %s\n", plural(len(a.Calls), "call"), plural(lines, "line"),
		*out, f, time.Since(start).Round(time.Millisecond))
	return nil
}

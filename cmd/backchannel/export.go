package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"backchannel/internal/annotate"
	"backchannel/internal/export"
	"backchannel/internal/export/sqlite"
	"backchannel/internal/library"
	"backchannel/internal/transcript"
	"backchannel/internal/web"
)

// exportLineCacheBytes bounds the lines the export's archive keeps once
// read.
const exportLineCacheBytes = 1 << 20

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", "--format sqlite|ndjson|csv|site --out FILE|DIR [--force] [--base-url URL] [--transcripts DIR] [--data DIR]",
		"Writes every call, participant, line and editorial note of the archive to one\n"+
			"file: a SQLite database (tables calls, participants, lines, notes, and\n"+
			"lines_fts, an FTS5 index of the lines), NDJSON (one call per line, as\n"+
			"/api/v1/calls/{slug} gives it) or CSV (one table; see the README). The file\n"+
			"is written under a temporary name and renamed when complete; an existing\n"+
			"FILE is only replaced with --force.\n\n"+
			"--format site writes the folder DIR: a static mirror of the whole site (every\n"+
			"page, a page per line, downloads, feed, sitemap, the API's JSON, and a search\n"+
			"that runs in the browser) with the transcript files, as a BagIt bag that\n"+
			"'backchannel verify DIR' checks. Serve DIR/data with any static file server,\n"+
			"or open DIR/data/index.html. A DIR that holds anything is only replaced\n"+
			"with --force.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	format := fs.String("format", "", "sqlite, ndjson, csv or site")
	out := fs.String("out", "", "the file to write (site: the folder)")
	force := fs.Bool("force", false, "replace FILE if it exists (site: DIR if it holds anything)")
	baseURL := fs.String("base-url", envOr("BACKCHANNEL_BASE_URL", ""), "site: the archive's public address, e.g. https://archive.example.org, for citations, the feed and the sitemap (env BACKCHANNEL_BASE_URL)")
	name := fs.String("name", "Backchannel", "site: the archive's name in the bag's bag-info.txt")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("export takes no arguments besides its flags (got %q)", strings.Join(fs.Args(), " "))
	}
	if *format == "" || *out == "" {
		return usageError("export needs --format (sqlite, ndjson, csv or site) and --out FILE")
	}
	f, err := export.ParseFormat(*format)
	if err != nil {
		return usageError("%v", err)
	}
	if f == export.Site {
		return runExportSite(ctx, dirs, siteFlags{out: *out, force: *force, baseURL: *baseURL, name: *name}, stdout, stderr)
	}
	start := time.Now()
	// The data folder's current build, as serve shows it. Each call is
	// read once, so its archive gets a small line cache: the default
	// would hold 32 MB of lines the export is done with (counted twice by
	// the garbage collector).
	b, err := library.OpenCurrent(dirs.data)
	if errors.Is(err, library.ErrNoBuild) {
		return fmt.Errorf("export: no build in %s: run 'backchannel ingest' first", dirs.data)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer b.Close()
	if behind := b.Behind(dirs.transcripts); behind != nil {
		fmt.Fprintf(stderr, "note: %v; exporting the build in %s as it is\n", behind, dirs.data)
	}
	a := b.ArchiveWithCache(exportLineCacheBytes)
	notes := b.Notes
	src := export.Source{
		Archive: a,
		Notes:   func(slug string) *annotate.Notes { return notes[slug] },
		Record:  func(c *transcript.Call, ns *annotate.Notes) any { return web.CallJSON(a, c, ns) },
	}
	write := map[export.Format]export.FileWriter{
		export.SQLite: sqlite.Write,
		export.NDJSON: export.Stream(export.WriteNDJSON),
		export.CSV:    export.Stream(export.WriteCSV),
	}[f]
	if err := export.ToFile(ctx, *out, *force, src, write); err != nil {
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

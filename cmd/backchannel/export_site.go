package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	webassets "backchannel/web"

	"backchannel/internal/annotate"
	"backchannel/internal/bagit"
	"backchannel/internal/library"
	"backchannel/internal/mirror"
	"backchannel/internal/transcript"
	"backchannel/internal/web"
)

// siteFlags are export's flags for --format site.
type siteFlags struct {
	out     string
	force   bool
	baseURL string
	name    string
}

// runExportSite writes the static mirror of the data folder's current
// build: the pages rendered by the same web.Server serve runs, with the
// transcript files the build was made from.
func runExportSite(ctx context.Context, dirs dirFlags, sf siteFlags, stdout, stderr io.Writer) error {
	if sf.baseURL == "" {
		return usageError("export --format site needs the archive's public address for citations, the feed and the sitemap: " +
			"--base-url https://archive.example.org (or BACKCHANNEL_BASE_URL)")
	}
	if u, err := url.Parse(sf.baseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return usageError("--base-url must be an http or https address without a path, e.g. https://archive.example.org (got %q)", sf.baseURL)
	}
	base := strings.TrimRight(sf.baseURL, "/")
	start := time.Now()
	b, err := library.OpenCurrent(dirs.data)
	if errors.Is(err, library.ErrNoBuild) {
		return fmt.Errorf("export: no build in %s: run 'backchannel ingest' first", dirs.data)
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	lib := library.New(dirs.data, nil)
	lib.Swap(b)
	defer lib.Close()
	if behind := b.Behind(dirs.transcripts); behind != nil {
		fmt.Fprintf(stderr, "note: %v; exporting the build in %s as it is\n", behind, dirs.data)
	}
	srv, err := web.NewServer(web.Config{Library: lib, Notes: lib, Versions: lib, Assets: webassets.FS, BaseURL: base, NoPageCache: true})
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	a := b.Archive
	now := time.Now()
	opts := mirror.Options{
		Handler: srv.Handler(),
		Archive: a,
		History: func(slug string) []transcript.Version { return lib.History(a, slug) },
		BaseURL: base,
		Sources: buildSources(b),
		Info: []bagit.Field{
			{Label: "Archive-Name", Value: sf.name},
			{Label: "Source", Value: base},
			{Label: "External-Identifier", Value: base + "/"},
			{Label: "External-Description", Value: fmt.Sprintf("A static mirror of %s (%s): every page, line and download, "+
				"and under data/transcripts/ the transcript files it was built from, byte for byte.", sf.name, base)},
			{Label: "Export-Date", Value: now.UTC().Format(time.RFC3339)},
			{Label: "Source-Build", Value: b.ID()},
			{Label: "Bag-Software-Agent", Value: "backchannel " + version},
		},
		Now: now,
	}
	st, err := mirror.Export(ctx, sf.out, sf.force, opts)
	if err != nil {
		if errors.Is(err, mirror.ErrExists) || errors.Is(err, mirror.ErrSourceChanged) {
			return fmt.Errorf("export: %w", err)
		}
		return err
	}
	lines := 0
	for _, c := range a.Calls {
		lines += a.LineCount(c)
	}
	fmt.Fprintf(stdout, "exported %s and %s to %s (site: %s, %s, %s) in %s; check it with 'backchannel verify %s'\n",
		plural(len(a.Calls), "call"), plural(lines, "line"), sf.out, plural(int(st.Pages), "page"), plural(int(st.Files), "file"),
		humanBytes(st.Bytes), time.Since(start).Round(time.Millisecond), sf.out)
	return nil
}

// buildSources are the files the build was made from: each call's
// transcript file, from the line store, which keeps each file's bytes by
// their digest (or, for a build made before it did, from where the build
// read it, and only if it still has the digest the build recorded), and
// each notes file as the build keeps it; and the files of the calls'
// older versions that the line store keeps.
func buildSources(b *library.Build) []mirror.Source {
	name := func(p string) string {
		rel, err := filepath.Rel(b.Info.Transcripts, p)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			rel = filepath.Base(p)
		}
		return filepath.ToSlash(rel)
	}
	fromStore := func(sum string) func() (io.ReadCloser, error) {
		return func() (io.ReadCloser, error) {
			data, err := b.Store.Source(sum)
			if err != nil {
				return nil, err
			}
			return io.NopCloser(bytes.NewReader(data)), nil
		}
	}
	var out []mirror.Source
	for _, c := range b.Archive.Calls {
		src := mirror.Source{Name: name(c.Path), Path: c.Path, SHA256: c.SHA256}
		if b.Store.HasSource(c.SHA256) {
			src.Open = fromStore(c.SHA256)
		}
		out = append(out, src)
		// The files of its older versions, whose pinned pages the mirror
		// has, when the store keeps them: versions/{slug}@{version}.md.
		current := transcript.VersionName(c.SHA256)
		for _, v := range b.History(c.Slug) {
			if v.Name != current && b.Store.HasSource(v.SHA256) {
				out = append(out, mirror.Source{Name: "versions/" + c.Slug + "@" + v.Name + filepath.Ext(c.Path),
					Path: "the line store's copy of " + c.Slug + "@" + v.Name, SHA256: v.SHA256, Open: fromStore(v.SHA256)})
			}
		}
	}
	for _, nf := range b.Info.Notes {
		// The build's copy of the notes file (library's layout: notes/ in
		// the build folder) has the digest the build recorded.
		out = append(out, mirror.Source{Name: name(nf.Source), Path: filepath.Join(b.Dir, "notes", nf.Slug+annotate.Suffix), SHA256: nf.SHA256})
	}
	return out
}

// humanBytes is a size for people.
func humanBytes(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d bytes", n)
}

package library

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// Fictional calls: fictional people saying fictional things.
const (
	ferryCall = "---\ntitle: Fictional call about a ferry\ndate: 2024-03-02\nparticipants:\n  - id: mara-harlow\n    name: Mara Harlow\n    labels: [MH]\n  - id: otto-brandt\n    name: Otto Brandt\n    labels: [OB]\n---\n\nMH: The ferry leaves at ten.\n\nOB: Then we wait on the pier.\n\n[horn sounds]\n\nMH: Bring the lantern.\n"
	pierCall  = "---\ntitle: Another fictional call\ndate: 2024-03-03\nparticipants:\n  - id: mara-harlow\n    name: Mara Harlow\n    labels: [MH]\n---\n\nMH: The pier is closed for the storm.\n"
	ferryNote = "## L1 \"at ten\"\n\nThe first ferry.\n\n## L2 \"at the station\"\n\nNot what was said.\n"
)

// archiveDir writes files into a new transcripts folder.
func archiveDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		write(t, filepath.Join(dir, name), text)
	}
	return dir
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// newFiles makes a build trust the state of files just written (tests
// never wait out transcript.RacyMargin).
const newFiles = -1

func mustIngest(t *testing.T, transcripts, data string, opts IngestOptions) *IngestResult {
	t.Helper()
	opts.RacyMargin = newFiles
	res, err := Ingest(t.Context(), transcripts, data, opts)
	if err != nil {
		t.Fatalf("Ingest: %v", err)
	}
	if res.Build != nil {
		res.Build.Close()
	}
	return res
}

func mustOpen(t *testing.T, data string) *Build {
	t.Helper()
	b, err := OpenCurrent(data)
	if err != nil {
		t.Fatalf("OpenCurrent: %v", err)
	}
	t.Cleanup(func() { b.Close() })
	return b
}

// texts lists a call's lines as "speaker: text".
func texts(t *testing.T, a *transcript.Archive, slug string) []string {
	t.Helper()
	c, ok := a.Call(slug)
	if !ok {
		t.Fatalf("no call %s", slug)
	}
	full, err := a.WithLines(c)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range full.Lines {
		out = append(out, l.Speaker+": "+l.Text)
	}
	return out
}

// A build holds everything a page shows: with the transcripts folder gone,
// every call's lines, a range of them, its header, the notes and search
// answer as they did.
func TestBuild_ServesWithoutTranscripts(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall, "2024-03-03-pier.md": pierCall, "2024-03-02-ferry.notes.md": ferryNote})
	data := t.TempDir()
	mustIngest(t, dir, data, IngestOptions{})
	want, _ := transcript.LoadDir(dir)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	b := mustOpen(t, data)
	for _, wc := range want.Calls {
		c, ok := b.Archive.Call(wc.Slug)
		if !ok {
			t.Fatalf("no call %s in the build", wc.Slug)
		}
		full, err := b.Archive.WithLines(c)
		if err != nil {
			t.Fatal(err)
		}
		got, w := *full, *wc
		got.Path, w.Path = "", ""
		if diff := cmp.Diff(w, got); diff != "" {
			t.Errorf("%s from the build (-read from the file +build):\n%s", wc.Slug, diff)
		}
		lines, err := b.Archive.LineRange(c, 2, 3)
		if err != nil || len(wc.Lines) >= 3 && !cmp.Equal(lines, wc.Lines[1:3]) {
			t.Errorf("%s lines 2-3: %v, %+v", wc.Slug, err, lines)
		}
	}
	ns := b.Notes["2024-03-02-ferry"]
	if ns == nil || len(ns.Notes) != 2 || ns.Notes[0].Detached != "" || !strings.Contains(ns.Notes[1].Detached, "at the station") {
		t.Fatalf("notes from the build: %+v", ns)
	}
	if len(b.NotesProblems) != 1 || !strings.HasPrefix(b.NotesProblems[0].Path, dir) {
		t.Errorf("notes problems %v, want one, naming the file in the transcripts folder", b.NotesProblems)
	}
	r, err := b.Index.Search(t.Context(), index.Query{Text: "lantern"})
	if err != nil || r.Total != 1 || r.Hits[0].Call != "2024-03-02-ferry" {
		t.Errorf("search for lantern: %v, %+v", err, r)
	}
}

// An unchanged folder makes no build and reads no transcript; a notes edit
// makes a build without reading the transcripts; a transcript edit is read
// and only its call indexed again; --rebuild reads and indexes everything.
func TestIngest_WhatChanged(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall, "2024-03-03-pier.md": pierCall, "2024-03-02-ferry.notes.md": ferryNote})
	data := t.TempDir()
	first := mustIngest(t, dir, data, IngestOptions{})
	if !first.Read || first.Unchanged || first.Index.Incremental {
		t.Errorf("first ingest: %+v", first)
	}
	again := mustIngest(t, dir, data, IngestOptions{})
	if again.Read || !again.Unchanged || again.ID != first.ID {
		t.Errorf("ingest of an unchanged folder: read %v, unchanged %v, id %s (was %s)", again.Read, again.Unchanged, again.ID, first.ID)
	}

	write(t, filepath.Join(dir, "2024-03-02-ferry.notes.md"), strings.Replace(ferryNote, "at the station", "on the pier", 1))
	notes := mustIngest(t, dir, data, IngestOptions{})
	if notes.Read || notes.Unchanged || notes.ID == first.ID {
		t.Errorf("ingest after a notes edit: read %v, unchanged %v", notes.Read, notes.Unchanged)
	}
	b := mustOpen(t, data)
	if ns := b.Notes["2024-03-02-ferry"]; ns == nil || ns.Notes[1].Detached != "" {
		t.Errorf("the edited note is not attached: %+v", ns)
	}

	write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall+"\nMH: The storm has passed.\n")
	edit := mustIngest(t, dir, data, IngestOptions{})
	if !edit.Read || !edit.Index.Incremental || edit.Index.Indexed != 2 {
		t.Errorf("ingest after an edit: read %v, index %+v; want an incremental build of the pier call's 2 lines", edit.Read, edit.Index)
	}
	if got := texts(t, mustOpen(t, data).Archive, "2024-03-03-pier"); len(got) != 2 || !strings.Contains(got[1], "storm has passed") {
		t.Errorf("edited call: %q", got)
	}
	full := mustIngest(t, dir, data, IngestOptions{Rebuild: true})
	if !full.Read || full.Unchanged || full.Index.Incremental {
		t.Errorf("--rebuild: %+v", full)
	}
}

// A bad file refuses the whole folder and leaves the current build as it
// was; with SkipBad the good files are built and the bad one named.
func TestIngest_BadFile(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall})
	data := t.TempDir()
	first := mustIngest(t, dir, data, IngestOptions{})
	write(t, filepath.Join(dir, "2024-03-04-broken.md"), "---\ntitle: Broken\ndate: 2024-03-04\n---\n\nZQ: nobody declared me\n")
	_, err := Ingest(t.Context(), dir, data, IngestOptions{})
	var bad *BadArchiveError
	if !errors.As(err, &bad) || len(bad.Files) != 1 || !strings.Contains(bad.Problems.Error(), "2024-03-04-broken.md:6") {
		t.Fatalf("ingest with a bad file: %v", err)
	}
	if CurrentID(data) != first.ID {
		t.Error("a refused ingest changed the current build")
	}
	res := mustIngest(t, dir, data, IngestOptions{SkipBad: true})
	if len(res.Skipped) != 1 || len(res.Archive.Calls) != 1 || res.ID == first.ID {
		t.Errorf("--skip-bad: skipped %v, %d calls", res.Skipped, len(res.Archive.Calls))
	}
	// The bad file is read again by the next build (it is not trusted).
	if res := mustIngest(t, dir, data, IngestOptions{SkipBad: true}); !res.Read || res.Unchanged {
		t.Error("a build after --skip-bad trusted the catalog with a bad file in it")
	}
}

// TestIngest_SkipBadKeepsArchived: with SkipBad, a call whose file breaks
// keeps the version the current build holds (it never goes offline), an
// edit to another call beside it is built, a new bad file is left out, and
// once the file is fixed the fix is built.
func TestIngest_SkipBadKeepsArchived(t *testing.T) {
	const (
		ferry, pier, gull = "2024-03-02-ferry.md", "2024-03-03-pier.md", "2024-03-04-gull.md"
		broken            = "---\ntitle: Fictional call about a ferry\ndate: 2024-03-02\n---\n\nZQ: nobody declared me\n"
	)
	dir := archiveDir(t, map[string]string{ferry: ferryCall, pier: pierCall})
	data := t.TempDir()
	first := mustIngest(t, dir, data, IngestOptions{})
	write(t, filepath.Join(dir, ferry), broken)
	write(t, filepath.Join(dir, pier), strings.Replace(pierCall, "closed for the storm", "open again at noon", 1))
	write(t, filepath.Join(dir, gull), strings.Replace(broken, "2024-03-02", "2024-03-04", 1))

	res := mustIngest(t, dir, data, IngestOptions{SkipBad: true})
	if res.ID == first.ID || !slices.Equal(res.Kept, []string{filepath.Join(dir, ferry)}) || !slices.Equal(res.Skipped, []string{filepath.Join(dir, gull)}) {
		t.Fatalf("kept %v, skipped %v; want the ferry kept and the gull left out", res.Kept, res.Skipped)
	}
	b := mustOpen(t, data)
	var slugs []string
	for _, c := range b.Archive.Calls {
		slugs = append(slugs, c.Slug)
	}
	if want := []string{"2024-03-02-ferry", "2024-03-03-pier"}; !slices.Equal(slugs, want) {
		t.Errorf("calls = %v, want %v in archive order", slugs, want)
	}
	if got, want := texts(t, b.Archive, "2024-03-02-ferry"), texts(t, first.Archive, "2024-03-02-ferry"); !slices.Equal(got, want) {
		t.Errorf("the broken call's lines = %q, want its archived version %q", got, want)
	}
	if got := texts(t, b.Archive, "2024-03-03-pier"); len(got) != 1 || !strings.Contains(got[0], "open again at noon") {
		t.Errorf("the edit beside the broken file = %q, want it built", got)
	}
	if r, err := b.Index.Search(t.Context(), index.Query{Text: "noon"}); err != nil || r.Total != 1 {
		t.Errorf("search for the edit's new word: %v, %v", r, err)
	}
	if vs := b.History("2024-03-02-ferry"); len(vs) != 1 {
		t.Errorf("the kept call has %d versions, want 1 (keeping it is not a new version)", len(vs))
	}
	if vs := b.History("2024-03-03-pier"); len(vs) != 2 {
		t.Errorf("the edited call has %d versions, want 2", len(vs))
	}

	write(t, filepath.Join(dir, ferry), strings.Replace(ferryCall, "at ten", "at eleven", 1))
	os.Remove(filepath.Join(dir, gull))
	fixed := mustIngest(t, dir, data, IngestOptions{SkipBad: true})
	if len(fixed.Kept) != 0 || len(fixed.Skipped) != 0 {
		t.Errorf("after the fix: kept %v, skipped %v", fixed.Kept, fixed.Skipped)
	}
	if got := texts(t, fixed.Archive, "2024-03-02-ferry"); !strings.Contains(got[0], "at eleven") {
		t.Errorf("after the fix the ferry reads %q", got)
	}
}

// TestIngest_SettlesNewFiles: files written just before a build are not
// trusted by its catalog while they are that new; once the build is past
// the racy margin and they still hold what was read, its catalog trusts
// them, so the next ingest (or serve's start) reads nothing and builds
// nothing.
func TestIngest_SettlesNewFiles(t *testing.T) {
	const margin = 300 * time.Millisecond
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall, "2024-03-03-pier.md": pierCall})
	data := t.TempDir()
	slow := func(step string) error { // a build that takes longer than the margin
		if step == "index" {
			time.Sleep(margin + 100*time.Millisecond)
		}
		return nil
	}
	if _, err := Ingest(t.Context(), dir, data, IngestOptions{RacyMargin: margin, failAt: slow}); err != nil {
		t.Fatal(err)
	}
	res, err := Ingest(t.Context(), dir, data, IngestOptions{RacyMargin: margin})
	if err != nil {
		t.Fatal(err)
	}
	if res.Build != nil {
		res.Build.Close()
	}
	if res.Read || !res.Unchanged {
		t.Errorf("the ingest after a build of new files read them again (read %v, unchanged %v)", res.Read, res.Unchanged)
	}
}

// A second build while one holds the lock fails at once with ErrLocked.
func TestIngest_Locked(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall})
	data := t.TempDir()
	unlock, err := lockDir(filepath.Join(data, lockFile))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	if _, err := Ingest(t.Context(), dir, data, IngestOptions{}); !errors.Is(err, ErrLocked) {
		t.Errorf("Ingest with the lock held: %v, want ErrLocked", err)
	}
}

// Leftovers of a killed build are removed by the next one; builds older
// than the one replaced are removed, while a Build that has one open keeps
// answering; a cancelled build leaves nothing and changes nothing.
func TestIngest_Cleanup(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall})
	data := t.TempDir()
	mustIngest(t, dir, data, IngestOptions{})
	first := mustOpen(t, data)
	junk := filepath.Join(data, tmpPrefix+"killed")
	if err := os.MkdirAll(filepath.Join(junk, indexDir), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(data, objectsDir, ".tmp-123"), "half")
	if err := os.MkdirAll(filepath.Join(data, objectsDir, "ab"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(data, objectsDir, "ab", ".tmp-456"), "half")
	for i := range 2 {
		write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall+fmt.Sprintf("\nMH: Edit %d.\n", i))
		mustIngest(t, dir, data, IngestOptions{})
	}
	if _, err := os.Stat(junk); !os.IsNotExist(err) {
		t.Errorf("leftover build not removed: %v", err)
	}
	if tmps, _ := filepath.Glob(filepath.Join(data, objectsDir, "*", ".tmp-*")); len(tmps) != 0 {
		t.Errorf("leftover objects not removed: %v", tmps)
	}
	builds, _ := filepath.Glob(filepath.Join(data, buildPrefix+"*"))
	if len(builds) != 2 {
		t.Errorf("builds %v, want the current and the previous one", builds)
	}
	if _, err := os.Stat(first.Dir); !os.IsNotExist(err) {
		t.Errorf("oldest build still there: %v", err)
	}
	// Removed, but open: it still answers, lines included.
	if r, err := first.Index.Search(t.Context(), index.Query{Text: "lantern"}); err != nil || r.Total != 1 {
		t.Errorf("a removed build that is open: %v, %+v", err, r)
	}
	if got := texts(t, first.Archive, "2024-03-02-ferry"); len(got) != 4 {
		t.Errorf("lines of a removed build: %q", got)
	}

	before := CurrentID(data)
	write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall+"\nMH: Cancelled.\n")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Ingest(ctx, dir, data, IngestOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled Ingest: %v", err)
	}
	if CurrentID(data) != before {
		t.Error("a cancelled build changed the current one")
	}
	if tmps, _ := filepath.Glob(filepath.Join(data, tmpPrefix+"*")); len(tmps) != 0 {
		t.Errorf("a cancelled build left %v", tmps)
	}
}

// A library follows the data folder: a build swapped in by another
// process (here another Ingest) is served within FollowInterval or so,
// and searches on the old build finish on it.
func TestLibrary_Follow(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall})
	data := t.TempDir()
	mustIngest(t, dir, data, IngestOptions{})
	lib := New(data, nil)
	if err := lib.Open(); err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go lib.Follow(ctx)

	write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall)
	res := mustIngest(t, dir, data, IngestOptions{})
	start := time.Now()
	waitUntil(t, "the swapped build to be served", func() bool { return lib.Current().ID() == res.ID })
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("served the swapped build %s after it was swapped in, want within 2 s", took)
	}
	if r, err := lib.Search(t.Context(), lib.Archive(), index.Query{Text: "storm"}); err != nil || r.Total != 1 {
		t.Errorf("search on the followed build: %v %+v", err, r)
	}
	if lib.Health() != nil {
		t.Errorf("health: %v", lib.Health())
	}
}

// A build that cannot be opened is not served: the library keeps the last
// good one and, past the grace, says it is stale; once a good build is
// swapped in it serves it and is healthy again.
func TestLibrary_FollowBadBuild(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall})
	data := t.TempDir()
	first := mustIngest(t, dir, data, IngestOptions{})
	lib := New(data, nil)
	lib.staleGrace = 0
	if err := lib.Open(); err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	// Another process swaps in a build that does not open.
	bad := filepath.Join(data, buildPrefix+"damaged")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(bad, infoFile), "{")
	if _, err := swapCurrent(data, filepath.Base(bad)); err != nil {
		t.Fatal(err)
	}
	if err := lib.serveCurrent(); err == nil {
		t.Fatal("a damaged build was served")
	} else {
		lib.setStale(err)
	}
	if lib.Current().ID() != first.ID {
		t.Error("the last good build is no longer served")
	}
	if h := lib.Health(); h == nil || !strings.Contains(h.Error(), "stale since") {
		t.Errorf("health with a damaged current build: %v", h)
	}
	write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall)
	res := mustIngest(t, dir, data, IngestOptions{})
	if err := lib.Reload(t.Context(), dir, IngestOptions{RacyMargin: newFiles}); err != nil {
		t.Fatal(err)
	}
	if lib.Current().ID() != res.ID || lib.Health() != nil {
		t.Errorf("after a good build: serving %s (want %s), health %v", lib.Current().ID(), res.ID, lib.Health())
	}
}

// A failure at any step of a build ends it at once with the error named,
// removes what it wrote, releases the lock and leaves the current build
// serving; the next build succeeds.
func TestIngest_FailsAtEachStep(t *testing.T) {
	steps := []string{"objects", "index", "catalog", "notes", "info", "sync", "verify", "rename", "swap"}
	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall, "2024-03-02-ferry.notes.md": ferryNote})
			data := t.TempDir()
			first := mustIngest(t, dir, data, IngestOptions{})
			lib := New(data, nil)
			if err := lib.Open(); err != nil {
				t.Fatal(err)
			}
			defer lib.Close()

			write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall)
			injected := fmt.Errorf("write %s: no space left on device", step)
			_, err := Ingest(t.Context(), dir, data, IngestOptions{RacyMargin: newFiles,
				failAt: func(s string) error {
					if s == step {
						return injected
					}
					return nil
				}})
			if !errors.Is(err, injected) {
				t.Fatalf("Ingest failing at %s: %v, want the injected error", step, err)
			}
			if CurrentID(data) != first.ID {
				t.Errorf("a build failing at %s changed the current build", step)
			}
			left, _ := filepath.Glob(filepath.Join(data, tmpPrefix+"*"))
			builds, _ := filepath.Glob(filepath.Join(data, buildPrefix+"*"))
			if len(left) != 0 || len(builds) != 1 {
				t.Errorf("after a failure at %s: temporary %v, builds %v", step, left, builds)
			}
			if r, err := lib.Search(t.Context(), lib.Archive(), index.Query{Text: "lantern"}); err != nil || r.Total != 1 {
				t.Errorf("the current build after a failure at %s: %v %+v", step, err, r)
			}
			// The lock was released: the next build runs and succeeds.
			if res := mustIngest(t, dir, data, IngestOptions{}); res.ID == first.ID || CurrentID(data) != res.ID {
				t.Errorf("the build after a failure at %s: %+v", step, res)
			}
		})
	}
}

// A watched edit whose build finds the lock held (another process is
// building) is tried again until it succeeds: meanwhile Health says stale,
// then the edit is served and Health is clear.
func TestLibrary_WatchRetriesLockedBuild(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall})
	data := t.TempDir()
	mustIngest(t, dir, data, IngestOptions{})
	lib := New(data, nil)
	lib.staleGrace = 0
	if err := lib.Open(); err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	lib.SetReady(errors.New("not watching yet"))
	go lib.Watch(ctx, dir, IngestOptions{RacyMargin: newFiles})
	waitUntil(t, "watching", func() bool { return lib.Health() == nil })

	unlock, err := lockDir(filepath.Join(data, lockFile))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, "2024-03-03-pier.md"), pierCall)
	waitUntil(t, "Health to say stale while the lock is held", func() bool {
		h := lib.Health()
		return h != nil && strings.Contains(h.Error(), "stale since") && strings.Contains(h.Error(), "another build is running")
	})
	unlock()
	waitUntil(t, "the edit to be served once the lock is free", func() bool {
		_, ok := lib.Archive().Call("2024-03-03-pier")
		return ok && lib.Health() == nil
	})
	if d := lib.HealthDetails(); d["last_reload_error"] != nil {
		t.Errorf("last_reload_error kept after the retry succeeded: %v", d["last_reload_error"])
	}
}

// waitUntil polls cond every 20 ms for up to 10 s.
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A request reads one build from start to end: its search and notes are
// those of the archive it began with, after a new build is swapped in.
func TestLibrary_RequestReadsOneBuild(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall, "2024-03-02-ferry.notes.md": ferryNote})
	data := t.TempDir()
	mustIngest(t, dir, data, IngestOptions{})
	lib := New(data, nil)
	if err := lib.Open(); err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	began := lib.Archive() // a request begins

	// The lantern line moves from L4 to L5, and its note is rewritten.
	write(t, filepath.Join(dir, "2024-03-02-ferry.md"), strings.Replace(ferryCall, "MH: Bring the lantern.", "OB: Wait.\n\nMH: Bring the lantern.", 1))
	write(t, filepath.Join(dir, "2024-03-02-ferry.notes.md"), "## L5 \"lantern\"\n\nMoved.\n")
	mustIngest(t, dir, data, IngestOptions{})
	if err := lib.serveCurrent(); err != nil {
		t.Fatal(err)
	}
	if lib.Archive() == began {
		t.Fatal("no new build was swapped in")
	}
	r, err := lib.Search(t.Context(), began, index.Query{Text: "lantern"})
	if err != nil || r.Total != 1 || r.Hits[0].Line != 4 {
		t.Errorf("search of the request's build: %v, %+v; want the lantern at L4 as that build has it", err, r)
	}
	if ns := lib.Notes(began, "2024-03-02-ferry"); ns == nil || len(ns.Notes) != 2 {
		t.Errorf("notes of the request's build: %+v, want that build's two notes", ns)
	}
	r, err = lib.Search(t.Context(), lib.Archive(), index.Query{Text: "lantern"})
	if err != nil || r.Total != 1 || r.Hits[0].Line != 5 {
		t.Errorf("search of the new build: %v, %+v; want L5", err, r)
	}
}

// Annotated lists the served build's calls that have notes, in archive
// order, and nothing for an archive the library does not serve.
func TestLibrary_Annotated(t *testing.T) {
	dir := archiveDir(t, map[string]string{"2024-03-02-ferry.md": ferryCall, "2024-03-03-pier.md": pierCall,
		"2024-03-02-ferry.notes.md": ferryNote, "2024-03-03-pier.notes.md": ferryNote})
	data := t.TempDir()
	mustIngest(t, dir, data, IngestOptions{})
	lib := New(data, nil)
	if err := lib.Open(); err != nil {
		t.Fatal(err)
	}
	defer lib.Close()
	a := lib.Archive()
	var want []string
	for _, c := range a.Calls {
		if lib.Notes(a, c.Slug) != nil {
			want = append(want, c.Slug)
		}
	}
	if len(want) == 0 {
		t.Fatal("no call of the build has notes")
	}
	if diff := cmp.Diff(want, lib.Annotated(a)); diff != "" {
		t.Errorf("Annotated (-calls with notes, in archive order +got):\n%s", diff)
	}
	if got := lib.Annotated(&transcript.Archive{}); got == nil || len(got) != 0 {
		t.Errorf("Annotated of an archive not served = %#v, want empty", got)
	}
}

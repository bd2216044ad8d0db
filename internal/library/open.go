package library

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"sync"
	"time"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/store"
	"backchannel/internal/transcript"
)

// lineCacheBytes bounds the lines a build keeps in memory.
const lineCacheBytes = transcript.DefaultLineCacheBytes

// Build is an open build: everything a request reads. It never changes;
// a new build is a new Build.
type Build struct {
	Info    Info
	Dir     string
	Archive *transcript.Archive
	Catalog *transcript.Catalog
	Index   *index.Index
	Store   *store.Store
	// Notes are the editorial notes on the calls, by slug, and the
	// problems found attaching them (a detached note is shown as such).
	Notes         map[string]*annotate.Notes
	NotesProblems transcript.Problems
	// Bytes is the size of the build folder on disk.
	Bytes int64
	// versions are every version of every call the archive has held.
	versions versionLog
	// VersionsProblem says why the build's version log could not be read
	// (the file to remove); the current versions are served meanwhile.
	VersionsProblem error

	closeOnce sync.Once
	closeErr  error
}

// ID is the build's ID.
func (b *Build) ID() string { return b.Info.ID }

// Close closes the build's index; closing again does nothing.
func (b *Build) Close() error {
	if b == nil || b.Index == nil {
		return nil
	}
	b.closeOnce.Do(func() { b.closeErr = errors.Join(b.Index.Close(), b.Store.Close()) })
	return b.closeErr
}

// openObjects is how many line-store objects a served build keeps open:
// more than the calls of a page of search hits, far below a process's
// file limit.
const openObjects = 128

// OpenCurrent opens the current build of dataDir. It returns an error
// wrapping ErrNoBuild when there is none.
func OpenCurrent(dataDir string) (*Build, error) {
	dir, err := currentBuild(dataDir)
	if err != nil {
		return nil, err
	}
	b, err := openBuild(dir, store.Open(filepath.Join(dataDir, objectsDir)).KeepOpen(openObjects))
	if err != nil {
		return nil, err
	}
	if err := b.checkObjects(); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// checkObjects returns an error when the line store lacks the object of a
// call of the build: a copy of the data folder (rsync to a replica) that
// brought the build and its current link but not yet every object. A
// build served so would fail the pages of those calls.
func (b *Build) checkObjects() error {
	for i, key := range b.Catalog.Objects() {
		if !b.Store.Has(key) {
			return fmt.Errorf("open build %s: the line store %s has no object %s (the lines of %s): the data folder is incomplete (a copy still under way?)",
				b.ID(), b.Store.Dir(), key, b.Archive.Calls[i].Slug)
		}
	}
	return nil
}

// openBuild opens the build in dir, with the line store st.
//
// The index opens while the build's description, catalog and notes are
// read (at a million lines about 5, 5 and 10 ms alone). Opening them
// allocates about 40 MB, nearly all of it kept: collecting meanwhile is
// wasted work, so the collector is off until the index and the catalog
// are open.
func openBuild(dir string, st *store.Store) (*Build, error) {
	gcPercent := debug.SetGCPercent(-1)
	type opened struct {
		idx *index.Index
		err error
	}
	idxc := make(chan opened, 1)
	go func() {
		idx, err := index.Open(filepath.Join(dir, indexDir))
		idxc <- opened{idx, err}
	}()
	b, err := readBuild(dir, st)
	o := <-idxc
	debug.SetGCPercent(gcPercent)
	if err == nil && o.err != nil {
		err = fmt.Errorf("open build %s: %w", filepath.Base(dir), o.err)
	}
	if err != nil {
		if o.idx != nil {
			o.idx.Close()
		}
		return nil, err
	}
	b.Index = o.idx
	if !b.Index.Matches(b.Archive) {
		b.Index.Close()
		return nil, fmt.Errorf("open build %s: its index was not built from its catalog", filepath.Base(dir))
	}
	b.Notes, b.NotesProblems = loadNotes(filepath.Join(dir, notesDir), b.Archive)
	b.sourceNotePaths()
	return b, nil
}

// sourceNotePaths names the notes files, and their problems, by where they
// were found in the transcripts folder rather than by their copies in the
// build: that is the file an editor fixes.
func (b *Build) sourceNotePaths() {
	source := map[string]string{}
	for _, f := range b.Info.Notes {
		source[filepath.Join(b.Dir, notesDir, f.Slug+annotate.Suffix)] = f.Source
	}
	for _, ns := range b.Notes {
		if p, ok := source[ns.Path]; ok {
			ns.Path = p
		}
	}
	for i, p := range b.NotesProblems {
		if src, ok := source[p.Path]; ok {
			b.NotesProblems[i].Path = src
		}
	}
}

// readBuild reads what a build is besides its index: its description and
// catalog.
func readBuild(dir string, st *store.Store) (*Build, error) {
	info, err := readInfo(dir)
	if err != nil {
		return nil, fmt.Errorf("open build %s: %w", filepath.Base(dir), err)
	}
	cat, err := transcript.ReadCatalog(filepath.Join(dir, catalogFile))
	if err != nil {
		return nil, fmt.Errorf("open build %s: %w", filepath.Base(dir), err)
	}
	a := cat.Archive(st, lineCacheBytes)
	b := &Build{Info: info, Dir: dir, Archive: a, Catalog: cat, Store: st, Bytes: dirSize(dir)}
	// A damaged version log does not take the archive offline: the
	// current versions are served, and the problem reported.
	if b.versions, b.VersionsProblem = readVersions(dir); b.VersionsProblem != nil {
		b.versions = versionLog{Calls: map[string][]transcript.Version{}}.record(cat, a, info.Built)
	}
	return b, nil
}

// loadNotes reads the notes files of a build and attaches them to the
// calls of a, reading the lines of the calls that have notes.
func loadNotes(dir string, a *transcript.Archive) (map[string]*annotate.Notes, transcript.Problems) {
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return nil, nil
	}
	noted := map[string]bool{}
	for _, e := range entries {
		if slug := annotate.SlugOf(e.Name()); slug != "" {
			noted[slug] = true
		}
	}
	return annotate.LoadDir(dir, withLinesOf(a, noted))
}

// withLinesOf returns a copy of a in which the calls named in slugs have
// their lines in memory (attaching notes reads them).
func withLinesOf(a *transcript.Archive, slugs map[string]bool) *transcript.Archive {
	out := &transcript.Archive{Dir: a.Dir, Hash: a.Hash, Calls: slices.Clone(a.Calls)}
	for i, c := range a.Calls {
		if !slugs[c.Slug] {
			continue
		}
		if full, err := a.WithLines(c); err == nil {
			out.Calls[i] = full
		}
	}
	return out
}

// dirSize is the size of the files under dir.
func dirSize(dir string) int64 {
	var size int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return size
}

// verifyBuild opens the build in dir as a server would and checks what
// opening does not: every call's lines are in the store with the count
// the catalog gives.
func verifyBuild(dir string, st *store.Store) error {
	b, err := openBuild(dir, st)
	if err != nil {
		return err
	}
	defer b.Close()
	if err := b.checkObjects(); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	for i, c := range b.Archive.Calls {
		if i >= 8 {
			break // the first few calls' lines are read back whole
		}
		full, err := b.Archive.WithLines(c)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		if len(full.Lines) != b.Archive.LineCount(c) {
			return fmt.Errorf("verify: %s has %d lines in the store, %d in the catalog", c.Slug, len(full.Lines), b.Archive.LineCount(c))
		}
	}
	return nil
}

// ArchiveWithCache returns the build's archive with its own cache of
// about cacheBytes of lines (an export reads each call once, and needs
// almost none).
func (b *Build) ArchiveWithCache(cacheBytes int64) *transcript.Archive {
	return b.Catalog.Archive(b.Store, cacheBytes)
}

// Behind returns why the build no longer holds what the transcripts folder
// does (a file changed, was added or removed since it was built), or nil
// when it does, when the folder is not the one it was built from, or when
// the folder does not exist (a build is served without its transcripts).
func (b *Build) Behind(transcripts string) error {
	abs, err := filepath.Abs(transcripts)
	if err != nil || abs != b.Info.Transcripts {
		return nil
	}
	if _, err := os.Stat(transcripts); err != nil {
		return nil
	}
	if err := b.Catalog.Changed(transcript.TakeSnapshot(transcripts)); err != nil {
		return fmt.Errorf("the transcripts changed since the build was made (%w)", err)
	}
	return nil
}

// builtAt is when the build was made, or zero.
func (b *Build) builtAt() time.Time { return b.Info.Built }

var errNotOpen = errors.New("the archive is not open yet")

package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"runtime/debug"
	"time"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// fromCatalog is what a start from the catalog opened: the archive, its
// catalog and index, and the notes on its calls.
type fromCatalog struct {
	archive *transcript.Archive
	catalog *transcript.Catalog
	index   *index.Index
	notes   archiveNotes
}

// openFromCatalog opens the archive of dir from the catalog in dataDir, and
// the index, when the catalog still describes every file of dir and the
// index was built from that archive: no transcript is read or hashed. It
// returns nil when any of that is not so, and the caller reads the
// transcripts as before.
//
// The steps of a start from the catalog that depend on none of each other
// run at once: the files are stat'ed and the catalog is read, then the
// notes beside the transcripts are read (they need only the archive),
// while the index opens (at a million lines 15, 5, 10 and 25 ms alone).
// Opening the index takes longest, so it runs on this goroutine, which is
// running already, while the others wait for a core.
//
// Opening the catalog and the index allocates about 40 MB at a million
// lines, nearly all of it kept: collecting meanwhile is wasted work
// (gctrace: five cycles, 15 ms of CPU, in a start of about 100 ms), so the
// collector is off until both are open. Notes can read the lines of any
// number of calls, so it is on again then, whether or not they are done.
func openFromCatalog(dir, dataDir string, logger *slog.Logger) *fromCatalog {
	start := time.Now()
	gcPercent := debug.SetGCPercent(-1)
	catc := make(chan *fromCatalog, 1)
	notesc := make(chan archiveNotes, 1)
	go func() {
		a, cat := catalogArchive(dir, dataDir, logger)
		if a == nil {
			catc <- nil
			return
		}
		catc <- &fromCatalog{archive: a, catalog: cat}
		notesc <- readNotes(a)
	}()
	idx, err := index.Open(dataDir)
	c := <-catc
	debug.SetGCPercent(gcPercent)
	if c != nil {
		// Waited for on every path: no notes are read behind the caller's
		// back once it reads the transcripts instead.
		c.notes = <-notesc
	}
	if c == nil || err != nil {
		// Without a catalog the transcripts are read; an index that does
		// not open is rebuilt (openFresh says why).
		if idx != nil {
			idx.Close()
		}
		return nil
	}
	if !idx.Matches(c.archive) {
		idx.Close()
		logger.Info("the index was not built from the catalogued transcripts; reading them")
		return nil
	}
	c.index = idx
	logger.Info("transcripts unchanged since they were catalogued: not read again",
		"calls", len(c.archive.Calls), "seconds", time.Since(start).Seconds())
	return c
}

// catalogArchive returns the archive of dir as the catalog in dataDir
// describes it, and the catalog, when the catalog still describes every
// file of dir (the files are stat'ed while the catalog is read); nil when
// there is no such catalog.
func catalogArchive(dir, dataDir string, logger *slog.Logger) (*transcript.Archive, *transcript.Catalog) {
	snapc := make(chan *transcript.Snapshot, 1)
	go func() { snapc <- transcript.TakeSnapshot(dir) }()
	cat := readCatalog(dataDir, logger)
	snap := <-snapc
	if cat == nil {
		return nil, nil
	}
	if err := cat.FreshAt(snap); err != nil {
		logger.Info("reading the transcripts", "why", err.Error())
		return nil, nil
	}
	return cat.Archive(lineCacheBytes), cat
}

// readCatalog returns the catalog in dataDir, or nil when there is none or
// it cannot be read (damaged, or of an older format: it is written again
// once the transcripts are read).
func readCatalog(dataDir string, logger *slog.Logger) *transcript.Catalog {
	cat, err := transcript.ReadCatalog(filepath.Join(dataDir, catalogFile))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			logger.Warn("catalog unreadable; reading the transcripts", "err", err)
		}
		return nil
	}
	return cat
}

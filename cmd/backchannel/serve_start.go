package main

import (
	"errors"
	"io/fs"
	"log/slog"
	"path/filepath"
	"time"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// openFromCatalog opens the archive of dir from the catalog in dataDir, and
// the index, when the catalog still describes every file of dir and the
// index was built from that archive: no transcript is read or hashed. It
// returns nils when any of that is not so, and the caller reads the
// transcripts as before.
//
// The three steps of a start from the catalog depend on none of each
// other, so they run at once: the files are stat'ed and the catalog is read
// while the index opens (at a million lines 15, 5 and 25 ms alone).
// Opening the index takes longest, so it runs on this goroutine, which is
// running already, while the other two wait for a core.
// (openCataloged in library.go meant to do the same but read the catalog
// only once every file had been stat'ed.)
func openFromCatalog(dir, dataDir string, logger *slog.Logger) (*transcript.Archive, *transcript.Catalog, *index.Index) {
	start := time.Now()
	type catalogued struct {
		cat *transcript.Catalog
		a   *transcript.Archive
	}
	catc := make(chan catalogued, 1)
	go func() {
		snapc := make(chan *transcript.Snapshot, 1)
		go func() { snapc <- transcript.TakeSnapshot(dir) }()
		cat := readCatalog(dataDir, logger)
		if cat != nil {
			if err := cat.FreshAt(<-snapc); err != nil {
				logger.Info("reading the transcripts", "why", err.Error())
				cat = nil
			}
		}
		var a *transcript.Archive
		if cat != nil {
			a = cat.Archive(lineCacheBytes)
		}
		catc <- catalogued{cat, a}
	}()
	idx, err := index.Open(dataDir)
	c := <-catc
	cat, a := c.cat, c.a
	if cat == nil || err != nil {
		// Without a catalog the transcripts are read; an index that does
		// not open is rebuilt (openFresh says why).
		if idx != nil {
			idx.Close()
		}
		return nil, nil, nil
	}
	if !idx.Matches(a) {
		idx.Close()
		logger.Info("the index was not built from the catalogued transcripts; reading them")
		return nil, nil, nil
	}
	logger.Info("transcripts unchanged since they were catalogued: not read again",
		"calls", len(a.Calls), "seconds", time.Since(start).Seconds())
	return a, cat, idx
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

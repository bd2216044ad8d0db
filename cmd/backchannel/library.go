package main

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"time"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// errNotOpen is the health of a library whose index is not open yet.
var errNotOpen = errors.New("search index is not open")

// library is what the web server reads from: the archive and the index
// built from it. Both are swapped together while requests are answered; an
// index that is swapped out is closed once the searches using it finish.
type library struct {
	dataDir string // where the index lives, for its size on disk

	mu      sync.RWMutex
	archive *transcript.Archive
	// catalog describes archive when it was read from one or saved to
	// one; nil when the archive could not be catalogued.
	catalog *transcript.Catalog
	cur     *openIndex
	// notReady, when set, keeps Health failing (for example until --watch is
	// watching).
	notReady error
	// lastErr is the last failed reload, reported in health details while the
	// last good version keeps serving.
	lastErr error
	// notes are the editorial notes on the archive's calls, by slug, loaded
	// with it in swap (see notes.go), and the problems found in them.
	notes         map[string]*annotate.Notes
	notesProblems transcript.Problems
}

// openIndex is an open index with a count of the searches using it.
type openIndex struct {
	idx  *index.Index
	refs sync.WaitGroup
	// bytes and built describe the index folder on disk, for /metrics.
	bytes int64
	built time.Time
}

func (l *library) Archive() *transcript.Archive {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.archive
}

func (l *library) Search(ctx context.Context, q index.Query) (*index.Result, error) {
	l.mu.RLock()
	cur := l.cur
	if cur != nil {
		cur.refs.Add(1)
	}
	l.mu.RUnlock()
	if cur == nil {
		return nil, errNotOpen
	}
	defer cur.refs.Done()
	return cur.idx.Search(ctx, q)
}

// Health is nil once the index is open (and, with --watch, once watching).
func (l *library) Health() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return errNotOpen
	}
	return l.notReady
}

// HealthDetails describes the library for /healthz.
func (l *library) HealthDetails() map[string]any {
	l.mu.RLock()
	defer l.mu.RUnlock()
	d := map[string]any{}
	if l.archive != nil {
		lines := 0
		for _, c := range l.archive.Calls {
			lines += l.archive.LineCount(c)
		}
		d["calls"], d["lines"], d["archive_hash"] = len(l.archive.Calls), lines, l.archive.Hash
	}
	if l.lastErr != nil {
		d["last_reload_error"] = l.lastErr.Error()
	}
	return d
}

func (l *library) setReady(err error) {
	l.mu.Lock()
	l.notReady = err
	l.mu.Unlock()
}

func (l *library) setLastErr(err error) {
	l.mu.Lock()
	l.lastErr = err
	l.mu.Unlock()
}

// swap installs a new archive, its catalog (or nil) and its index, with
// the archive's notes read now. The index it replaces is closed in the
// background once the searches using it have finished.
func (l *library) swap(a *transcript.Archive, cat *transcript.Catalog, idx *index.Index) {
	l.swapNoted(a, cat, idx, readNotes(a))
}

// archiveNotes are the editorial notes of an archive's calls, by slug, and
// the problems found in them (see loadNotes).
type archiveNotes struct {
	byCall   map[string]*annotate.Notes
	problems transcript.Problems
}

// readNotes loads the notes of a.
func readNotes(a *transcript.Archive) archiveNotes {
	notes, ps := loadNotes(a)
	return archiveNotes{notes, ps}
}

// swapNoted is swap with the notes of a already read (at start-up they are
// read while the index opens).
func (l *library) swapNoted(a *transcript.Archive, cat *transcript.Catalog, idx *index.Index, notes archiveNotes) {
	cur := &openIndex{idx: idx}
	cur.bytes, cur.built = indexStats(l.dataDir)
	l.mu.Lock()
	old := l.cur
	l.archive, l.catalog, l.cur, l.lastErr = a, cat, cur, nil
	l.notes, l.notesProblems = notes.byCall, notes.problems
	l.mu.Unlock()
	if old != nil {
		go func() {
			old.refs.Wait()
			old.idx.Close()
		}()
	}
}

// close closes the open index after in-flight searches finish.
func (l *library) close() error {
	l.mu.Lock()
	cur := l.cur
	l.cur = nil
	l.mu.Unlock()
	if cur == nil {
		return nil
	}
	cur.refs.Wait()
	return cur.idx.Close()
}

// IndexBytes is the size on disk of the open index (web.MetricsSource).
func (l *library) IndexBytes() int64 {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return 0
	}
	return l.cur.bytes
}

// LastIngest is when the open index was swapped in (web.MetricsSource).
func (l *library) LastIngest() time.Time {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return time.Time{}
	}
	return l.cur.built
}

// indexStats returns the size of the index that dataDir's "current" link
// points at, and when the link was last swapped; zeros when unknown.
func indexStats(dataDir string) (int64, time.Time) {
	if dataDir == "" {
		return 0, time.Time{}
	}
	link := filepath.Join(dataDir, "current")
	fi, err := os.Lstat(link)
	if err != nil {
		return 0, time.Time{}
	}
	dir, err := filepath.EvalSymlinks(link)
	if err != nil {
		return 0, fi.ModTime()
	}
	var size int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return nil
	})
	return size, fi.ModTime()
}

// catalogFile is the catalog of the transcripts the index was built from,
// in the data folder beside the index (see transcript.Catalog).
const catalogFile = "catalog.gob"

// lineCacheBytes bounds the transcript lines a server keeps in memory.
const lineCacheBytes = transcript.DefaultLineCacheBytes

// catalogue saves the catalog of a, which LoadDirLazy read from the folder of
// before with the given problems, into dataDir, and returns the same
// archive read from it, which keeps only the lines being shown in memory.
// When a cannot be catalogued (it has errors, or a file changed while it
// was read) any old catalog is removed and a is returned as it is.
func catalogue(before *transcript.Snapshot, a *transcript.Archive, ps transcript.Problems, dataDir string, logger *slog.Logger) (*transcript.Archive, *transcript.Catalog) {
	path := filepath.Join(dataDir, catalogFile)
	cat, err := transcript.NewCatalog(before, a, ps)
	if err == nil {
		err = cat.WriteFile(path)
	}
	if err != nil {
		if rmErr := os.Remove(path); rmErr != nil && !errors.Is(rmErr, fs.ErrNotExist) {
			logger.Warn("cannot remove the old catalog", "err", rmErr)
		}
		if !ps.HasErrors() {
			logger.Warn("no catalog of the transcripts: the next start reads them all again", "err", err)
		}
		return a, nil
	}
	return cat.Archive(lineCacheBytes), cat
}

// currentCatalog returns the catalog of the archive being served, or nil.
func (l *library) currentCatalog() *transcript.Catalog {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.catalog
}

// setCatalog replaces the catalog of archive a, if a is still the one
// served: its files were saved again with the same content.
func (l *library) setCatalog(a *transcript.Archive, cat *transcript.Catalog) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.archive == a && l.catalog != nil && cat.Hash == a.Hash {
		l.catalog = cat
	}
}

// releaseParsed returns the memory of an archive read with all its lines to
// the system once its catalog (when there is one) replaced it: the heap
// would otherwise stay at its peak (about 550 MB at a million lines) until
// the runtime's scavenger slowly gives it back.
func releaseParsed(cat *transcript.Catalog) {
	if cat != nil {
		debug.FreeOSMemory()
	}
}

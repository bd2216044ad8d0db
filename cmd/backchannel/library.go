package main

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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
			lines += len(c.Lines)
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

// swap installs a new archive and index. The index it replaces is closed in
// the background once the searches using it have finished.
func (l *library) swap(a *transcript.Archive, idx *index.Index) {
	notes, nps := loadNotes(a)
	cur := &openIndex{idx: idx}
	cur.bytes, cur.built = indexStats(l.dataDir)
	l.mu.Lock()
	old := l.cur
	l.archive, l.cur, l.lastErr = a, cur, nil
	l.notes, l.notesProblems = notes, nps
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

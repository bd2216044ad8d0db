package transcript

import (
	"container/list"
	"errors"
	"fmt"
	"sync"
	"unsafe"
)

// DefaultLineCacheBytes is a reasonable bound for the lines a catalog's
// archive keeps in memory: a few hundred calls of a few hundred lines.
const DefaultLineCacheBytes = 32 << 20

// ErrChanged means a call's file no longer holds what the archive was read
// from: its lines cannot be shown until the archive is read again.
var ErrChanged = errors.New("transcript changed on disk since the archive was read")

// LineReader reads the lines that an archive read from a catalog keeps
// outside memory, by the key the catalog records for each call (package
// store implements it over the data folder's line store).
type LineReader interface {
	// Lines returns every line of object key and about how many bytes of
	// memory they hold.
	Lines(key string) ([]Line, int64, error)
	// LineRange returns the lines at positions from to to (1-based, both
	// included, clipped to the call's lines) of object key.
	LineRange(key string, from, to int) ([]Line, error)
}

// callStore is what an archive whose lines are not in memory keeps
// instead: where each call's lines are, and a cache of the latest read.
type callStore struct {
	info  map[*Call]*storedCall
	cache *lineCache
	// src reads the lines of an archive read from a catalog; nil for one
	// read by LoadDirLazy, whose lines are read again from their files.
	src LineReader
}

// storedCall is what the catalog says about one call's lines.
type storedCall struct {
	lines         int
	turns         map[string]int
	sidecar       string
	sidecarSHA256 string
	object        string // the key of its lines in callStore.src
}

// LineCount returns how many lines c has, whether or not they are in
// memory.
func (a *Archive) LineCount(c *Call) int {
	if st := a.stored(c); st != nil {
		return st.lines
	}
	return len(c.Lines)
}

// WithLines returns c with its lines. For an archive that LoadDir read it
// is c itself; for one read from a catalog it is a copy of c with the lines
// read from the line store, and for one LoadDirLazy read, with the lines
// read again from its file (either through a small cache of recently read
// calls). Reading a file again fails with an error wrapping ErrChanged
// when the file (or its sidecar) is no longer the one the archive was read
// from. The lines are shared: never modify them.
func (a *Archive) WithLines(c *Call) (*Call, error) {
	st := a.stored(c)
	if st == nil {
		return c, nil
	}
	lines, err := a.store.cache.get(c, func() ([]Line, int64, error) {
		if a.store.src != nil {
			return a.store.src.Lines(st.object)
		}
		return st.load(c)
	})
	if err != nil {
		return nil, err
	}
	cp := *c
	cp.Lines = lines
	return &cp, nil
}

// LineRange returns lines from to to of c (1-based positions, both
// included, clipped to its lines). For an archive read from a catalog only
// those lines are read, unless the whole call is cached: a search result
// shows a few lines of each of many calls.
func (a *Archive) LineRange(c *Call, from, to int) ([]Line, error) {
	st := a.stored(c)
	if st != nil && a.store.src != nil {
		if lines, ok := a.store.cache.peek(c); ok {
			return clip(lines, from, to), nil
		}
		return a.store.src.LineRange(st.object, from, to)
	}
	full, err := a.WithLines(c)
	if err != nil {
		return nil, err
	}
	return clip(full.Lines, from, to), nil
}

// Window returns c for showing lines from to to (1-based, clipped): a
// copy whose Lines has all of c's positions, of which only from..to hold
// their lines (the others are zero Lines), read without the rest when the
// archive keeps its lines outside memory (LineRange). A search result
// shows each hit with a few lines around it; for an archive with its lines
// in memory it is c itself.
func (a *Archive) Window(c *Call, from, to int) (*Call, error) {
	st := a.stored(c)
	if st == nil {
		return c, nil
	}
	from, to = max(from, 1), min(to, st.lines)
	lines, err := a.LineRange(c, from, to)
	if err != nil {
		return nil, err
	}
	cp := *c
	cp.Lines = make([]Line, st.lines)
	copy(cp.Lines[max(from-1, 0):], lines)
	return &cp, nil
}

// clip returns lines[from-1:to], clipped to lines.
func clip(lines []Line, from, to int) []Line {
	from, to = max(from, 1), min(to, len(lines))
	if from > to {
		return nil
	}
	return lines[from-1 : to]
}

// stored returns what a catalog's archive knows of c, or nil when c's lines
// are in memory.
func (a *Archive) stored(c *Call) *storedCall {
	if a == nil || a.store == nil {
		return nil
	}
	return a.store.info[c]
}

// load reads c's lines from its file, checking that the file and its
// sidecar are the ones the catalog describes. It returns the lines and
// about how many bytes of memory they hold.
func (st *storedCall) load(c *Call) ([]Line, int64, error) {
	data, p := readFile(c.Path, MaxFileSize)
	if p != nil {
		return nil, 0, fmt.Errorf("read %s: %s: %w", c.Slug, p.Message, ErrChanged)
	}
	if digest(data) != c.SHA256 {
		return nil, 0, fmt.Errorf("read %s: %s has other content: %w", c.Slug, c.Path, ErrChanged)
	}
	in := input{path: c.Path, data: data}
	in.sidePath, in.sidecar, _ = readSidecar(c.Path, c.Format)
	sideSHA := ""
	if in.sidecar != nil {
		sideSHA = digest(in.sidecar)
	}
	if in.sidePath != st.sidecar || sideSHA != st.sidecarSHA256 {
		return nil, 0, fmt.Errorf("read %s: its metadata sidecar changed: %w", c.Slug, ErrChanged)
	}
	nc, ps := parse(in)
	if nc == nil {
		return nil, 0, fmt.Errorf("read %s: %w: %w", c.Slug, ps, ErrChanged)
	}
	if len(nc.Lines) != st.lines {
		return nil, 0, fmt.Errorf("read %s: %d lines, the catalog says %d: %w", c.Slug, len(nc.Lines), st.lines, ErrChanged)
	}
	size := int64(len(data)) + int64(len(nc.Lines))*int64(unsafe.Sizeof(Line{}))
	return nc.Lines, size, nil
}

// lineCache keeps the lines of the calls most recently asked for, up to
// about max bytes, and reads each call once however many ask at a time.
type lineCache struct {
	max int64

	mu    sync.Mutex
	bytes int64
	order *list.List // of *cacheEntry, most recently used first
	byKey map[*Call]*list.Element
}

type cacheEntry struct {
	key   *Call
	ready chan struct{} // closed once lines, size and err are set
	lines []Line
	size  int64
	err   error
}

func newLineCache(max int64) *lineCache {
	return &lineCache{max: max, order: list.New(), byKey: map[*Call]*list.Element{}}
}

// peek returns the lines of key when they are cached and loaded, without
// loading them.
func (lc *lineCache) peek(key *Call) ([]Line, bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	el, ok := lc.byKey[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*cacheEntry)
	select {
	case <-e.ready:
		if e.err == nil {
			lc.order.MoveToFront(el)
			return e.lines, true
		}
	default:
	}
	return nil, false
}

// get returns the lines of key, calling load when they are not cached.
func (lc *lineCache) get(key *Call, load func() ([]Line, int64, error)) ([]Line, error) {
	lc.mu.Lock()
	if el, ok := lc.byKey[key]; ok {
		lc.order.MoveToFront(el)
		e := el.Value.(*cacheEntry)
		lc.mu.Unlock()
		<-e.ready
		return e.lines, e.err
	}
	e := &cacheEntry{key: key, ready: make(chan struct{})}
	el := lc.order.PushFront(e)
	lc.byKey[key] = el
	lc.mu.Unlock()

	lines, size, err := load()
	e.lines, e.err = lines, err // read by waiters once ready is closed
	close(e.ready)

	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.byKey[key] != el { // evicted while loading
		return e.lines, e.err
	}
	if e.err != nil { // not cached: the next request tries again
		lc.order.Remove(el)
		delete(lc.byKey, key)
		return nil, e.err
	}
	// The size is set under the lock: eviction reads it, also for
	// entries still loading (0 until then).
	e.size = size
	lc.bytes += e.size
	for lc.bytes > lc.max {
		back := lc.order.Back()
		if back == nil || back == el {
			break
		}
		old := back.Value.(*cacheEntry)
		lc.order.Remove(back)
		delete(lc.byKey, old.key)
		lc.bytes -= old.size // 0 while still loading
	}
	return e.lines, nil
}

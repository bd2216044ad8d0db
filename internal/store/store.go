package store

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"
	"unsafe"

	lru "github.com/hashicorp/golang-lru/v2"

	"backchannel/internal/durable"
	"backchannel/internal/transcript"
)

// Epoch changes whenever the parsers read the same file into other lines
// or the object layout changes: the same file is then a new object.
const Epoch = 1

const (
	magic      = "bchcall1"
	prefixSize = len(magic) + 4 + 4
	// maxHeader and maxLines bound what a damaged object can make a
	// reader allocate.
	maxHeader = 64 << 20
	maxLines  = 1 << 24
)

// ErrNotFound means the store has no object of that key.
var ErrNotFound = errors.New("no such object in the line store")

// ErrDamaged means an object's bytes are not an object.
var ErrDamaged = errors.New("damaged object in the line store")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// Store is a folder of objects. It is safe for concurrent use.
type Store struct {
	dir string
	// open keeps the most recently read objects open, with their layout
	// (KeepOpen); nil: each read opens its object.
	open atomic.Pointer[lru.Cache[string, *object]]
}

// object is an open object and its layout.
type object struct {
	f       *os.File
	hlen, n int
}

// Open returns the store in dir; the folder is made when the first object
// is written.
func Open(dir string) *Store { return &Store{dir: dir} }

// KeepOpen makes s keep up to n of the objects it read last open, with
// their layout read once: a search result reads a few lines of each of
// its hits' calls, and an open, three reads and a close per hit were a
// fifth of a search request's CPU. Objects never change, so an open one
// is never stale. Close closes them. It returns s.
func (s *Store) KeepOpen(n int) *Store {
	c, err := lru.NewWithEvict(n, func(_ string, o *object) { o.f.Close() })
	if err == nil {
		s.open.Store(c)
	}
	return s
}

// Close closes the objects KeepOpen kept open; the store still reads
// afterwards, opening each object per read.
func (s *Store) Close() error {
	if c := s.open.Swap(nil); c != nil {
		c.Purge()
	}
	return nil
}

// Dir is the store's folder.
func (s *Store) Dir() string { return s.dir }

// Key names the object of a call parsed from a file of the given format
// and SHA-256, with the sidecar of the given SHA-256 ("" when it has
// none).
func Key(format, fileSHA256, sidecarSHA256 string) string {
	h := sha256.New()
	fmt.Fprintf(h, "backchannel call\x00%d\x00%s\x00%s\x00%s", Epoch, format, fileSHA256, sidecarSHA256)
	return hex.EncodeToString(h.Sum(nil))
}

// path is where the object key lives. A key that is not 64 hex digits
// names no object.
func (s *Store) path(key string) (string, error) {
	if len(key) != 64 {
		return "", fmt.Errorf("object %q: %w", key, ErrNotFound)
	}
	if _, err := hex.DecodeString(key); err != nil {
		return "", fmt.Errorf("object %q: %w", key, ErrNotFound)
	}
	return filepath.Join(s.dir, key[:2], key[2:]), nil
}

// Has reports whether the object key is in the store.
func (s *Store) Has(key string) bool {
	p, err := s.path(key)
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// header is what an object keeps of a call besides its lines: every field
// of Call but Lines and Path (the file it was read from is the build's
// business, not the content's).
type header transcript.Call

// Put writes c (its header and lines) as object key, unless the store has
// it already. The object's bytes are durable when Put returns; its name is
// once Sync returns.
func (s *Store) Put(key string, c *transcript.Call) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	b, err := encode(c)
	if err != nil {
		return fmt.Errorf("store %s: %w", c.Slug, err)
	}
	if err := writeObject(p, b); err != nil {
		return fmt.Errorf("store %s: %w", c.Slug, err)
	}
	return nil
}

func encode(c *transcript.Call) ([]byte, error) {
	h := header(*c)
	h.Lines, h.Path = nil, ""
	hb, err := json.Marshal(&h)
	if err != nil {
		return nil, err
	}
	n := len(c.Lines)
	lines := make([][]byte, n)
	size := 0
	for i := range c.Lines {
		if lines[i], err = json.Marshal(&c.Lines[i]); err != nil {
			return nil, err
		}
		size += len(lines[i])
	}
	if uint64(size) > 1<<32-1 {
		return nil, errors.New("lines too large for an object")
	}
	b := make([]byte, 0, prefixSize+4*(n+1)+len(hb)+size+4)
	b = append(b, magic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(len(hb)))
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	off := 0
	for i := range n {
		b = binary.LittleEndian.AppendUint32(b, uint32(off))
		off += len(lines[i])
	}
	b = binary.LittleEndian.AppendUint32(b, uint32(off))
	b = append(b, hb...)
	for _, l := range lines {
		b = append(b, l...)
	}
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable)), nil
}

// Sync makes the objects written so far durable under their names: it
// syncs every folder of the store (Put syncs each object's bytes, not the
// folder that names it). A build calls it once, after writing its objects
// and before anything refers to them.
func (s *Store) Sync() error {
	entries, err := os.ReadDir(s.dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sync line store: %w", err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if err := durable.SyncDir(filepath.Join(s.dir, e.Name())); err != nil {
			return fmt.Errorf("sync line store: %w", err)
		}
		if e.Name() == sourceDir {
			sub, _ := os.ReadDir(filepath.Join(s.dir, sourceDir))
			for _, f := range sub {
				if err := durable.SyncDir(filepath.Join(s.dir, sourceDir, f.Name())); err != nil {
					return fmt.Errorf("sync line store: %w", err)
				}
			}
		}
	}
	if err := durable.SyncDir(s.dir); err != nil {
		return fmt.Errorf("sync line store: %w", err)
	}
	return nil
}

// PutSource keeps data, the bytes of a transcript file whose SHA-256 is
// sha256, unless the store has them: a version's file as published, byte
// for byte (a mirror ships it; its digest is the version's name).
func (s *Store) PutSource(sha256hex string, data []byte) error {
	p, err := s.sourcePath(sha256hex)
	if err != nil {
		return err
	}
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != sha256hex {
		return fmt.Errorf("store source %s: the bytes have another digest", sha256hex)
	}
	if err := writeObject(p, data); err != nil {
		return fmt.Errorf("store source %s: %w", sha256hex, err)
	}
	return nil
}

// Source returns the bytes of the transcript file whose SHA-256 is
// sha256hex, checked against it.
func (s *Store) Source(sha256hex string) ([]byte, error) {
	p, err := s.sourcePath(sha256hex)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("source %s: %w", sha256hex, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("source %s: %w", sha256hex, err)
	}
	if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != sha256hex {
		return nil, fmt.Errorf("source %s (%s): %w: its bytes have another digest", sha256hex, p, ErrDamaged)
	}
	return b, nil
}

// HasSource reports whether the store keeps the file of that SHA-256.
func (s *Store) HasSource(sha256hex string) bool {
	p, err := s.sourcePath(sha256hex)
	if err != nil {
		return false
	}
	_, err = os.Stat(p)
	return err == nil
}

// sourcePath is where the file of digest sha256hex is kept.
func (s *Store) sourcePath(sha256hex string) (string, error) {
	p, err := s.path(sha256hex)
	if err != nil {
		return "", err
	}
	rel, _ := filepath.Rel(s.dir, p)
	return filepath.Join(s.dir, sourceDir, rel), nil
}

// sourceDir holds the files, apart from the parsed objects.
const sourceDir = "source"

// Remove removes object key (a damaged one, to be written again).
func (s *Store) Remove(key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove object %s: %w", key, err)
	}
	return nil
}

// writeObject writes an object's bytes at path, making its folder first:
// the name holds the whole object or nothing.
func writeObject(path string, b []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	return durable.Replace(path, b)
}

// Call returns object key whole: the call's header and every line,
// checked against the object's checksum.
func (s *Store) Call(key string) (*transcript.Call, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("object %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", key, err)
	}
	c, err := decode(b)
	if err != nil {
		return nil, fmt.Errorf("object %s (%s): %w", key, p, err)
	}
	return c, nil
}

// Lines returns every line of object key and about how many bytes of
// memory they hold (for a cache's bound).
func (s *Store) Lines(key string) ([]transcript.Line, int64, error) {
	c, err := s.Call(key)
	if err != nil {
		return nil, 0, err
	}
	size := int64(len(c.Lines)) * int64(unsafe.Sizeof(transcript.Line{}))
	for _, l := range c.Lines {
		size += int64(len(l.Text) + len(l.Speaker))
	}
	return c.Lines, size, nil
}

func decode(b []byte) (*transcript.Call, error) {
	if len(b) < prefixSize+8 || string(b[:len(magic)]) != magic {
		return nil, fmt.Errorf("%w: not an object", ErrDamaged)
	}
	end := len(b) - 4
	if crc32.Checksum(b[:end], crcTable) != binary.LittleEndian.Uint32(b[end:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrDamaged)
	}
	hlen, n, err := prefix(b[:prefixSize])
	if err != nil {
		return nil, err
	}
	offEnd := prefixSize + 4*(n+1)
	dataStart := offEnd + hlen
	if dataStart > end {
		return nil, fmt.Errorf("%w: truncated", ErrDamaged)
	}
	var h header
	if err := json.Unmarshal(b[offEnd:dataStart], &h); err != nil {
		return nil, fmt.Errorf("%w: header: %w", ErrDamaged, err)
	}
	c := transcript.Call(h)
	offs := b[prefixSize:offEnd]
	data := b[dataStart:end]
	if n > 0 {
		c.Lines = make([]transcript.Line, n)
	}
	for i := range n {
		from, to := int(binary.LittleEndian.Uint32(offs[4*i:])), int(binary.LittleEndian.Uint32(offs[4*i+4:]))
		if from > to || to > len(data) {
			return nil, fmt.Errorf("%w: line %d out of bounds", ErrDamaged, i+1)
		}
		if err := json.Unmarshal(data[from:to], &c.Lines[i]); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrDamaged, i+1, err)
		}
	}
	return &c, nil
}

// prefix reads an object's header length and line count.
func prefix(b []byte) (hlen, n int, err error) {
	if len(b) < prefixSize || string(b[:len(magic)]) != magic {
		return 0, 0, fmt.Errorf("%w: not an object", ErrDamaged)
	}
	h, c := binary.LittleEndian.Uint32(b[len(magic):]), binary.LittleEndian.Uint32(b[len(magic)+4:])
	if h > maxHeader || c > maxLines {
		return 0, 0, fmt.Errorf("%w: header of %d bytes, %d lines", ErrDamaged, h, c)
	}
	return int(h), int(c), nil
}

// LineRange returns the lines at positions from to to (1-based, both
// included, clipped to the call's lines) of object key, reading only
// those. It is how a search result shows a hit and the lines around it.
func (s *Store) LineRange(key string, from, to int) ([]transcript.Line, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, err
	}
	cache := s.open.Load()
	if cache != nil {
		if o, ok := cache.Get(key); ok {
			lines, err := lineRange(o.f, o.hlen, o.n, from, to)
			if !errors.Is(err, os.ErrClosed) { // evicted meanwhile: read it afresh
				return lines, wrapObjectErr(key, p, err)
			}
		}
	}
	o, err := openObject(key, p)
	if err != nil {
		return nil, err
	}
	lines, err := lineRange(o.f, o.hlen, o.n, from, to)
	if cache == nil || err != nil {
		o.f.Close()
	} else if _, ok, _ := cache.PeekOrAdd(key, o); ok {
		o.f.Close() // another reader opened it first
	}
	return lines, wrapObjectErr(key, p, err)
}

func wrapObjectErr(key, path string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("object %s (%s): %w", key, path, err)
}

// openObject opens the object key at path and reads its layout.
func openObject(key, path string) (*object, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("object %s: %w", key, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("object %s: %w", key, err)
	}
	var pre [prefixSize]byte
	if _, err := f.ReadAt(pre[:], 0); err != nil {
		f.Close()
		return nil, wrapObjectErr(key, path, fmt.Errorf("%w: %w", ErrDamaged, err))
	}
	hlen, n, err := prefix(pre[:])
	if err != nil {
		f.Close()
		return nil, wrapObjectErr(key, path, err)
	}
	return &object{f: f, hlen: hlen, n: n}, nil
}

// lineRange reads lines from..to of an object with a header of hlen bytes
// and n lines.
func lineRange(f io.ReaderAt, hlen, n, from, to int) ([]transcript.Line, error) {
	from, to = max(from, 1), min(to, n)
	if from > to {
		return nil, nil
	}
	// The offsets of lines from..to and of the end of line to.
	offs := make([]byte, 4*(to-from+2))
	if _, err := f.ReadAt(offs, int64(prefixSize+4*(from-1))); err != nil {
		return nil, fmt.Errorf("%w: offsets: %w", ErrDamaged, err)
	}
	first := int64(binary.LittleEndian.Uint32(offs))
	last := int64(binary.LittleEndian.Uint32(offs[len(offs)-4:]))
	if first > last || last-first > 1<<30 {
		return nil, fmt.Errorf("%w: offsets out of order", ErrDamaged)
	}
	dataStart := int64(prefixSize + 4*(n+1) + hlen)
	data := make([]byte, last-first)
	if _, err := f.ReadAt(data, dataStart+first); err != nil {
		return nil, fmt.Errorf("%w: lines: %w", ErrDamaged, err)
	}
	out := make([]transcript.Line, to-from+1)
	for i := range out {
		a := int64(binary.LittleEndian.Uint32(offs[4*i:])) - first
		b := int64(binary.LittleEndian.Uint32(offs[4*i+4:])) - first
		if a > b || b > int64(len(data)) {
			return nil, fmt.Errorf("%w: line %d out of bounds", ErrDamaged, from+i)
		}
		if err := json.Unmarshal(data[a:b], &out[i]); err != nil {
			return nil, fmt.Errorf("%w: line %d: %w", ErrDamaged, from+i, err)
		}
	}
	return out, nil
}

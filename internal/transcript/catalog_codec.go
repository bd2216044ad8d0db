package transcript

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"maps"
	"slices"
	"time"
	"unsafe"
)

// The catalog's file format. A server reads it on every start, so it is
// read without reflection and with one allocation for all its text:
//
//	magic "backchannel catalog\n"
//	uvarint version (catalogVersion)
//	body: the Catalog's fields in order (below)
//	CRC-32C of everything before it, 4 bytes little-endian
//
// Strings are a uvarint length and the bytes; integers are varints (zig-zag
// for signed ones); a list is a uvarint count and its elements; a nil list
// and an empty one are both written as 0 and read as nil (as gob did).
// Any change to the body's layout changes catalogVersion: a catalog of
// another version, or a file that is not a catalog (an older catalog.gob,
// a damaged file), is refused, never misread.
//
// At a million lines (4,445 calls, a 3 MB file) gob decoded it in about
// 20 ms; this reads it in a few (BenchmarkReadCatalog).
const catalogMagic = "backchannel catalog\n"

// errCatalogFormat means the bytes are not a catalog this code can read.
var errCatalogFormat = errors.New("not a catalog in the current format")

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// encodeCatalog returns the file's bytes for cat.
func encodeCatalog(cat *Catalog) []byte {
	e := catalogEncoder{b: make([]byte, 0, 64<<10)}
	e.b = append(e.b, catalogMagic...)
	e.uvarint(uint64(cat.Version))
	e.body(cat)
	return appendChecksum(e.b)
}

// appendChecksum appends the CRC-32C of b to b.
func appendChecksum(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, crcTable))
}

// decodeCatalog reads the bytes encodeCatalog wrote. The catalog's strings
// share b's memory: b must never be modified once passed.
func decodeCatalog(b []byte) (*Catalog, error) {
	if len(b) < len(catalogMagic)+1+4 || string(b[:len(catalogMagic)]) != catalogMagic {
		return nil, errCatalogFormat
	}
	n := len(b) - 4
	if crc32.Checksum(b[:n], crcTable) != binary.LittleEndian.Uint32(b[n:]) {
		return nil, fmt.Errorf("%w: checksum mismatch (damaged)", errCatalogFormat)
	}
	// Every string of the catalog is a part of b, which is never written
	// again (copying it cost more than the rest of the decoding).
	body := b[len(catalogMagic):n]
	d := catalogDecoder{s: unsafe.String(unsafe.SliceData(body), len(body))}
	v := d.uvarint()
	if d.err == nil && v != catalogVersion {
		return nil, fmt.Errorf("%w: version %d, want %d", errCatalogFormat, v, catalogVersion)
	}
	cat := &Catalog{Version: int(v)}
	d.body(cat)
	if d.err == nil && d.pos != len(d.s) {
		d.fail("%d bytes after the end", len(d.s)-d.pos)
	}
	if d.err != nil {
		return nil, d.err
	}
	return cat, nil
}

type catalogEncoder struct{ b []byte }

func (e *catalogEncoder) uvarint(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *catalogEncoder) varint(v int64)   { e.b = binary.AppendVarint(e.b, v) }
func (e *catalogEncoder) str(s string) {
	e.uvarint(uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *catalogEncoder) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

// body writes the catalog's fields; catalogDecoder.body reads them in the
// same order.
func (e *catalogEncoder) body(cat *Catalog) {
	s := &cat.Snapshot
	e.str(s.Dir)
	e.str(s.Abs)
	e.varint(s.Taken.Unix())
	e.uvarint(uint64(s.Taken.Nanosecond()))
	e.uvarint(uint64(len(s.Files)))
	for _, f := range s.Files {
		e.str(f.Path)
		e.varint(f.Size)
		e.uvarint(uint64(f.Mode))
		e.varint(f.Mtime)
		e.varint(f.Ctime)
		e.uvarint(f.Ino)
		e.str(f.Err)
	}
	e.strs(cat.Racy)
	e.str(cat.Hash)
	e.uvarint(uint64(len(cat.Calls)))
	for i := range cat.Calls {
		c := &cat.Calls[i]
		e.str(c.Slug)
		e.str(c.Title)
		e.str(c.Date)
		e.str(c.Language)
		e.str(string(c.Completeness))
		e.str(string(c.Order))
		e.str(c.Source.Publisher)
		e.str(c.Source.URL)
		e.str(c.Source.Published)
		e.str(c.Source.Note)
		e.uvarint(uint64(len(c.Participants)))
		for _, p := range c.Participants {
			e.str(p.ID)
			e.str(p.Name)
			e.str(p.Role)
			e.strs(p.Labels)
			e.strs(p.Aliases)
		}
		e.str(c.Summary)
		e.str(c.Media)
		r := &c.Record
		e.str(r.Kind)
		e.str(r.Classification)
		e.strs(r.Declassification)
		e.str(r.Time)
		e.str(r.Place)
		e.strs(r.Authors)
		e.str(r.Statement)
		e.strs(r.Boilerplate)
		e.str(c.Path)
		e.str(c.SHA256)
		e.str(c.Format)
		e.varint(int64(c.Lines))
		e.uvarint(uint64(len(c.Turns)))
		for _, id := range slices.Sorted(maps.Keys(c.Turns)) {
			e.str(id)
			e.varint(int64(c.Turns[id]))
		}
		e.str(c.Sidecar)
		e.str(c.SidecarSHA256)
		e.str(c.Object)
	}
	e.uvarint(uint64(len(cat.Warnings)))
	for _, p := range cat.Warnings {
		e.str(p.Path)
		e.varint(int64(p.Line))
		e.varint(int64(p.Col))
		e.varint(int64(p.Severity))
		e.str(p.Message)
	}
}

// catalogDecoder reads a catalog's body from s. The first error stops it:
// every later read returns zero values.
type catalogDecoder struct {
	s   string
	pos int
	err error

	// Pools from which the many short lists are cut, instead of one
	// allocation each.
	participants []Participant
	labels       []string
}

func (d *catalogDecoder) fail(format string, args ...any) {
	if d.err == nil {
		d.err = fmt.Errorf("%w: at byte %d: %s", errCatalogFormat, len(catalogMagic)+d.pos, fmt.Sprintf(format, args...))
	}
}

func (d *catalogDecoder) uvarint() uint64 {
	if d.err != nil {
		return 0
	}
	var v uint64
	for shift := uint(0); ; shift += 7 {
		if d.pos >= len(d.s) {
			d.fail("truncated")
			return 0
		}
		c := d.s[d.pos]
		d.pos++
		if shift == 63 && c > 1 {
			d.fail("integer overflows")
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
}

func (d *catalogDecoder) varint() int64 {
	u := d.uvarint()
	return int64(u>>1) ^ -int64(u&1)
}

// small reads a non-negative int that fits an int.
func (d *catalogDecoder) small() int {
	v := d.varint()
	if v < 0 || v > 1<<31-1 {
		d.fail("count %d out of range", v)
		return 0
	}
	return int(v)
}

// count reads a list's length, each of whose elements takes at least min
// bytes, so a damaged count cannot ask for more memory than the file
// could describe.
func (d *catalogDecoder) count(min int) int {
	n := d.uvarint()
	if rest := uint64(len(d.s) - d.pos); d.err == nil && n > rest/uint64(min) {
		d.fail("list of %d in %d bytes", n, rest)
		return 0
	}
	return int(n)
}

func (d *catalogDecoder) str() string {
	n := d.uvarint()
	if d.err != nil {
		return ""
	}
	if n > uint64(len(d.s)-d.pos) {
		d.fail("string of %d bytes in %d", n, len(d.s)-d.pos)
		return ""
	}
	s := d.s[d.pos : d.pos+int(n)]
	d.pos += int(n)
	return s
}

func (d *catalogDecoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	out := cut(&d.labels, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// cut returns the next n elements of *pool, with no room to append into
// the next ones, refilling the pool when it has fewer than n left.
func cut[T any](pool *[]T, n int) []T {
	p := *pool
	if cap(p)-len(p) < n {
		p = make([]T, 0, max(n, 1024))
	}
	out := p[len(p) : len(p)+n : len(p)+n]
	*pool = p[:len(p)+n]
	return out
}

// Least bytes of a file state, a call, a participant and a problem.
const (
	minFileBytes        = 7
	minCallBytes        = 28
	minParticipantBytes = 5
	minProblemBytes     = 5
)

func (d *catalogDecoder) body(cat *Catalog) {
	s := &cat.Snapshot
	s.Dir = d.str()
	s.Abs = d.str()
	sec := d.varint()
	if nsec := d.uvarint(); nsec < 1e9 {
		s.Taken = time.Unix(sec, int64(nsec))
	} else {
		d.fail("%d nanoseconds", nsec)
	}
	if n := d.count(minFileBytes); n > 0 {
		s.Files = make([]fileState, n)
		for i := range s.Files {
			f := &s.Files[i]
			f.Path = d.str()
			f.Size = d.varint()
			f.Mode = uint32(d.uvarint())
			f.Mtime = d.varint()
			f.Ctime = d.varint()
			f.Ino = d.uvarint()
			f.Err = d.str()
		}
	}
	if n := d.count(1); n > 0 {
		cat.Racy = make([]string, n)
		for i := range cat.Racy {
			cat.Racy[i] = d.str()
		}
	}
	cat.Hash = d.str()
	if n := d.count(minCallBytes); n > 0 {
		cat.Calls = make([]catalogCall, n)
		for i := range cat.Calls {
			d.call(&cat.Calls[i])
		}
	}
	if n := d.count(minProblemBytes); n > 0 {
		cat.Warnings = make(Problems, n)
		for i := range cat.Warnings {
			p := &cat.Warnings[i]
			p.Path = d.str()
			p.Line = int(d.varint())
			p.Col = int(d.varint())
			p.Severity = Severity(d.varint())
			p.Message = d.str()
		}
	}
}

func (d *catalogDecoder) call(c *catalogCall) {
	c.Slug = d.str()
	c.Title = d.str()
	c.Date = d.str()
	c.Language = d.str()
	c.Completeness = Completeness(d.str())
	c.Order = Order(d.str())
	c.Source.Publisher = d.str()
	c.Source.URL = d.str()
	c.Source.Published = d.str()
	c.Source.Note = d.str()
	if n := d.count(minParticipantBytes); n > 0 {
		c.Participants = cut(&d.participants, n)
		for i := range c.Participants {
			p := &c.Participants[i]
			p.ID = d.str()
			p.Name = d.str()
			p.Role = d.str()
			p.Labels = d.strs()
			p.Aliases = d.strs()
		}
	}
	c.Summary = d.str()
	c.Media = d.str()
	r := &c.Record
	r.Kind = d.str()
	r.Classification = d.str()
	r.Declassification = d.strs()
	r.Time = d.str()
	r.Place = d.str()
	r.Authors = d.strs()
	r.Statement = d.str()
	r.Boilerplate = d.strs()
	c.Path = d.str()
	c.SHA256 = d.str()
	c.Format = d.str()
	c.Lines = d.small()
	if n := d.count(2); n > 0 {
		c.Turns = make(map[string]int, n)
		for range n {
			id := d.str()
			c.Turns[id] = d.small()
		}
	}
	c.Sidecar = d.str()
	c.SidecarSHA256 = d.str()
	c.Object = d.str()
}

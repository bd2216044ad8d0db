package index

import (
	"backchannel/internal/durable"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/blevesearch/bleve/v2/search"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/mmap-go"
)

// Dense words: the few dozen words on at least denseMinShare of the lines
// ("the" is on 78% of a million synthetic lines). A phrase with one of
// them and a rarer word ("preziom the") was the slow tail of phrase
// search (issue 6: 25-45 ms at 1M lines): Bleve reads the positions of
// the dense word by stepping through its postings (zap skips whole chunks
// only when it reads no frequencies), so "the" costs ~780,000 postings
// whatever the rare word. Each build therefore keeps the positions of the
// dense words line by line, by document number, in denseFile; a phrase
// with dense words is searched as the phrase of its other words (dense
// ones as "any word here"), and each hit is kept only when the dense
// words are where the phrase puts them. The same lines match.

const (
	denseFile     = "dense.bin"
	denseMagic    = "BCDENS1\n"
	denseMinShare = 0.05 // a word on this share of lines is dense...
	denseMinDocs  = 20000
	maxDenseWords = 64
	denseWindow   = 1 << 17 // documents collected at a time while writing
	maxDensePos   = 1<<24 - 1
)

// denseWords are the dense words' positions by document.
type denseWords struct {
	words map[string]uint8 // word → its number
	docs  int
	offs  []byte // docs+1 little-endian uint32 offsets into data
	data  []byte // per document: (uvarint position delta, word number)...
	m     mmap.MMap
}

// computeDense writes denseFile for the finished index in dir: the words
// on at least max(minDocs, denseMinShare of the lines) lines, and where
// each occurs, read from their postings in document order.
func computeDense(ctx context.Context, dir string, minDocs int) error {
	x, err := openBleve(dir)
	if err != nil {
		return err
	}
	defer x.Close()
	n, err := x.reader.DocCount()
	if err != nil {
		return err
	}
	threshold := max(uint64(minDocs), uint64(denseMinShare*float64(n)))
	dict, err := x.reader.FieldDict(fieldText)
	if err != nil {
		return err
	}
	type wc struct {
		w string
		n uint64
	}
	var cands []wc
	for {
		e, err := dict.Next()
		if err != nil {
			_ = dict.Close()
			return err
		}
		if e == nil {
			break
		}
		if e.Count >= threshold && isWordTerm(e.Term) && len(e.Term) < 256 {
			cands = append(cands, wc{e.Term, e.Count})
		}
	}
	_ = dict.Close()
	slices.SortFunc(cands, func(a, b wc) int { return cmp.Or(cmp.Compare(b.n, a.n), cmp.Compare(a.w, b.w)) })
	cands = cands[:min(len(cands), maxDenseWords)]

	type cursor struct {
		r   index.TermFieldReader
		cur *index.TermFieldDoc
	}
	curs := make([]cursor, len(cands))
	defer func() {
		for _, c := range curs {
			if c.r != nil {
				_ = c.r.Close()
			}
		}
	}()
	for i, c := range cands {
		r, err := x.reader.TermFieldReader(ctx, []byte(c.w), fieldText, true, false, true)
		if err != nil {
			return err
		}
		curs[i].r = r
		if curs[i].cur, err = r.Next(&index.TermFieldDoc{}); err != nil {
			return err
		}
	}
	buf := []byte(denseMagic)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(cands)))
	for _, c := range cands {
		buf = append(buf, byte(len(c.w)))
		buf = append(buf, c.w...)
	}
	var offs, data []byte
	var ents []uint64 // doc<<32 | pos<<8 | word
	docs := uint64(0)
	for lo := uint64(0); ; lo += denseWindow {
		if err := ctx.Err(); err != nil {
			return err
		}
		hi := lo + denseWindow
		ents = ents[:0]
		more := false
		for w := range curs {
			c := &curs[w]
			for c.cur != nil && c.cur.ID.Value() < hi {
				doc := c.cur.ID.Value()
				for _, v := range c.cur.Vectors {
					if v.Field != fieldText {
						continue
					}
					if v.Pos > maxDensePos || doc > 1<<31 {
						return nil // cannot be kept: phrases are searched as before
					}
					ents = append(ents, doc<<32|v.Pos<<8|uint64(w))
				}
				if c.cur, err = c.r.Next(c.cur); err != nil {
					return err
				}
			}
			more = more || c.cur != nil
		}
		slices.Sort(ents)
		last := uint64(0)
		for _, e := range ents {
			doc, pos := e>>32, e>>8&maxDensePos
			for ; docs <= doc; docs++ {
				offs = binary.LittleEndian.AppendUint32(offs, uint32(len(data)))
				last = 0
			}
			data = binary.AppendUvarint(data, pos-last)
			data = append(data, byte(e))
			last = pos
		}
		if uint64(len(data)) > 1<<32-1 {
			return nil // too big to address: phrases are searched as before
		}
		if !more {
			break
		}
	}
	offs = binary.LittleEndian.AppendUint32(offs, uint32(len(data)))
	buf = binary.LittleEndian.AppendUint32(buf, uint32(docs))
	buf = append(buf, offs...)
	buf = append(buf, data...)
	return durable.Create(filepath.Join(dir, denseFile), buf)
}

// openDense maps denseFile of the index in dir; nil when the build made
// none.
func openDense(dir string) (*denseWords, error) {
	d, m, err := mapIndexFile(dir, denseFile, parseDense)
	if d != nil {
		d.m = m
	}
	return d, err
}

// mapIndexFile maps the file name of the index in dir read-only and
// parses it; the zero T and no error when the build wrote none. A file
// that does not parse is unmapped.
func mapIndexFile[T any](dir, name string, parse func([]byte) (T, error)) (T, mmap.MMap, error) {
	var zero T
	f, err := os.Open(filepath.Join(dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return zero, nil, nil
	}
	if err != nil {
		return zero, nil, err
	}
	defer f.Close()
	m, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		return zero, nil, fmt.Errorf("%s: %w", name, err)
	}
	v, err := parse(m)
	if err != nil {
		_ = m.Unmap()
		return zero, nil, fmt.Errorf("%s: %w", name, err)
	}
	return v, m, nil
}

func parseDense(b []byte) (*denseWords, error) {
	bad := errors.New("not a dense-words file")
	if len(b) < len(denseMagic)+4 || string(b[:len(denseMagic)]) != denseMagic {
		return nil, bad
	}
	b = b[len(denseMagic):]
	nw := int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if nw > maxDenseWords {
		return nil, bad
	}
	d := &denseWords{words: make(map[string]uint8, nw)}
	for i := range nw {
		if len(b) < 1 || len(b) < 1+int(b[0]) {
			return nil, bad
		}
		d.words[string(b[1:1+int(b[0])])] = uint8(i)
		b = b[1+int(b[0]):]
	}
	if len(b) < 4 {
		return nil, bad
	}
	d.docs = int(binary.LittleEndian.Uint32(b))
	b = b[4:]
	if len(b) < 4*(d.docs+1) {
		return nil, bad
	}
	d.offs, d.data = b[:4*(d.docs+1)], b[4*(d.docs+1):]
	if int(binary.LittleEndian.Uint32(d.offs[4*d.docs:])) != len(d.data) {
		return nil, bad
	}
	return d, nil
}

func (d *denseWords) close() error {
	if d == nil || d.m == nil {
		return nil
	}
	return d.m.Unmap()
}

// at reports whether dense word w is at position pos of document doc.
func (d *denseWords) at(doc uint64, pos uint64, w uint8) bool {
	if doc >= uint64(d.docs) {
		return false
	}
	lo := binary.LittleEndian.Uint32(d.offs[4*doc:])
	hi := binary.LittleEndian.Uint32(d.offs[4*doc+4:])
	if lo > hi || int(hi) > len(d.data) {
		return false
	}
	b := d.data[lo:hi]
	p := uint64(0)
	for len(b) > 0 {
		delta, n := uint64(b[0]), 1 // most deltas are one byte
		if delta >= 0x80 {
			delta, n = binary.Uvarint(b)
		}
		if n <= 0 || n >= len(b) {
			return false
		}
		p += delta
		if p == pos && b[n] == w {
			return true
		}
		if p > pos {
			return false
		}
		b = b[n+1:]
	}
	return false
}

// phraseCheck is a phrase searched without its dense words: each hit
// must also have them where the phrase puts them.
type phraseCheck struct {
	terms  []string // the word at each offset of the phrase
	dense  []int    // its dense-word number, or -1
	anchor int      // the first offset with a word that is not dense
}

// densePhrase returns the phrase toks as the phrase of its words that are
// not dense ("" for a dense one: any word), and the check its hits must
// pass; ok is false when toks have no dense word or only dense words.
func (x *Index) densePhrase(toks []qtok) (q *phraseCheck, terms []string, ok bool) {
	if x.dense == nil || len(toks) < 2 {
		return nil, nil, false
	}
	c := &phraseCheck{terms: make([]string, len(toks)), dense: make([]int, len(toks)), anchor: -1}
	terms = make([]string, len(toks))
	nd := 0
	for i, t := range toks {
		c.terms[i] = t.exact
		c.dense[i] = -1
		if w, isDense := x.dense.words[t.exact]; isDense {
			c.dense[i] = int(w)
			nd++
			continue
		}
		terms[i] = t.exact
		if c.anchor < 0 {
			c.anchor = i
		}
	}
	if nd == 0 || nd == len(toks) {
		return nil, nil, false
	}
	// Leading and trailing "any word" constrain nothing in Bleve.
	first, last := 0, len(terms)-1
	for terms[first] == "" {
		first++
	}
	for terms[last] == "" {
		last--
	}
	return c, terms[first : last+1], true
}

// passes reports whether document doc, whose matched word positions are
// locs, has every check's phrase.
func (d *denseWords) passes(doc uint64, locs []search.FieldTermLocation, checks []*phraseCheck) bool {
next:
	for _, c := range checks {
		for _, l := range locs {
			if l.Field != fieldText || l.Term != c.terms[c.anchor] || l.Location.Pos < uint64(c.anchor)+1 {
				continue
			}
			start := l.Location.Pos - uint64(c.anchor)
			if c.matchesAt(d, doc, start, locs) {
				continue next
			}
		}
		return false
	}
	return true
}

func (c *phraseCheck) matchesAt(d *denseWords, doc, start uint64, locs []search.FieldTermLocation) bool {
	for i, t := range c.terms {
		pos := start + uint64(i)
		if c.dense[i] >= 0 {
			if !d.at(doc, pos, uint8(c.dense[i])) {
				return false
			}
			continue
		}
		if !slices.ContainsFunc(locs, func(l search.FieldTermLocation) bool {
			return l.Field == fieldText && l.Term == t && l.Location.Pos == pos
		}) {
			return false
		}
	}
	return true
}

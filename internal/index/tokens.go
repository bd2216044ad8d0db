package index

import (
	"bufio"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"

	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/mmap-go"
)

// Line tokens: every line's words, by document number, as numbers of the
// text field's terms (a forward index). The word-order bonus (align.go)
// chains the places of a quote's words in each hit. Read from Bleve, those
// places cost the most of a quote search (issue 16): every hit's positions
// of every searched word are decoded, merged and compared as strings. Read
// from here, a hit's words are a few dozen small numbers in one place, and
// the search asks Bleve for scores only. The same places are chained, so
// the same lines rank the same.

const (
	tokensFile   = "tokens.bin"
	tokensMagic  = "BCTOKS6\n"
	tokensWindow = 1 << 17 // documents collected at a time while writing
	maxTokenPos  = 1<<24 - 1
	maxTokenTerm = 1<<23 - 1
)

// lineTokens are the words of every line, by document number.
type lineTokens struct {
	terms []byte // nterms+1 little-endian uint32 offsets, then the terms' bytes, sorted
	ids   []byte // nterms little-endian uint32: each sorted term's number
	nterm int
	docs  int
	offs  []byte // docs+1 little-endian uint32 offsets into data
	norms []byte // docs × 2 little-endian float32: each line's norms in the text and name fields
	data  []byte // per document: (uvarint position delta, uvarint term number)..., by position then term
	m     mmap.MMap
}

// permute returns s in the order of the indexes in order.
func permute[T any](s []T, order []int) []T {
	out := make([]T, len(s))
	for i, j := range order {
		out[i] = s[j]
	}
	return out
}

// nameMark starts a speaker-name term in the line tokens.
const nameMark = "\x00n"

// tokenTerm reports whether t is a term the line tokens keep: words and
// their stems, not word pairs (which the word-order bonus never reads).
func tokenTerm(t string) bool { return !strings.Contains(t, " ") }

// computeTokens writes tokensFile for the finished index in dir. It
// writes none (and searches read positions from Bleve, as before) when the
// index is too big to address this way.
func computeTokens(ctx context.Context, dir string) error {
	x, err := openBleve(dir)
	if err != nil {
		return err
	}
	defer x.Close()
	// The text field's words, and the speaker-name field's terms after
	// nameMark (which sorts before any word).
	var terms []string
	var counts []uint64
	for _, field := range []string{fieldText, fieldName} {
		dict, err := x.reader.FieldDict(field)
		if err != nil {
			return err
		}
		for {
			e, err := dict.Next()
			if err != nil {
				_ = dict.Close()
				return err
			}
			if e == nil {
				break
			}
			if tokenTerm(e.Term) && field == fieldText {
				terms = append(terms, e.Term)
				counts = append(counts, e.Count)
			} else if field == fieldName && !strings.HasPrefix(e.Term, nameMark) {
				terms = append(terms, nameMark+e.Term)
				counts = append(counts, e.Count)
			}
		}
		_ = dict.Close()
	}
	if len(terms) > maxTokenTerm {
		return nil
	}
	// Terms sorted, for lookup; numbered by how many lines have them,
	// most first, so that the common words are one byte in a line.
	order := make([]int, len(terms))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return strings.Compare(terms[a], terms[b]) })
	terms = permute(terms, order)
	counts = permute(counts, order)
	byCount := make([]int, len(terms))
	for i := range byCount {
		byCount[i] = i
	}
	slices.SortStableFunc(byCount, func(a, b int) int { return cmp.Compare(counts[b], counts[a]) })
	ids := make([]uint32, len(terms)) // by sorted term
	for n, i := range byCount {
		ids[i] = uint32(n)
	}
	f, err := os.OpenFile(filepath.Join(dir, tokensFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	w := bufio.NewWriterSize(f, 1<<20)
	head := []byte(tokensMagic)
	head = binary.LittleEndian.AppendUint32(head, uint32(len(terms)))
	off := 0
	for _, t := range terms {
		head = binary.LittleEndian.AppendUint32(head, uint32(off))
		off += len(t)
	}
	head = binary.LittleEndian.AppendUint32(head, uint32(off))
	if _, err := w.Write(head); err != nil {
		return err
	}
	for _, t := range terms {
		if _, err := w.WriteString(t); err != nil {
			return err
		}
	}
	idBytes := make([]byte, 0, 4*len(ids))
	for _, id := range ids {
		idBytes = binary.LittleEndian.AppendUint32(idBytes, id)
	}
	if _, err := w.Write(idBytes); err != nil {
		return err
	}
	// The lines' words, window by window; their offsets after them.
	var offs, data []byte
	var ents []uint64 // doc-lo<<47 | pos<<23 | term
	size := uint64(0)
	docs := uint64(0)
	tfd := &index.TermFieldDoc{}
	// Per document, its text and name fields' norms (float32), as Bleve
	// scores with them.
	var normBytes []byte
	norms, nameNorms := make([]float32, tokensWindow), make([]float32, tokensWindow)
	for lo := uint64(0); ; lo += tokensWindow {
		hi := lo + tokensWindow
		ents = ents[:0]
		clear(norms)
		clear(nameNorms)
		more := false
		for i, t := range terms {
			id := ids[i]
			if i%1024 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			field, norms := fieldText, norms
			if strings.HasPrefix(t, nameMark) {
				t, field, norms = t[len(nameMark):], fieldName, nameNorms
			}
			// The name field keeps no positions: its terms are counted.
			r, err := x.reader.TermFieldReader(ctx, []byte(t), field, field == fieldName, true, field == fieldText)
			if err != nil {
				return err
			}
			d, err := r.Advance(docNumID(lo), tfd.Reset())
			for ; err == nil && d != nil; d, err = r.Next(tfd.Reset()) {
				doc := d.ID.Value()
				if doc >= hi {
					more = true
					break
				}
				if doc-lo < uint64(len(norms)) {
					norms[doc-lo] = float32(d.Norm)
				}
				if field == fieldName {
					for i := range min(d.Freq, 255) {
						ents = append(ents, (doc-lo)<<47|i<<23|uint64(id))
					}
					continue
				}
				for _, v := range d.Vectors {
					if v.Field != field {
						continue
					}
					if v.Pos > maxTokenPos || doc > 1<<31 {
						_ = r.Close()
						return nil // cannot be kept: positions are read from Bleve
					}
					ents = append(ents, (doc-lo)<<47|v.Pos<<23|uint64(id))
				}
			}
			_ = r.Close()
			if err != nil {
				return err
			}
		}
		slices.Sort(ents)
		ents = slices.Compact(ents)
		last := uint64(0)
		data = data[:0]
		for _, e := range ents {
			doc, pos, id := lo+e>>47, e>>23&maxTokenPos, e&maxTokenTerm
			for ; docs <= doc; docs++ {
				offs = binary.LittleEndian.AppendUint32(offs, uint32(size+uint64(len(data))))
				norm, nameNorm := float32(0), float32(0) // a line of no words (before this window: of none)
				if docs >= lo {
					norm, nameNorm = norms[docs-lo], nameNorms[docs-lo]
				}
				normBytes = binary.LittleEndian.AppendUint32(normBytes, math.Float32bits(norm))
				normBytes = binary.LittleEndian.AppendUint32(normBytes, math.Float32bits(nameNorm))
				last = 0
			}
			data = appendToken(data, pos-last, id)
			last = pos
		}
		size += uint64(len(data))
		if size > 1<<32-1 {
			return nil // too big to address: positions are read from Bleve
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
		if !more {
			break
		}
	}
	offs = binary.LittleEndian.AppendUint32(offs, uint32(size))
	offs = append(offs, normBytes...)
	offs = binary.LittleEndian.AppendUint32(offs, uint32(docs))
	if _, err := w.Write(offs); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	// makeIndex syncs the folder's files.
	if err := f.Close(); err != nil {
		return err
	}
	ok = true
	return nil
}

// openTokens maps tokensFile of the index in dir; nil when the build made
// none.
func openTokens(dir string) (*lineTokens, error) {
	t, m, err := mapIndexFile(dir, tokensFile, parseTokens)
	if t != nil {
		t.m = m
	}
	return t, err
}

func parseTokens(b []byte) (*lineTokens, error) {
	bad := errors.New("not a line-tokens file")
	if len(b) < len(tokensMagic)+4 || string(b[:len(tokensMagic)]) != tokensMagic {
		return nil, bad
	}
	b = b[len(tokensMagic):]
	t := &lineTokens{nterm: int(binary.LittleEndian.Uint32(b))}
	b = b[4:]
	if t.nterm > maxTokenTerm || len(b) < 4*(t.nterm+1) {
		return nil, bad
	}
	size := 4*(t.nterm+1) + int(binary.LittleEndian.Uint32(b[4*t.nterm:]))
	if len(b) < size+4 {
		return nil, bad
	}
	t.terms, b = b[:size], b[size:]
	if len(b) < 4*t.nterm {
		return nil, bad
	}
	t.ids, b = b[:4*t.nterm], b[4*t.nterm:]
	// The lines' words, then docs+1 offsets into them, docs norms, and
	// docs.
	if len(b) < 8 {
		return nil, bad
	}
	t.docs = int(binary.LittleEndian.Uint32(b[len(b)-4:]))
	b = b[:len(b)-4]
	if t.docs < 0 || len(b) < 4*(3*t.docs+1) {
		return nil, bad
	}
	b, t.norms = b[:len(b)-8*t.docs], b[len(b)-8*t.docs:]
	t.data, t.offs = b[:len(b)-4*(t.docs+1)], b[len(b)-4*(t.docs+1):]
	if int(binary.LittleEndian.Uint32(t.offs[4*t.docs:])) != len(t.data) {
		return nil, bad
	}
	return t, nil
}

func (t *lineTokens) close() error {
	if t == nil || t.m == nil {
		return nil
	}
	return t.m.Unmap()
}

// term returns the i-th term's bytes.
func (t *lineTokens) term(i int) []byte {
	a := binary.LittleEndian.Uint32(t.terms[4*i:])
	b := binary.LittleEndian.Uint32(t.terms[4*i+4:])
	base := 4 * (t.nterm + 1)
	return t.terms[base+int(a) : base+int(b)]
}

// id returns the number of term s, and whether the file has it.
func (t *lineTokens) id(s string) (uint32, bool) {
	lo, hi := 0, t.nterm
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if string(t.term(m)) < s {
			lo = m + 1
		} else {
			hi = m
		}
	}
	if lo < t.nterm && string(t.term(lo)) == s {
		return binary.LittleEndian.Uint32(t.ids[4*lo:]), true
	}
	return 0, false
}

// norms returns the text and name fields' norms of document doc, as
// Bleve stores and scores them (1/sqrt of the field's length, as a
// float32).
func (t *lineTokens) norms2(doc uint64) [2]float64 {
	if doc >= uint64(t.docs) {
		return [2]float64{}
	}
	return [2]float64{
		float64(math.Float32frombits(binary.LittleEndian.Uint32(t.norms[8*doc:]))),
		float64(math.Float32frombits(binary.LittleEndian.Uint32(t.norms[8*doc+4:]))),
	}
}

// line returns the encoded words of document doc (nil when it has none).
func (t *lineTokens) line(doc uint64) []byte {
	if doc >= uint64(t.docs) {
		return nil
	}
	a := binary.LittleEndian.Uint32(t.offs[4*doc:])
	b := binary.LittleEndian.Uint32(t.offs[4*doc+4:])
	return t.data[a:b]
}

// A line's words are one uvarint each, id<<2 | step: step 0, the next
// place; 1, the same place; 2, a uvarint follows with the places moved.
// A line's places are nearly always one after the other.
func appendToken(b []byte, delta, id uint64) []byte {
	switch delta {
	case 1:
		return binary.AppendUvarint(b, id<<2)
	case 0:
		return binary.AppendUvarint(b, id<<2|1)
	}
	b = binary.AppendUvarint(b, id<<2|2)
	return binary.AppendUvarint(b, delta)
}

// tokenWords are a query's free words as term numbers: for each term of
// the line tokens that is a free word (as typed, or in another
// inflection), the aligner's key of each such word (word<<8, | 1 for
// another inflection), sorted by term.
type tokenWords struct {
	ids  []uint32
	keys []uint64
	// bits has the bit of each id's low bits: most of a line's words
	// are not the query's, and one load tells.
	bits *[tokenBitsMask/64 + 1]uint64
	// first[id] is 1 + the index in ids of id's first entry, 0 for none,
	// for the ids below its length: the common words, numbered first,
	// found with one load.
	first []uint16
}

// index fills tw.bits and tw.first from tw.ids.
func (tw *tokenWords) index() {
	tw.bits = new([tokenBitsMask/64 + 1]uint64)
	n := 0
	if len(tw.ids) > 0 {
		n = min(int(tw.ids[len(tw.ids)-1])+1, 1<<16)
	}
	tw.first = make([]uint16, n)
	for i := len(tw.ids) - 1; i >= 0; i-- {
		id := tw.ids[i]
		tw.bits[id&tokenBitsMask>>6] |= 1 << (id & 63)
		if int(id) < n && i < 1<<16-1 {
			tw.first[id] = uint16(i + 1)
		}
	}
}

// lookup returns the index in tw.ids of id's first entry.
func (tw *tokenWords) lookup(id uint32) (int, bool) {
	if int(id) < len(tw.first) {
		f := tw.first[id]
		return int(f) - 1, f != 0
	}
	if tw.bits[id&tokenBitsMask>>6]&(1<<(id&63)) == 0 {
		return 0, false
	}
	return slices.BinarySearch(tw.ids, id)
}

const tokenBitsMask = 1<<15 - 1

// wordsOf returns words as term numbers. A term is a word as typed
// when it is the word's exact form, and another inflection when it is one
// of its alternatives, as the aligner reads Bleve's locations.
func (t *lineTokens) wordsOf(words []orderWord) tokenWords {
	type ent struct {
		id  uint32
		key uint64
	}
	var ents []ent
	for i, w := range words {
		if id, ok := t.id(w.exact); ok {
			ents = append(ents, ent{id, uint64(i) << 8})
		}
		for _, a := range w.alts {
			if a == w.exact {
				continue
			}
			if id, ok := t.id(a); ok {
				ents = append(ents, ent{id, uint64(i)<<8 | 1})
			}
		}
	}
	slices.SortFunc(ents, func(a, b ent) int {
		if a.id != b.id {
			return int(a.id) - int(b.id)
		}
		return int(a.key) - int(b.key)
	})
	ents = slices.Compact(ents)
	tw := tokenWords{ids: make([]uint32, len(ents)), keys: make([]uint64, len(ents))}
	for i, e := range ents {
		tw.ids[i], tw.keys[i] = e.id, e.key
	}
	tw.index()
	return tw
}

// appendKeys appends the aligner's keys (position<<32 | key) of the
// words of tw in line, the encoded words of one document.
func (tw *tokenWords) appendKeys(keys []uint64, line []byte) []uint64 {
	return tw.scan(keys, nil, line)
}

// scan reads line (the encoded words of a document): it counts each
// slot's term in tf (tw has slots only for the two-pass ranking,
// replica.go) and appends the aligner's keys of the free words.
func (tw *tokenWords) scan(keys []uint64, tf []int, line []byte) []uint64 {
	if len(tw.ids) == 0 {
		return keys
	}
	first := tw.first
	pos := uint64(0)
	for i := 0; i < len(line); {
		v := uint64(line[i])
		i++
		if v >= 0x80 {
			v &= 0x7f
			for s := uint(7); ; s += 7 {
				if i >= len(line) {
					return keys
				}
				b := line[i]
				i++
				v |= uint64(b&0x7f) << s
				if b < 0x80 {
					break
				}
			}
		}
		// Step 0: the next place; 1: the same; 2: a uvarint follows.
		if step := v & 3; step == 0 {
			pos++
		} else if step == 2 {
			d, n := binary.Uvarint(line[i:])
			if n <= 0 {
				return keys
			}
			i += n
			pos += d
		}
		id := uint32(v >> 2)
		var j int
		if int(id) < len(first) {
			f := first[id]
			if f == 0 {
				continue
			}
			j = int(f) - 1
		} else {
			var ok bool
			if j, ok = tw.lookup(id); !ok {
				continue
			}
		}
		for ; j < len(tw.ids) && tw.ids[j] == id; j++ {
			if key := tw.keys[j]; key&slotKey != 0 {
				tf[key&^slotKey]++
			} else {
				keys = append(keys, pos<<32|key)
			}
		}
	}
	return keys
}

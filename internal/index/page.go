package index

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/numeric"
	index "github.com/blevesearch/bleve_index_api"
)

// page is the second phase: for the page of ranked hits only, load the
// stored fields and highlight what marks match.
func (x *Index) page(ctx context.Context, sr *ranking, marks []mark) ([]Hit, error) {
	// The page is sr.Hits, or, from a ranking that read no IDs, sr.docs
	// and sr.scores.
	n := len(sr.Hits)
	if n == 0 && len(sr.scores) == len(sr.docs) {
		n = len(sr.docs)
	}
	hits := make([]Hit, n)
	ids := make([]string, n)
	found := make([]bool, n)
	// The stored fields are read by document number where the ranking
	// gave them: a lookup by ID (Bleve's Document) cost as much as the
	// reading (pprof).
	st := x.storedByNumber()
	textBytes := 0
	for i := range n {
		if i&7 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("search: load hits: %w", err)
			}
		}
		rh := rankedHit{}
		if i < len(sr.Hits) {
			rh = sr.Hits[i]
		} else {
			rh.Score = sr.scores[i]
		}
		var err error
		switch {
		case st != nil && len(sr.docs) == n:
			found[i], ids[i], err = st.load(&hits[i], rh, sr.docs[i])
		case rh.ID != "":
			found[i], err = x.load(&hits[i], rh)
			ids[i] = rh.ID
		}
		if err != nil {
			return nil, fmt.Errorf("search: load hits: %w", err)
		}
		textBytes += len(hits[i].Text)
	}
	// A page of short lines is highlighted on this goroutine: handing
	// it to the other cores cost more in wake-ups than it saved
	// (pprof); long pages of long lines are shared out.
	workers := 1
	if textBytes > parallelPageBytes {
		workers = 0 // as many as there are cores
	}
	mr := x.marker(marks)
	err := parallelWith(ctx, n, workers, func() *marksScratch { return &marksScratch{} }, func(sc *marksScratch, i int) error {
		if found[i] {
			mr.highlight(sc, &hits[i], ids[i], marks)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("search: highlight hits: %w", err)
	}
	out := hits[:0]
	for i, h := range hits {
		if found[i] { // a document deleted between the phases: cannot happen read-only
			out = append(out, h)
		}
	}
	return out, nil
}

// parallelPageBytes is the text of a page above which its lines are
// highlighted on every core.
const parallelPageBytes = 32 << 10

// load fills h with the stored fields of the ranked hit rh, found by ID.
func (x *Index) load(h *Hit, rh rankedHit) (bool, error) {
	d, err := x.reader.Document(rh.ID)
	if err != nil || d == nil {
		return false, err
	}
	*h = Hit{Score: rh.Score, Fragments: []Fragment{}, Terms: []string{}}
	d.VisitFields(func(f index.Field) {
		switch f.Name() {
		case fieldText:
			h.Text = string(f.Value())
		case fieldTime:
			h.Time = number(f)
		}
	})
	if iid, err := x.reader.InternalID(rh.ID); err == nil && len(iid) == 8 {
		x.describe(h, rh.ID, iid.Value(), true)
	} else {
		x.describe(h, rh.ID, 0, false)
	}
	return true, nil
}

// number is the value of a stored numeric field.
func number(f index.Field) float64 {
	if nf, ok := f.(interface{ Number() (float64, error) }); ok {
		if v, err := nf.Number(); err == nil {
			return v
		}
	}
	return 0
}

// storedReader reads stored fields by document number from the segments
// of a scorch snapshot.
type storedReader struct {
	x       *Index
	segs    []*scorch.SegmentSnapshot
	offsets []uint64 // the first document number of each segment
}

// storedByNumber returns a storedReader for x's reader, or nil when the
// reader is not a scorch snapshot.
func (x *Index) storedByNumber() *storedReader {
	is, ok := x.reader.(*scorch.IndexSnapshot)
	if !ok {
		return nil
	}
	segs := is.Segments()
	sr := &storedReader{x: x, segs: segs, offsets: make([]uint64, len(segs))}
	// A snapshot numbers its documents segment after segment, each
	// segment taking as many numbers as it has documents, deleted ones
	// included (scorch's IndexSnapshot offsets).
	var next uint64
	for i, s := range segs {
		sr.offsets[i] = next
		next += s.Segment().Count()
	}
	return sr
}

// load fills h with the stored fields of document doc, the ranked hit
// rh, and returns its ID: by number (read), or by ID if that fails.
func (sr *storedReader) load(h *Hit, rh rankedHit, doc uint64) (bool, string, error) {
	ok, id, err := sr.read(h, rh, doc)
	if ok || err != nil || rh.ID == "" {
		return ok, id, err
	}
	ok, err = sr.x.load(h, rh)
	return ok, rh.ID, err
}

// read fills h with the stored fields of document doc, the ranked hit
// rh, and returns its stored ID. When rh has an ID, the stored one must
// be the same (it would differ if the numbering above were not
// scorch's); read reports false when it is not.
func (sr *storedReader) read(h *Hit, rh rankedHit, doc uint64) (bool, string, error) {
	seg := -1
	for i, off := range sr.offsets {
		if off <= doc {
			seg = i
		}
	}
	if seg < 0 {
		return false, "", nil
	}
	*h = Hit{Score: rh.Score, Fragments: []Fragment{}, Terms: []string{}}
	id, idOK := "", false
	err := sr.segs[seg].VisitDocument(doc-sr.offsets[seg], func(name string, typ byte, val []byte, _ []uint64) bool {
		switch name {
		case "_id":
			if rh.ID != "" {
				id, idOK = rh.ID, string(val) == rh.ID
			} else {
				id, idOK = string(val), true
			}
			return idOK
		case fieldText:
			h.Text = string(val)
		case fieldTime:
			h.Time = storedNumber(typ, val)
		}
		return true
	})
	if err != nil || !idOK {
		return false, "", err
	}
	sr.x.describe(h, id, doc, true)
	return true, id, nil
}

// storedNumber is the value of a stored numeric field, as Bleve's
// NumericField decodes it; 0 for a field of another type.
func storedNumber(typ byte, val []byte) float64 {
	if typ != 'n' {
		return 0
	}
	i, err := numeric.PrefixCoded(val).Int64()
	if err != nil {
		return 0
	}
	return numeric.Int64ToFloat64(i)
}

// describe fills what the index does not store of hit h, whose ID is id
// and document number doc (when known): its call and line from the ID
// ("slug#n"), its speaker, date and language from the columns.
func (x *Index) describe(h *Hit, id string, doc uint64, known bool) {
	if i := strings.LastIndexByte(id, '#'); i >= 0 {
		h.Call = id[:i]
		h.Line, _ = strconv.Atoi(id[i+1:])
	}
	c, fc := x.cols, x.meta.Facets
	if !known || doc >= uint64(c.docs()) {
		return
	}
	if sp := int(c.speaker[doc]); sp > 0 && sp <= len(fc.Speakers) {
		h.Speaker = fc.Speakers[sp-1]
	}
	if call := int(c.call[doc]); call < len(c.callDate) {
		if d := int(c.callDate[call]); d < len(x.meta.Dates) {
			h.Date = x.meta.Dates[d]
		}
		if l := int(c.callLang[call]); l < len(fc.Languages) {
			h.Language = fc.Languages[l]
		}
	}
}

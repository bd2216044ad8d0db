package index

import (
	"backchannel/internal/durable"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unsafe"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/mmap-go"
)

// Columns: what ranking and facets need of every hit, by Bleve's internal
// document number, in memory. Reading doc values for every hit (a sort
// key and facet codes) was most of the CPU time of a common-word search
// (issue 6: 0.86 of 1.24 s in a profile); an array lookup costs next to
// nothing, and the index holds neither field. The columns are computed
// once per build from the document IDs of the finished index, opened
// read-only exactly as a server opens it (so the document numbers are the
// same), and the archive; they are kept in columnsFile beside it.

const (
	columnsFile  = "columns.bin"
	columnsMagic = "BCCOLS1\n"
	noRank       = math.MaxUint32 // a document number with no live document
)

type columns struct {
	rank    []uint32 // place in archive order (date, slug, line); noRank if none
	speaker []uint32 // speaker code + 1; 0 for none (a stage direction)
	call    []uint32 // call code
	// By call code:
	callDate []uint32 // ordinal of the call's date among the archive's dates
	callLang []uint32 // language code
	// mapped is the columns file's mapping when the columns are slices
	// of it (readColumns).
	mapped []byte
}

// docs is the number of document numbers the columns cover.
func (c *columns) docs() int { return len(c.rank) }

// computeColumns reads the facet and sort doc values of every document of
// the index in dir (opened read-only) and writes columnsFile.
func computeColumns(ctx context.Context, dir string, p *buildPlan) error {
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": openTimeout})
	if err != nil {
		return err
	}
	defer idx.Close()

	// Every document's place comes from its ID ("slug#n") and the plan:
	// its call's place in archive order, its line, the line's speaker.
	type callInfo struct {
		ord  uint32
		code uint32
		sp   map[int]uint32 // line number → speaker code
	}
	calls := make(map[string]*callInfo, len(p.ordered))
	callCode := make(map[string]uint32, len(p.codes.Calls))
	for i, slug := range p.codes.Calls {
		callCode[slug] = uint32(i)
	}
	speakerCode := make(map[string]uint32, len(p.codes.Speakers))
	for i, sp := range p.codes.Speakers {
		speakerCode[sp] = uint32(i) + 1
	}
	for i, c := range p.ordered {
		code, ok := callCode[c.Slug]
		if !ok {
			return fmt.Errorf("columns: call %s has no facet code", c.Slug)
		}
		calls[c.Slug] = &callInfo{ord: uint32(i), code: code}
	}
	type doc struct {
		num      uint64
		ord, n   uint32
		sp, call uint32
	}
	var docs []doc
	var bad error
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil || bad != nil {
				return bad
			}
			cur := doc{num: d.IndexInternalID.Value()}
			i := strings.LastIndexByte(d.ID, '#')
			n, err := strconv.Atoi(d.ID[i+1:])
			ci := calls[d.ID[:max(i, 0)]]
			if i < 0 || err != nil || ci == nil || n < 0 || n > math.MaxUint32 {
				bad = fmt.Errorf("document %d: unexpected ID %q", cur.num, d.ID)
				return bad
			}
			if ci.sp == nil {
				s := &p.sums[ci.ord]
				ci.sp = make(map[int]uint32, len(s.ns))
				for j, ln := range s.ns {
					code := uint32(0)
					if s.sp[j] != 0 {
						code = speakerCode[s.speakers[s.sp[j]-1]]
					}
					ci.sp[int(ln)] = code
				}
			}
			sp, ok := ci.sp[n]
			if !ok {
				bad = fmt.Errorf("document %s: no such line in the archive", d.ID)
				return bad
			}
			cur.ord, cur.n, cur.call, cur.sp = ci.ord, uint32(n), ci.code, sp
			docs = append(docs, cur)
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, true, nil
	}
	req := bleve.NewSearchRequestOptions(bq.NewMatchAllQuery(), 0, 0, false)
	if _, err := idx.SearchInContext(context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker)), req); err != nil {
		return fmt.Errorf("columns: %w", err)
	}
	if bad != nil {
		return fmt.Errorf("columns: %w", bad)
	}

	var maxDoc uint64
	for _, d := range docs {
		maxDoc = max(maxDoc, d.num+1)
	}
	if maxDoc > math.MaxUint32 {
		return errors.New("columns: too many documents")
	}
	c := &columns{
		rank:    make([]uint32, maxDoc),
		speaker: make([]uint32, maxDoc),
		call:    make([]uint32, maxDoc),
	}
	for i := range c.rank {
		c.rank[i] = noRank
	}
	slices.SortFunc(docs, func(a, b doc) int {
		if a.ord != b.ord {
			return int(a.ord) - int(b.ord)
		}
		return int(a.n) - int(b.n)
	})
	for i, d := range docs {
		c.rank[d.num], c.speaker[d.num], c.call[d.num] = uint32(i), d.sp, d.call
	}
	// Per call code: date ordinal and language.
	dateOrd := map[string]uint32{}
	for i, d := range p.dates() {
		dateOrd[d] = uint32(i)
	}
	codeOf := make(map[string]int, len(p.codes.Calls))
	for i, slug := range p.codes.Calls {
		codeOf[slug] = i
	}
	langOf := make(map[string]int, len(p.codes.Languages))
	for i, l := range p.codes.Languages {
		langOf[l] = i
	}
	c.callDate = make([]uint32, len(p.codes.Calls))
	c.callLang = make([]uint32, len(p.codes.Calls))
	for _, call := range p.ordered {
		code := codeOf[call.Slug]
		c.callDate[code] = dateOrd[call.Date]
		c.callLang[code] = uint32(langOf[lineLang(call)])
	}
	return writeColumns(filepath.Join(dir, columnsFile), c)
}

func writeColumns(path string, c *columns) error {
	n, nc := len(c.rank), len(c.callDate)
	b := make([]byte, 0, len(columnsMagic)+8+4*(3*n+2*nc))
	b = append(b, columnsMagic...)
	b = binary.LittleEndian.AppendUint32(b, uint32(n))
	b = binary.LittleEndian.AppendUint32(b, uint32(nc))
	for _, col := range [][]uint32{c.rank, c.speaker, c.call, c.callDate, c.callLang} {
		for _, v := range col {
			b = binary.LittleEndian.AppendUint32(b, v)
		}
	}
	return durable.Create(path, b)
}

// readColumns maps the columns file at path. On a little-endian machine
// the columns are the mapped file itself (a 1M-line archive's 12 MB was
// 8-19 ms of copying at every start, issue 6); elsewhere they are copied.
func readColumns(path string) (*columns, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	m, err := mmap.Map(f, mmap.RDONLY, 0)
	if err != nil {
		return nil, err
	}
	c, err := parseColumns(m)
	if err != nil || c.mapped == nil {
		_ = m.Unmap()
		return c, err
	}
	c.mapped = m
	return c, nil
}

// parseColumns reads the columns from b; they are slices of b (and
// c.mapped is non-nil) when the machine's byte order allows.
func parseColumns(b []byte) (*columns, error) {
	h := len(columnsMagic)
	if len(b) < h+8 || string(b[:h]) != columnsMagic {
		return nil, errors.New("not a columns file")
	}
	n := int(binary.LittleEndian.Uint32(b[h:]))
	nc := int(binary.LittleEndian.Uint32(b[h+4:]))
	b = b[h+8:]
	if uint64(len(b)) != 4*(3*uint64(n)+2*uint64(nc)) {
		return nil, errors.New("columns file has the wrong size")
	}
	c := &columns{}
	inPlace := binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%4 == 0
	var all []uint32
	if inPlace {
		all = unsafe.Slice((*uint32)(unsafe.Pointer(unsafe.SliceData(b))), len(b)/4)
		c.mapped = []byte{} // set to the mapping by readColumns
	}
	col := func(k int) []uint32 {
		if inPlace {
			out := all[:k:k]
			all = all[k:]
			return out
		}
		out := make([]uint32, k)
		for i := range out {
			out[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
		b = b[4*k:]
		return out
	}
	c.rank, c.speaker, c.call = col(n), col(n), col(n)
	c.callDate, c.callLang = col(nc), col(nc)
	for i := range n {
		if c.call[i] >= uint32(nc) && c.rank[i] != noRank {
			return nil, fmt.Errorf("columns file: document %d has call code %d of %d", i, c.call[i], nc)
		}
	}
	return c, nil
}

// close unmaps the columns file, if they are its mapping. The columns
// must not be read after.
func (c *columns) close() error {
	if c == nil || len(c.mapped) == 0 {
		return nil
	}
	m := mmap.MMap(c.mapped)
	return m.Unmap()
}

// dates are the plan's call dates, sorted, once each (buildMeta.Dates).
func (p *buildPlan) dates() []string {
	var dates []string
	for _, call := range p.ordered {
		dates = append(dates, call.Date)
	}
	slices.Sort(dates)
	return slices.Compact(dates)
}

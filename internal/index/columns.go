package index

import (
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

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// Columns: what ranking and facets need of every hit, by Bleve's internal
// document number, in memory. Reading doc values for every hit (the sort
// key and the facet codes) was most of the CPU time of a common-word
// search (issue 6: 0.86 of 1.24 s in a profile); an array lookup costs
// next to nothing. The columns are computed once per build from the doc
// values of the finished index, opened read-only exactly as a server
// opens it (so the document numbers are the same), and kept in
// columnsFile beside it.

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

	ordinal := make(map[string]uint32, len(p.ordered)) // call key → place in archive order
	for i, k := range p.keys {
		ordinal[k] = uint32(i)
	}
	type doc struct {
		num      uint64
		ord, n   uint32
		sp, call uint32
	}
	var docs []doc
	var bad error
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		dvr, err := sctx.IndexReader.DocValueReader([]string{fieldFacet, fieldSort})
		if err != nil {
			return nil, false, err
		}
		return func(d *search.DocumentMatch) error {
			if d == nil || bad != nil {
				return bad
			}
			cur := doc{num: d.IndexInternalID.Value()}
			err := dvr.VisitDocValues(d.IndexInternalID, func(field string, term []byte) {
				switch field {
				case fieldFacet:
					sp, call, ok := parseFacet(string(term))
					if !ok {
						bad = fmt.Errorf("document %d: facet value %q", cur.num, term)
					}
					cur.sp, cur.call = sp, call
				case fieldSort:
					callKey, lk, ok := strings.Cut(string(term), string(keySep))
					o, known := ordinal[callKey]
					n, nok := parseLineKey(lk)
					if !ok || !known || !nok {
						bad = fmt.Errorf("document %d: sort key %q", cur.num, term)
					}
					cur.ord, cur.n = o, n
				}
			})
			if err != nil {
				return err
			}
			docs = append(docs, cur)
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
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
	var dates []string
	for _, call := range p.ordered {
		dates = append(dates, call.Date)
	}
	slices.Sort(dates)
	dates = slices.Compact(dates)
	for i, d := range dates {
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

// parseFacet reads the speaker code (+1, 0 for none) and call code of a
// facet value "speaker.call.lang" in base 36.
func parseFacet(v string) (speaker, call uint32, ok bool) {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return 0, 0, false
	}
	if parts[0] != "" {
		s, err := strconv.ParseUint(parts[0], 36, 31)
		if err != nil {
			return 0, 0, false
		}
		speaker = uint32(s) + 1
	}
	c, err := strconv.ParseUint(parts[1], 36, 32)
	if err != nil {
		return 0, 0, false
	}
	return speaker, uint32(c), true
}

// parseLineKey reads a lineKey.
func parseLineKey(k string) (uint32, bool) {
	if len(k) < 2 || keyDigit(k[0]) != len(k)-1 {
		return 0, false
	}
	var n uint64
	for i := 1; i < len(k); i++ {
		d := keyDigit(k[i])
		if d < 0 {
			return 0, false
		}
		n = n*uint64(keyBase) + uint64(d)
		if n > math.MaxUint32 {
			return 0, false
		}
	}
	return uint32(n), true
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
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

func readColumns(path string) (*columns, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
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
	col := func(k int) []uint32 {
		out := make([]uint32, k)
		for i := range out {
			out[i] = binary.LittleEndian.Uint32(b[4*i:])
		}
		b = b[4*k:]
		return out
	}
	c := &columns{}
	c.rank, c.speaker, c.call = col(n), col(n), col(n)
	c.callDate, c.callLang = col(nc), col(nc)
	for i := range n {
		if c.call[i] >= uint32(nc) && c.rank[i] != noRank {
			return nil, fmt.Errorf("columns file: document %d has call code %d of %d", i, c.call[i], nc)
		}
	}
	return c, nil
}

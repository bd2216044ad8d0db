package index

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

func docNumID(doc uint64) index.IndexInternalID { return index.NewIndexInternalID(nil, doc) }

// The ranking phase hands every hit to a handler of ours instead of
// Bleve's top-N collector: the request asks for nothing per hit but its
// score (Bleve's fast path: no doc values, no ID), and the handler keeps
// the top hits by the request's order and counts the facets from the
// in-memory columns.

// rankedHit is a hit of the ranking phase.
type rankedHit struct {
	ID    string
	Score float64
}

// ranking is the outcome of the ranking phase.
type ranking struct {
	Total  uint64
	Hits   []rankedHit // the requested page, best first
	docs   []uint64    // the page's document numbers
	scores []float64   // and their scores
	// Counts by code: speaker code + 1 (0: none), call code, language code.
	speakers, calls, langs []int
}

// candidate is a hit in the top-k heap.
type candidate struct {
	doc   uint64
	score float64
	key   uint64 // secondary order, ascending: see rankCollector.key
}

type rankCollector struct {
	cols    *columns
	order   string // SortRelevance, SortDate or SortDateDesc
	k       int    // hits kept: from + size
	heap    []candidate
	out     *ranking
	maxDate uint32
	count   facetMask  // the facets counted
	dates   *dateRange // hits outside it are not hits; nil: no check
}

// facetMask says which facets a ranking counts.
type facetMask uint8

const (
	countSpeakers facetMask = 1 << iota
	countCalls
	countLangs
	countAll = countSpeakers | countCalls | countLangs
)

// key is the order of a document after the score: archive order, or for
// newest-first the date descending, then archive order.
func (rc *rankCollector) key(doc uint64) uint64 {
	if doc >= uint64(rc.cols.docs()) {
		return math64
	}
	rank := uint64(rc.cols.rank[doc])
	if rc.order == SortDateDesc {
		date := uint64(rc.maxDate - rc.cols.callDate[rc.cols.call[doc]])
		return date<<32 | rank
	}
	return rank
}

const math64 = ^uint64(0)

// better reports whether a ranks before b.
func (rc *rankCollector) better(a, b candidate) bool {
	if rc.order == SortRelevance && a.score != b.score {
		return a.score > b.score
	}
	if a.key != b.key {
		return a.key < b.key
	}
	return a.doc < b.doc
}

// admits reports whether doc is in the date range, if any.
func (rc *rankCollector) admits(doc uint64) bool {
	if rc.dates != nil {
		if doc >= uint64(rc.cols.docs()) {
			return false
		}
		if d := rc.cols.callDate[rc.cols.call[doc]]; d < rc.dates.lo || d > rc.dates.hi {
			return false
		}
	}
	return true
}

func (rc *rankCollector) add(doc uint64, score float64) {
	if !rc.admits(doc) {
		return
	}
	rc.out.Total++
	if doc < uint64(rc.cols.docs()) {
		// Each column read is a cache miss on a large archive: read only
		// what is counted.
		if rc.count&countSpeakers != 0 {
			rc.out.speakers[rc.cols.speaker[doc]]++
		}
		if rc.count&(countCalls|countLangs) != 0 {
			c := rc.cols.call[doc]
			rc.out.calls[c]++
			rc.out.langs[rc.cols.callLang[c]]++
		}
	}
	if rc.k == 0 {
		return
	}
	rc.keep(candidate{doc: doc, score: score, key: rc.key(doc)})
}

// keep puts c in the heap when it is among the k best so far.
func (rc *rankCollector) keep(c candidate) {
	if len(rc.heap) < rc.k {
		rc.heap = append(rc.heap, c)
		rc.up(len(rc.heap) - 1)
		return
	}
	if !rc.better(c, rc.heap[0]) {
		return
	}
	rc.heap[0] = c
	rc.down(0)
}

// full reports whether the heap holds its k hits, ordered by score:
// then a hit scoring below the root's is not kept.
func (rc *rankCollector) full() bool {
	return rc.order == SortRelevance && rc.k > 0 && len(rc.heap) == rc.k
}

// The heap keeps the worst kept candidate at the root.
func (rc *rankCollector) worse(i, j int) bool { return rc.better(rc.heap[j], rc.heap[i]) }

func (rc *rankCollector) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if !rc.worse(i, p) {
			break
		}
		rc.heap[i], rc.heap[p] = rc.heap[p], rc.heap[i]
		i = p
	}
}

func (rc *rankCollector) down(i int) {
	n := len(rc.heap)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		w := l
		if r := l + 1; r < n && rc.worse(r, l) {
			w = r
		}
		if !rc.worse(w, i) {
			return
		}
		rc.heap[i], rc.heap[w] = rc.heap[w], rc.heap[i]
		i = w
	}
}

// rankRequest is one run of the ranking phase.
type rankRequest struct {
	q          bq.Query
	order      string // SortRelevance, SortDate or SortDateDesc
	from, size int    // the page of hits kept: [from, from+size)
	count      facetMask
	// ids: read each kept hit's stored ID; else the page is only
	// document numbers and scores.
	ids bool
	// words: every hit's score earns the word-order bonus (orderBonus)
	// from the positions of its matched words; nil for none.
	words []orderWord
	// checks: q has phrases searched without their dense words, and a
	// hit counts only when it has them where the phrases put them
	// (dense.go).
	checks []*phraseCheck
	// dates: a hit counts only when its call's date is in the range (a
	// wide date filter; see Index.dateRange).
	dates *dateRange
	// minClauses: a hit counts only when it has at least this many
	// clauses marked (quotemark.go); 0 for no such check.
	minClauses int
	// split: a costly search, run in parts at once (rank).
	split bool
	// replica: q's clauses as the line tokens score them: ranked in
	// two passes (replica.go); nil for the usual way.
	replica *replica
}

// rank runs rr.q, keeping hits [from, from+size) in rr.order and
// counting facets over all hits. A costly search (rr.split) runs in parts
// of the archive at once, one per core (at most maxRankParts), each with
// its own top hits and counts, merged at the end: the hits, scores and
// counts are those of one search.
func (x *Index) rank(ctx context.Context, rr rankRequest) (*ranking, error) {
	var maxDate uint32
	for _, d := range x.cols.callDate {
		maxDate = max(maxDate, d)
	}
	newCollector := func(k int) *rankCollector {
		out := &ranking{
			speakers: make([]int, len(x.meta.Facets.Speakers)+1),
			calls:    x.getCounts(max(len(x.cols.callDate), len(x.meta.Facets.Calls))),
			langs:    make([]int, len(x.meta.Facets.Languages)+1),
		}
		return &rankCollector{cols: x.cols, order: rr.order, k: k, out: out, count: rr.count, dates: rr.dates, maxDate: maxDate}
	}
	// The words' places come from the line tokens when the build kept
	// them (tokens.go): then Bleve reads no positions.
	var tw *tokenWords
	if rr.words != nil && x.toks != nil {
		w := x.toks.wordsOf(rr.words)
		tw = &w
	}
	docs := uint64(x.cols.docs())
	parts := 1
	switch {
	case rr.split && x.parts > 0:
		parts = x.parts
	case rr.split && docs >= minSplitDocs:
		parts = min(runtime.GOMAXPROCS(0), maxRankParts)
	}
	if rr.replica != nil && rr.order == SortRelevance && rr.checks == nil {
		rk, err := x.rankReplica(ctx, rr, rr.replica, parts, newCollector)
		if !errors.Is(err, errReplica) {
			return rk, err
		}
		x.replicaMisses.Add(1) // ranked the usual way below
	}
	if parts == 1 {
		rc := newCollector(rr.from + rr.size)
		if err := x.collect(ctx, rr, tw, rc, nil); err != nil {
			x.putCounts(rc.out.calls)
			return nil, err
		}
		return x.finish(rr, rc)
	}
	rcs := make([]*rankCollector, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		rcs[i] = newCollector(rr.from + rr.size)
		r := &docRange{lo: docs * uint64(i) / uint64(parts), hi: docs * uint64(i+1) / uint64(parts)}
		if i == parts-1 {
			r.hi = math64 // and any document past the columns
		}
		wg.Go(func() { errs[i] = x.collect(ctx, rr, tw, rcs[i], r) })
	}
	wg.Wait()
	rc := rcs[0]
	for _, o := range rcs[1:] {
		rc.merge(o)
		x.putCounts(o.out.calls)
	}
	if err := errors.Join(errs...); err != nil {
		x.putCounts(rc.out.calls)
		return nil, err
	}
	return x.finish(rr, rc)
}

const (
	maxRankParts = 4
	minSplitDocs = 50000 // a smaller archive is searched in one part
)

// merge adds o's hits and counts to rc's.
func (rc *rankCollector) merge(o *rankCollector) {
	out := rc.out
	out.Total += o.out.Total
	for i, n := range o.out.speakers {
		out.speakers[i] += n
	}
	for i, n := range o.out.calls {
		out.calls[i] += n
	}
	for i, n := range o.out.langs {
		out.langs[i] += n
	}
	for _, c := range o.heap {
		rc.keep(c)
	}
}

// collect runs rr.q over the documents in r (all when nil), handing each
// hit to rc.
func (x *Index) collect(ctx context.Context, rr rankRequest, tw *tokenWords, rc *rankCollector, r *docRange) error {
	words, checks := rr.words, rr.checks
	var al aligner
	maxBonus := math.Pow(alignBase, float64(len(words))) // a chain earns at most a point a word
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil {
				return nil
			}
			if rr.minClauses > 0 && clauseMarks(d.FieldTermLocations) < rr.minClauses ||
				checks != nil && !x.dense.passes(d.IndexInternalID.Value(), d.FieldTermLocations, checks) {
				sctx.DocumentMatchPool.Put(d)
				return nil
			}
			score := d.Score
			// A hit whose score times the largest bonus (every word in
			// place) is below the worst hit kept cannot be kept: it is
			// counted without its chain.
			if words != nil && !(rc.full() && score*maxBonus < rc.heap[0].score) {
				if tw != nil {
					limit := 0.0 // the bonus it needs to be kept
					if rc.full() {
						limit = rc.heap[0].score / score
					}
					score *= al.bonusLine(words, tw, x.toks.line(d.IndexInternalID.Value()), limit)
				} else {
					score *= al.bonus(words, d.FieldTermLocations)
				}
			}
			rc.add(d.IndexInternalID.Value(), score)
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	q := rr.q
	if r != nil {
		q = &docRangeQuery{q: q, r: *r}
	}
	ctx = context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker))
	req := bleve.NewSearchRequestOptions(q, rr.size, rr.from, false) // sorted by score only: Bleve's fast path
	// The clause marks (quotemark.go) are added by our searchers, read
	// positions or not.
	req.IncludeLocations = words != nil && tw == nil || checks != nil
	if rr.from+rr.size == 0 && checks == nil {
		// Counts only: no scores, so no frequencies read, and Bleve may
		// intersect and unite posting lists as bitmaps. (Score "none"
		// stops early only when hits are asked for.)
		req.Score = bleve.ScoreNone
	}
	if _, err := x.idx.SearchInContext(ctx, req); err != nil {
		return fmt.Errorf("search: %w", err)
	}
	return nil
}

// finish orders the kept hits of rc and names the page's.
func (x *Index) finish(rr rankRequest, rc *rankCollector) (*ranking, error) {
	out := rc.out
	slices.SortFunc(rc.heap, func(a, b candidate) int {
		if rc.better(a, b) {
			return -1
		}
		if rc.better(b, a) {
			return 1
		}
		return 0
	})
	if rr.from >= len(rc.heap) {
		return out, nil
	}
	page := rc.heap[rr.from:min(len(rc.heap), rr.from+rr.size)]
	out.Hits = make([]rankedHit, 0, len(page))
	out.docs = make([]uint64, 0, len(page))
	for _, c := range page {
		out.docs = append(out.docs, c.doc)
		out.scores = append(out.scores, c.score)
		if !rr.ids {
			continue
		}
		id, err := x.reader.ExternalID(docNumID(c.doc))
		if err != nil {
			x.putCounts(out.calls)
			return nil, fmt.Errorf("search: %w", err)
		}
		out.Hits = append(out.Hits, rankedHit{ID: id, Score: c.score})
	}
	return out, nil
}

// docRange is the documents numbered [lo, hi).
type docRange struct{ lo, hi uint64 }

// docRangeQuery is q over the documents of r only.
type docRangeQuery struct {
	q bq.Query
	r docRange
}

func (d *docRangeQuery) Searcher(ctx context.Context, i index.IndexReader, mp mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := d.q.Searcher(ctx, i, mp, options)
	if err != nil {
		return nil, err
	}
	return &rangeSearcher{Searcher: s, r: d.r}, nil
}

// rangeSearcher is a searcher's matches in r: it starts at r.lo and ends
// before r.hi.
type rangeSearcher struct {
	search.Searcher
	r       docRange
	started bool
}

func (s *rangeSearcher) cut(ctx *search.SearchContext, d *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if err != nil || d == nil {
		return d, err
	}
	if d.IndexInternalID.Value() >= s.r.hi {
		ctx.DocumentMatchPool.Put(d)
		return nil, nil
	}
	return d, nil
}

func (s *rangeSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	if !s.started {
		s.started = true
		if s.r.lo > 0 {
			d, err := s.Searcher.Advance(ctx, docNumID(s.r.lo))
			return s.cut(ctx, d, err)
		}
	}
	d, err := s.Searcher.Next(ctx)
	return s.cut(ctx, d, err)
}

func (s *rangeSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	s.started = true
	if id.Value() < s.r.lo {
		id = docNumID(s.r.lo)
	}
	d, err := s.Searcher.Advance(ctx, id)
	return s.cut(ctx, d, err)
}

// orderWord is one free word of the query, in the order typed.
type orderWord struct {
	exact string   // the word as typed, folded: a text-field term
	alts  []string // its text-field terms in any inflection (stemAlts)
	gap   bool     // an ellipsis stands before it in the query
}

// getCounts returns n zeroed counts, reusing ones put back: the call
// counts are one per call (35 KB at 4,445 calls), a third of what a
// rare word's search allocated.
func (x *Index) getCounts(n int) []int {
	if v, ok := x.counts.Get().(*[]int); ok && cap(*v) >= n {
		s := (*v)[:n]
		clear(s)
		return s
	}
	return make([]int, n)
}

// putCounts gives back counts that are no longer read.
func (x *Index) putCounts(s []int) {
	if s != nil {
		x.counts.Put(&s)
	}
}

package index

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"
)

// Ranking a quote in two passes. A pasted quote of common words has
// thousands of hits, and Bleve scores each by reading every word's
// postings to it, while only the page's few can be shown. So:
//
//  1. The first pass asks Bleve only which lines the query's required
//     part matches (no scores: Bleve intersects posting bitmaps), and
//     reads each line's words from the line tokens (tokens.go): which of
//     the query's terms it has and how often, its norm, and the chain of
//     the word-order bonus. From them it decides whether the line is a
//     hit, counts it, and computes its score as Bleve would, up to
//     Bleve's query norm, a factor common to every line (the replica).
//  2. The second pass asks Bleve to score only the lines whose replica
//     score, times the bonus, is near enough the page's (within
//     replicaMargin of the k-th best), and ranks them by Bleve's scores.
//
// The replica follows Bleve's tf-idf (sqrt of the term's frequency, the
// line's norm, idf squared), its disjunctions (the sum of the matched
// clauses times the share matched) and conjunctions (the sum). Every
// line of the second pass checks it: Bleve's score over the replica's must
// be the same factor for all, to within replicaCheck, and every line
// must be a hit of Bleve's; else the ranking is run the usual way. The
// hits, total, counts and scores are Bleve's (TestLineTokens).

const (
	// replicaMargin: lines whose replica score times bonus is this
	// close below the k-th best are scored by Bleve too.
	replicaMargin = 1e-6
	// replicaCheck: how far Bleve's score over the replica's may move
	// from line to line (sums in another order differ in the last bits).
	replicaCheck = 1e-9
)

// errReplica means the replica and Bleve disagreed: rank the usual way.
var errReplica = errors.New("replica score differs from Bleve's")

type rkind uint8

const (
	rTerm rkind = iota
	rDisj
	rConj
	rBool
)

// rnode is a query clause as the replica scores it.
type rnode struct {
	kind         rkind
	slot         int // rTerm: the term's slot
	kids         []*rnode
	min          int    // rDisj: the fewest kids a match has
	must, should *rnode // rBool, either nil
}

// replica is a query as the first pass reads it.
type replica struct {
	root   *rnode
	driver bq.Query  // the required part, which Bleve matches in the first pass
	idf    []float64 // by slot
	boost  []float64 // by slot
	field  []int     // by slot: 0 text, 1 name
	slots  int
	// table maps the line tokens' term numbers to the keys of the aligner
	// (free words) and to slots (| slotKey).
	table tokenWords
}

const slotKey = 1 << 63

// newReplica returns the replica of q (a query as p.query builds it,
// with no marks), with the free words words; nil when q has a clause
// the replica does not score (a phrase, a name, a filter, an exclusion,
// a boost).
func (x *Index) newReplica(q bq.Query, words []orderWord) *replica {
	if x.toks == nil {
		return nil
	}
	b, ok := q.(*bq.BooleanQuery)
	if !ok || b.MustNot != nil || b.Filter != nil || b.BoostVal != nil || b.Must == nil {
		return nil
	}
	docTotal, err := x.reader.DocCount()
	if err != nil {
		return nil
	}
	rp := &replica{driver: unadorned(b.Must)}
	slotOf := map[string]int{}
	var ids []uint32
	var keys []uint64
	var walk func(q bq.Query) *rnode
	// group is n with qs as its kids; nil when qs is empty or a kid
	// cannot be scored.
	group := func(n *rnode, qs []bq.Query) *rnode {
		if len(qs) == 0 {
			return nil
		}
		for _, q := range qs {
			k := walk(q)
			if k == nil {
				return nil
			}
			n.kids = append(n.kids, k)
		}
		return n
	}
	walk = func(q bq.Query) *rnode {
		switch q := q.(type) {
		case *bq.TermQuery:
			// Word pairs are not in the line tokens.
			if q.FieldVal != fieldText && q.FieldVal != fieldName || isPairTerm(q.Term) {
				return nil
			}
			boost := 1.0
			if q.BoostVal != nil {
				boost = float64(*q.BoostVal)
			}
			term, field := q.Term, 0
			if q.FieldVal == fieldName {
				term, field = nameMark+q.Term, 1
			}
			key := fmt.Sprint(term, "\x00", boost)
			s, ok := slotOf[key]
			if !ok {
				s = rp.slots
				slotOf[key] = s
				rp.slots++
				tfr, err := x.reader.TermFieldReader(context.Background(), []byte(q.Term), q.FieldVal, false, false, false)
				if err != nil {
					return nil
				}
				docTerm := tfr.Count()
				_ = tfr.Close()
				// As Bleve's TermQueryScorer.computeIDF (tf-idf).
				rp.idf = append(rp.idf, 1.0+math.Log(float64(docTotal)/float64(docTerm+1.0)))
				rp.boost = append(rp.boost, boost)
				rp.field = append(rp.field, field)
				if id, ok := x.toks.id(term); ok {
					ids = append(ids, id)
					keys = append(keys, slotKey|uint64(s))
				}
			}
			return &rnode{kind: rTerm, slot: s}
		case *bq.DisjunctionQuery:
			if q.BoostVal != nil {
				return nil
			}
			return group(&rnode{kind: rDisj, min: int(q.Min)}, q.Disjuncts)
		case *bq.ConjunctionQuery:
			if q.BoostVal != nil {
				return nil
			}
			return group(&rnode{kind: rConj}, q.Conjuncts)
		}
		return nil
	}
	rp.root = &rnode{kind: rBool, must: walk(b.Must)}
	if rp.root.must == nil {
		return nil
	}
	if b.Should != nil {
		if rp.root.should = walk(b.Should); rp.root.should == nil {
			return nil
		}
	}
	// The free words' keys for the chain, as wordsOf.
	w := x.toks.wordsOf(words)
	ids = append(ids, w.ids...)
	keys = append(keys, w.keys...)
	order := make([]int, len(ids))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		if ids[a] != ids[b] {
			return int(ids[a]) - int(ids[b])
		}
		return int(keys[a]&^slotKey) - int(keys[b]&^slotKey)
	})
	rp.table = tokenWords{ids: make([]uint32, len(ids)), keys: make([]uint64, len(ids))}
	for i, j := range order {
		rp.table.ids[i], rp.table.keys[i] = ids[j], keys[j]
	}
	rp.table.index()
	return rp
}

// unadorned returns q, the first pass's required part, as Bleve can
// match it from posting bitmaps alone when asked for no scores: its
// optimisation unites and intersects terms, but takes no disjunction
// with a minimum over one. Two of three (the quote rung's rarest words)
// is a union of three intersections.
func unadorned(q bq.Query) bq.Query {
	c, ok := q.(*bq.ConjunctionQuery)
	if !ok || len(c.Conjuncts) != 1 {
		return q
	}
	d, ok := c.Conjuncts[0].(*bq.DisjunctionQuery)
	if !ok || d.Min != 2 || len(d.Disjuncts) != 3 || d.BoostVal != nil {
		return q
	}
	a, b, e := d.Disjuncts[0], d.Disjuncts[1], d.Disjuncts[2]
	return bq.NewDisjunctionQuery([]bq.Query{
		bq.NewConjunctionQuery([]bq.Query{a, b}),
		bq.NewConjunctionQuery([]bq.Query{a, e}),
		bq.NewConjunctionQuery([]bq.Query{b, e}),
	})
}

// replicaLine is what the first pass reads of one line.
type replicaLine struct {
	tf    []int
	norms [2]float64 // text, name
	rp    *replica
}

// score returns n's replica score for the line and whether it matches.
func (l *replicaLine) score(n *rnode) (float64, bool) {
	switch n.kind {
	case rTerm:
		tf := l.tf[n.slot]
		if tf == 0 {
			return 0, false
		}
		// As TermQueryScorer.Score: sqrt(freq) * norm * idf, times the
		// query weight (boost * idf * query norm; the norm is left out).
		idf := l.rp.idf[n.slot]
		return math.Sqrt(float64(tf)) * l.norms[l.rp.field[n.slot]] * idf * (l.rp.boost[n.slot] * idf), true
	case rDisj:
		sum, m := 0.0, 0
		for _, k := range n.kids {
			if s, ok := l.score(k); ok {
				sum += s
				m++
			}
		}
		if m == 0 || m < n.min {
			return 0, false
		}
		return sum * (float64(m) / float64(len(n.kids))), true
	case rConj:
		sum := 0.0
		for _, k := range n.kids {
			s, ok := l.score(k)
			if !ok {
				return 0, false
			}
			sum += s
		}
		return sum, true
	}
	// rBool
	s, ok := l.score(n.must)
	if !ok {
		return 0, false
	}
	if n.should != nil {
		if t, ok := l.score(n.should); ok {
			s += t
		} else if n.should.kind == rDisj && n.should.min > 0 {
			return 0, false
		}
	}
	return s, true
}

// replicaHit is a hit of the first pass that may reach the page.
type replicaHit struct {
	doc                uint64
	base, bonus, final float64 // replica score, word-order bonus, their product
}

// topFinals keeps the k largest finals (a min-heap).
type topFinals []float64

func (h topFinals) Len() int           { return len(h) }
func (h topFinals) Less(i, j int) bool { return h[i] < h[j] }
func (h topFinals) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *topFinals) Push(v any)        { *h = append(*h, v.(float64)) }
func (h *topFinals) Pop() any          { o := *h; v := o[len(o)-1]; *h = o[:len(o)-1]; return v }

// rankReplica is rank in two passes (see above).
func (x *Index) rankReplica(ctx context.Context, rr rankRequest, rp *replica, parts int, newCollector func(k int) *rankCollector) (*ranking, error) {
	k := rr.from + rr.size
	docs := uint64(x.cols.docs())
	counts := make([]*rankCollector, parts)
	hits := make([][]replicaHit, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := range parts {
		counts[i] = newCollector(0)
		var r *docRange
		if parts > 1 {
			r = &docRange{lo: docs * uint64(i) / uint64(parts), hi: docs * uint64(i+1) / uint64(parts)}
			if i == parts-1 {
				r.hi = math64
			}
		}
		wg.Go(func() { hits[i], errs[i] = x.replicaPass(ctx, rr, rp, counts[i], k, r) })
	}
	wg.Wait()
	rc := counts[0]
	for _, o := range counts[1:] {
		rc.merge(o)
		x.putCounts(o.out.calls)
	}
	if err := errors.Join(errs...); err != nil {
		x.putCounts(rc.out.calls)
		return nil, err
	}
	if k == 0 || rc.out.Total == 0 {
		return x.finish(rr, rc)
	}
	// The lines that may reach the page: within the margin of the k-th
	// best final.
	all := slices.Concat(hits...)
	var top topFinals
	for _, h := range all {
		if len(top) < k {
			heap.Push(&top, h.final)
		} else if h.final > top[0] {
			top[0] = h.final
			heap.Fix(&top, 0)
		}
	}
	threshold := 0.0
	if len(top) == k {
		threshold = top[0] * (1 - replicaMargin)
	}
	var pick []replicaHit
	for _, h := range all {
		if h.final >= threshold {
			pick = append(pick, h)
		}
	}
	slices.SortFunc(pick, func(a, b replicaHit) int { return cmpU64(a.doc, b.doc) })
	// The second pass: Bleve's scores of the lines picked.
	kept := newCollector(k)
	x.putCounts(kept.out.calls)
	kept.out = rc.out
	ratio := 0.0
	seen := 0
	var bad error
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil || bad != nil {
				return bad
			}
			doc := d.IndexInternalID.Value()
			i, ok := slices.BinarySearchFunc(pick, doc, func(h replicaHit, doc uint64) int { return cmpU64(h.doc, doc) })
			if !ok || rr.minClauses > 0 && clauseMarks(d.FieldTermLocations) < rr.minClauses {
				bad = errReplica
				return bad
			}
			h := pick[i]
			seen++
			r := d.Score / h.base
			switch {
			case ratio == 0:
				ratio = r
			case math.Abs(r/ratio-1) > replicaCheck:
				bad = errReplica
				return bad
			}
			kept.keep(candidate{doc: doc, score: d.Score * h.bonus, key: kept.key(doc)})
			sctx.DocumentMatchPool.Put(d)
			return nil
		}, false, nil
	}
	docsPicked := make([]uint64, len(pick))
	for i, h := range pick {
		docsPicked[i] = h.doc
	}
	sctx := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker))
	req := bleve.NewSearchRequestOptions(&docListQuery{q: rr.q, docs: docsPicked}, rr.size, rr.from, false)
	_, err := x.idx.SearchInContext(sctx, req)
	switch {
	case bad != nil, err == nil && seen != len(pick):
		// However Bleve passes the handler's error on.
		x.putCounts(rc.out.calls)
		return nil, errReplica
	case err != nil:
		x.putCounts(rc.out.calls)
		return nil, err
	}
	return x.finish(rr, kept)
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// replicaPass is the first pass over the documents in r (all when nil):
// it counts the hits in rc and returns those that may reach a page of k.
func (x *Index) replicaPass(ctx context.Context, rr rankRequest, rp *replica, rc *rankCollector, k int, r *docRange) ([]replicaHit, error) {
	line := replicaLine{tf: make([]int, rp.slots), rp: rp}
	var al aligner
	var hits []replicaHit
	var top topFinals // the k best finals so far
	var bad error
	maker := func(sctx *search.SearchContext) (search.DocumentMatchHandler, bool, error) {
		return func(d *search.DocumentMatch) error {
			if d == nil || bad != nil {
				return bad
			}
			doc := d.IndexInternalID.Value()
			sctx.DocumentMatchPool.Put(d)
			if !rc.admits(doc) {
				return nil
			}
			clear(line.tf)
			line.norms = x.toks.norms2(doc)
			al.keys = rp.table.scan(al.keys[:0], line.tf, x.toks.line(doc))
			base, ok := line.score(rp.root)
			if !ok {
				return nil // Bleve's required part, but not every clause the query needs
			}
			rc.add(doc, 0)
			if k == 0 {
				return nil
			}
			h := replicaHit{doc: doc, base: base, bonus: 1}
			if rr.words != nil && len(al.keys) > 0 {
				sortNearly(al.keys)
				al.keys = slices.Compact(al.keys)
				if len(top) == k {
					// Not chained when even its bound stays below the
					// margin of the k-th best so far (which only rises).
					bound := base * math.Pow(alignBase, al.upper(rr.words)+1e-9)
					if bound < top[0]*(1-replicaMargin) {
						return nil
					}
				}
				if s := al.chain(rr.words); s > 0 {
					h.bonus = math.Pow(alignBase, s)
				}
			}
			h.final = base * h.bonus
			if len(top) < k {
				heap.Push(&top, h.final)
			} else if h.final > top[0] {
				top[0] = h.final
				heap.Fix(&top, 0)
			}
			if len(top) == k && h.final < top[0]*(1-replicaMargin) {
				return nil
			}
			hits = append(hits, h)
			return nil
		}, false, nil
	}
	q := rp.driver
	if r != nil {
		q = &docRangeQuery{q: q, r: *r}
	}
	sctx := context.WithValue(ctx, search.MakeDocumentMatchHandlerKey, search.MakeDocumentMatchHandler(maker))
	// No scores and no hits asked for: Bleve may unite and intersect
	// posting bitmaps, and does not stop early (as it does for hits
	// unscored).
	req := bleve.NewSearchRequestOptions(q, 0, 0, false)
	req.Score = bleve.ScoreNone
	if _, err := x.idx.SearchInContext(sctx, req); err != nil {
		return nil, err
	}
	if bad != nil {
		return nil, bad
	}
	// Drop the hits that fell below the margin after they were kept.
	if len(top) == k {
		hits = slices.DeleteFunc(hits, func(h replicaHit) bool { return h.final < top[0]*(1-replicaMargin) })
	}
	return hits, nil
}

// docListQuery is q over the listed documents only (sorted).
type docListQuery struct {
	q    bq.Query
	docs []uint64
}

func (d *docListQuery) Searcher(ctx context.Context, i index.IndexReader, mp mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	s, err := d.q.Searcher(ctx, i, mp, options)
	if err != nil {
		return nil, err
	}
	return &docListSearcher{Searcher: s, docs: d.docs}, nil
}

// docListSearcher answers with its searcher's matches at the listed
// documents, moving it to each in turn.
type docListSearcher struct {
	search.Searcher
	docs []uint64
	next int // the next listed document to ask for
}

func (s *docListSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	for s.next < len(s.docs) {
		want := s.docs[s.next]
		d, err := s.Searcher.Advance(ctx, docNumID(want))
		if err != nil || d == nil {
			s.next = len(s.docs)
			return nil, err
		}
		got := d.IndexInternalID.Value()
		for s.next < len(s.docs) && s.docs[s.next] < got {
			s.next++
		}
		if s.next < len(s.docs) && s.docs[s.next] == got {
			s.next++
			return d, nil
		}
		ctx.DocumentMatchPool.Put(d)
	}
	return nil, nil
}

func (s *docListSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	for s.next < len(s.docs) && s.docs[s.next] < id.Value() {
		s.next++
	}
	return s.Next(ctx)
}

package index

import (
	"context"
	"math"
	"sort"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
)

// The quote rung's hits must have most of the query's clauses. Asked of
// Bleve as a disjunction with a minimum, that condition is what made the
// rung slow: when a candidate (a line with two of the rarest words) has
// too few clauses, the disjunction does not stop there but steps through
// the union of every clause's postings, reading each one's positions,
// until it finds a line that has enough ("the", "that", "is": most of the
// archive). So the ranking phase asks for the clauses with no minimum,
// each clause marking the hits it matches, and counts the marks of each
// candidate itself (rankRequest.minClauses). The hits kept, and their
// scores, are the same: Bleve's disjunction scores a hit from the clauses
// it matches, whatever the minimum.

// clauseMarkField is the field of the marks: no indexed field has it.
const clauseMarkField = "\x00clause"

// markedQuery is a clause whose every match carries a location in
// clauseMarkField at position n.
type markedQuery struct {
	q bq.Query
	n int
}

func (m *markedQuery) Searcher(ctx context.Context, i index.IndexReader, mp mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	var s search.Searcher
	var err error
	if d, ok := m.q.(*bq.DisjunctionQuery); ok && d.Min == 0 && len(d.Disjuncts) > 1 {
		// A word in several inflections: lazily too.
		s, err = newLazyDisjunction(ctx, i, mp, options, d.Disjuncts)
	} else {
		s, err = m.q.Searcher(ctx, i, mp, options)
	}
	if err != nil {
		return nil, err
	}
	return &markedSearcher{Searcher: s, n: uint64(m.n)}, nil
}

// markedSearcher is markedQuery's searcher: its clause's searcher, with
// a mark added to each match.
type markedSearcher struct {
	search.Searcher
	n uint64
}

func (s *markedSearcher) mark(d *search.DocumentMatch, err error) (*search.DocumentMatch, error) {
	if d != nil {
		d.FieldTermLocations = append(d.FieldTermLocations, search.FieldTermLocation{Field: clauseMarkField, Location: search.Location{Pos: s.n}})
	}
	return d, err
}

func (s *markedSearcher) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	return s.mark(s.Searcher.Next(ctx))
}

func (s *markedSearcher) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	return s.mark(s.Searcher.Advance(ctx, id))
}

// clauseMarks counts the distinct clauses marked in locs (at most 64
// clauses are told apart; a query has at most query.MaxTerms).
func clauseMarks(locs []search.FieldTermLocation) int {
	var seen uint64
	n := 0
	for _, l := range locs {
		if l.Field != clauseMarkField {
			continue
		}
		bit := uint64(1) << (l.Location.Pos & 63)
		if seen&bit == 0 {
			seen |= bit
			n++
		}
	}
	return n
}

// markedClauses are the quote rung's clauses, each marked, as one
// optional part of the ranking query (or a strict word's inflections,
// unmarked): a disjunction that, asked for a
// candidate line (Advance), moves each clause to it and answers with the
// clauses found there, and reads no further. Bleve's disjunction reads
// the next posting of every clause it matched, positions and all, before
// it answers, and most of those postings lie before the next candidate
// and are never used. The score of a line is Bleve's: the sum of its
// clauses' scores in the same order times the share of clauses matched.
type markedClauses struct {
	qs []bq.Query // each a markedQuery
}

func (m *markedClauses) Searcher(ctx context.Context, i index.IndexReader, mp mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	return newLazyDisjunction(ctx, i, mp, options, m.qs)
}

// newLazyDisjunction is the disjunction of qs, with no minimum, as
// lazyDisjunction.
func newLazyDisjunction(ctx context.Context, i index.IndexReader, mp mapping.IndexMapping, options search.SearcherOptions, qs []bq.Query) (search.Searcher, error) {
	ss := make(searcher.OrderedSearcherList, 0, len(qs))
	for _, q := range qs {
		s, err := q.Searcher(ctx, i, mp, options)
		if err != nil {
			for _, s := range ss {
				_ = s.Close()
			}
			return nil, err
		}
		ss = append(ss, s)
	}
	// Bleve's order (its disjunction sums the scores in it).
	sort.Sort(ss)
	s := &lazyDisjunction{children: ss, currs: make([]*search.DocumentMatch, len(ss)), done: make([]bool, len(ss))}
	var sum float64
	for _, c := range ss {
		sum += c.Weight()
	}
	s.SetQueryNorm(1 / math.Sqrt(sum))
	return s, nil
}

// lazyDisjunction is a disjunction with no minimum that reads no
// posting ahead: its answer is a new match made of its children's at the
// first line any of them is at, and a child moves only when asked past
// it.
type lazyDisjunction struct {
	children []search.Searcher
	currs    []*search.DocumentMatch // each child's match at or after the last id asked
	done     []bool                  // the child has no more matches
	matching []*search.DocumentMatch
	last     index.IndexInternalID // the id of the last answer
}

func (s *lazyDisjunction) Weight() float64 {
	var w float64
	for _, c := range s.children {
		w += c.Weight()
	}
	return w
}

func (s *lazyDisjunction) SetQueryNorm(n float64) {
	for _, c := range s.children {
		c.SetQueryNorm(n)
	}
}

func (s *lazyDisjunction) Count() uint64 {
	var n uint64
	for _, c := range s.children {
		n += c.Count()
	}
	return n
}

func (s *lazyDisjunction) Min() int { return 0 }

func (s *lazyDisjunction) Size() int {
	n := 0
	for _, c := range s.children {
		n += c.Size()
	}
	return n
}

func (s *lazyDisjunction) DocumentMatchPoolSize() int {
	n := len(s.children) + 1
	for _, c := range s.children {
		n += c.DocumentMatchPoolSize()
	}
	return n
}

func (s *lazyDisjunction) Close() error {
	var first error
	for _, c := range s.children {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// Next answers with the first line after the last answer that has a
// clause.
func (s *lazyDisjunction) Next(ctx *search.SearchContext) (*search.DocumentMatch, error) {
	var low index.IndexInternalID
	for i, c := range s.children {
		if s.done[i] {
			continue
		}
		if s.currs[i] == nil || s.last != nil && s.currs[i].IndexInternalID.Compare(s.last) <= 0 {
			ctx.DocumentMatchPool.Put(s.currs[i])
			d, err := c.Next(ctx)
			if err != nil {
				return nil, err
			}
			s.currs[i], s.done[i] = d, d == nil
		}
		if d := s.currs[i]; d != nil && (low == nil || d.IndexInternalID.Compare(low) < 0) {
			low = d.IndexInternalID
		}
	}
	if low == nil {
		return nil, nil
	}
	return s.at(ctx, low), nil
}

// Advance answers with the first line at or after id that has a clause.
func (s *lazyDisjunction) Advance(ctx *search.SearchContext, id index.IndexInternalID) (*search.DocumentMatch, error) {
	var low index.IndexInternalID
	for i, c := range s.children {
		if s.done[i] {
			continue
		}
		if s.currs[i] == nil || s.currs[i].IndexInternalID.Compare(id) < 0 {
			ctx.DocumentMatchPool.Put(s.currs[i])
			d, err := c.Advance(ctx, id)
			if err != nil {
				return nil, err
			}
			s.currs[i], s.done[i] = d, d == nil
		}
		if d := s.currs[i]; d != nil && (low == nil || d.IndexInternalID.Compare(low) < 0) {
			low = d.IndexInternalID
		}
	}
	if low == nil {
		return nil, nil
	}
	return s.at(ctx, low), nil
}

// at is the answer at id: a new match with the children's there.
func (s *lazyDisjunction) at(ctx *search.SearchContext, id index.IndexInternalID) *search.DocumentMatch {
	s.matching = s.matching[:0]
	var sum float64
	for _, d := range s.currs {
		if d != nil && d.IndexInternalID.Equals(id) {
			s.matching = append(s.matching, d)
			sum += d.Score
		}
	}
	rv := ctx.DocumentMatchPool.Get()
	rv.IndexInternalID = append(rv.IndexInternalID[:0], id...)
	s.last = rv.IndexInternalID
	rv.Score = sum * (float64(len(s.matching)) / float64(len(s.children)))
	rv.FieldTermLocations = search.MergeFieldTermLocations(rv.FieldTermLocations, s.matching)
	return rv
}

// noPositions is a query whose searcher reads no positions: the quote
// rung's rarest words, which drive its search and are clauses as well
// (their positions come from the clauses). A term's score does not
// depend on its positions being read.
type noPositions struct{ q bq.Query }

func (n *noPositions) Searcher(ctx context.Context, i index.IndexReader, mp mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	options.IncludeTermVectors = false
	return n.q.Searcher(ctx, i, mp, options)
}

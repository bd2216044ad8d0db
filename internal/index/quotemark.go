package index

import (
	"context"

	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	bq "github.com/blevesearch/bleve/v2/search/query"
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
	s, err := m.q.Searcher(ctx, i, mp, options)
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

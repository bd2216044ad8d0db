package index

import (
	"context"
	"sort"

	bq "github.com/blevesearch/bleve/v2/search/query"
)

// Facets: the ranking phase counts hits by speaker, call and language
// code (rank.go); these turn the counts into named facet values. The
// speaker and call counts ignore their own filter, so when that filter is
// set Search runs one count-only request for it (facetOnly).

const facetSize = 50 // values per facet

// facetOnly counts one facet of q's hits.
func (x *Index) facetOnly(ctx context.Context, q bq.Query, count facetMask, checks []*phraseCheck, dates *dateRange) (*ranking, error) {
	return x.rank(ctx, rankRequest{q: q, order: SortRelevance, count: count, checks: checks, dates: dates})
}

// facets turns the counts by code into the speaker, call and language
// counts, keeping the facetSize largest of each.
func (x *Index) facets(rk *ranking) Facets {
	fc := x.meta.Facets
	// Speaker counts are by code + 1 (0: a direction, no speaker).
	sp := rk.speakers
	if len(sp) > 0 {
		sp = sp[1:]
	}
	return Facets{
		Speaker:  topCounts(sp, fc.Speakers),
		Call:     topCounts(rk.calls, fc.Calls),
		Language: topCounts(rk.langs, fc.Languages),
	}
}

// topCounts returns the facetSize largest counts (by count, then value)
// of counts[i] for names[i], without the zero counts and empty names.
// It keeps a small heap rather than sorting every call of the archive.
func topCounts(counts []int, names []string) []FacetCount {
	worse := func(a, b FacetCount) bool { // a ranks below b
		if a.Count != b.Count {
			return a.Count < b.Count
		}
		return a.Value > b.Value
	}
	h := make([]FacetCount, 0, facetSize)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(h[r], h[l]) {
				m = r
			}
			if !worse(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i, n := range counts {
		if n <= 0 || i >= len(names) || names[i] == "" {
			continue
		}
		fc := FacetCount{Value: names[i], Count: n}
		if len(h) < facetSize {
			h = append(h, fc)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !worse(h[j], h[p]) {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
			continue
		}
		if worse(h[0], fc) {
			h[0] = fc
			down(0)
		}
	}
	sort.Slice(h, func(i, j int) bool { return worse(h[j], h[i]) })
	return h
}

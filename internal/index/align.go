package index

import (
	"math"
	"slices"

	"github.com/blevesearch/bleve/v2/search"
)

// Ranking like a quote finder. A hit's score is multiplied by a bonus
// that grows with how well the line holds the free words in the order
// typed, close together: the best chain of matched words, in the query's
// order and the line's, each word earning a point (less for another
// inflection) and each word skipped on either side costing a little. A
// line with the words as typed, one after the other, earns the most; a
// missing or extra word, a word left out of the paste, an ellipsis for
// two words or a swapped pair cost a fraction of a word, so the line
// still comes before lines that merely hold the same words apart. Term
// frequency only orders lines of equal alignment. (Lucene's sloppy
// phrase and Elasticsearch's "closer is better" are the idea; the chain
// is ours.)
//
// The positions come from the words the search matches anyway
// (FieldTermLocations), so no line's text is read.

const (
	alignExact    = 1.0  // a word as typed
	alignInflect  = 0.8  // a word in another inflection
	alignSwap     = 0.5  // cost of two neighbouring words swapped
	alignSkipWord = 0.5  // cost of a query word the chain skips
	alignSkipLine = 0.35 // cost of a line word between two matched words
	// alignBase is the bonus per point of alignment: the bonus is
	// alignBase^points, so each word in its place multiplies the score.
	alignBase = 3.0
	// maxAlignItems bounds the work on one line: positions past it (in
	// a very long line full of common words) are not chained.
	maxAlignItems = 512
)

// alignItem is one matched word (or a swapped pair of neighbours) of the
// query at a position of the line.
type alignItem struct {
	q0, q1 int // query words covered, first and last
	p0, p1 int // line positions covered, first and last
	w      float64
}

// aligner holds one hit's items and chain scores, reused from hit to hit.
type aligner struct {
	items []alignItem
	best  []float64
	gaps  []int // gaps[i]: ellipses before query word i and at it
}

// bonus returns the factor a hit's score is multiplied by:
// alignBase^points of its best chain (1 when no word is found).
func (a *aligner) bonus(words []orderWord, locs []search.FieldTermLocation) float64 {
	s := a.score(words, locs)
	if s <= 0 {
		return 1
	}
	return math.Pow(alignBase, s)
}

// score returns the points of the best chain of words of the line (locs)
// in the order of words.
func (a *aligner) score(words []orderWord, locs []search.FieldTermLocation) float64 {
	a.items = a.items[:0]
	for _, l := range locs {
		if l.Field != fieldText {
			continue
		}
		for i, w := range words {
			switch {
			case l.Term == w.exact:
				a.items = append(a.items, alignItem{q0: i, q1: i, p0: int(l.Location.Pos), p1: int(l.Location.Pos), w: alignExact})
			case slices.Contains(w.alts, l.Term):
				a.items = append(a.items, alignItem{q0: i, q1: i, p0: int(l.Location.Pos), p1: int(l.Location.Pos), w: alignInflect})
			}
		}
	}
	if len(a.items) == 0 {
		return 0
	}
	slices.SortFunc(a.items, func(x, y alignItem) int {
		if x.p0 != y.p0 {
			return x.p0 - y.p0
		}
		return x.q0 - y.q0
	})
	// A word one would have been found one place later, and the next
	// word one place earlier: a swapped pair, one item.
	n := len(a.items)
	for j := 0; j < n; j++ {
		x := a.items[j]
		for k := j + 1; k < n && a.items[k].p0 <= x.p0+1; k++ {
			y := a.items[k]
			if y.p0 == x.p0+1 && y.q0 == x.q0-1 {
				a.items = append(a.items, alignItem{q0: y.q0, q1: x.q0, p0: x.p0, p1: y.p0, w: x.w + y.w - alignSwap})
			}
		}
	}
	if len(a.items) > n {
		slices.SortStableFunc(a.items, func(x, y alignItem) int { return x.p0 - y.p0 })
	}
	if len(a.items) > maxAlignItems {
		a.items = a.items[:maxAlignItems]
	}
	items := a.items
	a.best = slices.Grow(a.best[:0], len(items))[:len(items)]
	// An ellipsis in the query marks a gap of any length: the line words
	// between the words on either side of it cost nothing.
	a.gaps = slices.Grow(a.gaps[:0], len(words))[:len(words)]
	gaps := 0
	for i, w := range words {
		if w.gap {
			gaps++
		}
		a.gaps[i] = gaps
	}
	top := 0.0
	for j, it := range items {
		b := it.w
		for k := j - 1; k >= 0; k-- {
			prev := items[k]
			gap := it.p0 - prev.p1 - 1
			if gap < 0 || prev.q1 >= it.q0 {
				continue
			}
			if gaps == 0 && float64(gap)*alignSkipLine > float64(len(words)) {
				break // every earlier item is further away still
			}
			lineCost := alignSkipLine * float64(gap)
			if a.gaps[it.q0] > a.gaps[prev.q1] {
				lineCost = 0
			}
			if c := a.best[k] + it.w - alignSkipWord*float64(it.q0-prev.q1-1) - lineCost; c > b {
				b = c
			}
		}
		a.best[j] = b
		top = max(top, b)
	}
	return top
}

package index

import (
	"math"
	"math/bits"
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
	// maxAlignPos: positions past it are not chained (they do not fit
	// the sort key).
	maxAlignPos = 1<<32 - 1
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
	keys          []uint64 // position<<32 | query word<<8 | 1 for another inflection
	items         []alignItem
	swaps, merged []alignItem
	best          []float64
	gaps          []int // gaps[i]: ellipses before query word i and at it
	seg           []int
	cross         []float64
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
	// Each matched word at each position as one integer, sorted: by
	// position, then query word, the word as typed before another
	// inflection. Sorting integers is several times cheaper than sorting
	// the items, and a position a line's words were matched at twice
	// (by two clauses with the same word) is one item.
	a.keys = a.keys[:0]
	for _, l := range locs {
		if l.Field != fieldText || l.Location.Pos > maxAlignPos {
			continue
		}
		for i, w := range words {
			switch {
			case l.Term == w.exact:
				a.keys = append(a.keys, l.Location.Pos<<32|uint64(i)<<8)
			case slices.Contains(w.alts, l.Term):
				a.keys = append(a.keys, l.Location.Pos<<32|uint64(i)<<8|1)
			}
		}
	}
	slices.Sort(a.keys)
	a.keys = slices.Compact(a.keys)
	return a.chain(words)
}

// bonusLine is bonus with the words' places read from the line tokens:
// line is the hit's encoded words, tw the query's words as term numbers.
// When the hit needs a bonus of at least limit to be kept (0: any), a
// line whose chain cannot reach it (upper) gets 1, unchained.
func (a *aligner) bonusLine(words []orderWord, tw *tokenWords, line []byte, limit float64) float64 {
	a.keys = tw.appendKeys(a.keys[:0], line)
	if len(a.keys) == 0 {
		return 1
	}
	sortNearly(a.keys)
	a.keys = slices.Compact(a.keys)
	if limit > 0 && math.Pow(alignBase, a.upper(words)+1e-9) < limit {
		return 1
	}
	s := a.chain(words)
	if s <= 0 {
		return 1
	}
	return math.Pow(alignBase, s)
}

// upper returns a bound on the points of any chain of the words in
// a.keys (sorted), read in one pass instead of chained: each word found
// earns at most a point, and each step from one word of the chain to
// the next costs at least alignSkipLine unless it can be free. A step
// from word i-1 to word i can be free only when the line has them side
// by side, or an ellipsis stands before word i, or word i starts or
// follows a swapped pair (whose own step costs alignSwap).
func (a *aligner) upper(words []orderWord) float64 {
	if len(words) > 62 {
		return float64(len(words))
	}
	var present, free uint64
	for i, w := range words {
		if w.gap {
			free |= 1 << i
		}
	}
	lastPos, curPos := ^uint64(0), ^uint64(0)
	var lastMask, curMask uint64
	group := func() {
		if curPos != ^uint64(0) && lastPos+1 == curPos {
			free |= lastMask << 1 & curMask // word i-1, then word i
			s := lastMask >> 1 & curMask    // word i+1, then word i
			free |= s | s<<2
		}
		present |= curMask
		lastPos, lastMask = curPos, curMask
	}
	for _, k := range a.keys {
		p, q := k>>32, k>>8&0xffffff
		if p != curPos {
			group()
			curPos, curMask = p, 0
		}
		curMask |= 1 << q
	}
	group()
	n := bits.OnesCount64(present)
	steps := n - 1 - bits.OnesCount64(free&present&^1)
	return float64(n) - alignSkipLine*float64(max(0, steps))
}

// chain returns the points of the best chain of the matched words in
// a.keys, sorted.
func (a *aligner) chain(words []orderWord) float64 {
	if len(a.keys) == 0 {
		return 0
	}
	a.items = a.items[:0]
	for _, k := range a.keys {
		p, q, w := int(k>>32), int(k>>8&0xffffff), alignExact
		if k&1 != 0 {
			w = alignInflect
		}
		a.items = append(a.items, alignItem{q0: q, q1: q, p0: p, p1: p, w: w})
	}
	// A word one would have been found one place later, and the next
	// word one place earlier: a swapped pair, one item, after the items
	// at its position.
	n := len(a.items)
	a.swaps = a.swaps[:0]
	for j := 0; j < n; j++ {
		x := a.items[j]
		for k := j + 1; k < n && a.items[k].p0 <= x.p0+1; k++ {
			y := a.items[k]
			if y.p0 == x.p0+1 && y.q0 == x.q0-1 {
				a.swaps = append(a.swaps, alignItem{q0: y.q0, q1: x.q0, p0: x.p0, p1: y.p0, w: x.w + y.w - alignSwap})
			}
		}
	}
	if len(a.swaps) > 0 {
		a.merged = a.merged[:0]
		j := 0
		for _, sw := range a.swaps { // in order of position already
			for j < n && a.items[j].p0 <= sw.p0 {
				a.merged = append(a.merged, a.items[j])
				j++
			}
			a.merged = append(a.merged, sw)
		}
		a.merged = append(a.merged, a.items[j:n]...)
		a.items, a.merged = a.merged, a.items
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
	// seg[i]: the last query word at or before i that an ellipsis
	// stands before (0 for none). An earlier item whose last word is
	// before seg[it.q0] has an ellipsis between: the line words between
	// cost nothing, so it may be far back. cross[q] keeps the best chain
	// ending at such an item by its last word q, among the items whose
	// places end before the current one's (avail: in order, they are).
	a.seg = slices.Grow(a.seg[:0], len(words))[:len(words)]
	last := 0
	for i, w := range words {
		if w.gap {
			last = i
		}
		a.seg[i] = last
	}
	a.cross = slices.Grow(a.cross[:0], len(words))[:len(words)]
	for i := range a.cross {
		a.cross[i] = math.Inf(-1)
	}
	avail := 0
	top := 0.0
	best := a.best
	for j, it := range items {
		b := it.w
		s := a.seg[it.q0]
		if gaps != 0 {
			for ; avail < j && items[avail].p1 < it.p0; avail++ {
				a.cross[items[avail].q1] = max(a.cross[items[avail].q1], best[avail])
			}
			for q := 0; q < s; q++ {
				if c := a.cross[q] + it.w - alignSkipWord*float64(it.q0-q-1); c > b {
					b = c
				}
			}
		}
		// A chain up to any other earlier item holds at most the words
		// before it.q0, a point each, less the line words between: past
		// lim line words, with earlier items further away still, none
		// improves b.
		lim := (float64(it.q0) + it.w - b + 1e-9) / alignSkipLine
		for k := j - 1; k >= 0; k-- {
			prev := &items[k]
			gap := it.p0 - prev.p1 - 1
			if gap < 0 {
				continue
			}
			if float64(gap) > lim {
				break
			}
			if prev.q1 >= it.q0 || prev.q1 < s {
				continue
			}
			if c := best[k] + it.w - alignSkipWord*float64(it.q0-prev.q1-1) - alignSkipLine*float64(gap); c > b {
				b = c
				lim = (float64(it.q0) + it.w - b + 1e-9) / alignSkipLine
			}
		}
		best[j] = b
		top = max(top, b)
	}
	return top
}

// sortNearly sorts keys read from the line tokens: in order of place
// already, but for the words at one place. An insertion sort costs one
// pass and the few moves.
func sortNearly(keys []uint64) {
	for i := 1; i < len(keys); i++ {
		k := keys[i]
		j := i
		for j > 0 && keys[j-1] > k {
			keys[j] = keys[j-1]
			j--
		}
		keys[j] = k
	}
}

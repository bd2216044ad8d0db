package index

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/search"
)

// alignOn scores query (words; "…" before a word marks an ellipsis; a
// word "a/b" also matches b in another inflection) against line, a list
// of words at positions 1, 2, ….
func alignOn(query, line string) float64 {
	var words []orderWord
	gap := false
	for _, w := range strings.Fields(query) {
		if w == "…" {
			gap = true
			continue
		}
		exact, alt, _ := strings.Cut(w, "/")
		ow := orderWord{exact: exact, gap: gap}
		if alt != "" {
			ow.alts = []string{alt}
		}
		words = append(words, ow)
		gap = false
	}
	var locs []search.FieldTermLocation
	for i, w := range strings.Fields(line) {
		locs = append(locs, search.FieldTermLocation{Field: fieldText, Term: w, Location: search.Location{Pos: uint64(i + 1)}})
	}
	var a aligner
	return a.score(words, locs)
}

// TestAlign: the line that holds the pasted words in order, close
// together, scores above lines that hold them apart or out of order; a
// word left out, an inflection, a swapped pair and an ellipsis cost a
// little.
func TestAlign(t *testing.T) {
	const q = "first raised the question whether to"
	exact := alignOn(q, "he first raised the question whether to go")
	for _, tt := range []struct {
		name        string
		query, line string
		want        float64
	}{
		{"as typed", q, "he first raised the question whether to go", 6},
		{"a word more in the line", q, "first raised the question of whether to", 6 - alignSkipLine},
		{"a word the line lacks", q, "first raised question whether to", 5 - alignSkipWord},
		{"an inflection", "first raised/raising the question", "first raising the question", 3 + alignInflect},
		{"a swapped pair", q, "first raised the whether question to", 6 - alignSwap},
		{"an ellipsis: the gap is free", "first raised … whether to", "first raised the question whether to", 4},
	} {
		if got := alignOn(tt.query, tt.line); got < tt.want-1e-9 || got > tt.want+1e-9 {
			t.Errorf("%s: %.2f, want %.2f", tt.name, got, tt.want)
		}
		if got := alignOn(tt.query, tt.line); tt.query == q && tt.name != "as typed" && got >= exact {
			t.Errorf("%s: %.2f, not below the line as typed (%.2f)", tt.name, got, exact)
		}
	}
	if got := alignOn(q, "whether it was the first time the question raised"); got > 3 {
		t.Errorf("the words apart and out of order: %.2f, want at most half the line as typed (%.2f)", got, exact)
	}
}

// TestAlignUpper: the bound the ranking reads in one pass (upper) is
// never below the best chain, for random lines of matched words: with
// repeats, other inflections, swapped pairs and ellipses. A ranking that
// skips the chain of a line whose bound cannot reach the page keeps the
// same hits only while this holds.
func TestAlignUpper(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 17))
	tight := 0
	for range 20000 {
		n := 2 + rng.IntN(12)
		words := randomWords(rng, n, 6)
		var a aligner
		span := 1 + rng.IntN(40)
		a.keys = randomKeys(rng, n, span, 3*n)
		if rng.IntN(3) == 0 { // the words in order, some swapped
			p := uint64(rng.IntN(span))
			for i := range n {
				q := i
				if i+1 < n && rng.IntN(4) == 0 {
					q = i + 1
				} else if i > 0 && a.keys[len(a.keys)-1]>>8&0xff == uint64(i) {
					q = i - 1
				}
				a.keys = append(a.keys, (p+uint64(i))<<32|uint64(q)<<8)
			}
		}
		slices.Sort(a.keys)
		a.keys = slices.Compact(a.keys)
		keys := slices.Clone(a.keys)
		up := a.upper(words)
		a.keys = keys
		got := a.chain(words)
		if got > up+1e-9 {
			t.Fatalf("words %+v, keys %x: chain %.4f above the bound %.4f", words, keys, got, up)
		}
		if got > up-1e-9 {
			tight++
		}
	}
	if tight < 1000 {
		t.Errorf("the bound met the chain in %d of 20000 lines: too loose to be of use", tight)
	}
}

// chainPlain is the chain's dynamic programme as first written: every
// earlier item, no look-back limit, no table for ellipses.
func chainPlain(words []orderWord, items []alignItem) float64 {
	gapsBefore := make([]int, len(words))
	g := 0
	for i, w := range words {
		if w.gap {
			g++
		}
		gapsBefore[i] = g
	}
	best := make([]float64, len(items))
	top := 0.0
	for j, it := range items {
		b := it.w
		for k := j - 1; k >= 0; k-- {
			prev := items[k]
			gap := it.p0 - prev.p1 - 1
			if gap < 0 || prev.q1 >= it.q0 {
				continue
			}
			lineCost := alignSkipLine * float64(gap)
			if gapsBefore[it.q0] > gapsBefore[prev.q1] {
				lineCost = 0
			}
			if c := best[k] + it.w - alignSkipWord*float64(it.q0-prev.q1-1) - lineCost; c > b {
				b = c
			}
		}
		best[j] = b
		top = max(top, b)
	}
	return top
}

// TestAlignChainLimits: the chain with its look-back limit and its
// table for ellipses finds the best chain of the plain programme, on
// random lines with and without ellipses.
func TestAlignChainLimits(t *testing.T) {
	rng := rand.New(rand.NewPCG(18, 19))
	for range 20000 {
		n := 2 + rng.IntN(12)
		words := randomWords(rng, n, 4)
		var a aligner
		a.keys = randomKeys(rng, n, 1+rng.IntN(80), 4*n)
		slices.Sort(a.keys)
		a.keys = slices.Compact(a.keys)
		got := a.chain(words)
		want := chainPlain(words, a.items)
		if math.Abs(got-want) > 1e-9 {
			t.Fatalf("words %+v, keys %x: chain %.6f, plain programme %.6f", words, a.keys, got, want)
		}
	}
}

// randomWords returns n free words, one in gapOdds (after the first)
// with an ellipsis before it.
func randomWords(rng *rand.Rand, n, gapOdds int) []orderWord {
	words := make([]orderWord, n)
	for i := range words {
		words[i].gap = i > 0 && rng.IntN(gapOdds) == 0
	}
	return words
}

// randomKeys returns up to most aligner keys: a place in [0, span), one
// of n words, one in four in another inflection.
func randomKeys(rng *rand.Rand, n, span, most int) []uint64 {
	var keys []uint64
	for range rng.IntN(most) {
		k := uint64(rng.IntN(span))<<32 | uint64(rng.IntN(n))<<8
		if rng.IntN(4) == 0 {
			k |= 1
		}
		keys = append(keys, k)
	}
	return keys
}

package index

import (
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

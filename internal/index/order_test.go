package index

import (
	"slices"
	"testing"
)

// TestSearch_WordOrder: the free words in the order typed rank first, as
// spoken above any inflection, above lines that only have the words —
// even when those are shorter and so score higher on the words alone.
func TestSearch_WordOrder(t *testing.T) {
	// Among thousands of lines, so that the words are not among the
	// commonest (whose bonus is the word pair as spoken only).
	a := synthArchive(3000)
	a.Calls = append(a.Calls, fixCall("2031-03-01-order", "2031-03-01", "en", nil,
		fixLine{"", "Storm warnings went up over the harbour today."},
		fixLine{"", "After weeks of waiting in the rain we finally saw the harbour storm warnings go up over the old town."},
		fixLine{"", "We watched the harbours storming all night long as the wind kept rising."},
		fixLine{"", "The ferry left the harbour early."},
		// Other forms of each word alone, so that no form is rare enough
		// to outweigh the order.
		fixLine{"", "Storms again."}, fixLine{"", "The storm passed."}, fixLine{"", "Storming out."},
		fixLine{"", "Harbours close."}, fixLine{"", "A harbour pilot."}, fixLine{"", "The harbours were full."},
	))
	x, _ := buildOpen(t, a)
	if x.pairWords["harbour"] || x.pairWords["storm"] {
		t.Fatal("harbour and storm are among the commonest words; the test needs rarer ones")
	}
	r := mustSearch(t, x, Query{Text: "harbour storm"})
	want := []string{"2031-03-01-order#2", "2031-03-01-order#3", "2031-03-01-order#1"}
	if got := ids(r); !slices.Equal(got, want) {
		t.Errorf("harbour storm: %v, want %v (as spoken, then inflected, then apart)", got, want)
	}
	r = mustSearch(t, x, Query{Text: "storm harbour"})
	// Reversed, the words are in order nowhere; the bonus never changes
	// what matches.
	if r.Total != 3 {
		t.Errorf("storm harbour: total %d, want 3", r.Total)
	}
}

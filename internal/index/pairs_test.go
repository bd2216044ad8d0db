package index

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2"
	bq "github.com/blevesearch/bleve/v2/search/query"
)

// A phrase of common words, read from the text field's word pairs, finds
// exactly the lines the same phrase finds read word by word.
func TestPhrase_Pairs(t *testing.T) {
	a := synthArchive(3000)
	a.Calls = append(a.Calls, fixCall("2099-01-01-pairs", "2099-01-01", "en", nil,
		fixLine{"", "Well, it is not what you know that we said."},
		fixLine{"", "It is not. It’s not."},
		fixLine{"", "It is, not to the end, you know that?"},
		fixLine{"", "Is it not the thing you know, that one?"},
	))
	x, _ := buildOpen(t, a)
	if len(x.pairWords) < 20 {
		t.Fatalf("%d common words", len(x.pairWords))
	}
	for _, text := range []string{"of the", "it is not", "to the", "the the", "I’ll", "you know that", "of the people", "is not"} {
		toks := x.tokens(text)
		search := func(q bq.Query) []string {
			req := bleve.NewSearchRequestOptions(q, 100000, 0, false)
			res, err := x.idx.Search(req)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range res.Hits {
				out = append(out, h.ID)
			}
			slices.Sort(out)
			return out
		}
		got, want := search(x.phraseExact(toks, 0)), search(phrase(toks, 0))
		if !slices.Equal(got, want) {
			t.Errorf("%q: read from pairs it finds %d lines, word by word %d", text, len(got), len(want))
		}
		if len(toks) > 1 && len(want) == 0 {
			t.Errorf("%q: no line has it; pick another phrase", text)
		}
		// And through Search, with highlights on the words.
		r := mustSearch(t, x, Query{Text: `"` + text + `"`, Size: 5})
		if r.Total != uint64(len(want)) {
			t.Errorf("Search %q: %d hits, want %d", text, r.Total, len(want))
		}
		for _, h := range r.Hits {
			if len(h.Fragments) == 0 || len(h.Terms) == 0 {
				t.Errorf("Search %q: hit %s#%d not highlighted", text, h.Call, h.Line)
			}
		}
	}
}

package index

import (
	"slices"
	"strings"
	"testing"
)

// TestDensePhrases: a phrase with dense words, searched without them and
// each hit checked against their stored positions, finds the lines Bleve's
// phrase search finds — same total, same lines, same facet counts — with
// the dense word first, last or inside, and alone or with other clauses
// and filters.
func TestDensePhrases(t *testing.T) {
	a := synthArchive(6000)
	fast, dir := buildOpenWith(t, a, BuildOptions{denseMinDocs: 200})
	if fast.dense == nil || len(fast.dense.words) < 5 {
		t.Fatalf("dense words: %v, want at least 5 with a threshold of 200 lines", fast.dense)
	}
	slow, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	slow.dense = nil // every phrase is Bleve's

	// Phrases of two and three words from the text, each with a dense
	// word and a word that is not, and the same words in reverse order
	// (which the stored positions must mostly reject).
	var phrases []string
	seen := map[string]bool{}
	for _, c := range a.Calls {
		for _, l := range c.Lines {
			toks := fast.tokens(l.Text)
			for n := 2; n <= 3; n++ {
				for i := 0; i+n <= len(toks) && len(phrases) < 120; i += 5 {
					words := make([]string, n)
					for j := range n {
						words[j] = toks[i+j].exact
					}
					rev := slices.Clone(words)
					slices.Reverse(rev)
					for _, ws := range [][]string{words, rev} {
						p := strings.Join(ws, " ")
						if q, _ := fast.densePhraseQuery(fast.tokens(p)); q != nil && !seen[p] {
							seen[p] = true
							phrases = append(phrases, p)
						}
					}
				}
			}
		}
	}
	if len(phrases) < 60 {
		t.Fatalf("%d phrases with dense words, want at least 60", len(phrases))
	}
	speaker := a.Calls[0].Participants[0].ID
	filtered, matched := 0, 0
	for _, p := range phrases {
		quoted := `"` + p + `"`
		for _, q := range []Query{
			{Text: quoted, Size: MaxSize},
			{Text: quoted + " " + strings.Fields(p)[0], Size: MaxSize},
			{Text: quoted, Speaker: speaker, Size: MaxSize},
			{Text: quoted, Call: a.Calls[1].Slug, Size: MaxSize},
			{Text: quoted, Sort: SortDate, Size: 5},
		} {
			got, want := mustSearch(t, fast, q), mustSearch(t, slow, q)
			if got.Total != want.Total || got.Fallback != want.Fallback {
				t.Errorf("%+v: %d hits (fallback %v), Bleve's phrase %d (fallback %v)", q, got.Total, got.Fallback, want.Total, want.Fallback)
				continue
			}
			g, w := ids(got), ids(want)
			if q.Sort == SortRelevance || q.Sort == "" {
				slices.Sort(g) // scores differ: the dense words no longer count
				slices.Sort(w)
			}
			if !slices.Equal(g, w) {
				t.Errorf("%+v: hits %v, Bleve's phrase %v", q, g, w)
			}
			if !slices.Equal(got.Facets.Speaker, want.Facets.Speaker) || !slices.Equal(got.Facets.Call, want.Facets.Call) {
				t.Errorf("%+v: facets differ:\ndense %v\nBleve %v", q, got.Facets, want.Facets)
			}
		}
		// The check does the work: the phrase's first word that is not
		// dense is on more lines than the phrase.
		chk, _, _ := fast.densePhrase(fast.tokens(p))
		res := mustSearch(t, fast, Query{Text: quoted})
		if res.Fallback {
			continue // no line has the phrase
		}
		matched++
		if mustSearch(t, fast, Query{Text: `"` + chk.terms[chk.anchor] + `"`}).Total > res.Total {
			filtered++
		}
	}
	if matched < 30 || filtered < matched*2/3 {
		t.Errorf("%d of %d phrases found, %d of them on fewer lines than their first word that is not dense", matched, len(phrases), filtered)
	}
}

package index

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHotWords: a search answered from the stored outcome of a hot word
// is the search Bleve would have answered — same hits in the same order,
// same total, same facet counts — on every page, with and without
// filters (whose facets ignore them).
func TestHotWords(t *testing.T) {
	a := synthArchive(6000)
	dir := t.TempDir()
	if _, err := testBuild(t.Context(), dir, a, BuildOptions{hotMinDocs: 300}); err != nil {
		t.Fatal(err)
	}
	hot, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer hot.Close()
	if len(hot.hot) < 5 {
		t.Fatalf("%d hot words, want at least 5 with a threshold of 300 lines", len(hot.hot))
	}
	cold, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer cold.Close()
	cold.hot = nil // every search runs in Bleve

	var words, pairs []string
	for w := range hot.hot {
		if isPairTerm(w) {
			pairs = append(pairs, `"`+w+`"`) // a quoted pair of common words
		} else {
			words = append(words, w)
		}
	}
	slices.Sort(words)
	slices.Sort(pairs)
	if len(pairs) < 2 {
		t.Fatalf("%d hot word pairs, want at least 2 with a threshold of 300 lines", len(pairs))
	}
	for _, p := range pairs {
		if r, err := validate(Query{Text: p}); err != nil || hot.hotWord(r) == "" {
			t.Errorf("%s: not answered from the hot words (%v)", p, err)
		}
	}
	speaker := a.Calls[0].Participants[0].ID
	for _, w := range append(words[:5], pairs[:2]...) {
		for _, q := range []Query{
			{Text: w},
			{Text: w, Page: 3, Size: 7},
			{Text: w, Page: MaxFrom/MaxSize + 1, Size: MaxSize},
			{Text: " " + w + " "},
			{Text: w, Speaker: speaker},
			{Text: w, Call: a.Calls[1].Slug},
			{Text: w, Sort: SortDate},
		} {
			got, want := mustSearch(t, hot, q), mustSearch(t, cold, q)
			if got.Total != want.Total || !slices.Equal(ids(got), ids(want)) {
				t.Errorf("%+v: hot %d hits %v, Bleve %d hits %v", q, got.Total, ids(got), want.Total, ids(want))
			}
			if !slices.Equal(got.Facets.Speaker, want.Facets.Speaker) || !slices.Equal(got.Facets.Call, want.Facets.Call) ||
				!slices.Equal(got.Facets.Language, want.Facets.Language) {
				t.Errorf("%+v: facets differ:\nhot   %v\nBleve %v", q, got.Facets, want.Facets)
			}
			for i := range got.Hits {
				if i >= len(want.Hits) {
					continue
				}
				if diff := cmp.Diff(want.Hits[i].Fragments, got.Hits[i].Fragments); diff != "" {
					t.Errorf("%+v: hit %d fragments (-Bleve +hot):\n%s", q, i, diff)
				}
			}
		}
	}
}

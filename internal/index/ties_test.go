package index

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// TestSearch_TiesInArchiveOrder: hits with the same score come in archive
// order, and a filter that excludes nothing changes neither that order nor
// the page a hit is on. The calls have different dates and different
// numbers of lines, so each date is shared by a different number of lines
// (a date filter once added a share of the score that depended on it).
func TestSearch_TiesInArchiveOrder(t *testing.T) {
	var calls []*transcript.Call
	var want []string
	for i := range 6 {
		slug := fmt.Sprintf("2030-0%d-0%d-ties", i+1, i+1)
		lines := []fixLine{{"", "The lighthouse keeper waved from the gallery."}}
		for n := range 1 + 3*(5-i) { // fewer lines in later calls
			lines = append(lines, fixLine{"", fmt.Sprintf("Filler sentence number %d about the fog.", n)})
		}
		calls = append(calls, fixCall(slug, fmt.Sprintf("2030-0%d-0%d", i+1, i+1), "en", nil, lines...))
		want = append(want, slug+"#1")
	}
	x, _ := buildOpen(t, newArchive("ties-1", calls...))

	for _, tc := range []struct {
		name string
		q    Query
	}{
		{"no filter", Query{}},
		{"after the first date", Query{After: "2030-01-01"}},
		{"before the last date", Query{Before: "2030-06-06"}},
		{"between", Query{After: "2000-01-01", Before: "2099-12-31"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q := tc.q
			q.Text = "lighthouse"
			if got := ids(mustSearch(t, x, q)); !cmp.Equal(got, want) {
				t.Errorf("order (-want +got):\n%s", cmp.Diff(want, got))
			}
			// Page by page, each hit stays on its page.
			var paged []string
			for page := 1; page <= 3; page++ {
				q.Page, q.Size = page, 2
				paged = append(paged, ids(mustSearch(t, x, q))...)
			}
			if !cmp.Equal(paged, want) {
				t.Errorf("pages of 2 (-want +got):\n%s", cmp.Diff(want, paged))
			}
		})
	}
}

// TestSearch_FiltersAddNothing: a speaker or call filter leaves each
// hit's score as it is without the filter (a filter term once scored with
// Bleve's default boost of 1, so speakers with rarer keys ranked higher).
func TestSearch_FiltersAddNothing(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	all := mustSearch(t, x, Query{Text: "the", Size: MaxSize})
	score := map[string]float64{}
	for _, h := range all.Hits {
		score[docID(h.Call, h.Line)] = h.Score
	}
	for _, q := range []Query{
		{Text: "the", Speaker: "okafor", Size: MaxSize},
		{Text: "the speaker:okafor", Size: MaxSize},
		{Text: "the", Call: "2024-03-02-lefevre-obrien", Size: MaxSize},
		{Text: "the call:2024-03-02-lefevre-obrien", Size: MaxSize},
	} {
		r := mustSearch(t, x, q)
		if len(r.Hits) == 0 {
			t.Fatalf("%+v: no hits", q)
		}
		for _, h := range r.Hits {
			id := docID(h.Call, h.Line)
			if want, ok := score[id]; !ok || h.Score != want {
				t.Errorf("%+v: %s scores %v, without the filter %v", q, id, h.Score, want)
			}
		}
	}
}

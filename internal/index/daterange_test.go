package index

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// TestSearch_DateRanges: a date filter finds exactly the lines of the
// calls in its range, whether the range is narrow (a clause of date terms)
// or wider than maxDateTerms dates (checked on each hit from the columns),
// in the hits, the total and the facet counts.
func TestSearch_DateRanges(t *testing.T) {
	const calls = 3 * maxDateTerms
	day0 := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	date := func(i int) string { return day0.AddDate(0, 0, i).Format(time.DateOnly) }
	var cs []*transcript.Call
	for i := range calls {
		who := []transcript.Participant{renee, marcus}[i%2]
		cs = append(cs, fixCall(fmt.Sprintf("%s-call-%03d", date(i), i), date(i), "en", []transcript.Participant{who},
			fixLine{who.ID, "The harbour dues were paid late again."},
			fixLine{who.ID, "Nothing else was said about it."}))
	}
	x, _ := buildOpen(t, newArchive("date-ranges", cs...))

	tests := []struct {
		name          string
		q             Query
		first, last   int // calls in range, by index
		viaColumns    bool
		speakerFilter bool
	}{
		{"narrow, after and before", Query{Text: "harbour", After: date(10), Before: date(20)}, 10, 20, false, false},
		{"wide, after", Query{Text: "harbour after:" + date(40)}, 40, calls - 1, true, false},
		{"wide, before", Query{Text: "harbour before:" + date(150)}, 0, 150, true, false},
		{"wide, both, page 2", Query{Text: "harbour", After: date(5), Before: date(170), Page: 2, Size: 50}, 5, 170, true, false},
		{"wide, no words", Query{After: date(100)}, 100, calls - 1, true, false},
		{"wide, with a speaker (its facet counted apart)", Query{Text: "harbour speaker:rl", After: date(1)}, 1, calls - 1, true, true},
		{"wide, sorted by date", Query{Text: "harbour", Before: date(120), Sort: SortDateDesc}, 0, 120, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := validate(tt.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := x.dateRange(r.after, r.before) != nil; got != tt.viaColumns {
				t.Fatalf("checked from the columns: %v, want %v", got, tt.viaColumns)
			}
			res := mustSearch(t, x, tt.q)
			var want uint64
			wantSpeakers := map[string]int{}
			for i := tt.first; i <= tt.last; i++ {
				if tt.speakerFilter && i%2 != 0 {
					continue
				}
				n := 1
				if tt.q.Text == "" {
					n = 2 // every line
				}
				want += uint64(n)
				wantSpeakers[[]string{renee.ID, marcus.ID}[i%2]] += n
			}
			if !tt.speakerFilter && res.Total != want {
				t.Errorf("total %d, want %d", res.Total, want)
			}
			if tt.speakerFilter && res.Total != want {
				t.Errorf("total %d, want %d (renee's calls in range)", res.Total, want)
			}
			for _, h := range res.Hits {
				if h.Date < date(tt.first) || h.Date > date(tt.last) {
					t.Errorf("hit %s#%d dated %s, out of range", h.Call, h.Line, h.Date)
				}
			}
			if tt.speakerFilter {
				// The speaker facet ignores the speaker filter, not the dates.
				want := map[string]int{renee.ID: 0, marcus.ID: 0}
				for i := tt.first; i <= tt.last; i++ {
					want[[]string{renee.ID, marcus.ID}[i%2]]++
				}
				got := map[string]int{}
				for _, f := range res.Facets.Speaker {
					got[f.Value] = f.Count
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("speaker facet (-want +got):\n%s", diff)
				}
			} else {
				got := map[string]int{}
				for _, f := range res.Facets.Speaker {
					got[f.Value] = f.Count
				}
				if diff := cmp.Diff(wantSpeakers, got); diff != "" {
					t.Errorf("speaker facet (-want +got):\n%s", diff)
				}
			}
		})
	}
}

package index

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// prefixWord is the i-th word of the prefix-cut archive: "zqu" and two
// letters, so that 100 words share "zqu" and 26 share "zqua".
func prefixWord(i int) string { return fmt.Sprintf("zqu%c%c", 'a'+i/26, 'a'+i%26) }

// TestSearch_PrefixCut: a prefix that starts more words than one search
// takes is searched for its most frequent words only, and the result says
// so; a prefix within the limit is searched whole and says nothing.
func TestSearch_PrefixCut(t *testing.T) {
	const words = 100
	var lines []fixLine
	for i := range words {
		n := 1 // the words past the limit are the rarest
		if i < maxPrefixTerms {
			n = 3
		}
		for range n {
			lines = append(lines, fixLine{"renee-lefevre", "The report says " + prefixWord(i) + " twice."})
		}
	}
	x, _ := buildOpen(t, newArchive("prefix-cut", fixCall("2024-03-01-prefix-cut", "2024-03-01", "en", nil, lines...)))

	res := mustSearch(t, x, Query{Text: "zqu*", Size: 100})
	want := []PrefixCut{{Prefix: "zqu", Words: words, Searched: maxPrefixTerms}}
	if diff := cmp.Diff(want, res.PrefixCuts); diff != "" {
		t.Errorf("zqu*: PrefixCuts (-want +got):\n%s", diff)
	}
	if wantTotal := uint64(3 * maxPrefixTerms); res.Total != wantTotal {
		t.Errorf("zqu*: %d hits, want %d (the lines of the %d most frequent words)", res.Total, wantTotal, maxPrefixTerms)
	}
	var texts []string
	for _, h := range res.Hits {
		texts = append(texts, h.Text)
	}
	if rare := "The report says " + prefixWord(words-1) + " twice."; slices.Contains(texts, rare) {
		t.Errorf("zqu*: the rarest word's line was found, though its word was past the limit")
	}

	whole := mustSearch(t, x, Query{Text: "zqua*", Size: 100})
	if whole.PrefixCuts != nil {
		t.Errorf("zqua* (26 words): PrefixCuts %+v, want none", whole.PrefixCuts)
	}
	if whole.Total != 26*3 {
		t.Errorf("zqua*: %d hits, want %d", whole.Total, 26*3)
	}
}

package index

import (
	"slices"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
)

// TestSelfStems: a common word that is its own stem ("go") is searched as
// one marked stem, and still finds every line with the word in any
// inflection ("go", "going", "goes"), no more and no fewer.
func TestSelfStems(t *testing.T) {
	a := synthArchive(3000)
	x, _ := buildOpen(t, a)
	if !slices.Contains(x.meta.SelfStems, "go") {
		t.Fatalf("self stems %v, want go among them (the archive says go and going)", x.meta.SelfStems)
	}
	for _, w := range x.meta.SelfStems {
		if q := x.stemAlts(x.tokens(w)[0]); !slices.Equal(q, []string{stemTerm(w)}) {
			t.Errorf("%s is searched as %v, want only %s", w, q, stemTerm(w))
		}
		// Every word of the line as spoken and its English stem (the
		// archive is English).
		plain, en := x.idx.Mapping().AnalyzerNamed(analyzerPlain), x.idx.Mapping().AnalyzerNamed(analyzerEN)
		want := 0
		for _, c := range a.Calls {
			for _, l := range c.Lines {
				has := func(a analysis.Analyzer) bool {
					return slices.ContainsFunc(a.Analyze([]byte(l.Text)), func(t *analysis.Token) bool { return string(t.Term) == w })
				}
				if has(plain) || has(en) {
					want++
				}
			}
		}
		if got := mustSearch(t, x, Query{Text: w}).Total; got != uint64(want) {
			t.Errorf("%s: %d lines, want the %d with the word in some inflection", w, got, want)
		}
	}
}

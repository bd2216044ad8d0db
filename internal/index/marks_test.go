package index

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestLineFragment: a short line's fragment, written as HTML, is the one
// Bleve's HTML highlighter writes for the same marked words.
func TestLineFragment(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	plain := x.idx.Mapping().AnalyzerNamed(analyzerPlain)
	texts := []string{
		"Good morning, Marcus. I’ve read the résumé you sent — it’s impressive.",
		`Tom & Jerry said "<b>no</b>" — isn't it?`,
		"Thanks, Renée. Let's talk about the harbour contract... I don't think we can wait.",
		"документ подписан, ёлка стоит",
	}
	for _, c := range fixtureCalls() {
		for _, l := range c.Lines {
			texts = append(texts, l.Text)
		}
	}
	for _, text := range texts {
		toks := plain.Analyze([]byte(text))
		for step := 1; step <= 3; step++ {
			var spans [][2]int
			for i := 0; i < len(toks); i += step {
				spans = append(spans, [2]int{toks[i].Start, toks[i].End})
			}
			if len(spans) == 0 {
				continue
			}
			got := []string{fragmentHTML(lineFragment(text, spans))}
			if diff := cmp.Diff(bleveHTML(t, text, spans), got); diff != "" {
				t.Errorf("%q every %d words (-Bleve +ours):\n%s", text, step, diff)
			}
		}
	}
}

package index

import (
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
)

// TestMarkHTML: a short line's fragment, written by markHTML, is the one
// Bleve's HTML highlighter writes for the same marked words.
func TestMarkHTML(t *testing.T) {
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
			locs := search.TermLocationMap{}
			for i := 0; i < len(toks); i += step {
				tk := toks[i]
				spans = append(spans, [2]int{tk.Start, tk.End})
				w := text[tk.Start:tk.End]
				locs[w] = append(locs[w], &search.Location{Pos: uint64(i + 1), Start: uint64(tk.Start), End: uint64(tk.End)})
			}
			if len(spans) == 0 {
				continue
			}
			dm := &search.DocumentMatch{ID: "x", Locations: search.FieldTermLocationMap{fieldText: locs}}
			doc := document.NewDocument("x")
			doc.AddField(document.NewTextField(fieldText, nil, []byte(text)))
			want := x.hl.BestFragmentsInField(dm, doc, fieldText, numFragments)
			if got := markHTML(text, spans); len(want) != 1 || got != want[0] {
				t.Errorf("%q every %d words:\nmarkHTML %q\nBleve    %q", text, step, got, want)
			}
		}
	}
}

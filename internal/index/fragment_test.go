package index

import (
	"html"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search"
	htmlhl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/html"
)

// fragmentHTML writes f as Bleve's HTML highlighter writes a fragment:
// the text escaped, each mark in <mark>. The web layer writes the API's
// fragments the same way; here it compares a Fragment with Bleve's own
// output.
func fragmentHTML(f Fragment) string {
	var b strings.Builder
	cur := 0
	for _, m := range f.Marks {
		b.WriteString(html.EscapeString(f.Text[cur:m.Start]))
		b.WriteString("<mark>" + html.EscapeString(f.Text[m.Start:m.End]) + "</mark>")
		cur = m.End
	}
	b.WriteString(html.EscapeString(f.Text[cur:]))
	return b.String()
}

func fragmentsHTML(fs []Fragment) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = fragmentHTML(f)
	}
	return out
}

// bleveHTML is what Bleve's HTML highlighter makes of text with spans
// marked: the fragments a hit had when it was asked for them.
func bleveHTML(t testing.TB, text string, spans [][2]int) []string {
	t.Helper()
	hl, err := registry.NewCache().HighlighterNamed(htmlhl.Name)
	if err != nil {
		t.Fatal(err)
	}
	locs := search.TermLocationMap{}
	for i, s := range spans {
		w := text[s[0]:s[1]]
		locs[w] = append(locs[w], &search.Location{Pos: uint64(i + 1), Start: uint64(s[0]), End: uint64(s[1])})
	}
	dm := &search.DocumentMatch{ID: "x", Locations: search.FieldTermLocationMap{fieldText: locs}}
	doc := document.NewDocument("x")
	doc.AddField(document.NewTextField(fieldText, nil, []byte(text)))
	return hl.BestFragmentsInField(dm, doc, fieldText, numFragments)
}

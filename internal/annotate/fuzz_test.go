package annotate

import (
	"strings"
	"testing"
	"unicode/utf8"

	"backchannel/internal/transcript"
)

// FuzzParse: no input makes Parse or Attach panic; problems name the file;
// notes are numbered in order within the file's lines; an attached quote's
// span is inside its line and holds the quote's runes.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		harbourNotes,
		"## L1\n\nx\n",
		"---\nfidelity: x\ncorrections:\n  - date: 2024-01-02\n    note: y\n---\nhead\n## L1-L2 \"a\"\n\nb\n",
		"```\n## L1\n```\n## L2 “q”\n\nz",
		"## L9999999\n\nx",
		"---\n---\n",
		"## L1 \"\xff\"\n\nx",
	} {
		f.Add([]byte(s))
	}
	c := harbourCall()
	f.Fuzz(func(t *testing.T, data []byte) {
		ns, ps := Parse("f.notes.md", data)
		if ns == nil {
			t.Fatal("nil notes")
		}
		ps = append(ps, ns.Attach(c)...)
		for _, p := range ps {
			if !strings.HasPrefix(p.String(), "f.notes.md") {
				t.Errorf("problem without path: %s", p)
			}
		}
		lines := strings.Count(string(data), "\n") + 1
		prev := 0
		for _, n := range ns.Notes {
			if n.N <= prev || n.First < 1 || n.Last < n.First || n.SourceLine < 1 || n.SourceLine > lines {
				t.Errorf("bad note %+v", n)
			}
			prev = n.N
			if n.QuoteLine > 0 {
				l, ok := c.Line(n.QuoteLine)
				if !ok || n.QuoteStart < 0 || n.QuoteEnd > len(l.Text) || n.QuoteStart > n.QuoteEnd ||
					!utf8.ValidString(l.Text[n.QuoteStart:n.QuoteEnd]) ||
					utf8.RuneCountInString(l.Text[n.QuoteStart:n.QuoteEnd]) != utf8.RuneCountInString(n.Quote) {
					t.Errorf("bad quote span %+v", n)
				}
			}
		}
		_ = transcript.Problems(ps).Error()
	})
}

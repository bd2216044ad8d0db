package annotate

import (
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

// TestShipped checks the notes shipped with the archive: every call has a
// headnote and notes, nothing is detached, every quote is found in its line,
// and the notes say where their facts come from.
func TestShipped(t *testing.T) {
	dir := filepath.Join("..", "..", "transcripts")
	a, aps := transcript.LoadDir(dir)
	if aps.HasErrors() {
		t.Fatal(aps)
	}
	notes, ps := LoadDir(dir, a)
	if len(ps) != 0 {
		t.Fatalf("problems in the shipped notes:\n%v", ps)
	}
	for _, c := range a.Calls {
		ns := notes[c.Slug]
		if ns == nil {
			t.Errorf("%s has no notes", c.Slug)
			continue
		}
		if ns.Headnote == "" || ns.Fidelity == "" {
			t.Errorf("%s: no headnote or fidelity", c.Slug)
		}
		if !strings.Contains(ns.HeadnoteText, "Bloomberg") {
			t.Errorf("%s: the headnote does not name the publisher", c.Slug)
		}
		covered := map[int]bool{}
		for _, n := range ns.Notes {
			if n.Quote != "" && n.QuoteLine == 0 {
				t.Errorf("%s note %d: quote %q not found", c.Slug, n.N, n.Quote)
			}
			// Every note attributes what it says to a named source.
			if !strings.Contains(n.Text, "“") && !strings.Contains(n.Text, `"`) {
				t.Errorf("%s note %d names no source: %q", c.Slug, n.N, n.Text)
			}
			for l := n.First; l <= n.Last; l++ {
				covered[l] = true
			}
		}
		for _, l := range c.Lines {
			if !covered[l.N] {
				t.Errorf("%s line %d has no note", c.Slug, l.N)
			}
		}
	}
}

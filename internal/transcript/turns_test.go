package transcript

import "testing"

// TestTurnCount: an archive that keeps its lines on disk counts each
// speaker's turns in a call as one that has them in memory, without
// reading the file.
func TestTurnCount(t *testing.T) {
	dir := catalogDir(t)
	full, _ := LoadDir(dir)
	lazy, _ := LoadDirLazy(dir, 0)
	checked := 0
	for i, c := range full.Calls {
		for _, p := range append(c.Participants, Participant{ID: "nobody-here"}) {
			want := 0
			for _, l := range c.Lines {
				if l.Kind == Turn && l.Speaker == p.ID {
					want++
				}
			}
			if got := full.TurnCount(c, p.ID); got != want {
				t.Errorf("%s %s: %d turns, want %d", c.Slug, p.ID, got, want)
			}
			lc := lazy.Calls[i]
			if len(lc.Lines) != 0 {
				t.Fatalf("%s: the lazy archive holds lines", lc.Slug)
			}
			if got := lazy.TurnCount(lc, p.ID); got != want {
				t.Errorf("lazy %s %s: %d turns, want %d", c.Slug, p.ID, got, want)
			}
			checked += want
		}
	}
	if checked == 0 {
		t.Fatal("no turns counted: the test archive has none")
	}
}

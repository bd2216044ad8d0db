package history

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// lines makes fictional lines "speaker: text", numbered from 1.
func lines(specs ...string) []transcript.Line {
	var out []transcript.Line
	for i, s := range specs {
		who, text, _ := strings.Cut(s, ": ")
		out = append(out, transcript.Line{N: i + 1, Kind: transcript.Turn, Speaker: who, Text: text, Time: -1})
	}
	return out
}

func TestMap(t *testing.T) {
	v1 := lines(
		"ana: The ferry leaves at ten.",
		"ben: Then we wait on the pier.",
		"ana: Bring the lantern and the rope.",
		"ben: I will say it word for word.",
	)
	tests := []struct {
		name   string
		new    []transcript.Line
		want   []*Now
		added  []int
		counts [4]int
	}{
		{"unchanged", v1, []*Now{{N: 1}, {N: 2}, {N: 3}, {N: 4}}, nil, [4]int{0, 0, 0, 0}},
		{"lines inserted before, between and after",
			lines("ben: Good morning.", "ana: The ferry leaves at ten.", "ben: Then we wait on the pier.", "ana: Is it cold?",
				"ana: Bring the lantern and the rope.", "ben: I will say it word for word.", "ana: Goodbye."),
			[]*Now{{N: 2}, {N: 3}, {N: 5}, {N: 6}}, []int{1, 4, 7}, [4]int{3, 0, 0, 0}},
		{"a word corrected",
			lines("ana: The ferry leaves at eleven.", "ben: Then we wait on the pier.", "ana: Bring the lantern and the rope.", "ben: I will say it word for word."),
			[]*Now{{N: 1, Changed: true}, {N: 2}, {N: 3}, {N: 4}}, nil, [4]int{0, 0, 1, 0}},
		{"a line removed",
			lines("ana: The ferry leaves at ten.", "ana: Bring the lantern and the rope.", "ben: I will say it word for word."),
			[]*Now{{N: 1}, nil, {N: 2}, {N: 3}}, nil, [4]int{0, 1, 0, 0}},
		{"a line moved far and corrected",
			lines("ben: I will say it exactly word for word.", "ana: The ferry leaves at ten.", "ben: Then we wait on the pier.", "ana: Bring the lantern and the rope."),
			[]*Now{{N: 2}, {N: 3}, {N: 4}, {N: 1, Changed: true}}, nil, [4]int{0, 0, 1, 0}},
		{"lines put in another order",
			lines("ana: Bring the lantern and the rope.", "ana: The ferry leaves at ten.", "ben: Then we wait on the pier.", "ben: I will say it word for word."),
			[]*Now{{N: 2}, {N: 3}, {N: 1, Moved: true}, {N: 4}}, nil, [4]int{0, 0, 0, 1}},
		{"a speaker relabelled: not the same line",
			lines("ana: The ferry leaves at ten.", "ben: Then we wait on the pier.", "cai: Bring the lantern and the rope.", "ben: I will say it word for word."),
			[]*Now{{N: 1}, {N: 2}, nil, {N: 4}}, []int{3}, [4]int{1, 1, 0, 0}},
		{"rewritten beyond recognition",
			lines("ana: The ferry leaves at ten.", "ben: Then we wait on the pier.", "ana: Nothing like it at all now.", "ben: I will say it word for word."),
			[]*Now{{N: 1}, {N: 2}, nil, {N: 4}}, []int{3}, [4]int{1, 1, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Map(v1, tt.new)
			if diff := cmp.Diff(tt.want, m.Now); diff != "" {
				t.Errorf("Now (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.added, m.Added); diff != "" {
				t.Errorf("Added (-want +got):\n%s", diff)
			}
			a, r, c, mv := m.Counts()
			if got := [4]int{a, r, c, mv}; got != tt.counts {
				t.Errorf("Counts = %v, want %v", got, tt.counts)
			}
		})
	}
}

func TestWords(t *testing.T) {
	got := Words("The ferry leaves at ten, said Ana.", "The ferry leaves at eleven, said Ana Lima.")
	want := []Piece{{"The ferry leaves at ", Same}, {"ten, ", Removed}, {"eleven, ", Added}, {"said ", Same}, {"Ana.", Removed}, {"Ana Lima.", Added}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Words (-want +got):\n%s", diff)
	}
	// The pieces give both texts back.
	var old, new strings.Builder
	for _, p := range got {
		if p.Op != Added {
			old.WriteString(p.Text)
		}
		if p.Op != Removed {
			new.WriteString(p.Text)
		}
	}
	if old.String() != "The ferry leaves at ten, said Ana." || new.String() != "The ferry leaves at eleven, said Ana Lima." {
		t.Errorf("pieces give %q and %q", old.String(), new.String())
	}
}

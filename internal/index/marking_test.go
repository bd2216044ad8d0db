package index

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// TestSearch_Marking: marking:S/NF finds the lines a record marks so,
// alone or with words and other filters, in any case; a marking no line
// has finds nothing.
func TestSearch_Marking(t *testing.T) {
	aldana := transcript.Participant{ID: "marek-aldana", Name: "Marek Aldana", Role: "Fictional president"}
	principal := transcript.Participant{ID: "the-president", Name: "The President", Labels: []string{"The President"}}
	c := fixCall("2019-03-04-fictional-telcon", "2019-03-04", "en", []transcript.Participant{principal, aldana},
		fixLine{"the-president", "The ferry leaves at six."},
		fixLine{"marek-aldana", "The ferry is late again."},
		fixLine{"", "[inaudible]"},
		fixLine{"the-president", "Then the ferry waits."},
	)
	for i, m := range []string{"S/NF", "U", "U", "C//REL TO USA, FVEY"} {
		c.Lines[i].Marking = m
	}
	x, _ := buildOpen(t, newArchive("marking-1", c, fixtureCalls()[0]))
	tests := []struct {
		q    string
		want []string
	}{
		{"marking:S/NF", []string{"2019-03-04-fictional-telcon#1"}},
		{"marking:s/nf", []string{"2019-03-04-fictional-telcon#1"}},
		{"ferry marking:U", []string{"2019-03-04-fictional-telcon#2"}},
		{"marking:U", []string{"2019-03-04-fictional-telcon#2", "2019-03-04-fictional-telcon#3"}},
		{"marking:U speaker:aldana", []string{"2019-03-04-fictional-telcon#2"}},
		{`marking:"C//REL TO USA, FVEY"`, []string{"2019-03-04-fictional-telcon#4"}},
		{"ferry marking:S/NF marking:C//REL", []string{"2019-03-04-fictional-telcon#1"}},
		{"marking:TS", []string{}},
		{"ferry", []string{"2019-03-04-fictional-telcon#1", "2019-03-04-fictional-telcon#2", "2019-03-04-fictional-telcon#4"}},
	}
	for _, tt := range tests {
		got := ids(mustSearch(t, x, Query{Text: tt.q}))
		slices.Sort(got)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.q, diff)
		}
	}
}

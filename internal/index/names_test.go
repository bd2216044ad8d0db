package index

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// namesArchive: fictional people whose names have several transliterations,
// and a line that says one of the names.
func namesArchive() *transcript.Archive {
	taras := transcript.Participant{ID: "taras-horodetskyy", Name: "Taras Horodetskyy", Role: "Fictional harbour master",
		Aliases: []string{"Gorodetsky"}}
	kyrylo := transcript.Participant{ID: "kyrylo-dmitriyev", Name: "Kyrylo Dmitriyev", Role: "Fictional pilot"}
	olena := transcript.Participant{ID: "olena-marchuk", Name: "Olena Marchuk", Role: "Fictional clerk"}
	return newArchive("names-1",
		fixCall("2024-04-02-harbour", "2024-04-02", "en", []transcript.Participant{taras, kyrylo, olena},
			fixLine{"taras-horodetskyy", "The ferry leaves at six."},
			fixLine{"kyrylo-dmitriyev", "Then the pilots board at five."},
			fixLine{"olena-marchuk", "Horodetskyy promised the ferries a new quay."},
			fixLine{"taras-horodetskyy", "And the quay will be ready in May."},
		))
}

// TestSearch_NameSpellings: a speaker filter or a free word that names a
// speaker finds the speaker under every common transliteration of the
// name and under a declared alias; a line's own words match only as
// written.
func TestSearch_NameSpellings(t *testing.T) {
	x, _ := buildOpen(t, namesArchive())
	taras := []string{"2024-04-02-harbour#1", "2024-04-02-harbour#4"}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"speaker filter, the name as written", Query{Text: "speaker:horodetskyy"}, taras},
		{"speaker filter, -y for -yy", Query{Text: "speaker:horodetsky"}, taras},
		{"speaker filter, -iy and kh", Query{Text: "speaker:khorodetskiy"}, taras},
		{"speaker filter, full name in another spelling", Query{Text: `speaker:"Taras Horodetskii"`}, taras},
		{"speaker parameter", Query{Speaker: "Horodetsky"}, taras},
		{"speaker filter, alias", Query{Text: "speaker:gorodetsky"}, taras},
		{"speaker filter, -iev for -iyev", Query{Text: "speaker:dmitriev"}, []string{"2024-04-02-harbour#2"}},
		// A free word names the speaker in any spelling, but finds the
		// line that says the name only as it is written there.
		{"free word, another spelling of a name", Query{Text: "horodetsky"}, taras},
		{"free word, alias", Query{Text: "gorodetsky"}, taras},
		{"free word, the name as written", Query{Text: "horodetskyy"}, []string{"2024-04-02-harbour#1", "2024-04-02-harbour#3", "2024-04-02-harbour#4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(mustSearch(t, x, tt.q))
			slices.Sort(got)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%+v (-want +got):\n%s", tt.q, diff)
			}
		})
	}
}

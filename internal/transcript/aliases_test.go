package transcript

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHeader_Aliases: a participant's aliases are read from the header or
// sidecar, and are among the keys a user may type for the participant.
func TestHeader_Aliases(t *testing.T) {
	const md = "---\ntitle: T\ndate: 2024-01-01\nparticipants:\n  - name: Taras Horodetskyy\n    aliases: [Gorodetsky, Taras Horodetsky]\n  - name: Ana Lima\n    aliases: Lima-Souza\n---\nTaras Horodetskyy (TH): a\n"
	c := mustParse(t, "x.md", []byte(md))
	if diff := cmp.Diff([]string{"Gorodetsky", "Taras Horodetsky"}, c.Participants[0].Aliases); diff != "" {
		t.Errorf("aliases (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"Lima-Souza"}, c.Participants[1].Aliases); diff != "" {
		t.Errorf("single alias (-want +got):\n%s", diff)
	}
	want := []string{"taras-horodetskyy", "th", "taras horodetskyy", "horodetskyy", "gorodetsky", "taras horodetsky", "horodetsky"}
	if diff := cmp.Diff(want, c.Participants[0].Keys()); diff != "" {
		t.Errorf("keys (-want +got):\n%s", diff)
	}
	for _, tt := range []struct{ aliases, want string }{
		{"{a: b}", "x.md:6: aliases must be a list of names such as [Zelensky, Zelenskiy], not keys and values"},
		{`["", "..."]`, `x.md:6: alias "" must be a name, e.g. Zelensky|x.md:6: alias "..." must be a name, e.g. Zelensky`},
	} {
		_, ps := Parse("x.md", []byte(strings.Replace(md, "[Gorodetsky, Taras Horodetsky]", tt.aliases, 1)))
		var got []string
		for _, p := range ps {
			got = append(got, p.String())
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("aliases %s: got %v, want %s", tt.aliases, got, tt.want)
		}
	}
}

// TestArchive_ResolveSpeakerSpellings: the search page resolves a speaker
// typed in another transliteration, or by an alias.
func TestArchive_ResolveSpeakerSpellings(t *testing.T) {
	a := &Archive{Calls: []*Call{{Slug: "c", Participants: []Participant{
		{ID: "taras-horodetskyy", Name: "Taras Horodetskyy", Aliases: []string{"Gorodetsky"}},
		{ID: "ana-lima", Name: "Ana Lima"},
	}}}}
	for _, s := range []string{"horodetsky", "Khorodetskiy", "taras horodetskii", "GORODETSKY", "taras-horodetskyy"} {
		if got := a.ResolveSpeaker(s); !cmp.Equal(got, []string{"taras-horodetskyy"}) {
			t.Errorf("ResolveSpeaker(%q) = %v", s, got)
		}
	}
	if got := a.ResolveSpeaker("lim"); got != nil {
		t.Errorf("ResolveSpeaker(lim) = %v, want none", got)
	}
}

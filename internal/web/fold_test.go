package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// TestSearch_ApostrophesInLinesAndNotes: a word typed with any of the
// apostrophes people write (ʹ ＇ ’ ') finds it written with each of them,
// in a line (the index) and in an editorial note (annotate), and both
// mark every one. One table (package fold) folds them for both.
func TestSearch_ApostrophesInLinesAndNotes(t *testing.T) {
	const text = "Wren says she donʹt know, Ivo don＇t know, Pell don’t know, and Sable don't know."
	call := &transcript.Call{
		Slug: "2032-07-08-wren-ivo", Title: "Wren and Ivo", Date: "2032-07-08", Language: "en",
		Participants: []transcript.Participant{
			{ID: "wren-adair", Name: "Wren Adair", Labels: []string{"WA"}},
			{ID: "ivo-pell", Name: "Ivo Pell", Labels: []string{"IP"}},
		},
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "wren-adair", Text: text, Time: -1},
			{N: 2, Kind: transcript.Turn, Speaker: "ivo-pell", Text: "Then ask the harbourmaster.", Time: -1},
		},
		SHA256: strings.Repeat("ef", 32),
	}
	a := &transcript.Archive{Calls: []*transcript.Call{call}}
	ns, ps := annotate.Parse(call.Slug+".notes.md", []byte("## L2\n\nThe editor writes: "+text+"\n"))
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if ps := ns.Attach(call); len(ps) != 0 {
		t.Fatal(ps)
	}
	lib := &notesLibrary{fakeLibrary: indexedLibrary(t, a), notes: map[string]*annotate.Notes{call.Slug: ns}}
	s, err := NewServer(Config{Library: lib, Notes: lib, Assets: newTestServer(t, lib.fakeLibrary).assets})
	if err != nil {
		t.Fatal(err)
	}
	wantLine := "Wren says she <mark>donʹt</mark> know, Ivo <mark>don＇t</mark> know, Pell <mark>don’t</mark> know, and Sable <mark>don&#39;t</mark> know."
	for _, q := range []string{"donʹt", "don＇t", "don’t", "don't"} {
		m := mustJSON(t, get(t, s, "/api/v1/search?q="+url.QueryEscape(q)))
		var lines, notes []any
		for _, h := range m["hits"].([]any) {
			lines = append(lines, h.(map[string]any)["fragments"].([]any)...)
		}
		for _, n := range m["notes"].([]any) {
			notes = append(notes, n.(map[string]any)["fragments"].([]any)...)
		}
		if diff := cmp.Diff([]any{wantLine}, lines); diff != "" {
			t.Errorf("%s: the line's fragments (-want +got):\n%s", q, diff)
		}
		if diff := cmp.Diff([]any{"The editor writes: " + wantLine}, notes); diff != "" {
			t.Errorf("%s: the note's fragments (-want +got):\n%s", q, diff)
		}
	}
}

package transcript

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testArchive(n int) *Archive {
	a := &Archive{}
	for i := range n {
		a.Calls = append(a.Calls, &Call{Slug: fmt.Sprintf("2024-01-%02d-a-b", i+1),
			Participants: []Participant{{ID: fmt.Sprintf("p%d", i%3), Name: fmt.Sprintf("Person %d", i%3)}}})
	}
	return a
}

// TestArchiveCall: every call is found by its slug, an unknown slug is
// not, and a Calls slice changed after the first lookup still gives the
// right call (the index by slug is checked, not trusted).
func TestArchiveCall(t *testing.T) {
	a := testArchive(30)
	for _, c := range a.Calls {
		got, ok := a.Call(c.Slug)
		if !ok || got != c {
			t.Fatalf("Call(%q) = %v, %v", c.Slug, got, ok)
		}
	}
	if _, ok := a.Call("2099-01-01-none"); ok {
		t.Errorf("an unknown slug was found")
	}
	// Reversed and one more appended after the index was made.
	for i, j := 0, len(a.Calls)-1; i < j; i, j = i+1, j-1 {
		a.Calls[i], a.Calls[j] = a.Calls[j], a.Calls[i]
	}
	extra := &Call{Slug: "2025-05-05-x-y"}
	a.Calls = append(a.Calls, extra)
	for _, c := range a.Calls {
		if got, ok := a.Call(c.Slug); !ok || got != c {
			t.Fatalf("after a change, Call(%q) = %v, %v", c.Slug, got, ok)
		}
	}
}

func TestArchiveSpeakerNames(t *testing.T) {
	a := testArchive(5)
	a.Calls = append(a.Calls, &Call{Slug: "s", Participants: []Participant{{ID: "p0", Name: "Another name"}, {ID: "anon"}}})
	want := map[string]string{"p0": "Person 0", "p1": "Person 1", "p2": "Person 2"}
	if diff := cmp.Diff(want, a.SpeakerNames()); diff != "" {
		t.Errorf("SpeakerNames (-want +got):\n%s", diff)
	}
}

func BenchmarkArchiveCall(b *testing.B) {
	a := testArchive(4445) // calls in the 1M-line benchmark archive
	slug := a.Calls[len(a.Calls)/2].Slug
	for b.Loop() {
		a.Call(slug)
	}
}

package index

import (
	"fmt"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// TestStoredByNumber: every line of an index of several segments, some
// lines deleted by incremental builds, reads the same by its document
// number as by its ID.
func TestStoredByNumber(t *testing.T) {
	dir := t.TempDir()
	calls := smallCalls(40)
	mustBuild(t, dir, newArchive("v1", calls...), BuildOptions{})
	calls[5].Lines[0].Text = "Rewritten: the tide table was wrong."
	mustBuild(t, dir, newArchive("v2", calls...), BuildOptions{})
	calls[30].Lines[2].Text = "Rewritten again: the tide table was right."
	mustBuild(t, dir, newArchive("v3", calls...), BuildOptions{})
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	st := x.storedByNumber()
	if st == nil {
		t.Fatal("the reader is not a scorch snapshot: the page reads every line by ID")
	}
	if n := len(x.reader.(*scorch.IndexSnapshot).Segments()); n < 2 {
		t.Logf("only %d segment(s): the numbering across segments is not exercised", n)
	}
	docs, err := x.reader.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	defer docs.Close()
	n := 0
	for {
		id, err := docs.Next()
		if err != nil {
			t.Fatal(err)
		}
		if id == nil {
			break
		}
		ext, err := x.reader.ExternalID(id)
		if err != nil {
			t.Fatal(err)
		}
		rh := rankedHit{ID: ext, Score: 1.5}
		want := wantHit(t, x, rh)
		var got, noID Hit
		ok, gotID, err := st.read(&got, rh, id.Value())
		if err != nil || !ok || gotID != ext {
			t.Fatalf("document %d (%s): read %v %q, %v", id.Value(), ext, ok, gotID, err)
		}
		// Without the ID (a ranking that read none): the stored one.
		ok, gotID, err = st.read(&noID, rankedHit{Score: rh.Score}, id.Value())
		if err != nil || !ok || gotID != ext {
			t.Fatalf("document %d without its ID: read %v %q, %v", id.Value(), ok, gotID, err)
		}
		if diff := cmp.Diff(got, noID); diff != "" {
			t.Fatalf("document %d read without its ID (-with +without):\n%s", id.Value(), diff)
		}
		if got.Call != want.Call || got.Line != want.Line || got.Speaker != want.Speaker || got.Text != want.Text ||
			got.Date != want.Date || got.Language != want.Language || got.Time != want.Time || got.Score != want.Score {
			t.Errorf("document %d:\nby number %+v\nby ID     %+v", id.Value(), got, want)
		}
		n++
	}
	if n != 200 {
		t.Errorf("%d live lines, want 200", n)
	}
	// A number whose stored ID is another line's is refused.
	var h Hit
	if ok, _, _ := st.read(&h, rankedHit{ID: "no-such-line#1"}, 0); ok {
		t.Error("read a line under another line's ID")
	}
}

// wantHit is the hit rh read by its ID.
func wantHit(t *testing.T, x *Index, rh rankedHit) Hit {
	t.Helper()
	var h Hit
	if found, err := x.load(&h, rh); err != nil || !found {
		t.Fatalf("%s by ID: %v, %v", rh.ID, found, err)
	}
	return h
}

// TestPage_NumbersOnly: a page given as document numbers and scores (a
// ranking that read no IDs) is the page given with IDs.
func TestPage_NumbersOnly(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	docs, err := x.reader.DocIDReaderAll()
	if err != nil {
		t.Fatal(err)
	}
	defer docs.Close()
	withIDs, numbers := &ranking{}, &ranking{}
	for i := 0; i < 6; i++ {
		id, err := docs.Next()
		if err != nil || id == nil {
			t.Fatalf("document %d: %v", i, err)
		}
		ext, err := x.reader.ExternalID(id)
		if err != nil {
			t.Fatal(err)
		}
		score := float64(10 - i)
		withIDs.Hits = append(withIDs.Hits, rankedHit{ID: ext, Score: score})
		withIDs.docs = append(withIDs.docs, id.Value())
		numbers.docs = append(numbers.docs, id.Value())
		numbers.scores = append(numbers.scores, score)
	}
	marks := []mark{{seq: []markWord{{exact: "the", stems: []string{"the"}, stemmed: true}}}, {prefix: "con"}}
	want, err := x.page(t.Context(), withIDs, marks)
	if err != nil {
		t.Fatal(err)
	}
	got, err := x.page(t.Context(), numbers, marks)
	if err != nil {
		t.Fatal(err)
	}
	if len(want) != 6 {
		t.Errorf("page with IDs: %d hits, want 6", len(want))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("page by numbers (-with IDs +by numbers):\n%s", diff)
	}
}

// TestPage_LongPage: a page of long lines, highlighted on every core,
// gets for each hit the fields and fragments it gets alone.
func TestPage_LongPage(t *testing.T) {
	ps := []transcript.Participant{{ID: "wren-halloway", Name: "Wren Halloway", Labels: []string{"WH"}}}
	var lines []fixLine
	for i := range 30 {
		// Fictional: a dispatcher reading out a long list of crates.
		text := fmt.Sprintf("Crate %d holds lanterns. ", i) + strings.Repeat("The tally of lanterns and ropes is checked twice at the quay, ", 20) +
			fmt.Sprintf("and crate %d is sealed.", i)
		lines = append(lines, fixLine{"wren-halloway", text})
	}
	x, _ := buildOpen(t, newArchive("long", fixCall("2024-07-01-halloway", "2024-07-01", "en", ps, lines...)))
	st := x.storedByNumber()
	sr := &ranking{}
	textBytes := 0
	for i := range lines {
		id := docID("2024-07-01-halloway", i+1)
		num, err := x.reader.InternalID(id)
		if err != nil || num == nil {
			t.Fatalf("%s: %v", id, err)
		}
		sr.Hits = append(sr.Hits, rankedHit{ID: id, Score: float64(30 - i)})
		sr.docs = append(sr.docs, num.Value())
		textBytes += len(lines[i].text)
	}
	if textBytes <= parallelPageBytes {
		t.Fatalf("page of %d bytes: not shared out", textBytes)
	}
	marks := []mark{{seq: []markWord{{exact: "sealed", stems: []string{"sealed", "seal"}, stemmed: true}}}, {prefix: "lant"}}
	got, err := x.page(t.Context(), sr, marks)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(lines) {
		t.Fatalf("%d hits, want %d", len(got), len(lines))
	}
	mr := x.marker(marks)
	for i, rh := range sr.Hits {
		var want Hit
		if ok, _, err := st.read(&want, rh, sr.docs[i]); !ok || err != nil {
			t.Fatalf("%s: %v", rh.ID, err)
		}
		mr.highlight(&marksScratch{}, &want, rh.ID, marks)
		if diff := cmp.Diff(want, got[i]); len(want.Fragments) == 0 || diff != "" {
			t.Errorf("hit %d (-alone +page):\n%s", i, diff)
		}
	}
}

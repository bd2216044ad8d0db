package index

import (
	"testing"

	"github.com/blevesearch/bleve/v2/index/scorch"
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
	x, err := Open(dir)
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
		var got, want Hit
		ok, err := st.read(&got, rh, id.Value())
		if err != nil || !ok {
			t.Fatalf("document %d (%s): read %v, %v", id.Value(), ext, ok, err)
		}
		if found, err := x.load(&want, rh); err != nil || !found {
			t.Fatalf("%s by ID: %v, %v", ext, found, err)
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
	if ok, _ := st.read(&h, rankedHit{ID: "no-such-line#1"}, 0); ok {
		t.Error("read a line under another line's ID")
	}
}

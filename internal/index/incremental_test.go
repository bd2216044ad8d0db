package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

// smallCalls is an archive of n fictional calls of five lines each, one
// every few days, so that one call is a small share of it. Every line
// holds its call's number as a word ("callword7"), to count lines per
// call.
func smallCalls(n int) []*transcript.Call {
	ps := []transcript.Participant{
		{ID: "vera-holm", Name: "Vera Holm", Labels: []string{"VH"}},
		{ID: "ossian-dale", Name: "Ossian Dale", Labels: []string{"OD"}},
	}
	var calls []*transcript.Call
	for i := range n {
		date := fmt.Sprintf("2023-%02d-%02d", 1+i/28%12, 1+i%28)
		var lines []fixLine
		for j := range 5 {
			sp := ps[j%2].ID
			lines = append(lines, fixLine{sp, fmt.Sprintf("callword%d line%d the lighthouse keeper counts crates on pier %d.", i, j+1, i)})
		}
		calls = append(calls, fixCall(fmt.Sprintf("%s-small-%03d", date, i), date, "en", slices.Clone(ps), lines...))
	}
	return calls
}

func mustBuild(t *testing.T, dir string, a *transcript.Archive, opts BuildOptions) BuildStats {
	t.Helper()
	st, err := testBuild(t.Context(), dir, a, opts)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return st
}

// total runs q on the current index of dir and returns its hit count.
func total(t *testing.T, dir string, q Query) uint64 {
	t.Helper()
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	return mustSearch(t, x, q).Total
}

func TestBuild_Incremental(t *testing.T) {
	dir := t.TempDir()
	calls := smallCalls(40)
	st := mustBuild(t, dir, newArchive("v1", calls...), BuildOptions{})
	if st.Incremental || st.Indexed != 200 {
		t.Fatalf("first build: %+v, want a full build of 200 lines", st)
	}

	// Change a line of call 3, remove call 7, add a call between 10 and
	// 11 and one after the last, rename a participant of call 20 (as a
	// sidecar .yaml edit does: the file's SHA-256 stays the same).
	calls = smallCalls(40)
	calls[3].Lines[2].Text = "The quartermaster misplaced the brass sextant."
	calls[3].SHA256 = "same as before"
	calls = slices.Delete(calls, 7, 8)
	calls = append(calls,
		fixCall("2023-01-11-small-added", "2023-01-11", "en", nil, fixLine{"", "A gull lands on the signal mast."}),
		fixCall("2024-12-31-small-last", "2024-12-31", "en", nil, fixLine{"", "The harbour closes for the winter."}, fixLine{"", "Snow falls on the quay."}),
	)
	c20 := calls[19] // call 20, after the removal
	c20.Participants[0].Name = "Vera Holmqvist"
	a := newArchive("v2", calls...)
	st = mustBuild(t, dir, a, BuildOptions{})
	if !st.Incremental || st.Indexed != 5+1+2+5 || st.Deleted != 5 || st.Lines != 200-5+3 {
		t.Errorf("incremental build: %+v, want 13 lines indexed (calls 3 and 20, two new calls), 5 deleted", st)
	}

	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !x.Matches(a) {
		t.Error("Matches(new archive) = false")
	}
	if n, _ := x.DocCount(); n != uint64(st.Lines) {
		t.Errorf("DocCount = %d, want %d", n, st.Lines)
	}
	tests := []struct {
		name string
		q    Query
		want []string // every hit, in any order
	}{
		{"changed line: new text found", Query{Text: "brass sextant"}, []string{"2023-01-04-small-003#3"}},
		{"changed line: old text gone", Query{Text: "callword3 line3"}, nil},
		{"changed call: other lines still found", Query{Text: "callword3 line4"}, []string{"2023-01-04-small-003#4"}},
		{"removed call gone", Query{Text: "callword7"}, nil},
		{"added call found", Query{Text: "gull"}, []string{"2023-01-11-small-added#1"}},
		{"added last call found", Query{Text: "snow quay"}, []string{"2024-12-31-small-last#2"}},
		{"untouched call found", Query{Text: "callword30 line5"}, []string{"2023-02-03-small-030#5"}},
		{"renamed participant found by new name", Query{Text: "callword20", Speaker: "holmqvist"}, []string{c20.Slug + "#1", c20.Slug + "#3", c20.Slug + "#5"}},
		{"renamed participant: old name only in other calls", Query{Text: "callword20", Speaker: "Vera Holm"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSearch(t, x, tt.q)
			got := ids(r)
			if r.Fallback {
				got = nil // nothing has every word
			}
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%+v: hits %v, want %v", tt.q, got, want)
			}
		})
	}

	// Facets know the new call and the new date order holds.
	r := mustSearch(t, x, Query{Text: "gull"})
	if len(r.Facets.Call) != 1 || r.Facets.Call[0].Value != "2023-01-11-small-added" {
		t.Errorf("call facet of a new call: %+v", r.Facets.Call)
	}
}

// An incremental build orders lines exactly as a full build of the same
// archive: by date, slug and line number, and by score the same way.
func TestBuild_IncrementalOrder(t *testing.T) {
	calls := smallCalls(30)
	incDir := t.TempDir()
	mustBuild(t, incDir, newArchive("v1", calls...), BuildOptions{})
	// New calls land between old ones, before the first and after the
	// last; one call moves to another date.
	calls = smallCalls(30)
	var added []*transcript.Call
	for i, date := range []string{"2022-06-01", "2023-01-05", "2023-01-05", "2023-01-06", "2023-01-06", "2023-01-06", "2023-02-01", "2030-01-01"} {
		added = append(added, fixCall(fmt.Sprintf("%s-new-%d", date, i), date, "en", nil, fixLine{"", "the lighthouse keeper arrives late."}))
	}
	calls[12].Date = "2023-01-29"
	a := newArchive("v2", append(calls, added...)...)
	if st := mustBuild(t, incDir, a, BuildOptions{}); !st.Incremental {
		t.Fatalf("not incremental: %+v", st)
	}
	fullDir := t.TempDir()
	mustBuild(t, fullDir, a, BuildOptions{})

	for _, q := range []Query{
		{Text: "lighthouse", Sort: SortDate, Size: MaxSize},
		{Text: "lighthouse", Sort: SortDateDesc, Size: MaxSize},
		{Text: "lighthouse keeper", Size: MaxSize},
	} {
		inc, full := hitIDs(t, incDir, q), hitIDs(t, fullDir, q)
		if !slices.Equal(inc, full) {
			t.Errorf("%+v:\nincremental %v\nfull        %v", q, inc, full)
		}
	}
	// And the date order is the archive's order.
	var want []string
	for _, c := range archiveOrder(a.Calls) {
		for _, l := range c.Lines {
			want = append(want, docID(c.Slug, l.N))
		}
	}
	if got := hitIDs(t, incDir, Query{Text: "lighthouse", Sort: SortDate, Size: MaxSize}); !slices.Equal(got, want[:len(got)]) {
		t.Errorf("date order:\ngot  %v\nwant %v", got, want[:len(got)])
	}
}

func hitIDs(t *testing.T, dir string, q Query) []string {
	t.Helper()
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	return ids(mustSearch(t, x, q))
}

// Repeated small edits keep the index small: segments are merged past a
// few (never the large one), and once enough lines were replaced the next
// build is a full one.
func TestBuild_IncrementalRepeated(t *testing.T) {
	dir := t.TempDir()
	calls := smallCalls(40)
	mustBuild(t, dir, newArchive("v0", calls...), BuildOptions{})
	sawFull := false
	for i := 1; i <= 12; i++ {
		calls[i].Lines[0].Text = fmt.Sprintf("Edit number %d of the logbook.", i)
		st := mustBuild(t, dir, newArchive(fmt.Sprintf("v%d", i), calls...), BuildOptions{})
		cur, err := testCurrent(dir)
		if err != nil {
			t.Fatal(err)
		}
		n, err := segmentCount(cur)
		if err != nil {
			t.Fatal(err)
		}
		if n > maxSegments {
			t.Errorf("after edit %d: %d segment files", i, n)
		}
		if !st.Incremental {
			sawFull = true
			if n != 1 {
				t.Errorf("full build after edit %d: %d segment files", i, n)
			}
		}
		x, err := testOpen(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range []int{1, i - 1, i} {
			if r := mustSearch(t, x, Query{Text: fmt.Sprintf(`"edit number %d"`, j)}); j > 0 && r.Total != 1 {
				t.Errorf("after edit %d: edit %d found %d times", i, j, r.Total)
			}
		}
		if r := mustSearch(t, x, Query{Text: "lighthouse"}); r.Total != uint64(200-i) {
			t.Errorf("after edit %d: %d lines with an unedited word, want %d", i, r.Total, 200-i)
		}
		_ = x.Close()
	}
	if !sawFull {
		t.Error("12 edits of 200 lines, a quarter of them: never a full build")
	}
}

func TestBuild_IncrementalFallsBack(t *testing.T) {
	tests := []struct {
		name   string
		prep   func(t *testing.T, dir string) // breaks the current index's metadata
		opts   BuildOptions
		change bool // change one call (else most of them)
	}{
		{"schema changed", func(t *testing.T, dir string) {
			cur, _ := testCurrent(dir)
			m, err := readMeta(cur)
			if err != nil {
				t.Fatal(err)
			}
			m.Schema = SchemaVersion - 1
			b, _ := json.Marshal(m)
			if err := os.WriteFile(filepath.Join(cur, metaFile), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}, BuildOptions{}, true},
		{"calls.json missing", func(t *testing.T, dir string) {
			cur, _ := testCurrent(dir)
			if err := os.Remove(filepath.Join(cur, callsFile)); err != nil {
				t.Fatal(err)
			}
		}, BuildOptions{}, true},
		{"calls.json corrupt", func(t *testing.T, dir string) {
			cur, _ := testCurrent(dir)
			if err := os.WriteFile(filepath.Join(cur, callsFile), []byte(`{"calls": [`), 0o644); err != nil {
				t.Fatal(err)
			}
		}, BuildOptions{}, true},
		{"current index damaged", func(t *testing.T, dir string) {
			cur, _ := testCurrent(dir)
			if err := os.Remove(filepath.Join(cur, "store", "root.bolt")); err != nil {
				t.Fatal(err)
			}
		}, BuildOptions{}, true},
		{"rebuild asked for", func(*testing.T, string) {}, BuildOptions{Rebuild: true}, true},
		{"most calls changed", func(*testing.T, string) {}, BuildOptions{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			mustBuild(t, dir, newArchive("v1", smallCalls(20)...), BuildOptions{})
			tt.prep(t, dir)
			calls := smallCalls(20)
			for i, c := range calls {
				if i == 0 || !tt.change {
					c.Lines[0].Text = "Rewritten: the tide table was wrong."
				}
			}
			st := mustBuild(t, dir, newArchive("v2", calls...), tt.opts)
			if st.Incremental || st.Indexed != 100 {
				t.Errorf("stats %+v, want a full build", st)
			}
			want := uint64(1)
			if !tt.change {
				want = 20
			}
			if got := total(t, dir, Query{Text: "tide table"}); got != want {
				t.Errorf("%d hits for the new text, want %d", got, want)
			}
		})
	}
}

// A cancelled incremental build leaves the old index answering, and
// nothing behind.
func TestBuild_IncrementalCancelled(t *testing.T) {
	dir := t.TempDir()
	calls := smallCalls(40)
	old := newArchive("v1", calls...)
	mustBuild(t, dir, old, BuildOptions{})
	before := indexDirs(t, dir)

	calls = smallCalls(40)
	for _, c := range calls[:10] {
		c.Lines[0].Text = "Rewritten: the tide table was wrong."
	}
	ctx, cancel := context.WithCancel(t.Context())
	_, err := testBuild(ctx, dir, newArchive("v2", calls...), BuildOptions{Progress: func(int, int) { cancel() }, batchSize: 5})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled Build: %v, want context.Canceled", err)
	}
	if after := indexDirs(t, dir); strings.Join(after, ",") != strings.Join(before, ",") {
		t.Errorf("after a cancelled build: index dirs %v, before %v (the cancelled build's folder must be removed)", after, before)
	}
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if !x.Matches(old) {
		t.Error("the live index is not the old one")
	}
	if r := mustSearch(t, x, Query{Text: "tide table"}); r.Total != 0 {
		t.Errorf("old index finds the new text: %d hits", r.Total)
	}
	if r := mustSearch(t, x, Query{Text: "lighthouse"}); r.Total != 200 {
		t.Errorf("old index: %d lines", r.Total)
	}
}

// The live index shares its segment files with the incremental build made
// from it (hard links): the new index does not disturb it, and removing it
// later does not disturb the new one.
func TestBuild_IncrementalSharesSegments(t *testing.T) {
	dir := t.TempDir()
	calls := smallCalls(40)
	mustBuild(t, dir, newArchive("v1", calls...), BuildOptions{})
	first, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	calls[5].Lines[0].Text = "Rewritten: the tide table was wrong."
	mustBuild(t, dir, newArchive("v2", calls...), BuildOptions{})
	calls[6].Lines[0].Text = "Rewritten again: the tide table was right."
	mustBuild(t, dir, newArchive("v3", calls...), BuildOptions{})
	// The first index's folder is removed (as the library removes builds
	// two swaps old), but it is open.
	if err := os.RemoveAll(first.dir); err != nil {
		t.Fatal(err)
	}
	if r := mustSearch(t, first, Query{Text: "tide table"}); r.Total != 0 {
		t.Errorf("first index sees a later edit: %d hits", r.Total)
	}
	if got := total(t, dir, Query{Text: "tide table"}); got != 2 {
		t.Errorf("current index: %d hits for the edits, want 2", got)
	}
	if got := total(t, dir, Query{Text: "lighthouse"}); got != 198 {
		t.Errorf("current index: %d unedited lines, want 198", got)
	}
}

func TestCallHash(t *testing.T) {
	base := func() *transcript.Call { return smallCalls(1)[0] }
	h0 := callHash(base())
	if callHash(base()) != h0 {
		t.Fatal("callHash is not deterministic")
	}
	tests := []struct {
		name   string
		change func(c *transcript.Call)
		same   bool // not indexed: the hash must not change
	}{
		{"slug", func(c *transcript.Call) { c.Slug += "x" }, false},
		{"date", func(c *transcript.Call) { c.Date = "1999-01-01" }, false},
		{"language", func(c *transcript.Call) { c.Language = "fr" }, false},
		{"participant name", func(c *transcript.Call) { c.Participants[0].Name = "Vera Holmqvist" }, false},
		{"participant label", func(c *transcript.Call) { c.Participants[0].Labels = []string{"VHQ"} }, false},
		{"participant id", func(c *transcript.Call) { c.Participants[0].ID = "vera" }, false},
		{"line text", func(c *transcript.Call) { c.Lines[1].Text += "!" }, false},
		{"line speaker", func(c *transcript.Call) { c.Lines[1].Speaker = "" }, false},
		{"line kind", func(c *transcript.Call) { c.Lines[1].Kind = transcript.Direction }, false},
		{"line time", func(c *transcript.Call) { c.Lines[1].Time = 12.5 }, false},
		{"line number", func(c *transcript.Call) { c.Lines[1].N = 9 }, false},
		{"line removed", func(c *transcript.Call) { c.Lines = c.Lines[:4] }, false},
		{"text moved between lines", func(c *transcript.Call) {
			c.Lines[0].Text, c.Lines[1].Text = c.Lines[0].Text+c.Lines[1].Text[:3], c.Lines[1].Text[3:]
		}, false},
		{"title", func(c *transcript.Call) { c.Title = "Another title" }, true},
		{"role", func(c *transcript.Call) { c.Participants[0].Role = "Harbour master" }, true},
		{"file hash and path", func(c *transcript.Call) { c.SHA256, c.Path = "abc", "x.md" }, true},
		{"source line", func(c *transcript.Call) { c.Lines[1].SourceLine = 99 }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.change(c)
			if got := callHash(c) == h0; got != tt.same {
				t.Errorf("hash unchanged = %v, want %v", got, tt.same)
			}
		})
	}
}

// An index whose columns file is missing or damaged does not open (serve
// then rebuilds it from the transcripts).
func TestOpen_ColumnsDamaged(t *testing.T) {
	for _, damage := range []string{"missing", "truncated"} {
		t.Run(damage, func(t *testing.T) {
			dir := t.TempDir()
			mustBuild(t, dir, newArchive("v1", smallCalls(5)...), BuildOptions{})
			cur, _ := testCurrent(dir)
			path := filepath.Join(cur, columnsFile)
			var err error
			if damage == "missing" {
				err = os.Remove(path)
			} else {
				err = os.Truncate(path, 20)
			}
			if err != nil {
				t.Fatal(err)
			}
			if x, err := testOpen(dir); err == nil {
				x.Close()
				t.Fatal("Open succeeded")
			}
			st := mustBuild(t, dir, newArchive("v1", smallCalls(5)...), BuildOptions{})
			if got := total(t, dir, Query{Text: "lighthouse"}); got != 25 || st.Lines != 25 {
				t.Errorf("after a rebuild: %d hits, %+v", got, st)
			}
		})
	}
}

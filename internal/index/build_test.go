package index

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"

	"backchannel/internal/transcript"
)

// indexDirs lists the index folders of a test data folder (testBuild).
func indexDirs(t *testing.T, dataDir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestBuild_OpenMatches(t *testing.T) {
	a := fixtureArchive()
	dir := t.TempDir()
	if _, err := testOpen(dir); !errors.Is(err, ErrNoIndex) {
		t.Fatalf("Open before any build: %v, want ErrNoIndex", err)
	}
	var calls, last, total int
	opts := BuildOptions{Progress: func(done, tot int) { calls++; last, total = done, tot }, batchSize: 7}
	st, err := testBuild(t.Context(), dir, a, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Calls != len(a.Calls) || st.Lines != total || calls < total/7 || last != total {
		t.Errorf("stats %+v, progress %d calls, last %d/%d", st, calls, last, total)
	}
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if n, err := x.DocCount(); err != nil || int(n) != total {
		t.Errorf("DocCount = %d, %v; want %d", n, err, total)
	}
	if !x.Matches(a) {
		t.Error("Matches(same archive) = false")
	}
	// Merged from many batches to one segment, and the merged-away files
	// are gone.
	zaps, _ := filepath.Glob(filepath.Join(x.dir, "store", "*.zap"))
	if len(zaps) != 1 {
		t.Errorf("index holds %d segment files, want 1: %v", len(zaps), zaps)
	}
	b := fixtureArchive()
	b.Hash = "something else"
	if x.Matches(b) || x.Matches(nil) {
		t.Error("Matches(changed archive) = true")
	}
}

func TestBuild_SchemaChanged(t *testing.T) {
	dir := t.TempDir()
	if _, err := testBuild(t.Context(), dir, fixtureArchive(), BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	cur, err := testCurrent(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, err := readMeta(cur)
	if err != nil {
		t.Fatal(err)
	}
	m.Schema = SchemaVersion - 1
	b, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(cur, metaFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := testOpen(dir); !errors.Is(err, ErrSchemaChanged) {
		t.Errorf("Open: %v, want ErrSchemaChanged", err)
	}
}

// A cancelled build leaves the previous index as it was, still answering,
// and leaves nothing behind.
func TestBuild_Cancelled(t *testing.T) {
	dir := t.TempDir()
	old := shippedArchive(t)
	if _, err := testBuild(t.Context(), dir, old, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	before := indexDirs(t, dir)

	ctx, cancel := context.WithCancel(t.Context())
	_, err := testBuild(ctx, dir, fixtureArchive(), BuildOptions{Progress: func(int, int) { cancel() }, batchSize: 5})
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
	r := mustSearch(t, x, Query{Text: "word for word", Speaker: "dmitriev"})
	if r.Total != 1 {
		t.Errorf("old index: %d hits", r.Total)
	}
}

// An index whose folder is removed while it is open keeps answering (on
// Linux its files stay readable until closed): a server keeps serving a
// build that the next ingest removed.
func TestBuild_OpenAfterRemoval(t *testing.T) {
	dir := t.TempDir()
	if _, err := testBuild(t.Context(), dir, shippedArchive(t), BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	first, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if err := os.RemoveAll(first.dir); err != nil {
		t.Fatal(err)
	}
	r := mustSearch(t, first, Query{Text: "man of peace"})
	if r.Total != 1 || len(r.Hits) != 1 || r.Hits[0].Text == "" {
		t.Errorf("index with its folder removed: %+v", r)
	}
}

func TestOpen_Locked(t *testing.T) {
	dir := t.TempDir()
	if _, err := testBuild(t.Context(), dir, fixtureArchive(), BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	cur, err := testCurrent(dir)
	if err != nil {
		t.Fatal(err)
	}
	// A writer holds the index (as a second process would).
	w, err := bleve.OpenUsing(cur, map[string]any{"bolt_timeout": "1s"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = testOpen(dir)
	_ = w.Close()
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("Open with a writer holding the index: %v, want ErrLocked", err)
	}
	// Readers share.
	x1, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x1.Close()
	x2, err := testOpen(dir)
	if err != nil {
		t.Fatalf("second reader: %v", err)
	}
	defer x2.Close()
}

// Build refuses a folder that exists: it never writes into an index.
func TestBuild_RefusesExistingFolder(t *testing.T) {
	dir := t.TempDir()
	if _, err := Build(t.Context(), dir, fixtureArchive(), BuildOptions{}); err == nil {
		t.Fatal("Build into an existing folder succeeded")
	}
	if _, err := os.Stat(dir); err != nil {
		t.Errorf("the existing folder was removed: %v", err)
	}
}

func TestBuild_Empty(t *testing.T) {
	x, _ := buildOpen(t, newArchive("empty"))
	r := mustSearch(t, x, Query{Text: "anything"})
	if r.Total != 0 || r.Hits == nil {
		t.Errorf("empty archive: %+v", r)
	}
}

func TestFacetCodes(t *testing.T) {
	calls := archiveOrder(fixtureCalls())
	fc := newFacetCodes(calls, sumsOf(calls))
	for name, list := range map[string][]string{"speakers": fc.Speakers, "calls": fc.Calls, "languages": fc.Languages} {
		if len(slices.Compact(slices.Sorted(slices.Values(list)))) != len(list) {
			t.Errorf("%s listed twice: %v", name, list)
		}
	}
	if len(fc.Calls) != len(calls) || len(fc.Languages) != 3 || len(fc.Speakers) != 9 {
		t.Errorf("codes %+v", fc)
	}
	// An incremental build keeps every code and appends the new ones.
	more := append(calls, fixCall("2030-01-01-new", "2030-01-01", "de",
		[]transcript.Participant{{ID: "new-speaker", Name: "New Speaker"}, renee},
		fixLine{"new-speaker", "Guten Tag."}, fixLine{"renee-lefevre", "Bonjour."}))
	reindex := make([]bool, len(more))
	reindex[len(more)-1] = true
	ext := fc.extend(more, sumsOf(more), reindex)
	if !slices.Equal(ext.Calls[:len(fc.Calls)], fc.Calls) || !slices.Equal(ext.Speakers[:len(fc.Speakers)], fc.Speakers) ||
		!slices.Equal(ext.Languages[:len(fc.Languages)], fc.Languages) {
		t.Errorf("extend changed existing codes: %+v", ext)
	}
	if !slices.Equal(ext.Calls[len(fc.Calls):], []string{"2030-01-01-new"}) || !slices.Equal(ext.Speakers[len(fc.Speakers):], []string{"new-speaker"}) ||
		!slices.Equal(ext.Languages[len(fc.Languages):], []string{"de"}) {
		t.Errorf("extend appended %+v", ext)
	}
}

func sumsOf(calls []*transcript.Call) []callSum {
	out := make([]callSum, len(calls))
	for i, c := range calls {
		out[i] = summary(c)
	}
	return out
}

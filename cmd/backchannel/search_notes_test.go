package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSearchCLI_InNotes: `backchannel search in:notes ...` searches the
// editorial notes only (it needs no index), and prints them in a "notes"
// list beside an empty "hits", as /api/v1/search does.
func TestSearchCLI_InNotes(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	for _, f := range []string{"2023-11-08-lindqvist-amara.md", "2023-11-08-lindqvist-amara.notes.md"} {
		copyFile(t, filepath.Join("testdata/browser", f), filepath.Join(dir, f))
	}
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	out, errOut, code := runCLI(t, "search", "--transcripts", dir, "--data", data, "--json", "in:notes", "second", "annex")
	if code != 0 {
		t.Fatalf("search exit %d: %s %s", code, out, errOut)
	}
	var res struct {
		Total uint64           `json:"total"`
		Hits  []map[string]any `json:"hits"`
		Notes []map[string]any `json:"notes"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if res.Total != 0 || len(res.Hits) != 0 {
		t.Errorf("in:notes gave line hits: %+v", res)
	}
	want := []map[string]any{{
		"call": "2023-11-08-lindqvist-amara", "note": "note-1", "n": 1.0, "first": 6.0, "last": 6.0,
		"text": "The *second annex* is the dredging-cost table of the fictional tender.[^annex]\n" +
			"See [the tender notice](https://example.org/northgate/tender) for its summary.\n\n" +
			"[^annex]: A footnote in a note as well as in the headnote, so that a page\n" +
			"    showing both must keep their ids apart.",
		"url": "/calls/2023-11-08-lindqvist-amara#note-1",
	}}
	for _, n := range res.Notes {
		delete(n, "fragments")
	}
	if diff := cmp.Diff(want, res.Notes); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}

	out, _, code = runCLI(t, "search", "--transcripts", dir, "--data", data, "in:notes", "annex")
	if code != 0 || !strings.Contains(out, "2023-11-08-lindqvist-amara, note 1 on L6\n  The second [annex] is") {
		t.Errorf("terminal output (exit %d):\n%s", code, out)
	}
}

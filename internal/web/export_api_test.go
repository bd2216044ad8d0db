package web

import (
	"bufio"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExportNDJSON: /api/v1/export.ndjson is one line per call, each the
// JSON of /api/v1/calls/{slug}, notes included.
func TestExportNDJSON(t *testing.T) {
	s, _ := newNotesServer(t, &fakeLibrary{})
	rec := get(t, s, "/api/v1/export.ndjson")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/x-ndjson; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); cd != "attachment; filename=backchannel.ndjson" {
		t.Errorf("Content-Disposition %q", cd)
	}
	var got, want []string
	sc := bufio.NewScanner(strings.NewReader(rec.Body.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		got = append(got, sc.Text())
	}
	for _, slug := range []string{slugHarbour, slugHostile} {
		want = append(want, strings.TrimSuffix(get(t, s, "/api/v1/calls/"+slug).Body.String(), "\n"))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !strings.Contains(got[0], `"notes":{"headnote"`) {
		t.Errorf("the harbour call's notes are missing: %s", got[0])
	}
}

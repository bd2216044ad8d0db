package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// Fictional calls, written to a folder so that an archive can be read
// from a catalog (its lines then come from the files on demand).
var catalogCalls = map[string]string{
	"2024-03-02-keller-osei.md": `---
title: "Call between Maria Keller and Daniel Osei"
date: 2024-03-02
completeness: complete
source:
  publisher: The Fictional Ledger
  published: 2024-04-01
participants:
  - id: maria-keller
    name: Maria Keller
    role: Fictional harbour commissioner
  - id: daniel-osei
    name: Daniel Osei
    role: Fictional shipping broker
---

Maria Keller (MK): The lighthouse ledger is ready, Daniel.

Daniel Osei (DO): Good. Keep the ledger away from the quay office.

[line goes quiet]

MK: Understood.

DO: Then we wait for Friday.
`,
	"2024-03-09-osei-lund.md": `---
title: "Call between Daniel Osei and Ida Lund"
date: 2024-03-09
completeness: excerpt
participants:
  - id: daniel-osei
    name: Daniel Osei
  - id: ida-lund
    name: Ida Lund
    role: Fictional port clerk
---

Daniel Osei (DO): Did the ledger reach you?

Ida Lund (IL): It did. Two pages are missing.

It was sent in a hurry.

DO: I will look for them.
`,
}

// catalogArchives writes the fictional calls to a folder and returns the
// archive LoadDir reads from it, and the same archive read from its
// catalog, with no lines in memory.
func catalogArchives(t *testing.T) (dir string, full, cataloged *transcript.Archive) {
	t.Helper()
	dir = t.TempDir()
	for name, body := range catalogCalls {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap := transcript.TakeSnapshot(dir)
	full, ps := transcript.LoadDir(dir)
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	cat, err := transcript.NewCatalog(snap, full, ps)
	if err != nil {
		t.Fatal(err)
	}
	return dir, full, cat.Archive(nil, transcript.DefaultLineCacheBytes)
}

// catalogSearch answers every search with a hit on a line of each call.
func catalogSearch(context.Context, index.Query) (*index.Result, error) {
	return &index.Result{
		Total: 2,
		Hits: []index.Hit{
			{Call: "2024-03-02-keller-osei", Line: 2, Speaker: "daniel-osei", Text: "Good. Keep the ledger away from the quay office.",
				Fragments: []index.Fragment{marked("Good. Keep the <mark>ledger</mark> away from the quay office.")}, Terms: []string{"ledger"}, Date: "2024-03-02", Time: -1},
			{Call: "2024-03-09-osei-lund", Line: 1, Speaker: "daniel-osei", Text: "Did the ledger reach you?",
				Fragments: []index.Fragment{marked("Did the <mark>ledger</mark> reach you?")}, Terms: []string{"ledger"}, Date: "2024-03-09", Time: -1},
		},
		Facets: index.Facets{Speaker: []index.FacetCount{{Value: "daniel-osei", Count: 2}}},
		Parsed: "ledger",
	}, nil
}

// TestCatalogArchive_SamePages: every page is byte for byte the same
// whether the archive's lines are in memory or read on demand.
func TestCatalogArchive_SamePages(t *testing.T) {
	_, full, cataloged := catalogArchives(t)
	serve := func(a *transcript.Archive) *Server {
		return newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }, SearchFunc: catalogSearch})
	}
	want, got := serve(full), serve(cataloged)
	for _, path := range []string{
		"/",
		"/calls/2024-03-02-keller-osei",
		"/calls/2024-03-02-keller-osei?hl=ledger",
		"/calls/2024-03-02-keller-osei.txt",
		"/calls/2024-03-02-keller-osei.json",
		"/calls/2024-03-02-keller-osei/L3",
		"/calls/2024-03-02-keller-osei/L2-L4",
		"/calls/2024-03-02-keller-osei/L6",
		"/calls/2024-03-09-osei-lund",
		"/calls/2024-03-09-osei-lund/L2",
		"/speakers/daniel-osei",
		"/speakers/ida-lund",
		"/search?q=ledger",
		"/api/v1/search?q=ledger",
		"/api/v1/calls",
		"/api/v1/calls/2024-03-09-osei-lund",
		"/feed.atom",
		"/sitemap.xml",
	} {
		w, g := get(t, want, path), get(t, got, path)
		if w.Code != 200 && !strings.HasSuffix(path, "/L6") {
			t.Errorf("GET %s = %d from the loaded archive", path, w.Code)
		}
		if g.Code != w.Code || g.Body.String() != w.Body.String() {
			t.Errorf("GET %s from a catalog: %d, want %d; body:\n%s\nwant:\n%s", path, g.Code, w.Code, g.Body, w.Body)
		}
	}
	if len(cataloged.Calls[0].Lines) != 0 {
		t.Error("serving pages put lines into the catalog's calls")
	}
}

// TestCatalogArchive_ChangedFile: a call whose file changed after the
// archive was read is not shown with other lines than the ones indexed;
// the rest of the archive is served.
func TestCatalogArchive_ChangedFile(t *testing.T) {
	dir, _, cataloged := catalogArchives(t)
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return cataloged }, SearchFunc: catalogSearch})
	p := filepath.Join(dir, "2024-03-09-osei-lund.md")
	body := strings.Replace(catalogCalls["2024-03-09-osei-lund.md"], "Two pages", "Six pages", 1)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/calls/2024-03-09-osei-lund", "/calls/2024-03-09-osei-lund/L2", "/api/v1/calls/2024-03-09-osei-lund"} {
		rec := get(t, s, path)
		if rec.Code != 503 || strings.Contains(rec.Body.String(), "Six pages") {
			t.Errorf("GET %s after its file changed = %d (want 503, not the new text)\n%s", path, rec.Code, rec.Body)
		}
	}
	if rec := get(t, s, "/calls/2024-03-02-keller-osei"); rec.Code != 200 {
		t.Errorf("another call's page = %d, want 200", rec.Code)
	}
	rec := get(t, s, "/search?q=ledger")
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "reach you?") {
		t.Errorf("search after a file changed = %d, want 200 with the indexed text of the hit\n%s", rec.Code, rec.Body)
	}
}

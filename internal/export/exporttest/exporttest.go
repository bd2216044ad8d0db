// Package exporttest holds a fictional archive for the tests of package
// export and its writers.
package exporttest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"backchannel/internal/annotate"
	"backchannel/internal/export"
	"backchannel/internal/transcript"
)

// Archive is two calls of fictional people saying fictional things, with
// text that CSV, JSON and SQL each treat specially.
func Archive() *transcript.Archive {
	quill := &transcript.Call{
		Slug: "2024-05-06-quill-rowe", Title: `=HYPERLINK("http://evil.example","Call, \"quoted\"")`,
		Date: "2024-05-06", Language: "en", Completeness: transcript.Complete, Format: "md",
		Source: transcript.Source{Publisher: "+Ledger, \"Weekly\"", URL: "https://ledger.example/q", Published: "2024-05-07",
			Note: "Given to the Ledger; it says so."},
		Summary: "A *fictional* call.",
		Participants: []transcript.Participant{
			{ID: "ada-quill", Name: "Ada \"Q\" Quill, Jr.", Role: "@chair; treasurer", Labels: []string{"AQ", "-Q"}},
			{ID: "ben-rowe", Name: "Ben Rowe", Role: "-clerk", Labels: []string{"BR"}},
			{ID: "cy-silent", Name: "Cy Silent", Role: "listens"},
		},
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "ada-quill", Text: "=1+1, I said, \"twice\"; DROP TABLE lines; --", Time: 0},
			{N: 2, Kind: transcript.Direction, Text: "[papers, rustling]", Time: -1},
			{N: 3, Kind: transcript.Turn, Speaker: "ben-rowe", Text: "+44 20 7946 0000 is the breakwater number.\n\nAnd a second paragraph, with \"quotes\".", Time: 12.5},
			{N: 4, Kind: transcript.Turn, Speaker: "ada-quill", Text: "-5 degrees, @noon. Café déjà vu.", Time: 30},
			{N: 5, Kind: transcript.Turn, Speaker: "ben-rowe", Text: "\tTabbed, then 'quoted'.", Time: -1},
			{N: 6, Kind: transcript.Turn, Text: "'Tis the =SUM(A1:A2) of it\nall (unknown speaker).", Time: -1},
		},
	}
	plain := &transcript.Call{
		Slug: "2024-06-01-plain", Title: "A plain call", Date: "2024-06-01",
		Participants: []transcript.Participant{{ID: "dee-plain", Name: "Dee Plain"}},
		Lines:        []transcript.Line{{N: 1, Kind: transcript.Turn, Speaker: "dee-plain", Text: "Nothing special.", Time: -1}},
	}
	return &transcript.Archive{Calls: []*transcript.Call{quill, plain}}
}

// NotesSrc are fictional notes on the first call of Archive.
const NotesSrc = `---
fidelity: verbatim transcript of a recording
corrections:
  - date: 2024-05-08
    note: Line 3 *re-checked*.
---

Quill chairs the fictional board, "=cmd".

## L3 "breakwater number"

The number is fictional, like the board.

## L4-L5

+Two lines about the weather.
`

// Source is Archive with NotesSrc attached to its first call, and a
// record function that gives each call's slug, line count, first line and
// note count.
func Source(t testing.TB) export.Source {
	t.Helper()
	a := Archive()
	ns, ps := annotate.Parse("2024-05-06-quill-rowe.notes.md", []byte(NotesSrc))
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if ps := ns.Attach(a.Calls[0]); len(ps) != 0 {
		t.Fatal(ps)
	}
	notes := map[string]*annotate.Notes{ns.Slug: ns}
	return export.Source{
		Archive: a,
		Notes:   func(slug string) *annotate.Notes { return notes[slug] },
		Record: func(c *transcript.Call, ns *annotate.Notes) any {
			m := map[string]any{"slug": c.Slug, "lines": len(c.Lines), "text": c.Lines[0].Text}
			if ns != nil {
				m["notes"] = len(ns.Notes)
			}
			return m
		},
	}
}

// CheckToFile checks export.ToFile with write: it refuses an existing file
// without force; a failure half way (a call that cannot be read) or a
// cancelled export leaves the old file as it was and nothing beside it;
// with force the file is replaced, readable by all.
func CheckToFile(t *testing.T, write export.FileWriter) {
	t.Helper()
	src := Source(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "out")
	files := func() []string {
		es, _ := os.ReadDir(dir)
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		return names
	}
	if err := os.WriteFile(path, []byte("keep me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := export.ToFile(t.Context(), path, false, src, write); !errors.Is(err, export.ErrExists) {
		t.Errorf("over an existing file without force: %v, want ErrExists", err)
	}
	keep := func(when string) {
		t.Helper()
		if b, _ := os.ReadFile(path); string(b) != "keep me\n" {
			t.Errorf("%s changed the file: %q", when, b)
		}
		if got := files(); !slices.Equal(got, []string{"out"}) {
			t.Errorf("files after %s: %v", when, got)
		}
	}
	keep("a refused export")

	failing := src
	failing.Lines = func(c *transcript.Call) (*transcript.Call, error) {
		if c.Slug == "2024-06-01-plain" {
			return nil, errors.New("disk on fire")
		}
		return c, nil
	}
	if err := export.ToFile(t.Context(), path, true, failing, write); err == nil || !strings.Contains(err.Error(), "disk on fire") {
		t.Errorf("failing export: %v, want the read error", err)
	}
	keep("a failed export")

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := export.ToFile(ctx, filepath.Join(dir, "new"), false, src, write); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
	keep("a cancelled export")

	if err := export.ToFile(t.Context(), path, true, src, write); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); len(b) < 100 || string(b) == "keep me\n" {
		t.Errorf("forced export wrote %q", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	if got := files(); !slices.Equal(got, []string{"out"}) {
		t.Errorf("files after the export: %v", got)
	}
}

// Large is a fictional archive of calls×lines lines of about 200 bytes,
// held in memory, so that a benchmark measures the writers alone. Its
// record function gives the call itself.
func Large(calls, lines int) export.Source {
	a := &transcript.Archive{}
	for i := range calls {
		c := &transcript.Call{Slug: fmt.Sprintf("2024-01-01-bench-%05d", i), Title: "Bench call " + strconv.Itoa(i), Date: "2024-01-01",
			Participants: []transcript.Participant{{ID: "ann-bench", Name: "Ann Bench"}, {ID: "bo-bench", Name: "Bo Bench"}}}
		for n := 1; n <= lines; n++ {
			sp := []string{"ann-bench", "bo-bench"}[n%2]
			c.Lines = append(c.Lines, transcript.Line{N: n, Kind: transcript.Turn, Speaker: sp, Time: float64(n),
				Text: fmt.Sprintf("Line %d of call %d, in which the fictional speaker says something about the harbour, the quota, the tender and the weather, at some length, as people do on the phone.", n, i)})
		}
		a.Calls = append(a.Calls, c)
	}
	return export.Source{Archive: a, Record: func(c *transcript.Call, _ *annotate.Notes) any { return c }}
}

// Bench runs write on a Large archive of calls×lines lines per iteration
// and reports its cost per line (ns/line) and allocations.
func Bench(b *testing.B, calls, lines int, write export.FileWriter) {
	src := Large(calls, lines)
	b.ReportAllocs()
	for b.Loop() {
		if err := write(b.Context(), filepath.Join(b.TempDir(), "out"), src); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*calls*lines), "ns/line")
}

package annotate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/query"
	"backchannel/internal/transcript"
)

// harbourCall is a fictional call: four lines.
func harbourCall() *transcript.Call {
	return &transcript.Call{
		Slug: "2024-03-02-harlow-brandt", Title: "Harbour call", Date: "2024-03-02",
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "mara-harlow", Text: "We’ll talk about the harbour later."},
			{N: 2, Kind: transcript.Direction, Text: "[phone rings]"},
			{N: 3, Kind: transcript.Turn, Speaker: "otto-brandt", Text: "I don’t know yet.\n\nBut I’ll check it, word for word."},
			{N: 4, Kind: transcript.Turn, Speaker: "mara-harlow", Text: "Then call me back, I don't know when."},
		},
	}
}

func TestAttach(t *testing.T) {
	tests := []struct {
		name       string
		heading    string
		detached   string // part of the reason; "" when attached
		quoteLine  int
		quoteWords string // text[start:end] when attached with a quote
	}{
		{"line", "## L1", "", 0, ""},
		{"range", "## L1-L4", "", 0, ""},
		{"quote, curly in text, straight in note", `## L1 "We'll talk"`, "", 1, "We’ll talk"},
		{"quote in second paragraph", `## L3 "check it, word for word"`, "", 3, "check it, word for word"},
		{"quote in a range finds the first line holding it", `## L2-L4 "don't know"`, "", 3, "don’t know"},
		{"quote is case-sensitive", `## L1 "we'll talk"`, "no longer in line 1", 0, ""},
		{"quote not in the line", `## L1 "the ferry"`, `"the ferry" is no longer in line 1`, 0, ""},
		{"quote in several other lines", `## L2 "know"`, `"know" is no longer in line 2`, 0, ""},
		{"line gone", "## L9", "line 9 no longer exists: the call has 4 lines", 0, ""},
		{"range end gone", "## L3-L7", "range ends at line 7", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := harbourCall()
			ns, ps := Parse("h.notes.md", []byte("Context.\n\n"+tt.heading+"\n\nA note.\n"))
			if len(ps) != 0 || len(ns.Notes) != 1 {
				t.Fatalf("parse: %v", ps)
			}
			ps = ns.Attach(c)
			n := ns.Notes[0]
			if tt.detached == "" {
				if n.Detached != "" || len(ps) != 0 {
					t.Fatalf("detached %q, problems %v", n.Detached, ps)
				}
				if n.QuoteLine != tt.quoteLine {
					t.Fatalf("QuoteLine = %d, want %d", n.QuoteLine, tt.quoteLine)
				}
				if tt.quoteLine > 0 {
					l, _ := c.Line(n.QuoteLine)
					if got := l.Text[n.QuoteStart:n.QuoteEnd]; got != tt.quoteWords {
						t.Errorf("quote span = %q, want %q", got, tt.quoteWords)
					}
				}
				return
			}
			if !strings.Contains(n.Detached, tt.detached) {
				t.Errorf("Detached = %q, want %q", n.Detached, tt.detached)
			}
			if len(ps) != 1 || ps[0].Line != 3 || ps[0].Severity != transcript.Error || !strings.Contains(ps[0].String(), "h.notes.md:3: note 1 is detached") {
				t.Errorf("problems = %v", ps)
			}
			if len(ns.Notes) != 1 {
				t.Error("a detached note was dropped")
			}
		})
	}
}

// writeArchive writes a fictional transcript and its notes into a folder.
func writeArchive(t *testing.T, notes string) string {
	t.Helper()
	dir := t.TempDir()
	call := `---
title: "Harbour call"
date: 2024-03-02
participants:
  - id: mara-harlow
    name: Mara Harlow
    labels: [MH]
  - id: otto-brandt
    name: Otto Brandt
    labels: [OB]
---

Mara Harlow (MH): We’ll talk about the harbour later.

Otto Brandt (OB): I don’t know yet.
`
	write(t, filepath.Join(dir, "2024-03-02-harbour.md"), call)
	if notes != "" {
		write(t, filepath.Join(dir, "2024-03-02-harbour.notes.md"), notes)
	}
	return dir
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadDir(t *testing.T) {
	dir := writeArchive(t, "Headnote.\n\n## L2 \"don't know\"\n\nBrandt hedges.\n\n## L5\n\nGone.\n")
	write(t, filepath.Join(dir, "2020-01-01-nothing.notes.md"), "## L1\n\nx\n")
	write(t, filepath.Join(dir, "_draft.notes.md"), "## nonsense\n")
	a, aps := transcript.LoadDir(dir)
	if len(aps) != 0 {
		t.Fatal(aps)
	}
	notes, ps := LoadDir(dir, a)
	ns := notes["2024-03-02-harbour"]
	if ns == nil || len(ns.Notes) != 2 {
		t.Fatalf("notes = %+v", notes)
	}
	if ns.Notes[0].Detached != "" || ns.Notes[0].QuoteLine != 2 {
		t.Errorf("note 1: %+v", ns.Notes[0])
	}
	if ns.Notes[1].Detached == "" {
		t.Errorf("note 2 should be detached")
	}
	got := ps.Error()
	for _, want := range []string{
		filepath.Join(dir, "2024-03-02-harbour.notes.md") + ":7: note 2 is detached: line 5 no longer exists",
		filepath.Join(dir, "2020-01-01-nothing.notes.md") + `: warning: notes for "2020-01-01-nothing", but no transcript`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "_draft") {
		t.Errorf("a draft was read: %s", got)
	}
	if len(ps) != 2 {
		t.Errorf("got %d problems, want 2:\n%s", len(ps), got)
	}
}

func TestCheck(t *testing.T) {
	dir := writeArchive(t, "## L1 \"talk about the ferry\"\n\nx\n")
	notesPath := filepath.Join(dir, "2024-03-02-harbour.notes.md")
	want := notesPath + ":1: note 1 is detached"
	for _, arg := range []string{dir, notesPath, filepath.Join(dir, "2024-03-02-harbour.md")} {
		ps := Check(arg)
		if !strings.Contains(ps.Error(), want) || !ps.HasErrors() {
			t.Errorf("Check(%s) = %v, want %q", arg, ps, want)
		}
	}
	// A corrected note: nothing to report.
	write(t, notesPath, "## L1 \"talk about the harbour\"\n\nx\n")
	if ps := Check(dir, notesPath); len(ps) != 0 {
		t.Errorf("Check = %v", ps)
	}
	// Transcript problems are still reported.
	write(t, filepath.Join(dir, "2024-03-03-bad.md"), "---\ntitle: x\n---\n\nXY: hello\n")
	if ps := Check(dir); !strings.Contains(ps.Error(), "2024-03-03-bad.md") {
		t.Errorf("Check(dir) = %v", ps)
	}
	// A notes file with no transcript beside it.
	lone := filepath.Join(t.TempDir(), "2024-01-01-lone.notes.md")
	write(t, lone, "## L1\n\nx\n")
	if ps := Check(lone); !strings.Contains(ps.Error(), "no transcript 2024-01-01-lone.* beside it") {
		t.Errorf("Check(lone) = %v", ps)
	}
}

func TestSearch(t *testing.T) {
	a, _ := Parse("a/2024-03-02-harbour.notes.md", []byte("The HARBOUR board’s chair.\n\n## L1\n\nHarlow’s plans for the ferry.\n\n## L2\n\nBrandt won't commit to a date.\n"))
	b, _ := Parse("b/2024-05-01-mill.notes.md", []byte("## L1\n\nThe mill's ferry timetable.\n"))
	all := []*Notes{a, b}
	date := func(slug string) string { return slug[:10] }
	tests := []struct {
		q    string
		want []string // "slug#note-N" or "slug#headnote"
	}{
		{"ferry", []string{"2024-03-02-harbour#note-1", "2024-05-01-mill#note-1"}},
		{"Harbour", []string{"2024-03-02-harbour#headnote"}},
		{"board's", []string{"2024-03-02-harbour#headnote"}},
		{"won’t", []string{"2024-03-02-harbour#note-2"}},
		{"plan", []string{"2024-03-02-harbour#note-1"}},
		{`"ferry timetable"`, []string{"2024-05-01-mill#note-1"}},
		{`"timetable ferry"`, nil},
		{"ferry -mill", []string{"2024-03-02-harbour#note-1"}},
		{"ferry call:2024-05-01-mill", []string{"2024-05-01-mill#note-1"}},
		{"ferry after:2024-04-01", []string{"2024-05-01-mill#note-1"}},
		{"ferry speaker:harlow", nil},
		{"time*", []string{"2024-05-01-mill#note-1"}},
		{"ferry OR date", []string{"2024-03-02-harbour#note-1", "2024-03-02-harbour#note-2", "2024-05-01-mill#note-1"}},
		{"ferr", nil},
		{"", nil},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			var got []string
			for _, h := range Search(all, query.Parse(tt.q), date, 50) {
				id := "headnote"
				if h.Note != nil {
					id = h.Note.ID()
				}
				got = append(got, h.Notes.Slug+"#"+id)
				if len(h.Terms) == 0 {
					t.Errorf("%s: no terms to highlight", id)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("Search(%q) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func TestNotesOnly(t *testing.T) {
	for _, tt := range []struct {
		in, rest string
		only     bool
	}{
		{"ferry in:notes", "ferry", true},
		{"IN:NOTES ferry", "ferry", true},
		{"ferry", "ferry", false},
		{"within:notes", "within:notes", false},
		{"in:notes", "", true},
	} {
		rest, only := NotesOnly(tt.in)
		if rest != tt.rest || only != tt.only {
			t.Errorf("NotesOnly(%q) = %q, %v", tt.in, rest, only)
		}
	}
}

// A note whose quote left its line for exactly one other line follows it
// there, marked, with a warning that names the line to write; attaching
// again to the call it was written for puts it back.
func TestAttach_Reanchored(t *testing.T) {
	ns, ps := Parse("h.notes.md", []byte("Context.\n\n## L1 \"word for word\"\n\nA note.\n"))
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	c := harbourCall()
	ps = ns.Attach(c)
	n := ns.Notes[0]
	if n.Detached != "" || n.First != 3 || n.Last != 3 || n.ReanchoredFrom != 1 || n.QuoteLine != 3 {
		t.Fatalf("note after Attach: %+v", n)
	}
	if len(ps) != 1 || ps[0].Severity != transcript.Warning || !strings.Contains(ps[0].String(), "h.notes.md:3: warning: note 1 is on L1") ||
		!strings.Contains(ps[0].Message, "write ## L3") {
		t.Errorf("problems = %v", ps)
	}
	// The call as the note was written: the quote is in line 1 again.
	c.Lines[0].Text = "I will say it word for word."
	if ps := ns.Attach(c); len(ps) != 0 || n.First != 1 || n.ReanchoredFrom != 0 {
		t.Errorf("attached again: %+v, problems %v", n, ps)
	}
}

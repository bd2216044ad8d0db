package export

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/annotate"
	"backchannel/internal/csvout"
	"backchannel/internal/transcript"
)

// Fictional people saying fictional things, with text that CSV, JSON and
// SQL each treat specially.
func testArchive() *transcript.Archive {
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

const notesSrc = `---
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

func testSource(t *testing.T) Source {
	t.Helper()
	a := testArchive()
	ns, ps := annotate.Parse("2024-05-06-quill-rowe.notes.md", []byte(notesSrc))
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if ps := ns.Attach(a.Calls[0]); len(ps) != 0 {
		t.Fatal(ps)
	}
	notes := map[string]*annotate.Notes{ns.Slug: ns}
	return Source{
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

func TestNDJSON(t *testing.T) {
	src := testSource(t)
	var buf bytes.Buffer
	if err := WriteNDJSON(t.Context(), &buf, src); err != nil {
		t.Fatal(err)
	}
	var got []map[string]any
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		got = append(got, m)
	}
	want := []map[string]any{
		{"slug": "2024-05-06-quill-rowe", "lines": 6.0, "notes": 2.0, "text": "=1+1, I said, \"twice\"; DROP TABLE lines; --"},
		{"slug": "2024-06-01-plain", "lines": 1.0, "text": "Nothing special."},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCSV reads the CSV export with encoding/csv and finds every field of
// the archive exactly, after undoing the formula guard.
func TestCSV(t *testing.T) {
	src := testSource(t)
	raw := mustCSV(t, src)
	rows, err := csv.NewReader(bytes.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		for i := range r {
			r[i] = csvout.Unquote(r[i])
		}
	}
	if !cmp.Equal(rows[0], CSVHeader) {
		t.Fatalf("header %v", rows[0])
	}
	row := func(vals map[string]string) []string {
		r := make([]string, len(CSVHeader))
		for i, h := range CSVHeader {
			r[i] = vals[h]
		}
		return r
	}
	var want [][]string
	notes := src.Notes
	for _, c := range src.Archive.Calls {
		base := func(record string) map[string]string {
			return map[string]string{"record": record, "call": c.Slug, "call_title": c.Title, "date": c.Date,
				"completeness": string(c.Completeness), "publisher": c.Source.Publisher, "source_url": c.Source.URL}
		}
		m := base("call")
		m["text"] = c.Summary
		want = append(want, row(m))
		for _, p := range c.Participants {
			m := base("participant")
			m["speaker_id"], m["speaker_name"], m["role"], m["labels"] = p.ID, p.Name, p.Role, strings.Join(p.Labels, "; ")
			want = append(want, row(m))
		}
		for _, l := range c.Lines {
			m := base("line")
			m["n"], m["kind"], m["text"] = strconv.Itoa(l.N), string(l.Kind), l.Text
			if p, ok := c.Participant(l.Speaker); ok {
				m["speaker_id"], m["speaker_name"], m["role"] = p.ID, p.Name, p.Role
			}
			if l.Time >= 0 {
				m["time"] = strconv.FormatFloat(l.Time, 'f', -1, 64)
			}
			want = append(want, row(m))
		}
		if ns := notes(c.Slug); ns != nil {
			m := base("note")
			m["note"], m["text"] = "headnote", ns.Headnote
			want = append(want, row(m))
			for _, n := range ns.Notes {
				m := base("note")
				m["note"], m["n"], m["last"], m["quote"], m["text"] = n.ID(), strconv.Itoa(n.First), strconv.Itoa(n.Last), n.Quote, n.Body
				want = append(want, row(m))
			}
		}
	}
	if diff := cmp.Diff(want, rows[1:]); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Spot checks that the expectations above are not vacuous.
	for _, s := range []string{"'=1+1, I said", "'+44 20", "\"Ada \"\"Q\"\" Quill, Jr.\"", "''Tis the", "'+Two lines"} {
		if !bytes.Contains(raw, []byte(s)) {
			t.Errorf("file lacks %q", s)
		}
	}
}

func mustCSV(t *testing.T, src Source) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(t.Context(), &buf, src); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestSQLite(t *testing.T) {
	src := testSource(t)
	path := filepath.Join(t.TempDir(), "archive.sqlite")
	if err := ToFile(t.Context(), SQLite, path, false, src); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	query := func(q string, args ...any) [][]any {
		t.Helper()
		rows, err := db.Query(q, args...)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		var out [][]any
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			out = append(out, vals)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	a := src.Archive
	// Every line, exactly.
	var want [][]any
	for _, c := range a.Calls {
		for _, l := range c.Lines {
			var sp, tm any
			if l.Speaker != "" {
				sp = l.Speaker
			}
			if l.Time >= 0 {
				tm = l.Time
			}
			want = append(want, []any{c.Slug, int64(l.N), string(l.Kind), sp, l.Text, tm})
		}
	}
	if diff := cmp.Diff(want, query("SELECT call, n, kind, speaker, text, time FROM lines ORDER BY id")); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{
		{"2024-05-06-quill-rowe", `=HYPERLINK("http://evil.example","Call, \"quoted\"")`, "complete", "+Ledger, \"Weekly\"", int64(6),
			"Quill chairs the fictional board, \"=cmd\".", "verbatim transcript of a recording", `[{"date":"2024-05-08","note":"Line 3 *re-checked*."}]`},
		{"2024-06-01-plain", "A plain call", nil, nil, int64(1), nil, nil, nil},
	}, query("SELECT slug, title, completeness, publisher, line_count, headnote, fidelity, corrections FROM calls ORDER BY slug")); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{
		{"ada-quill", "Ada \"Q\" Quill, Jr.", "@chair; treasurer", `["AQ","-Q"]`, int64(1)},
		{"ben-rowe", "Ben Rowe", "-clerk", `["BR"]`, int64(2)},
		{"cy-silent", "Cy Silent", "listens", `[]`, int64(3)},
	}, query("SELECT id, name, role, labels, position FROM participants WHERE call = ? ORDER BY position", "2024-05-06-quill-rowe")); diff != "" {
		t.Errorf("participants (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]any{
		{int64(1), int64(3), int64(3), "breakwater number", "The number is fictional, like the board.", "/calls/2024-05-06-quill-rowe#note-1"},
		{int64(2), int64(4), int64(5), nil, "+Two lines about the weather.", "/calls/2024-05-06-quill-rowe#note-2"},
	}, query("SELECT n, first, last, quote, text, url FROM notes ORDER BY n")); diff != "" {
		t.Errorf("notes (-want +got):\n%s", diff)
	}
	// Full-text search over the lines, folding accents.
	if diff := cmp.Diff([][]any{{"2024-05-06-quill-rowe", int64(4)}},
		query("SELECT l.call, l.n FROM lines_fts JOIN lines l ON l.id = lines_fts.rowid WHERE lines_fts MATCH ?", "cafe deja")); diff != "" {
		t.Errorf("MATCH (-want +got):\n%s", diff)
	}
	if got := query("SELECT rowid FROM lines_fts WHERE lines_fts MATCH 'breakwater'"); len(got) != 1 || got[0][0] != int64(3) {
		t.Errorf("MATCH breakwater = %v", got)
	}
	// The foreign keys hold, and are declared.
	if got := query("PRAGMA foreign_key_check"); len(got) != 0 {
		t.Errorf("foreign key violations: %v", got)
	}
	if got := query("SELECT \"table\", \"from\", \"to\" FROM pragma_foreign_key_list('lines') ORDER BY id, seq"); len(got) != 3 {
		t.Errorf("lines' foreign keys: %v", got)
	}
}

func TestToFile(t *testing.T) {
	src := testSource(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "out.ndjson")
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
	for _, f := range Formats {
		if err := ToFile(t.Context(), f, path, false, src); !errors.Is(err, ErrExists) {
			t.Errorf("%s over an existing file without force: %v, want ErrExists", f, err)
		}
	}
	if b, _ := os.ReadFile(path); string(b) != "keep me\n" {
		t.Fatalf("existing file changed: %q", b)
	}

	// A failure half way leaves the old file as it was, and no partial
	// file beside it, whatever the format.
	failing := src
	failing.Lines = func(c *transcript.Call) (*transcript.Call, error) {
		if c.Slug == "2024-06-01-plain" {
			return nil, errors.New("disk on fire")
		}
		return c, nil
	}
	for _, f := range Formats {
		err := ToFile(t.Context(), f, path, true, failing)
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Errorf("%s: %v, want the read error", f, err)
		}
		if b, _ := os.ReadFile(path); string(b) != "keep me\n" {
			t.Errorf("%s: a failed export changed the file: %q", f, b)
		}
		if got := files(); !cmp.Equal(got, []string{"out.ndjson"}) {
			t.Errorf("%s: files after a failed export: %v", f, got)
		}
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := ToFile(ctx, NDJSON, filepath.Join(dir, "new.ndjson"), false, src); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled export: %v", err)
	}
	if got := files(); !cmp.Equal(got, []string{"out.ndjson"}) {
		t.Errorf("files after a cancelled export: %v", got)
	}

	// With force it is replaced.
	if err := ToFile(t.Context(), NDJSON, path, true, src); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); !bytes.HasPrefix(b, []byte(`{"lines":6`)) {
		t.Errorf("forced export wrote %q", b)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, %v", fi.Mode(), err)
	}
	if got := files(); !cmp.Equal(got, []string{"out.ndjson"}) {
		t.Errorf("files after the export: %v", got)
	}
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"sqlite", "ndjson", "csv"} {
		if f, err := ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "json", "SQLite", "xlsx"} {
		if _, err := ParseFormat(s); err == nil {
			t.Errorf("ParseFormat(%q) accepted", s)
		}
	}
}

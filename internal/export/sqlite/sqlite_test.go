package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/export"
	"backchannel/internal/export/exporttest"
	"backchannel/internal/export/sqlite"
)

func TestSQLite(t *testing.T) {
	src := exporttest.Source(t)
	path := filepath.Join(t.TempDir(), "archive.sqlite")
	if err := export.ToFile(t.Context(), path, false, src, sqlite.Write); err != nil {
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

func TestToFile(t *testing.T) { exporttest.CheckToFile(t, sqlite.Write) }

func BenchmarkWrite(b *testing.B) { exporttest.Bench(b, 100, 200, sqlite.Write) }

package export_test

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/csvout"
	"backchannel/internal/export"
	"backchannel/internal/export/exporttest"
)

func TestNDJSON(t *testing.T) {
	src := exporttest.Source(t)
	var buf bytes.Buffer
	if err := export.WriteNDJSON(t.Context(), &buf, src); err != nil {
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

// TestCSV reads the export.CSV export with encoding/csv and finds every field of
// the archive exactly, after undoing the formula guard.
func TestCSV(t *testing.T) {
	src := exporttest.Source(t)
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
	if !cmp.Equal(rows[0], export.CSVHeader) {
		t.Fatalf("header %v", rows[0])
	}
	row := func(vals map[string]string) []string {
		r := make([]string, len(export.CSVHeader))
		for i, h := range export.CSVHeader {
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

func mustCSV(t *testing.T, src export.Source) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := export.WriteCSV(t.Context(), &buf, src); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestToFile(t *testing.T) {
	t.Run("ndjson", func(t *testing.T) { exporttest.CheckToFile(t, export.Stream(export.WriteNDJSON)) })
	t.Run("csv", func(t *testing.T) { exporttest.CheckToFile(t, export.Stream(export.WriteCSV)) })
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"sqlite", "ndjson", "csv"} {
		if f, err := export.ParseFormat(s); err != nil || string(f) != s {
			t.Errorf("ParseFormat(%q) = %q, %v", s, f, err)
		}
	}
	for _, s := range []string{"", "json", "SQLite", "xlsx"} {
		if _, err := export.ParseFormat(s); err == nil {
			t.Errorf("ParseFormat(%q) accepted", s)
		}
	}
}

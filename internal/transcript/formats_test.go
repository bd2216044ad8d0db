package transcript

import (
	"os"
	"strings"
	"testing"
)

// TestFormats_OneRowAddsAFormat adds a format to a copy of the table, as a
// new format would be added, and checks that everything that depends on
// formats follows from that one row: the file is recognised by its name,
// read by the row's parser when its content test passes, named in Call.Format
// and in the message for unknown extensions, and its sidecar read or not.
func TestFormats_OneRowAddsAFormat(t *testing.T) {
	readLog := func(in input) (*Call, Problems) {
		return &Call{Title: "log", Date: "2024-01-01", Lines: []Line{{N: 1, Kind: Turn, Text: string(in.data), Time: -1}}}, nil
	}
	table := append(formatTable{}, formats...)
	table = append(table,
		format{ext: ".log", name: "log", is: func(data []byte) bool { return strings.HasPrefix(string(data), "LOG") }, parse: readLog, ownHeader: true},
		format{ext: ".log", name: "log", parse: func(in input) (*Call, Problems) {
			return nil, Problems{{Path: in.path, Line: 1, Severity: Error, Message: "not a log"}}
		}, ownHeader: true},
	)

	if _, ok := formats.forPath("x.log"); ok {
		t.Fatal(".log is a format already: pick another extension for this test")
	}
	f, ok := table.forPath("calls/2024-01-01-x.LOG")
	if !ok || f.name != "log" || !table.hasOwnHeader("log") {
		t.Errorf("forPath(.LOG) = %+v, %v; hasOwnHeader(log) = %v", f, ok, table.hasOwnHeader("log"))
	}
	if got, want := table.known(), formats.known()+", .log"; got != want {
		t.Errorf("known() = %q, want %q", got, want)
	}
	c, ps := table.parse(input{path: "calls/2024-01-01-x.log", data: []byte("LOG 1")})
	if c == nil || c.Format != "log" || c.Slug != "2024-01-01-x" || c.Lines[0].Text != "LOG 1" || len(ps) != 0 {
		t.Errorf("parse by the content-tested row = %+v, %v", c, ps)
	}
	if c, ps := table.parse(input{path: "x.log", data: []byte("other")}); c != nil || len(ps) != 1 || ps[0].Message != "not a log" {
		t.Errorf("parse by the fallback row = %+v, %v", c, ps)
	}
	_, ps = table.parse(input{path: "x.doc", data: []byte("LOG")})
	if len(ps) != 1 || !strings.HasSuffix(ps[0].Message, ", .xml, .log") {
		t.Errorf("unknown extension: %v", ps)
	}
}

// TestFormats_EveryRowHasAFixture: each row of the table reads at least one
// fixture in testdata (which TestParse_Golden compares with its golden
// file), so a new format comes with a fixture.
func TestFormats_EveryRowHasAFixture(t *testing.T) {
	hit := make([]bool, len(formats))
	for _, p := range fixtures(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if i := formats.row(p, data); i >= 0 {
			hit[i] = true
		}
	}
	for i, f := range formats {
		if !hit[i] {
			t.Errorf("format row %d (%s, %s) reads no fixture in testdata: add one with a golden file", i, f.name, f.ext)
		}
	}
}

// TestFormats_RowsOfOneExtensionAgree: a file name alone must tell the
// format's name and whether a sidecar is read, before the content is.
func TestFormats_RowsOfOneExtensionAgree(t *testing.T) {
	for _, f := range formats {
		first, _ := formats.forPath("x" + f.ext)
		if f.name != first.name || f.ownHeader != first.ownHeader {
			t.Errorf("rows for %s disagree: %s/%v and %s/%v", f.ext, first.name, first.ownHeader, f.name, f.ownHeader)
		}
		if f.ext != strings.ToLower(f.ext) || !strings.HasPrefix(f.ext, ".") {
			t.Errorf("extension %q must be lower case with a dot", f.ext)
		}
	}
}

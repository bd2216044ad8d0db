package web

import (
	"fmt"
	"strings"
	"testing"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// benchmarkNotes serves target from a fictional call of lines lines with a
// note (every other one with a quote) on every tenth line.
func benchmarkNotes(b *testing.B, lines int, target string) {
	a := bigArchive(lines)
	c := a.Calls[0]
	var src strings.Builder
	src.WriteString("A *headnote* on the long call.\n\n")
	for n := 1; n <= lines; n += 10 {
		if n%20 == 1 {
			fmt.Fprintf(&src, "## L%d \"harbour figures\"\n\nA note on the [harbour](https://example.org/) figures of line %d.\n\n", n, n)
		} else {
			fmt.Fprintf(&src, "## L%d-L%d\n\nA range note with a list:\n\n- one\n- two\n\n", n, min(n+2, lines))
		}
	}
	ns, ps := annotate.Parse(c.Slug+".notes.md", []byte(src.String()))
	if ps = append(ps, ns.Attach(c)...); len(ps) != 0 {
		b.Fatal(ps)
	}
	lib := &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }}
	nl := &notesLibrary{fakeLibrary: lib, notes: map[string]*annotate.Notes{c.Slug: ns}}
	s, err := NewServer(Config{Library: nl, Notes: nl, Assets: newTestServer(b, lib).assets})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var size int
	for b.Loop() {
		rec := get(b, s, target)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
		size = rec.Body.Len()
	}
	b.ReportMetric(float64(size), "bytes/page")
}

func BenchmarkCallPage_1000LinesNotes(b *testing.B) {
	benchmarkNotes(b, 1000, "/calls/2024-05-01-long-call?hl=harbour+word")
}

func BenchmarkSearchPage_Notes(b *testing.B) {
	benchmarkNotes(b, 1000, "/search?q=harbour+in%3Anotes")
}

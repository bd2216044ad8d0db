package export

import (
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"testing"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// benchArchive is a fictional archive of calls×lines lines of about 200
// bytes, held in memory, so that a benchmark measures the writers alone.
func benchArchive(calls, lines int) Source {
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
	return Source{Archive: a, Record: func(c *transcript.Call, _ *annotate.Notes) any { return c }}
}

// BenchmarkExport reports each writer's cost per line (ns/line); the
// allocations per export show that memory does not follow the archive's
// size (see also the 1M-line figures in the issue notes).
func BenchmarkExport(b *testing.B) {
	const calls, lines = 100, 200
	src := benchArchive(calls, lines)
	for _, f := range Formats {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				var err error
				switch f {
				case SQLite:
					err = WriteSQLite(b.Context(), filepath.Join(b.TempDir(), "x.db"), src)
				case NDJSON:
					err = WriteNDJSON(b.Context(), io.Discard, src)
				case CSV:
					err = WriteCSV(b.Context(), io.Discard, src)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*calls*lines), "ns/line")
		})
	}
}

package web

import (
	"context"
	"fmt"
	"testing"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// bigArchive is one fictional call of n lines.
func bigArchive(n int) *transcript.Archive {
	c := &transcript.Call{
		Slug: "2024-05-01-long-call", Title: "A long fictional call", Date: "2024-05-01", Language: "en",
		Completeness: transcript.Complete,
		Participants: []transcript.Participant{
			{ID: "ana-ruiz", Name: "Ana Ruiz", Role: "Editor", Labels: []string{"AR"}},
			{ID: "ben-okafor", Name: "Ben Okafor", Role: "Reporter", Labels: []string{"BO"}},
		},
	}
	for i := 1; i <= n; i++ {
		sp := "ana-ruiz"
		if i%2 == 0 {
			sp = "ben-okafor"
		}
		c.Lines = append(c.Lines, transcript.Line{N: i, Kind: transcript.Turn, Speaker: sp, Time: float64(i * 7),
			Text: fmt.Sprintf("Line %d: we’ll check the harbour figures again, word for word.\n\nThen we publish.", i)})
	}
	return &transcript.Archive{Calls: []*transcript.Call{c}}
}

func benchmarkGet(b *testing.B, lines int, target string) {
	a := bigArchive(lines)
	s := newTestServer(b, &fakeLibrary{
		ArchiveFunc: func() *transcript.Archive { return a },
		SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
			r := &index.Result{Total: 500}
			for i := 1; i <= index.DefaultSize; i++ {
				r.Hits = append(r.Hits, index.Hit{Call: "2024-05-01-long-call", Line: i * 3, Speaker: "ana-ruiz",
					Fragments: []string{"we’ll check the <mark>harbour</mark> figures"}, Terms: []string{"harbour"}})
			}
			return r, nil
		},
	})
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

func BenchmarkCallPage_1000Lines(b *testing.B) {
	benchmarkGet(b, 1000, "/calls/2024-05-01-long-call?hl=harbour+word")
}
func BenchmarkLinePage(b *testing.B) { benchmarkGet(b, 1000, "/calls/2024-05-01-long-call/L500-L510") }
func BenchmarkSearchPage(b *testing.B) {
	benchmarkGet(b, 1000, "/search?q=harbour")
}
func BenchmarkAPISearch(b *testing.B) { benchmarkGet(b, 1000, "/api/v1/search?q=harbour") }

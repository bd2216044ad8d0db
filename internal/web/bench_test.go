package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
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
					Fragments: []index.Fragment{marked("we’ll check the <mark>harbour</mark> figures")}, Terms: []string{"harbour"}})
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

// discardWriter is the cheapest http.ResponseWriter: a fresh header map per
// request (as net/http gives) and a body that is counted, not kept, so the
// benchmark measures the handler chain rather than a recorder.
type discardWriter struct {
	header http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
}
func (w *discardWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.n += len(b)
	return len(b), nil
}

// benchmarkCached serves one cached page through the whole handler chain
// (security headers, request id, request log, metrics, routing, cache),
// as `backchannel serve` answers a load generator: no Accept-Encoding.
func benchmarkCached(b *testing.B, target string, setup func(*http.Request)) {
	a := bigArchive(220) // the median call of the bench corpus has about 220 lines
	s := newTestServer(b, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})
	h := s.Handler()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	if setup != nil {
		setup(req)
	}
	w := &discardWriter{header: http.Header{}}
	h.ServeHTTP(w, req) // render and cache
	if w.status != http.StatusOK {
		b.Fatalf("status %d", w.status)
	}
	b.ReportAllocs()
	for b.Loop() {
		w := &discardWriter{header: make(http.Header)}
		h.ServeHTTP(w, req)
		if w.status != http.StatusOK && w.status != http.StatusNotModified {
			b.Fatalf("status %d", w.status)
		}
	}
	b.ReportMetric(float64(w.n), "bytes/page")
}

func BenchmarkCachedCallPage(b *testing.B) {
	benchmarkCached(b, "/calls/2024-05-01-long-call", nil)
}

func BenchmarkCachedLinePage(b *testing.B) {
	benchmarkCached(b, "/calls/2024-05-01-long-call/L110", nil)
}

func BenchmarkCachedCallPage_Gzip(b *testing.B) {
	benchmarkCached(b, "/calls/2024-05-01-long-call", func(r *http.Request) { r.Header.Set("Accept-Encoding", "gzip") })
}

package index

import (
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"backchannel/internal/transcript"
)

var (
	benchLines   = flag.Int("bench.lines", 20000, "lines in the synthetic archive of the BenchmarkSearch_* benchmarks")
	benchData    = flag.String("bench.data", "", "data folder of the BenchmarkSearch_* index, kept between runs (default: a temporary one)")
	latency      = flag.Bool("latency", false, "run TestLatency: p50/p99 search latency by query class")
	latencyLines = flag.Int("latency.lines", 100000, "lines in TestLatency's synthetic archive")
)

// benchIndex is built once per test binary, for all benchmarks.
type sharedIndex struct {
	once sync.Once
	dir  string
	x    *Index
	a    *transcript.Archive
	err  error
}

var bench sharedIndex

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if bench.x != nil {
		_ = bench.x.Close()
	}
	if bench.dir != "" {
		_ = os.RemoveAll(bench.dir)
	}
	os.Exit(code)
}

func benchSetup(b *testing.B) (*Index, *transcript.Archive) {
	b.Helper()
	bench.once.Do(func() {
		bench.a = synthArchive(*benchLines)
		dir := *benchData
		if dir == "" {
			bench.dir, bench.err = os.MkdirTemp("", "backchannel-bench-")
			if bench.err != nil {
				return
			}
			dir = bench.dir
		}
		if x, err := testOpen(dir); err == nil {
			if x.Matches(bench.a) {
				bench.x = x
				return
			}
			_ = x.Close()
		}
		if _, bench.err = testBuild(context.Background(), dir, bench.a, BuildOptions{Rebuild: true}); bench.err != nil {
			return
		}
		bench.x, bench.err = testOpen(dir)
	})
	if bench.err != nil {
		b.Fatal(bench.err)
	}
	return bench.x, bench.a
}

func benchClass(b *testing.B, name string) {
	x, a := benchSetup(b)
	var qs []Query
	for _, c := range synthClasses(a) {
		if c.name == name {
			qs = c.queries
		}
	}
	if qs == nil {
		b.Fatalf("no class %s", name)
	}
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if _, err := x.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearch_CommonWord(b *testing.B)   { benchClass(b, "CommonWord") }
func BenchmarkSearch_RareWord(b *testing.B)     { benchClass(b, "RareWord") }
func BenchmarkSearch_TwoWords(b *testing.B)     { benchClass(b, "TwoWords") }
func BenchmarkSearch_Phrase(b *testing.B)       { benchClass(b, "Phrase") }
func BenchmarkSearch_WordSpeaker(b *testing.B)  { benchClass(b, "WordSpeaker") }
func BenchmarkSearch_Highlight10(b *testing.B)  { benchClass(b, "Highlight10") }
func BenchmarkSearch_SpeakerFacet(b *testing.B) { benchClass(b, "SpeakerFacet") }
func BenchmarkSearch_DeepPage(b *testing.B)     { benchClass(b, "DeepPage") }
func BenchmarkSearch_Prefix(b *testing.B)       { benchClass(b, "Prefix") }
func BenchmarkSearch_Misspelled(b *testing.B)   { benchClass(b, "Misspelled") }
func BenchmarkSearch_DateSort(b *testing.B)     { benchClass(b, "DateSort") }

// TestLatency prints p50/p99 search latency by query class on the shipped
// archive and on a synthetic one, with build time and index size. It runs
// only with -latency:
//
//	go test ./internal/index -run TestLatency -latency -latency.lines=100000
func TestLatency(t *testing.T) {
	if !*latency {
		t.Skip("run with -latency to measure search latency")
	}
	shipped := shippedArchive(t)
	shippedClasses := []queryClass{{"ShippedPastes", []Query{
		{Text: "word for word", Speaker: "dmitriev"}, {Text: "“They might not take”"},
		{Text: "I'll informally pass it along"}, {Text: "man of peace"}, {Text: "Russia Ukraine thing"},
		{Text: "informaly"}, {Text: "pea*"},
	}}}
	measure(t, "shipped", shipped, shippedClasses)
	a := synthArchive(*latencyLines)
	measure(t, fmt.Sprintf("synthetic %d lines", *latencyLines), a, synthClasses(a))
}

func measure(t *testing.T, name string, a *transcript.Archive, classes []queryClass) {
	dir := t.TempDir()
	cpu0 := cpuTime()
	st, err := testBuild(t.Context(), dir, a, BuildOptions{})
	buildCPU := cpuTime() - cpu0
	if err != nil {
		t.Fatal(err)
	}
	var size int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				size += fi.Size()
			}
		}
		return nil
	})
	var textBytes int
	for _, c := range a.Calls {
		for _, l := range c.Lines {
			textBytes += len(l.Text)
		}
	}
	openStart := time.Now()
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if _, err := x.Search(t.Context(), Query{Text: "the"}); err != nil {
		t.Fatal(err)
	}
	firstAnswer := time.Since(openStart)
	fmt.Printf("%s: %d lines, build %v (%.0f lines/s, CPU %v), index %.1f MB (%.1fx the text), open to first answer %v\n",
		name, st.Lines, st.Duration.Round(time.Millisecond), float64(st.Lines)/st.Duration.Seconds(), buildCPU.Round(time.Millisecond),
		float64(size)/1e6, float64(size)/float64(max(textBytes, 1)), firstAnswer.Round(time.Microsecond))
	// Wall-clock percentiles suffer when the machine is shared; the CPU
	// time per search (whole process, GC included) is printed beside them.
	const rounds = 200
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	for _, c := range classes {
		var ds []time.Duration
		cpu0 := cpuTime()
		for i := range rounds {
			q := c.queries[i%len(c.queries)]
			start := time.Now()
			if _, err := x.Search(ctx, q); err != nil {
				t.Fatalf("%s %+v: %v", c.name, q, err)
			}
			ds = append(ds, time.Since(start))
		}
		cpu := (cpuTime() - cpu0) / rounds
		slices.Sort(ds)
		fmt.Printf("  %-13s p50 %8v  p99 %8v  max %8v  cpu/search %8v\n", c.name,
			ds[len(ds)/2].Round(time.Microsecond), ds[len(ds)*99/100].Round(time.Microsecond),
			ds[len(ds)-1].Round(time.Microsecond), cpu.Round(time.Microsecond))
	}
}

// BenchmarkBuild_OneCallChanged measures how long a one-call edit takes
// to go live: an incremental Build of the synthetic archive
// (-bench.lines) with one line of one call changed, then Open and a
// search that finds the edit.
//
//	go test ./internal/index -run '^$' -bench Build_OneCallChanged -bench.lines=100000
func BenchmarkBuild_OneCallChanged(b *testing.B) {
	a := synthArchive(*benchLines)
	dir := b.TempDir()
	if _, err := testBuild(b.Context(), dir, a, BuildOptions{}); err != nil {
		b.Fatal(err)
	}
	c := a.Calls[len(a.Calls)/2]
	orig := c.Lines[0].Text
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		word := fmt.Sprintf("editmarker%d", i)
		c.Lines[0].Text = orig + " " + word
		a.Hash = word
		st, err := testBuild(b.Context(), dir, a, BuildOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if !st.Incremental || st.Indexed != len(c.Lines) {
			b.Fatalf("not a one-call incremental build: %+v", st)
		}
		x, err := testOpen(dir)
		if err != nil {
			b.Fatal(err)
		}
		r, err := x.Search(b.Context(), Query{Text: word})
		if err != nil || r.Total != 1 {
			b.Fatalf("edit %q: %v hits, %v", word, r, err)
		}
		_ = x.Close()
	}
}

package index

import (
	"flag"
	"testing"
	"unicode"
)

var pageData = flag.String("page.data", "", "data folder of an existing index for BenchmarkSearch_RareWordPage (default: the BenchmarkSearch_* index)")

// rareWords returns up to n words of the text field that between lo and
// hi lines have, in dictionary order.
func rareWords(tb testing.TB, x *Index, lo, hi uint64, n int) []string {
	tb.Helper()
	dict, err := x.reader.FieldDict(fieldText)
	if err != nil {
		tb.Fatal(err)
	}
	defer dict.Close()
	var words []string
	for len(words) < n {
		e, err := dict.Next()
		if err != nil {
			tb.Fatal(err)
		}
		if e == nil {
			break
		}
		if e.Count < lo || e.Count > hi || !isWordTerm(e.Term) || len(e.Term) < 5 || !unicode.IsLetter([]rune(e.Term)[0]) {
			continue
		}
		words = append(words, e.Term)
	}
	if len(words) == 0 {
		tb.Fatalf("no word with %d-%d hits", lo, hi)
	}
	return words
}

// BenchmarkSearch_RareWordPage searches words with 10 to 20 hits: a
// full page to load and highlight, as the harness's rare-word class. On
// the harness's 1M-line index:
//
//	go test ./internal/index -run '^$' -bench RareWordPage -benchmem -page.data /tmp/mb3/1000000/data
func BenchmarkSearch_RareWordPage(b *testing.B) {
	x := pageIndex(b)
	words := rareWords(b, x, 10, 20, 50)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		r, err := x.Search(b.Context(), Query{Text: words[i%len(words)]})
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Hits) == 0 {
			b.Fatalf("%q: no hits", words[i%len(words)])
		}
	}
}

// BenchmarkPage_RareWord times the page phase alone (load and highlight
// ten hits) for the pages of BenchmarkSearch_RareWordPage's words, each
// word marked in any inflection.
func BenchmarkPage_RareWord(b *testing.B) {
	x := pageIndex(b)
	type pageCase struct {
		sr    *ranking
		marks []mark
	}
	en := x.idx.Mapping().AnalyzerNamed(analyzerEN)
	var cases []pageCase
	for _, w := range rareWords(b, x, 10, 20, 50) {
		r, err := x.Search(b.Context(), Query{Text: w})
		if err != nil {
			b.Fatal(err)
		}
		sr := &ranking{}
		for _, h := range r.Hits {
			id := docID(h.Call, h.Line)
			num, err := x.reader.InternalID(id)
			if err != nil || num == nil {
				b.Fatalf("%s: %v", id, err)
			}
			sr.Hits = append(sr.Hits, rankedHit{ID: id, Score: h.Score})
			sr.docs = append(sr.docs, num.Value())
		}
		stems := []string{w}
		if st := en.Analyze([]byte(w)); len(st) == 1 && string(st[0].Term) != w {
			stems = append(stems, string(st[0].Term))
		}
		cases = append(cases, pageCase{sr, []mark{{seq: []markWord{{exact: w, stems: stems, stemmed: true}}}}})
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		c := cases[i%len(cases)]
		if _, err := x.page(b.Context(), c.sr, c.marks); err != nil {
			b.Fatal(err)
		}
	}
}

// pageIndex is the index the page benchmarks run on: -page.data's, or the
// BenchmarkSearch_* one.
func pageIndex(b *testing.B) *Index {
	if *pageData == "" {
		x, _ := benchSetup(b)
		return x
	}
	x, err := Open(*pageData)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = x.Close() })
	return x
}

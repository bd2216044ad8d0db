package index

import (
	"strings"
	"testing"
)

// BenchmarkSpans_Word finds one word in ten lines of 400-odd bytes, as
// the page of a rare-word search does.
func BenchmarkSpans_Word(b *testing.B) {
	x, _ := buildOpen(b, fixtureArchive())
	var short []string
	for _, c := range fixtureCalls() {
		for _, l := range c.Lines {
			short = append(short, l.Text)
		}
	}
	var lines []string
	for i := range 10 {
		var sb strings.Builder
		for j := i; sb.Len() < 400; j++ {
			sb.WriteString(short[j%len(short)])
			sb.WriteByte(' ')
		}
		lines = append(lines, sb.String())
	}
	marks := []mark{{seq: []markWord{{exact: "harbour", stems: []string{"harbour"}, stemmed: true}}}}
	mr := x.marker(marks)
	var sc marksScratch
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		mr.spans(&sc, lines[i%len(lines)], "en", marks)
	}
}

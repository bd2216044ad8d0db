package index

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/google/go-cmp/cmp"
)

// bleveOnly hides that an analyzer is a DefaultAnalyzer, so that
// analyzeText leaves it all to Bleve.
type bleveOnly struct{ analysis.Analyzer }

// TestFoldASCII checks what plainWords assumes of foldTerm: a word that
// starts with an ASCII letter or digit folds to a term that starts with
// it in lower case, and a word of lower-case ASCII letters and digits
// folds to itself.
func TestFoldASCII(t *testing.T) {
	rs := handledRunes()
	rng := rand.New(rand.NewPCG(3, 4))
	starts := "abcxyzABCXYZ0189"
	for range 20000 {
		var b strings.Builder
		b.WriteByte(starts[rng.IntN(len(starts))])
		for range rng.IntN(8) {
			if rng.IntN(3) == 0 {
				b.WriteRune(rs[rng.IntN(len(rs))])
			} else {
				b.WriteByte(starts[rng.IntN(len(starts))])
			}
		}
		w := b.String()
		got := foldTerm([]byte(w))
		if len(got) == 0 || got[0] != lowerASCII(w[0]) {
			t.Fatalf("foldTerm(%q) = %q: does not start with %q", w, got, lowerASCII(w[0]))
		}
		if lowerAlnum(w) && string(got) != w {
			t.Fatalf("foldTerm(%q) = %q, want it unchanged", w, got)
		}
	}
}

// TestSpans: the words marked in a line are the same whether the line
// is split by wordTokens with words left out by their first byte, or by
// Bleve's own analyzer, and whether or not the scratch memory was used
// for other lines before.
func TestSpans(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	m := x.idx.Mapping()
	plain := m.AnalyzerNamed(analyzerPlain)
	en := m.AnalyzerNamed(analyzerEN)
	texts := []string{
		"Good morning, Marcus. I’ve read the résumé you sent — it’s impressive.",
		`Tom & Jerry said "<b>no</b>" — isn't it? Tom's TOM tom`,
		"Thanks, Renée. Let's talk about the harbour contract... I don't think we can wait. Talking, talked, talks.",
		"документ подписан, ёлка стоит, документы",
		"snake_case words_with e\u0301 accents and 3.14 numbers, 1,000 of them",
	}
	for _, c := range fixtureCalls() {
		for _, l := range c.Lines {
			texts = append(texts, l.Text)
		}
	}
	// Random text of few letters, dense in characters that join words.
	rng := rand.New(rand.NewPCG(5, 6))
	alphabet := []rune("aabbnNé1 2.’'':,;— …-\n")
	for range 400 {
		var b strings.Builder
		for range rng.IntN(40) {
			b.WriteRune(alphabet[rng.IntN(len(alphabet))])
		}
		texts = append(texts, b.String())
	}
	fast := x.marker(nil)
	if !fast.foldOnly {
		t.Fatal("the plain analyzer is not the unicode tokenizer and fold: the fast path is never taken")
	}
	var shared marksScratch
	for _, text := range texts {
		words := plain.Analyze([]byte(text))
		var marks []mark
		for i, tk := range words {
			exact := string(tk.Term)
			stems := []string{exact}
			if st := en.Analyze([]byte(exact)); len(st) == 1 && string(st[0].Term) != exact {
				stems = append(stems, string(st[0].Term))
			}
			switch i % 4 {
			case 0:
				marks = append(marks, mark{seq: []markWord{{exact: exact, stems: stems, stemmed: true}}})
			case 1:
				if i+1 < len(words) {
					marks = append(marks, mark{seq: []markWord{{exact: exact, stems: stems}, {exact: string(words[i+1].Term), stems: []string{string(words[i+1].Term)}}}})
				}
				if i+2 < len(words) { // two words a word apart: no match
					marks = append(marks, mark{seq: []markWord{{exact: exact, stems: stems}, {exact: string(words[i+2].Term), stems: []string{string(words[i+2].Term)}}}})
				}
			case 2:
				marks = append(marks, mark{seq: []markWord{{exact: exact + "x", stems: []string{exact + "x"}, fuzzy: 1}}})
			case 3:
				marks = append(marks, mark{prefix: exact[:min(2, len(exact))]})
			}
		}
		// One mark at a time, and all together.
		sets := [][]mark{marks}
		for _, mk := range marks {
			sets = append(sets, []mark{mk})
		}
		for _, ms := range sets {
			ref := &marker{plain: bleveOnly{plain}, en: fast.en, ru: fast.ru}
			want := slices.Clone(ref.spans(&marksScratch{}, text, "en", ms))
			mr := x.marker(ms)
			if got := mr.spans(&shared, text, "en", ms); !slices.Equal(got, want) {
				t.Errorf("%q, marks %+v:\nfast path %v\nBleve     %v", text, ms, got, want)
			}
		}
		if len(marks) > 0 {
			if got := x.marker(marks).spans(&shared, text, "en", marks); len(got) == 0 {
				t.Errorf("%q: marks of its own words matched nothing", text)
			}
		}
	}
}

// TestHighlight_LongLines: lines longer than a fragment get the fragments
// Bleve's highlighter makes of the marked words, however many lines the
// scratch memory served before.
func TestHighlight_LongLines(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	var short []string
	for _, c := range fixtureCalls() {
		for _, l := range c.Lines {
			short = append(short, l.Text)
		}
	}
	var shared marksScratch
	long := 0
	for i := range short {
		// A long line of the fixture's lines, and its first word marked.
		text := strings.Join(append(slices.Clone(short[i:]), short[:i]...), " — ")
		words := x.idx.Mapping().AnalyzerNamed(analyzerPlain).Analyze([]byte(text))
		if len(words) == 0 {
			continue
		}
		w := string(words[i%len(words)].Term)
		marks := []mark{{seq: []markWord{{exact: w, stems: []string{w}, stemmed: true}}}}
		mr := x.marker(marks)
		got := Hit{Text: text, Language: "en", Fragments: []Fragment{}, Terms: []string{}}
		mr.highlight(&shared, &got, "x", marks)
		// What Bleve's HTML highlighter makes of the same spans.
		spans := mr.spans(&marksScratch{}, text, "en", marks)
		want := bleveHTML(t, text, spans)
		if diff := cmp.Diff(want, fragmentsHTML(got.Fragments)); len(spans) == 0 || diff != "" {
			t.Errorf("%q marked %q (-Bleve +ours):\n%s", text, w, diff)
		}
		if !runesAtMost(text, fragmentRunes) {
			long++
		}
	}
	if long < 3 {
		t.Errorf("only %d lines longer than a fragment", long)
	}
}

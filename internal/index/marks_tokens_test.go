package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/analysis"
	tokunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// handledRunes lists every character wordTokens handles.
func handledRunes() []rune {
	var rs []rune
	for r := rune(0); r < 0x10000; r++ {
		if wordBreakClass(r) != wbUnknown {
			rs = append(rs, r)
		}
	}
	return rs
}

// sameTokens reports how wordTokens and Bleve's unicode tokenizer differ
// on text, or "" when they agree. It fails the test when wordTokens
// declines text although mustHandle.
func sameTokens(t testing.TB, text string, mustHandle bool) string {
	t.Helper()
	got, ok := wordTokens([]byte(text))
	if !ok {
		if mustHandle {
			t.Fatalf("wordTokens declined %q", text)
		}
		return ""
	}
	want := tokunicode.NewUnicodeTokenizer().Tokenize([]byte(text))
	show := func(ts analysis.TokenStream) string {
		var b strings.Builder
		for _, tk := range ts {
			fmt.Fprintf(&b, "[%q %d-%d #%d %v]", tk.Term, tk.Start, tk.End, tk.Position, tk.Type)
		}
		return b.String()
	}
	if g, w := show(got), show(want); g != w {
		return fmt.Sprintf("%q:\nwordTokens %s\nBleve      %s", text, g, w)
	}
	return ""
}

// TestWordTokens: for text of the characters it handles, wordTokens makes
// exactly the tokens of Bleve's unicode tokenizer (so highlights land on
// the words the index holds), and it declines other text.
func TestWordTokens(t *testing.T) {
	rs := handledRunes()
	// Each character alone and between letters, digits and itself.
	for _, r := range rs {
		s := string(r)
		for _, text := range []string{s, "a" + s + "b", "1" + s + "2", "a" + s + "1", "1" + s + "a", "ab" + s, s + s + "a", "a" + s + s + "b", "1" + s + s + "2", "é" + s + "ж"} {
			if d := sameTokens(t, text, true); d != "" {
				t.Error(d)
			}
		}
	}
	// Random text, dense in the characters that join words.
	joiners := []rune{'.', '\'', ':', ',', ';', '’', '‘'}
	others := []rune{' ', ' ', ' ', '\n', '-', '—', '…', '"', '?', '!', '(', '“'}
	letters := []rune{'a', 'Z', 'é', 'ß', 'ж', 'Ё', 'ł'}
	digits := []rune{'0', '7'}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []rune) rune { return s[rng.IntN(len(s))] }
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(24) {
			switch k := rng.IntN(10); {
			case k < 4:
				b.WriteRune(pick(letters))
			case k < 6:
				b.WriteRune(pick(digits))
			case k < 8:
				b.WriteRune(pick(joiners))
			case k < 9:
				b.WriteRune(pick(others))
			default:
				b.WriteRune(pick(rs))
			}
		}
		if d := sameTokens(t, b.String(), true); d != "" {
			t.Fatal(d)
		}
	}
	// Lines of the fixture archive, handled or not.
	for _, c := range fixtureCalls() {
		for _, l := range c.Lines {
			if d := sameTokens(t, l.Text, false); d != "" {
				t.Error(d)
			}
		}
	}
	// Text it must leave to Bleve.
	for _, text := range []string{
		"snake_case", "e\u0301", "soft\u00ADhyphen", "日本語", "שָׁלוֹם", "a\u200Db", "\xff", "tab\u0000",
		strings.Repeat("a", maxWordTokensText+1),
	} {
		if _, ok := wordTokens([]byte(text)); ok {
			t.Errorf("wordTokens handled %q", text)
		}
	}
}

// TestASCIIClasses: the scanner's table is wordBreakClass.
func TestASCIIClasses(t *testing.T) {
	for r := rune(0); r < 128; r++ {
		if got, want := asciiClasses[r]-'0', wordBreakClass(r); got != want {
			t.Errorf("%q: table %d, wordBreakClass %d", r, got, want)
		}
	}
}

// FuzzWordTokens: whatever text wordTokens handles, it tokenizes as
// Bleve's unicode tokenizer does.
func FuzzWordTokens(f *testing.F) {
	for _, s := range []string{"I’ve read it — it’s 3.14, U.S.A.", "don't: 1,000;2 a:b", "документ подписан", "x_y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if d := sameTokens(t, text, false); d != "" {
			t.Fatal(d)
		}
	})
}

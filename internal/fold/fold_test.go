package fold

import (
	"strings"
	"testing"
	"unicode"
)

func TestQuotes(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"don't donʹt don＇t don’t don‘t donʼt don`t don´t don′t don‛t", "don't don't don't don't don't don't don't don't don't don't"},
		{`“a” „b‟ «c» ＂d＂ "e"`, `"a" "b" "c" "d" "e"`},
		{"a-b – c — d", "a-b – c — d"}, // dashes are not quotes
		{"Renée ёлка 東京", "Renée ёлка 東京"},
	} {
		if got := strings.Map(Quotes, tt.in); got != tt.want {
			t.Errorf("Quotes(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestClasses: the three tables do not overlap, and hold only
// punctuation, symbols and modifier letters (never a letter of a word).
func TestClasses(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		n := 0
		for _, is := range []func(rune) bool{IsApostrophe, IsDoubleQuote, IsDash} {
			if is(r) {
				n++
			}
		}
		if n > 1 {
			t.Errorf("%U is in %d tables", r, n)
		}
		if n == 1 && (unicode.IsDigit(r) || (unicode.IsLetter(r) && !unicode.Is(unicode.Lm, r))) {
			t.Errorf("%U (%c) is a letter or digit", r, r)
		}
	}
}

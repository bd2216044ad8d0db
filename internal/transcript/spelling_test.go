package transcript

import (
	"slices"
	"testing"
)

func TestSpellingKey(t *testing.T) {
	tests := []struct {
		a, b string
		same bool
	}{
		{"zelensky", "Zelenskyy", true},
		{"Zelenskiy", "ZELENSKII", true},
		{"Volodymyr Zelensky", "volodymyr  zelenskyy", true},
		{"Dmitriyev", "Dmitriev", true},
		{"Dmitriev", "Dmitrev", true},
		{"Arsenyev", "Arseniev", true},
		{"Sergeyev", "Sergeev", true},
		{"Khabarov", "Habarov", true},
		{"Kuznetzov", "Kuznetsov", true},
		{"Dmitriy", "Dmitry", true},
		// Different names stay different.
		{"Zelensky", "Zelenska", false},
		{"Dmitri", "Dmitry", false}, // -i alone is not in the family
		{"Orlov", "Orlova", false},
		{"Ev", "Yev", false},
	}
	for _, tt := range tests {
		if got := SpellingKey(tt.a) == SpellingKey(tt.b); got != tt.same {
			t.Errorf("SpellingKey(%q) = %q, SpellingKey(%q) = %q: same = %v, want %v",
				tt.a, SpellingKey(tt.a), tt.b, SpellingKey(tt.b), got, tt.same)
		}
	}
}

func TestSpellingVariants(t *testing.T) {
	tests := []struct {
		word string
		want []string // must be among the variants
	}{
		{"zelenskyy", []string{"zelenskyy", "zelensky", "zelenskiy", "zelenskii"}},
		{"dmitriev", []string{"dmitriev", "dmitriyev", "dmitrev", "dmitryev"}},
		{"khabarov", []string{"khabarov", "habarov"}},
		{"habarov", []string{"khabarov"}},
		{"kuznetsov", []string{"kuznetzov"}},
		{"keller", []string{"keller"}},
	}
	for _, tt := range tests {
		got := SpellingVariants(tt.word)
		if got[0] != tt.word {
			t.Errorf("SpellingVariants(%q)[0] = %q, want the word itself", tt.word, got[0])
		}
		for _, w := range tt.want {
			if !slices.Contains(got, w) {
				t.Errorf("SpellingVariants(%q) = %v, lacks %q", tt.word, got, w)
			}
		}
		// Every variant is the same name to SpellingKey.
		for _, v := range got {
			if SpellingKey(v) != SpellingKey(tt.word) {
				t.Errorf("variant %q of %q has key %q, want %q", v, tt.word, SpellingKey(v), SpellingKey(tt.word))
			}
		}
	}
	if got := SpellingVariants("keller"); len(got) != 1 {
		t.Errorf("a name without variants: %v", got)
	}
	if got := SpellingVariants("khohhhtshtstsev"); len(got) > maxSpellingVariants+1 {
		t.Errorf("%d variants, want at most %d", len(got), maxSpellingVariants+1)
	}
}

func FuzzSpellingVariants(f *testing.F) {
	for _, w := range []string{"zelenskyy", "dmitriyev", "khabarov", "kuznetzov", "hh", "tsts", "ев"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, w string) {
		vs := SpellingVariants(w)
		if len(vs) == 0 || vs[0] != w || len(vs) > maxSpellingVariants+1 {
			t.Fatalf("SpellingVariants(%q) = %v", w, vs)
		}
		if !isLowerWord(w) {
			return
		}
		for _, v := range vs {
			if SpellingKey(v) != SpellingKey(w) {
				t.Fatalf("variant %q of %q: key %q, want %q", v, w, SpellingKey(v), SpellingKey(w))
			}
		}
	})
}

// isLowerWord: a lower-case word of ASCII letters, what SpellingVariants is
// given.
func isLowerWord(w string) bool {
	if w == "" {
		return false
	}
	for _, r := range w {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

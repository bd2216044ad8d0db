package transcript

import (
	"strings"
	"unicode/utf8"
)

// Russian and Ukrainian names reach English in several transliterations:
// Зеленський is Zelenskyy, Zelenskiy or Zelensky; Дмитриев is Dmitriev or
// Dmitriyev; Хабаров is Khabarov or Habarov. A user who types one spelling
// means the person, whichever spelling the archive has. SpellingKey writes
// each of these families one way, so that two spellings can be compared;
// SpellingVariants lists a word's family, so that an index can hold them
// all. Neither ever applies to a line's words: only to names.

// maxSpellingVariants bounds the family SpellingVariants returns for one
// word.
const maxSpellingVariants = 32

// SpellingKey returns name in lower case, its words separated by single
// spaces, with the common transliteration variants of Russian and
// Ukrainian names written one way:
//
//   - the endings -ii, -iy, -yy and -y as -y ("Zelenskyy", "Zelenskiy",
//     "Zelenskii" and "Zelensky" all give "zelensky");
//   - the endings -ev, -yev, -iev and -iyev as -ev ("Dmitriyev",
//     "Dmitriev": "dmitrev");
//   - kh as h ("Khabarov": "habarov");
//   - tz as ts ("Kuznetzov": "kuznetsov").
//
// Other words are only lower-cased.
func SpellingKey(name string) string {
	f := strings.Fields(strings.ToLower(name))
	for i, w := range f {
		stem, end := spellingStem(w)
		f[i] = stem + end
	}
	return strings.Join(f, " ")
}

// SpellingVariants returns the spellings of one lower-case word that
// SpellingKey writes as it writes the word: the word itself first, then
// the other endings of its family and its spellings with kh for h and tz
// for ts (at most maxSpellingVariants). A word with no variant gives only
// itself.
func SpellingVariants(word string) []string {
	stem, end := spellingStem(word)
	var ends []string
	switch end {
	case "y":
		ends = []string{"y", "yy", "iy", "ii"}
	case "ev":
		ends = []string{"ev", "yev", "iev", "iyev"}
	default:
		ends = []string{""}
	}
	stems := []string{stem}
	// h may be kh, ts may be tz: each place doubles the family, so only
	// a few places are spelled both ways.
	for i := 0; i < len(stem) && len(stems)*len(ends) < maxSpellingVariants; i++ {
		var alt string
		switch {
		case stem[i] == 'h' && (i == 0 || !strings.ContainsRune("cksz", rune(stem[i-1]))):
			alt = "kh"
		case stem[i] == 's' && i > 0 && stem[i-1] == 't':
			alt = "z"
		default:
			continue
		}
		n := len(stems)
		for _, s := range stems[:n] {
			if len(stems)*len(ends) >= maxSpellingVariants {
				break
			}
			// Rewrite the place i in s; s may be longer than stem by the
			// k's inserted before i, which are counted from the end.
			j := i + len(s) - len(stem)
			stems = append(stems, s[:j]+alt+s[j+1:])
		}
	}
	out := []string{word}
	for _, s := range stems {
		for _, e := range ends {
			if v := s + e; v != word && !contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// spellingStem splits a lower-case word into the stem SpellingKey keeps
// (kh and tz written h and ts) and the ending it writes one way ("y",
// "ev", or "" when the word has neither family's ending).
func spellingStem(w string) (stem, end string) {
	for strings.Contains(w, "kh") { // "kkh" is "kh" once replaced
		w = strings.ReplaceAll(w, "kh", "h")
	}
	w = strings.ReplaceAll(w, "tz", "ts")
	// The stem keeps at least three letters ("Ev" and "Yy" are no
	// family) and never ends in i or y, which belong to the ending.
	trim := func(s string) (string, bool) {
		t := strings.TrimRight(s, "iy")
		return t, utf8.RuneCountInString(t) >= 3
	}
	if s, ok := strings.CutSuffix(w, "ev"); ok {
		if t, ok := trim(s); ok {
			return t, "ev"
		}
	}
	if strings.HasSuffix(w, "y") || strings.HasSuffix(w, "ii") {
		if t, ok := trim(w); ok {
			return t, "y"
		}
	}
	return w, ""
}

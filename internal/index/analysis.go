package index

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"backchannel/internal/fold"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/custom"
	_ "github.com/blevesearch/bleve/v2/analysis/lang/ru" // registers stemmer_ru_snowball
	"github.com/blevesearch/bleve/v2/analysis/token/porter"
	tokunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/registry"
)

// Analysis chain names. Every analyzer uses the unicode tokenizer (which
// splits on dashes, ellipses and quotation marks and keeps apostrophes
// inside words) and then foldName, a token filter: folding happens on the
// term only, so token offsets still point into the original text and
// highlights land on the right bytes (STYLE.md part 3, items 1-2). No
// analyzer drops stop words.
//
// The text field is analysed once into one stream that holds three kinds
// of terms at each word's position (textName, a token filter):
//   - the word as spoken, folded: "talking" — phrases "as spoken" and the
//     exact-form bonus read these;
//   - its stem marked with stemMark when the stem differs: "~talk" — a
//     stemmed search for "talk" reads "talk" and "~talk";
//   - with the next word, when both are among the archive's commonest
//     words, the pair "of the" (a space never occurs in a word): a phrase
//     of common words then has a rare term to start from, as
//     Elasticsearch's index_phrases does for all words.
//
// One field instead of three (stemmed, exact, pairs) halved the build's
// CPU time and shrank the index: each field costs per line, not
// only per word.
const (
	foldName = "backchannel_fold"
	// textName is the token filter type of the text field (see above),
	// configured with a stemmer ("stemmer": a token filter name, or none)
	// and the pair words ("words").
	textName = "backchannel_text"
	// stemMark marks a stem in the text field. The tokenizer never makes
	// a word with it.
	stemMark = "~"

	analyzerPlain = "backchannel_plain" // folded words as spoken: names, query words
	analyzerEN    = "backchannel_en"    // folded + Porter stemming: query words, highlighting
	analyzerRU    = "backchannel_ru"    // folded + Snowball Russian stemming: query words, highlighting

	// The text field's analyzers, one per language, and their filters.
	analyzerTextEN    = "backchannel_text_en"
	analyzerTextRU    = "backchannel_text_ru"
	analyzerTextOther = "backchannel_text"
	filterTextEN      = "backchannel_text_en"
	filterTextRU      = "backchannel_text_ru"
	filterTextOther   = "backchannel_text_plain"

	stemmerRU = "stemmer_ru_snowball"
)

// analyzers lists the custom analyzers of the mapping: name → token filters.
func analyzers() map[string][]string {
	return map[string][]string{
		analyzerPlain:     {foldName},
		analyzerEN:        {foldName, porter.Name},
		analyzerRU:        {foldName, stemmerRU},
		analyzerTextEN:    {foldName, filterTextEN},
		analyzerTextRU:    {foldName, filterTextRU},
		analyzerTextOther: {foldName, filterTextOther},
	}
}

// textFilters lists the text field's filters: name → stemmer.
func textFilters() map[string]string {
	return map[string]string{filterTextEN: porter.Name, filterTextRU: stemmerRU, filterTextOther: ""}
}

// stemTerm is the text field's term for a stem that differs from the word.
func stemTerm(s string) string { return stemMark + s }

// foldTerm lower-cases a word and folds what people type differently for the
// same word: it removes apostrophes of every kind (package fold) (so "I’ll", "I'll" and
// "Ill" are one term), dashes and ellipsis characters, and diacritics on
// Latin letters (é → e, ß → ss) and ё → е. It returns "" when nothing is
// left.
func foldTerm(term []byte) []byte {
	plain := true
	for _, b := range term {
		if b >= utf8.RuneSelf || ('A' <= b && b <= 'Z') || b == '\'' || b == '`' || b == '-' || b == '.' {
			plain = false
			break
		}
	}
	if plain {
		return term
	}
	out := make([]byte, 0, len(term))
	for i := 0; i < len(term); {
		r, n := utf8.DecodeRune(term[i:])
		i += n
		switch {
		case fold.IsApostrophe(r), fold.IsDash(r), r == '\u2026':
			continue
		case r == '.' && i < len(term) && term[i] == '.':
			continue // "..." inside a token
		case unicode.Is(unicode.Mn, r):
			continue // combining marks of decomposed text
		}
		r = unicode.ToLower(r)
		if s, ok := latinFold[r]; ok {
			out = append(out, s...)
			continue
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// latinFold maps lower-case letters with diacritics to plain letters. It
// is a constant table, built once and only read.
var latinFold = func() map[rune]string {
	m := map[rune]string{
		'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l",
		'þ': "th", 'ı': "i", 'ё': "е", 'ŀ': "l", 'ĸ': "k", 'ŉ': "n",
	}
	groups := map[string]string{
		"a": "àáâãäåāăąǎǟǡǻȁȃȧạảấầẩẫậắằẳẵặ",
		"c": "çćĉċč",
		"d": "ďḍ",
		"e": "èéêëēĕėęěȅȇȩẹẻẽếềểễệ",
		"g": "ĝğġģǧǵ",
		"h": "ĥħḥ",
		"i": "ìíîïĩīĭįǐȉȋịỉ",
		"j": "ĵǰ",
		"k": "ķǩ",
		"l": "ĺļľ",
		"n": "ñńņňǹṅṇ",
		"o": "òóôõöōŏőǒȍȏȫȭȯȱọỏốồổỗộớờởỡợơ",
		"r": "ŕŗřȑȓ",
		"s": "śŝşšșṣ",
		"t": "ţťŧțṭ",
		"u": "ùúûüũūŭůűųǔǖǘǚǜȕȗụủứừửữựư",
		"w": "ŵẁẃẅ",
		"y": "ýÿŷỳỵỷỹ",
		"z": "źżžẓ",
	}
	for plain, letters := range groups {
		for _, r := range letters {
			m[r] = plain
		}
	}
	return m
}()

// foldFilter is the token filter that applies foldTerm to every term.
type foldFilter struct{}

func (foldFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	out := ts[:0]
	for _, t := range ts {
		t.Term = foldTerm(t.Term)
		if len(t.Term) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// textFilter makes the text field's stream (see textName): every word,
// its marked stem when it differs, and the pairs of adjacent common words.
type textFilter struct {
	stemmer analysis.TokenFilter // nil: no stemming
	words   map[string]bool
	// self are common words that are their own stem and share it with
	// other words ("go": "going", "goes"): they are also marked as a stem,
	// "~go", so that "go" in any inflection is one term (selfStemsOf).
	self map[string]bool
}

func (f textFilter) Filter(ts analysis.TokenStream) analysis.TokenStream {
	n := len(ts)
	var stems analysis.TokenStream
	if f.stemmer != nil && n > 0 {
		// The stemmers replace a token's Term (never write into it), so
		// copies of the tokens share the words' bytes.
		buf := make([]analysis.Token, n)
		stems = make(analysis.TokenStream, n)
		for i, t := range ts {
			buf[i] = *t
			stems[i] = &buf[i]
		}
		stems = f.stemmer.Filter(stems)
		if len(stems) != n {
			stems = nil // a stemmer that drops tokens: words only
		}
	}
	out := make(analysis.TokenStream, 0, n+n/2+1)
	for i, t := range ts {
		out = append(out, t)
		if stems != nil {
			if st := stems[i].Term; len(st) > 0 && !bytes.Equal(st, t.Term) {
				out = append(out, &analysis.Token{
					Term: append([]byte(stemMark), st...), Start: t.Start, End: t.End, Position: t.Position, Type: t.Type,
				})
			}
		}
		if f.self[string(t.Term)] {
			out = append(out, &analysis.Token{
				Term: append([]byte(stemMark), t.Term...), Start: t.Start, End: t.End, Position: t.Position, Type: t.Type,
			})
		}
		if i+1 < n && f.words != nil {
			b := ts[i+1]
			if b.Position == t.Position+1 && f.words[string(t.Term)] && f.words[string(b.Term)] {
				out = append(out, &analysis.Token{
					Term: pairTerm(string(t.Term), string(b.Term)), Start: t.Start, End: b.End, Position: t.Position, Type: t.Type,
				})
			}
		}
	}
	// The index keeps each token's position (phrases and the word-order
	// bonus read it) but not its byte offsets: highlighting re-analyses
	// the page's lines (marks.go) and nothing else reads them. Zeros are
	// one byte each in zap's term vectors instead of up to three: 3.8%
	// of a 100k-line index.
	for _, t := range out {
		t.Start, t.End = 0, 0
	}
	return out
}

func pairTerm(a, b string) []byte { return []byte(a + " " + b) }

// isPairTerm reports whether a text-field term is a pair of common words.
func isPairTerm(t string) bool { return strings.Contains(t, " ") }

// isWordTerm reports whether a text-field term is a word as spoken (not
// a marked stem, not a pair).
func isWordTerm(t string) bool {
	return !strings.HasPrefix(t, stemMark) && !strings.Contains(t, " ")
}

// stringSet reads a list of strings from a filter's config.
func stringSet(v any) map[string]bool {
	set := map[string]bool{}
	list, _ := v.([]any)
	for _, w := range list {
		if s, ok := w.(string); ok {
			set[s] = true
		}
	}
	if ws, ok := v.([]string); ok {
		for _, s := range ws {
			set[s] = true
		}
	}
	return set
}

func newTextFilter(config map[string]any, cache *registry.Cache) (analysis.TokenFilter, error) {
	f := textFilter{words: stringSet(config["words"]), self: stringSet(config["self"])}
	if name, _ := config["stemmer"].(string); name != "" {
		st, err := cache.TokenFilterNamed(name)
		if err != nil {
			return nil, fmt.Errorf("stemmer %s: %w", name, err)
		}
		f.stemmer = st
	}
	return f, nil
}

func init() {
	err := registry.RegisterTokenFilter(foldName, func(map[string]any, *registry.Cache) (analysis.TokenFilter, error) {
		return foldFilter{}, nil
	})
	if err == nil {
		err = registry.RegisterTokenFilter(textName, newTextFilter)
	}
	if err != nil {
		panic(err) // a duplicate name is a programming error, as in bleve's own init funcs
	}
}

// analyzerConfig is the custom-analyzer definition for the mapping.
func analyzerConfig(filters []string) map[string]any {
	fs := make([]any, len(filters))
	for i, f := range filters {
		fs[i] = f
	}
	return map[string]any{
		"type":          custom.Name,
		"tokenizer":     tokunicode.Name,
		"token_filters": fs,
	}
}

// Limits of the pair words: the common words whose adjacent pairs the
// text field indexes as one term.
const (
	pairSample   = 50000 // lines analysed to find the common words
	pairMinShare = 0.01  // a word in at least this share of lines is common
	maxPairWords = 256
)

// pairWordsOf returns the words (as the plain analyzer folds them) found
// in at least pairMinShare of sample, a sample of the archive's lines
// (pairSample of them, spread evenly), most common first: phrases made
// only of such words are the slow ones.
//
// It also returns every word of the sample.
func pairWordsOf(sample []string, plain analysis.Analyzer) (words, vocab []string) {
	df := map[string]int{}
	seen := map[string]bool{}
	sampled := len(sample)
	for _, text := range sample {
		clear(seen)
		for _, t := range plain.Analyze([]byte(text)) {
			w := string(t.Term)
			if !seen[w] {
				seen[w] = true
				df[w]++
			}
		}
	}
	min := max(2, int(pairMinShare*float64(sampled)))
	for w, n := range df {
		vocab = append(vocab, w)
		if n >= min {
			words = append(words, w)
		}
	}
	sort.Strings(vocab)
	sort.Slice(words, func(a, b int) bool {
		if df[words[a]] != df[words[b]] {
			return df[words[a]] > df[words[b]]
		}
		return words[a] < words[b]
	})
	if len(words) > maxPairWords {
		words = words[:maxPairWords]
	}
	return words, vocab
}

// selfStemsOf returns the common words (of pairs) that are their own stem
// under a language's stemmer while another word of vocab has that stem
// too: "go" ("going", "goes"), not "the". The text field marks them as a
// stem as well ("~go" at every "go"), so that the word in any inflection
// is one posting list instead of two: "go no" read 108,000 postings of
// "go" and "~go" through a disjunction (16 ms at 1M lines).
// Each stemmer is an analyzer whose output for one word is its stem.
func selfStemsOf(pairs, vocab []string, stemmers []analysis.Analyzer) []string {
	isPair := make(map[string]bool, len(pairs))
	for _, w := range pairs {
		isPair[w] = true
	}
	stem := func(a analysis.Analyzer, w string) string {
		if ts := a.Analyze([]byte(w)); len(ts) == 1 {
			return string(ts[0].Term)
		}
		return ""
	}
	self := map[string]bool{}
	for _, a := range stemmers {
		for _, v := range vocab {
			if st := stem(a, v); st != v && isPair[st] && !self[st] && stem(a, st) == st {
				self[st] = true
			}
		}
	}
	out := make([]string, 0, len(self))
	for w := range self {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

package index

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	tokunicode "github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
)

// Highlighting a page re-tokenises its lines, and Bleve's unicode
// tokenizer (the segment package's word-break state machine, which
// allocates for every segment) was a third of a rare-word search's CPU
// time (issue 6, pprof). For text made only of the characters below,
// whose word-break classes (Unicode 8, as the segment package has them)
// are known, wordTokens finds the same words directly; any other text
// goes to Bleve's tokenizer. TestWordTokens and FuzzWordTokens compare
// the two.

// Word-break classes of the characters wordTokens handles.
const (
	wbOther     = iota // never part of a word: spaces, most punctuation
	wbLetter           // ALetter
	wbDigit            // Numeric
	wbMidLetter        // MidLetter: joins two letters (':')
	wbMidNum           // MidNum: joins two digits (',', ';')
	wbMidNumLet        // MidNumLet and Single_Quote: joins two letters or two digits
	wbUnknown          // anything else: Bleve's tokenizer decides
)

// wordBreakClass is the class of r, wbUnknown for characters outside the
// handled set (Extend and Format characters, ExtendNumLet, Hebrew, Kana,
// Han among them).
func wordBreakClass(r rune) uint8 {
	switch {
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		return wbLetter
	case '0' <= r && r <= '9':
		return wbDigit
	case r == ' ', '\t' <= r && r <= '\r': // tab, LF, VT, FF, CR
		return wbOther
	case r < 0x80:
		switch r {
		case '.', '\'':
			return wbMidNumLet
		case ':':
			return wbMidLetter
		case ',', ';':
			return wbMidNum
		case '!', '"', '#', '$', '%', '&', '(', ')', '*', '+', '-', '/', '<', '=', '>', '?', '@', '[', '\\', ']', '^', '`', '{', '|', '}', '~':
			return wbOther
		}
		return wbUnknown // other controls, and '_' (ExtendNumLet)
	// Latin-1 and Latin Extended-A/B letters, without × and ÷.
	case 0xC0 <= r && r <= 0x24F && r != 0xD7 && r != 0xF7:
		return wbLetter
	// Cyrillic letters, without the combining marks U+0483-U+0489.
	case 0x400 <= r && r <= 0x481, 0x48A <= r && r <= 0x4FF:
		return wbLetter
	}
	switch r {
	case '\u2018', '\u2019': // ‘ ’
		return wbMidNumLet
	case '\u00A0', '\u00AB', '\u00BB', '\u2013', '\u2014', '\u2026', '\u201C', '\u201D', '\u201E': // nbsp « » – — … “ ” „
		return wbOther
	}
	return wbUnknown
}

// asciiClasses holds the wordBreakClass of each ASCII character, as a
// digit (TestASCIIClasses): a lookup instead of wordBreakClass's switch
// in the scanner's loop.
const asciiClasses = "66666666600000666666666666666666000000050000405022222222223400000111111111111111111111111110000601111111111111111111111111100006"

// classOfRune returns the class and size of the character of text at
// i, outside ASCII.
func classOfRune(text string, i int) (uint8, int) {
	r, n := utf8.DecodeRuneInString(text[i:])
	if r == utf8.RuneError {
		return wbUnknown, n
	}
	return wordBreakClass(r), n
}

// maxWordTokensText is the longest text scanWords handles: Bleve's
// segmenter has a token size limit (64 KiB) that it does not mimic.
const maxWordTokensText = 32 << 10

// scanWords calls word with the byte range of each word of text, as
// Bleve's unicode tokenizer splits it, and whether it has letters (not
// only digits). It returns false, maybe after some calls, when text has
// a character outside the handled set.
func scanWords(text string, word func(start, end int, letters bool)) bool {
	if len(text) > maxWordTokensText {
		return false
	}
	class := func(i int) (uint8, int) {
		if c := text[i]; c < utf8.RuneSelf {
			return asciiClasses[c] - '0', 1
		}
		return classOfRune(text, i)
	}
	for i := 0; i < len(text); {
		c, n := class(i)
		switch c {
		case wbUnknown:
			return false
		case wbLetter, wbDigit:
		default:
			i += n
			continue
		}
		// A word: letters and digits, and a middle character between two
		// letters (MidLetter, MidNumLet) or two digits (MidNum, MidNumLet).
		start, prev, letters := i, c, c == wbLetter
		i += n
		for i < len(text) {
			if b := text[i]; 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' {
				prev, letters, i = wbLetter, true, i+1
				continue
			}
			c, n = class(i)
			if c == wbLetter || c == wbDigit {
				prev, letters, i = c, letters || c == wbLetter, i+n
				continue
			}
			joins := (prev == wbLetter && (c == wbMidLetter || c == wbMidNumLet)) ||
				(prev == wbDigit && (c == wbMidNum || c == wbMidNumLet))
			if !joins || i+n >= len(text) {
				break
			}
			if c2, n2 := class(i + n); c2 == prev {
				i += n + n2
				continue
			}
			break
		}
		word(start, i, letters)
	}
	return true
}

// wordTokens returns the tokens Bleve's unicode tokenizer makes of text,
// or false when text has a character outside the handled set.
func wordTokens(text []byte) (analysis.TokenStream, bool) {
	var buf []analysis.Token
	ok := scanWords(string(text), func(start, end int, letters bool) {
		typ := analysis.Numeric // digits only: the segmenter's Number
		if letters {
			typ = analysis.AlphaNumeric
		}
		buf = append(buf, analysis.Token{Term: text[start:end:end], Start: start, End: end, Position: len(buf) + 1, Type: typ})
	})
	if !ok {
		return nil, false
	}
	ts := make(analysis.TokenStream, len(buf))
	for i := range buf {
		ts[i] = &buf[i]
	}
	return ts, true
}

// plainWord is a word of a line as an analyzer made it.
type plainWord struct {
	term       string // the token's term
	start, end int    // its bytes in the line
	pos        int    // its position
}

// foldOnly reports whether a is Bleve's unicode tokenizer followed by
// foldFilter only (the plain analyzer): words then need no tokens.
func foldOnly(a analysis.Analyzer) bool {
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return false
	}
	if _, ok := da.Tokenizer.(*tokunicode.UnicodeTokenizer); !ok {
		return false
	}
	for _, f := range da.TokenFilters {
		if _, ok := f.(foldFilter); !ok {
			return false
		}
	}
	return true
}

// firstBytes is a set of bytes a word's term may start with.
type firstBytes [256]bool

// plainWords sets sc.words to the words of text under a; fast says a is
// foldOnly. With first, it may leave out words whose terms do not start
// with a byte in it: with the plain analyzer, words that start with an
// ASCII letter or digit, whose term starts with that byte in lower case
// (TestFoldASCII), are left out unseen. Most words of a line are, and
// folding them was half the cost of highlighting (issue 6, pprof).
func (sc *marksScratch) plainWords(a analysis.Analyzer, fast bool, text string, first *firstBytes) {
	sc.words = sc.words[:0]
	if fast {
		da := a.(*analysis.DefaultAnalyzer)
		pos := 0
		ok := scanWords(text, func(start, end int, _ bool) {
			pos++
			w := text[start:end]
			if b := w[0]; first != nil && b < utf8.RuneSelf && !first[lowerASCII(b)] {
				return
			}
			if !lowerAlnum(w) { // as folded: fold returns [a-z0-9]* unchanged (TestFoldASCII)
				sc.buf = append(sc.buf[:0], w...)
				term := sc.buf
				for range da.TokenFilters {
					term = foldTerm(term)
				}
				if len(term) == 0 {
					return // foldFilter drops it, its position stays taken
				}
				if first != nil && !first[term[0]] {
					return
				}
				if string(term) != w {
					w = string(term)
				}
			}
			sc.words = append(sc.words, plainWord{term: w, start: start, end: end, pos: pos})
		})
		if ok {
			return
		}
		sc.words = sc.words[:0]
	}
	for _, t := range analyzeText(a, text) {
		sc.words = append(sc.words, plainWord{term: string(t.Term), start: t.Start, end: t.End, pos: t.Position})
	}
}

// lowerASCII is b in lower case if it is an ASCII letter.
func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// lowerAlnum reports whether w is only ASCII lower-case letters and digits.
func lowerAlnum(w string) bool {
	for i := 0; i < len(w); i++ {
		if b := w[i]; !('a' <= b && b <= 'z' || '0' <= b && b <= '9') {
			return false
		}
	}
	return true
}

// analyzeText is a.Analyze(text), with wordTokens in place of Bleve's
// unicode tokenizer where it can.
func analyzeText(a analysis.Analyzer, text string) analysis.TokenStream {
	b := []byte(text)
	da, ok := a.(*analysis.DefaultAnalyzer)
	if !ok || len(da.CharFilters) > 0 {
		return a.Analyze(b)
	}
	if _, ok := da.Tokenizer.(*tokunicode.UnicodeTokenizer); !ok {
		return a.Analyze(b)
	}
	ts, ok := wordTokens(b)
	if !ok {
		return a.Analyze(b)
	}
	for _, f := range da.TokenFilters {
		ts = f.Filter(ts)
	}
	return ts
}

package query

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what Parse reads. Text past them is ignored and the Query is
// marked Truncated, so a caller can say so.
const (
	MaxBytes = 10 << 10 // bytes of query text read: a pasted turn

	MaxTerms        = 32 // words, phrases and prefixes, counting each OR branch
	MaxPhraseWords  = 16 // words kept in one phrase
	MaxFilterValues = 8  // speaker: or call: values kept
	MinPrefix       = 2  // letters or digits before a trailing *
)

// Kind says how a Term matches.
type Kind int

const (
	// Word matches a word in any form (stemmed, folded).
	Word Kind = iota
	// Phrase matches words in sequence, as spoken.
	Phrase
	// Prefix matches words that begin with Text.
	Prefix
)

// Term is one word, phrase or prefix as the user typed it.
type Term struct {
	Kind Kind
	Text string // without quotes or trailing star; whitespace collapsed
}

// Clause is one condition: any of its Terms (more than one when joined
// with OR). A negated clause has exactly one Term and excludes lines that
// match it.
type Clause struct {
	Negate bool
	Terms  []Term
}

// Query is a parsed query: every clause must hold, and the filters narrow
// the lines searched.
type Query struct {
	Clauses  []Clause
	Speakers []string // speaker: values as typed, whitespace collapsed; any of them
	Calls    []string // call: values; any of them
	Markings []string // marking: values (portion marks such as S/NF); any of them
	After    string   // YYYY-MM-DD or ""
	Before   string   // YYYY-MM-DD or ""
	// Truncated is true when text past a limit was ignored.
	Truncated bool
	// Pasted is true when the text reads as a pasted sentence, so that a
	// "-word" in it was read as a dash before a word, not an exclusion
	// (see Parse).
	Pasted bool
}

// Empty reports whether q has no clause and no filter.
func (q Query) Empty() bool {
	return len(q.Clauses) == 0 && len(q.Speakers) == 0 && len(q.Calls) == 0 && len(q.Markings) == 0 &&
		q.After == "" && q.Before == ""
}

// Positive returns the clauses that are not negated.
func (q Query) Positive() []Clause {
	var out []Clause
	for _, c := range q.Clauses {
		if !c.Negate {
			out = append(out, c)
		}
	}
	return out
}

func isOpenQuote(r rune) bool {
	switch r {
	case '"', '\u201C', '\u201D', '\u201E', '\uFF02':
		return true
	}
	return false
}

func isCloseQuote(r rune) bool {
	switch r {
	case '"', '\u201C', '\u201D', '\uFF02':
		return true
	}
	return false
}

// hasWordChar reports whether s holds a letter or a digit.
func hasWordChar(s string) bool {
	return countWordChars(s) > 0
}

func countWordChars(s string) int {
	n := 0
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			n++
		}
	}
	return n
}

// clean makes s valid UTF-8 without control characters, at most MaxBytes
// long. It reports whether it cut anything off.
func clean(s string) (string, bool) {
	truncated := false
	if len(s) > MaxBytes*4 {
		s = s[:MaxBytes*4] // bound the work below; cut again precisely later
		truncated = true
	}
	s = strings.ToValidUTF8(s, " ")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
	if len(s) > MaxBytes {
		cut := MaxBytes
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
		truncated = true
	}
	return s, truncated
}

// collapse trims s and joins its whitespace-separated fields with one space.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

// item is a parsed token before OR grouping.
type item struct {
	kind  int // itemTerm, itemOr, itemFilter
	neg   bool
	term  Term
	field string
	value string
}

const (
	itemTerm = iota
	itemOr
	itemFilter
)

var fields = []string{"speaker", "call", "marking", "after", "before"}

// scanner walks the cleaned query text.
type scanner struct {
	s   string
	pos int
	// dashesAsText reads "-word" as the word: the text is pasted.
	dashesAsText bool
	sawOr        bool
}

func (sc *scanner) peek() (rune, int) {
	if sc.pos >= len(sc.s) {
		return 0, 0
	}
	return utf8.DecodeRuneInString(sc.s[sc.pos:])
}

func (sc *scanner) atBoundary() bool {
	r, n := sc.peek()
	return n == 0 || unicode.IsSpace(r)
}

func (sc *scanner) skipSpace() {
	for {
		r, n := sc.peek()
		if n == 0 || !unicode.IsSpace(r) {
			return
		}
		sc.pos += n
	}
}

// closer returns the offset of the first closing quote after from, or -1.
func (sc *scanner) closer(from int) int {
	for i, r := range sc.s[from:] {
		if isCloseQuote(r) {
			return from + i
		}
	}
	return -1
}

// skipUnbalanced skips opening quotes that no closing quote follows.
func (sc *scanner) skipUnbalanced() {
	for {
		r, n := sc.peek()
		if n == 0 || !isOpenQuote(r) || sc.closer(sc.pos+n) >= 0 {
			return
		}
		sc.pos += n
	}
}

// word reads up to the next whitespace.
func (sc *scanner) word() string {
	start := sc.pos
	for !sc.atBoundary() {
		_, n := sc.peek()
		sc.pos += n
	}
	return sc.s[start:sc.pos]
}

// next returns the next item, or false at the end of the text.
func (sc *scanner) next() (item, bool) {
	for {
		sc.skipSpace()
		sc.skipUnbalanced()
		if sc.pos >= len(sc.s) {
			return item{}, false
		}
		if sc.atBoundary() {
			continue
		}
		neg := false
		if r, n := sc.peek(); r == '-' && !sc.dashesAsText {
			// An exclusion is a "-" directly before a word or a quote;
			// "--word" and "- word" are dashes in the text.
			next, _ := utf8.DecodeRuneInString(sc.s[sc.pos+n:])
			if unicode.IsLetter(next) || unicode.IsDigit(next) || isOpenQuote(next) {
				neg = true
				sc.pos += n
				sc.skipUnbalanced()
				if sc.atBoundary() {
					continue
				}
			}
		}
		r, n := sc.peek()
		if isOpenQuote(r) { // balanced: skipUnbalanced left it
			end := sc.closer(sc.pos + n)
			text := collapse(sc.s[sc.pos+n : end])
			_, cn := utf8.DecodeRuneInString(sc.s[end:])
			sc.pos = end + cn
			if !hasWordChar(text) {
				continue
			}
			return item{kind: itemTerm, neg: neg, term: Term{Kind: Phrase, Text: capWords(text)}}, true
		}
		if !neg {
			if it, ok := sc.filter(); ok {
				return it, true
			}
		}
		w := sc.word()
		if !neg && w == "OR" {
			sc.sawOr = true
			return item{kind: itemOr}, true
		}
		t, ok := wordTerm(w)
		if !ok {
			continue
		}
		return item{kind: itemTerm, neg: neg, term: t}, true
	}
}

// filter reads field:value at the scanner's position, if there is one.
func (sc *scanner) filter() (item, bool) {
	rest := sc.s[sc.pos:]
	for _, f := range fields {
		if len(rest) <= len(f) || rest[len(f)] != ':' || !strings.EqualFold(rest[:len(f)], f) {
			continue
		}
		start := sc.pos
		valueAt := sc.pos + len(f) + 1
		r, n := utf8.DecodeRuneInString(sc.s[valueAt:])
		if (f == "speaker" || f == "call" || f == "marking") && isOpenQuote(r) {
			if end := sc.closer(valueAt + n); end >= 0 {
				v := collapse(sc.s[valueAt+n : end])
				_, cn := utf8.DecodeRuneInString(sc.s[end:])
				sc.pos = end + cn
				if v == "" {
					return item{kind: itemFilter, field: f}, true // dropped below
				}
				return item{kind: itemFilter, field: f, value: v}, true
			}
			// An unbalanced quote: the value is the rest of the word.
			sc.pos = valueAt + n
			v := sc.word()
			if v == "" {
				sc.pos = start
				return item{}, false
			}
			return item{kind: itemFilter, field: f, value: v}, true
		}
		sc.pos = valueAt
		v := sc.word()
		if v == "" {
			sc.pos = start
			return item{}, false // bare "speaker:" is a word
		}
		if (f == "after" || f == "before") && !ValidDate(v) {
			sc.pos = start
			return item{}, false // read as words
		}
		return item{kind: itemFilter, field: f, value: v}, true
	}
	return item{}, false
}

// ValidDate reports whether s is a real date written YYYY-MM-DD.
func ValidDate(s string) bool {
	if len(s) != len("2006-01-02") {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// wordTerm reads a bare word: prefix* or a plain word. Words with no letter
// or digit are dropped.
//
// Leading hyphens go: "--word" (a dash glued to the word, as transcripts
// write an interruption) is the word.
func wordTerm(w string) (Term, bool) {
	w = strings.TrimLeft(w, "-")
	if strings.HasSuffix(w, "*") {
		trimmed := strings.TrimRight(w, "*")
		if !strings.Contains(trimmed, "*") && countWordChars(trimmed) >= MinPrefix {
			return Term{Kind: Prefix, Text: trimmed}, true
		}
		w = trimmed
	}
	if !hasWordChar(w) {
		return Term{}, false
	}
	return Term{Kind: Word, Text: w}, true
}

func capWords(s string) string {
	f := strings.Fields(s)
	if len(f) > MaxPhraseWords {
		f = f[:MaxPhraseWords]
	}
	return strings.Join(f, " ")
}

// pastedWords is how many words, besides exclusions, make a query read as
// a pasted sentence when it has no OR and no filter.
const pastedWords = 6

// Parse reads s as a query. It never fails: what it cannot read as
// written it reads as plain words, and what it cannot use it drops.
//
// A "-" directly before a word or a quote at the start of a term
// excludes it, unless the text reads as a pasted sentence: at least
// pastedWords words besides the exclusions, and no OR and no filter.
// Transcripts write interruptions as a dash glued to the next word
// ("--the doors", "-I thought"), and such a paste is then read as its
// words, with Pasted set. A dash after a letter ("quasi-govern") or
// doubled ("--word") is never an exclusion.
func Parse(s string) Query {
	s, truncated := clean(s)
	q, sc := parse(s, false)
	if q.hasExclusion() && !sc.sawOr && q.noFilters() && q.positiveWords() >= pastedWords {
		q, _ = parse(s, true)
		q.Pasted = true
	}
	q.Truncated = q.Truncated || truncated
	return q
}

func (q Query) hasExclusion() bool {
	for _, c := range q.Clauses {
		if c.Negate {
			return true
		}
	}
	return false
}

func (q Query) noFilters() bool {
	return len(q.Speakers) == 0 && len(q.Calls) == 0 && q.After == "" && q.Before == ""
}

// positiveWords counts the words of q's positive clauses.
func (q Query) positiveWords() int {
	n := 0
	for _, c := range q.Positive() {
		for _, t := range c.Terms {
			n += len(strings.Fields(t.Text))
		}
	}
	return n
}

// parse reads cleaned text s, with "-word" as an exclusion or, with
// dashesAsText, as the word.
func parse(s string, dashesAsText bool) (Query, *scanner) {
	var q Query
	sc := &scanner{s: s, dashesAsText: dashesAsText}
	terms := 0
	pendingOr := false
	lastPositive := false // the last item was a positive term clause
	for {
		it, ok := sc.next()
		if !ok {
			break
		}
		switch it.kind {
		case itemOr:
			pendingOr = lastPositive
			continue
		case itemFilter:
			pendingOr, lastPositive = false, false
			q.addFilter(it.field, it.value)
			continue
		}
		if terms >= MaxTerms {
			q.Truncated = true
			continue
		}
		terms++
		if pendingOr && !it.neg {
			last := &q.Clauses[len(q.Clauses)-1]
			last.Terms = append(last.Terms, it.term)
		} else {
			q.Clauses = append(q.Clauses, Clause{Negate: it.neg, Terms: []Term{it.term}})
		}
		pendingOr = false
		lastPositive = !it.neg
	}
	return q, sc
}

func (q *Query) addFilter(field, value string) {
	if value == "" {
		return
	}
	add := func(list []string) []string {
		for _, v := range list {
			if v == value {
				return list
			}
		}
		if len(list) >= MaxFilterValues {
			q.Truncated = true
			return list
		}
		return append(list, value)
	}
	switch field {
	case "speaker":
		q.Speakers = add(q.Speakers)
	case "call":
		q.Calls = add(q.Calls)
	case "marking":
		q.Markings = add(q.Markings)
	case "after":
		if value > q.After {
			q.After = value
		}
	case "before":
		if q.Before == "" || value < q.Before {
			q.Before = value
		}
	}
}

// String writes q back in the query language, canonically: clauses in
// order, then speaker:, call:, marking:, after: and before:, phrases in straight
// quotes. Parse(q.String()) reads the same query.
func (q Query) String() string {
	var parts []string
	for _, c := range q.Clauses {
		ts := make([]string, len(c.Terms))
		for i, t := range c.Terms {
			ts[i] = t.String()
		}
		s := strings.Join(ts, " OR ")
		if c.Negate {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	for _, v := range q.Speakers {
		parts = append(parts, "speaker:"+quoteValue(v))
	}
	for _, v := range q.Calls {
		parts = append(parts, "call:"+quoteValue(v))
	}
	for _, v := range q.Markings {
		parts = append(parts, "marking:"+quoteValue(v))
	}
	if q.After != "" {
		parts = append(parts, "after:"+q.After)
	}
	if q.Before != "" {
		parts = append(parts, "before:"+q.Before)
	}
	return strings.Join(parts, " ")
}

// String writes t as it would be typed.
func (t Term) String() string {
	switch t.Kind {
	case Phrase:
		return `"` + t.Text + `"`
	case Prefix:
		return t.Text + "*"
	}
	return t.Text
}

func quoteValue(v string) string {
	if strings.ContainsFunc(v, unicode.IsSpace) {
		return `"` + v + `"`
	}
	return v
}

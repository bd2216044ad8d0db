package index

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/highlight"
	simplefrag "github.com/blevesearch/bleve/v2/search/highlight/fragmenter/simple"
	simplehl "github.com/blevesearch/bleve/v2/search/highlight/highlighter/simple"
)

// Highlighting re-analyses the text of the page's hits (ten or so lines)
// and marks the words the query matched, instead of asking Bleve for the
// match locations: that second search re-ran the query's phrase and
// bonus clauses over the page's documents and was half the time of a
// phrase search (pprof). The analyzers are the index's, so a
// word is marked exactly when the index matched it.

// mark is one thing the page phase looks for in a hit's text: a run of
// words at consecutive positions (one word for a plain word), or every
// word with a prefix.
type mark struct {
	seq    []markWord
	prefix string // a prefix term: words starting with it (seq is nil)
}

// markWord is one word of a mark.
type markWord struct {
	exact   string   // the word as typed, folded
	stems   []string // its stems under each language (and the word itself)
	stemmed bool     // any inflection matches, not only the word as spoken
	fuzzy   int      // misspellings within this edit distance match too
}

func (w markWord) matches(exact string, stem func() string) bool {
	if exact == w.exact {
		return true
	}
	if w.stemmed && (slices.Contains(w.stems, exact) || (maybeStem(exact, w.stems) && slices.Contains(w.stems, stem()))) {
		return true
	}
	return w.fuzzy > 0 && closeSpelling(w.exact, exact, w.fuzzy)
}

// maybeStem reports whether one of stems could be the stem of word: the
// stemmers (Porter, Snowball Russian) only change a word's ending, so a
// stem starts with the word's first two bytes. It spares stemming the
// words that cannot match.
func maybeStem(word string, stems []string) bool {
	if len(word) < 2 {
		return false
	}
	for _, s := range stems {
		if len(s) >= 2 && s[:2] == word[:2] {
			return true
		}
	}
	return false
}

// wordMark marks t in any inflection.
func wordMark(t qtok) mark {
	return mark{seq: []markWord{{exact: t.exact, stems: t.stems, stemmed: true}}}
}

// seqMark marks toks in sequence, as spoken or in any inflection.
func seqMark(toks []qtok, stemmed bool) mark {
	m := mark{seq: make([]markWord, len(toks))}
	for i, t := range toks {
		m.seq[i] = markWord{exact: t.exact, stems: t.stems, stemmed: stemmed}
	}
	return m
}

// fuzzyMark marks t in any inflection or misspelled (the loose search's
// close spellings), or nil when t gets no close spellings.
func fuzzyMark(t qtok) []mark {
	f := fuzziness(t.exact)
	if f == 0 {
		return nil
	}
	return []mark{{seq: []markWord{{exact: t.exact, stems: t.stems, stemmed: true, fuzzy: f}}}}
}

// closeSpelling reports whether b is within edit distance f of a, with
// the same first letter (the fuzzy query's prefix of one).
func closeSpelling(a, b string, f int) bool {
	ra, rb := []rune(a), []rune(b)
	if len(ra) == 0 || len(rb) == 0 || ra[0] != rb[0] || abs(len(ra)-len(rb)) > f {
		return false
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			best = min(best, cur[j])
		}
		if best > f {
			return false
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)] <= f
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// marker holds what highlighting a page needs from the mapping: the
// plain analyzer and the stemmers by language, looked up once a page.
type marker struct {
	plain    analysis.Analyzer // nil: the mapping has none, nothing is marked
	foldOnly bool              // plain is the unicode tokenizer and foldFilter (marks_tokens.go)
	en, ru   analysis.TokenFilter
	first    *firstBytes // the bytes a word that marks match starts with; nil: any
}

// marker returns the marker of x's mapping for marks.
func (x *Index) marker(marks []mark) *marker {
	m := x.idx.Mapping()
	mk := &marker{plain: m.AnalyzerNamed(analyzerPlain)}
	if mk.plain == nil {
		return mk
	}
	mk.foldOnly = foldOnly(mk.plain)
	mk.first = firstBytesOf(marks)
	stemmer := func(name string) analysis.TokenFilter {
		if da, ok := m.AnalyzerNamed(name).(*analysis.DefaultAnalyzer); ok && len(da.TokenFilters) > 0 {
			return da.TokenFilters[len(da.TokenFilters)-1]
		}
		return nil
	}
	mk.en, mk.ru = stemmer(analyzerEN), stemmer(analyzerRU)
	return mk
}

// firstBytes returns the bytes that the words marks match start with,
// or nil when that is any byte. Every kind of match keeps a word's first
// byte: the word itself, a stem (which starts with the word's first two
// bytes, maybeStem), a close spelling (same first letter) or a prefix.
func firstBytesOf(marks []mark) *firstBytes {
	var f firstBytes
	add := func(s string) bool {
		if s == "" {
			return false
		}
		f[s[0]] = true
		return true
	}
	for _, mk := range marks {
		if mk.seq == nil {
			if mk.prefix != "" {
				f[mk.prefix[0]] = true
			}
			continue
		}
		for _, w := range mk.seq {
			if !add(w.exact) {
				return nil
			}
			for _, s := range w.stems {
				if !add(s) {
					return nil
				}
			}
		}
	}
	return &f
}

// marksScratch is the memory one goroutine reuses from line to line.
type marksScratch struct {
	words   []plainWord
	buf     []byte
	stems   []string
	stemmed []bool
	spans   [][2]int
	// for Bleve's highlighter
	hl     *simplehl.Highlighter
	rec    *fragmentRecorder
	dm     *search.DocumentMatch
	locs   search.TermLocationMap
	locBuf []search.Location
	text   []byte
}

// spans returns the byte ranges of text that marks match, in order, for
// a line in language lang. The result is valid until the next call with
// sc.
func (mr *marker) spans(sc *marksScratch, text, lang string, marks []mark) [][2]int {
	if len(marks) == 0 || text == "" || mr.plain == nil {
		return nil
	}
	sc.plainWords(mr.plain, mr.foldOnly, text, mr.first)
	plain := sc.words
	// Stems only where a stemmed mark could use one, and lazily: the
	// stemmer is most of the cost of highlighting a page.
	var stemmer analysis.TokenFilter
	switch docTypeFor(lang) {
	case docTypeEN:
		stemmer = mr.en
	case docTypeRU:
		stemmer = mr.ru
	}
	sc.stems = slices.Grow(sc.stems[:0], len(plain))[:len(plain)]
	sc.stemmed = slices.Grow(sc.stemmed[:0], len(plain))[:len(plain)]
	clear(sc.stemmed)
	stems, stemmed := sc.stems, sc.stemmed
	stemOf := func(i int) string {
		if !stemmed[i] {
			stemmed[i] = true
			stems[i] = plain[i].term
			if stemmer != nil {
				t := analysis.Token{Term: []byte(plain[i].term), Start: plain[i].start, End: plain[i].end, Position: plain[i].pos}
				if st := stemmer.Filter(analysis.TokenStream{&t}); len(st) == 1 {
					stems[i] = string(st[0].Term)
				}
			}
		}
		return stems[i]
	}
	out := sc.spans[:0]
	add := func(t plainWord) {
		if t.start >= 0 && t.end <= len(text) && t.start < t.end &&
			!slices.ContainsFunc(out, func(s [2]int) bool { return s[0] == t.start }) {
			out = append(out, [2]int{t.start, t.end})
		}
	}
	for _, mk := range marks {
		if mk.seq == nil {
			if mk.prefix == "" {
				continue
			}
			for _, t := range plain {
				if strings.HasPrefix(t.term, mk.prefix) {
					add(t)
				}
			}
			continue
		}
	next:
		for i := 0; i+len(mk.seq) <= len(plain); i++ {
			for j, w := range mk.seq {
				t := plain[i+j]
				if j > 0 && t.pos != plain[i+j-1].pos+1 {
					continue next
				}
				if !w.matches(t.term, func() string { return stemOf(i + j) }) {
					continue next
				}
			}
			for j := range mk.seq {
				add(plain[i+j])
			}
		}
	}
	slices.SortFunc(out, func(a, b [2]int) int { return a[0] - b[0] })
	sc.spans = out
	return out
}

// highlight fills Fragments and Terms of h from the words marks match.
// A long line's fragments are chosen by Bleve's highlighter.
func (mr *marker) highlight(sc *marksScratch, h *Hit, id string, marks []mark) {
	spans := mr.spans(sc, h.Text, h.Language, marks)
	if len(spans) == 0 {
		return
	}
	for _, s := range spans {
		if w := h.Text[s[0]:s[1]]; utf8.ValidString(w) && !slices.Contains(h.Terms, w) {
			h.Terms = append(h.Terms, w)
		}
	}
	if runesAtMost(h.Text, fragmentRunes) && utf8.ValidString(h.Text) {
		// A line shorter than a fragment is its own fragment: Bleve's
		// highlighter would return the same, at a sixth of a rare-word
		// search's time (pprof).
		h.Fragments = []Fragment{lineFragment(h.Text, spans)}
		return
	}
	// Bleve's highlighter, with the match, locations, document and text
	// buffer of sc: none outlives the call, whose fragments are new
	// strings.
	if sc.locs == nil {
		sc.locs = search.TermLocationMap{}
	}
	clear(sc.locs)
	sc.locBuf = slices.Grow(sc.locBuf[:0], len(spans))
	for i, s := range spans {
		w := h.Text[s[0]:s[1]]
		sc.locBuf = append(sc.locBuf, search.Location{Pos: uint64(i + 1), Start: uint64(s[0]), End: uint64(s[1])})
		sc.locs[w] = append(sc.locs[w], &sc.locBuf[len(sc.locBuf)-1])
	}
	if sc.dm == nil {
		sc.dm = &search.DocumentMatch{}
		sc.rec = &fragmentRecorder{}
		sc.hl = simplehl.NewHighlighter(simplefrag.NewFragmenter(fragmentRunes), sc.rec, fragmentCut)
	}
	dm := sc.dm
	dm.ID = id
	dm.Locations = search.FieldTermLocationMap{fieldText: sc.locs}
	clear(dm.Fragments)
	sc.text = append(sc.text[:0], h.Text...)
	doc := document.NewDocument(id)
	doc.AddField(document.NewTextField(fieldText, nil, sc.text))
	sc.rec.frags = sc.rec.frags[:0]
	sc.hl.BestFragmentsInField(dm, doc, fieldText, numFragments)
	if len(sc.rec.frags) > 0 {
		h.Fragments = slices.Clone(sc.rec.frags)
	}
}

// lineFragment is the whole of text as a fragment with spans marked
// (those that overlap one before them are left out, as Bleve's HTML
// formatter leaves them out).
func lineFragment(text string, spans [][2]int) Fragment {
	f := Fragment{Text: text, Marks: make([]Span, 0, len(spans))}
	cur := 0
	for _, s := range spans {
		if s[0] >= cur && s[1] <= len(text) {
			f.Marks = append(f.Marks, Span{s[0], s[1]})
			cur = s[1]
		}
	}
	return f
}

// fragmentCut marks where a fragment cuts its line, as Bleve's HTML
// highlighter does.
const fragmentCut = simplehl.DefaultSeparator

// fragmentRecorder is a fragment formatter for Bleve's simple highlighter
// that keeps each fragment it is given as a Fragment, marking what
// Bleve's HTML formatter would put in <mark>, instead of formatting it.
// The highlighter chooses and orders the fragments; it calls Format once
// for each, best first, and adds fragmentCut where the fragment does not
// reach an end of the line, as the recorder does too.
type fragmentRecorder struct {
	frags []Fragment
}

func (fr *fragmentRecorder) Format(f *highlight.Fragment, locs highlight.TermLocations) string {
	var b strings.Builder
	if f.Start != 0 {
		b.WriteString(fragmentCut)
	}
	shift := b.Len() - f.Start
	b.Write(f.Orig[f.Start:f.End])
	if f.End != len(f.Orig) {
		b.WriteString(fragmentCut)
	}
	frag := Fragment{Text: b.String()}
	cur := f.Start
	for _, l := range locs {
		// The HTML formatter's walk: overlapped locations skipped, none
		// past the fragment's end.
		if l == nil || !l.ArrayPositions.Equals(f.ArrayPositions) || l.Start < cur {
			continue
		}
		if l.End > f.End {
			break
		}
		frag.Marks = append(frag.Marks, Span{l.Start + shift, l.End + shift})
		cur = l.End
	}
	fr.frags = append(fr.frags, frag)
	return ""
}

// runesAtMost reports whether s has at most n runes.
func runesAtMost(s string, n int) bool {
	if len(s) <= n {
		return true
	}
	if len(s) > n*utf8.UTFMax {
		return false
	}
	return utf8.RuneCountInString(s) <= n
}

// numFragments is the most fragments a hit has.
const numFragments = 3

// fragmentRunes is the fragment size of Bleve's simple fragmenter, which
// the HTML highlighter uses.
const fragmentRunes = 200

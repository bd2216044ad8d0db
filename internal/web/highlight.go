package web

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// segment is a run of plain text, marked or not. Templates render a marked
// segment as <mark>{{.Text}}</mark>; the text is escaped like any other, so
// highlighting never needs template.HTML.
type segment struct {
	Text string
	Mark bool
	// Quote marks words an editorial note is about; Note is its id.
	Quote bool
	Note  string
}

// Limits on the ?hl= parameter.
const (
	maxHLTerms    = 20
	maxHLTermLen  = 64 // runes
	maxHLParamLen = 1024
)

// hlTerms splits a ?hl= value into the words to mark: split on spaces,
// punctuation trimmed from each end (a curly or straight quote around a
// word is not part of it), deduplicated by folded form.
func hlTerms(param string) []string {
	if len(param) > maxHLParamLen || !utf8.ValidString(param) {
		return nil
	}
	seen := map[string]bool{}
	var terms []string
	for _, f := range strings.Fields(param) {
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
		if f == "" || utf8.RuneCountInString(f) > maxHLTermLen {
			continue
		}
		k := fold(f)
		if seen[k] {
			continue
		}
		seen[k] = true
		terms = append(terms, f)
		if len(terms) == maxHLTerms {
			break
		}
	}
	return terms
}

// foldRune maps a rune to the form used for matching: lower case, with
// typographic apostrophes and quotes as their ASCII forms.
func foldRune(r rune) rune {
	switch r {
	case '\u2019', '\u2018', '\u02BC', '\uFF07', '\u201B', '`', '\u00B4':
		return '\''
	case '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB':
		return '"'
	}
	return unicode.ToLower(r)
}

func fold(s string) string { return strings.Map(foldRune, s) }

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// markTerms splits text into segments, marking every whole-word occurrence
// of a term, ignoring case and the kind of apostrophe or quote.
func markTerms(text string, terms []string) []segment {
	if len(terms) == 0 || text == "" {
		return []segment{{Text: text}}
	}
	// Folded runes of the text with the byte offset of each original rune.
	var runes []rune
	var offs []int
	for i, r := range text {
		runes = append(runes, foldRune(r))
		offs = append(offs, i)
	}
	offs = append(offs, len(text))

	type span struct{ start, end int } // rune indexes
	var spans []span
	for _, t := range terms {
		tr := []rune(fold(t))
		if len(tr) == 0 {
			continue
		}
		for i := 0; i+len(tr) <= len(runes); i++ {
			if !equalRunes(runes[i:i+len(tr)], tr) {
				continue
			}
			if i > 0 && isWordRune(runes[i-1]) && isWordRune(tr[0]) {
				continue
			}
			if end := i + len(tr); end < len(runes) && isWordRune(runes[end]) && isWordRune(tr[len(tr)-1]) {
				continue
			}
			spans = append(spans, span{i, i + len(tr)})
		}
	}
	if len(spans) == 0 {
		return []segment{{Text: text}}
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var segs []segment
	pos := 0 // rune index
	for _, sp := range spans {
		if sp.end <= pos {
			continue
		}
		start := max(sp.start, pos)
		if start > pos {
			segs = append(segs, segment{Text: text[offs[pos]:offs[start]]})
		}
		// Extend over overlapping spans.
		segs = appendMarked(segs, text[offs[start]:offs[sp.end]])
		pos = sp.end
	}
	if pos < len(runes) {
		segs = append(segs, segment{Text: text[offs[pos]:]})
	}
	return segs
}

// appendMarked adds a marked segment, merging it with a marked one just
// before it.
func appendMarked(segs []segment, s string) []segment {
	if n := len(segs); n > 0 && segs[n-1].Mark {
		segs[n-1].Text += s
		return segs
	}
	return append(segs, segment{Text: s, Mark: true})
}

func equalRunes(a, b []rune) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// parseFragment reads a highlighted fragment from the index (HTML: escaped
// text with <mark> and </mark>) into segments. Anything other than those two
// tags is kept as text and will be escaped again on output, so a fragment
// can never carry markup of its own, whatever produced it.
func parseFragment(frag string) []segment {
	frag = strings.ToValidUTF8(frag, "\uFFFD")
	var segs []segment
	mark := false
	for frag != "" {
		i := strings.Index(frag, "<")
		for i >= 0 && !strings.HasPrefix(frag[i:], "<mark>") && !strings.HasPrefix(frag[i:], "</mark>") {
			j := strings.Index(frag[i+1:], "<")
			if j < 0 {
				i = -1
				break
			}
			i += 1 + j
		}
		if i < 0 {
			segs = addText(segs, html.UnescapeString(frag), mark)
			break
		}
		segs = addText(segs, html.UnescapeString(frag[:i]), mark)
		if strings.HasPrefix(frag[i:], "<mark>") {
			mark = true
			frag = frag[i+len("<mark>"):]
		} else {
			mark = false
			frag = frag[i+len("</mark>"):]
		}
	}
	return segs
}

func addText(segs []segment, s string, mark bool) []segment {
	if s == "" {
		return segs
	}
	if n := len(segs); n > 0 && segs[n-1].Mark == mark {
		segs[n-1].Text += s
		return segs
	}
	return append(segs, segment{Text: s, Mark: mark})
}

// segmentsHTML writes segments as escaped HTML with <mark> elements: the
// form the API returns fragments in.
func segmentsHTML(segs []segment) string {
	var b strings.Builder
	for _, s := range segs {
		if s.Mark {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(s.Text))
			b.WriteString("</mark>")
		} else {
			b.WriteString(html.EscapeString(s.Text))
		}
	}
	return b.String()
}

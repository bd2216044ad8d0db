package web

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"backchannel/internal/fold"
	"backchannel/internal/index"
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
		k := foldText(f)
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
// apostrophes and double quotes of every kind (package fold) as their
// ASCII forms.
func foldRune(r rune) rune { return unicode.ToLower(fold.Quotes(r)) }

func foldText(s string) string { return strings.Map(foldRune, s) }

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
		tr := []rune(foldText(t))
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

// fragmentSegments splits a fragment from the index into segments, its
// marked words marked. Bytes that are not UTF-8 are shown as U+FFFD, and
// marks that touch are one segment.
func fragmentSegments(f index.Fragment) []segment {
	var segs []segment
	cur := 0
	for _, m := range f.Marks {
		if m.Start < cur || m.Start > m.End || m.End > len(f.Text) || !runeStart(f.Text, m.Start) || !runeStart(f.Text, m.End) {
			continue // not from the index: skip rather than fail a page
		}
		segs = addText(segs, strings.ToValidUTF8(f.Text[cur:m.Start], "\uFFFD"), false)
		segs = addText(segs, strings.ToValidUTF8(f.Text[m.Start:m.End], "\uFFFD"), true)
		cur = m.End
	}
	return addText(segs, strings.ToValidUTF8(f.Text[cur:], "\uFFFD"), false)
}

// runeStart reports whether s can be cut at byte i without cutting a
// rune in two.
func runeStart(s string, i int) bool { return i == len(s) || utf8.RuneStart(s[i]) }

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

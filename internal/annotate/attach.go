package annotate

import (
	"fmt"
	"strings"
	"unicode"

	"backchannel/internal/fold"
	"backchannel/internal/transcript"
)

// Attach checks every note against the call it annotates: a note whose
// line (or the end of its range) no longer exists, or whose quote is no
// longer in its line(s), is marked Detached and reported as an error at its
// heading. An attached note with a quote gets QuoteLine, QuoteStart and
// QuoteEnd. Attach may be called again with a corrected call.
func (ns *Notes) Attach(c *transcript.Call) transcript.Problems {
	var ps transcript.Problems
	for _, n := range ns.Notes {
		n.Detached, n.QuoteLine, n.QuoteStart, n.QuoteEnd = "", 0, 0, 0
		count := len(c.Lines)
		switch {
		case n.First > count:
			n.Detached = fmt.Sprintf("line %d no longer exists: the call has %d lines", n.First, count)
		case n.Last > count:
			n.Detached = fmt.Sprintf("the range ends at line %d, which no longer exists: the call has %d lines", n.Last, count)
		case n.Quote != "":
			for ln := n.First; ln <= n.Last; ln++ {
				l, _ := c.Line(ln)
				if start, end, ok := findQuote(l.Text, n.Quote); ok {
					n.QuoteLine, n.QuoteStart, n.QuoteEnd = ln, start, end
					break
				}
			}
			if n.QuoteLine == 0 {
				where := fmt.Sprintf("line %d", n.First)
				if n.Last > n.First {
					where = fmt.Sprintf("lines %d-%d", n.First, n.Last)
				}
				n.Detached = fmt.Sprintf("the quote %q is no longer in %s", n.Quote, where)
			}
		}
		if n.Detached != "" {
			ps = append(ps, transcript.Problem{Path: ns.Path, Line: n.SourceLine, Severity: transcript.Error,
				Message: fmt.Sprintf("note %d is detached: %s; re-anchor it to the corrected transcript (it is shown as detached until then)", n.N, n.Detached)})
		}
	}
	return ps
}

// foldRune maps a rune to the form used for matching quotes: apostrophes
// and double quotes of every kind (package fold) as their ASCII forms,
// every kind of space as a space. Case is kept: a quote is exact.
func foldRune(r rune) rune {
	if unicode.IsSpace(r) {
		return ' '
	}
	return fold.Quotes(r)
}

// findQuote finds quote in text, allowing only straight for curly
// apostrophes and quotes and one kind of space for another. It returns the
// byte offsets of the first match in text.
func findQuote(text, quote string) (start, end int, ok bool) {
	q := []rune(strings.Map(foldRune, quote))
	if len(q) == 0 {
		return 0, 0, false
	}
	var runes []rune
	var offs []int
	for i, r := range text {
		runes = append(runes, foldRune(r))
		offs = append(offs, i)
	}
	offs = append(offs, len(text))
	for i := 0; i+len(q) <= len(runes); i++ {
		match := true
		for j := range q {
			if runes[i+j] != q[j] {
				match = false
				break
			}
		}
		if match {
			return offs[i], offs[i+len(q)], true
		}
	}
	return 0, 0, false
}

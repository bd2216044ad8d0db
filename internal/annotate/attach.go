package annotate

import (
	"fmt"
	"strings"
	"unicode"

	"backchannel/internal/fold"
	"backchannel/internal/transcript"
)

// Attach checks every note against the call it annotates. A note with a
// quote that is no longer in its line(s) but is in exactly one line of the
// call follows its quote there, as a link follows a line across versions:
// it is shown on that line, marked ReanchoredFrom, and reported as a
// warning naming the line to write in the notes file. Otherwise a note
// whose line (or the end of its range) no longer exists, or whose quote is
// no longer in its line(s), is marked Detached and reported as an error at
// its heading. An attached note with a quote gets QuoteLine, QuoteStart and
// QuoteEnd. Attach may be called again with a corrected call.
func (ns *Notes) Attach(c *transcript.Call) transcript.Problems {
	var ps transcript.Problems
	for _, n := range ns.Notes {
		if n.writtenFirst == 0 {
			n.writtenFirst, n.writtenLast = n.First, n.Last
		}
		n.First, n.Last, n.ReanchoredFrom = n.writtenFirst, n.writtenLast, 0
		n.Detached, n.QuoteLine, n.QuoteStart, n.QuoteEnd = "", 0, 0, 0
		count := len(c.Lines)
		if n.Quote != "" && !quoteIn(c, n.First, n.Last, n.Quote) {
			if ln, ok := onlyLineWith(c, n.Quote); ok && ln+(n.Last-n.First) <= count {
				n.ReanchoredFrom = n.First
				n.Last, n.First = ln+(n.Last-n.First), ln
				ps = append(ps, transcript.Problem{Path: ns.Path, Line: n.SourceLine, Severity: transcript.Warning,
					Message: fmt.Sprintf("note %d is on L%d, but its quote %q is now in line %d only: it is shown there; write ## %s in the notes file", n.N, n.ReanchoredFrom, n.Quote, ln, n.Anchor())})
			}
		}
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

// quoteIn reports whether quote is in one of lines first to last of c.
func quoteIn(c *transcript.Call, first, last int, quote string) bool {
	for ln := first; ln <= last; ln++ {
		if l, ok := c.Line(ln); ok {
			if _, _, found := findQuote(l.Text, quote); found {
				return true
			}
		}
	}
	return false
}

// onlyLineWith returns the one line of c that holds quote, if exactly one
// does.
func onlyLineWith(c *transcript.Call, quote string) (int, bool) {
	found := 0
	for _, l := range c.Lines {
		if _, _, ok := findQuote(l.Text, quote); ok {
			if found != 0 {
				return 0, false
			}
			found = l.N
		}
	}
	return found, found != 0
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

package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"
)

// linesPattern matches "L7" and "L7-L9".
var linesPattern = regexp.MustCompile(`^L([0-9]{1,7})(?:-L([0-9]{1,7}))?$`)

// contextLines is how many lines around a line or range its page shows.
const contextLines = 2

// maxDescription caps meta descriptions, in runes.
const maxDescription = 400

type linePage struct {
	basePage
	Call      callView
	Lines     []lineView // the range plus context, Selected marks the range
	First     int
	Last      int
	Range     bool
	Quote     string // the quote as plain text with speaker, date and call
	Earlier   int    // the line before the shown ones, 0 if none
	Later     int    // the line after the shown ones, 0 if none
	CallLines int
	Cite      citation
	Notes     headnoteView // fidelity; the headnote itself stays on the call page
}

// handleLines serves /calls/{slug}/L{n} and /calls/{slug}/L{a}-L{b}.
func (s *Server) handleLines(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	c, err := findCall(a, chi.URLParam(r, "slug"))
	if err != nil {
		return err
	}
	m := linesPattern.FindStringSubmatch(chi.URLParam(r, "lines"))
	if m == nil {
		return notFound("There is no line at this address.")
	}
	first, _ := strconv.Atoi(m[1])
	last := first
	if m[2] != "" {
		last, _ = strconv.Atoi(m[2])
	}
	if n := a.LineCount(c); first < 1 || last < first || last > n {
		return notFound(fmt.Sprintf("This call has lines 1 to %d only.", n))
	}
	if c, err = withLines(a, c); err != nil {
		return err
	}
	cv, err := newCallView(a, c)
	if err != nil {
		return err
	}
	from, to := max(1, first-contextLines), min(len(c.Lines), last+contextLines)
	p := linePage{Call: cv, First: first, Last: last, Range: last > first, CallLines: len(c.Lines)}
	var quote []string
	ns := s.notes(c.Slug)
	for n := from; n <= to; n++ {
		l, _ := c.Line(n)
		v := newLineView(c, l, nil)
		annotateLine(&v, c, l, ns, nil, false)
		v.Selected = n >= first && n <= last
		if v.Selected {
			if v.Direction {
				quote = append(quote, v.Plain())
			} else {
				quote = append(quote, v.SpeakerName+": “"+v.Plain()+"”")
			}
		}
		p.Lines = append(p.Lines, v)
	}
	if from > 1 {
		p.Earlier = from - 1
	}
	if to < len(c.Lines) {
		p.Later = to + 1
	}
	label := "Line " + strconv.Itoa(first)
	path := callURL(c.Slug) + "/L" + strconv.Itoa(first)
	if p.Range {
		label = fmt.Sprintf("Lines %d–%d", first, last)
		path += "-L" + strconv.Itoa(last)
	}
	p.Quote = strings.Join(quote, " ") + " — " + joinNonEmpty(", ", cv.Title, c.Date)
	p.Cite = citeLines(s.baseURL(r), c, first, last, strings.Join(quote, " "))
	if ns != nil {
		p.Notes.Fidelity = ns.Fidelity
	}
	p.basePage = basePage{
		Title:       label + " of " + cv.Title,
		Description: truncate(p.Quote, maxDescription),
		Canonical:   path,
		OGType:      "article",
		Nav:         "calls",
	}
	return s.render(w, r, http.StatusOK, "line.html", &p)
}

// truncate cuts s to n runes, marking the cut with " […]".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + " […]"
}

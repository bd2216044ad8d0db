package web

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
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
	Version   *versionView // the version shown; nil when none are kept
	Self      string       // the call as shown: its version's path for an older one
	Lines     []lineView   // the line or range, with their notes; Selected is set
	Context   []lineView   // the range and the lines around it; Selected marks the range
	First     int
	Last      int
	Range     bool
	Quote     string // the quote as plain text, with speaker, call, date and excerpt note
	Earlier   int    // the line before the context, 0 if none
	Later     int    // the line after the context, 0 if none
	CallLines int
	Cite      citation
	Notes     headnoteView // fidelity; the headnote itself stays on the call page
}

// handleLines serves /calls/{slug}/L{n} and /calls/{slug}/L{a}-L{b}, and
// the same of a version, /calls/{slug}@{version}/L{n}: the line or range
// first, with its notes (or, for an older version, where each line is
// now), quote and citation, then the lines around it in the call.
func (s *Server) handleLines(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	ref := parseCallRef(chi.URLParam(r, "slug"))
	if ref.Ext != "" {
		return notFound("There is no line at this address.")
	}
	var sc *shownCall
	if ref.Version != "" {
		if sc, err = s.showCall(a, ref); err != nil {
			return err
		}
	}
	var c *transcript.Call
	if sc != nil {
		c = sc.Call
	} else if c, err = findCall(a, ref.Slug); err != nil {
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
	if sc == nil {
		if sc, err = s.showCall(a, ref); err != nil {
			return err
		}
		c = sc.Call
	}
	cv, err := newCallView(a, c)
	if err != nil {
		return err
	}
	p := linePage{Call: cv, Version: sc.Version, Self: callURL(c.Slug), First: first, Last: last, Range: last > first, CallLines: len(c.Lines)}
	if sc.Now != nil {
		p.Self = sc.Version.URL
	}
	var ns *annotate.Notes
	if sc.Now == nil { // the editor's notes are on the call as it is now
		ns = s.pageNotes(r, a, c.Slug)
	}
	shown := map[string]bool{}
	for n := first; n <= last; n++ {
		l, _ := c.Line(n)
		v := newLineView(c, l, nil)
		annotateLine(&v, c, l, ns, nil, false)
		// Every note about a line of the page is shown, once, beside the
		// first of its lines on the page (a range note may start before
		// it), and the line's links to it stay on the page.
		v.Notes = nil
		for _, note := range ns.Covering(n) {
			if !shown[note.ID()] {
				shown[note.ID()] = true
				v.Notes = append(v.Notes, newNoteView(c.Slug, note, false))
			}
		}
		for i := range v.NoteRefs {
			v.NoteRefs[i].URL = "#" + v.NoteRefs[i].ID
		}
		v.Selected = true
		v.Now = sc.nowOf(n)
		p.Lines = append(p.Lines, v)
	}
	showGaps(c, p.Lines)
	if p.Lines[0].GapBefore {
		// The range's first line starts it: an omission before it belongs
		// to the context below, not to the range.
		p.Lines[0].GapBefore = false
	}
	p.Lines[len(p.Lines)-1].GapAfter = false
	p.Context, p.Earlier, p.Later = contextOf(c, first, last)
	if sc.Now != nil {
		for i := range p.Context {
			p.Context[i].URL = p.Self + "#" + p.Context[i].Anchor
		}
	}
	for _, v := range p.Context {
		p.Call.Gaps = p.Call.Gaps || v.GapBefore || v.GapAfter
	}
	quote := quoteLines(c, p.Lines)
	label := "Line " + strconv.Itoa(first)
	path := callURL(c.Slug) + "/L" + strconv.Itoa(first)
	if p.Range {
		label = fmt.Sprintf("Lines %d–%d", first, last)
		path += "-L" + strconv.Itoa(last)
	}
	p.Quote = joinNonEmpty(" ", quote+" — "+joinNonEmpty(", ", cv.Title, cv.DateLong), cv.ExcerptNote)
	p.Cite = citeLines(s.baseURL(r), c, sc.Version, first, last, quote)
	if ns != nil {
		p.Notes.Fidelity = ns.Fidelity
	}
	p.basePage = basePage{
		Title:       label + " of " + cv.Title,
		Description: truncateQuote(quote, " — "+joinNonEmpty(", ", cv.Title, cv.DateLong)+" "+cv.ExcerptNote, maxDescription),
		Canonical:   path,
		OGType:      "article",
		Nav:         "calls",
	}
	return s.render(w, r, http.StatusOK, "line.html", &p)
}

// quoteLines is the plain-text quote of the lines vs: each turn as
// Speaker: “words”, each direction as it is, with […] between two lines
// the file marks an omission between, or " / " between any two when their
// order is not known (as app.js's Copy quote writes it).
func quoteLines(c *transcript.Call, vs []lineView) string {
	var b strings.Builder
	for i, v := range vs {
		if i > 0 {
			b.WriteString(" ")
			if c.Order == transcript.OrderUnknown {
				b.WriteString("/ ")
			} else if l, ok := c.Line(v.N); ok && l.GapBefore {
				b.WriteString("[…] ")
			}
		}
		if v.Direction || v.SpeakerName == "" {
			b.WriteString(v.Plain())
		} else {
			b.WriteString(v.SpeakerName + ": “" + v.Plain() + "”")
		}
	}
	return b.String()
}

// contextOf returns the lines around first..last (contextLines either
// side) with the range marked Selected and the omissions between them
// shown, and the lines just outside them (0 when none). A call whose
// lines' order is not known has no lines "around" a line: only the range.
func contextOf(c *transcript.Call, first, last int) (vs []lineView, earlier, later int) {
	from, to := max(1, first-contextLines), min(len(c.Lines), last+contextLines)
	if c.Order == transcript.OrderUnknown {
		from, to = first, last
	}
	for n := from; n <= to; n++ {
		l, _ := c.Line(n)
		v := newLineView(c, l, nil)
		v.Selected = n >= first && n <= last
		vs = append(vs, v)
	}
	showGaps(c, vs)
	if from > 1 && c.Order != transcript.OrderUnknown {
		earlier = from - 1
	}
	if to < len(c.Lines) && c.Order != transcript.OrderUnknown {
		later = to + 1
	}
	return vs, earlier, later
}

// truncateQuote is quote followed by tail (where it is from), cut so that
// the whole is at most n runes: the quote is shortened, never the tail,
// so a shared quote always says where it is from.
func truncateQuote(quote, tail string, n int) string {
	tail = strings.TrimRight(tail, " ")
	return truncate(quote, max(n-utf8.RuneCountInString(tail), 40)) + tail
}

// truncate cuts s to n runes, marking the cut with " […]".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n])) + " […]"
}

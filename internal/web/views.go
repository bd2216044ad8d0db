package web

import (
	"html/template"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"backchannel/internal/markdown"
	"backchannel/internal/transcript"
)

// Patterns for path parameters. A value that does not match is a 404
// before it is looked up; a value that matches is only ever compared with
// the archive's own slugs and ids.
var (
	slugPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9])?$`)
	idPattern   = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9_-]{0,126}[a-z0-9])?$`)
	langPattern = regexp.MustCompile(`^[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*$`)
)

// participantView is a participant as pages show it.
type participantView struct {
	ID, Name, Role string
	Labels         []string
}

// callView is a call's header as pages show it. Dates are ISO
// (YYYY-MM-DD) for <time datetime>; the Long forms are for reading.
type callView struct {
	Slug, Title, Date string
	DateLong          string // "October 14, 2025"
	Lang              string // BCP 47 tag for lang=, "" if the header's is unusable
	Completeness      transcript.Completeness
	Excerpt           bool
	OrderUnknown      bool // the order in which the lines were spoken is not known
	Gaps              bool // the page shows omission markers (set by pages that show lines)
	Source            transcript.Source
	PublishedLong     string // Source.Published as "November 25, 2025"
	SourceURL         string // Source.URL when it is an http(s) URL
	// ExcerptNote is "(excerpt; source: Bloomberg, 2025-11-25)" for an
	// excerpt, "" otherwise: what every quote of one of its lines carries.
	ExcerptNote  string
	Participants []participantView
	Summary      template.HTML // sanitized by markdown.Render
	LineCount    int
	SHA256       string
	Media        string
	Record       transcript.Record // what the document says about itself
}

func newCallView(a *transcript.Archive, c *transcript.Call) (callView, error) {
	v := callView{
		Slug:          c.Slug,
		Title:         c.Title,
		Date:          c.Date,
		DateLong:      longDate(c.Date),
		Completeness:  c.Completeness,
		Excerpt:       c.Completeness == transcript.Excerpt,
		OrderUnknown:  c.Order == transcript.OrderUnknown,
		Source:        c.Source,
		PublishedLong: longDate(c.Source.Published),
		SourceURL:     httpURL(c.Source.URL),
		ExcerptNote:   excerptNote(c),
		LineCount:     a.LineCount(c),
		SHA256:        c.SHA256,
		Media:         httpURL(c.Media),
		Record:        c.Record,
	}
	if v.Title == "" {
		v.Title = c.Slug
	}
	if langPattern.MatchString(c.Language) {
		v.Lang = c.Language
	}
	for _, p := range c.Participants {
		v.Participants = append(v.Participants, participantView{ID: p.ID, Name: p.Name, Role: p.Role, Labels: p.Labels})
	}
	if strings.TrimSpace(c.Summary) != "" {
		h, err := markdown.Render([]byte(c.Summary))
		if err != nil {
			return v, err
		}
		v.Summary = h
	}
	return v, nil
}

// httpURL returns u if it is an absolute http or https URL, else "".
func httpURL(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return ""
	}
	return p.String()
}

// lineView is one line as pages show it. Links are computed once here
// rather than by template functions: a long call renders thousands of lines.
type lineView struct {
	Slug        string
	N           int
	Direction   bool
	SpeakerID   string // "" for a direction or an unknown speaker
	SpeakerName string
	SpeakerURL  string // "" when SpeakerID is ""
	Paragraphs  [][]segment
	Time        string // "m:ss", "" when unknown
	Marking     string // the line's portion mark in the record, "S/NF"
	Selected    bool   // inside the range a line page is about
	// GapBefore shows an omission marker before the line: the file marks
	// words left out there, and the page shows the lines in order. Pages
	// set it (see showGaps); a call whose order is not known shows none.
	GapBefore bool
	GapAfter  bool       // an omission marker after the line (the last shown)
	Anchor    string     // the line's id on its call page, "L7"
	URL       string     // canonical link, /calls/{slug}#L7
	Permalink string     // the line's own page, /calls/{slug}/L7
	Notes     []noteView // editorial notes shown beside the line
	NoteRefs  []noteRef  // links to every note about the line
	// Now, on a page of an older version, says where the line is in the
	// current one.
	Now *nowView
}

// Plain is the line's text as one string (for quotes in meta tags).
func (l lineView) Plain() string {
	var ps []string
	for _, p := range l.Paragraphs {
		var b strings.Builder
		for _, s := range p {
			b.WriteString(s.Text)
		}
		ps = append(ps, b.String())
	}
	return strings.Join(ps, " ")
}

func newLineView(c *transcript.Call, l transcript.Line, terms []string) lineView {
	n := strconv.Itoa(l.N)
	v := lineView{
		Slug:      c.Slug,
		N:         l.N,
		Direction: l.Kind == transcript.Direction,
		Time:      timecode(l.Time),
		Marking:   l.Marking,
		Anchor:    "L" + n,
		URL:       callURL(c.Slug) + "#L" + n,
		Permalink: callURL(c.Slug) + "/L" + n,
	}
	if !v.Direction && l.Speaker != "" {
		v.SpeakerName = l.Speaker
		if p, ok := c.Participant(l.Speaker); ok {
			v.SpeakerName = p.Name
			if idPattern.MatchString(p.ID) {
				v.SpeakerID = p.ID
				v.SpeakerURL = speakerURL(p.ID)
			}
		}
	}
	for _, p := range l.Paragraphs() {
		v.Paragraphs = append(v.Paragraphs, markTerms(p, terms))
	}
	return v
}

// withLines returns c with its lines, which an archive read from a catalog
// reads from the call's file on demand (transcript.Archive.WithLines). A
// call whose file changed since the archive was read cannot be shown until
// it is read again (at once with --watch, else at the next start).
func withLines(a *transcript.Archive, c *transcript.Call) (*transcript.Call, error) {
	full, err := a.WithLines(c)
	if err != nil {
		return nil, &httpError{status: http.StatusServiceUnavailable,
			msg: "This transcript changed on disk since the archive was loaded. It is shown again once the archive is reloaded.", err: err}
	}
	return full, nil
}

// newLineViews returns the views of the lines of c, which must have its
// lines (see withLines), with their omission markers.
func newLineViews(c *transcript.Call, terms []string) []lineView {
	out := make([]lineView, 0, len(c.Lines))
	for _, l := range c.Lines {
		out = append(out, newLineView(c, l, terms))
	}
	showGaps(c, out)
	return out
}

// showGaps marks the omissions between the lines vs of c, which are
// consecutive lines of c: before each line the file marks one before, and
// after the last one if the file marks one there or shows no line after
// it. A call whose lines' order is not known shows no markers: a marker
// between two lines would say that one came after the other.
func showGaps(c *transcript.Call, vs []lineView) {
	if c.Order == transcript.OrderUnknown || len(vs) == 0 {
		return
	}
	for i := range vs {
		l, ok := c.Line(vs[i].N)
		if !ok {
			continue
		}
		vs[i].GapBefore = l.GapBefore
		if i == len(vs)-1 {
			vs[i].GapAfter = l.GapAfter
			if next, ok := c.Line(l.N + 1); ok && next.GapBefore {
				vs[i].GapAfter = true
			}
		}
	}
}

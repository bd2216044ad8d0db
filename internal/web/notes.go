package web

import (
	"html/template"
	"sort"
	"strconv"
	"strings"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// NotesProvider gives the editorial notes (Config.Notes): the notes on the
// call with the given slug in the build of archive a (one that
// Library.Archive returned), attached to its lines; nil when the call has
// none. Notes once returned are not
// changed: an edit returns new ones, which is how a cached page learns that
// its notes changed.
type NotesProvider interface {
	Notes(a *transcript.Archive, slug string) *annotate.Notes
}

// AnnotatedLister is a NotesProvider that can also list the calls of
// archive a that have notes, in archive order ([] when none). A search
// then asks for those calls' notes only, instead of asking for every
// call's (a lookup per call of the archive on every search: 6% of a
// distinct rare-word search's CPU at 1M lines, pprof, growing with the
// archive).
type AnnotatedLister interface {
	Annotated(a *transcript.Archive) []string
}

// annotated lists the calls of a with notes, or returns nil when the
// provider cannot say (then every call is asked).
func (s *Server) annotated(a *transcript.Archive) []string {
	if l, ok := s.notesP.(AnnotatedLister); ok {
		return l.Annotated(a)
	}
	return nil
}

// notes returns the notes on a call, or nil. Pages that may be cached
// read them through pageNotes instead.
func (s *Server) notes(a *transcript.Archive, slug string) *annotate.Notes {
	if s.notesP == nil {
		return nil
	}
	return s.notesP.Notes(a, slug)
}

// noteView is a note as pages show it.
type noteView struct {
	ID       string // "note-3"
	N        int
	Label    string // "Line 2", "Lines 1–3"
	LineURL  string // #L2 or #L1-L3 on the call page
	Quote    string
	HTML     template.HTML // sanitized by markdown.Render (package annotate)
	Detached string        // why it is detached; "" when attached
	// Reanchored is "re-anchored from L2" for a note shown on the line
	// that now holds its quote; "" when it is where the notes file says.
	Reanchored string
}

func newNoteView(slug string, n *annotate.Note, onCallPage bool) noteView {
	v := noteView{ID: n.ID(), N: n.N, Quote: n.Quote, HTML: n.HTML, Detached: n.Detached}
	if n.ReanchoredFrom > 0 {
		v.Reanchored = "re-anchored from L" + strconv.Itoa(n.ReanchoredFrom)
	}
	frag := "#" + n.Anchor()
	v.Label = "Line " + strconv.Itoa(n.First)
	if n.Last > n.First {
		v.Label = "Lines " + strconv.Itoa(n.First) + "–" + strconv.Itoa(n.Last)
	}
	v.LineURL = frag
	if !onCallPage {
		v.LineURL = callURL(slug) + frag
	}
	return v
}

// noteRef links a line to a note about it.
type noteRef struct {
	ID  string
	N   int
	URL string // #note-3 or /calls/{slug}#note-3
}

// annotateLine adds the notes on line l to v: the notes that start at it
// (shown beside it), links to every note that covers it, and the notes'
// quotes highlighted in its text. onCallPage says whether note links stay
// on the page (the call page) or go to the call page (a line page that does
// not show the note itself).
func annotateLine(v *lineView, c *transcript.Call, l transcript.Line, ns *annotate.Notes, terms []string, onCallPage bool) {
	if ns == nil {
		return
	}
	for _, n := range ns.OnLine(l.N) {
		v.Notes = append(v.Notes, newNoteView(c.Slug, n, onCallPage))
	}
	for _, n := range ns.Covering(l.N) {
		ref := noteRef{ID: n.ID(), N: n.N, URL: "#" + n.ID()}
		if !onCallPage {
			ref.URL = callURL(c.Slug) + ref.URL
		}
		v.NoteRefs = append(v.NoteRefs, ref)
	}
	var spans []quoteSpan
	for _, n := range ns.Notes {
		if n.Detached == "" && n.QuoteLine == l.N && n.QuoteEnd > n.QuoteStart {
			spans = append(spans, quoteSpan{n.QuoteStart, n.QuoteEnd, n.ID()})
		}
	}
	if len(spans) > 0 {
		v.Paragraphs = quoteParagraphs(l.Text, spans, terms)
	}
}

type quoteSpan struct {
	start, end int // byte offsets in the line's Text
	note       string
}

// quoteParagraphs splits a line's text into paragraphs of segments with
// the quoted spans marked as quotes, and the ?hl= terms marked inside and
// around them. Overlapping quotes: the first (by position) wins.
func quoteParagraphs(text string, spans []quoteSpan, terms []string) [][]segment {
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	var out [][]segment
	off := 0
	for _, para := range strings.Split(text, "\n\n") {
		pStart, pEnd := off, off+len(para)
		off = pEnd + 2
		var segs []segment
		pos := pStart
		for _, sp := range spans {
			s, e := max(sp.start, pos), min(sp.end, pEnd)
			if s >= e {
				continue
			}
			if s > pos {
				segs = append(segs, markTerms(text[pos:s], terms)...)
			}
			for _, q := range markTerms(text[s:e], terms) {
				q.Quote, q.Note = true, sp.note
				segs = append(segs, q)
			}
			pos = e
		}
		if pos < pEnd || len(segs) == 0 {
			segs = append(segs, markTerms(text[pos:pEnd], terms)...)
		}
		out = append(out, segs)
	}
	return out
}

// headnoteView is a call's headnote and record facts from its notes file.
type headnoteView struct {
	HTML        template.HTML // sanitized by markdown.Render (package annotate)
	Fidelity    string
	Corrections []correctionView
	Orphans     []noteView // detached notes whose line no longer exists
	Count       int        // number of notes
}

type correctionView struct {
	Date string
	HTML template.HTML // sanitized by markdown.Render (package annotate)
}

func newHeadnoteView(c *transcript.Call, ns *annotate.Notes) headnoteView {
	var v headnoteView
	if ns == nil {
		return v
	}
	v.HTML, v.Fidelity, v.Count = ns.HeadnoteHTML, ns.Fidelity, len(ns.Notes)
	for _, cr := range ns.Corrections {
		v.Corrections = append(v.Corrections, correctionView{Date: cr.Date, HTML: cr.HTML})
	}
	for _, n := range ns.Orphans(len(c.Lines)) {
		nv := newNoteView(c.Slug, n, true)
		nv.LineURL = "" // the line is gone: no link to it
		v.Orphans = append(v.Orphans, nv)
	}
	return v
}

// apiNotes are a call's editorial notes in the JSON API. Text fields are
// the Markdown source as written.
type apiNotes struct {
	Headnote    string          `json:"headnote"`
	Fidelity    string          `json:"fidelity"`
	Corrections []apiCorrection `json:"corrections"`
	Notes       []apiNote       `json:"notes"`
}

type apiCorrection struct {
	Date string `json:"date"`
	Note string `json:"note"`
}

type apiNote struct {
	ID       string `json:"id"`
	N        int    `json:"n"`
	First    int    `json:"first"`
	Last     int    `json:"last"`
	Quote    string `json:"quote,omitempty"`
	Text     string `json:"text"`
	URL      string `json:"url"`                // /calls/{slug}#note-3
	Detached string `json:"detached,omitempty"` // why, when it no longer fits the transcript
}

func newAPINotes(slug string, ns *annotate.Notes) *apiNotes {
	if ns == nil {
		return nil
	}
	out := &apiNotes{Headnote: ns.Headnote, Fidelity: ns.Fidelity, Corrections: []apiCorrection{}, Notes: []apiNote{}}
	for _, c := range ns.Corrections {
		out.Corrections = append(out.Corrections, apiCorrection{Date: c.Date, Note: c.Text})
	}
	for _, n := range ns.Notes {
		out.Notes = append(out.Notes, apiNote{ID: n.ID(), N: n.N, First: n.First, Last: n.Last, Quote: n.Quote,
			Text: n.Body, URL: callURL(slug) + "#" + n.ID(), Detached: n.Detached})
	}
	return out
}

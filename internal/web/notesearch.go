package web

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"backchannel/internal/transcript"
)

// Limits on the notes shown on a search page.
const (
	maxNoteHits    = 50
	noteExcerptLen = 320 // runes of a note's text shown in a result
)

// noteHitView is an editorial note (or a headnote) that matches a search.
type noteHitView struct {
	CallTitle string
	Slug      string
	Date      string
	Label     string // "Note 3 on line 2", "Editor’s note"
	URL       string // /calls/{slug}#note-3 or #headnote
	LineURL   string // /calls/{slug}#L2; "" for a headnote
	LineLabel string // "line 2", "lines 1–3"
	Detached  bool
	Excerpt   []segment
}

// searchNotes runs the note search of a search page: the query text
// without in:notes, and the form's filters.
func (s *Server) searchNotes(a *transcript.Archive, p searchParams, text string) []noteHitView {
	if s.notesP == nil || p.Page > 1 {
		return nil
	}
	var out []noteHitView
	for _, h := range matchNotes(a, s.notesFunc(a), s.annotated(a), text, p.query()) {
		v := noteHitView{Slug: h.Notes.Slug, CallTitle: h.Notes.Slug,
			URL: callURL(h.Notes.Slug) + "#headnote", Label: "Editor’s note"}
		// The call by its slug (an index made once), not a map of every
		// call's date made on every search: that map was 12% of the CPU of
		// a rare-word search page at 1M lines (issue 13, pprof), for pages
		// that mostly have no note hit at all.
		if c, ok := a.Call(h.Notes.Slug); ok {
			v.Date = c.Date
			if c.Title != "" {
				v.CallTitle = c.Title
			}
		}
		if n := h.Note; n != nil {
			nv := newNoteView(h.Notes.Slug, n, false)
			v.URL = callURL(h.Notes.Slug) + "#" + n.ID()
			v.LineURL = nv.LineURL
			v.Label = "Note " + strconv.Itoa(n.N)
			v.LineLabel = strings.ToLower(nv.Label[:1]) + nv.Label[1:]
			v.Detached = n.Detached != ""
		}
		v.Excerpt = markTerms(excerpt(h.Text, h.Terms), hlTerms(strings.Join(h.Terms, " ")))
		out = append(out, v)
	}
	return out
}

// excerpt cuts text to about noteExcerptLen runes around the first of
// terms, marking cuts with "…".
func excerpt(text string, terms []string) string {
	text = strings.Join(strings.Fields(text), " ")
	if utf8.RuneCountInString(text) <= noteExcerptLen {
		return text
	}
	rs := []rune(text)
	start := 0
	if len(terms) > 0 {
		folded := []rune(foldText(text))
		if i := strings.Index(string(folded), foldText(terms[0])); i >= 0 && len(folded) == len(rs) {
			start = max(0, utf8.RuneCountInString(string(folded)[:i])-noteExcerptLen/4)
		}
	}
	end := min(len(rs), start+noteExcerptLen)
	out := strings.TrimSpace(string(rs[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(rs) {
		out += "…"
	}
	return out
}

package web

import (
	"strings"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/query"
	"backchannel/internal/transcript"
)

// NoteHit is an editorial note (or a call's headnote) that matches a
// search, in the "notes" list of /api/v1/search.
type NoteHit struct {
	Call string `json:"call"`
	// Note is the note's id ("note-3"), or "headnote" for the call's
	// headnote; N is the note's number (0 for the headnote) and First and
	// Last the lines it is about (null for the headnote).
	Note  string `json:"note"`
	N     int    `json:"n"`
	First *int   `json:"first"`
	Last  *int   `json:"last"`
	// Text is the note as written (Markdown source); Fragments are an
	// excerpt of its plain text with the matched words in <mark>, as
	// escaped HTML.
	Text      string   `json:"text"`
	Fragments []string `json:"fragments"`
	URL       string   `json:"url"` // /calls/{slug}#note-3 or #headnote
}

// matchNotes runs a note search: the query text (without in:notes) and the
// filters of q, over the notes of every call of a, at most maxNoteHits.
// slugs are the calls that have notes, in archive order; nil: every call
// of a is asked.
func matchNotes(a *transcript.Archive, notes func(slug string) *annotate.Notes, slugs []string, text string, q index.Query) []annotate.Hit {
	if notes == nil {
		return nil
	}
	pq := query.Parse(text)
	if q.Speaker != "" {
		pq.Speakers = append(pq.Speakers, q.Speaker)
	}
	if q.Call != "" {
		pq.Calls = append(pq.Calls, q.Call)
	}
	if q.After != "" {
		pq.After = q.After
	}
	if q.Before != "" {
		pq.Before = q.Before
	}
	var all []*annotate.Notes
	if slugs == nil {
		for _, c := range a.Calls {
			if ns := notes(c.Slug); ns != nil {
				all = append(all, ns)
			}
		}
	} else {
		for _, slug := range slugs {
			if ns := notes(slug); ns != nil {
				all = append(all, ns)
			}
		}
	}
	date := func(slug string) string {
		if c, ok := a.Call(slug); ok {
			return c.Date
		}
		return ""
	}
	return annotate.Search(all, pq, date, maxNoteHits)
}

// SearchNotes returns the notes that match q, for the "notes" of a
// SearchJSON: on the first page only, so that a script following the
// "next" links sees each note once. notes gives a call's notes (nil: the
// archive has none). It also reports whether q asks for notes only
// (in:notes), in which case lines are not to be searched.
func SearchNotes(a *transcript.Archive, notes func(slug string) *annotate.Notes, q index.Query) (hits []NoteHit, notesOnly bool) {
	return searchNotesIn(a, notes, nil, q)
}

// searchNotesIn is SearchNotes asking only the calls in slugs (nil: all).
func searchNotesIn(a *transcript.Archive, notes func(slug string) *annotate.Notes, slugs []string, q index.Query) (hits []NoteHit, notesOnly bool) {
	text, only := annotate.NotesOnly(q.Text)
	hits = []NoteHit{}
	if a == nil || q.Page > 1 {
		return hits, only
	}
	for _, h := range matchNotes(a, notes, slugs, text, q) {
		v := NoteHit{Call: h.Notes.Slug, Note: "headnote", Text: h.Notes.Headnote,
			URL: callURL(h.Notes.Slug) + "#headnote", Fragments: []string{}}
		if n := h.Note; n != nil {
			first, last := n.First, n.Last
			v.Note, v.N, v.First, v.Last, v.Text = n.ID(), n.N, &first, &last, n.Body
			v.URL = callURL(h.Notes.Slug) + "#" + n.ID()
		}
		ex := excerpt(h.Text, h.Terms)
		v.Fragments = append(v.Fragments, segmentsHTML(markTerms(ex, hlTerms(strings.Join(h.Terms, " ")))))
		hits = append(hits, v)
	}
	return hits, only
}

// notesFunc is the server's notes lookup in the build of archive a, for
// SearchNotes, or nil when the library has no notes.
func (s *Server) notesFunc(a *transcript.Archive) func(string) *annotate.Notes {
	if s.notesP == nil {
		return nil
	}
	return func(slug string) *annotate.Notes { return s.notesP.Notes(a, slug) }
}

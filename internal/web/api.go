package web

import (
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// SearchJSON is the JSON body of /api/v1/search. cmd's `search --json`
// prints the same value, built with SearchResponse.
type SearchJSON struct {
	Total    uint64       `json:"total"`
	Hits     []SearchHit  `json:"hits"`
	Facets   SearchFacets `json:"facets"`
	Query    string       `json:"query"`    // how the query was read
	Fallback bool         `json:"fallback"` // not every word matched
	// Next and Previous are the URLs of the neighbouring pages of hits,
	// or null at either end. SearchResponse makes them paths of
	// /api/v1/search; the server makes them absolute.
	Next     *string `json:"next"`
	Previous *string `json:"previous"`
	// Notes are the editorial notes that match the query (page 1 only;
	// every hit is a note with in:notes). Never null.
	Notes []NoteHit `json:"notes"`
}

// SearchHit is one hit in a SearchJSON.
type SearchHit struct {
	Call         string      `json:"call"`
	Line         int         `json:"line"`
	Speaker      *APISpeaker `json:"speaker"` // null for a stage direction
	Text         string      `json:"text"`
	Fragments    []string    `json:"fragments"` // escaped HTML with <mark>; [] when only the name matched
	URL          string      `json:"url"`       // canonical /calls/{slug}#L{n}
	HighlightURL string      `json:"highlight_url"`
	Date         string      `json:"date"`
	Time         *float64    `json:"time,omitempty"` // seconds into the call, when known
	// Marking is the portion mark the record gives the line ("S/NF").
	Marking string `json:"marking,omitempty"`
	// The call's title, completeness ("excerpt", "complete" or null) and
	// source, so that a hit needs no second request.
	CallTitle    string             `json:"call_title"`
	Completeness *string            `json:"completeness"`
	Source       *transcript.Source `json:"source"` // null when the call is not in the archive
	// Permalink is the line's own page, /calls/{slug}/L{n}; absolute when
	// the server has a base URL.
	Permalink string `json:"permalink"`
	// Version is the version of the call the hit is a line of (search
	// covers the current versions): /calls/{call}@{version}/L{line} keeps
	// the hit's words whatever the call becomes.
	Version string `json:"version,omitempty"`
}

// APISpeaker names the speaker of a hit.
type APISpeaker struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// SearchFacets are the facet counts of a SearchJSON.
type SearchFacets struct {
	Speaker  []SpeakerFacet  `json:"speaker"`
	Call     []CallFacet     `json:"call"`
	Language []LanguageFacet `json:"language"`
}

// SpeakerFacet counts hits by speaker.
type SpeakerFacet struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Count int    `json:"count"`
}

// CallFacet counts hits by call.
type CallFacet struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Count int    `json:"count"`
}

// LanguageFacet counts hits by the call's language (a BCP 47 code).
type LanguageFacet struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// SearchResponse shapes the result of query q for the API, taking names,
// titles, dates and times from the archive a (which may be nil: the hit's
// own fields are used then). Every list is [] rather than null when empty.
// Fragments are written as escaped HTML with <mark> around the matched
// words.
func SearchResponse(a *transcript.Archive, q index.Query, res *index.Result) SearchJSON {
	if res == nil {
		res = &index.Result{}
	}
	out := SearchJSON{
		Total:    res.Total,
		Hits:     []SearchHit{},
		Facets:   SearchFacets{Speaker: []SpeakerFacet{}, Call: []CallFacet{}, Language: []LanguageFacet{}},
		Query:    res.Parsed,
		Fallback: res.Fallback,
		Notes:    []NoteHit{},
	}
	out.Previous, out.Next = searchPages(q, res.Total)
	if out.Query == "" {
		out.Query = q.Text
	}
	names := map[string]string{}
	if a != nil {
		names = speakerNames(a)
	}
	// The hit's call, with only the hit's line read.
	call := func(slug string, n int) *transcript.Call {
		if a == nil {
			return nil
		}
		c, ok := a.Call(slug)
		if !ok {
			return nil
		}
		if w, err := a.Window(c, n, n); err == nil {
			return w
		}
		return c // no lines: the hit's own time is shown
	}
	for _, h := range res.Hits {
		sh := SearchHit{
			Call:         h.Call,
			Line:         h.Line,
			Text:         h.Text,
			Fragments:    []string{},
			URL:          lineURL(h.Call, h.Line),
			HighlightURL: highlightURL(h),
			CallTitle:    h.Call,
			Permalink:    linePermalink(h.Call, h.Line),
		}
		if h.Speaker != "" {
			name := names[h.Speaker]
			if name == "" {
				name = h.Speaker
			}
			sh.Speaker = &APISpeaker{ID: h.Speaker, Name: name}
		}
		for _, f := range h.Fragments {
			sh.Fragments = append(sh.Fragments, segmentsHTML(fragmentSegments(f)))
		}
		sh.Date = h.Date
		t := h.Time
		if c := call(h.Call, h.Line); c != nil {
			sh.Date = c.Date
			if c.Title != "" {
				sh.CallTitle = c.Title
			}
			sh.Completeness = completenessJSON(c.Completeness)
			src := c.Source
			sh.Source = &src
			if l, ok := c.Line(h.Line); ok {
				t = l.Time
				sh.Marking = l.Marking
			}
		}
		if t >= 0 {
			sh.Time = &t
		}
		out.Hits = append(out.Hits, sh)
	}
	for _, f := range res.Facets.Speaker {
		name := names[f.Value]
		if name == "" {
			name = f.Value
		}
		out.Facets.Speaker = append(out.Facets.Speaker, SpeakerFacet{ID: f.Value, Name: name, Count: f.Count})
	}
	for _, f := range res.Facets.Call {
		title := f.Value
		if a != nil {
			if c, ok := a.Call(f.Value); ok && c.Title != "" {
				title = c.Title // the header: no lines read
			}
		}
		out.Facets.Call = append(out.Facets.Call, CallFacet{Slug: f.Value, Title: title, Count: f.Count})
	}
	for _, f := range res.Facets.Language {
		out.Facets.Language = append(out.Facets.Language, LanguageFacet{Code: f.Value, Count: f.Count})
	}
	return out
}

func (s *Server) handleAPISearch(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	p, err := parseSearch(r, true)
	if err != nil {
		return err
	}
	if p.empty() {
		return badRequest("q is empty: give words to search for, or a filter (speaker, call, after, before).")
	}
	q := p.query()
	notes, notesOnly := searchNotesIn(a, s.notesFunc(a), s.annotated(a), q)
	res := &index.Result{}
	if !notesOnly {
		if res, err = s.lib.Search(r.Context(), a, q); err != nil {
			return err
		}
	}
	out := SearchResponse(a, q, res)
	out.Notes = notes
	s.hitVersions(a, &out)
	s.absoluteLinks(r, &out)
	setLinkHeader(w.Header(), out.Previous, out.Next)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// hitVersions names the version of each hit's call.
func (s *Server) hitVersions(a *transcript.Archive, out *SearchJSON) {
	if s.versions == nil {
		return
	}
	for i := range out.Hits {
		if c, ok := a.Call(out.Hits[i].Call); ok {
			if v := currentOf(s.versions.History(a, c.Slug), c); v != nil {
				out.Hits[i].Version = v.Name
			}
		}
	}
}

// absoluteLinks makes the page links of a search answer absolute, and its
// permalinks too when the server has a base URL.
func (s *Server) absoluteLinks(r *http.Request, out *SearchJSON) {
	base := s.baseURL(r)
	out.Next, out.Previous = absolute(base, out.Next), absolute(base, out.Previous)
	if s.base != "" {
		for i := range out.Hits {
			out.Hits[i].Permalink = s.base + out.Hits[i].Permalink
		}
	}
}

// linePermalink is the path of line n's own page.
func linePermalink(slug string, n int) string { return callURL(slug) + "/L" + strconv.Itoa(n) }

// completenessJSON is a call's completeness for the API: "excerpt",
// "complete", or nil (null) when the transcript does not say.
func completenessJSON(c transcript.Completeness) *string {
	if c == transcript.NotStated {
		return nil
	}
	s := string(c)
	return &s
}

// apiCall is a call in /api/v1/calls.
type apiCall struct {
	Slug         string           `json:"slug"`
	Title        string           `json:"title"`
	Date         string           `json:"date"`
	Completeness *string          `json:"completeness"` // "excerpt", "complete", or null when not stated
	Participants []apiParticipant `json:"participants"`
	LineCount    int              `json:"line_count"`
}

type apiParticipant struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}

// apiCallDetail is /api/v1/calls/{slug} and /calls/{slug}.json.
type apiCallDetail struct {
	apiCall
	Source transcript.Source `json:"source"`
	// Record is what the document says about itself (a memorandum's
	// heading and closing), when it says anything.
	Record *transcript.Record `json:"record,omitempty"`
	Lines  []apiLine          `json:"lines"`
	Notes  *apiNotes          `json:"notes,omitempty"` // editorial notes, when the call has any
	// Version is the version of the call these lines are (the first 12
	// hex digits of its file's SHA-256), when versions are kept.
	Version string `json:"version,omitempty"`
	// Permalink is the call at this version, /calls/{slug}@{version}:
	// the link to give out (absolute when the server has a base URL).
	Permalink string `json:"permalink,omitempty"`
	// CurrentVersion, on a pinned version's JSON (/calls/{slug}@{version}.json),
	// is the version the call is now: null when it was removed.
	CurrentVersion **string `json:"current_version,omitempty"`
}

// apiLine is one line. Speaker is the participant id, or null for a stage
// direction; Time is present only when known.
type apiLine struct {
	N       int      `json:"n"`
	Speaker *string  `json:"speaker"`
	Text    string   `json:"text"`
	Kind    string   `json:"kind"`
	Time    *float64 `json:"time,omitempty"`
	Marking string   `json:"marking,omitempty"` // the portion mark the record gives the line, "S/NF"
	// Now, on a pinned version's JSON, is where the line is in the current
	// version ({"n": 57, "changed": false}), or null when it was removed.
	Now **apiNow `json:"now,omitempty"`
}

type apiNow struct {
	N       int  `json:"n"`
	Changed bool `json:"changed"`
}

func newAPICallSummary(a *transcript.Archive, c *transcript.Call) apiCall {
	v := apiCall{
		Slug: c.Slug, Title: c.Title, Date: c.Date,
		Participants: []apiParticipant{},
		LineCount:    a.LineCount(c),
	}
	v.Completeness = completenessJSON(c.Completeness)
	for _, p := range c.Participants {
		v.Participants = append(v.Participants, apiParticipant{ID: p.ID, Name: p.Name, Role: p.Role})
	}
	return v
}

// newAPICall returns the API view of c, which must have its lines.
func newAPICall(a *transcript.Archive, c *transcript.Call) apiCallDetail {
	d := apiCallDetail{apiCall: newAPICallSummary(a, c), Source: c.Source, Lines: []apiLine{}}
	if !c.Record.IsZero() {
		r := c.Record
		d.Record = &r
	}
	for _, l := range c.Lines {
		d.Lines = append(d.Lines, newAPILine(l))
	}
	return d
}

func newAPILine(l transcript.Line) apiLine {
	al := apiLine{N: l.N, Text: l.Text, Kind: string(l.Kind), Marking: l.Marking}
	if l.Kind != transcript.Direction && l.Speaker != "" {
		sp := l.Speaker
		al.Speaker = &sp
	}
	if l.Time >= 0 {
		t := l.Time
		al.Time = &t
	}
	return al
}

func (s *Server) handleAPICalls(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	out := struct {
		Calls []apiCall `json:"calls"`
	}{Calls: []apiCall{}}
	for _, c := range a.Calls {
		out.Calls = append(out.Calls, newAPICallSummary(a, c))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) handleAPICall(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	sc, err := s.showCall(a, callRef{Slug: chi.URLParam(r, "slug")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.callJSON(a, sc))
	return nil
}

// callJSON is CallJSON of the call a page shows, with its version, and
// for a pinned version where each line is now.
func (s *Server) callJSON(a *transcript.Archive, sc *shownCall) apiCallDetail {
	c := sc.Call
	d := newAPICall(a, c)
	if v := sc.Version; v != nil {
		d.Version, d.Permalink = v.Name, s.base+v.URL
		if !v.Current {
			var cur *string
			if !v.Removed {
				cur = &v.CurrentName
			}
			d.CurrentVersion = &cur
			for i := range d.Lines {
				var now *apiNow
				if sc.Now != nil && i < len(sc.Now.Now) && sc.Now.Now[i] != nil {
					now = &apiNow{N: sc.Now.Now[i].N, Changed: sc.Now.Now[i].Changed}
				}
				d.Lines[i].Now = &now
			}
		}
	}
	if sc.Version == nil || sc.Version.Current {
		d.Notes = newAPINotes(c.Slug, s.notes(a, c.Slug))
	}
	return d
}

// CallJSON is the JSON object of call c of archive a, which must have its
// lines, with its editorial notes ns (nil when it has none): what
// /api/v1/calls/{slug} answers, and each line of the NDJSON export.
func CallJSON(a *transcript.Archive, c *transcript.Call, ns *annotate.Notes) any {
	d := newAPICall(a, c)
	d.Notes = newAPINotes(c.Slug, ns)
	return d
}

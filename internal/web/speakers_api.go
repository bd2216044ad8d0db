package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/transcript"
)

// Speakers in the API: /api/v1/speakers lists every participant across
// calls; /api/v1/speakers/{id} is one of them with the calls they take
// part in and their lines, paged.

// Paging of a speaker's lines.
const (
	defaultSpeakerLines = 100
	maxSpeakerLines     = 1000
)

// apiSpeaker is a speaker in /api/v1/speakers.
type apiSpeaker struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// Roles are the distinct roles the calls give the speaker, in archive
	// order; Aliases the labels and other spellings of the name the
	// transcripts use for them. Never null.
	Roles   []string `json:"roles"`
	Aliases []string `json:"aliases"`
	Calls   int      `json:"calls"` // how many calls they take part in
	Lines   int      `json:"lines"` // how many turns they speak
	URL     string   `json:"url"`   // their page, /speakers/{id}
}

// newAPISpeakers lists every speaker of a, sorted by name.
func newAPISpeakers(a *transcript.Archive) []apiSpeaker {
	sps := a.Speakers()
	byID := make(map[string]int, len(sps))
	out := make([]apiSpeaker, len(sps))
	for i, sp := range sps {
		byID[sp.ID] = i
		out[i] = apiSpeaker{ID: sp.ID, Name: sp.Name, Roles: []string{}, Aliases: []string{},
			Calls: len(sp.Calls), Lines: sp.Lines, URL: speakerURL(sp.ID)}
	}
	add := func(list []string, s, not string) []string {
		if s = strings.TrimSpace(s); s == "" || s == not || slices.Contains(list, s) {
			return list
		}
		return append(list, s)
	}
	for _, c := range a.Calls {
		for _, p := range c.Participants {
			i, ok := byID[p.ID]
			if !ok {
				continue
			}
			v := &out[i]
			v.Roles = add(v.Roles, p.Role, "")
			v.Aliases = add(v.Aliases, p.Name, v.Name)
			for _, l := range p.Labels {
				v.Aliases = add(v.Aliases, l, v.Name)
			}
		}
	}
	return out
}

func (s *Server) handleAPISpeakers(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		Speakers []apiSpeaker `json:"speakers"`
	}{newAPISpeakers(a)})
	return nil
}

// apiSpeakerDetail is /api/v1/speakers/{id}: the speaker as listed, the
// calls they take part in, and a page of their lines.
type apiSpeakerDetail struct {
	Speaker  apiSpeaker       `json:"speaker"`
	Calls    []apiSpeakerCall `json:"calls"`
	Lines    []apiSpeakerLine `json:"lines"`
	Next     *string          `json:"next"`
	Previous *string          `json:"previous"`
}

// apiSpeakerCall is a call a speaker takes part in, with the role it gives
// them and how many lines they speak in it.
type apiSpeakerCall struct {
	Slug  string `json:"slug"`
	Title string `json:"title"`
	Date  string `json:"date"`
	Role  string `json:"role"`
	Lines int    `json:"lines"`
	URL   string `json:"url"`
}

// apiSpeakerLine is a line as in a call's JSON, with its call.
type apiSpeakerLine struct {
	Call string `json:"call"`
	apiLine
}

func (s *Server) handleAPISpeaker(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	if !idPattern.MatchString(id) {
		return notFound("There is no speaker with this id.")
	}
	var sp *apiSpeaker
	for _, v := range newAPISpeakers(a) {
		if v.ID == id {
			sp = &v
			break
		}
	}
	if sp == nil {
		return notFound("There is no speaker with this id.")
	}
	page, size, err := pageParams(r, defaultSpeakerLines, maxSpeakerLines)
	if err != nil {
		return err
	}
	out := apiSpeakerDetail{Speaker: *sp, Calls: []apiSpeakerCall{}, Lines: []apiSpeakerLine{}}
	from, to := (page-1)*size, page*size // the page's lines, counted across calls
	seen := 0
	for _, c := range a.Calls {
		p, ok := c.Participant(id)
		if !ok {
			continue
		}
		n := a.TurnCount(c, id)
		out.Calls = append(out.Calls, apiSpeakerCall{Slug: c.Slug, Title: c.Title, Date: c.Date, Role: p.Role,
			Lines: n, URL: callURL(c.Slug)})
		if n > 0 && seen < to && seen+n > from {
			full, err := withLines(a, c)
			if err != nil {
				return err
			}
			k := seen
			for _, l := range full.Lines {
				if l.Kind != transcript.Turn || l.Speaker != id {
					continue
				}
				if k >= from && k < to {
					out.Lines = append(out.Lines, apiSpeakerLine{Call: c.Slug, apiLine: newAPILine(l)})
				}
				k++
			}
		}
		seen += n
	}
	link := func(n int) *string {
		v := url.Values{}
		if n > 1 {
			v.Set("page", strconv.Itoa(n))
		}
		if size != defaultSpeakerLines {
			v.Set("size", strconv.Itoa(size))
		}
		u := s.baseURL(r) + "/api/v1/speakers/" + url.PathEscape(id)
		if len(v) > 0 {
			u += "?" + v.Encode()
		}
		return &u
	}
	if last := (seen + size - 1) / size; page > 1 && last > 0 {
		out.Previous = link(min(page-1, last))
	}
	if to < seen {
		out.Next = link(page + 1)
	}
	setLinkHeader(w.Header(), out.Previous, out.Next)
	writeJSON(w, http.StatusOK, out)
	return nil
}

// pageParams reads ?page= (from 1) and ?size= (1 to max, def when absent).
// A page past a million lines is refused as absurd.
func pageParams(r *http.Request, def, max int) (page, size int, err error) {
	q := r.URL.Query()
	page, size = 1, def
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return 0, 0, badRequest("page must be a whole number from 1.")
		}
		page = n
	}
	if v := q.Get("size"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			return 0, 0, badRequest("size must be a whole number from 1 to " + strconv.Itoa(max) + ".")
		}
		size = n
	}
	if (page-1)*size > maxPagedItems {
		return 0, 0, badRequest("page is too deep: there are not that many lines.")
	}
	return page, size, nil
}

// maxPagedItems bounds page*size, so that arithmetic on it cannot overflow
// and an absurd page is a 400 rather than a scan for nothing.
const maxPagedItems = 100_000_000

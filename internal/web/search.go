package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/query"
	"backchannel/internal/transcript"
)

// Limits on search parameters, checked before the index sees them.
const (
	maxQueryLen  = query.MaxBytes // bytes of q: a pasted turn
	maxFilterLen = 200            // bytes of speaker, call
	maxPageLinks = 9              // page numbers shown around the current page
)

// searchParams are the search parameters as given, for echoing them back
// and building links that keep the state.
type searchParams struct {
	Q, Speaker, Call, After, Before, Sort string
	Page, Size                            int
	sizeSet                               bool
}

// empty reports whether there is nothing to search for.
func (p searchParams) empty() bool {
	return p.Q == "" && p.Speaker == "" && p.Call == "" && p.After == "" && p.Before == ""
}

func (p searchParams) query() index.Query {
	return index.Query{
		Text: p.Q, Speaker: p.Speaker, Call: p.Call,
		After: p.After, Before: p.Before, Sort: p.Sort,
		Page: p.Page, Size: p.Size,
	}
}

// values encodes the parameters; page 1 and the default size are left out
// so equal searches have equal URLs.
func (p searchParams) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", p.Q)
	set("speaker", p.Speaker)
	set("call", p.Call)
	set("after", p.After)
	set("before", p.Before)
	set("sort", p.Sort)
	if p.Page > 1 {
		v.Set("page", strconv.Itoa(p.Page))
	}
	if p.sizeSet {
		v.Set("size", strconv.Itoa(p.Size))
	}
	return v
}

// url returns the search page URL for p (url.Values sorts its keys, so the
// same state always gives the same URL).
func (p searchParams) url() string {
	if enc := p.values().Encode(); enc != "" {
		return "/search?" + enc
	}
	return "/search"
}

// cleanText makes a parameter safe to pass on: valid UTF-8 required,
// control characters become spaces, outer space trimmed.
func cleanText(name, s string, limit int) (string, error) {
	if len(s) > limit {
		return "", badRequest(name + " is too long (at most " + strconv.Itoa(limit) + " bytes).")
	}
	if !utf8.ValidString(s) {
		return "", badRequest(name + " is not valid UTF-8.")
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s), nil
}

// parseSearch reads and validates the search parameters. Errors are 400s
// with a message naming the parameter. size is only read when allowSize.
func parseSearch(r *http.Request, allowSize bool) (searchParams, error) {
	q := r.URL.Query()
	var p searchParams
	var err error
	if p.Q, err = cleanText("q", q.Get("q"), maxQueryLen); err != nil {
		return p, err
	}
	if p.Speaker, err = cleanText("speaker", q.Get("speaker"), maxFilterLen); err != nil {
		return p, err
	}
	if p.Call, err = cleanText("call", q.Get("call"), maxFilterLen); err != nil {
		return p, err
	}
	if p.Call != "" && !slugPattern.MatchString(p.Call) {
		return p, badRequest("call must be a call's slug, such as 2025-10-14-name-name.")
	}
	for _, d := range []struct {
		name string
		dst  *string
	}{{"after", &p.After}, {"before", &p.Before}} {
		v := strings.TrimSpace(q.Get(d.name))
		if v == "" {
			continue
		}
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return p, badRequest(d.name + " must be a date written YYYY-MM-DD.")
		}
		*d.dst = v
	}
	switch s := q.Get("sort"); s {
	case "", "relevance":
	case "date", "-date":
		p.Sort = s
	default:
		return p, badRequest(`sort must be "relevance", "date" or "-date".`)
	}
	p.Page = 1
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return p, badRequest("page must be a whole number from 1.")
		}
		p.Page = n
	}
	p.Size = index.DefaultSize
	if v := q.Get("size"); v != "" && allowSize {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > index.MaxSize {
			return p, badRequest("size must be a whole number from 1 to " + strconv.Itoa(index.MaxSize) + ".")
		}
		p.Size, p.sizeSet = n, true
	}
	if (p.Page-1)*p.Size > index.MaxFrom {
		return p, badRequest("page is too deep: narrow the search instead.")
	}
	return p, nil
}

// hitView is a search hit as the search page shows it.
type hitView struct {
	Line         lineView
	CallTitle    string
	Date         string
	DateLong     string // Date as "October 14, 2025"
	ExcerptNote  string // "(excerpt; source: ...)" for a line of an excerpt
	OrderUnknown bool   // its call's order is not known: no lines around it
	Fragments    [][]segment
	URL          string // canonical /calls/{slug}#L{n}
	Permalink    string // URL, absolute (Config.BaseURL or the request's host)
	HighlightURL string // /calls/{slug}?hl=...#L{n}
	Context      []lineView
}

type facetView struct {
	Label    string
	Count    int
	URL      string // toggles the facet; "" when it cannot be clicked
	Selected bool
}

// activeFilter is a filter in force, shown above the results with a link
// that removes it and keeps the rest of the search.
type activeFilter struct {
	Label     string // "Speaker: Yuri Ushakov"
	InQuery   bool   // written in the query text (speaker:ushakov)
	RemoveURL string
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

type searchPage struct {
	basePage
	Params      searchParams
	Error       string // why the search could not be run (a 400)
	Searched    bool
	Result      *index.Result
	Total       int // Result.Total
	Hits        []hitView
	First, Last int // positions of the hits shown (1-based)
	Speakers    []facetView
	CallFacets  []facetView
	Languages   []facetView
	Active      []activeFilter
	Pages       []pageLink
	Prev, Next  string
	Drop        []facetView // "drop this filter" suggestions when nothing matched
	Suggest     []facetView // queries with a spelling close to indexed words
	PrefixCuts  []string    // a sentence for each prefix*searched for its most frequent words only
	Calls       []callView  // for the call filter's select; nil past maxCallSelect calls (a text field then)
	NotesOnly   bool        // the query has in:notes: lines are not searched
	NoteHits    []noteHitView
}

// maxCallSelect is the most calls the search form lists in a select; a
// larger archive gets a text field for the slug instead (at 4,445 calls the
// select was 88% of the search page's bytes). The call facet still lists
// the calls that have hits.
const maxCallSelect = 200

func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	p, perr := parseSearch(r, false)
	page := searchPage{Params: p}
	page.basePage = basePage{Title: "Search", Canonical: "/search", Nav: "search",
		Description: "Search every line of the archive."}
	if len(a.Calls) <= maxCallSelect {
		for _, c := range a.Calls {
			page.Calls = append(page.Calls, callView{Slug: c.Slug, Title: c.Title, Date: c.Date, DateLong: longDate(c.Date)})
		}
	}
	var res *index.Result
	text, notesOnly := annotate.NotesOnly(p.Q)
	page.NotesOnly = notesOnly
	if perr == nil && !p.empty() {
		if notesOnly {
			res = &index.Result{}
		} else {
			res, perr = s.lib.Search(r.Context(), a, p.query())
		}
	}
	if perr != nil {
		// A search the user can fix is shown with the form, so they can.
		status, msg := classify(perr)
		if status != http.StatusBadRequest {
			return perr
		}
		page.Error = msg
		page.Title = "Search: " + msg
		return s.render(w, r, status, "search.html", &page)
	}
	if res != nil {
		page.Searched = true
		page.Result = res
		page.Total = int(min(res.Total, uint64(1<<31-1)))
		page.Title = "Search: " + p.Q
		if p.Q == "" {
			page.Title = "Search results"
		}
		s.fillResults(&page, a, res)
		for i := range page.Hits {
			page.Hits[i].Permalink = s.baseURL(r) + page.Hits[i].URL
		}
		page.NoteHits = s.searchNotes(a, p, text)
	}
	return s.render(w, r, http.StatusOK, "search.html", &page)
}

func (s *Server) fillResults(page *searchPage, a *transcript.Archive, res *index.Result) {
	p := page.Params
	speakers := speakerNames(a)
	for _, h := range res.Hits {
		page.Hits = append(page.Hits, newHitView(a, h, speakers))
	}
	if n := len(res.Hits); n > 0 {
		page.First = (p.Page-1)*p.Size + 1
		page.Last = page.First + n - 1
	}

	// A filter may be a parameter (from the form or a facet) or written
	// in the query text; a facet link replaces both, so that the two never
	// contradict each other, and following a selected facet removes both.
	parsed := parseFilters(p.Q)
	selected := map[string]bool{}
	for _, v := range append([]string{p.Speaker}, parsed.Speakers...) {
		for _, id := range a.ResolveSpeaker(v) {
			selected[id] = true
		}
		if v != "" {
			selected[v] = true
		}
	}
	for _, f := range res.Facets.Speaker {
		if f.Value == "" {
			continue
		}
		fv := facetView{Label: f.Value, Count: f.Count, Selected: selected[f.Value]}
		if n, ok := speakers[f.Value]; ok {
			fv.Label = n
		}
		q := p
		q.Page = 1
		q.Q = withoutFilter(p.Q, "speaker", "")
		q.Speaker = f.Value
		if fv.Selected {
			q.Speaker = ""
		}
		fv.URL = q.url()
		page.Speakers = append(page.Speakers, fv)
	}
	calls := map[string]bool{p.Call: p.Call != ""}
	for _, v := range parsed.Calls {
		calls[v] = true
	}
	for _, f := range res.Facets.Call {
		if f.Value == "" {
			continue
		}
		fv := facetView{Label: f.Value, Count: f.Count, Selected: calls[f.Value]}
		if c, ok := a.Call(f.Value); ok && c.Title != "" {
			fv.Label = c.Title
		}
		q := p
		q.Page = 1
		q.Q = withoutFilter(p.Q, "call", "")
		q.Call = f.Value
		if fv.Selected {
			q.Call = ""
		}
		fv.URL = q.url()
		page.CallFacets = append(page.CallFacets, fv)
	}
	page.Active = activeFilters(a, p, parsed, speakers)
	for _, f := range res.Facets.Language {
		// index.Query has no language filter, so these are counts only.
		page.Languages = append(page.Languages, facetView{Label: f.Value, Count: f.Count})
	}

	// Pagination, capped at the deepest page the index allows.
	pages := int((res.Total + uint64(p.Size) - 1) / uint64(p.Size))
	pages = min(pages, index.MaxFrom/p.Size+1)
	if pages > 1 {
		lo := max(1, p.Page-maxPageLinks/2)
		hi := min(pages, lo+maxPageLinks-1)
		lo = max(1, hi-maxPageLinks+1)
		for n := lo; n <= hi; n++ {
			q := p
			q.Page = n
			page.Pages = append(page.Pages, pageLink{N: n, URL: q.url(), Current: n == p.Page})
		}
		if p.Page > 1 {
			q := p
			q.Page = p.Page - 1
			page.Prev = q.url()
		}
		if p.Page < pages {
			q := p
			q.Page = p.Page + 1
			page.Next = q.url()
		}
	}

	for _, c := range res.PrefixCuts {
		words := strconv.Itoa(c.Words)
		if c.More {
			words = "more than " + words
		}
		page.PrefixCuts = append(page.PrefixCuts, "“"+c.Prefix+"*” begins "+words+" words: only the "+
			strconv.Itoa(c.Searched)+" most frequent were searched, so lines with the others are not shown. Type more letters to reach them.")
	}
	for _, sug := range res.Suggestions {
		if sug == "" || sug == p.Q || len(page.Suggest) == 5 {
			continue
		}
		q := p
		q.Page = 1
		q.Q = sug
		page.Suggest = append(page.Suggest, facetView{Label: sug, URL: q.url()})
	}
	if res.Total == 0 {
		drop := func(label string, change func(*searchParams)) {
			q := p
			q.Page = 1
			change(&q)
			page.Drop = append(page.Drop, facetView{Label: label, URL: q.url()})
		}
		if p.Speaker != "" || len(parsed.Speakers) > 0 {
			who := strings.Join(append(nonEmpty(p.Speaker), parsed.Speakers...), "”, “")
			drop("Search all speakers, not only “"+who+"”", func(q *searchParams) {
				q.Speaker, q.Q = "", withoutFilter(q.Q, "speaker", "")
			})
		}
		if p.Call != "" || len(parsed.Calls) > 0 {
			drop("Search all calls, not only "+strings.Join(append(nonEmpty(p.Call), parsed.Calls...), ", "), func(q *searchParams) {
				q.Call, q.Q = "", withoutFilter(q.Q, "call", "")
			})
		}
		if p.After != "" || p.Before != "" || parsed.After != "" || parsed.Before != "" {
			drop("Search all dates", func(q *searchParams) {
				q.After, q.Before, q.Q = "", "", withoutFilter(withoutFilter(q.Q, "after", ""), "before", "")
			})
		}
	}
}

// nonEmpty is []string{s}, or nil when s is "".
func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// parseFilters reads the filters written in query text q (which may hold
// in:notes, which the query language does not know).
func parseFilters(q string) query.Query {
	text, _ := annotate.NotesOnly(q)
	return query.Parse(text)
}

// withoutFilter returns query text q without its field: filter of the
// given value ("speaker" or "call"; every value when value is ""). A
// query with no such filter is returned as typed; one with is rewritten in
// the query language's canonical form (query.Query.String), which reads
// the same.
func withoutFilter(q, field, value string) string {
	text, notesOnly := annotate.NotesOnly(q)
	pq := query.Parse(text)
	drop := func(list []string) ([]string, bool) {
		var keep []string
		for _, v := range list {
			if value != "" && v != value {
				keep = append(keep, v)
			}
		}
		return keep, len(keep) != len(list)
	}
	var changed bool
	switch field {
	case "speaker":
		pq.Speakers, changed = drop(pq.Speakers)
	case "call":
		pq.Calls, changed = drop(pq.Calls)
	case "after":
		pq.After, changed = "", pq.After != ""
	case "before":
		pq.Before, changed = "", pq.Before != ""
	}
	if !changed {
		return q
	}
	out := pq.String()
	if notesOnly {
		out = strings.TrimSpace(out + " in:notes")
	}
	return out
}

// activeFilters lists the filters of search p, whose query text has the
// filters parsed, each with a link that removes it.
func activeFilters(a *transcript.Archive, p searchParams, parsed query.Query, speakers map[string]string) []activeFilter {
	var out []activeFilter
	without := func(change func(*searchParams)) string {
		q := p
		q.Page = 1
		change(&q)
		return q.url()
	}
	speakerName := func(v string) string {
		if ids := a.ResolveSpeaker(v); len(ids) == 1 && speakers[ids[0]] != "" {
			return speakers[ids[0]]
		}
		if n, ok := speakers[v]; ok {
			return n
		}
		return v
	}
	callTitle := func(v string) string {
		if c, ok := a.Call(v); ok && c.Title != "" {
			return c.Title
		}
		return v
	}
	if p.Speaker != "" {
		out = append(out, activeFilter{Label: "Speaker: " + speakerName(p.Speaker),
			RemoveURL: without(func(q *searchParams) { q.Speaker = "" })})
	}
	for _, v := range parsed.Speakers {
		out = append(out, activeFilter{Label: "Speaker: " + speakerName(v), InQuery: true,
			RemoveURL: without(func(q *searchParams) { q.Q = withoutFilter(q.Q, "speaker", v) })})
	}
	if p.Call != "" {
		out = append(out, activeFilter{Label: "Call: " + callTitle(p.Call),
			RemoveURL: without(func(q *searchParams) { q.Call = "" })})
	}
	for _, v := range parsed.Calls {
		out = append(out, activeFilter{Label: "Call: " + callTitle(v), InQuery: true,
			RemoveURL: without(func(q *searchParams) { q.Q = withoutFilter(q.Q, "call", v) })})
	}
	for _, d := range []struct {
		label, param, inQuery string
		field                 string
		clear                 func(*searchParams)
	}{
		{"Calls on or after ", p.After, parsed.After, "after", func(q *searchParams) { q.After = "" }},
		{"Calls on or before ", p.Before, parsed.Before, "before", func(q *searchParams) { q.Before = "" }},
	} {
		if d.param != "" {
			out = append(out, activeFilter{Label: d.label + longDate(d.param), RemoveURL: without(d.clear)})
		}
		if d.inQuery != "" {
			field := d.field
			out = append(out, activeFilter{Label: d.label + longDate(d.inQuery), InQuery: true,
				RemoveURL: without(func(q *searchParams) { q.Q = withoutFilter(q.Q, field, "") })})
		}
	}
	return out
}

// speakerNames maps every participant id in the archive to a name. The
// map is the archive's own: read it, never change it.
func speakerNames(a *transcript.Archive) map[string]string { return a.SpeakerNames() }

// hitTerms are the words to highlight on the page a hit links to: the
// index's matched terms, or else the marked words of its fragments.
func hitTerms(h index.Hit) []string {
	terms := h.Terms
	if len(terms) == 0 {
		for _, f := range h.Fragments {
			for _, seg := range fragmentSegments(f) {
				if seg.Mark {
					terms = append(terms, seg.Text)
				}
			}
		}
	}
	return hlTerms(strings.Join(terms, " "))
}

// highlightURL is the hit's line link carrying ?hl= with its terms.
func highlightURL(h index.Hit) string {
	terms := hitTerms(h)
	if len(terms) == 0 {
		return lineURL(h.Call, h.Line)
	}
	return callURL(h.Call) + "?" + url.Values{"hl": {strings.Join(terms, " ")}}.Encode() + "#L" + strconv.Itoa(h.Line)
}

func newHitView(a *transcript.Archive, h index.Hit, speakers map[string]string) hitView {
	v := hitView{
		CallTitle:    h.Call,
		Date:         h.Date,
		URL:          lineURL(h.Call, h.Line),
		HighlightURL: highlightURL(h),
	}
	terms := hitTerms(h)
	if c, ok := a.Call(h.Call); ok {
		// Only the hit, the lines around it and the one after them (an
		// omission before it ends the context) are read. A call whose
		// lines cannot be read shows what the index says, as below.
		if w, err := a.Window(c, h.Line-contextLines, h.Line+contextLines+1); err == nil {
			c = w
		}
		if l, ok := c.Line(h.Line); ok {
			v.Line = newLineView(c, l, terms)
			if c.Order != transcript.OrderUnknown {
				v.Context, _, _ = contextOf(c, h.Line, h.Line)
			}
		}
		if c.Title != "" {
			v.CallTitle = c.Title
		}
		v.Date = c.Date
		v.ExcerptNote = excerptNote(c)
		v.OrderUnknown = c.Order == transcript.OrderUnknown
	}
	v.DateLong = longDate(v.Date)
	if v.Line.Slug == "" {
		// The archive changed under the index: show what the hit says.
		n := strconv.Itoa(h.Line)
		v.Line = lineView{Slug: h.Call, N: h.Line, Direction: h.Speaker == "",
			SpeakerName: speakers[h.Speaker], Anchor: "L" + n,
			URL: lineURL(h.Call, h.Line), Permalink: callURL(h.Call) + "/L" + n}
		if v.Line.SpeakerName == "" {
			v.Line.SpeakerName = h.Speaker
		}
		if idPattern.MatchString(h.Speaker) {
			v.Line.SpeakerID = h.Speaker
			v.Line.SpeakerURL = speakerURL(h.Speaker)
		}
		for _, para := range strings.Split(h.Text, "\n\n") {
			v.Line.Paragraphs = append(v.Line.Paragraphs, markTerms(para, terms))
		}
	}
	for _, f := range h.Fragments {
		v.Fragments = append(v.Fragments, fragmentSegments(f))
	}
	return v
}

type helpPage struct{ basePage }

func (s *Server) handleHelp(w http.ResponseWriter, r *http.Request) error {
	p := helpPage{basePage{Title: "How to search", Canonical: "/search/help", Nav: "help",
		Description: "The query language of Backchannel's search."}}
	return s.render(w, r, http.StatusOK, "help.html", &p)
}

package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/transcript"
)

// speakerPageLines is how many lines a speaker page shows; ?page=N shows
// the next ones, as search does. Unpaged, a speaker with 5,000 lines made a
// 1.5 MB page.
const speakerPageLines = 100

type speakerPage struct {
	basePage
	Speaker   transcript.Speaker
	Calls     []speakerCall // the calls with lines on this page
	CallCount int           // the calls the speaker takes part in
	Total     int           // the lines the speaker speaks in them
	// First and Last are the positions of the lines shown (1-based, 0
	// when none are).
	First, Last int
	Page        int
	Pages       []pageLink
	Prev, Next  string
}

// speakerCall is one call and the lines the speaker says in it (those on
// this page).
type speakerCall struct {
	Call  callView
	Role  string // the role this call gives the speaker
	Lines []lineView
}

// speakerLines is a call and how many lines the speaker says in it.
type speakerLines struct {
	call  *transcript.Call
	role  string
	count int
	start int // position of the first of them among all the speaker's lines
}

func (s *Server) handleSpeaker(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	id := chi.URLParam(r, "id")
	if !idPattern.MatchString(id) {
		return notFound("There is no speaker at this address.")
	}
	sp, ok := a.Speaker(id)
	if !ok {
		return notFound("There is no speaker at this address.")
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		if page, err = strconv.Atoi(v); err != nil || page < 1 {
			return badRequest("page must be a whole number from 1.")
		}
	}

	// The counts come from the catalog: only the calls with lines on this
	// page are read (reading every call of a speaker in a hundred calls
	// took seconds a page at a million lines).
	var all []speakerLines
	total := 0
	for _, c := range a.Calls {
		part, ok := c.Participant(id)
		if !ok {
			continue
		}
		n := a.TurnCount(c, id)
		all = append(all, speakerLines{call: c, role: part.Role, count: n, start: total})
		total += n
	}
	pages := max(1, (total+speakerPageLines-1)/speakerPageLines)
	if page > pages {
		return notFound(fmt.Sprintf("%s’s lines end on page %d.", speakerName(sp), pages))
	}
	from, to := (page-1)*speakerPageLines, min(total, page*speakerPageLines)

	p := speakerPage{Speaker: sp, CallCount: len(all), Total: total, Page: page}
	for _, sl := range all {
		end := sl.start + sl.count
		// A call where the speaker says nothing is listed on the page
		// its place in the order falls on (the last page at the end).
		silent := sl.count == 0 && sl.start >= from && (sl.start < to || page == pages)
		if !silent && (end <= from || sl.start >= to) {
			continue
		}
		c, err := withLines(a, sl.call)
		if err != nil {
			return err
		}
		var lines []transcript.Line
		for _, l := range c.Lines {
			if l.Kind == transcript.Turn && l.Speaker == id {
				lines = append(lines, l)
			}
		}
		cv, err := newCallView(a, c)
		if err != nil {
			return err
		}
		sc := speakerCall{Call: cv, Role: sl.role}
		lo := min(max(0, from-sl.start), len(lines))
		for _, l := range lines[lo:max(lo, min(len(lines), to-sl.start))] {
			sc.Lines = append(sc.Lines, newLineView(c, l, nil))
		}
		p.Calls = append(p.Calls, sc)
	}
	if to > from {
		p.First, p.Last = from+1, to
	}
	p.Pages, p.Prev, p.Next = pageLinks(page, pages, func(n int) string { return speakerPageURL(sp.ID, n) })

	p.basePage = basePage{
		Title:       speakerName(sp),
		Description: joinNonEmpty(". ", sp.Name, sp.Role) + ". Every line they speak in the archive.",
		Canonical:   speakerPageURL(sp.ID, page),
		OGType:      "profile",
	}
	if page > 1 {
		p.Title += fmt.Sprintf(", page %d of %d", page, pages)
	}
	return s.render(w, r, http.StatusOK, "speaker.html", &p)
}

func speakerName(sp transcript.Speaker) string {
	if sp.Name == "" {
		return sp.ID
	}
	return sp.Name
}

// speakerPageURL is the address of page n of a speaker's lines.
func speakerPageURL(id string, n int) string {
	if n <= 1 {
		return speakerURL(id)
	}
	return speakerURL(id) + "?page=" + strconv.Itoa(n)
}

// pageLinks are the links to the pages around page of pages (at most
// maxPageLinks of them) and to the previous and next page; none when there
// is one page.
func pageLinks(page, pages int, url func(n int) string) (links []pageLink, prev, next string) {
	if pages <= 1 {
		return nil, "", ""
	}
	lo := max(1, page-maxPageLinks/2)
	hi := min(pages, lo+maxPageLinks-1)
	lo = max(1, hi-maxPageLinks+1)
	for n := lo; n <= hi; n++ {
		links = append(links, pageLink{N: n, URL: url(n), Current: n == page})
	}
	if page > 1 {
		prev = url(page - 1)
	}
	if page < pages {
		next = url(page + 1)
	}
	return links, prev, next
}

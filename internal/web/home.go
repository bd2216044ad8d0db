package web

import (
	"net/http"

	"backchannel/internal/transcript"
)

type homePage struct {
	basePage
	Calls []callView
}

func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	p := homePage{basePage: basePage{
		Title:       "Backchannel",
		Description: "An archive of leaked call transcripts, searchable line by line.",
		Canonical:   "/",
		Nav:         "calls",
	}}
	for _, c := range a.Calls {
		v, err := newCallView(a, c)
		if err != nil {
			return err
		}
		p.Calls = append(p.Calls, v)
	}
	return s.render(w, r, http.StatusOK, "home.html", &p)
}

// findCall validates a slug and resolves it through the archive.
func findCall(a *transcript.Archive, slug string) (*transcript.Call, error) {
	if !slugPattern.MatchString(slug) {
		return nil, notFound("There is no call at this address.")
	}
	c, ok := a.Call(slug)
	if !ok {
		return nil, notFound("There is no call at this address.")
	}
	return c, nil
}

// findCallLines is findCall, with the call's lines (see withLines).
func findCallLines(a *transcript.Archive, slug string) (*transcript.Call, error) {
	c, err := findCall(a, slug)
	if err != nil {
		return nil, err
	}
	return withLines(a, c)
}

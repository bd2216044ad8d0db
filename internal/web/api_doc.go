package web

import "net/http"

// apiDocPage is /api, the API documented for people.
type apiDocPage struct {
	basePage
	Base    string // scheme and host for the curl examples
	Slug    string // a call of the archive, for the examples
	Speaker string // a speaker of the archive, for the examples
}

func (s *Server) handleAPIDoc(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	p := apiDocPage{
		basePage: basePage{Title: "The API", Canonical: "/api", Nav: "api",
			Description: "Read the archive from a program: search, calls, speakers and notes as JSON and CSV, and the whole archive in one file."},
		Base: s.baseURL(r), Slug: "{slug}", Speaker: "{id}",
	}
	if len(a.Calls) > 0 {
		c := a.Calls[0]
		p.Slug = c.Slug
		if len(c.Participants) > 0 {
			p.Speaker = c.Participants[0].ID
		}
	}
	return s.render(w, r, http.StatusOK, "api.html", &p)
}

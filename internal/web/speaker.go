package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/transcript"
)

type speakerPage struct {
	basePage
	Speaker transcript.Speaker
	Calls   []speakerCall
	Total   int
}

// speakerCall is one call and the lines the speaker says in it.
type speakerCall struct {
	Call  callView
	Role  string // the role this call gives the speaker
	Lines []lineView
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
	p := speakerPage{Speaker: sp}
	for _, c := range a.Calls {
		part, ok := c.Participant(id)
		if !ok {
			continue
		}
		c, err := withLines(a, c)
		if err != nil {
			return err
		}
		cv, err := newCallView(a, c)
		if err != nil {
			return err
		}
		sc := speakerCall{Call: cv, Role: part.Role}
		for _, l := range c.Lines {
			if l.Kind == transcript.Turn && l.Speaker == id {
				sc.Lines = append(sc.Lines, newLineView(c, l, nil))
			}
		}
		p.Total += len(sc.Lines)
		p.Calls = append(p.Calls, sc)
	}
	p.basePage = basePage{
		Title:       sp.Name,
		Description: joinNonEmpty(". ", sp.Name, sp.Role) + ". Every line they speak in the archive.",
		Canonical:   speakerURL(sp.ID),
		OGType:      "profile",
	}
	if p.Title == "" {
		p.Title = sp.ID
	}
	return s.render(w, r, http.StatusOK, "speaker.html", &p)
}

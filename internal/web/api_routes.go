package web

import (
	"github.com/go-chi/chi/v5"
)

// dataRoutes adds the routes that take data out of the archive: CSV beside
// every list, speakers, the OpenAPI description, the whole-archive export,
// and /api, which documents them for people.
func (s *Server) dataRoutes(r chi.Router) {
	r.With(s.cachePages).Get("/api", s.handle(s.handleAPIDoc))
	r.Get("/api/v1/search.csv", s.handle(s.handleSearchCSV))
	r.Get("/api/v1/calls.csv", s.handle(s.handleCallsCSV))
	r.Get("/api/v1/speakers", s.handle(s.handleAPISpeakers))
	r.Get("/api/v1/speakers.csv", s.handle(s.handleSpeakersCSV))
	r.Get("/api/v1/speakers/{id}", s.handle(s.handleAPISpeaker))
	r.Get("/api/v1/export.ndjson", s.handle(s.handleExportNDJSON))
	r.Get("/api/v1/openapi.json", s.handle(s.handleOpenAPI))
}

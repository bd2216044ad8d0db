package web

import (
	"net/http"

	"backchannel/internal/annotate"
	"backchannel/internal/export"
	"backchannel/internal/transcript"
)

// handleExportNDJSON serves /api/v1/export.ndjson: the whole archive as
// `backchannel export --format ndjson` writes it, one call per line (the
// object of /api/v1/calls/{slug}), streamed a call at a time.
func (s *Server) handleExportNDJSON(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename=backchannel.ndjson`)
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	err = export.WriteNDJSON(r.Context(), w, s.exportSource(a))
	if err != nil && r.Context().Err() == nil {
		// The status is sent: breaking the connection is the only way
		// left to tell the client the file is incomplete.
		s.logger.ErrorContext(r.Context(), "NDJSON export cut short", "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// exportSource is what package export reads from the served archive.
func (s *Server) exportSource(a *transcript.Archive) export.Source {
	return export.Source{
		Archive: a,
		Notes:   s.notesFunc(a),
		Record:  func(c *transcript.Call, ns *annotate.Notes) any { return CallJSON(a, c, ns) },
	}
}

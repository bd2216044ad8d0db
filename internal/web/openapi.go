package web

import (
	_ "embed"
	"net/http"
	"strconv"
)

// openAPISpec is the OpenAPI 3.1 description of the API, served as is at
// /api/v1/openapi.json. TestOpenAPI checks every route and every field the
// server answers against it, so a change to the API that is not described
// here fails the tests: every object schema lists its properties, which it
// requires, and allows no others.
//
//go:embed openapi.json
var openAPISpec []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(openAPISpec)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(openAPISpec)
	}
	return nil
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"backchannel/internal/index"
)

// handlerFunc is an HTTP handler that returns an error instead of writing
// one; handle turns it into an http.HandlerFunc.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// httpError carries a status and a message that is safe to show users.
type httpError struct {
	status int
	msg    string // shown to the user; never contains internal detail
	err    error  // logged for 5xx, never shown
	// link and linkText, when set, are a page to go to instead (the
	// history of a call whose version is unknown).
	link, linkText string
}

func (e *httpError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("%d %s", e.status, e.msg)
	}
	return fmt.Sprintf("%d %s: %v", e.status, e.msg, e.err)
}

func (e *httpError) Unwrap() error { return e.err }

var errNotFound = &httpError{status: http.StatusNotFound, msg: "There is nothing at this address."}

func notFound(what string) error {
	return &httpError{status: http.StatusNotFound, msg: what}
}

func badRequest(msg string) error {
	return &httpError{status: http.StatusBadRequest, msg: msg}
}

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	}
}

// classify maps an error to a status and a message safe to show.
func classify(err error) (int, string) {
	var he *httpError
	switch {
	case errors.As(err, &he):
		return he.status, he.msg
	case errors.Is(err, context.DeadlineExceeded):
		// Only searches have deadlines (limitSearch).
		return errSearchTimeout.status, errSearchTimeout.msg
	case errors.Is(err, context.Canceled):
		// The client went away (it will not read this); not our fault.
		return http.StatusServiceUnavailable, "The request was cancelled."
	case errors.Is(err, index.ErrBadQuery):
		msg := "That search could not be run."
		// index's messages name the parameter at fault ("page too deep");
		// they carry no internal detail, so show the first line.
		if s := strings.TrimSpace(strings.SplitN(err.Error(), "\n", 2)[0]); s != "" && len(s) <= 200 {
			msg = s
		}
		return http.StatusBadRequest, msg
	}
	return http.StatusInternalServerError, "Something went wrong on our side. The error has been logged."
}

// serveError is the one place where an error becomes a response: a JSON
// {"error": ...} for the API, a friendly page otherwise.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := classify(err)
	switch {
	case status == http.StatusServiceUnavailable:
		// Overload and loading, not a fault: a warning, and a hint when
		// to come back (limitSearch may have set a shorter one).
		s.logger.WarnContext(r.Context(), "request refused",
			"method", r.Method, "path", r.URL.Path, "status", status, "err", err)
		if w.Header().Get("Retry-After") == "" {
			w.Header().Set("Retry-After", "5")
		}
	case status >= 500:
		s.logger.ErrorContext(r.Context(), "request failed",
			"method", r.Method, "path", r.URL.Path, "status", status, "err", err)
	}
	if isAPI(r) {
		writeJSON(w, status, map[string]string{"error": msg})
		return
	}
	data := errorPage{Status: status, StatusText: http.StatusText(status), Message: msg}
	if he := (*httpError)(nil); errors.As(err, &he) {
		data.Link, data.LinkText = he.link, he.linkText
	}
	data.Title = fmt.Sprintf("%d %s", status, http.StatusText(status))
	if rerr := s.render(w, r, status, "error.html", &data); rerr != nil {
		s.logger.ErrorContext(r.Context(), "rendering error page", "err", rerr)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprintf(w, "%d %s\n", status, http.StatusText(status))
	}
}

type errorPage struct {
	basePage
	Status     int
	StatusText string
	Message    string
	Link       string
	LinkText   string
}

// isAPI reports whether r is for the API or a data download
// (/calls/{slug}.json or .csv), whose errors are JSON.
func isAPI(r *http.Request) bool {
	p := r.URL.Path
	return strings.HasPrefix(p, "/api/") ||
		(strings.HasPrefix(p, "/calls/") && (strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".csv")))
}

func (s *Server) handleMethodNotAllowed(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD")
	s.serveError(w, r, &httpError{status: http.StatusMethodNotAllowed, msg: "This address can only be read (GET)."})
}

// writeJSON encodes v into a buffer first, so an encoding error never leaves
// half a response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		status = http.StatusInternalServerError
		buf.Reset()
		buf.WriteString(`{"error":"Something went wrong on our side."}` + "\n")
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

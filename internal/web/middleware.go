package web

import (
	"fmt"
	"net/http"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// securityHeaders sets the headers every response carries, before anything
// else runs, so that 404s, 405s and recovered panics have them too.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()")
		if s.hsts {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// requestIDPattern is what an incoming X-Request-Id must look like to be
// kept (from a proxy in front); anything else is dropped and chi makes one.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:/+=-]{1,64}$`)

// cleanRequestID drops an incoming X-Request-Id that does not look like one,
// before chi's RequestID middleware would adopt it.
func cleanRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := r.Header.Get(middleware.RequestIDHeader); id != "" && !requestIDPattern.MatchString(id) {
			r.Header.Del(middleware.RequestIDHeader)
		}
		next.ServeHTTP(w, r)
	})
}

// requestID echoes chi's request id in the response, so a user can quote it.
func (s *Server) requestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id := middleware.GetReqID(r.Context()); id != "" {
			w.Header().Set("X-Request-Id", id)
		}
		next.ServeHTTP(w, r)
	})
}

// logRequests logs one line per request with its status and duration. The
// query string is left out: searches are the readers' business.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		defer func() {
			status := ww.Status()
			if status == 0 {
				status = http.StatusOK
			}
			s.logger.InfoContext(r.Context(), "request",
				"id", middleware.GetReqID(r.Context()),
				"method", r.Method,
				"path", r.URL.Path,
				"status", status,
				"bytes", ww.BytesWritten(),
				"duration", time.Since(start),
			)
		}()
		next.ServeHTTP(ww, r)
	})
}

// recoverer turns a panic in a handler into a logged 500 page. Handlers
// render into a buffer, so nothing has been written when they panic. The
// server's state is not shared between requests, so the next one is
// unaffected.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // a value compare, as net/http does
				panic(v)
			}
			// serveError logs it, once, with the stack.
			s.serveError(w, r, &httpError{
				status: http.StatusInternalServerError,
				msg:    "Something went wrong on our side. The error has been logged.",
				err:    fmt.Errorf("panic: %v\n%s", v, debug.Stack()),
			})
		}()
		next.ServeHTTP(w, r)
	})
}

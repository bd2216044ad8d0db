package web

import (
	"net/http"
	"strings"
)

// CORS: the API and the data downloads may be read by a page on any
// origin. The answer is the same for every origin (*, no credentials), so
// it needs no origin matching and no Vary: three fixed headers on GET and
// HEAD, and a fixed answer to a preflight that asks for GET or HEAD. Pages
// get none of it.

// corsExposed are the response headers a script on another origin may read
// besides the CORS-safelisted ones.
const corsExposed = "ETag, Link, X-Total-Count, X-Truncated, Content-Disposition, Retry-After, X-Request-Id"

// corsAllowedHeaders are the request headers a preflight may ask for: the
// conditional ones a script sends to revalidate.
const corsAllowedHeaders = "If-None-Match, If-Modified-Since"

// isData reports whether path is the API or a data download (.json, .csv,
// .txt, .ndjson under /calls/), which other origins may read.
func isData(path string) bool {
	if strings.HasPrefix(path, "/api/") {
		return true
	}
	if !strings.HasPrefix(path, "/calls/") {
		return false
	}
	for _, ext := range []string{".json", ".csv", ".txt"} {
		if strings.HasSuffix(path, ext) {
			return true
		}
	}
	return false
}

// cors sets Access-Control-Allow-Origin: * on GET and HEAD of the API and
// the data downloads, and answers their preflight requests (204) when they
// ask for GET or HEAD; other preflights get no CORS headers, so the browser
// refuses them.
func (s *Server) cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isData(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.Set("Access-Control-Allow-Origin", "*")
			h.Set("Access-Control-Expose-Headers", corsExposed)
		case http.MethodOptions:
			m := r.Header.Get("Access-Control-Request-Method")
			if m == "" { // not a preflight
				break
			}
			if m == http.MethodGet || m == http.MethodHead {
				h.Set("Access-Control-Allow-Origin", "*")
				h.Set("Access-Control-Allow-Methods", "GET, HEAD")
				h.Set("Access-Control-Allow-Headers", corsAllowedHeaders)
				h.Set("Access-Control-Max-Age", "86400")
			}
			h.Set("Allow", "GET, HEAD")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

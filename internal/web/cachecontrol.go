package web

import (
	"net/http"
	"strings"
)

// Cache-Control. Every answer to a GET or HEAD gets its Cache-Control here,
// and only here, from its path and status (cacheControl), when its status
// is written (observedWriter): handlers set none. What the site serves is
// public (there are no accounts, no cookies, nothing personal), so shared
// caches (a CDN, the reverse proxy's cache) may keep it:
//
//   - a pinned version (/calls/{slug}@{version}…) never changes: a year,
//     immutable;
//   - the current pages (home, calls, lines, speakers, downloads, feed,
//     sitemap) change only when a build is swapped in, a few times a day:
//     a short max-age, then stale-while-revalidate (a cache answers at once
//     and asks the server in the background, by ETag: a 304 unless the
//     build changed the page) and stale-if-error (a cache keeps answering
//     while every server is down);
//   - searches and the API: a short max-age;
//   - /healthz and /metrics change from one request to the next: no-store;
//   - errors: 4xx for a short while (a crawler's junk), 5xx and 429 never
//     (they pass).
const (
	ccCurrent   = "public, max-age=60, stale-while-revalidate=300, stale-if-error=86400"
	ccShort     = "public, max-age=60"
	ccImmutable = "public, max-age=31536000, immutable"
	ccDay       = "public, max-age=86400"
	ccHour      = "public, max-age=3600"
	ccNoStore   = "no-store"
	// ccDev: in dev mode templates and static files are read again per
	// request, so every answer is checked again.
	ccDev = "no-cache"
)

// cacheControl returns the Cache-Control of the answer with status to r
// (a GET; HEADs are GETs by then), as a header value slice that is never
// written to (see headerField).
func (s *Server) cacheControl(r *http.Request, status int) []string {
	p := r.URL.Path
	switch {
	case volatile(r):
		return s.cc.noStore
	case status >= 500 || status == http.StatusTooManyRequests:
		return s.cc.noStore
	case s.dev:
		return s.cc.dev
	case status >= 300 && status != http.StatusNotModified:
		return s.cc.short
	case pinned(p):
		return s.cc.immutable
	case p == "/search" || strings.HasPrefix(p, "/api/"):
		return s.cc.short
	case strings.HasPrefix(p, "/static/"):
		// A URL with the file's current version (?v=, as the templates
		// write it) names those bytes for ever.
		if f, ok := s.static[strings.TrimPrefix(p, "/static/")]; ok && r.URL.Query().Get("v") == f.version {
			return s.cc.immutable
		}
		return s.cc.hour
	case p == "/favicon.ico" || p == "/robots.txt" || p == "/opensearch.xml":
		return s.cc.day
	}
	return s.cc.current
}

// volatile reports whether r asks for an answer that changes from one
// request to the next (health, metrics): never stored, and without
// validators.
func volatile(r *http.Request) bool {
	return r.URL.Path == "/healthz" || r.URL.Path == "/metrics"
}

// pinned reports whether path names a pinned version of a call, a page or
// download whose words never change: /calls/{slug}@{version}, its lines,
// .txt and .json (and the API's call at a version).
func pinned(path string) bool {
	rest, ok := strings.CutPrefix(path, "/calls/")
	if !ok {
		rest, ok = strings.CutPrefix(path, "/api/v1/calls/")
	}
	if !ok {
		return false
	}
	slug, _, _ := strings.Cut(rest, "/")
	at := strings.IndexByte(slug, '@')
	return at > 0 && at < len(slug)-1
}

// cachePolicies are the Cache-Control values, made once: each response
// shares its slice.
type cachePolicies struct {
	current, short, immutable, day, hour, noStore, dev []string
}

func newCachePolicies() cachePolicies {
	return cachePolicies{
		current:   []string{ccCurrent},
		short:     []string{ccShort},
		immutable: []string{ccImmutable},
		day:       []string{ccDay},
		hour:      []string{ccHour},
		noStore:   []string{ccNoStore},
		dev:       []string{ccDev},
	}
}

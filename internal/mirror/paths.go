package mirror

import (
	"net/url"
	"regexp"
	"strings"
)

// The site's addresses and the mirror's files (relative to the bag's
// data/ folder). A page is a folder's index.html, so that a static server
// answers the live site's address (/calls/x, redirected to /calls/x/), and
// the mirror's own links name index.html, so that they work from file://
// too. What the live site answers from a query string (?page=N) is a file
// of its own.
//
//	/                           index.html
//	/search, /search/help       search/index.html, search/help/index.html
//	/api                        api/index.html
//	/calls/{slug}               calls/{slug}/index.html
//	/calls/{slug}.txt|.json|.csv calls/{slug}.txt|.json|.csv
//	/calls/{slug}/L{n}          calls/{slug}/L{n}/index.html (and ranges L{a}-L{b})
//	/speakers/{id}              speakers/{id}/index.html
//	/speakers/{id}?page=N       speakers/{id}/page-N.html
//	/api/v1/calls               api/v1/calls.json
//	/api/v1/calls/{slug}        api/v1/calls/{slug}.json
//	/api/v1/speakers            api/v1/speakers.json
//	/api/v1/speakers/{id}       api/v1/speakers/{id}.json
//	/api/v1/calls.csv, /api/v1/speakers.csv, /api/v1/export.ndjson, /api/v1/openapi.json   as they are
//	/static/{name}?v=…          static/{name}
//	/feed.atom, /sitemap.xml, /robots.txt, /opensearch.xml, /favicon.ico   as they are

var (
	linesPath   = regexp.MustCompile(`^L[0-9]{1,7}(-L[0-9]{1,7})?$`)
	speakerPage = regexp.MustCompile(`^[0-9]{1,7}$`)
)

// fileOf returns the mirror's file for a path of the site with its query
// (unescaped path segments), and whether the mirror has one. keepQuery
// says whether the link keeps its query string (the mirror's own script
// reads it: the search's words, the words a call page highlights).
func fileOf(p string, q url.Values) (file string, keepQuery bool, ok bool) {
	switch p {
	case "/":
		return "index.html", false, true
	case "/search":
		return "search/index.html", true, true
	case "/search/help":
		return "search/help/index.html", false, true
	case "/api":
		return "api/index.html", false, true
	case "/feed.atom", "/sitemap.xml", "/robots.txt", "/opensearch.xml", "/favicon.ico",
		"/api/v1/calls.csv", "/api/v1/speakers.csv", "/api/v1/export.ndjson", "/api/v1/openapi.json":
		return p[1:], false, true
	case "/api/v1/calls", "/api/v1/speakers":
		return p[1:] + ".json", false, true
	}
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for _, s := range parts {
		if s == "" || s == "." || s == ".." {
			return "", false, false
		}
	}
	switch {
	case len(parts) == 2 && parts[0] == "static":
		return p[1:], false, true
	case len(parts) == 2 && parts[0] == "calls":
		for _, ext := range []string{".txt", ".json", ".csv"} {
			if strings.HasSuffix(parts[1], ext) {
				return p[1:], false, true
			}
		}
		return p[1:] + "/index.html", true, true
	case len(parts) == 3 && parts[0] == "calls" && linesPath.MatchString(parts[2]):
		return p[1:] + "/index.html", false, true
	case len(parts) == 2 && parts[0] == "speakers":
		if n := q.Get("page"); n != "" && n != "1" {
			if !speakerPage.MatchString(n) {
				return "", false, false
			}
			return p[1:] + "/page-" + n + ".html", false, true
		}
		return p[1:] + "/index.html", false, true
	case len(parts) == 4 && parts[0] == "api" && parts[1] == "v1" && (parts[2] == "calls" || parts[2] == "speakers"):
		return p[1:] + ".json", false, true
	}
	return "", false, false
}

// relative is the link from the file from to the file to (both slash
// paths relative to the mirror's root), with each segment escaped for a
// URL.
func relative(from, to string) string {
	fromDir := strings.Split(from, "/")
	fromDir = fromDir[:len(fromDir)-1]
	target := strings.Split(to, "/")
	i := 0
	for i < len(fromDir) && i < len(target)-1 && fromDir[i] == target[i] {
		i++
	}
	var b strings.Builder
	for range len(fromDir) - i {
		b.WriteString("../")
	}
	for j, s := range target[i:] {
		if j > 0 {
			b.WriteByte('/')
		}
		b.WriteString(escapeSegment(s))
	}
	return b.String()
}

// escapeSegment escapes a path segment for a relative link: as
// url.PathEscape, and a colon too (a first segment "a:b" would read as a
// scheme).
func escapeSegment(s string) string {
	return strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
}

// rootOf is the link from the file from to the mirror's root folder
// ("" at the root, "../" one folder down).
func rootOf(from string) string {
	return strings.Repeat("../", strings.Count(from, "/"))
}

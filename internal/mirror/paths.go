package mirror

import (
	"net/url"
	"regexp"
	"strings"

	"backchannel/internal/transcript"
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
//	/calls/{slug}/history       calls/{slug}/history/index.html
//	/calls/{slug}@{version}…    as /calls/{slug}… for the current version; for an
//	                            older one calls/{slug}@{version}/index.html, …/L{n}/index.html,
//	                            calls/{slug}@{version}.txt|.json
//	/api/v1/calls/{slug}/versions  api/v1/calls/{slug}/versions.json
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
//
// current names the current version of a call (nil: none is known): a
// link to the current version pinned (/calls/{slug}@{version}…) lands on
// the unpinned page, which shows the same; older versions have files of
// their own (calls/{slug}@{version}/…).
func fileOf(p string, q url.Values, current func(slug string) string) (file string, keepQuery bool, ok bool) {
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
		seg, ext := parts[1], ""
		for _, e := range []string{".txt", ".json", ".csv"} {
			if strings.HasSuffix(seg, e) {
				seg, ext = strings.TrimSuffix(seg, e), e
				break
			}
		}
		seg = pinned(seg, current)
		if ext != "" {
			return "calls/" + seg + ext, false, true
		}
		return "calls/" + seg + "/index.html", true, true
	case len(parts) == 3 && parts[0] == "calls" && (linesPath.MatchString(parts[2]) || parts[2] == "history"):
		return "calls/" + pinned(parts[1], current) + "/" + parts[2] + "/index.html", false, true
	case len(parts) == 5 && parts[0] == "api" && parts[1] == "v1" && parts[2] == "calls" && parts[4] == "versions":
		return p[1:] + ".json", false, true
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

// pinned is the folder of a call's pages for the path segment seg
// ({slug} or {slug}@{version}): the call's own for its current version
// (a version's name or a prefix of it that is long enough to name one).
func pinned(seg string, current func(slug string) string) string {
	i := strings.LastIndexByte(seg, '@')
	if i < 0 || current == nil {
		return seg
	}
	slug, v := seg[:i], seg[i+1:]
	if cur := current(slug); cur != "" && len(v) >= transcript.MinVersionDigits && strings.HasPrefix(cur, v) {
		return slug
	}
	return seg
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

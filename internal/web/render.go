package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"backchannel/internal/transcript"
)

// pageNames are the page templates; each is parsed with layout.html and the
// partials in _partials.html.
var pageNames = []string{
	"home.html", "call.html", "line.html", "search.html", "history.html",
	"speaker.html", "help.html", "error.html", "api.html",
}

// basePage is what the layout needs from every page.
type basePage struct {
	Title        string // <title> and <h1> unless the page says otherwise
	Description  string // meta description and og:description
	Canonical    string // path of the canonical URL, e.g. /calls/x/L3
	OGType       string // og:type; empty: no Open Graph tags
	Alternate    string // path of the JSON version, if any
	Nav          string // which nav item is current: "calls", "search", "help"
	CitationMeta []metaTag
	// Base is Config.BaseURL (set by render): with it the canonical link
	// and og:url are absolute; without it there is no og:url at all, as a
	// relative one is wrong and the request's host may not be the public one.
	Base string
}

type metaTag struct{ Name, Content string }

func (b *basePage) base() *basePage { return b }

type page interface{ base() *basePage }

func (s *Server) funcs(static map[string]*staticFile) template.FuncMap {
	return template.FuncMap{
		"static": func(name string) (string, error) {
			f, ok := static[name]
			if !ok {
				return "", fmt.Errorf("no static file %q", name)
			}
			return "/static/" + name + "?v=" + f.version, nil
		},
		"callURL":    callURL,
		"lineURL":    lineURL,
		"speakerURL": speakerURL,
		"completeness": func(c transcript.Completeness) string {
			switch c {
			case transcript.Excerpt:
				return "Excerpt"
			case transcript.Complete:
				return "Complete"
			}
			return "Completeness not stated"
		},
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return strconv.Itoa(n) + " " + one
			}
			return strconv.Itoa(n) + " " + many
		},
		"add":      func(a, b int) int { return a + b },
		"timecode": timecode,
		"longDate": longDate,
	}
}

func callURL(slug string) string { return "/calls/" + url.PathEscape(slug) }

func lineURL(slug string, n int) string { return callURL(slug) + "#L" + strconv.Itoa(n) }

func speakerURL(id string) string { return "/speakers/" + url.PathEscape(id) }

// timecode formats seconds as h:mm:ss or m:ss; "" when unknown (negative).
func timecode(sec float64) string {
	if sec < 0 {
		return ""
	}
	t := int(sec)
	h, m, s := t/3600, t/60%60, t%60
	if h > 0 {
		return fmt.Sprintf("%d:%02d:%02d", h, m, s)
	}
	return fmt.Sprintf("%d:%02d", m, s)
}

func (s *Server) parsePages(static map[string]*staticFile) (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageNames))
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(s.funcs(static)).ParseFS(s.assets,
			"templates/layout.html", "templates/_partials.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// templates returns the parsed pages and static files, re-reading them
// from the assets in dev mode.
func (s *Server) templates() (map[string]*template.Template, map[string]*staticFile, error) {
	if !s.dev {
		return s.pages, s.static, nil
	}
	static, err := loadStatic(s.assets)
	if err != nil {
		return nil, nil, err
	}
	pages, err := s.parsePages(static)
	if err != nil {
		return nil, nil, err
	}
	return pages, static, nil
}

// render executes a page into a buffer and writes it only if that worked.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data page) error {
	pages, _, err := s.templates()
	if err != nil {
		return fmt.Errorf("load templates: %w", err)
	}
	t, ok := pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	data.base().Base = s.base
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return fmt.Errorf("execute %s: %w", name, err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}

// joinNonEmpty joins the non-empty strings with sep.
func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

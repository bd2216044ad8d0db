package web

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"time"

	"backchannel/internal/transcript"
)

// Discovery: an Atom feed of calls, a sitemap, robots.txt pointing at it,
// and an OpenSearch description so browsers can add the archive's search.

const (
	atomNS       = "http://www.w3.org/2005/Atom"
	sitemapNS    = "http://www.sitemaps.org/schemas/sitemap/0.9"
	openSearchNS = "http://a9.com/-/spec/opensearch/1.1/"
	siteName     = "Backchannel"
)

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomText struct {
	Type string `xml:"type,attr,omitempty"`
	Text string `xml:",chardata"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string       `xml:"title"`
	ID        string       `xml:"id"`
	Links     []atomLink   `xml:"link"`
	Updated   string       `xml:"updated"`
	Published string       `xml:"published,omitempty"`
	Authors   []atomPerson `xml:"author"`
	Summary   *atomText    `xml:"summary,omitempty"`
}

type atomFeed struct {
	XMLName  xml.Name    `xml:"feed"`
	NS       string      `xml:"xmlns,attr"`
	Title    string      `xml:"title"`
	Subtitle string      `xml:"subtitle"`
	ID       string      `xml:"id"`
	Updated  string      `xml:"updated"`
	Links    []atomLink  `xml:"link"`
	Author   atomPerson  `xml:"author"`
	Entries  []atomEntry `xml:"entry"`
}

// dayTime writes a YYYY-MM-DD date as an RFC 3339 time at midnight UTC.
func dayTime(d string) string { return d + "T00:00:00Z" }

// callUpdated is the date a call entered the public record: its source's
// publication date, or the call's own date.
func callUpdated(c *transcript.Call) string {
	if c.Source.Published != "" {
		return c.Source.Published
	}
	return c.Date
}

// handleFeed serves /feed.atom: every call, newest publication first.
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	calls := append([]*transcript.Call(nil), a.Calls...)
	sort.SliceStable(calls, func(i, j int) bool { return callUpdated(calls[i]) > callUpdated(calls[j]) })
	f := atomFeed{
		NS:       atomNS,
		Title:    siteName,
		Subtitle: "Calls in the archive of leaked call transcripts",
		ID:       base + "/",
		Updated:  dayTime("1970-01-01"),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: base + "/feed.atom"},
			{Rel: "alternate", Type: "text/html", Href: base + "/"},
		},
		Author: atomPerson{Name: siteName},
	}
	if len(calls) > 0 {
		f.Updated = dayTime(callUpdated(calls[0]))
	}
	for _, c := range calls {
		title := c.Title
		if title == "" {
			title = c.Slug
		}
		e := atomEntry{
			Title:   title,
			ID:      base + callURL(c.Slug),
			Updated: dayTime(callUpdated(c)),
			Links: []atomLink{
				{Rel: "alternate", Type: "text/html", Href: base + callURL(c.Slug)},
				{Rel: "alternate", Type: "application/json", Href: base + callURL(c.Slug) + ".json"},
			},
			Summary: &atomText{Type: "text", Text: callDescription(a, c)},
		}
		if c.Source.Published != "" {
			e.Published = dayTime(c.Source.Published)
		}
		for _, p := range c.Participants {
			e.Authors = append(e.Authors, atomPerson{Name: p.Name})
		}
		if len(e.Authors) == 0 {
			e.Authors = []atomPerson{{Name: siteName}}
		}
		f.Entries = append(f.Entries, e)
		f.Entries = append(f.Entries, s.versionEntries(a, base, c, title, e.Authors)...)
	}
	// Newest first; a new version is news as of when it was indexed.
	sort.SliceStable(f.Entries, func(i, j int) bool { return f.Entries[i].Updated > f.Entries[j].Updated })
	if len(f.Entries) > 0 && f.Entries[0].Updated > f.Updated {
		f.Updated = f.Entries[0].Updated
	}
	return writeXML(w, r, "application/atom+xml; charset=utf-8", f)
}

// versionEntries are the feed's entries for the versions of c after its
// first: each says that the transcript changed, and links to its history.
func (s *Server) versionEntries(a *transcript.Archive, base string, c *transcript.Call, title string, authors []atomPerson) []atomEntry {
	if s.versions == nil {
		return nil
	}
	hist := s.versions.History(a, c.Slug)
	var out []atomEntry
	for i := 1; i < len(hist); i++ {
		v, prev := hist[i], hist[i-1]
		when := v.FirstIndexed.UTC().Format(time.RFC3339)
		out = append(out, atomEntry{
			Title:   "New version of " + title + ": " + v.Name,
			ID:      base + pinnedURL(c.Slug, v.Name),
			Updated: when,
			Links: []atomLink{
				{Rel: "alternate", Type: "text/html", Href: base + historyURL(c.Slug) + "#v-" + v.Name},
				{Rel: "related", Type: "text/html", Href: base + pinnedURL(c.Slug, v.Name)},
			},
			Summary: &atomText{Type: "text", Text: fmt.Sprintf("The transcript changed: version %s (%d lines) replaces version %s (%d lines). See what changed in its history.",
				v.Name, v.Lines, prev.Name, prev.Lines)},
			Authors: authors,
		})
	}
	return out
}

type sitemapURL struct {
	Loc     string `xml:"loc"`
	LastMod string `xml:"lastmod,omitempty"`
}

type sitemap struct {
	XMLName xml.Name     `xml:"urlset"`
	NS      string       `xml:"xmlns,attr"`
	URLs    []sitemapURL `xml:"url"`
}

// handleSitemap serves /sitemap.xml: the home page, search help, every
// call page and every speaker page.
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	sm := sitemap{NS: sitemapNS, URLs: []sitemapURL{{Loc: base + "/"}, {Loc: base + "/search/help"}}}
	for _, c := range a.Calls {
		sm.URLs = append(sm.URLs, sitemapURL{Loc: base + callURL(c.Slug), LastMod: callUpdated(c)})
	}
	for _, sp := range a.Speakers() {
		if idPattern.MatchString(sp.ID) {
			sm.URLs = append(sm.URLs, sitemapURL{Loc: base + speakerURL(sp.ID)})
		}
	}
	return writeXML(w, r, "application/xml; charset=utf-8", sm)
}

type openSearchURL struct {
	Type     string `xml:"type,attr"`
	Method   string `xml:"method,attr,omitempty"`
	Rel      string `xml:"rel,attr,omitempty"`
	Template string `xml:"template,attr"`
}

type openSearch struct {
	XMLName       xml.Name        `xml:"OpenSearchDescription"`
	NS            string          `xml:"xmlns,attr"`
	ShortName     string          `xml:"ShortName"`
	Description   string          `xml:"Description"`
	InputEncoding string          `xml:"InputEncoding"`
	Image         *openSearchImg  `xml:"Image,omitempty"`
	URLs          []openSearchURL `xml:"Url"`
}

type openSearchImg struct {
	Type   string `xml:"type,attr"`
	Width  int    `xml:"width,attr"`
	Height int    `xml:"height,attr"`
	URL    string `xml:",chardata"`
}

// handleOpenSearch serves /opensearch.xml, which every page links with
// rel="search".
func (s *Server) handleOpenSearch(w http.ResponseWriter, r *http.Request) error {
	base := s.baseURL(r)
	d := openSearch{
		NS:            openSearchNS,
		ShortName:     siteName,
		Description:   "Search every line of the Backchannel archive of leaked call transcripts",
		InputEncoding: "UTF-8",
		Image:         &openSearchImg{Type: "image/svg+xml", Width: 16, Height: 16, URL: base + "/favicon.ico"},
		URLs: []openSearchURL{
			{Type: "text/html", Method: "get", Template: base + "/search?q={searchTerms}"},
			{Type: "application/json", Method: "get", Template: base + "/api/v1/search?q={searchTerms}"},
			{Type: "application/opensearchdescription+xml", Rel: "self", Template: base + "/opensearch.xml"},
		},
	}
	return writeXML(w, r, "application/opensearchdescription+xml; charset=utf-8", d)
}

// writeXML encodes v with an XML declaration, into a buffer first.
func writeXML(w http.ResponseWriter, r *http.Request, contentType string, v any) error {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("encode %s: %w", contentType, err)
	}
	buf.WriteByte('\n')
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(buf.Bytes())
	}
	return nil
}

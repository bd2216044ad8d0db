package web

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

func TestFeed(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	rec := get(t, s, "/feed.atom")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/atom+xml; charset=utf-8" {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"id"`
		Updated string   `xml:"updated"`
		Links   []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Entries []struct {
			Title   string `xml:"title"`
			ID      string `xml:"id"`
			Updated string `xml:"updated"`
			Links   []struct {
				Rel  string `xml:"rel,attr"`
				Type string `xml:"type,attr"`
				Href string `xml:"href,attr"`
			} `xml:"link"`
			Authors []struct {
				Name string `xml:"name"`
			} `xml:"author"`
		} `xml:"entry"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &feed); err != nil {
		t.Fatalf("not an Atom feed: %v\n%s", err, rec.Body.String())
	}
	if len(feed.Entries) != len(testArchive().Calls) {
		t.Fatalf("%d entries", len(feed.Entries))
	}
	if feed.Links[0].Rel != "self" || feed.Links[0].Href != "http://example.com/feed.atom" {
		t.Errorf("self link = %+v", feed.Links[0])
	}
	// Newest publication first; the harbour call was published 2024-03-09,
	// the hostile one is dated 2024-04-10 with no publication date.
	if e := feed.Entries[0]; e.ID != "http://example.com/calls/"+slugHostile || e.Updated != "2024-04-10T00:00:00Z" {
		t.Errorf("first entry = %+v", e)
	}
	e := feed.Entries[1]
	if e.ID != "http://example.com/calls/"+slugHarbour || e.Updated != "2024-03-09T00:00:00Z" || e.Title != "Call between Mara Harlow and Otto Brandt" {
		t.Errorf("second entry = %+v", e)
	}
	if len(e.Authors) != 2 || e.Authors[0].Name != "Mara Harlow" {
		t.Errorf("authors = %+v", e.Authors)
	}
	if feed.Updated != "2024-04-10T00:00:00Z" {
		t.Errorf("feed updated = %q", feed.Updated)
	}
	// Hostile text is escaped XML, not markup.
	if !strings.Contains(feed.Entries[0].Title, `<script>`) || strings.Contains(rec.Body.String(), "<script>") {
		t.Error("the hostile title is not escaped in the feed")
	}
}

func TestSitemapAndRobots(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	rec := get(t, s, "/sitemap.xml")
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/xml") {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var sm struct {
		XMLName xml.Name `xml:"http://www.sitemaps.org/schemas/sitemap/0.9 urlset"`
		URLs    []struct {
			Loc     string `xml:"loc"`
			LastMod string `xml:"lastmod"`
		} `xml:"url"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &sm); err != nil {
		t.Fatalf("not a sitemap: %v", err)
	}
	locs := map[string]string{}
	for _, u := range sm.URLs {
		locs[u.Loc] = u.LastMod
	}
	for loc, mod := range map[string]string{
		"http://example.com/":                     "",
		"http://example.com/calls/" + slugHarbour: "2024-03-09",
		"http://example.com/calls/" + slugHostile: "2024-04-10",
		"http://example.com/speakers/mara-harlow": "",
		"http://example.com/speakers/otto-brandt": "",
	} {
		got, ok := locs[loc]
		if !ok || got != mod {
			t.Errorf("sitemap %s: present %v, lastmod %q, want %q", loc, ok, got, mod)
		}
	}
	robots := get(t, s, "/robots.txt").Body.String()
	if !strings.Contains(robots, "\nSitemap: http://example.com/sitemap.xml\n") || !strings.Contains(robots, "User-agent: *") {
		t.Errorf("robots.txt = %q", robots)
	}
}

func TestOpenSearch(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	rec := get(t, s, "/opensearch.xml")
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/opensearchdescription+xml; charset=utf-8" {
		t.Fatalf("status %d, type %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	var d struct {
		XMLName   xml.Name `xml:"http://a9.com/-/spec/opensearch/1.1/ OpenSearchDescription"`
		ShortName string   `xml:"ShortName"`
		URLs      []struct {
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("not an OpenSearch description: %v", err)
	}
	if d.ShortName == "" || len(d.ShortName) > 16 {
		t.Errorf("ShortName %q must be 1-16 characters", d.ShortName)
	}
	if d.URLs[0].Type != "text/html" || d.URLs[0].Template != "http://example.com/search?q={searchTerms}" {
		t.Errorf("search URL = %+v", d.URLs[0])
	}
	// Every page type links it, and the feed.
	for _, path := range []string{"/", "/calls/" + slugHarbour, "/calls/" + slugHarbour + "/L2", "/search?q=x", "/speakers/mara-harlow", "/no-such-page"} {
		doc := mustDoc(t, get(t, s, path))
		if doc.Find(`link[rel="search"][type="application/opensearchdescription+xml"][href="/opensearch.xml"]`).Length() != 1 {
			t.Errorf("%s does not link the OpenSearch description", path)
		}
		if doc.Find(`link[rel="alternate"][type="application/atom+xml"][href="/feed.atom"]`).Length() != 1 {
			t.Errorf("%s does not link the feed", path)
		}
	}
}

package main

// Reading first (issue 18), over HTTP: with --base-url every page's
// canonical link, og:url and citation are absolute; excerpts show their
// omissions and, when it is not known, that the order of their lines is
// not; a quote of a line of an excerpt says so wherever it is handed out;
// the search facets keep the query's state. The figures measured in a
// browser are in reading_browser_test.go.

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// readingBase is the public address the reading tests give serve.
const readingBase = "https://archive.example"

// readingSites serves the shipped archive and the fictional 40-line call
// with --base-url readingBase.
func readingSites(t *testing.T) []*site {
	t.Helper()
	var out []*site
	for _, a := range [][2]string{{"shipped", "../../transcripts"}, {"fictional", "testdata/reading"}} {
		st := &site{name: a[0], dir: a[1], srv: startServeArgs(t, a[1], t.TempDir(), "--base-url", readingBase)}
		st.calls = st.loadCalls(t)
		out = append(out, st)
	}
	return out
}

// getDoc fetches an HTML page of st and parses it.
func (st *site) getDoc(t *testing.T, path string, status int) *goquery.Document {
	t.Helper()
	resp, body := st.srv.get(t, path)
	if resp.StatusCode != status {
		t.Fatalf("%s: GET %s = %d, want %d", st.name, path, resp.StatusCode, status)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// readingPages is one page of every type for st: path and status.
func (st *site) readingPages() [][2]any {
	c := st.calls[0]
	pages := [][2]any{
		{"/", 200}, {"/search?q=" + url.QueryEscape(searchableWord(c.Lines[0].Text)), 200}, {"/search", 200},
		{"/search/help", 200}, {"/speakers/" + url.PathEscape(c.Participants[0].ID), 200}, {"/no-such-page", 404},
	}
	for _, c := range st.calls {
		call := "/calls/" + url.PathEscape(c.Slug)
		pages = append(pages, [2]any{call, 200}, [2]any{call + "/L1", 200}, [2]any{fmt.Sprintf("%s/L1-L%d", call, min(3, len(c.Lines))), 200})
	}
	return pages
}

// TestReading_AbsoluteLinks: with --base-url, every page's canonical link
// and og:url, every citation's permalink, the text download's permalink
// line, the feed and the sitemap use the base URL; nothing that leaves the
// page is relative.
func TestReading_AbsoluteLinks(t *testing.T) {
	for _, st := range readingSites(t) {
		t.Run(st.name, func(t *testing.T) {
			for _, p := range st.readingPages() {
				path, status := p[0].(string), p[1].(int)
				doc := st.getDoc(t, path, status)
				canon, hasCanon := doc.Find(`link[rel="canonical"]`).Attr("href")
				if status == 200 && !hasCanon {
					t.Errorf("%s has no canonical link", path)
				}
				if hasCanon && !strings.HasPrefix(canon, readingBase+"/") {
					t.Errorf("%s: canonical %q is not absolute on %s", path, canon, readingBase)
				}
				og, hasOG := doc.Find(`meta[property="og:url"]`).Attr("content")
				if doc.Find(`meta[property="og:type"]`).Length() > 0 && !hasOG {
					t.Errorf("%s has Open Graph tags but no og:url", path)
				}
				if hasOG && og != canon {
					t.Errorf("%s: og:url %q differs from the canonical link %q", path, og, canon)
				}
				doc.Find(`#cite .cite-url, meta[name="citation_public_url"]`).Each(func(_ int, s *goquery.Selection) {
					u := s.AttrOr("href", s.AttrOr("content", ""))
					if !strings.HasPrefix(u, readingBase+"/calls/") {
						t.Errorf("%s: citation URL %q is not absolute on %s", path, u, readingBase)
					}
				})
				doc.Find(".citation").Each(func(_ int, s *goquery.Selection) {
					if !strings.Contains(s.Text(), readingBase+"/calls/") {
						t.Errorf("%s: citation %q has no absolute URL", path, s.Text())
					}
				})
				if strings.Contains(path, "/L") {
					// The link to give out is the line at its version
					// (its words for good), the canonical link pinned.
					if u := doc.Find(".canonical a").AttrOr("href", ""); pinnedOf(u) != canon {
						t.Errorf("%s: \"Link to this line\" is %q, want the canonical %q pinned to a version", path, u, canon)
					}
				}
			}
			for _, c := range st.calls {
				_, body := st.srv.get(t, "/calls/"+url.PathEscape(c.Slug)+".txt")
				want := "Permalink: " + readingBase + "/calls/" + url.PathEscape(c.Slug) + "@"
				if !strings.Contains(string(body), want) {
					t.Errorf("%s.txt lacks %q (its version's permalink)", c.Slug, want)
				}
			}
			var search struct {
				Hits []struct {
					URL       string `json:"url"`
					Permalink string `json:"permalink"`
				} `json:"hits"`
			}
			st.getJSON(t, "/api/v1/search?q="+url.QueryEscape(searchableWord(st.calls[0].Lines[0].Text)), &search)
			if len(search.Hits) == 0 {
				t.Errorf("the API's search finds nothing")
			}
			for _, h := range search.Hits {
				if !strings.HasPrefix(h.URL, "/calls/") || !strings.HasPrefix(h.Permalink, readingBase+"/calls/") {
					t.Errorf("an API hit has url %q and permalink %q; want the relative url beside an absolute permalink", h.URL, h.Permalink)
				}
			}
			_, feed := st.srv.get(t, "/feed.atom")
			_, sitemap := st.srv.get(t, "/sitemap.xml")
			for name, body := range map[string][]byte{"feed": feed, "sitemap": sitemap} {
				urls := xmlURLs(t, body)
				if len(urls) == 0 {
					t.Errorf("%s has no URLs", name)
				}
				for _, u := range urls {
					if !strings.HasPrefix(u, readingBase+"/") {
						t.Errorf("%s: %q is not absolute on %s", name, u, readingBase)
					}
				}
			}
		})
	}
}

// xmlURLs returns every href attribute and <loc>/<id> text of an XML body.
func xmlURLs(t *testing.T, body []byte) []string {
	t.Helper()
	var out []string
	d := xml.NewDecoder(bytes.NewReader(body))
	var in string
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			in = e.Name.Local
			for _, a := range e.Attr {
				if a.Name.Local == "href" {
					out = append(out, a.Value)
				}
			}
		case xml.CharData:
			if s := strings.TrimSpace(string(e)); s != "" && (in == "loc" || in == "id") {
				out = append(out, s)
			}
		case xml.EndElement:
			in = ""
		}
	}
	return out
}

const (
	slug14 = "2025-10-14-witkoff-ushakov"
	slug29 = "2025-10-29-ushakov-dmitriev"
	// excerptNote is what every quote of a line of the shipped calls says.
	excerptNote = "(excerpt; source: Bloomberg, 2025-11-25)"
)

// pageItems lists the items of a page's transcript list: "L1", "gap", ...
func pageItems(s *goquery.Selection) []string {
	var out []string
	s.Children().Each(func(_ int, li *goquery.Selection) {
		switch {
		case li.HasClass("gap"):
			out = append(out, "gap")
		case li.HasClass("line"):
			out = append(out, "L"+li.Find("a.ln").First().Text()[len("Line "):])
		}
	})
	return out
}

// excerptCall is a fictional excerpt in the order spoken, with omissions
// marked between its quoted lines.
const excerptCall = `---
title: "Call between Ines Okafor and Pál Varga (excerpt)"
date: 2024-06-12
language: en
completeness: excerpt
source:
  publisher: The Fictional Courier
  url: ""
  published: 2024-06-21
  note: >-
    Three fictional lines quoted by a fictional column, in the order spoken.
participants:
  - id: ines-okafor
    name: Ines Okafor
    labels: [IO]
  - id: pal-varga
    name: Pál Varga
    labels: [PV]
---

IO: The survey boat left the harbour before dawn.

[…]

PV: The dredger cannot start until the council signs.

[…]

IO: Then we ask the council on Thursday.
`

// TestReading_Excerpts: an excerpt in the order spoken shows an omission
// between every two quoted lines, never numbered, also in the lines around
// a line and in its text download; the shipped calls, whose order is not
// known, say so and show no omission as if in order, and no lines
// "around" a line; a quote of one of their lines says "(excerpt; source:
// Bloomberg, 2025-11-25)" in the line page's description, its citations
// and search hits.
func TestReading_Excerpts(t *testing.T) {
	st := readingSites(t)[0]

	for _, slug := range []string{slug14, slug29} {
		doc := st.getDoc(t, "/calls/"+slug, 200)
		if doc.Find("li.gap").Length() != 0 {
			t.Errorf("%s (order not known) shows %d omission markers as if its lines were in order", slug, doc.Find("li.gap").Length())
		}
		if doc.Find("section.transcript ul.lines.unordered > li.line").Length() != 3 {
			t.Errorf("%s: the lines are not an unordered list of 3", slug)
		}
		if n := doc.Find(".notice-excerpt .order-unknown").Text(); !strings.Contains(n, "Order not known") {
			t.Errorf("%s does not say that the order of its lines is not known: %q", slug, doc.Find(".notice-excerpt").Text())
		}
		if n := doc.Find(".notice-excerpt").Text(); !strings.Contains(n, "Excerpt: not the full call") {
			t.Errorf("%s: excerpt notice %q", slug, n)
		}
		doc = st.getDoc(t, "/calls/"+slug+"/L3", 200)
		if doc.Find("section.context li.line").Length() != 0 || !strings.Contains(doc.Find("section.context").Text(), "order of this call’s lines is not known") {
			t.Errorf("%s/L3 shows lines around a line whose order is not known: %q", slug, doc.Find("section.context").Text())
		}
		_, txt := st.srv.get(t, "/calls/"+slug+".txt")
		if !strings.Contains(string(txt), "Order: not known") {
			t.Errorf("%s.txt does not say the order is not known:\n%s", slug, txt)
		}
	}

	// A line of an excerpt is never quoted without saying so.
	for _, slug := range []string{slug14, slug29} {
		doc := st.getDoc(t, "/calls/"+slug+"/L2", 200)
		for _, where := range []struct{ what, text string }{
			{"og:description", doc.Find(`meta[property="og:description"]`).AttrOr("content", "")},
			{"twitter:description", doc.Find(`meta[name="twitter:description"]`).AttrOr("content", "")},
			{"the quote", doc.Find("blockquote.quote").Text()},
			{"the plain citation", doc.Find("#cite dt:contains('Plain text')").Next().Text()},
			{"the Chicago citation", doc.Find("#cite dt:contains('Chicago')").Next().Text()},
			{"the printed citation", doc.Find(".print-cite").Text()},
		} {
			if !strings.Contains(where.text, excerptNote) {
				t.Errorf("%s/L2: %s %q lacks %q", slug, where.what, where.text, excerptNote)
			}
		}
	}
	doc := st.getDoc(t, "/search?q=problem", 200)
	hit := doc.Find("ol.hits > li.hit").First()
	if !strings.Contains(hit.Find(".hit-meta").Text(), excerptNote) {
		t.Errorf("the search hit %q lacks %q", hit.Find(".hit-meta").Text(), excerptNote)
	}
	if hit.Find("details.context li.line").Length() != 0 {
		t.Errorf("the hit of a call whose order is not known shows lines around it")
	}

	// An excerpt in the order spoken: its omissions, everywhere.
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "2024-06-12-okafor-varga-excerpt.md"), []byte(excerptCall), 0o644); err != nil {
		t.Fatal(err)
	}
	ex := &site{name: "excerpt", dir: dir, srv: startServeArgs(t, dir, t.TempDir(), "--base-url", readingBase)}
	const slug = "2024-06-12-okafor-varga-excerpt"
	doc = ex.getDoc(t, "/calls/"+slug, 200)
	if diff := cmp.Diff([]string{"L1", "gap", "L2", "gap", "L3"}, pageItems(doc.Find("section.transcript ol.lines"))); diff != "" {
		t.Errorf("%s: lines and omissions (-want +got):\n%s", slug, diff)
	}
	if gap := doc.Find("li.gap").First(); !strings.Contains(gap.Text(), "[…]") || gap.AttrOr("id", "") != "" || gap.Find("a.ln").Length() != 0 {
		t.Errorf("an omission is shown as %q (id %q): want […], without a number or an id", gap.Text(), gap.AttrOr("id", ""))
	}
	if n := doc.Find(".notice-excerpt").Text(); !strings.Contains(n, "Excerpt: not the full call") || !strings.Contains(n, "[…]") {
		t.Errorf("%s: excerpt notice %q does not explain […]", slug, n)
	}
	// Context never spans an omission without showing it.
	doc = ex.getDoc(t, "/calls/"+slug+"/L2", 200)
	if diff := cmp.Diff([]string{"L1", "gap", "L2", "gap", "L3"}, pageItems(doc.Find("section.context ol.lines"))); diff != "" {
		t.Errorf("%s/L2: the lines around it (-want +got):\n%s", slug, diff)
	}
	doc = ex.getDoc(t, "/search?q=dredger", 200)
	hit = doc.Find("ol.hits > li.hit").First()
	if diff := cmp.Diff([]string{"L1", "gap", "L2", "gap", "L3"}, pageItems(hit.Find("details.context ol.lines"))); diff != "" {
		t.Errorf("the hit's lines around it (-want +got):\n%s", diff)
	}
	if want := "(excerpt; source: The Fictional Courier, 2024-06-21)"; !strings.Contains(hit.Find(".hit-meta").Text(), want) {
		t.Errorf("the search hit %q lacks %q", hit.Find(".hit-meta").Text(), want)
	}
	_, txt := ex.srv.get(t, "/calls/"+slug+".txt")
	if n := strings.Count(string(txt), "\n[…]"); n != 2 {
		t.Errorf("%s.txt marks %d omissions, want 2:\n%s", slug, n, txt)
	}
}

// people's dates: prose says "October 14, 2025", markup keeps the ISO date.
func TestReading_Dates(t *testing.T) {
	st := readingSites(t)[0]
	doc := st.getDoc(t, "/", 200)
	item := doc.Find("ol.call-list > li").First()
	for _, want := range []string{"October 14, 2025", "Published by Bloomberg on November 25, 2025"} {
		if !strings.Contains(item.Text(), want) {
			t.Errorf("the home list's first call lacks %q: %q", want, item.Text())
		}
	}
	doc.Find("time").Each(func(_ int, tm *goquery.Selection) {
		if !regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`).MatchString(tm.AttrOr("datetime", "")) || regexp.MustCompile(`\d{4}-\d{2}`).MatchString(tm.Text()) {
			t.Errorf("<time datetime=%q>%s</time>: want an ISO datetime and a date in words", tm.AttrOr("datetime", ""), tm.Text())
		}
	})
	var call struct {
		Date string `json:"date"`
	}
	st.getJSON(t, "/api/v1/calls/"+slug14, &call)
	if call.Date != "2025-10-14" {
		t.Errorf("the API's date = %q, want ISO", call.Date)
	}
}

// TestReading_Facets: from /search?q=speaker:ushakov the speaker facets
// show Ushakov as selected; following Kirill Dmitriev replaces the filter
// (the query text's speaker: with the facet's) and finds his lines;
// following the selected facet, or the active filter's Remove, takes the
// filter away and keeps the rest.
func TestReading_Facets(t *testing.T) {
	st := readingSites(t)[0]
	type facet struct {
		Label    string
		Selected bool
	}
	facets := func(doc *goquery.Document) []facet {
		var out []facet
		doc.Find(".facets .facet-list").First().Find("a").Each(func(_ int, a *goquery.Selection) {
			label := strings.TrimSpace(a.Clone().Children().Remove().End().Text())
			out = append(out, facet{label, a.HasClass("selected") && a.AttrOr("aria-current", "") == "true"})
		})
		return out
	}
	follow := func(doc *goquery.Document, sel string) (*goquery.Document, string) {
		t.Helper()
		href, ok := doc.Find(sel).First().Attr("href")
		if !ok {
			t.Fatalf("no link %s", sel)
		}
		return st.getDoc(t, href, 200), href
	}

	// sort=date stands for the rest of the search, which every link keeps.
	doc := st.getDoc(t, "/search?sort=date&q="+url.QueryEscape("speaker:ushakov"), 200)
	if diff := cmp.Diff([]facet{{"Kirill Dmitriev", false}, {"Steve Witkoff", false}, {"Yuri Ushakov", true}}, facets(doc)); diff != "" {
		t.Errorf("speaker facets of speaker:ushakov (-want +got):\n%s", diff)
	}
	if a := doc.Find(".active-filters li").Text(); !strings.Contains(a, "Speaker: Yuri Ushakov") {
		t.Errorf("the active filter is not shown: %q", a)
	}

	doc, href := follow(doc, `.facets a:contains("Kirill Dmitriev")`)
	if !strings.Contains(href, "sort=date") {
		t.Errorf("the facet link %s drops sort=date", href)
	}
	if got := doc.Find("#results-heading").Text(); got != "2 matching lines" {
		t.Errorf("following Kirill Dmitriev (%s) gives %q, want 2 matching lines", href, got)
	}
	if diff := cmp.Diff([]facet{{"Kirill Dmitriev", true}, {"Steve Witkoff", false}, {"Yuri Ushakov", false}}, facets(doc)); diff != "" {
		t.Errorf("speaker facets after following Kirill Dmitriev (-want +got):\n%s", diff)
	}
	if q := doc.Find("#q").AttrOr("value", ""); strings.Contains(q, "speaker:") {
		t.Errorf("the query text still holds a speaker filter %q beside the facet's", q)
	}
	doc.Find("ol.hits .hit-meta .speaker").Each(func(_ int, s *goquery.Selection) {
		if s.Text() != "Kirill Dmitriev" {
			t.Errorf("a hit of %s is %q's", href, s.Text())
		}
	})

	undone, href := follow(doc, `.facets a.selected`)
	if len(undone.Find(".active-filters li").Nodes) != 0 || undone.Find(".facets a.selected").Length() != 0 {
		t.Errorf("following the selected facet (%s) leaves a filter", href)
	}
	removed, href2 := follow(doc, `.active-filters a`)
	if href2 != href {
		t.Errorf("the active filter's Remove (%s) and the selected facet (%s) differ", href2, href)
	}
	if !strings.Contains(href2, "sort=date") || removed.Find(`#sort option[value="date"][selected]`).Length() != 1 {
		t.Errorf("removing the speaker filter (%s) drops sort=date", href2)
	}
}

// versionInURL matches the version in a pinned URL: /calls/{slug}@{version}.
var versionInURL = regexp.MustCompile(`(/calls/[^/@]+)@[0-9a-f]{12}`)

// pinnedOf is u without its version: the canonical link it pins, or "" when
// u pins none.
func pinnedOf(u string) string {
	if !versionInURL.MatchString(u) {
		return ""
	}
	return versionInURL.ReplaceAllString(u, "$1")
}

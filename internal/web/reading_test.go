package web

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// TestOpenGraphURL: with a base URL the canonical link and og:url are
// absolute on it; without one the canonical link is the path and there is
// no og:url at all (a relative one is wrong, and the request's host may not
// be the public one).
func TestOpenGraphURL(t *testing.T) {
	lib := &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) { return sampleResult(), nil }}
	plain := newTestServer(t, lib)
	based, err := NewServer(Config{Library: lib, Assets: plain.assets, BaseURL: "https://archive.example/"})
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/calls/" + slugHarbour, "/calls/" + slugHarbour + "/L3", "/speakers/otto-brandt"} {
		doc := mustDoc(t, get(t, plain, path))
		if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != path {
			t.Errorf("without a base URL, %s: canonical = %q, want %q", path, got, path)
		}
		if n := doc.Find(`meta[property="og:url"]`).Length(); n != 0 {
			t.Errorf("without a base URL, %s has an og:url (%q)", path, doc.Find(`meta[property="og:url"]`).AttrOr("content", ""))
		}
		doc = mustDoc(t, get(t, based, path))
		want := "https://archive.example" + path
		if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != want {
			t.Errorf("with a base URL, %s: canonical = %q, want %q", path, got, want)
		}
		if got := doc.Find(`meta[property="og:url"]`).AttrOr("content", ""); got != want {
			t.Errorf("with a base URL, %s: og:url = %q, want %q", path, got, want)
		}
	}
	doc := mustDoc(t, get(t, based, "/search?q=word"))
	if got := doc.Find(".hit-links a").Eq(1).Text(); got != "https://archive.example/calls/"+slugHarbour+"#L3" {
		t.Errorf("a search hit's link reads %q, want it absolute", got)
	}
}

// TestSearchFacets_QueryText: a speaker written in the query text is shown
// as selected and as an active filter; each facet link replaces the
// filter, wherever it was written, and keeps the rest of the search.
func TestSearchFacets_QueryText(t *testing.T) {
	var got []index.Query
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(_ context.Context, q index.Query) (*index.Result, error) {
		got = append(got, q)
		return sampleResult(), nil
	}})
	doc := mustDoc(t, get(t, s, "/search?q="+url.QueryEscape("word speaker:OB")+"&after=2024-01-01"))
	links := map[string]string{}
	var selected []string
	doc.Find(".facets .facet-list").First().Find("a").Each(func(_ int, a *goquery.Selection) {
		label := strings.TrimSpace(a.Clone().Children().Remove().End().Text())
		links[label] = a.AttrOr("href", "")
		if a.HasClass("selected") {
			selected = append(selected, label)
		}
	})
	if diff := cmp.Diff([]string{"Otto Brandt"}, selected); diff != "" {
		t.Errorf("selected speakers (-want +got):\n%s", diff)
	}
	for label, want := range map[string]url.Values{
		"Mara Harlow": {"q": {"word"}, "speaker": {"mara-harlow"}, "after": {"2024-01-01"}},
		"Otto Brandt": {"q": {"word"}, "after": {"2024-01-01"}}, // selected: following it removes it
	} {
		u, err := url.Parse(links[label])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, u.Query()); diff != "" {
			t.Errorf("the %s facet links to %s (-want +got):\n%s", label, links[label], diff)
		}
	}
	var active []string
	doc.Find(".active-filters li").Each(func(_ int, li *goquery.Selection) {
		active = append(active, li.Find(".filter-label").Text()+" -> "+li.Find("a").AttrOr("href", ""))
	})
	want := []string{
		"Speaker: Otto Brandt -> /search?after=2024-01-01&q=word",
		"Calls on or after January 1, 2024 -> /search?q=word+speaker%3AOB",
	}
	if diff := cmp.Diff(want, active); diff != "" {
		t.Errorf("active filters (-want +got):\n%s", diff)
	}
}

// TestCallPage_Omissions: an omission is a gap between two lines, never a
// numbered line; a call whose order is not known shows none, in an
// unordered list, and says so.
func TestCallPage_Omissions(t *testing.T) {
	c := &transcript.Call{Slug: "2024-05-01-fictional-gaps", Title: "Fictional gaps", Date: "2024-05-01",
		Completeness: transcript.Excerpt, Source: transcript.Source{Publisher: "The Fictional Ledger", Published: "2024-05-09"},
		Participants: []transcript.Participant{{ID: "ana-lima", Name: "Ana Lima"}},
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "ana-lima", Text: "One.", Time: -1, GapBefore: true},
			{N: 2, Kind: transcript.Turn, Speaker: "ana-lima", Text: "Two.", Time: -1},
			{N: 3, Kind: transcript.Turn, Speaker: "ana-lima", Text: "Three.", Time: -1, GapBefore: true, GapAfter: true},
		}}
	a := &transcript.Archive{Calls: []*transcript.Call{c}}
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})
	items := func(sel *goquery.Selection) []string {
		var out []string
		sel.Children().Each(func(_ int, li *goquery.Selection) {
			if li.HasClass("gap") {
				out = append(out, "[…]")
			} else {
				out = append(out, li.AttrOr("id", li.Find("a.ln").AttrOr("href", "")))
			}
		})
		return out
	}
	doc := mustDoc(t, get(t, s, "/calls/"+c.Slug))
	if diff := cmp.Diff([]string{"[…]", "L1", "L2", "[…]", "L3", "[…]"}, items(doc.Find("section.transcript ol.lines"))); diff != "" {
		t.Errorf("call page (-want +got):\n%s", diff)
	}
	// Line 2's page: the line alone, then its context with the omissions.
	doc = mustDoc(t, get(t, s, "/calls/"+c.Slug+"/L2"))
	if diff := cmp.Diff([]string{"L2"}, items(doc.Find("section.selection ol.lines"))); diff != "" {
		t.Errorf("line page, the line (-want +got):\n%s", diff)
	}
	ctx := []string{"[…]", "/calls/" + c.Slug + "#L1", "/calls/" + c.Slug + "#L2", "[…]", "/calls/" + c.Slug + "#L3", "[…]"}
	if diff := cmp.Diff(ctx, items(doc.Find("section.context ol.lines"))); diff != "" {
		t.Errorf("line page, its context (-want +got):\n%s", diff)
	}
	// A range across an omission quotes it.
	doc = mustDoc(t, get(t, s, "/calls/"+c.Slug+"/L2-L3"))
	if q := doc.Find("blockquote.quote").Text(); !strings.HasPrefix(q, "Ana Lima: “Two.” […] Ana Lima: “Three.” — Fictional gaps, May 1, 2024 (excerpt; source: The Fictional Ledger, 2024-05-09)") {
		t.Errorf("quote of lines 2-3 = %q", q)
	}

	// Pages are cached per archive: a new one, as a reload would give.
	unknown := *c
	unknown.Order = transcript.OrderUnknown
	a = &transcript.Archive{Calls: []*transcript.Call{&unknown}}
	doc = mustDoc(t, get(t, s, "/calls/"+c.Slug))
	if diff := cmp.Diff([]string{"L1", "L2", "L3"}, items(doc.Find("section.transcript ul.lines.unordered"))); diff != "" {
		t.Errorf("call page, order not known (-want +got):\n%s", diff)
	}
	if !strings.Contains(doc.Find(".notice-excerpt").Text(), "Order not known.") {
		t.Errorf("the notice does not say the order is not known: %q", doc.Find(".notice-excerpt").Text())
	}
	doc = mustDoc(t, get(t, s, "/calls/"+c.Slug+"/L2-L3"))
	if q := doc.Find("blockquote.quote").Text(); !strings.HasPrefix(q, "Ana Lima: “Two.” / Ana Lima: “Three.”") {
		t.Errorf("quote of lines 2-3, order not known = %q", q)
	}
}

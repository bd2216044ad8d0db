package web

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

func TestSearchPage(t *testing.T) {
	var got index.Query
	lib := &fakeLibrary{SearchFunc: func(_ context.Context, q index.Query) (*index.Result, error) {
		got = q
		return sampleResult(), nil
	}}
	s := newTestServer(t, lib)
	rec := get(t, s, "/search?q=word&speaker=otto-brandt&after=2024-01-01&sort=date")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	want := index.Query{Text: "word", Speaker: "otto-brandt", After: "2024-01-01", Sort: "date", Page: 1, Size: index.DefaultSize}
	if got != want {
		t.Errorf("Search got %+v, want %+v", got, want)
	}
	doc := mustDoc(t, rec)
	if doc.Find("h1").Length() != 1 {
		t.Error("not exactly one h1")
	}
	// Every control is labelled.
	doc.Find("form input, form select").Each(func(_ int, c *goquery.Selection) {
		id := c.AttrOr("id", "")
		if id == "" || doc.Find(`label[for="`+id+`"]`).Length() != 1 {
			t.Errorf("control %q has no label", c.AttrOr("name", ""))
		}
	})
	if doc.Find(`a[href="/search/help"]`).Length() == 0 {
		t.Error("no link to the search help")
	}
	if v := doc.Find("#q").AttrOr("value", ""); v != "word" {
		t.Errorf("query not echoed: %q", v)
	}
	hits := doc.Find("ol.hits > li.hit")
	if hits.Length() != 3 {
		t.Fatalf("%d hits, want 3", hits.Length())
	}
	first := hits.First()
	if got := first.Find(".fragment mark").Length(); got != 2 {
		t.Errorf("first hit has %d marks, want 2", got)
	}
	for _, want := range []string{"Otto Brandt", "Call between Mara Harlow and Otto Brandt", "March 2, 2024", "line 3", "(excerpt; source: The Fictional Ledger, 2024-03-09)"} {
		if !strings.Contains(first.Find(".hit-meta").Text(), want) {
			t.Errorf("hit meta lacks %q: %q", want, first.Find(".hit-meta").Text())
		}
	}
	if href := first.Find("a.hit-line").AttrOr("href", ""); href != "/calls/"+slugHarbour+"?hl=word#L3" {
		t.Errorf("hit links to %q", href)
	}
	if first.Find(`a[href="/calls/`+slugHarbour+`#L3"]`).Length() == 0 {
		t.Error("canonical line link not shown")
	}
	// Context on demand, without JavaScript.
	ctx := first.Find("details.context li.line")
	if ctx.Length() != 4 || !ctx.Eq(2).HasClass("current") {
		t.Errorf("context has %d lines", ctx.Length())
	}
	// A hit where only the name matched still shows its text.
	if txt := hits.Eq(2).Find(".fragment").Text(); txt != "Then call me back." {
		t.Errorf("name-only hit shows %q", txt)
	}
	if !strings.Contains(doc.Find(".parsed").Text(), "word") {
		t.Error("how the query was read is not shown")
	}
	if !strings.Contains(doc.Find(".result-count").Text(), "1–3 of 3") {
		t.Errorf("count = %q", doc.Find(".result-count").Text())
	}

	// Facets: the selected speaker links to the search without it, others
	// replace it; every other parameter is kept.
	facets := map[string]string{}
	doc.Find(".facets a").Each(func(_ int, a *goquery.Selection) {
		facets[strings.Fields(a.Text())[0]] = a.AttrOr("href", "")
	})
	checkURL := func(name, href string, want url.Values) {
		t.Helper()
		u, err := url.Parse(href)
		if err != nil || u.Path != "/search" {
			t.Fatalf("%s facet href %q", name, href)
		}
		if u.Query().Encode() != want.Encode() {
			t.Errorf("%s facet: %q, want %q", name, u.Query().Encode(), want.Encode())
		}
	}
	checkURL("Otto", facets["Otto"], url.Values{"q": {"word"}, "after": {"2024-01-01"}, "sort": {"date"}})
	checkURL("Mara", facets["Mara"], url.Values{"q": {"word"}, "after": {"2024-01-01"}, "sort": {"date"}, "speaker": {"mara-harlow"}})
	checkURL("Call", facets["Call"], url.Values{"q": {"word"}, "after": {"2024-01-01"}, "sort": {"date"}, "speaker": {"otto-brandt"}, "call": {slugHarbour}})
	if doc.Find(".facets a.selected").Length() != 1 {
		t.Error("selected facet not marked")
	}
	if !strings.Contains(doc.Find(".facets").Text(), "en") {
		t.Error("no language facet")
	}
}

func TestSearchPage_States(t *testing.T) {
	tests := []struct {
		name     string
		target   string
		res      *index.Result
		contains []string
		selector string   // must match at least once
		lacks    []string // must not be on the page
	}{
		{"fallback", "/search?q=word+zebra", &index.Result{Total: 1, Hits: sampleResult().Hits[:1], Fallback: true},
			[]string{"Showing results for some of the words"}, ".notice", nil},
		{"no results suggests dropping filters", "/search?q=zebra&speaker=otto&call=" + slugHarbour,
			&index.Result{Suggestions: []string{"zebras"}},
			[]string{"Nothing in the archive matches", "Search all speakers", "Search all calls", "Did you mean"},
			`.no-results a[href="/search?call=` + slugHarbour + `&q=zebra"]`, nil},
		{"suggestion keeps filters", "/search?q=zebra&call=" + slugHarbour, &index.Result{Suggestions: []string{"zebras"}},
			nil, `.no-results a[href="/search?call=` + slugHarbour + `&q=zebras"]`, nil},
		{"prefix cut", "/search?q=th*", &index.Result{Total: 3, Hits: sampleResult().Hits,
			PrefixCuts: []index.PrefixCut{{Prefix: "th", Words: 20000, More: true, Searched: 64}}},
			[]string{"“th*” begins more than 20000 words: only the 64 most frequent were searched"}, ".notice", nil},
		{"prefix within the limit says nothing", "/search?q=wor*", &index.Result{Total: 3, Hits: sampleResult().Hits},
			nil, "", []string{"most frequent were searched"}},
		{"pagination", "/search?q=word&page=2", &index.Result{Total: 95, Hits: sampleResult().Hits},
			[]string{"Showing 21–23 of 95"}, `.pagination a[rel="next"][href="/search?page=3&q=word"]`, nil},
		{"pagination prev to page 1 drops page", "/search?q=word&page=2", &index.Result{Total: 95, Hits: sampleResult().Hits},
			nil, `.pagination a[rel="prev"][href="/search?q=word"]`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) { return tt.res, nil }})
			rec := get(t, s, tt.target)
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			doc := mustDoc(t, rec)
			text := doc.Find("main").Text()
			for _, want := range tt.contains {
				if !strings.Contains(text, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if tt.selector != "" && doc.Find(tt.selector).Length() == 0 {
				t.Errorf("no %s", tt.selector)
			}
			for _, no := range tt.lacks {
				if strings.Contains(text, no) {
					t.Errorf("page has %q", no)
				}
			}
		})
	}
}

func TestSearchPage_Pages(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return &index.Result{Total: 1 << 40, Hits: sampleResult().Hits}, nil
	}})
	doc := mustDoc(t, get(t, s, "/search?q=word"))
	// Page links stop at the deepest page the index serves.
	maxPage := index.MaxFrom/index.DefaultSize + 1
	doc.Find(".pagination a").Each(func(_ int, a *goquery.Selection) {
		var n int
		if _, err := fmt.Sscan(a.Text(), &n); err == nil && n > maxPage {
			t.Errorf("link to page %d beyond the cap %d", n, maxPage)
		}
	})
	if rec := get(t, s, fmt.Sprintf("/search?q=word&page=%d", maxPage+1)); rec.Code != 400 {
		t.Errorf("page beyond the cap: %d, want 400", rec.Code)
	}
}

func TestSearchPage_Empty(t *testing.T) {
	called := false
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		called = true
		return &index.Result{}, nil
	}})
	doc := mustDoc(t, get(t, s, "/search"))
	if called {
		t.Error("empty search page ran a search")
	}
	if doc.Find("form #q").Length() != 1 || doc.Find(".hits").Length() != 0 {
		t.Error("empty search page should show only the form")
	}
}

func TestSearchBadInput(t *testing.T) {
	lib := &fakeLibrary{SearchFunc: func(_ context.Context, q index.Query) (*index.Result, error) {
		if q.Text == "deep" {
			return nil, fmt.Errorf("page 900 is too deep: %w", index.ErrBadQuery)
		}
		if q.Text == "broken" {
			return nil, fmt.Errorf("bleve exploded in /var/lib/backchannel/index")
		}
		return sampleResult(), nil
	}}
	s := newTestServer(t, lib)
	tests := []struct {
		query  string
		status int
	}{
		{"q=deep", 400},
		{"q=broken", 500},
		{"q=x&page=0", 400},
		{"q=x&page=-1", 400},
		{"q=x&page=abc", 400},
		{"q=x&page=99999999999999999999", 400},
		{"q=x&size=0", 400},
		{"q=x&size=101", 400},
		{"q=x&size=ten", 400},
		{"q=x&after=2024-13-01", 400},
		{"q=x&before=yesterday", 400},
		{"q=x&sort=random", 400},
		{"q=x&call=../../etc/passwd", 400},
		{"q=%ff%fe", 400},
		{"q=" + strings.Repeat("a", maxQueryLen+1), 400},
		{"speaker=" + strings.Repeat("a", maxFilterLen+1), 400},
		{"", 400},
		{"q=%22unbalanced", 200},
		{"q=speaker%3A", 200},
		{"q=C%2B%2B", 200},
		{"q=a%00b%01c", 200},
		{"q=x&size=100", 200},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			rec := get(t, s, "/api/v1/search?"+tt.query)
			if rec.Code != tt.status {
				t.Fatalf("API %s: %d, want %d: %s", tt.query, rec.Code, tt.status, rec.Body.String())
			}
			if rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("Content-Type %q", rec.Header().Get("Content-Type"))
			}
			m := mustJSON(t, rec)
			if tt.status != 200 {
				msg, ok := m["error"].(string)
				if !ok || msg == "" || len(m) != 1 {
					t.Errorf("error body %v, want {\"error\": ...}", m)
				}
				if strings.Contains(msg, "/var/lib") || strings.Contains(msg, "bleve") {
					t.Errorf("error leaks internals: %q", msg)
				}
			}
			// The HTML page answers with the same status (an empty query
			// is just the form there).
			want := tt.status
			if tt.query == "" || strings.Contains(tt.query, "size=") {
				want = 200 // the page has no size parameter: it is ignored
			}
			page := get(t, s, "/search?"+tt.query)
			if page.Code != want {
				t.Errorf("page %s: %d, want %d", tt.query, page.Code, want)
			}
			if strings.Contains(page.Body.String(), "/var/lib") {
				t.Error("page leaks internals")
			}
			if page.Code == 400 {
				doc := mustDoc(t, page)
				if doc.Find("form #q").Length() != 1 || strings.TrimSpace(doc.Find(".notice-error").Text()) == "" {
					t.Error("a 400 search page should show the form and what to fix")
				}
			}
		})
	}
}

// TestSearchPage_ManyCalls checks that the call filter stays a select for a
// small archive and becomes a text field for a large one, whose select
// would outweigh the results.
func TestSearchPage_ManyCalls(t *testing.T) {
	for _, tc := range []struct {
		calls      int
		wantSelect bool
	}{{maxCallSelect, true}, {maxCallSelect + 1, false}} {
		a := testArchive()
		base := a.Calls[0]
		for len(a.Calls) < tc.calls {
			c := *base
			c.Slug = fmt.Sprintf("2024-05-%02d-fictional-%d", len(a.Calls)%28+1, len(a.Calls))
			a.Calls = append(a.Calls, &c)
		}
		lib := &fakeLibrary{
			ArchiveFunc: func() *transcript.Archive { return a },
			SearchFunc:  func(context.Context, index.Query) (*index.Result, error) { return sampleResult(), nil },
		}
		doc := mustDoc(t, get(t, newTestServer(t, lib), "/search?q=word&call=x-y"))
		sel, text := doc.Find("select#call").Length(), doc.Find(`input#call[type="text"]`)
		if tc.wantSelect && sel != 1 {
			t.Errorf("%d calls: no select#call", tc.calls)
		}
		if !tc.wantSelect && (sel != 0 || text.Length() != 1 || text.AttrOr("value", "") != "x-y") {
			t.Errorf("%d calls: select %d, text field %d with value %q; want a text field keeping the filter",
				tc.calls, sel, text.Length(), text.AttrOr("value", ""))
		}
	}
}

package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

func TestRoutes(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return sampleResult(), nil
	}})
	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/", 200, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour, 200, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L3", 200, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L2-L4", 200, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + ".txt", 200, "text/plain; charset=utf-8"},
		{"/calls/" + slugHarbour + ".json", 200, "application/json; charset=utf-8"},
		{"/calls/" + slugHarbour + ".csv", 200, "text/csv; charset=utf-8; header=present"},
		{"/search", 200, "text/html; charset=utf-8"},
		{"/search?q=word", 200, "text/html; charset=utf-8"},
		{"/search/help", 200, "text/html; charset=utf-8"},
		{"/speakers/otto-brandt", 200, "text/html; charset=utf-8"},
		{"/api/v1/search?q=word", 200, "application/json; charset=utf-8"},
		{"/api/v1/calls", 200, "application/json; charset=utf-8"},
		{"/api/v1/calls/" + slugHarbour, 200, "application/json; charset=utf-8"},
		{"/healthz", 200, "text/plain; charset=utf-8"},
		{"/robots.txt", 200, "text/plain; charset=utf-8"},
		{"/favicon.ico", 200, "image/svg+xml; charset=utf-8"},
		{"/static/app.css", 200, "text/css; charset=utf-8"},
		{"/static/app.js", 200, "text/javascript; charset=utf-8"},

		{"/calls/no-such-call", 404, "text/html; charset=utf-8"},
		{"/calls/no-such-call.txt", 404, "text/html; charset=utf-8"},
		{"/calls/no-such-call.json", 404, "application/json; charset=utf-8"},
		{"/calls/no-such-call.csv", 404, "application/json; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L0", 404, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L5", 404, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L3-L2", 404, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L2-L9", 404, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/3", 404, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/L99999999999", 404, "text/html; charset=utf-8"},
		{"/calls/" + slugHarbour + "/", 404, "text/html; charset=utf-8"},
		{"/speakers/nobody", 404, "text/html; charset=utf-8"},
		{"/speakers/Otto%20Brandt", 404, "text/html; charset=utf-8"},
		{"/api/v1/calls/nope", 404, "application/json; charset=utf-8"},
		{"/api/v1/nope", 404, "application/json; charset=utf-8"},
		{"/static/nope.css", 404, "text/html; charset=utf-8"},
		{"/static/", 404, "text/html; charset=utf-8"},
		{"/nope", 404, "text/html; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := get(t, s, tt.path)
			if rec.Code != tt.status {
				t.Errorf("GET %s: status %d, want %d\n%s", tt.path, rec.Code, tt.status, rec.Body.String())
			}
			if got := rec.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("GET %s: Content-Type %q, want %q", tt.path, got, tt.ctype)
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("GET %s: unexpected redirect to %q", tt.path, loc)
			}
		})
	}
}

func TestHome(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	doc := mustDoc(t, get(t, s, "/"))
	items := doc.Find("ol.call-list > li")
	if items.Length() != 2 {
		t.Fatalf("home lists %d calls, want 2", items.Length())
	}
	first := items.First()
	if href, _ := first.Find("h3 a").Attr("href"); href != "/calls/"+slugHarbour {
		t.Errorf("first call links to %q", href)
	}
	text := first.Text()
	for _, want := range []string{"March 2, 2024", "Call between Mara Harlow and Otto Brandt", "4 lines", "Excerpt", "Mara Harlow", "Harbour commissioner",
		"Published by The Fictional Ledger on March 9, 2024"} {
		if !strings.Contains(text, want) {
			t.Errorf("home call entry lacks %q: %q", want, text)
		}
	}
	// People's dates in the text, ISO in the markup.
	for _, d := range []string{"2024-03-02", "2024-03-09"} {
		if first.Find(`time[datetime="`+d+`"]`).Length() != 1 {
			t.Errorf("home call entry has no <time datetime=%q>", d)
		}
	}
	if !strings.Contains(items.Eq(1).Text(), "Completeness not stated") {
		t.Errorf("call without completeness does not say so: %q", items.Eq(1).Text())
	}
	if doc.Find("h1").Length() != 1 {
		t.Errorf("home has %d h1", doc.Find("h1").Length())
	}
}

func TestCallPage(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	rec := get(t, s, "/calls/"+slugHarbour)
	doc := mustDoc(t, rec)

	if doc.Find("h1").Length() != 1 || doc.Find("h1").Text() != "Call between Mara Harlow and Otto Brandt" {
		t.Errorf("h1 = %q", doc.Find("h1").Text())
	}
	if lang, _ := doc.Find("article.call").Attr("lang"); lang != "en" {
		t.Errorf("transcript lang = %q, want en", lang)
	}
	if !strings.Contains(doc.Find(".notice-excerpt").Text(), "Excerpt: not the full call") {
		t.Error("no excerpt notice")
	}
	for _, want := range []string{"The Fictional Ledger", "March 9, 2024", "aide shared the recording", strings.Repeat("ab", 32)} {
		if !strings.Contains(doc.Find(".provenance").Text(), want) {
			t.Errorf("provenance lacks %q", want)
		}
	}
	if doc.Find(`.summary em`).Text() != "short" {
		t.Error("summary Markdown not rendered")
	}
	if doc.Find(`.participants a[href="/speakers/mara-harlow"]`).Length() != 1 {
		t.Error("no link to the participant's page")
	}
	if doc.Find(`link[rel="alternate"][type="application/json"]`).AttrOr("href", "") != "/calls/"+slugHarbour+".json" {
		t.Error("no alternate JSON link")
	}

	lines := doc.Find("ol.lines > li.line")
	if lines.Length() != 4 {
		t.Fatalf("%d lines, want 4", lines.Length())
	}
	for n := 1; n <= 4; n++ {
		li := doc.Find("#L" + strconv.Itoa(n))
		if li.Length() != 1 || !li.Is("li.line") {
			t.Errorf("no li with id L%d", n)
			continue
		}
		self := li.Find(`a.ln[href="#L` + strconv.Itoa(n) + `"]`)
		if self.Length() != 1 || strings.TrimSpace(self.Text()) == "" {
			t.Errorf("line %d has no visible link to itself", n)
		}
		if li.Find(`a.permalink`).AttrOr("href", "") != "/calls/"+slugHarbour+"/L"+strconv.Itoa(n) {
			t.Errorf("line %d has no link to its own page", n)
		}
	}
	l3 := doc.Find("#L3")
	if got := l3.Find(".line-text p").Length(); got != 2 {
		t.Errorf("line 3 has %d paragraphs, want 2", got)
	}
	if got := l3.Find("a.speaker").AttrOr("href", ""); got != "/speakers/otto-brandt" || l3.Find("a.speaker").Text() != "Otto Brandt" {
		t.Errorf("line 3 speaker link %q %q", got, l3.Find("a.speaker").Text())
	}
	if l3.Find(".time").Text() != "1:15" {
		t.Errorf("line 3 time %q, want 1:15", l3.Find(".time").Text())
	}
	l2 := doc.Find("#L2")
	if !l2.HasClass("direction") || l2.Find("a.speaker").Length() != 0 {
		t.Error("line 2 is not shown as a stage direction")
	}
	if doc.Find("mark").Length() != 0 {
		t.Error("marks without ?hl=")
	}
	// Line text exactly as in the transcript.
	if got := l3.Find(".line-text p").Last().Text(); got != "But I’ll check it, word for word." {
		t.Errorf("line 3 second paragraph = %q", got)
	}
}

func TestCallPage_Highlight(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	tests := []struct {
		name  string
		hl    string
		want  []string // marked texts, in page order
		line3 string   // text of line 3's second paragraph, must be unchanged
	}{
		{"straight apostrophe finds curly", "i'll+WORD", []string{"I’ll", "word", "word"}, "But I’ll check it, word for word."},
		{"curly finds straight, quotes trimmed", "%E2%80%9Cdon%E2%80%99t%E2%80%9D", []string{"don't"}, ""},
		{"whole words only", "or", nil, ""},
		{"markup in hl is text", "%3Cscript%3E+word", []string{"word", "word"}, ""},
		{"empty", "", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := get(t, s, "/calls/"+slugHarbour+"?hl="+tt.hl)
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			doc := mustDoc(t, rec)
			var got []string
			doc.Find("ol.lines mark").Each(func(_ int, m *goquery.Selection) { got = append(got, m.Text()) })
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("marked %q, want %q", got, tt.want)
			}
			if tt.line3 != "" {
				if p := doc.Find("#L3 .line-text p").Last().Text(); p != tt.line3 {
					t.Errorf("highlighting changed the text: %q", p)
				}
			}
			if strings.Contains(rec.Body.String(), "<script>") {
				t.Error("hl value reached the page unescaped")
			}
		})
	}
}

func TestLinePage(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	t.Run("single", func(t *testing.T) {
		doc := mustDoc(t, get(t, s, "/calls/"+slugHarbour+"/L3"))
		if doc.Find("h1").Length() != 1 || !strings.Contains(doc.Find("h1").Text(), "Line 3") {
			t.Errorf("h1 = %q", doc.Find("h1").Text())
		}
		if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != "/calls/"+slugHarbour+"/L3" {
			t.Errorf("canonical = %q", got)
		}
		// The line first, then the lines around it.
		sel := doc.Find("li.line.selected")
		if sel.Length() != 1 || sel.AttrOr("id", "") != "L3" {
			t.Errorf("selected lines: %d", sel.Length())
		}
		if !sel.Parent().Parent().Is("section.selection") || doc.Find("section.selection").NextAllFiltered("section.context").Length() != 1 {
			t.Error("the line is not shown before its context")
		}
		// Context: lines 1..4 (two either side, clipped), line 3 marked.
		ctx := doc.Find("section.context ol.lines > li.line")
		if ctx.Length() != 4 || !ctx.Eq(2).HasClass("current") {
			t.Errorf("%d context lines shown, want 4 with the third marked", ctx.Length())
		}
		desc := doc.Find(`meta[property="og:description"]`).AttrOr("content", "")
		for _, want := range []string{"Otto Brandt", "I don't know yet.", "word for word", "March 2, 2024", "(excerpt; source: The Fictional Ledger, 2024-03-09)"} {
			if !strings.Contains(desc, want) {
				t.Errorf("og:description %q lacks %q", desc, want)
			}
		}
		if doc.Find(`meta[name="twitter:description"]`).AttrOr("content", "") != desc {
			t.Error("twitter:description differs from og:description")
		}
		if doc.Find(`a[href="/calls/`+slugHarbour+`#L3"]`).Length() == 0 {
			t.Error("no link to the line in its call")
		}
	})
	t.Run("range", func(t *testing.T) {
		doc := mustDoc(t, get(t, s, "/calls/"+slugHarbour+"/L2-L3"))
		var ids []string
		doc.Find("li.line.selected").Each(func(_ int, l *goquery.Selection) { ids = append(ids, l.AttrOr("id", "")) })
		if strings.Join(ids, ",") != "L2,L3" {
			t.Errorf("selected %v, want L2,L3", ids)
		}
		if got := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got != "/calls/"+slugHarbour+"/L2-L3" {
			t.Errorf("canonical = %q", got)
		}
	})
}

func TestSpeakerPage(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	doc := mustDoc(t, get(t, s, "/speakers/mara-harlow"))
	if doc.Find("h1").Text() != "Mara Harlow" {
		t.Errorf("h1 = %q", doc.Find("h1").Text())
	}
	if !strings.Contains(doc.Find(".speaker-facts").Text(), "Harbour commissioner") || !strings.Contains(doc.Find(".speaker-facts").Text(), "MH") {
		t.Error("role or label missing")
	}
	var hrefs []string
	doc.Find("ol.lines li a.ln").Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	want := []string{"/calls/" + slugHarbour + "#L1", "/calls/" + slugHarbour + "#L4"}
	if strings.Join(hrefs, " ") != strings.Join(want, " ") {
		t.Errorf("line links %v, want %v", hrefs, want)
	}
}

func TestHealthz(t *testing.T) {
	lib := &fakeLibrary{}
	s := newTestServer(t, lib)
	if rec := get(t, s, "/healthz"); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Errorf("healthy: %d %q", rec.Code, rec.Body.String())
	}
	lib.HealthFunc = func() error { return errTest("index not open yet") }
	rec := get(t, s, "/healthz")
	if rec.Code != 503 || !strings.Contains(rec.Body.String(), "index not open yet") {
		t.Errorf("unhealthy: %d %q", rec.Code, rec.Body.String())
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }

func TestDownloads(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	txt := get(t, s, "/calls/"+slugHarbour+".txt").Body.String()
	for _, want := range []string{
		"Call between Mara Harlow and Otto Brandt\n",
		"Completeness: excerpt (not the full call)",
		"[1] Mara Harlow: We’ll talk about the harbour later.\n",
		"[2] [phone rings]\n",
		"[3] Otto Brandt: I don't know yet.\n\n    But I’ll check it, word for word.\n",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("text download lacks %q:\n%s", want, txt)
		}
	}
	a := get(t, s, "/calls/"+slugHarbour+".json").Body.String()
	b := get(t, s, "/api/v1/calls/"+slugHarbour).Body.String()
	if a != b {
		t.Errorf(".json download differs from the API:\n%s\n%s", a, b)
	}
}

func TestMethodNotAllowed(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, tt := range []struct{ method, path, ctype string }{
		{http.MethodPost, "/", "text/html; charset=utf-8"},
		{http.MethodDelete, "/calls/" + slugHarbour, "text/html; charset=utf-8"},
		{http.MethodPut, "/api/v1/search", "application/json; charset=utf-8"},
		{http.MethodPost, "/static/app.css", "text/html; charset=utf-8"},
	} {
		rec := do(t, s, tt.method, tt.path)
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("%s %s: %d, want 405", tt.method, tt.path, rec.Code)
		}
		if rec.Header().Get("Allow") != "GET, HEAD" {
			t.Errorf("%s %s: Allow %q", tt.method, tt.path, rec.Header().Get("Allow"))
		}
		if rec.Header().Get("Content-Type") != tt.ctype {
			t.Errorf("%s %s: Content-Type %q", tt.method, tt.path, rec.Header().Get("Content-Type"))
		}
	}
	if rec := do(t, s, http.MethodHead, "/calls/"+slugHarbour); rec.Code != 200 {
		t.Errorf("HEAD: %d", rec.Code)
	}
}

func TestSecurityHeaders(t *testing.T) {
	lib := &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) { panic("boom") }}
	for _, hsts := range []bool{false, true} {
		s := newTestServer(t, lib)
		s.hsts = hsts
		for _, tt := range []struct{ method, path string }{
			{"GET", "/"}, {"GET", "/calls/" + slugHarbour}, {"GET", "/api/v1/calls"}, {"GET", "/static/app.css"},
			{"GET", "/favicon.ico"}, {"GET", "/nope"}, {"POST", "/"}, {"GET", "/search?q=x"}, {"GET", "/api/v1/search?q=x"},
			{"GET", "/healthz"}, {"GET", "/robots.txt"}, {"GET", "/api/v1/search?size=0"},
		} {
			rec := do(t, s, tt.method, tt.path)
			h := rec.Header()
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("%s %s: CSP %q lacks %q", tt.method, tt.path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe") {
				t.Errorf("%s %s: CSP allows unsafe: %q", tt.method, tt.path, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("%s %s: no nosniff", tt.method, tt.path)
			}
			if h.Get("Referrer-Policy") == "" {
				t.Errorf("%s %s: no Referrer-Policy", tt.method, tt.path)
			}
			if !strings.Contains(h.Get("Content-Type"), "charset=utf-8") {
				t.Errorf("%s %s: Content-Type %q without charset", tt.method, tt.path, h.Get("Content-Type"))
			}
			if got := h.Get("Strict-Transport-Security") != ""; got != hsts {
				t.Errorf("%s %s: HSTS sent = %v, want %v", tt.method, tt.path, got, hsts)
			}
			if h.Get("X-Request-Id") == "" {
				t.Errorf("%s %s: no request id", tt.method, tt.path)
			}
		}
	}
}

func TestPanicRecovery(t *testing.T) {
	calls := 0
	lib := &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		calls++
		if calls == 1 {
			panic("index exploded at /secret/path")
		}
		return sampleResult(), nil
	}}
	s := newTestServer(t, lib)
	rec := get(t, s, "/search?q=word")
	if rec.Code != 500 {
		t.Fatalf("panic gave %d", rec.Code)
	}
	if strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "goroutine") {
		t.Error("error page shows internal detail")
	}
	if mustDoc(t, rec).Find("h1").Text() != "500 Internal Server Error" {
		t.Error("no friendly 500 page")
	}
	if rec := get(t, s, "/search?q=word"); rec.Code != 200 {
		t.Errorf("request after a panic: %d", rec.Code)
	}
	rec = get(t, s, "/api/v1/search?q=word") // third call succeeds too
	if rec.Code != 200 {
		t.Errorf("API after a panic: %d", rec.Code)
	}
}

func TestArchiveNotLoaded(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	s.lib = &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return nil }}
	for _, p := range []string{"/", "/api/v1/calls", "/healthz"} {
		if rec := get(t, s, p); rec.Code != 503 {
			t.Errorf("GET %s without archive: %d, want 503", p, rec.Code)
		}
	}
}

package main

// The validator half of the browser tests (issue 4, "Quality, checked in a
// real browser"): every page type of a running `backchannel serve` is
// crawled, then checked by the Nu HTML Checker (0 errors), by axe-core in
// headless Chromium in light and dark mode (0 violations), and for console
// errors and failed requests.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"backchannel/internal/transcript"

	"github.com/PuerkitoBio/goquery"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// crawledPage is one URL the crawler fetched.
type crawledPage struct {
	url    string // absolute, without fragment
	from   string // the page that links to it, or "" for a seed
	kind   string // what a seed is (e.g. "404 page"); "" when crawled
	dark   bool   // check it in dark mode too
	more   bool   // a seed of a template the browser checks on another page
	status int
	csp    string // its Content-Security-Policy header
	ctype  string // its media type
	html   []byte // the body when it is an HTML page
	xml    []byte // the body when it is XML (feed, sitemap, OpenSearch)
}

// seed is a page the crawl starts from. status 0 accepts any status.
type seed struct {
	kind   string
	path   string
	status int
	dark   bool // axe checks it in dark mode too: one page per template
	more   bool // another page of a template the browser has seen: skip it there
}

// makeSeeds lists one page of every type the issues name for st's archive.
func (st *site) makeSeeds(t *testing.T) []seed {
	t.Helper()
	c := st.calls[0]
	n := len(c.Lines)
	call := "/calls/" + url.PathEscape(c.Slug)
	s := []seed{
		{"home page", "/", 200, true, false},
		{"search page with results", "/search?q=" + url.QueryEscape(searchableWord(c.Lines[0].Text)), 200, true, false},
		{"search page without results", "/search?q=zyxwvutsrq", 200, false, false},
		{"empty search page", "/search", 200, false, false},
		{"search help", "/search/help", 200, true, false},
		{"API documentation", "/api", 200, true, false},
		{"bad query", "/search?q=" + url.QueryEscape(`"unbalanced`), 0, false, false},
		{"line page", call + "/L1", 200, true, false},
		{"range page", fmt.Sprintf("%s/L%d-L%d", call, min(2, n), min(3, n)), 200, true, false},
		{"speaker page", "/speakers/" + url.PathEscape(c.Participants[0].ID), 200, true, false},
		{"404 page", "/no-such-page", 404, true, false},
		{"unknown call", "/calls/no-such-call", 404, false, true},
		{"line past the end", fmt.Sprintf("%s/L%d", call, n+1), 404, false, true},
		{"unknown speaker", "/speakers/no-such-person", 404, false, true},
		{"history page", call + "/history", 200, true, false},
		{"unknown version", call + "@0000000", 404, false, true},
	}
	for i, c := range st.calls {
		s = append(s, seed{"call page", "/calls/" + url.PathEscape(c.Slug), 200, i == 0, false})
	}
	return s
}

// searchableWord picks the longest word of text (letters only), a word the
// search page must find.
func searchableWord(text string) string {
	best := ""
	for _, w := range strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) > len([]rune(best)) {
			best = w
		}
	}
	return best
}

// Crawl limits: pages whose URLs differ only in numbers or query values are
// one shape, and at most perShape of each are fetched unless they are
// seeds, so that a long call does not mean hundreds of line pages.
const (
	perShape   = 2
	maxFetches = 400
)

var digits = regexp.MustCompile(`[0-9]+`)

// template is a coarser shape: the second path segment (a slug or an id)
// folded too, so that pages of the same template share it. The browser
// checks one page of each, the Nu HTML Checker every page crawled.
func template(u *url.URL) string {
	segs := strings.Split(u.Path, "/")
	if len(segs) > 2 {
		segs[2] = "*"
	}
	v := *u
	v.Path = strings.Join(segs, "/")
	return shape(&v)
}

// shape is u's path with numbers folded, plus its query's keys.
func shape(u *url.URL) string {
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return digits.ReplaceAllString(u.Path, "N") + "?" + strings.Join(keys, "&")
}

// crawl fetches the seeds and every same-origin page, stylesheet, script
// and image they link to, following links between HTML pages.
func crawl(t *testing.T, st *site, seeds []seed) []crawledPage {
	t.Helper()
	base, err := url.Parse(st.srv.base)
	if err != nil {
		t.Fatal(err)
	}
	type job struct {
		u    string
		from string
		seed *seed
	}
	var queue []job
	seen := map[string]bool{}
	shapes := map[string]int{}
	enqueue := func(u *url.URL, from string, sd *seed) {
		u.Fragment, u.RawFragment = "", ""
		key := u.String()
		if seen[key] {
			return
		}
		if sd == nil {
			if shapes[shape(u)] >= perShape {
				return
			}
		}
		seen[key] = true
		shapes[shape(u)]++
		queue = append(queue, job{key, from, sd})
	}
	for i := range seeds {
		u, err := base.Parse(seeds[i].path)
		if err != nil {
			t.Fatalf("seed %s: %v", seeds[i].path, err)
		}
		enqueue(u, "", &seeds[i])
	}

	client := &http.Client{}
	var pages []crawledPage
	for len(queue) > 0 && len(pages) < maxFetches {
		j := queue[0]
		queue = queue[1:]
		resp, err := client.Get(j.u)
		if err != nil {
			t.Fatalf("GET %s: %v", j.u, err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatalf("GET %s: %v", j.u, err)
		}
		p := crawledPage{url: j.u, from: j.from, status: resp.StatusCode, csp: resp.Header.Get("Content-Security-Policy")}
		if j.seed != nil {
			p.kind, p.dark, p.more = j.seed.kind, j.seed.dark, j.seed.more
		}
		mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		p.ctype = mt
		if mt == "text/xml" || strings.HasSuffix(mt, "/xml") || strings.HasSuffix(mt, "+xml") {
			p.xml = body
		}
		if mt == "text/html" {
			p.html = body
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if err != nil {
				t.Fatalf("parse %s: %v", j.u, err)
			}
			pageURL := resp.Request.URL
			doc.Find("a[href], link[href], area[href]").Each(func(_ int, s *goquery.Selection) {
				href, _ := s.Attr("href")
				if u, ok := sameOrigin(base, pageURL, href); ok {
					enqueue(u, j.u, nil)
				}
			})
			doc.Find("script[src], img[src], source[src], iframe[src]").Each(func(_ int, s *goquery.Selection) {
				src, _ := s.Attr("src")
				if u, ok := sameOrigin(base, pageURL, src); ok {
					enqueue(u, j.u, nil)
				}
			})
		}
		pages = append(pages, p)
	}
	if len(queue) > 0 {
		t.Logf("%s: crawl stopped after %d fetches, %d URLs left", st.name, maxFetches, len(queue))
	}
	return pages
}

// sameOrigin resolves ref against the page's URL and reports whether it
// points to the site under test.
func sameOrigin(base, page *url.URL, ref string) (*url.URL, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" || strings.HasPrefix(ref, "#") {
		return nil, false
	}
	u, err := page.Parse(ref)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host != base.Host {
		return nil, false
	}
	return u, true
}

// htmlPages returns the crawled pages that are HTML.
func htmlPages(pages []crawledPage) []crawledPage {
	var out []crawledPage
	for _, p := range pages {
		if p.html != nil {
			out = append(out, p)
		}
	}
	return out
}

// label names a page in a failure message.
func (p crawledPage) label(st *site) string {
	s := strings.TrimPrefix(p.url, st.srv.base)
	if p.kind != "" {
		s += " (" + p.kind + ")"
	}
	return s
}

// testLinks checks that every seed answers with the status its page type
// should have, that no page links to a URL that fails, that linked XML
// (feeds, sitemaps, OpenSearch) parses, and that /favicon.ico exists.
func testLinks(t *testing.T, st *site, seeds []seed, pages []crawledPage) {
	want := map[string]seed{}
	for _, s := range seeds {
		want[st.url(s.path)] = s
	}
	htmlSeeds := 0
	for _, p := range pages {
		if s, ok := want[p.url]; ok {
			if s.status != 0 && p.status != s.status {
				t.Errorf("%s: status %d, want %d", p.label(st), p.status, s.status)
			}
			if p.html == nil {
				t.Errorf("%s: not an HTML page", p.label(st))
			} else {
				htmlSeeds++
			}
			continue
		}
		if p.status >= 400 {
			t.Errorf("%s links to %s, which answers %d", strings.TrimPrefix(p.from, st.srv.base), strings.TrimPrefix(p.url, st.srv.base), p.status)
		}
	}
	for _, p := range pages {
		if p.kind == "search page with results" && !bytes.Contains(p.html, []byte("<mark")) {
			t.Errorf("%s: no <mark> in the page, so the seed is not a search with results", p.label(st))
		}
	}
	for _, p := range pages {
		if p.xml == nil {
			continue
		}
		d := xml.NewDecoder(bytes.NewReader(p.xml))
		for {
			_, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s (%s) is not well-formed XML: %v", p.label(st), p.ctype, err)
				break
			}
		}
	}
	resp, body := st.srv.get(t, "/favicon.ico")
	if resp.StatusCode != 200 || len(body) == 0 {
		t.Errorf("/favicon.ico answers %d with %d bytes; browsers ask for it on every site", resp.StatusCode, len(body))
	}
	t.Logf("%s: %d URLs fetched, %d HTML pages", st.name, len(pages), len(htmlPages(pages)))
}

// testNoInlineScript checks that every page works under a strict Content
// Security Policy (issue 4: "no inline script (a strict CSP must pass)"):
// the page sends one whose script-src allows neither inline script nor
// eval, and has no inline script, event-handler attribute or javascript:
// URL that such a policy would block.
func testNoInlineScript(t *testing.T, st *site, pages []crawledPage) {
	for _, p := range htmlPages(pages) {
		if p.csp == "" {
			t.Errorf("%s: no Content-Security-Policy header", p.label(st))
		} else if src := cspDirective(p.csp, "script-src", "default-src"); src == "" ||
			strings.Contains(src, "'unsafe-inline'") || strings.Contains(src, "'unsafe-eval'") || strings.Contains(src, "*") {
			t.Errorf("%s: Content-Security-Policy %q does not restrict scripts (script-src %q)", p.label(st), p.csp, src)
		}
		doc, err := goquery.NewDocumentFromReader(bytes.NewReader(p.html))
		if err != nil {
			t.Fatal(err)
		}
		doc.Find("script:not([src])").Each(func(_ int, sel *goquery.Selection) {
			if typ, _ := sel.Attr("type"); typ == "application/ld+json" || typ == "application/json" {
				return // data, not script
			}
			t.Errorf("%s: inline <script>%.60s</script>", p.label(st), strings.TrimSpace(sel.Text()))
		})
		doc.Find("*").Each(func(_ int, sel *goquery.Selection) {
			for _, a := range sel.Nodes[0].Attr {
				v := strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(a.Key, "on") || strings.HasPrefix(v, "javascript:") {
					t.Errorf("%s: <%s %s=%q> needs inline script", p.label(st), goquery.NodeName(sel), a.Key, a.Val)
				}
			}
		})
	}
}

// cspDirective returns the value of the first of names that policy sets.
func cspDirective(policy string, names ...string) string {
	dirs := map[string]string{}
	for _, d := range strings.Split(policy, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			dirs[strings.ToLower(name)] = strings.TrimSpace(value)
		}
	}
	for _, n := range names {
		if v, ok := dirs[n]; ok {
			return v
		}
	}
	return ""
}

// vnuMessage is one message of the Nu HTML Checker's JSON output.
type vnuMessage struct {
	Type     string `json:"type"`    // "error", "info" or "non-document-error"
	SubType  string `json:"subType"` // "warning" for warnings, "fatal" for fatal errors
	URL      string `json:"url"`
	LastLine int    `json:"lastLine"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
}

// vnuCanary is a page with a known error (head without title): the
// checker must report it, or the run checked nothing.
const vnuCanary = "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"></head>\n<body><p>canary</p></body>\n</html>\n"

// testValidHTML runs the Nu HTML Checker once over every HTML page of every
// site and reports each error as page:line: message.
func testValidHTML(t *testing.T, s *suite) {
	java, jar := vnuTool(t)
	dir := t.TempDir()
	type file struct {
		st   *site
		page crawledPage
	}
	files := map[string]file{}
	args := []string{"-jar", jar, "--format", "json", "--stdout", "--exit-zero-always"}
	canary := filepath.Join(dir, "canary.html")
	if err := os.WriteFile(canary, []byte(vnuCanary), 0o644); err != nil {
		t.Fatal(err)
	}
	args = append(args, canary)
	for _, st := range s.sites {
		for i, p := range htmlPages(st.pages) {
			name := filepath.Join(dir, fmt.Sprintf("%s-%03d.html", st.name, i))
			if err := os.WriteFile(name, p.html, 0o644); err != nil {
				t.Fatal(err)
			}
			files[filepath.Base(name)] = file{st, p}
			args = append(args, name)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(t.Context(), java, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("vnu: %v\n%s", err, stderr.String())
	}
	var out struct {
		Messages []vnuMessage `json:"messages"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("vnu output: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	canaryCaught := false
	errs, warnings := map[string]int{}, 0
	for _, m := range out.Messages {
		isErr := m.Type == "error" || m.Type == "non-document-error"
		if filepath.Base(m.URL) == "canary.html" {
			canaryCaught = canaryCaught || isErr
			continue
		}
		page, site := m.URL, "?"
		if f, ok := files[filepath.Base(m.URL)]; ok {
			page, site = f.page.label(f.st), f.st.name
		}
		switch {
		case isErr:
			errs[site]++
			t.Errorf("%s %s:%d: %s\n\t%s", site, page, m.LastLine, m.Message, strings.TrimSpace(m.Extract))
		case m.SubType == "warning":
			warnings++
			t.Logf("warning: %s %s:%d: %s", site, page, m.LastLine, m.Message)
		}
	}
	if !canaryCaught {
		t.Errorf("the Nu HTML Checker found no error in a page without <title>; is it checking anything?\n%s", stdout.String())
	}
	for _, st := range s.sites {
		t.Logf("%s: Nu HTML Checker: %d pages, %d errors", st.name, len(htmlPages(st.pages)), errs[st.name])
	}
	t.Logf("%d warnings", warnings)
}

// axeViolation is one failed axe-core rule on a page.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// axeRun runs every default axe-core rule (best practices included) on the
// document and returns the violations in a shape Go can decode.
const axeRun = `axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.map(n => ({
		target: n.target.map(x => Array.isArray(x) ? x.join(' >>> ') : String(x)).join(', '),
		html: n.html.slice(0, 160),
		summary: n.failureSummary || '',
	})),
})))`

// pageCheck is what a visit in the browser found on one page.
type pageCheck struct {
	page       string
	violations map[string][]axeViolation // by colour scheme
	background map[string]string         // the body's background colour, by colour scheme
	problems   []string                  // console errors and failed requests
}

// visitPages loads the seeds and one crawled page of each other template in
// a tab and runs axe-core on each, in the light colour scheme and, for one
// page per template, the dark one, recording console errors and failed
// requests along the way.
func visitPages(t *testing.T, s *suite, st *site, pages []crawledPage) []pageCheck {
	t.Helper()
	axe := axeSource(t)
	tb := s.newTab(t)
	selfCheck(t, tb, st, axe)
	var checks []pageCheck
	templates := map[string]bool{}
	for _, p := range htmlPages(pages) {
		u, err := url.Parse(p.url)
		if err != nil {
			t.Fatal(err)
		}
		if p.more || (p.kind == "" && templates[template(u)]) {
			continue
		}
		templates[template(u)] = true
		tb.open(t, p.url)
		c := pageCheck{page: p.label(st), violations: map[string][]axeViolation{}, background: map[string]string{}}
		if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
			t.Fatalf("inject axe-core into %s: %v", c.page, err)
		}
		c.violations["light"] = eval[[]axeViolation](t, tb, axeRun)
		if p.dark {
			// Dark mode has its own colours: check one page per template.
			c.background["light"] = eval[string](t, tb, bodyBackground)
			setColorScheme(t, tb, "dark")
			c.violations["dark"] = eval[[]axeViolation](t, tb, axeRun)
			c.background["dark"] = eval[string](t, tb, bodyBackground)
			setColorScheme(t, tb, "light")
		}
		c.problems = tb.take()
		checks = append(checks, c)
	}
	// Requests that come after the last load (browsers ask for the favicon
	// then) belong to the last page.
	if len(checks) > 0 {
		if err := chromedp.Do(tb.ctx, chromedp.Navigate("about:blank")); err != nil {
			t.Fatal(err)
		}
		checks[len(checks)-1].problems = append(checks[len(checks)-1].problems, tb.take()...)
	}
	return checks
}

// selfCheck breaks the site's 404 page on purpose (no lang, no h1, an
// image without alt text that does not load, a console error) and fails the test
// unless axe and the tab's recorder see it: a check that sees nothing
// proves nothing.
func selfCheck(t *testing.T, tb *tab, st *site, axe string) {
	t.Helper()
	tb.open(t, st.url("/no-such-page"))
	tb.take()
	eval[bool](t, tb, `new Promise(done => {
		document.documentElement.removeAttribute('lang');
		document.querySelectorAll('h1').forEach(h => h.remove());
		const img = document.createElement('img');
		img.onerror = img.onload = () => done(true);
		img.src = '/canary-missing.png';
		document.body.append(img);
		console.error('canary');
	})`)
	if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](axe)); err != nil {
		t.Fatalf("inject axe-core: %v", err)
	}
	found := map[string]bool{}
	for _, v := range eval[[]axeViolation](t, tb, axeRun) {
		found[v.ID] = true
	}
	// page-has-heading-one is a best practice: it shows those rules run too.
	if !found["image-alt"] || !found["html-has-lang"] || !found["page-has-heading-one"] {
		t.Fatalf("axe-core did not report image-alt, html-has-lang and page-has-heading-one on a page that breaks all three (got %v)", found)
	}
	got := strings.Join(tb.take(), "\n")
	if !strings.Contains(got, "canary") || !strings.Contains(got, "404") {
		t.Fatalf("the tab did not record a console error and a 404 on a page that has both; it recorded:\n%s", got)
	}
}

// bodyBackground is the colour the page paints behind its text.
const bodyBackground = `(() => {
	for (const el of [document.body, document.documentElement]) {
		const c = getComputedStyle(el).backgroundColor;
		if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c;
	}
	return 'none (the browser default)';
})()`

// testDarkMode checks that pages change colours when the reader prefers a
// dark scheme (issue 4: "dark mode by prefers-color-scheme").
func testDarkMode(t *testing.T, checks []pageCheck) {
	for _, c := range checks {
		light, ok := c.background["light"]
		if !ok {
			continue
		}
		if dark := c.background["dark"]; dark == light {
			t.Errorf("%s: the background is %s in both light and dark mode", c.page, light)
		}
	}
}

// setColorScheme emulates prefers-color-scheme.
func setColorScheme(t *testing.T, tb *tab, scheme string) {
	t.Helper()
	_, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		t.Fatalf("emulate prefers-color-scheme: %s: %v", scheme, err)
	}
}

// testAxe reports every axe-core violation with its rule, help text and the
// offending elements.
func testAxe(t *testing.T, st *site, checks []pageCheck) {
	total, dark := 0, 0
	for _, c := range checks {
		if _, ok := c.violations["dark"]; ok {
			dark++
		}
		for _, scheme := range []string{"light", "dark"} {
			for _, v := range c.violations[scheme] {
				if scheme == "dark" && sameViolation(c.violations["light"], v) {
					continue // reported once, for light
				}
				total++
				var b strings.Builder
				fmt.Fprintf(&b, "%s [%s]: axe %s (%s): %s", c.page, scheme, v.ID, v.Impact, v.Help)
				for _, n := range v.Nodes {
					fmt.Fprintf(&b, "\n\t%s\n\t\t%s", n.Target, n.HTML)
					if n.Summary != "" {
						fmt.Fprintf(&b, "\n\t\t%s", strings.ReplaceAll(n.Summary, "\n", "\n\t\t"))
					}
				}
				t.Error(b.String())
			}
		}
	}
	t.Logf("%s: axe-core: %d pages (%d of them in dark mode too), %d violations", st.name, len(checks), dark, total)
}

func sameViolation(list []axeViolation, v axeViolation) bool {
	for _, w := range list {
		if w.ID == v.ID && len(w.Nodes) == len(v.Nodes) {
			return true
		}
	}
	return false
}

// testConsole reports console errors, uncaught exceptions and failed
// requests, page by page.
func testConsole(t *testing.T, st *site, checks []pageCheck) {
	total := 0
	for _, c := range checks {
		for _, p := range c.problems {
			total++
			t.Errorf("%s: %s", c.page, p)
		}
	}
	t.Logf("%s: %d pages, %d console errors or failed requests", st.name, len(checks), total)
}

// testLineLanguage checks that every line on call, line and range pages is
// marked with its call's language (issue 4: "each line's language is
// marked"), so that screen readers pronounce it right.
func testLineLanguage(t *testing.T, st *site) {
	a, problems := transcript.LoadDir(st.dir)
	if a == nil || len(a.Calls) == 0 {
		t.Fatalf("load %s: %v", st.dir, problems)
	}
	for _, c := range a.Calls {
		call := "/calls/" + url.PathEscape(c.Slug)
		n := len(c.Lines)
		for _, path := range []string{call, call + "/L1", fmt.Sprintf("%s/L1-L%d", call, n)} {
			_, body := st.srv.get(t, path)
			doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range c.Lines {
				el := doc.Find("#L" + strconv.Itoa(l.N))
				if el.Length() == 0 {
					continue // a line page shows only the lines around its own
				}
				got := el.Closest("[lang]").AttrOr("lang", "")
				if !sameLanguage(got, c.Language) {
					t.Errorf("%s: line %d is marked lang=%q; the call's language is %q", path, l.N, got, c.Language)
				}
			}
		}
	}
}

// sameLanguage compares two BCP 47 tags by their primary language.
func sameLanguage(a, b string) bool {
	primary := func(s string) string { p, _, _ := strings.Cut(strings.ToLower(s), "-"); return p }
	return a != "" && primary(a) == primary(b)
}

// testPages is the validator half of TestBrowser for one archive (the
// Nu HTML Checker runs once for all archives).
func testPages(t *testing.T, s *suite, st *site) {
	t.Run("links", func(t *testing.T) { testLinks(t, st, st.seeds, st.pages) })
	t.Run("line language", func(t *testing.T) { testLineLanguage(t, st) })
	t.Run("no inline script", func(t *testing.T) { testNoInlineScript(t, st, st.pages) })
	t.Run("browser", func(t *testing.T) {
		checks := visitPages(t, s, st, st.pages)
		t.Run("axe", func(t *testing.T) { testAxe(t, st, checks) })
		t.Run("console", func(t *testing.T) { testConsole(t, st, checks) })
		t.Run("dark mode", func(t *testing.T) { testDarkMode(t, checks) })
	})
}

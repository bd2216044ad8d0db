package web

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/markdown"
	"backchannel/internal/transcript"
)

// readPayloads reads testdata/xss-payloads.txt.
func readPayloads(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile("testdata/xss-payloads.txt")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		if line == "" || line == "#" || strings.HasPrefix(line, "# ") {
			continue
		}
		out = append(out, strings.ReplaceAll(line, `\n`, "\n"))
	}
	if len(out) < 100 {
		t.Fatalf("only %d payloads", len(out))
	}
	return out
}

// allPayloadsSlug is the call whose lines are the payloads, one a line.
const allPayloadsSlug = "2024-05-02-all-payloads"

func payloadSlug(i int) string    { return fmt.Sprintf("2024-05-01-xss-%03d", i) }
func payloadSpeaker(i int) string { return fmt.Sprintf("xss-speaker-%03d", i) }

// payloadArchive is a fictional archive with one call per payload: the
// payload is its title, its speaker's name and role, the source's
// publisher, URL, date and note, the summary (Markdown), and its lines.
func payloadArchive(payloads []string) *transcript.Archive {
	a := &transcript.Archive{}
	for i, p := range payloads {
		a.Calls = append(a.Calls, &transcript.Call{
			Slug:         payloadSlug(i),
			Title:        p,
			Date:         "2024-05-01",
			Language:     "en",
			Completeness: transcript.Excerpt,
			Source:       transcript.Source{Publisher: p, URL: p, Published: p, Note: p},
			Participants: []transcript.Participant{
				{ID: payloadSpeaker(i), Name: p, Role: p, Labels: []string{"XS"}},
			},
			Summary: p,
			Lines: []transcript.Line{
				{N: 1, Kind: transcript.Turn, Speaker: payloadSpeaker(i), Text: p, Time: -1},
				{N: 2, Kind: transcript.Direction, Text: "[" + p + "]", Time: -1},
				{N: 3, Kind: transcript.Turn, Speaker: payloadSpeaker(i), Text: "before " + p + "\n\n" + p + " after", Time: 12},
			},
		})
	}
	all := &transcript.Call{
		Slug: allPayloadsSlug, Title: "Every payload, one a line", Date: "2024-05-02", Language: "en",
		Completeness: transcript.Complete,
		Participants: []transcript.Participant{{ID: payloadSpeaker(0), Name: payloads[0], Role: payloads[1], Labels: []string{"XS"}}},
		Summary:      strings.Join(payloads, "\n\n"),
	}
	for i, p := range payloads {
		kind, speaker := transcript.Turn, payloadSpeaker(0)
		if i%5 == 4 {
			kind, speaker, p = transcript.Direction, "", "["+p+"]"
		}
		all.Lines = append(all.Lines, transcript.Line{N: i + 1, Kind: kind, Speaker: speaker, Text: p, Time: float64(i)})
	}
	a.Calls = append(a.Calls, all)
	return a
}

// payloadNotes are notes on a payload call whose headnote and notes hold
// the payload as Markdown, as text, as a link and as an autolink.
func payloadNotes(t testing.TB, c *transcript.Call, p string) *annotate.Notes {
	t.Helper()
	src := p + "\n\n## L1\n\n" + p + "\n\n## L1-L3\n\n[see](" + p + ") and <" + p + ">\n\n## L3\n\n> " + p + "\n"
	ns, _ := annotate.Parse(c.Slug+".notes.md", []byte(src))
	if ns == nil {
		return nil
	}
	ns.Attach(c)
	return ns
}

// payloadServer serves the payload archive with notes; its fake index
// answers every search with hits, fragments, facets, a parsed query and
// suggestions made of the searched text, and a query starting with
// "bad " with an ErrBadQuery whose message carries the text.
func payloadServer(t testing.TB, payloads []string) (*Server, *transcript.Archive) {
	t.Helper()
	a := payloadArchive(payloads)
	notes := map[string]*annotate.Notes{}
	for i, c := range a.Calls {
		p := strings.Join(payloads[:10], " ")
		if i < len(payloads) {
			p = payloads[i]
		}
		if ns := payloadNotes(t, c, p); ns != nil {
			notes[c.Slug] = ns
		}
	}
	if len(notes) < len(payloads)/2 {
		t.Fatalf("only %d of %d payload notes files parse", len(notes), len(payloads))
	}
	lib := &notesLibrary{fakeLibrary: &fakeLibrary{}, notes: notes}
	lib.ArchiveFunc = func() *transcript.Archive { return a }
	lib.SearchFunc = func(_ context.Context, q index.Query) (*index.Result, error) {
		p := q.Text
		if rest, ok := strings.CutPrefix(p, "bad "); ok {
			return nil, fmt.Errorf("%w: cannot search for %s", index.ErrBadQuery, rest)
		}
		slug := payloadSlug(0)
		for i, pl := range payloads {
			if pl == p {
				slug = payloadSlug(i)
			}
		}
		return &index.Result{
			Total: 3,
			Hits: []index.Hit{
				{Call: slug, Line: 1, Speaker: payloadSpeaker(0), Text: p,
					Fragments: []index.Fragment{{Text: p + " " + p, Marks: []index.Span{{Start: 0, End: len(p)}}}, {Text: p}}, Terms: []string{p}},
				{Call: slug, Line: 2, Text: "[" + p + "]", Fragments: []index.Fragment{{Text: "[" + p + "]"}}},
				{Call: "gone-call", Line: 7, Speaker: p, Text: p, Date: p, Terms: []string{p}},
			},
			Facets: index.Facets{
				Speaker:  []index.FacetCount{{Value: payloadSpeaker(0), Count: 1}, {Value: p, Count: 1}},
				Call:     []index.FacetCount{{Value: slug, Count: 1}, {Value: p, Count: 1}},
				Language: []index.FacetCount{{Value: p, Count: 1}},
			},
			Parsed:      p,
			Suggestions: []string{p, p + " x"},
		}, nil
	}
	s, err := NewServer(Config{Library: lib, Notes: lib, Assets: os.DirFS("../../web")})
	if err != nil {
		t.Fatal(err)
	}
	return s, a
}

// scriptRisks walks a page with the HTML tokenizer and lists everything
// that could run script or load from elsewhere: script-capable elements
// (other than the site's own app.js and same-origin links), on*
// attributes and other script-bearing attributes, and URL attributes
// whose scheme is not http, https or mailto, judged as a browser reads
// them (entities decoded, tabs and newlines dropped, leading control
// characters and spaces trimmed).
func scriptRisks(page string) []string {
	var bad []string
	z := html.NewTokenizer(strings.NewReader(page))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return bad
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		switch tok.Data {
		case "script":
			if src := attr(tok, "src"); !strings.HasPrefix(src, "/static/app.js?v=") || len(tok.Attr) > 2 {
				bad = append(bad, "script element")
			}
		case "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base",
			"svg", "math", "style", "img", "image", "video", "audio", "source", "track":
			// Script-capable, or loading from elsewhere; the site's
			// templates use none of them.
			bad = append(bad, "element "+tok.Data)
		case "form":
			if attr(tok, "action") != "/search" {
				bad = append(bad, "form with action "+attr(tok, "action"))
			}
		case "link":
			if href := attr(tok, "href"); !strings.HasPrefix(href, "/") || strings.HasPrefix(href, "//") || strings.EqualFold(attr(tok, "rel"), "import") {
				bad = append(bad, "link to "+href)
			}
		case "meta":
			if attr(tok, "http-equiv") != "" {
				bad = append(bad, "meta http-equiv")
			}
		}
		for _, a := range tok.Attr {
			k := strings.ToLower(a.Key)
			if a.Namespace != "" {
				k = a.Namespace + ":" + k
			}
			switch k {
			case "style", "srcdoc", "formaction", "xlink:href", "background", "dynsrc", "lowsrc":
				bad = append(bad, "attribute "+k)
				continue
			case "href", "src", "action", "data", "poster", "cite", "ping", "codebase":
				if s := urlScheme(a.Val); s != "" && s != "http" && s != "https" && s != "mailto" {
					bad = append(bad, "URL scheme "+s+" in "+k)
				}
			}
			if strings.HasPrefix(k, "on") {
				bad = append(bad, "attribute "+k)
			}
		}
	}
}

// urlScheme is the scheme a browser would see in an attribute value (the
// tokenizer has already decoded entities), lower-cased; "" for a relative
// URL.
func urlScheme(v string) string {
	v = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return -1
		}
		return r
	}, v)
	v = strings.TrimLeft(v, "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f ")
	i := strings.IndexAny(v, ":/?#")
	if i <= 0 || v[i] != ':' {
		return ""
	}
	return strings.ToLower(v[:i])
}

func TestScriptRisks(t *testing.T) {
	// The checker itself must see what a browser would run.
	for _, tc := range []struct {
		page string
		bad  bool
	}{
		{`<p>plain &lt;script&gt;</p>`, false},
		{`<a href="/calls/x#L1">x</a><a href="https://x.example/">y</a><a href="mailto:a@b.example">z</a>`, false},
		{`<script src="/static/app.js?v=1" defer></script>`, false},
		{`<script>x</script>`, true},
		{`<a href="&#106;avascript:x">x</a>`, true},
		{`<a href="java&#x09;script:x">x</a>`, true},
		{`<a href=" JAVASCRIPT:x">x</a>`, true},
		{`<a href="vbscript:x">x</a>`, true},
		{`<a href="data:text/html,x">x</a>`, true},
		{`<p onclick="x">x</p>`, true},
		{`<svg><a xlink:href="/x">x</a></svg>`, true},
		{`<img src=x>`, true},
		{`<meta http-equiv="refresh" content="0;url=/">`, true},
	} {
		if got := len(scriptRisks(tc.page)) > 0; got != tc.bad {
			t.Errorf("scriptRisks(%q) found something: %v, want %v", tc.page, got, tc.bad)
		}
	}
}

// TestXSSPayloads renders every payload through every path that shows
// text, and walks each page with the HTML tokenizer: no script-capable
// element, no on* attribute, no URL scheme other than http, https and
// mailto. Lines and titles still show the payloads, as text.
func TestXSSPayloads(t *testing.T) {
	payloads := readPayloads(t)
	s, a := payloadServer(t, payloads)

	pages := 0
	for i, p := range payloads {
		slug, q := payloadSlug(i), url.QueryEscape(p)
		targets := []string{
			"/calls/" + slug,
			"/calls/" + slug + "?hl=" + q,
			"/calls/" + slug + "/L1",
			"/calls/" + slug + "/L1-L3",
			"/speakers/" + payloadSpeaker(i),
			"/search?q=" + q,
			"/search?q=" + q + "&speaker=" + q,
			"/search?q=" + q + "&speaker=" + payloadSpeaker(0) + "&call=" + slug,
			"/search?q=" + url.QueryEscape("bad "+p),
			"/search?q=" + url.QueryEscape("in:notes "+p),
			"/search?q=x&after=" + q,
			"/calls/" + url.PathEscape(p),
			"/speakers/" + url.PathEscape(p),
			"/" + url.PathEscape(p),
		}
		for _, target := range targets {
			rec := get(t, s, target)
			if rec.Code >= 500 {
				t.Errorf("payload %d: GET %s: %d", i, target, rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html; charset=utf-8") {
				t.Errorf("payload %d: GET %s: Content-Type %q", i, target, ct)
				continue
			}
			if bad := scriptRisks(rec.Body.String()); len(bad) > 0 {
				t.Errorf("payload %d %q: GET %s: %v", i, p, target, bad)
			}
			pages++
		}
		// The line is all there, as text.
		doc := mustDoc(t, get(t, s, "/calls/"+slug))
		if got := oneLine(doc.Find("#L1 .line-text").Text()); got != oneLine(p) {
			t.Errorf("payload %d: line 1 shows %q, want the payload as text", i, got)
		}
		if got := oneLine(doc.Find("h1").First().Text()); !strings.Contains(got, oneLine(p)) {
			t.Errorf("payload %d: title shows %q", i, got)
		}
		// Markdown as notes and summaries render it, directly.
		for _, src := range []string{p, "[x](" + p + ")", "<" + p + ">", "> " + p} {
			h, err := markdown.Render([]byte(src))
			if err != nil {
				t.Errorf("payload %d: markdown.Render: %v", i, err)
				continue
			}
			if bad := scriptRisks(string(h)); len(bad) > 0 {
				t.Errorf("payload %d: markdown.Render(%q): %v", i, src, bad)
			}
		}
	}
	for _, target := range []string{"/", "/calls/" + allPayloadsSlug, "/calls/" + allPayloadsSlug + "?hl=script+alert+javascript+onerror",
		"/calls/" + allPayloadsSlug + "/L1-L60", "/speakers/" + payloadSpeaker(0)} {
		rec := get(t, s, target)
		if rec.Code != 200 {
			t.Errorf("GET %s: %d", target, rec.Code)
		} else if bad := scriptRisks(rec.Body.String()); len(bad) > 0 {
			t.Errorf("GET %s (every payload on one page): %v", target, bad)
		}
		pages++
	}
	for _, c := range a.Calls[:3] {
		if rec := get(t, s, "/calls/"+c.Slug+".txt"); !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
			t.Errorf("%s.txt: Content-Type %q", c.Slug, rec.Header().Get("Content-Type"))
		}
	}
	t.Logf("%d payloads, %d HTML pages walked", len(payloads), pages)
}

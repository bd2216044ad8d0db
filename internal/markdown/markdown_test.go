package markdown

import (
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// unsafeParts walks rendered HTML and lists everything that could run code
// or load a remote resource: script-capable elements, on* attributes, style
// attributes and links with a scheme outside http, https, mailto.
func unsafeParts(t testing.TB, s string) []string {
	t.Helper()
	var bad []string
	z := html.NewTokenizer(strings.NewReader(s))
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
		case "script", "iframe", "object", "embed", "img", "svg", "math", "style", "link", "meta", "base", "form", "input":
			bad = append(bad, "element "+tok.Data)
		}
		for _, a := range tok.Attr {
			k := strings.ToLower(a.Key)
			if strings.HasPrefix(k, "on") || k == "style" || k == "src" || k == "srcdoc" {
				bad = append(bad, "attribute "+k)
			}
			if k == "href" {
				u, err := url.Parse(a.Val)
				if err != nil {
					bad = append(bad, "unparseable href "+a.Val)
					continue
				}
				switch strings.ToLower(u.Scheme) {
				case "", "http", "https", "mailto":
				default:
					bad = append(bad, "href scheme "+u.Scheme)
				}
			}
		}
	}
}

func TestRender(t *testing.T) {
	tests := []struct {
		name     string
		src      string
		contains []string
		absent   []string
	}{
		{"emphasis and link", "Said *twice*, see [the report](https://example.org/r).",
			[]string{"<em>twice</em>", `href="https://example.org/r"`, `rel="nofollow"`}, nil},
		{"heading shifted below page headings", "# Context\n\n## More", []string{"<h3>Context</h3>", "<h4>More</h4>"}, []string{"<h1>", "<h2>"}},
		{"raw html dropped", "Hi <script>alert(1)</script> <b onclick=x>bold</b>", nil, []string{"<script", "onclick", "<b"}},
		{"javascript link dropped", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"entity-encoded javascript link dropped", "[x](&#106;avascript:alert(1))", nil, []string{"avascript:"}},
		{"data link dropped", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", nil, []string{"data:"}},
		{"vbscript link dropped", "[x](vbscript:msgbox)", nil, []string{"vbscript"}},
		{"images removed", "![pic](https://evil.example/p.png)", nil, []string{"<img", "evil.example"}},
		{"attribute syntax not enabled", "# Title {onclick=alert(1)}", nil, []string{`onclick="`}},
		{"autolink", "See https://example.org/a now.", []string{`href="https://example.org/a"`}, nil},
		{"mailto kept", "<mailto:desk@example.org>", []string{`href="mailto:desk@example.org"`}, nil},
		{"footnote", "Claim.[^1]\n\n[^1]: Source.", []string{`id="fn:1"`, `href="#fn:1"`}, nil},
		{"table without inline style", "| a | b |\n|:-|-:|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, []string{"style=", "align="}},
		{"apostrophes kept as written", "don't and don’t", []string{"don&#39;t and don’t"}, []string{"&rsquo;"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Render([]byte(tt.src))
			if err != nil {
				t.Fatal(err)
			}
			s := string(got)
			for _, want := range tt.contains {
				if !strings.Contains(s, want) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, s, want)
				}
			}
			for _, no := range tt.absent {
				if strings.Contains(s, no) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, s, no)
				}
			}
			if bad := unsafeParts(t, s); len(bad) > 0 {
				t.Errorf("Render(%q) = %q has unsafe parts %v", tt.src, s, bad)
			}
		})
	}
}

// xssPayloads are well-known script injection shapes, assembled here.
var xssPayloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)>`,
	`" onmouseover="alert(1)`,
	`[a](javascript:alert(1))`,
	`[a](JaVaScRiPt:alert(1))`,
	`[a](java&#x09;script:alert(1))`,
	`[a](&#x6A;avascript:alert(1))`,
	`[a](  javascript:alert(1))`,
	`<a href="javascript:alert(1)">x</a>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`[a](data:text/html,<script>alert(1)</script>)`,
	`![x](javascript:alert(1))`,
	`<details open ontoggle=alert(1)>`,
	`<style>*{background:url(javascript:alert(1))}</style>`,
	"`<script>` in code",
	`[a]: javascript:alert(1)` + "\n\n[a]",
	`<https://example.org/" onmouseover="alert(1)>`,
}

func TestRender_XSS(t *testing.T) {
	for _, p := range xssPayloads {
		got, err := Render([]byte(p))
		if err != nil {
			t.Fatalf("Render(%q): %v", p, err)
		}
		if bad := unsafeParts(t, string(got)); len(bad) > 0 {
			t.Errorf("Render(%q) = %q has unsafe parts %v", p, got, bad)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"paragraphs", "First *one*.\n\nSecond [link](https://example.org) here.", "First one.\n\nSecond link here."},
		{"soft break", "a\nb", "a b"},
		{"list", "- one\n- two", "one\n\ntwo"},
		{"raw html skipped", "a <b>bold</b> c", "a bold c"},
		{"code block", "```\nx := 1\n```", "x := 1"},
		{"apostrophes unchanged", "don’t", "don’t"},
		{"invalid utf-8 replaced", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := PlainText([]byte(tt.src)); got != tt.want {
				t.Errorf("PlainText(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}
}

func FuzzRender(f *testing.F) {
	for _, p := range xssPayloads {
		f.Add(p)
	}
	f.Add("# h\n\n*a* [b](https://c) [^1]\n\n[^1]: d")
	f.Fuzz(func(t *testing.T, src string) {
		got, err := Render([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		if bad := unsafeParts(t, string(got)); len(bad) > 0 {
			t.Errorf("Render(%q) = %q has unsafe parts %v", src, got, bad)
		}
		_ = PlainText([]byte(src))
	})
}

package mirror

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFileOf(t *testing.T) {
	tests := []struct {
		site      string
		file      string
		keepQuery bool
		ok        bool
	}{
		{"/", "index.html", false, true},
		{"/search?q=annex", "search/index.html", true, true},
		{"/search/help", "search/help/index.html", false, true},
		{"/api", "api/index.html", false, true},
		{"/calls/a-call", "calls/a-call/index.html", true, true},
		{"/calls/a-call?hl=annex", "calls/a-call/index.html", true, true},
		{"/calls/a-call.txt", "calls/a-call.txt", false, true},
		{"/calls/a-call.json", "calls/a-call.json", false, true},
		{"/calls/a-call.csv", "calls/a-call.csv", false, true},
		{"/calls/a-call/L7", "calls/a-call/L7/index.html", false, true},
		{"/calls/a-call/L3-L9", "calls/a-call/L3-L9/index.html", false, true},
		{"/calls/a-call/L7x", "", false, false},
		{"/calls/a-call/history", "calls/a-call/history/index.html", false, true},
		{"/calls/a-call@8c239426c3f4", "calls/a-call/index.html", true, true},
		{"/calls/a-call@8c23942", "calls/a-call/index.html", true, true},
		{"/calls/a-call@8c23942/L7", "calls/a-call/L7/index.html", false, true},
		{"/calls/a-call@8c23942.txt", "calls/a-call.txt", false, true},
		{"/calls/a-call@0123456789ab", "calls/a-call@0123456789ab/index.html", true, true},
		{"/calls/a-call@0123456789ab/L3-L4", "calls/a-call@0123456789ab/L3-L4/index.html", false, true},
		{"/calls/a-call@0123456789ab.json", "calls/a-call@0123456789ab.json", false, true},
		{"/api/v1/calls/a-call/versions", "api/v1/calls/a-call/versions.json", false, true},
		{"/calls/a%20call/L7", "calls/a call/L7/index.html", false, true},
		{"/speakers/ada", "speakers/ada/index.html", false, true},
		{"/speakers/ada?page=1", "speakers/ada/index.html", false, true},
		{"/speakers/ada?page=3", "speakers/ada/page-3.html", false, true},
		{"/speakers/ada?page=x", "", false, false},
		{"/static/app.css?v=08fb777f5986", "static/app.css", false, true},
		{"/feed.atom", "feed.atom", false, true},
		{"/sitemap.xml", "sitemap.xml", false, true},
		{"/api/v1/calls", "api/v1/calls.json", false, true},
		{"/api/v1/calls/a-call", "api/v1/calls/a-call.json", false, true},
		{"/api/v1/speakers", "api/v1/speakers.json", false, true},
		{"/api/v1/speakers/ada", "api/v1/speakers/ada.json", false, true},
		{"/api/v1/calls.csv", "api/v1/calls.csv", false, true},
		{"/api/v1/export.ndjson", "api/v1/export.ndjson", false, true},
		{"/api/v1/search?q=x", "", false, false},
		{"/healthz", "", false, false},
		{"/calls/../etc/passwd", "", false, false},
		{"/calls//L1", "", false, false},
	}
	for _, tt := range tests {
		u, err := url.Parse(tt.site)
		if err != nil {
			t.Fatal(err)
		}
		current := func(slug string) string {
			if slug == "a-call" {
				return "8c239426c3f4"
			}
			return ""
		}
		file, keep, ok := fileOf(u.Path, u.Query(), current)
		if file != tt.file || keep != tt.keepQuery || ok != tt.ok {
			t.Errorf("fileOf(%q) = %q, %v, %v; want %q, %v, %v", tt.site, file, keep, ok, tt.file, tt.keepQuery, tt.ok)
		}
	}
}

func TestRelative(t *testing.T) {
	tests := []struct{ from, to, want string }{
		{"index.html", "calls/a/index.html", "calls/a/index.html"},
		{"calls/a/index.html", "index.html", "../../index.html"},
		{"calls/a/index.html", "calls/a/L7/index.html", "L7/index.html"},
		{"calls/a/L7/index.html", "calls/a/index.html", "../index.html"},
		{"calls/a/L7/index.html", "calls/b/index.html", "../../b/index.html"},
		{"calls/a/index.html", "calls/a.txt", "../a.txt"},
		{"search/index.html", "search/index.html", "index.html"},
		{"index.html", "calls/a b#?/index.html", "calls/a%20b%23%3F/index.html"},
		{"index.html", "speakers/x:y/index.html", "speakers/x%3Ay/index.html"},
	}
	for _, tt := range tests {
		if got := relative(tt.from, tt.to); got != tt.want {
			t.Errorf("relative(%q, %q) = %q, want %q", tt.from, tt.to, got, tt.want)
		}
	}
}

func TestRewriteHTML(t *testing.T) {
	page := `<!DOCTYPE html>
<html><head><link rel="canonical" href="/calls/a/L7"><link rel="stylesheet" href="/static/app.css?v=1">
<script>if (a < b && "</p>") {}</script></head>
<body><a href="/calls/a#L7">in context</a> <a href="https://elsewhere.example/x">out</a> <a href="#L8">8</a>
<form action="/search"><input name="q"></form><a href="/search?q=annex&amp;speaker=ada">s</a>
<a href="/calls/a/L3-L5">range</a><a href="/calls/a?hl=fish#L2">hl</a><a href="/api/v1/search?q=x">api</a>
<p title="/calls/a">Text with /calls/a and &lt;b&gt;</p><img src="/static/favicon.svg?v=2"></body></html>`
	var linked, unmapped []string
	l := &linker{
		base:     "https://archive.example.org",
		link:     func(site, file string) { linked = append(linked, site+" "+file) },
		unmapped: func(site string) { unmapped = append(unmapped, site) },
	}
	var b strings.Builder
	if err := l.rewriteHTML(&b, []byte(page), "calls/a/L7/index.html", false, "<script src=\"../../../static/mirror.js\"></script>"); err != nil {
		t.Fatal(err)
	}
	want := `<!DOCTYPE html>
<html><head><link rel="canonical" href="https://archive.example.org/calls/a/L7"><link rel="stylesheet" href="../../../static/app.css">
<script>if (a < b && "</p>") {}</script><script src="../../../static/mirror.js"></script></head>
<body><a href="../index.html#L7">in context</a> <a href="https://elsewhere.example/x">out</a> <a href="#L8">8</a>
<form action="../../../search/index.html"><input name="q"></form><a href="../../../search/index.html?q=annex&amp;speaker=ada">s</a>
<a href="../L3-L5/index.html">range</a><a href="../index.html?hl=fish#L2">hl</a><a href="/api/v1/search?q=x">api</a>
<p title="/calls/a">Text with /calls/a and &lt;b&gt;</p><img src="../../../static/favicon.svg"></body></html>`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/api/v1/search?q=x"}, unmapped); diff != "" {
		t.Errorf("unmapped (-want +got):\n%s", diff)
	}
	if !strings.Contains(strings.Join(linked, "\n"), "/calls/a/L3-L5 calls/a/L3-L5/index.html") {
		t.Errorf("the range link was not reported: %q", linked)
	}

	// 404.html is served at any address: its links start at the root.
	b.Reset()
	if err := l.rewriteHTML(&b, []byte(`<a href="/calls/a#L7">x</a>`), "404.html", true, ""); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); got != `<a href="/calls/a/index.html#L7">x</a>` {
		t.Errorf("404 link %s", got)
	}
}

func TestWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"Don’t say it's over.", []string{"dont", "say", "its", "over"}},
		{"Renée’s CAFÉ — naïve", []string{"renees", "cafe", "naive"}},
		{"e-mail: x@y, 2025-10-14", []string{"e", "mail", "x", "y", "2025", "10", "14"}},
		{"Ушаков сказал", []string{"ушаков", "сказал"}},
		{"ﬁne ２０", []string{"fine", "20"}}, // compatibility forms
		{"", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, words(tt.in)); diff != "" {
			t.Errorf("words(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestShardOf(t *testing.T) {
	// FNV-1a of the UTF-8 bytes, as mirror.js computes it: fixed values
	// catch a change on either side.
	for term, want := range map[string]int{"": 0xc5, "a": 0x2c} {
		if got := shardOf(term); got != want {
			t.Errorf("shardOf(%q) = %#x, want %#x", term, got, want)
		}
	}
}

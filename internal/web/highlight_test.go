package web

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/index"
)

func TestMarkTerms(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		terms []string
		want  []segment
	}{
		{"no terms", "a b", nil, []segment{{Text: "a b"}}},
		{"case-insensitive", "Word for word", []string{"WORD"},
			[]segment{{Text: "Word", Mark: true}, {Text: " for "}, {Text: "word", Mark: true}}},
		{"straight term, curly text", "I’ll pass it", []string{"i'll"},
			[]segment{{Text: "I’ll", Mark: true}, {Text: " pass it"}}},
		{"curly term, straight text", "I don't know", []string{"don’t"},
			[]segment{{Text: "I "}, {Text: "don't", Mark: true}, {Text: " know"}}},
		{"whole words only", "formal informal", []string{"formal"},
			[]segment{{Text: "formal", Mark: true}, {Text: " informal"}}},
		{"overlapping terms merge", "peace plan", []string{"peace plan", "plan"},
			[]segment{{Text: "peace plan", Mark: true}}},
		{"parts of a word are not words", "ab", []string{"a", "b"}, []segment{{Text: "ab"}}},
		{"markup is text", "<b>bold</b>", []string{"b"},
			[]segment{{Text: "<"}, {Text: "b", Mark: true}, {Text: ">bold</"}, {Text: "b", Mark: true}, {Text: ">"}}},
		{"cyrillic", "Мы сделаем эту бумагу", []string{"БУМАГУ"},
			[]segment{{Text: "Мы сделаем эту "}, {Text: "бумагу", Mark: true}}},
		{"ellipsis boundary", "problem… the war", []string{"problem"},
			[]segment{{Text: "problem", Mark: true}, {Text: "… the war"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := markTerms(tt.text, tt.terms)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("markTerms(%q, %q) (-want +got):\n%s", tt.text, tt.terms, diff)
			}
			var joined string
			for _, s := range got {
				joined += s.Text
			}
			if joined != tt.text {
				t.Errorf("segments join to %q, want the text unchanged", joined)
			}
		})
	}
}

func TestHLTerms(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{"word for word", []string{"word", "for"}},
		{"“peace”  plan.", []string{"peace", "plan"}},
		{"don’t DON'T", []string{"don’t"}},
		{"... --- ", nil},
		{"\xff", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, hlTerms(tt.in)); diff != "" {
			t.Errorf("hlTerms(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
	many := ""
	for i := 0; i < 50; i++ {
		many += string(rune('a'+i%26)) + string(rune('a'+i/26)) + " "
	}
	if got := len(hlTerms(many)); got != maxHLTerms {
		t.Errorf("%d terms kept, want at most %d", got, maxHLTerms)
	}
}

func TestFragmentSegments(t *testing.T) {
	tests := []struct {
		name string
		in   index.Fragment
		want []segment
	}{
		{"a mark", marked("a <mark>b</mark> c"), []segment{{Text: "a "}, {Text: "b", Mark: true}, {Text: " c"}}},
		{"markup is text", marked("<b> & <mark>x</mark>"), []segment{{Text: "<b> & "}, {Text: "x", Mark: true}}},
		{"marks that touch are one", marked("<mark>東</mark><mark>京</mark>へ"), []segment{{Text: "東京", Mark: true}, {Text: "へ"}}},
		{"not UTF-8", marked("\xff<mark>\xfe</mark>"), []segment{{Text: "\uFFFD"}, {Text: "\uFFFD", Mark: true}}},
		{"marks out of range are left out", index.Fragment{Text: "ab", Marks: []index.Span{{Start: 1, End: 9}, {Start: 1, End: 0}}},
			[]segment{{Text: "ab"}}},
		{"overlapping marks: the first", index.Fragment{Text: "abc", Marks: []index.Span{{Start: 0, End: 2}, {Start: 1, End: 3}}},
			[]segment{{Text: "ab", Mark: true}, {Text: "c"}}},
		{"empty", index.Fragment{}, nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, fragmentSegments(tt.in)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, diff)
		}
	}
	if got := segmentsHTML(fragmentSegments(marked(`<mark>a&b</mark><img onerror=x>`))); got != `<mark>a&amp;b</mark>&lt;img onerror=x&gt;` {
		t.Errorf("segmentsHTML = %q", got)
	}
}

func TestUnsafeHTMLChecker(t *testing.T) {
	// The XSS test's checker must catch what it is meant to.
	for _, page := range []string{
		`<script>alert(1)</script>`,
		`<p onclick="x">`,
		`<a href="javascript:alert(1)">`,
		`<a href=" JavaScript:alert(1)">`,
		`<img src=x>`,
		`<div style="x">`,
	} {
		if len(unsafeHTML(page)) == 0 {
			t.Errorf("checker missed %q", page)
		}
	}
	if bad := unsafeHTML(`<script src="/static/app.js?v=1" defer></script><a href="/x">`); len(bad) != 0 {
		t.Errorf("checker flags the site's own page: %v", bad)
	}
}

func FuzzMarkTerms(f *testing.F) {
	f.Add("I’ll pass it, word for word.", "i'll word")
	f.Add("<script>", "script")
	f.Add("\xff\xfe", "\xff")
	f.Fuzz(func(t *testing.T, text, hl string) {
		var joined string
		for _, s := range markTerms(text, hlTerms(hl)) {
			joined += s.Text
		}
		if joined != text {
			t.Errorf("markTerms changed the text: %q -> %q", text, joined)
		}
	})
}

func FuzzFragmentSegments(f *testing.F) {
	f.Add("a b <c>", 2, 3)
	f.Add("<mark></mark>", 0, 6)
	f.Fuzz(func(t *testing.T, text string, start, end int) {
		frag := index.Fragment{Text: text, Marks: []index.Span{{Start: start, End: end}}}
		segs := fragmentSegments(frag)
		var joined string
		for _, s := range segs {
			joined += s.Text
		}
		if joined != strings.ToValidUTF8(text, "\uFFFD") && utf8.ValidString(text) {
			t.Errorf("segments of %q join to %q", text, joined)
		}
		out := segmentsHTML(segs)
		if bad := unsafeHTML("<p>" + out + "</p>"); len(bad) > 0 {
			t.Errorf("fragment %q gave unsafe %q: %v", text, out, bad)
		}
	})
}

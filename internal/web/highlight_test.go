package web

import (
	"reflect"
	"testing"
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
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("markTerms(%q, %q) = %+v, want %+v", tt.text, tt.terms, got, tt.want)
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
		if got := hlTerms(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("hlTerms(%q) = %q, want %q", tt.in, got, tt.want)
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

func TestParseFragment(t *testing.T) {
	tests := []struct {
		in   string
		want []segment
	}{
		{"a <mark>b</mark> c", []segment{{Text: "a "}, {Text: "b", Mark: true}, {Text: " c"}}},
		{"&lt;b&gt; &amp; <mark>x</mark>", []segment{{Text: "<b> & "}, {Text: "x", Mark: true}}},
		{"<script>x</script>", []segment{{Text: "<script>x</script>"}}},
		{"<mark>open", []segment{{Text: "open", Mark: true}}},
		{"close</mark> here", []segment{{Text: "close here"}}},
		{"", nil},
	}
	for _, tt := range tests {
		if got := parseFragment(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseFragment(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
	if got := segmentsHTML(parseFragment(`<mark>a&b</mark><img onerror=x>`)); got != `<mark>a&amp;b</mark>&lt;img onerror=x&gt;` {
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

func FuzzParseFragment(f *testing.F) {
	f.Add("a <mark>b</mark> &lt;c&gt;")
	f.Add("<mark><mark></mark>")
	f.Fuzz(func(t *testing.T, frag string) {
		out := segmentsHTML(parseFragment(frag))
		if bad := unsafeHTML("<p>" + out + "</p>"); len(bad) > 0 {
			t.Errorf("fragment %q gave unsafe %q: %v", frag, out, bad)
		}
	})
}

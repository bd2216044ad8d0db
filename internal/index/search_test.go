package index

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/google/go-cmp/cmp"
)

func TestFoldFilter(t *testing.T) {
	tests := []struct{ in, want string }{
		{"I’ll", "ill"},
		{"I'll", "ill"},
		{"Iʼll", "ill"},
		{"I＇ll", "ill"},
		{"That’s", "thats"},
		{"Renée", "renee"},
		{"Lefèvre", "lefevre"},
		{"naïve", "naive"},
		{"Ibáñez", "ibanez"},
		{"Straße", "strasse"},
		{"Ёлка", "елка"},
		{"Документы", "документы"},
		{"Cafe\u0301", "cafe"}, // decomposed é
		{"well–known", "wellknown"},
		{"’", ""},
	}
	for _, tt := range tests {
		ts := analysis.TokenStream{{Term: []byte(tt.in), Start: 3, End: 3 + len(tt.in), Position: 1}}
		out := foldFilter{}.Filter(ts)
		got := ""
		if len(out) == 1 {
			got = string(out[0].Term)
			if out[0].Start != 3 || out[0].End != 3+len(tt.in) {
				t.Errorf("foldTerm(%q) moved offsets to %d:%d", tt.in, out[0].Start, out[0].End)
			}
		}
		if got != tt.want {
			t.Errorf("foldTerm(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestAnalyzer is the regression table: each row a way people type a
// quote differently from how it was transcribed.
func TestAnalyzer(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	tests := []struct {
		name  string
		query string
		want  []string // every hit, in any order
	}{
		{"curly in text, straight in query", "I've read", []string{"2024-03-02-lefevre-obrien#1"}},
		{"straight in text, curly in query", "don’t think", []string{"2024-03-02-lefevre-obrien#2"}},
		{"no apostrophe at all", "wont sign", []string{"2024-03-02-lefevre-obrien#6"}},
		{"modifier-letter apostrophe", "wonʼt sign", []string{"2024-03-02-lefevre-obrien#6"}},
		{"contraction both ways", "thats not how", []string{"2024-06-01-raman-jennings#5"}},
		{"ellipsis character in text, dots in query", "wait... but not for long", []string{"2024-03-02-lefevre-obrien#7"}},
		{"dots in text, ellipsis character in query", "harbour contract… I don't", []string{"2024-03-02-lefevre-obrien#2"}},
		{"en dash in text", "authority slowly", []string{"2024-03-02-lefevre-obrien#3"}},
		{"em dash without spaces", `"routine delivery nothing more"`, []string{"2024-05-17-brandt-ibanez#6"}},
		{"hyphen in query, em dash in text", "delivery-nothing", []string{"2024-05-17-brandt-ibanez#6"}},
		{"diacritics dropped in query", "resume impressive", []string{"2024-03-02-lefevre-obrien#1"}},
		{"diacritics added in query", "cafés people", []string{"2025-02-03-okafor-lefevre#2", "2025-02-03-okafor-lefevre#3"}},
		{"diacritics both ways", "cafe", []string{"2024-03-02-lefevre-obrien#4", "2025-02-03-okafor-lefevre#2", "2025-02-03-okafor-lefevre#3"}},
		{"case", "ROTTERDAM", []string{"2024-05-17-brandt-ibanez#1"}},
		{"stemming: inflection", "delay vote", []string{"2024-06-01-raman-jennings#1", "2024-06-01-raman-jennings#2"}},
		{"stemming: informally passed", "informally passed", []string{"2025-01-20-jennings-okafor#5"}},
		{"no stop words", "the same as", []string{"2025-02-03-okafor-lefevre#5"}},
		{"cyrillic stemming", "документ подписан", []string{"2024-09-12-petrova-sokolov#1", "2024-09-12-petrova-sokolov#2"}},
		{"cyrillic ё folded", "елка", []string{"2024-09-12-petrova-sokolov#5", "2024-09-12-petrova-sokolov#6"}},
		{"french not stemmed, elision kept whole", "c'est urgent", []string{"2025-03-11-lefevre-brandt#1"}},
		{"speaker name as free word", "brandt rotterdam", []string{"2024-05-17-brandt-ibanez#1"}},
		{"speaker name with diacritics", "ibanez crates", []string{"2024-05-17-brandt-ibanez#2"}},
		{"cyrillic speaker name", "петрова документы", []string{"2024-09-12-petrova-sokolov#1"}},
		{"stage direction", "line goes quiet", []string{"2024-03-02-lefevre-obrien#5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := mustSearch(t, x, Query{Text: tt.query})
			got := ids(r)
			slices.Sort(got)
			want := slices.Clone(tt.want)
			slices.Sort(want)
			if r.Fallback || !slices.Equal(got, want) {
				t.Errorf("%q: got %v (fallback %v), want %v", tt.query, got, r.Fallback, want)
			}
		})
	}
}

func TestSearch_Highlight(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	tests := []struct {
		query, speaker string
		fragment       string
		terms          []string
	}{
		{"resume its", "", "Good morning, Marcus. I’ve read the <mark>résumé</mark> you sent — <mark>it’s</mark> impressive.", []string{"résumé", "it’s"}},
		{"cafe pier", "", "The <mark>café</mark> on the <mark>pier</mark> is where they negotiated the last deal.", []string{"café", "pier"}},
		{`"they’re more interested"`, "", "Nobody asked. <mark>They’re</mark> <mark>more</mark> <mark>interested</mark> in the paperwork than the cargo.", []string{"They’re", "more", "interested"}},
		{"harbour", "MO", "Thanks, Renée. Let&#39;s talk about the <mark>harbour</mark> contract... I don&#39;t think we can wait.", []string{"harbour"}},
	}
	for _, tt := range tests {
		r := mustSearch(t, x, Query{Text: tt.query, Speaker: tt.speaker})
		if len(r.Hits) == 0 {
			t.Errorf("%q: no hits", tt.query)
			continue
		}
		h := r.Hits[0]
		if diff := cmp.Diff([]string{tt.fragment}, fragmentsHTML(h.Fragments)); diff != "" {
			t.Errorf("%q: fragments (-want +got):\n%s", tt.query, diff)
		}
		if !slices.Equal(h.Terms, tt.terms) {
			t.Errorf("%q: terms %q, want %q", tt.query, h.Terms, tt.terms)
		}
	}

	// Only the speaker's name matched: no fragment, but not nil.
	r := mustSearch(t, x, Query{Text: "okafor", Call: "2025-02-03-okafor-lefevre"})
	if len(r.Hits) == 0 {
		t.Fatal("okafor: no hits")
	}
	for _, h := range r.Hits {
		if h.Fragments == nil || len(h.Fragments) != 0 || h.Speaker != "jon-okafor" {
			t.Errorf("okafor: hit %s#%d speaker %s fragments %v, want [] from Okafor", h.Call, h.Line, h.Speaker, h.Fragments)
		}
	}
}

func TestSearch_Speaker(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	for _, sp := range []string{"hal-jennings", "HJ", "hj", "Jennings", "JENNINGS", "Hal Jennings", "hal   jennings"} {
		r := mustSearch(t, x, Query{Text: "senator", Speaker: sp})
		got := ids(r)
		slices.Sort(got)
		w := []string{"2024-06-01-raman-jennings#1", "2025-01-20-jennings-okafor#6"}
		if !slices.Equal(got, w) {
			t.Errorf("speaker %q: got %v, want %v", sp, got, w)
		}
		for _, h := range r.Hits {
			if h.Speaker != "hal-jennings" {
				t.Errorf("speaker %q: hit by %s", sp, h.Speaker)
			}
		}
	}
	// In the query language too, with a quoted full name.
	for _, q := range []string{`senator speaker:"Hal Jennings"`, "senator speaker:hj", "speaker:jennings senator"} {
		if got := ids(mustSearch(t, x, Query{Text: q})); len(got) != 2 {
			t.Errorf("%q: got %v, want Hal's two lines", q, got)
		}
	}
	// Names with diacritics, typed with or without them.
	for _, sp := range []string{"Renée Lefèvre", "renee lefevre", "LEFEVRE", "ibanez"} {
		if got := ids(mustSearch(t, x, Query{Speaker: sp, Text: "harbour OR crates"})); len(got) != 1 {
			t.Errorf("speaker %q: got %v, want 1 hit", sp, got)
		}
	}
	if got := ids(mustSearch(t, x, Query{Speaker: "петрова"})); len(got) != 3 {
		t.Errorf("speaker петрова: got %v, want her 3 lines", got)
	}
	// A speaker nobody is: no hits, no error.
	r := mustSearch(t, x, Query{Text: "senator", Speaker: "nobody-at-all"})
	if r.Total != 0 || len(r.Hits) != 0 {
		t.Errorf("unknown speaker: %d hits, want 0", r.Total)
	}
	// A stage direction has no speaker.
	r = mustSearch(t, x, Query{Text: "quiet"})
	if len(r.Hits) != 1 || r.Hits[0].Speaker != "" {
		t.Errorf("direction: got %+v", r.Hits)
	}
}

func TestSearch_Phrase(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	// Quoted: as spoken, so the inflected form does not match.
	got := ids(mustSearch(t, x, Query{Text: `"negotiated the last deal"`}))
	if !slices.Equal(got, []string{"2024-03-02-lefevre-obrien#4"}) {
		t.Errorf("quoted phrase: got %v", got)
	}
	if got := mustSearch(t, x, Query{Text: `"negotiating the last deal"`}); len(got.Hits) > 0 && !got.Fallback {
		t.Errorf("quoted phrase with another inflection matched strictly: %v", ids(got))
	}
	// Unquoted, both inflections match, the exact form first.
	got = ids(mustSearch(t, x, Query{Text: "negotiating"}))
	if len(got) != 2 || got[0] != "2024-03-02-lefevre-obrien#3" {
		t.Errorf("negotiating: got %v, want the exact form first of two", got)
	}
	got = ids(mustSearch(t, x, Query{Text: "negotiated"}))
	if len(got) != 2 || got[0] != "2024-03-02-lefevre-obrien#4" {
		t.Errorf("negotiated: got %v, want the exact form first of two", got)
	}
	// Words in the order spoken rank above the same words scattered.
	got = ids(mustSearch(t, x, Query{Text: "word for"}))
	if len(got) == 0 || got[0] != "2025-01-20-jennings-okafor#7" {
		t.Errorf("word for: got %v", got)
	}
}

func TestSearch_QueryLanguage(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	lines := 0
	for _, c := range fixtureCalls() {
		lines += len(c.Lines)
	}
	r := mustSearch(t, x, Query{Text: "-zzzz"})
	if int(r.Total) != lines {
		t.Errorf("exclusion only: %d hits, want every line (%d)", r.Total, lines)
	}
	// exclusions, OR, prefix, dates, call
	tests := []struct {
		q    Query
		want int
	}{
		{Query{Text: "careful -always"}, 2},
		{Query{Text: "careful -\"always careful\""}, 2},
		{Query{Text: "rotterdam OR cyprus"}, 2},
		{Query{Text: "informal*"}, 2},
		{Query{Text: "inform*"}, 3},
		{Query{Text: "senator after:2025-01-01"}, 1},
		{Query{Text: "senator before:2024-12-31"}, 1},
		{Query{Text: "senator", After: "2024-06-01", Before: "2024-06-01"}, 1},
		{Query{Text: "call:2024-06-01-raman-jennings call"}, 2},
		{Query{Text: "call", Call: "2024-06-01-raman-jennings"}, 2},
		{Query{Text: "harbour call:2025-02-03-okafor-lefevre call:2024-03-02-lefevre-obrien"}, 2},
		{Query{Text: "speaker:ip"}, 0},
	}
	for _, tt := range tests {
		r := mustSearch(t, x, tt.q)
		if int(r.Total) != tt.want || r.Fallback {
			t.Errorf("%+v: %d hits (fallback %v) %v, want %d", tt.q, r.Total, r.Fallback, ids(r), tt.want)
		}
	}
}

func TestSearch_Sort(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	asc := ids(mustSearch(t, x, Query{Text: "harbour OR senator OR careful", Sort: SortDate}))
	desc := ids(mustSearch(t, x, Query{Text: "harbour OR senator OR careful", Sort: SortDateDesc}))
	wantAsc := []string{
		"2024-03-02-lefevre-obrien#2", "2024-06-01-raman-jennings#1", "2025-01-20-jennings-okafor#6",
		"2025-02-03-okafor-lefevre#1", "2025-02-03-okafor-lefevre#3", "2025-02-03-okafor-lefevre#4", "2025-02-03-okafor-lefevre#5",
	}
	if !slices.Equal(asc, wantAsc) {
		t.Errorf("date: %v\nwant %v", asc, wantAsc)
	}
	wantDesc := []string{
		"2025-02-03-okafor-lefevre#1", "2025-02-03-okafor-lefevre#3", "2025-02-03-okafor-lefevre#4", "2025-02-03-okafor-lefevre#5",
		"2025-01-20-jennings-okafor#6", "2024-06-01-raman-jennings#1", "2024-03-02-lefevre-obrien#2",
	}
	if !slices.Equal(desc, wantDesc) {
		t.Errorf("-date: %v\nwant %v", desc, wantDesc)
	}
	// Relevance ties break by date, call and line, the same every time.
	a := ids(mustSearch(t, x, Query{Text: "the"}))
	for range 3 {
		if b := ids(mustSearch(t, x, Query{Text: "the"})); !slices.Equal(a, b) {
			t.Fatalf("order changed: %v then %v", a, b)
		}
	}
	// Paging walks the same order.
	var paged []string
	for p := 1; p <= 4; p++ {
		paged = append(paged, ids(mustSearch(t, x, Query{Text: "the", Page: p, Size: 3}))...)
	}
	if n := min(len(a), 12); !slices.Equal(paged[:n], a[:n]) {
		t.Errorf("pages %v\nwant %v", paged, a)
	}
}

func TestSearch_Fallback(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	r := mustSearch(t, x, Query{Text: "rotterdam zanzibar"})
	if !r.Fallback || len(r.Hits) == 0 || docID(r.Hits[0].Call, r.Hits[0].Line) != "2024-05-17-brandt-ibanez#1" {
		t.Errorf("rotterdam zanzibar: fallback %v hits %v", r.Fallback, ids(r))
	}
	// More words matched ranks first.
	r = mustSearch(t, x, Query{Text: "careful discreet zanzibar"})
	if !r.Fallback || len(r.Hits) < 2 || docID(r.Hits[0].Call, r.Hits[0].Line) != "2025-02-03-okafor-lefevre#5" {
		t.Errorf("careful discreet zanzibar: %v", ids(r))
	}
	// A misspelling: close words are found and suggested.
	r = mustSearch(t, x, Query{Text: "rotterdan shipment"})
	if !r.Fallback || len(r.Hits) == 0 || docID(r.Hits[0].Call, r.Hits[0].Line) != "2024-05-17-brandt-ibanez#1" {
		t.Errorf("rotterdan shipment: %v", ids(r))
	}
	if !slices.Equal(r.Suggestions, []string{"rotterdam shipment"}) {
		t.Errorf("suggestions %q, want [rotterdam shipment]", r.Suggestions)
	}
	// All words matched: no fallback, no suggestion.
	r = mustSearch(t, x, Query{Text: "rotterdam shipment"})
	if r.Fallback || r.Suggestions != nil || r.Total != 1 {
		t.Errorf("rotterdam shipment: fallback %v suggestions %v total %d", r.Fallback, r.Suggestions, r.Total)
	}
	// Nothing at all.
	r = mustSearch(t, x, Query{Text: "qqqqqq"})
	if r.Total != 0 || r.Fallback || r.Hits == nil {
		t.Errorf("qqqqqq: %+v", r)
	}
}

func TestSearch_Facets(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	all := mustSearch(t, x, Query{Text: "careful OR senator OR harbour"})
	filtered := mustSearch(t, x, Query{Text: "careful OR senator OR harbour", Speaker: "JO"})
	if filtered.Total >= all.Total {
		t.Fatalf("speaker filter did not narrow: %d vs %d", filtered.Total, all.Total)
	}
	if !slices.Equal(filtered.Facets.Speaker, all.Facets.Speaker) {
		t.Errorf("speaker facet with speaker filter %v, want unfiltered %v", filtered.Facets.Speaker, all.Facets.Speaker)
	}
	// The call facet does follow the speaker filter.
	for _, c := range filtered.Facets.Call {
		if c.Value == "2024-03-02-lefevre-obrien" {
			t.Errorf("call facet ignores the speaker filter: %v", filtered.Facets.Call)
		}
	}
	byCall := mustSearch(t, x, Query{Text: "careful OR senator OR harbour", Call: "2024-06-01-raman-jennings"})
	if !slices.Equal(byCall.Facets.Call, all.Facets.Call) {
		t.Errorf("call facet with call filter %v, want %v", byCall.Facets.Call, all.Facets.Call)
	}
	if byCall.Total != 1 {
		t.Errorf("call filter: %d hits", byCall.Total)
	}
	// speaker: in the query text counts as the speaker filter.
	inText := mustSearch(t, x, Query{Text: "careful OR senator OR harbour speaker:jo"})
	if inText.Total != filtered.Total || !slices.Equal(inText.Facets.Speaker, all.Facets.Speaker) {
		t.Errorf("speaker: in text: %d hits, facet %v", inText.Total, inText.Facets.Speaker)
	}
	want := map[string]int{"jon-okafor": 1, "renee-lefevre": 3, "hal-jennings": 2, "marcus-obrien": 1}
	for _, f := range all.Facets.Speaker {
		if want[f.Value] != f.Count {
			t.Errorf("speaker facet %s = %d, want %d", f.Value, f.Count, want[f.Value])
		}
	}
	if len(all.Facets.Language) != 1 || all.Facets.Language[0] != (FacetCount{"en", int(all.Total)}) {
		t.Errorf("language facet %v", all.Facets.Language)
	}
	multi := mustSearch(t, x, Query{Text: "документы OR urgent OR careful"})
	wantLang := []FacetCount{{"en", 3}, {"ru", 2}, {"fr", 1}}
	if !slices.Equal(multi.Facets.Language, wantLang) {
		t.Errorf("language facet %v, want %v", multi.Facets.Language, wantLang)
	}
	// An index of one language.
	shipped, _ := buildOpen(t, shippedArchive(t))
	r := mustSearch(t, shipped, Query{Text: "ushakov"})
	if !slices.Equal(r.Facets.Language, []FacetCount{{"en", int(r.Total)}}) || r.Total == 0 {
		t.Errorf("one-language facet %v for %d hits", r.Facets.Language, r.Total)
	}
	if r = mustSearch(t, shipped, Query{Text: "zzzzzz"}); len(r.Facets.Language) != 0 {
		t.Errorf("language facet with no hits: %v", r.Facets.Language)
	}
}

func TestSearch_BadParameters(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	for _, q := range []Query{
		{Text: "x", Page: -1},
		{Text: "x", Size: MaxSize + 1},
		{Text: "x", Size: -5},
		{Text: "x", Page: MaxFrom/DefaultSize + 2},
		{Text: "x", After: "yesterday"},
		{Text: "x", Before: "2025-02-30"},
		{Text: "x", Sort: "random"},
	} {
		_, err := x.Search(t.Context(), q)
		if !errors.Is(err, ErrBadQuery) {
			t.Errorf("%+v: err %v, want ErrBadQuery", q, err)
		}
	}
	// The deepest page allowed is answered.
	if _, err := x.Search(t.Context(), Query{Text: "x", Page: MaxFrom/DefaultSize + 1}); err != nil {
		t.Errorf("last page: %v", err)
	}
}

func TestSearch_Hostile(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	for _, q := range []string{
		`"unbalanced quote`, "speaker:", "speaker:\"", "C++", "***", "/.*/", "a*", "\x00\x01\x02\x7f",
		strings.Repeat("careful ", 1300), strings.Repeat("ab* ", 300), strings.Repeat("x OR ", 500),
		`"` + strings.Repeat("the ", 300) + `"`, "after:9999-99-99", "before:", "-", "--", "OR", "\"\"",
		"\xff\xfe", "<script>alert(1)</script>", "careful\u202e", "speaker:\"Hal", "call:../../etc/passwd",
		"a~2", "fo?", "+careful", "careful^10", "field:value", "(((", "ca*", "Ca*", "é*",
		strings.Repeat("abcdefghij", 100), strings.Repeat("abcdefghij", 3) + " careful", strings.Repeat("é", 500) + "*",
	} {
		r, err := x.Search(t.Context(), Query{Text: q})
		if err != nil {
			t.Errorf("%.40q: %v", q, err)
			continue
		}
		if r.Hits == nil {
			t.Errorf("%.40q: nil hits", q)
		}
	}
	// The query is read as words and the page says how.
	r := mustSearch(t, x, Query{Text: `"routine delivery`})
	if r.Parsed != "routine delivery" || r.Total == 0 {
		t.Errorf("unbalanced quote read as %q with %d hits", r.Parsed, r.Total)
	}
	r = mustSearch(t, x, Query{Text: "C++ careful"})
	if r.Total == 0 {
		t.Errorf("C++ careful: no hits (fallback %v)", r.Fallback)
	}
}

func TestSearch_ConcurrentAndDeadline(t *testing.T) {
	x, _ := buildOpen(t, fixtureArchive())
	queries := []Query{
		{Text: "careful"}, {Text: "senator", Speaker: "HJ"}, {Text: `"routine delivery"`},
		{Text: "rotterdan"}, {Text: "inform*"}, {Text: "careful OR harbour", Call: "2025-02-03-okafor-lefevre"},
	}
	want := make([][]string, len(queries))
	for i, q := range queries {
		want[i] = ids(mustSearch(t, x, q))
	}
	// A generous deadline of our own: -race on a busy machine is slow.
	slow, cancelSlow := context.WithTimeout(t.Context(), time.Minute)
	defer cancelSlow()
	errs := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 10 {
				k := (g + i) % len(queries)
				r, err := x.Search(slow, queries[k])
				if err == nil && !slices.Equal(ids(r), want[k]) {
					err = errors.New("different hits under concurrency for " + queries[k].Text)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}

	ctx, cancel := context.WithTimeout(t.Context(), -time.Second)
	defer cancel()
	_, err := x.Search(ctx, Query{Text: "careful"})
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrBadQuery) {
		t.Errorf("search past its deadline: %v, want context.DeadlineExceeded", err)
	}
}

package index

import (
	"testing"

	"backchannel/internal/transcript"
)

// TestSearch_HitFields: every hit says the call, line, speaker, date,
// language, time and text of the line it is, although the index stores
// only the text and the time (the rest comes from the ID and the
// columns), in archives with several calls, speakers, dates and
// languages, and after an incremental build.
func TestSearch_HitFields(t *testing.T) {
	a := synthArchive(3000)
	// A second language and a stage direction (no speaker).
	ru := *a.Calls[1]
	ru.Slug, ru.Language, ru.Date = "2031-02-03-ru-copy", "ru", "2031-02-03"
	ru.Lines = append([]transcript.Line(nil), ru.Lines...)
	ru.Lines[0].Speaker, ru.Lines[0].Kind = "", transcript.Direction
	a.Calls = append(a.Calls, &ru)
	dir := t.TempDir()
	if _, err := testBuild(t.Context(), dir, a, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	check := func(x *Index, a *transcript.Archive) {
		t.Helper()
		n := 0
		for _, q := range []Query{{Text: "money", Size: MaxSize}, {Text: "deal plan", Size: MaxSize, Page: 2}, {Text: "the", Size: MaxSize},
			{Text: ru.Lines[0].Text, Call: ru.Slug}, {Text: "the", Sort: SortDateDesc, Size: 50}} {
			for _, h := range mustSearch(t, x, q).Hits {
				c, ok := a.Call(h.Call)
				if !ok || h.Line < 1 || h.Line > len(c.Lines) {
					t.Fatalf("%+v: hit %s#%d is no line of the archive", q, h.Call, h.Line)
				}
				l := c.Lines[h.Line-1]
				if h.Speaker != l.Speaker || h.Date != c.Date || h.Language != lineLang(c) || h.Time != l.Time || h.Text != l.Text {
					t.Errorf("%+v: hit %s#%d says speaker %q, date %s, language %s, time %v, text %q; the line: %q, %s, %s, %v, %q",
						q, h.Call, h.Line, h.Speaker, h.Date, h.Language, h.Time, h.Text, l.Speaker, c.Date, lineLang(c), l.Time, l.Text)
				}
				n++
			}
		}
		if n < 150 {
			t.Fatalf("%d hits checked, want more", n)
		}
	}
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	check(x, a)
	x.Close()

	// An incremental build: one call changed, the codes extended.
	b := *a
	b.Calls = append([]*transcript.Call(nil), a.Calls...)
	changed := *b.Calls[0]
	changed.Date = "2040-01-01"
	b.Calls[0] = &changed
	b.Hash = a.Hash + "-changed"
	if st, err := testBuild(t.Context(), dir, &b, BuildOptions{}); err != nil || !st.Incremental {
		t.Fatalf("incremental build: %+v, %v", st, err)
	}
	x, err = testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	check(x, &b)
}

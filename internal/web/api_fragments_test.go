package web

import (
	"context"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// TestAPISearch_FragmentsJSON pins the "fragments" of /api/v1/search as
// clients read them: the index's text and match spans written as escaped
// HTML with <mark> around each matched word, a long line cut into
// fragments that begin and end with "…". The index is a real one, built
// from fictional lines.
func TestAPISearch_FragmentsJSON(t *testing.T) {
	long := strings.Repeat("The ferry timetable was read aloud twice. ", 5) +
		"Then Ilse said the <lantern> & the rope were “ours” to keep. " +
		strings.Repeat("Nobody wrote the ferry timetable down. ", 5)
	call := &transcript.Call{
		Slug: "2031-05-06-ilse-tamsin", Title: "Ilse and Tamsin", Date: "2031-05-06", Language: "en",
		Participants: []transcript.Participant{
			{ID: "ilse-varga", Name: "Ilse Varga", Labels: []string{"IV"}},
			{ID: "tamsin-roe", Name: "Tamsin Roe", Labels: []string{"TR"}},
		},
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "ilse-varga", Text: `Ma’am, I don't think "<b>lanterns</b>" & rope will do.`, Time: -1},
			{N: 2, Kind: transcript.Turn, Speaker: "tamsin-roe", Text: long, Time: -1},
		},
		SHA256: strings.Repeat("cd", 32),
	}
	a := &transcript.Archive{Calls: []*transcript.Call{call}}
	s := newTestServer(t, indexedLibrary(t, a))
	for _, tt := range []struct {
		q    string
		want map[float64][]any // line → fragments
	}{
		{"lantern", map[float64][]any{
			1: {`Ma’am, I don&#39;t think &#34;&lt;b&gt;<mark>lanterns</mark>&lt;/b&gt;&#34; &amp; rope will do.`},
			2: {`…y timetable was read aloud twice. The ferry timetable was read aloud twice. Then Ilse said the &lt;<mark>lantern</mark>&gt; &amp; the rope were “ours” to keep. Nobody wrote the ferry timetable down. Nobody wrote the ferry t…`},
		}},
		{`"don't think"`, map[float64][]any{
			1: {`Ma’am, I <mark>don&#39;t</mark> <mark>think</mark> &#34;&lt;b&gt;lanterns&lt;/b&gt;&#34; &amp; rope will do.`},
		}},
	} {
		m := mustJSON(t, get(t, s, "/api/v1/search?q="+url.QueryEscape(tt.q)))
		got := map[float64][]any{}
		for _, h := range m["hits"].([]any) {
			h := h.(map[string]any)
			got[h["line"].(float64)] = h["fragments"].([]any)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s: fragments by line (-want +got):\n%s", tt.q, diff)
		}
	}
}

// indexedLibrary is a library of a whose searches run on a real index of
// it, built in a temporary folder.
func indexedLibrary(t testing.TB, a *transcript.Archive) *fakeLibrary {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "index")
	if _, err := index.Build(t.Context(), dir, a, index.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	idx, err := index.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	return &fakeLibrary{
		ArchiveFunc: func() *transcript.Archive { return a },
		SearchFunc:  func(ctx context.Context, q index.Query) (*index.Result, error) { return idx.Search(ctx, q) },
	}
}

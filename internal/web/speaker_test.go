package web

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// TestSpeakerPage_Paged (issue 14, finding 8): a speaker page shows
// speakerPageLines lines and links to the others as search does; read
// page by page, every line the speaker says comes once, in order, and a
// call where the speaker says nothing is still listed.
func TestSpeakerPage_Paged(t *testing.T) {
	a := bigArchive(1000) // ana-ruiz says the 500 odd lines
	silent := &transcript.Call{Slug: "2024-06-01-silent", Title: "A fictional call Ana Ruiz only listens to", Date: "2024-06-01",
		Participants: []transcript.Participant{{ID: "ana-ruiz", Name: "Ana Ruiz"}, {ID: "ben-okafor", Name: "Ben Okafor"}},
		Lines:        []transcript.Line{{N: 1, Kind: transcript.Turn, Speaker: "ben-okafor", Text: "Nobody else speaks here.", Time: -1}}}
	a.Calls = append(a.Calls, silent)
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})

	var got, want []string
	for n := 1; n <= 1000; n += 2 {
		want = append(want, "L"+strconv.Itoa(n))
	}
	pages := 500 / speakerPageLines
	for page := 1; page <= pages; page++ {
		path := speakerPageURL("ana-ruiz", page)
		rec := get(t, s, path)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s: %d", path, rec.Code)
		}
		doc := mustDoc(t, rec)
		lines := doc.Find(".speaker-call ol.lines > li.line")
		if lines.Length() != speakerPageLines {
			t.Errorf("%s: %d lines, want %d", path, lines.Length(), speakerPageLines)
		}
		lines.Each(func(_ int, l *goquery.Selection) {
			href, _ := l.Find("a.ln").Attr("href") // /calls/{slug}#L{n}
			got = append(got, href[strings.LastIndex(href, "#")+1:])
		})
		if facts := doc.Find(".speaker-facts").Text(); !strings.Contains(facts, "2 calls") || !strings.Contains(facts, "500 lines") {
			t.Errorf("%s: facts %q, want the speaker's 2 calls and 500 lines in all", path, facts)
		}
		if cur := doc.Find(`.pagination a[aria-current="page"]`).Text(); cur != strconv.Itoa(page) {
			t.Errorf("%s: current page link %q", path, cur)
		}
		next, hasNext := doc.Find(`.pagination a[rel="next"]`).Attr("href")
		if hasNext != (page < pages) || hasNext && next != speakerPageURL("ana-ruiz", page+1) {
			t.Errorf("%s: next link %q", path, next)
		}
		if listed := doc.Find("#call-2024-06-01-silent").Length() == 1; listed != (page == pages) {
			t.Errorf("%s: the call the speaker is silent in listed %v, want only on the last page", path, listed)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("lines read page by page (-want +got):\n%s", d)
	}
	for _, tc := range []struct {
		query string
		want  int
	}{{"?page=6", 404}, {"?page=0", 400}, {"?page=two", 400}, {"?page=1", 200}} {
		if rec := get(t, s, "/speakers/ana-ruiz"+tc.query); rec.Code != tc.want {
			t.Errorf("%s: %d, want %d", tc.query, rec.Code, tc.want)
		}
	}
}

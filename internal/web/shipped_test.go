package web

import (
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"backchannel/internal/transcript"
)

// TestShippedArchive renders the calls in transcripts/ and checks that every
// line is on its call page at its id, word for word, with a self-link.
func TestShippedArchive(t *testing.T) {
	a, problems := transcript.LoadDir("../../transcripts")
	if problems.HasErrors() {
		t.Fatalf("shipped transcripts do not load:\n%v", problems)
	}
	if len(a.Calls) == 0 {
		t.Fatal("no shipped calls")
	}
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})
	home := mustDoc(t, get(t, s, "/"))
	for _, c := range a.Calls {
		if home.Find(`a[href="/calls/`+c.Slug+`"]`).Length() == 0 {
			t.Errorf("home does not list %s", c.Slug)
		}
		rec := get(t, s, "/calls/"+c.Slug)
		if rec.Code != 200 {
			t.Fatalf("%s: %d", c.Slug, rec.Code)
		}
		doc := mustDoc(t, rec)
		if c.Completeness == transcript.Excerpt && !strings.Contains(doc.Find(".notice-excerpt").Text(), "Excerpt: not the full call") {
			t.Errorf("%s: no excerpt notice", c.Slug)
		}
		for _, l := range c.Lines {
			id := "L" + strconv.Itoa(l.N)
			li := doc.Find("#" + id)
			if li.Length() != 1 {
				t.Errorf("%s: no element #%s", c.Slug, id)
				continue
			}
			if li.Find(`a[href="#`+id+`"]`).Length() != 1 {
				t.Errorf("%s#%s: no self-link", c.Slug, id)
			}
			var paras []string
			li.Find(".line-text p").Each(func(_ int, p *goquery.Selection) { paras = append(paras, p.Text()) })
			if got := strings.Join(paras, "\n\n"); got != l.Text {
				t.Errorf("%s#%s shows %q, want %q", c.Slug, id, got, l.Text)
			}
			if line := get(t, s, "/calls/"+c.Slug+"/"+id); line.Code != 200 {
				t.Errorf("%s/%s: %d", c.Slug, id, line.Code)
			}
		}
	}
}

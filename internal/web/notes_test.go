package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// notesLibrary is a fakeLibrary that also provides notes (Config.Notes).
type notesLibrary struct {
	*fakeLibrary
	notes map[string]*annotate.Notes
}

func (l *notesLibrary) Notes(_ *transcript.Archive, slug string) *annotate.Notes {
	return l.notes[slug]
}

// Fictional notes on the fictional harbour call of testArchive.
const harbourNotesSrc = `---
fidelity: memorandum of conversation
corrections:
  - date: 2024-03-12
    note: Line 3 was *re-checked* against the recording.
---

Mara Harlow chairs the harbour board; Otto Brandt is a shipping broker.

## L1

Harlow means the **dredging** vote. [Ledger](https://ledger.example/dredging) <script>alert(1)</script> [x](javascript:alert(1))

## L2-L3 "word for word"

Brandt promises to check the ferry figures.

## L4 "call me tomorrow"

The quote of this note is no longer in line 4.

## L9

A note on a line that was removed.
`

func newNotesServer(t testing.TB, lib *fakeLibrary) (*Server, *annotate.Notes) {
	t.Helper()
	a := testArchive()
	if lib.ArchiveFunc == nil {
		lib.ArchiveFunc = func() *transcript.Archive { return a }
	}
	c, _ := a.Call(slugHarbour)
	ns, ps := annotate.Parse(slugHarbour+".notes.md", []byte(harbourNotesSrc))
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if ps := ns.Attach(c); len(ps) != 2 {
		t.Fatalf("want the two detached notes reported, got %v", ps)
	}
	nl := &notesLibrary{fakeLibrary: lib, notes: map[string]*annotate.Notes{slugHarbour: ns}}
	s, err := NewServer(Config{Library: nl, Notes: nl, Assets: newTestServer(t, lib).assets})
	if err != nil {
		t.Fatal(err)
	}
	return s, ns
}

func TestCallPage_Notes(t *testing.T) {
	s, _ := newNotesServer(t, &fakeLibrary{})
	rec := get(t, s, "/calls/"+slugHarbour)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	doc := mustDoc(t, rec)

	t.Run("headnote in About this transcript, after the lines", func(t *testing.T) {
		// The page opens on the words: the editor's note is one link away
		// (#about, #headnote) and follows the transcript.
		head := doc.Find("section#about #headnote")
		if !strings.Contains(head.Text(), "Mara Harlow chairs the harbour board") {
			t.Fatalf("headnote in #about = %q", head.Text())
		}
		if doc.Find("section.transcript").NextAllFiltered("section#about").Length() != 1 || head.Find(".line").Length() != 0 {
			t.Error("the About section with the headnote does not follow the transcript")
		}
		if doc.Find(`.call-header a[href="#about"]`).Length() != 1 {
			t.Error("the call's header has no link to About this transcript")
		}
	})
	t.Run("note beside its line, with its own id and link", func(t *testing.T) {
		n := doc.Find("li#L1 .line-notes #note-1")
		if n.Length() != 1 {
			t.Fatal("note-1 is not inside line 1")
		}
		if !strings.Contains(n.Find(".note-body").Text(), "dredging vote") || n.Find("strong").Text() != "dredging" {
			t.Errorf("note body = %q", n.Find(".note-body").Text())
		}
		if href, _ := n.Find("a.note-link").Attr("href"); href != "#note-1" {
			t.Errorf("note link = %q", href)
		}
		if !doc.Find("li#L1").HasClass("has-notes") || doc.Find(`li#L1 .note-refs a[href="#note-1"]`).Length() != 1 {
			t.Error("line 1 does not show that it has a note")
		}
		if doc.Find("li#L4").HasClass("has-notes") == false {
			t.Error("line 4 has a (detached) note")
		}
	})
	t.Run("range note at its first line, linked from every line", func(t *testing.T) {
		if doc.Find("li#L2 #note-2").Length() != 1 || doc.Find("li#L3 #note-2").Length() != 0 {
			t.Error("note 2 should be shown once, at line 2")
		}
		if doc.Find(`li#L3 .note-refs a[href="#note-2"]`).Length() != 1 {
			t.Error("line 3 lacks a link to note 2")
		}
		if href, _ := doc.Find("#note-2 .note-head a").Eq(1).Attr("href"); href != "#L2-L3" {
			t.Errorf("note 2 line link = %q", href)
		}
	})
	t.Run("quote highlighted in the text", func(t *testing.T) {
		m := doc.Find("li#L3 .line-text mark.note-quote")
		if m.Length() != 1 || m.Text() != "word for word" {
			t.Fatalf("quote marks = %d %q", m.Length(), m.Text())
		}
		if note, _ := m.Attr("data-note"); note != "note-2" {
			t.Errorf("data-note = %q", note)
		}
		// The line's words are unchanged.
		if got := doc.Find("li#L3 .line-text").Text(); !strings.Contains(got, "But I’ll check it, word for word.") {
			t.Errorf("line text changed: %q", got)
		}
	})
	t.Run("detached notes are shown, never dropped", func(t *testing.T) {
		d := doc.Find("li#L4 #note-3")
		if !d.HasClass("detached") || !strings.Contains(d.Text(), "Detached") || !strings.Contains(d.Text(), "no longer in line 4") {
			t.Errorf("note 3 = %q", d.Text())
		}
		if doc.Find("li#L4 mark.note-quote").Length() != 0 {
			t.Error("a detached quote is highlighted")
		}
		o := doc.Find(".detached-notes #note-4")
		if !o.HasClass("detached") || !strings.Contains(o.Text(), "line 9 no longer exists") {
			t.Errorf("note 4 = %q", o.Text())
		}
		if o.Find(`a[href="#L9"]`).Length() != 0 {
			t.Error("a detached note links to a line that does not exist")
		}
	})
	t.Run("fidelity and corrections in the provenance block", func(t *testing.T) {
		prov := doc.Find("dl.provenance")
		if !strings.Contains(prov.Text(), "Kind of record") || !strings.Contains(prov.Text(), "memorandum of conversation") {
			t.Errorf("provenance = %q", prov.Text())
		}
		c := prov.Find("ol.corrections li")
		if c.Length() != 1 || c.Find("time").AttrOr("datetime", "") != "2024-03-12" || c.Find("em").Text() != "re-checked" {
			t.Errorf("corrections = %q", c.Text())
		}
	})
	t.Run("untrusted markdown is sanitized", func(t *testing.T) {
		body := strings.ToLower(rec.Body.String())
		if strings.Contains(body, "javascript:") || strings.Contains(body, "<script>alert") {
			t.Error("unsafe markup reached the page")
		}
		if doc.Find(`#note-1 a[href="https://ledger.example/dredging"]`).Length() != 1 {
			t.Error("a safe link was dropped")
		}
	})
}

func TestCallPage_NoNotes(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	doc := mustDoc(t, get(t, s, "/calls/"+slugHarbour))
	if doc.Find(".note, #headnote, .note-refs").Length() != 0 {
		t.Error("notes shown without a NotesProvider")
	}
	if !strings.Contains(doc.Find("dl.provenance").Text(), "Not stated") {
		t.Error("fidelity should say it is not stated")
	}
}

func TestLinePage_Notes(t *testing.T) {
	s, _ := newNotesServer(t, &fakeLibrary{})
	doc := mustDoc(t, get(t, s, "/calls/"+slugHarbour+"/L3"))
	// Line 3's note is the range note on lines 2-3: it is shown beside
	// line 3, the page's line, and the line links to it on the page.
	if doc.Find("li#L3 #note-2").Length() != 1 {
		t.Error("note 2 (lines 2-3) is not beside line 3 on its line page")
	}
	if doc.Find("#note-1").Length() != 0 {
		t.Error("note 1 (line 1) is on line 3's page")
	}
	if href := doc.Find(`li#L3 .note-refs a`).AttrOr("href", ""); href != "#note-2" {
		t.Errorf("note link from a line page = %q", href)
	}
	if href := doc.Find(`#note-2 .note-head a`).Eq(1).AttrOr("href", ""); href != "/calls/"+slugHarbour+"#L2-L3" {
		t.Errorf("note 2's link to its lines = %q", href)
	}
	if m := doc.Find("li#L3 mark.note-quote"); m.Text() != "word for word" {
		t.Errorf("quote = %q", m.Text())
	}
}

func TestCite(t *testing.T) {
	s, _ := newNotesServer(t, &fakeLibrary{})
	t.Run("call", func(t *testing.T) {
		doc := mustDoc(t, get(t, s, "/calls/"+slugHarbour))
		cite := doc.Find("details#cite")
		if cite.Length() != 1 {
			t.Fatal("no cite block")
		}
		url := "http://example.com/calls/" + slugHarbour
		texts := map[string]string{}
		cite.Find("dt").Each(func(_ int, dt *goquery.Selection) { texts[dt.Text()] = dt.Next().Text() })
		for _, style := range []string{"Plain text", "Chicago", "BibTeX"} {
			got := texts[style]
			for _, want := range []string{url, "The Fictional Ledger", "March 9, 2024"} {
				if style == "BibTeX" && want == "March 9, 2024" {
					want = "howpublished = {Transcript published by The Fictional Ledger, March 9, 2024}"
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s citation %q lacks %q", style, got, want)
				}
			}
		}
		if !strings.HasPrefix(texts["Chicago"], "Harlow, Mara, and Otto Brandt. “Call between Mara Harlow and Otto Brandt.” March 2, 2024.") {
			t.Errorf("Chicago = %q", texts["Chicago"])
		}
		if !strings.HasPrefix(texts["BibTeX"], "@misc{backchannel:"+slugHarbour+",") || !strings.Contains(texts["BibTeX"], "author = {{Harlow, Mara} and {Brandt, Otto}}") {
			t.Errorf("BibTeX = %q", texts["BibTeX"])
		}
		// Every line links to its citation.
		if n, m := doc.Find("li.line").Length(), doc.Find(`li.line a.cite-link[href$="#cite"]`).Length(); n == 0 || n != m {
			t.Errorf("%d lines, %d cite links", n, m)
		}
		meta := map[string]string{}
		doc.Find(`meta[name^="citation_"]`).Each(func(_ int, m *goquery.Selection) { meta[m.AttrOr("name", "")] = m.AttrOr("content", "") })
		for k, want := range map[string]string{"citation_title": "Call between Mara Harlow and Otto Brandt", "citation_date": "2024/03/02",
			"citation_publisher": "The Fictional Ledger", "citation_public_url": url} {
			if meta[k] != want {
				t.Errorf("%s = %q, want %q", k, meta[k], want)
			}
		}
		if href := doc.Find(`link[rel="alternate"][type="application/json"]`).AttrOr("href", ""); href != "/calls/"+slugHarbour+".json" {
			t.Errorf("JSON alternate = %q", href)
		}
	})
	t.Run("line", func(t *testing.T) {
		doc := mustDoc(t, get(t, s, "/calls/"+slugHarbour+"/L3"))
		cite := doc.Find("details#cite[open]")
		plain := cite.Find("dt:contains('Plain text')").Next().Text()
		// A line of an excerpt says so, with its source, right after the
		// line number.
		if !strings.HasPrefix(plain, "Otto Brandt: “I don't know yet. But I’ll check it, word for word.” — “Call between Mara Harlow and Otto Brandt,” March 2, 2024, line 3 (excerpt; source: The Fictional Ledger, 2024-03-09).") ||
			!strings.HasSuffix(plain, "http://example.com/calls/"+slugHarbour+"/L3") {
			t.Errorf("plain = %q", plain)
		}
		if c := cite.Find("dt:contains('Chicago')").Next().Text(); !strings.HasPrefix(c, "Brandt, Otto. “Call between") {
			t.Errorf("Chicago = %q", c)
		}
	})
	t.Run("base URL from the config, bad Host ignored", func(t *testing.T) {
		lib := &fakeLibrary{}
		s := newTestServer(t, lib)
		s2, err := NewServer(Config{Library: lib, Assets: s.assets, BaseURL: "https://archive.example/"})
		if err != nil {
			t.Fatal(err)
		}
		doc := mustDoc(t, get(t, s2, "/calls/"+slugHarbour))
		if u := doc.Find("#cite dd a").First().Text(); u != "https://archive.example/calls/"+slugHarbour {
			t.Errorf("permalink = %q", u)
		}
		req, _ := http.NewRequest(http.MethodGet, "/calls/"+slugHarbour, nil)
		req.Host = `evil"><script>`
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if strings.Contains(rec.Body.String(), "evil") {
			t.Error("a bad Host header reached the page")
		}
		if _, err := NewServer(Config{Library: lib, Assets: s.assets, BaseURL: "javascript:alert(1)"}); err == nil {
			t.Error("a bad base URL was accepted")
		}
	})
}

func TestSearch_Notes(t *testing.T) {
	t.Run("a separate group linked to the note and its line", func(t *testing.T) {
		s, _ := newNotesServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
			return &index.Result{}, nil
		}})
		doc := mustDoc(t, get(t, s, "/search?q=FERRY"))
		hits := doc.Find(".note-results li.hit")
		if hits.Length() != 1 {
			t.Fatalf("note hits = %d", hits.Length())
		}
		if href := hits.Find("a").First().AttrOr("href", ""); href != "/calls/"+slugHarbour+"#note-2" {
			t.Errorf("note link = %q", href)
		}
		if href := hits.Find("a").Eq(1).AttrOr("href", ""); href != "/calls/"+slugHarbour+"#L2-L3" {
			t.Errorf("line link = %q", href)
		}
		if m := hits.Find(".fragment mark").Text(); m != "ferry" {
			t.Errorf("marked = %q", m)
		}
		// The headnote is searchable too, and straight and curly quotes match.
		doc = mustDoc(t, get(t, s, "/search?q=%22shipping+broker%22"))
		if href := doc.Find(".note-results li.hit a").First().AttrOr("href", ""); href != "/calls/"+slugHarbour+"#headnote" {
			t.Errorf("headnote link = %q", href)
		}
	})
	t.Run("in:notes searches notes only", func(t *testing.T) {
		s, _ := newNotesServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
			return nil, errors.New("the index must not be searched")
		}})
		rec := get(t, s, "/search?q=dredging+in%3Anotes")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d", rec.Code)
		}
		doc := mustDoc(t, rec)
		if doc.Find(".note-results #note-1, .note-results a[href$='#note-1']").Length() != 1 {
			t.Error("note 1 not found")
		}
		if doc.Find(".results-layout").Length() != 0 {
			t.Error("line results shown for in:notes")
		}
		if v := doc.Find("#q").AttrOr("value", ""); v != "dredging in:notes" {
			t.Errorf("the query box shows %q", v)
		}
	})
	t.Run("speaker filter: no notes", func(t *testing.T) {
		s, _ := newNotesServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
			return &index.Result{}, nil
		}})
		doc := mustDoc(t, get(t, s, "/search?q=ferry&speaker=brandt"))
		if doc.Find(".note-results").Length() != 0 {
			t.Error("notes matched a speaker filter")
		}
	})
}

func TestAPICall_Notes(t *testing.T) {
	s, _ := newNotesServer(t, &fakeLibrary{})
	for _, path := range []string{"/api/v1/calls/" + slugHarbour, "/calls/" + slugHarbour + ".json"} {
		m := mustJSON(t, get(t, s, path))
		notes, ok := m["notes"].(map[string]any)
		if !ok {
			t.Fatalf("%s: no notes: %v", path, m["notes"])
		}
		if notes["fidelity"] != "memorandum of conversation" || !strings.HasPrefix(notes["headnote"].(string), "Mara Harlow chairs") {
			t.Errorf("%s: notes = %v", path, notes)
		}
		items := notes["notes"].([]any)
		if len(items) != 4 {
			t.Fatalf("%s: %d notes", path, len(items))
		}
		n2 := items[1].(map[string]any)
		if n2["id"] != "note-2" || n2["first"] != 2.0 || n2["last"] != 3.0 || n2["quote"] != "word for word" ||
			n2["url"] != "/calls/"+slugHarbour+"#note-2" || n2["detached"] != nil {
			t.Errorf("%s: note 2 = %v", path, n2)
		}
		if d, _ := items[3].(map[string]any)["detached"].(string); !strings.Contains(d, "line 9 no longer exists") {
			t.Errorf("%s: note 4 detached = %q", path, d)
		}
	}
	// Without notes the key is left out.
	m := mustJSON(t, get(t, newTestServer(t, &fakeLibrary{}), "/api/v1/calls/"+slugHarbour))
	if _, ok := m["notes"]; ok {
		t.Error("notes key without notes")
	}
}

// listingNotesLibrary is a notesLibrary that lists its annotated calls
// (AnnotatedLister) and counts the calls whose notes are asked for.
type listingNotesLibrary struct {
	*notesLibrary
	asked atomic.Int64
}

func (l *listingNotesLibrary) Notes(a *transcript.Archive, slug string) *annotate.Notes {
	l.asked.Add(1)
	return l.notesLibrary.Notes(a, slug)
}

func (l *listingNotesLibrary) Annotated(*transcript.Archive) []string { return []string{slugHarbour} }

// A provider that lists its annotated calls is asked for those calls'
// notes only, and the search page and the API find the same note.
func TestSearch_NotesOfListedCalls(t *testing.T) {
	s0, ns := newNotesServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return &index.Result{}, nil
	}})
	lib := s0.lib.(*notesLibrary)
	ll := &listingNotesLibrary{notesLibrary: &notesLibrary{fakeLibrary: lib.fakeLibrary, notes: map[string]*annotate.Notes{slugHarbour: ns}}}
	s, err := NewServer(Config{Library: ll, Notes: ll, Assets: s0.assets})
	if err != nil {
		t.Fatal(err)
	}
	doc := mustDoc(t, get(t, s, "/search?q=FERRY"))
	if href := doc.Find(".note-results li.hit a").First().AttrOr("href", ""); href != "/calls/"+slugHarbour+"#note-2" {
		t.Errorf("note link = %q", href)
	}
	if n := ll.asked.Load(); n != 1 {
		t.Errorf("notes asked for %d calls, want the 1 listed", n)
	}
	ll.asked.Store(0)
	rec := get(t, s, "/api/v1/search?q=FERRY")
	if !strings.Contains(rec.Body.String(), `"url":"/calls/`+slugHarbour+`#note-2"`) {
		t.Errorf("API lacks the note hit: %.400s", rec.Body.String())
	}
	if n := ll.asked.Load(); n != 1 {
		t.Errorf("API: notes asked for %d calls, want the 1 listed", n)
	}
}

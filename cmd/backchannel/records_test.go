package main

import (
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// A fictional memorandum in the White House layout: a participant whose
// name is written Zelenskyy (a fictional ferry dispatcher), portion marks,
// a page break inside a turn.
const dispatcherMemo = `SECRET//NOFORN

MEMORANDUM OF TELEPHONE CONVERSATION

SUBJECT:       Telephone Conversation with Dispatcher Ostap
               Zelenskyy

PARTICIPANTS:  Ines Morrow, Harbour commissioner (fictional)
               Ostap Zelenskyy, Ferry dispatcher (fictional)

Notetakers:    The Fictional Harbour Office

DATE, TIME AND PLACE:  April 2, 2020, 8:00 - 8:10 a.m.
                       The Harbour Office

(S/NF) Morrow: Ostap, is the morning ferry on time?

(S/NF) Zelenskyy: It left at six, as planned, and the crossing was

SECRET//NOFORN

SECRET//NOFORN                                         2

calm all the way.

(U) Morrow: Good. Tell Zelenskyy's crew they did well.

(U) Zelenskyy: I will.

                    -- End of Memorandum --

Classified By: 0000000
Declassify On: 20450101
`

// TestRecords_EndToEnd: a memorandum as published is checked, ingested and
// served: speaker:zelensky (and other spellings) finds the lines of the
// participant named Zelenskyy, through the index, the API and the search
// page; marking:S/NF finds the lines so marked; the call's JSON has each
// line's "marking" and the record's own provenance; a memorandum whose "The
// President" could be two participants fails check with the fix.
func TestRecords_EndToEnd(t *testing.T) {
	dir := t.TempDir()
	const slug = "2020-04-02-fictional-dispatcher-telcon"
	if err := os.WriteFile(filepath.Join(dir, slug+".txt"), []byte(dispatcherMemo), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, errOut, code := runCLI(t, "check", dir); code != 0 {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	srv := startServe(t, dir, t.TempDir())

	search := func(q string) apiSearch {
		t.Helper()
		_, body := srv.get(t, "/api/v1/search?q="+url.QueryEscape(q))
		var r apiSearch
		if err := json.Unmarshal(body, &r); err != nil {
			t.Fatalf("%s: %v\n%s", q, err, body)
		}
		return r
	}
	lines := func(r apiSearch) []int {
		var out []int
		for _, h := range r.Hits {
			out = append(out, h.Line)
		}
		slices.Sort(out)
		return out
	}
	// Lines 2 and 4 are Zelenskyy's; line 3 is Morrow's and says the name.
	for _, q := range []string{"speaker:zelensky", "speaker:zelenskiy", "speaker:Zelenskyy", `speaker:"Ostap Zelenskii"`, "crossing speaker:zelensky"} {
		r := search(q)
		want := []int{2, 4}
		if strings.HasPrefix(q, "crossing") {
			want = []int{2}
		}
		if diff := cmp.Diff(want, lines(r)); diff != "" {
			t.Errorf("%s: lines (-want +got):\n%s", q, diff)
		}
		for _, h := range r.Hits {
			if h.Speaker == nil || h.Speaker.ID != "ostap-zelenskyy" || h.Speaker.Name != "Ostap Zelenskyy" {
				t.Errorf("%s: hit L%d by %+v", q, h.Line, h.Speaker)
			}
		}
	}
	// The Speaker field of the search page, in another spelling.
	_, body := srv.get(t, "/search?q=ferry+OR+crossing&speaker=Zelensky")
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var who []string
	doc.Find("ol.hits > li.hit .hit-meta .speaker").Each(func(_ int, s *goquery.Selection) { who = append(who, s.Text()) })
	if diff := cmp.Diff([]string{"Ostap Zelenskyy"}, who); diff != "" {
		t.Errorf("search page hits for speaker=Zelensky (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{1, 2}, lines(search("marking:S/NF"))); diff != "" {
		t.Errorf("marking:S/NF (-want +got):\n%s", diff)
	}
	_, body = srv.get(t, "/api/v1/search?q="+url.QueryEscape("marking:U"))
	var marked struct {
		Hits []struct {
			Marking string `json:"marking"`
		} `json:"hits"`
	}
	if err := json.Unmarshal(body, &marked); err != nil || len(marked.Hits) != 2 || marked.Hits[0].Marking != "U" || marked.Hits[1].Marking != "U" {
		t.Errorf(`marking:U hits' "marking": %s (%v)`, body, err)
	}

	_, body = srv.get(t, "/api/v1/calls/"+slug)
	var call struct {
		Title  string `json:"title"`
		Date   string `json:"date"`
		Record struct {
			Classification string   `json:"classification"`
			Authors        []string `json:"authors"`
			Boilerplate    []string `json:"boilerplate"`
		} `json:"record"`
		Lines []struct {
			Speaker *string `json:"speaker"`
			Text    string  `json:"text"`
			Marking string  `json:"marking"`
		} `json:"lines"`
	}
	if err := json.Unmarshal(body, &call); err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if call.Title != "Telephone Conversation with Dispatcher Ostap Zelenskyy" || call.Date != "2020-04-02" {
		t.Errorf("title, date = %q, %q: want the memorandum's SUBJECT and DATE", call.Title, call.Date)
	}
	var marks, texts []string
	for _, l := range call.Lines {
		marks = append(marks, l.Marking)
		texts = append(texts, l.Text)
	}
	if diff := cmp.Diff([]string{"S/NF", "S/NF", "U", "U"}, marks); diff != "" {
		t.Errorf(`"marking" of the lines (-want +got):\n%s`, diff)
	}
	if want := "It left at six, as planned, and the crossing was\ncalm all the way."; len(texts) < 2 || texts[1] != want {
		t.Errorf("the turn a page break cut: %q, want %q", texts, want)
	}
	if call.Record.Classification != "SECRET//NOFORN" || !slices.Contains(call.Record.Boilerplate, "-- End of Memorandum --") ||
		!slices.Equal(call.Record.Authors, []string{"The Fictional Harbour Office"}) {
		t.Errorf(`"record" = %+v`, call.Record)
	}
	_, body = srv.get(t, "/speakers/ostap-zelenskyy")
	if !strings.Contains(string(body), "calm all the way") {
		t.Errorf("speaker page lacks Zelenskyy's line")
	}

	// "The President" who could be either of two presidents: check fails,
	// saying where, which label, who it could be and what settles it.
	bad := t.TempDir()
	memo := "MEMORANDUM OF CONVERSATION\n\nSUBJECT: Ferries\n\nDATE: March 4, 2019\n\n" +
		"PARTICIPANTS: President Henrik Orlen\n              President Marek Aldana\n\n" +
		"(S) The President: Which of us speaks?\n"
	path := filepath.Join(bad, "2019-03-04-two-presidents.txt")
	if err := os.WriteFile(path, []byte(memo), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "check", bad)
	all := out + errOut
	if code != 1 {
		t.Errorf("check of an ambiguous memorandum: exit %d, want 1\n%s", code, all)
	}
	for _, want := range []string{path + `:10: speaker "The President" could be Henrik Orlen (President) or Marek Aldana (President)`,
		"2019-03-04-two-presidents.yaml", `labels: ["The President"]`} {
		if !strings.Contains(all, want) {
			t.Errorf("check output lacks %q:\n%s", want, all)
		}
	}
}

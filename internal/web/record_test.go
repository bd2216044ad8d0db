package web

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// memoArchive is a fictional memorandum: portion-marked lines, what the
// record says about itself, and a participant with aliases.
func memoArchive() *transcript.Archive {
	c := &transcript.Call{
		Slug: "2019-03-04-fictional-telcon", Title: "Telephone Conversation with President Aldana of Fictionland", Date: "2019-03-04",
		Language: "en",
		Participants: []transcript.Participant{
			{ID: "the-president", Name: "The President", Labels: []string{"The President"}},
			{ID: "marek-aldana", Name: "Marek Aldana", Role: "President of Fictionland", Aliases: []string{"Aldanah", "Marko Aldana"}},
		},
		Record: transcript.Record{
			Kind:             "MEMORANDUM OF TELEPHONE CONVERSATION",
			Classification:   "SECRET//NOFORN",
			Declassification: []string{"Declassified by order of the Fictional Archivist", "March 9, 2023"},
			Time:             "9:03 - 9:33 a.m. EST",
			Place:            "Residence",
			Authors:          []string{"The Fictional Situation Room"},
			Statement:        "CAUTION: A fictional record is not a verbatim transcript.",
			Boilerplate:      []string{"-- End of Memorandum --", "Classified By: 0000000"},
		},
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "the-president", Text: "Good morning, Marek.", Time: -1, Marking: "S/NF"},
			{N: 2, Kind: transcript.Turn, Speaker: "marek-aldana", Text: "Good morning.", Time: -1, Marking: "U"},
			{N: 3, Kind: transcript.Direction, Text: "[inaudible]", Time: -1},
		},
	}
	return &transcript.Archive{Calls: []*transcript.Call{c}}
}

// TestCall_RecordAndMarkings: the call page shows each line's portion mark
// beside it and what the record says about itself in the provenance
// block; its JSON has "marking" on the lines and the "record".
func TestCall_RecordAndMarkings(t *testing.T) {
	a := memoArchive()
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})

	doc := mustDoc(t, get(t, s, "/calls/2019-03-04-fictional-telcon"))
	var marks []string
	doc.Find("ol.lines > li").Each(func(_ int, sel *goquery.Selection) {
		marks = append(marks, strings.TrimSpace(sel.Find(".line-who .marking").Text()))
	})
	if diff := cmp.Diff([]string{"(S/NF)", "(U)", ""}, marks); diff != "" {
		t.Errorf("markings beside the lines (-want +got):\n%s", diff)
	}
	prov := doc.Find("dl.provenance").Text()
	for _, want := range []string{"MEMORANDUM OF TELEPHONE CONVERSATION", "SECRET//NOFORN", "Declassified by order of the Fictional Archivist",
		"9:03 - 9:33 a.m. EST", "Residence", "The Fictional Situation Room", "CAUTION: A fictional record is not a verbatim transcript.",
		"-- End of Memorandum --", "Classified By: 0000000"} {
		if !strings.Contains(prov, want) {
			t.Errorf("provenance block lacks %q:\n%s", want, prov)
		}
	}
	if txt := doc.Find("ol.lines").Text(); strings.Contains(txt, "CAUTION") || strings.Contains(txt, "End of Memorandum") {
		t.Errorf("boilerplate among the lines: %s", txt)
	}

	m := mustJSON(t, get(t, s, "/api/v1/calls/2019-03-04-fictional-telcon"))
	var got []string
	for _, l := range m["lines"].([]any) {
		mk, _ := l.(map[string]any)["marking"].(string)
		got = append(got, mk)
	}
	if diff := cmp.Diff([]string{"S/NF", "U", ""}, got); diff != "" {
		t.Errorf(`"marking" of the JSON lines (-want +got):\n%s`, diff)
	}
	rec, _ := m["record"].(map[string]any)
	if rec["classification"] != "SECRET//NOFORN" || rec["place"] != "Residence" {
		t.Errorf(`"record" = %v`, m["record"])
	}
}

// TestSpeaker_Aliases: the speaker page lists a participant's aliases.
func TestSpeaker_Aliases(t *testing.T) {
	a := memoArchive()
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})
	doc := mustDoc(t, get(t, s, "/speakers/marek-aldana"))
	var dd string
	doc.Find("dl.speaker-facts dt").Each(func(_ int, dt *goquery.Selection) {
		if strings.TrimSpace(dt.Text()) == "Also written" {
			dd = strings.TrimSpace(dt.Next().Text())
		}
	})
	if dd != "Aldanah, Marko Aldana" {
		t.Errorf("aliases on the speaker page = %q", dd)
	}
}

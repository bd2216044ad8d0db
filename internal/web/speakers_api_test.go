package web

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

func TestAPISpeakers(t *testing.T) {
	a := trickyArchive()
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})
	m := mustJSON(t, get(t, s, "/api/v1/speakers"))
	var got []any
	for _, sp := range m["speakers"].([]any) {
		if id := sp.(map[string]any)["id"]; id == "ada-quill" || id == "mara-harlow" {
			got = append(got, sp)
		}
	}
	want := []any{
		map[string]any{"id": "ada-quill", "name": "Ada \"Q\" Quill, Jr.", "roles": []any{"@chair; treasurer"},
			"aliases": []any{"AQ", "-Q"}, "calls": 1.0, "lines": 3.0, "url": "/speakers/ada-quill"},
		map[string]any{"id": "mara-harlow", "name": "Mara Harlow", "roles": []any{"Harbour commissioner"},
			"aliases": []any{"MH"}, "calls": 1.0, "lines": 2.0, "url": "/speakers/mara-harlow"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// A speaker across two calls, with different roles and spellings.
func speakerArchive() *transcript.Archive {
	var calls []*transcript.Call
	for i, role := range []string{"Broker", "Former broker"} {
		c := &transcript.Call{Slug: "2024-0" + strconv.Itoa(i+1) + "-01-brandt", Title: "Call " + strconv.Itoa(i+1),
			Date: "2024-0" + strconv.Itoa(i+1) + "-01", Participants: []transcript.Participant{
				{ID: "otto-brandt", Name: []string{"Otto Brandt", "O. Brandt"}[i], Role: role, Labels: []string{"OB"}},
				{ID: "mara-harlow", Name: "Mara Harlow"},
			}}
		for n := 1; n <= 5; n++ {
			sp := "otto-brandt"
			if n%2 == 0 {
				sp = "mara-harlow"
			}
			c.Lines = append(c.Lines, transcript.Line{N: n, Kind: transcript.Turn, Speaker: sp,
				Text: c.Slug + " line " + strconv.Itoa(n), Time: -1})
		}
		calls = append(calls, c)
	}
	return &transcript.Archive{Calls: calls}
}

func TestAPISpeaker(t *testing.T) {
	a := speakerArchive()
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }})
	m := mustJSON(t, get(t, s, "/api/v1/speakers/otto-brandt?size=4"))
	wantSpeaker := map[string]any{"id": "otto-brandt", "name": "Otto Brandt", "roles": []any{"Broker", "Former broker"},
		"aliases": []any{"OB", "O. Brandt"}, "calls": 2.0, "lines": 6.0, "url": "/speakers/otto-brandt"}
	if diff := cmp.Diff(wantSpeaker, m["speaker"]); diff != "" {
		t.Errorf("speaker (-want +got):\n%s", diff)
	}
	wantCalls := []any{
		map[string]any{"slug": "2024-01-01-brandt", "title": "Call 1", "date": "2024-01-01", "role": "Broker", "lines": 3.0, "url": "/calls/2024-01-01-brandt"},
		map[string]any{"slug": "2024-02-01-brandt", "title": "Call 2", "date": "2024-02-01", "role": "Former broker", "lines": 3.0, "url": "/calls/2024-02-01-brandt"},
	}
	if diff := cmp.Diff(wantCalls, m["calls"]); diff != "" {
		t.Errorf("calls (-want +got):\n%s", diff)
	}
	lines := func(m map[string]any) []string {
		var out []string
		for _, l := range m["lines"].([]any) {
			lm := l.(map[string]any)
			if lm["speaker"] != "otto-brandt" || lm["kind"] != "turn" {
				t.Errorf("line %v", lm)
			}
			out = append(out, lm["text"].(string))
		}
		return out
	}
	if diff := cmp.Diff([]string{"2024-01-01-brandt line 1", "2024-01-01-brandt line 3", "2024-01-01-brandt line 5", "2024-02-01-brandt line 1"}, lines(m)); diff != "" {
		t.Errorf("page 1 (-want +got):\n%s", diff)
	}
	next, _ := m["next"].(string)
	if next != "http://example.com/api/v1/speakers/otto-brandt?page=2&size=4" || m["previous"] != nil {
		t.Fatalf("next %v previous %v", m["next"], m["previous"])
	}
	rec := get(t, s, next[len("http://example.com"):])
	m2 := mustJSON(t, rec)
	if diff := cmp.Diff([]string{"2024-02-01-brandt line 3", "2024-02-01-brandt line 5"}, lines(m2)); diff != "" {
		t.Errorf("page 2 (-want +got):\n%s", diff)
	}
	if m2["next"] != nil || m2["previous"] != "http://example.com/api/v1/speakers/otto-brandt?size=4" {
		t.Errorf("page 2 next %v previous %v", m2["next"], m2["previous"])
	}
	if l := rec.Header().Get("Link"); l != `<http://example.com/api/v1/speakers/otto-brandt?size=4>; rel="prev"` {
		t.Errorf("Link %q", l)
	}
}

func TestAPISpeaker_BadInput(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, tt := range []struct {
		target string
		status int
	}{
		{"/api/v1/speakers/nobody", http.StatusNotFound},
		{"/api/v1/speakers/Otto%20Brandt", http.StatusNotFound},
		{"/api/v1/speakers/otto-brandt?page=0", http.StatusBadRequest},
		{"/api/v1/speakers/otto-brandt?page=-1", http.StatusBadRequest},
		{"/api/v1/speakers/otto-brandt?page=999999999999", http.StatusBadRequest},
		{"/api/v1/speakers/otto-brandt?page=99999999999999999999999", http.StatusBadRequest},
		{"/api/v1/speakers/otto-brandt?size=1001", http.StatusBadRequest},
		{"/api/v1/speakers/otto-brandt?size=x", http.StatusBadRequest},
	} {
		rec := get(t, s, tt.target)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.target, rec.Code, tt.status)
		}
		if m := mustJSON(t, rec); m["error"] == nil {
			t.Errorf("%s: %v", tt.target, m)
		}
	}
	// A page past the last is empty, not an error.
	m := mustJSON(t, get(t, s, "/api/v1/speakers/otto-brandt?page=50"))
	if len(m["lines"].([]any)) != 0 || m["next"] != nil || m["previous"] != "http://example.com/api/v1/speakers/otto-brandt" {
		t.Errorf("page 50: %v", m)
	}
}

package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// manyHits answers every search with total hits, q.Size of them on the page.
func manyHits(total uint64) func(context.Context, index.Query) (*index.Result, error) {
	return func(_ context.Context, q index.Query) (*index.Result, error) {
		r := &index.Result{Total: total}
		from := (q.Page - 1) * q.Size
		for i := from; i < from+q.Size && uint64(i) < total; i++ {
			r.Hits = append(r.Hits, index.Hit{Call: slugHarbour, Line: 1 + i%4, Speaker: "mara-harlow", Text: "x"})
		}
		return r, nil
	}
}

func TestAPISearch_Paging(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: manyHits(45)})
	str := func(v any) any { return v }
	tests := []struct {
		target         string
		next, previous any
		link           string
	}{
		{"/api/v1/search?q=x", str("http://example.com/api/v1/search?page=2&q=x"), nil,
			`<http://example.com/api/v1/search?page=2&q=x>; rel="next"`},
		{"/api/v1/search?q=x&page=2", str("http://example.com/api/v1/search?page=3&q=x"), str("http://example.com/api/v1/search?q=x"),
			`<http://example.com/api/v1/search?page=3&q=x>; rel="next", <http://example.com/api/v1/search?q=x>; rel="prev"`},
		{"/api/v1/search?q=x&page=3", nil, str("http://example.com/api/v1/search?page=2&q=x"),
			`<http://example.com/api/v1/search?page=2&q=x>; rel="prev"`},
		// The size and the filters are kept; the page after the last
		// hit points back to the last page.
		{"/api/v1/search?q=x&size=40&speaker=MH&sort=date", str("http://example.com/api/v1/search?page=2&q=x&size=40&sort=date&speaker=MH"), nil,
			`<http://example.com/api/v1/search?page=2&q=x&size=40&sort=date&speaker=MH>; rel="next"`},
		{"/api/v1/search?q=x&page=9", nil, str("http://example.com/api/v1/search?page=3&q=x"),
			`<http://example.com/api/v1/search?page=3&q=x>; rel="prev"`},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := get(t, s, tt.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			m := mustJSON(t, rec)
			if diff := cmp.Diff(map[string]any{"next": tt.next, "previous": tt.previous},
				map[string]any{"next": m["next"], "previous": m["previous"]}); diff != "" {
				t.Errorf("links (-want +got):\n%s", diff)
			}
			if got := rec.Header().Get("Link"); got != tt.link {
				t.Errorf("Link = %q, want %q", got, tt.link)
			}
		})
	}
}

// A script can walk every page by following "next" until it is null.
func TestAPISearch_FollowNext(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: manyHits(250)})
	target, pages, hits := "/api/v1/search?q=x&size=100", 0, 0
	for target != "" {
		m := mustJSON(t, get(t, s, target))
		pages++
		hits += len(m["hits"].([]any))
		target = ""
		if n, ok := m["next"].(string); ok {
			target = n[len("http://example.com"):]
		}
		if pages > 10 {
			t.Fatal("next links do not end")
		}
	}
	if pages != 3 || hits != 250 {
		t.Errorf("followed %d pages with %d hits, want 3 and 250", pages, hits)
	}
}

func TestAPISearch_RicherHits(t *testing.T) {
	for _, base := range []string{"", "https://archive.example"} {
		t.Run("base="+base, func(t *testing.T) {
			a := testArchive()
			s, err := NewServer(Config{
				Library: &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a },
					SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
						r := sampleResult()
						r.Hits = append(r.Hits, index.Hit{Call: "gone-call", Line: 2, Text: "from the index", Date: "2020-01-01"})
						return r, nil
					}},
				Assets:  os.DirFS("../../web"),
				Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
				BaseURL: base,
			})
			if err != nil {
				t.Fatal(err)
			}
			m := mustJSON(t, get(t, s, "/api/v1/search?q=word"))
			hits := m["hits"].([]any)
			got := map[string]any{}
			for _, k := range []string{"call_title", "completeness", "date", "source", "permalink"} {
				got[k] = hits[0].(map[string]any)[k]
			}
			want := map[string]any{
				"call_title":   "Call between Mara Harlow and Otto Brandt",
				"completeness": "excerpt",
				"date":         "2024-03-02",
				"source": map[string]any{"publisher": "The Fictional Ledger", "url": "https://ledger.example/harbour",
					"published": "2024-03-09", "note": "The Ledger says a participant's aide shared the recording."},
				"permalink": base + "/calls/" + slugHarbour + "/L3",
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("hit 0 (-want +got):\n%s", diff)
			}
			// A hit whose call the archive no longer has keeps the
			// index's own fields.
			last := hits[len(hits)-1].(map[string]any)
			if last["call_title"] != "gone-call" || last["completeness"] != nil || last["source"] != nil || last["date"] != "2020-01-01" {
				t.Errorf("hit of an unknown call = %v", last)
			}
		})
	}
}

func TestAPISearch_Notes(t *testing.T) {
	searched := false
	s, _ := newNotesServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		searched = true
		return sampleResult(), nil
	}})
	t.Run("in:notes", func(t *testing.T) {
		searched = false
		m := mustJSON(t, get(t, s, "/api/v1/search?q=in:notes+dredging"))
		if searched {
			t.Error("the line index was searched for in:notes")
		}
		if len(m["hits"].([]any)) != 0 || m["total"] != 0.0 {
			t.Errorf("in:notes returned line hits: %v", m["hits"])
		}
		want := []any{map[string]any{
			"call": slugHarbour, "note": "note-1", "n": 1.0, "first": 1.0, "last": 1.0,
			"text":      "Harlow means the **dredging** vote. [Ledger](https://ledger.example/dredging) <script>alert(1)</script> [x](javascript:alert(1))",
			"fragments": []any{"Harlow means the <mark>dredging</mark> vote. Ledger alert(1) x"},
			"url":       "/calls/" + slugHarbour + "#note-1",
		}}
		if diff := cmp.Diff(want, m["notes"]); diff != "" {
			t.Errorf("notes (-want +got):\n%s", diff)
		}
	})
	t.Run("headnote beside line hits", func(t *testing.T) {
		m := mustJSON(t, get(t, s, "/api/v1/search?q=broker"))
		if !searched || len(m["hits"].([]any)) == 0 {
			t.Error("lines not searched")
		}
		notes := m["notes"].([]any)
		if len(notes) != 1 {
			t.Fatalf("notes = %v", notes)
		}
		n := notes[0].(map[string]any)
		if n["note"] != "headnote" || n["n"] != 0.0 || n["first"] != nil || n["last"] != nil || n["url"] != "/calls/"+slugHarbour+"#headnote" {
			t.Errorf("headnote hit = %v", n)
		}
	})
	t.Run("page 2 has no notes", func(t *testing.T) {
		m := mustJSON(t, get(t, s, "/api/v1/search?q=broker&page=2"))
		if n := m["notes"].([]any); len(n) != 0 {
			t.Errorf("notes on page 2: %v", n)
		}
	})
}

func TestAPISearch_BadInput(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: manyHits(10)})
	for _, target := range []string{
		"/api/v1/search?q=x&page=-1",
		"/api/v1/search?q=x&page=0",
		"/api/v1/search?q=x&page=99999999999999999999999",
		"/api/v1/search?q=x&page=1000",
		"/api/v1/search?q=x&size=101",
		"/api/v1/search?q=x&size=-5",
		"/api/v1/search?q=x&sort=sideways",
	} {
		rec := get(t, s, target)
		if rec.Code != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", target, rec.Code)
		}
		if m := mustJSON(t, rec); m["error"] == nil {
			t.Errorf("%s: no error: %v", target, m)
		}
	}
}

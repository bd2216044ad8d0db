package web

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/csvout"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// Fictional people saying fictional things, with every character a CSV
// file or a spreadsheet treats specially.
const slugTricky = "2024-05-06-quill-rowe"

func trickyArchive() *transcript.Archive {
	c := &transcript.Call{
		Slug:         slugTricky,
		Title:        `=HYPERLINK("http://evil.example","Call, \"quoted\"")`,
		Date:         "2024-05-06",
		Completeness: transcript.Complete,
		Source:       transcript.Source{Publisher: "+Ledger, \"Weekly\"", URL: "https://ledger.example/q", Published: "2024-05-07"},
		Participants: []transcript.Participant{
			{ID: "ada-quill", Name: "Ada \"Q\" Quill, Jr.", Role: "@chair; treasurer", Labels: []string{"AQ", "-Q"}},
			{ID: "ben-rowe", Name: "Ben Rowe", Role: "-clerk", Labels: []string{"BR"}},
		},
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "ada-quill", Text: "=1+1, I said, \"twice\".", Time: 0},
			{N: 2, Kind: transcript.Direction, Text: "[papers, rustling]", Time: -1},
			{N: 3, Kind: transcript.Turn, Speaker: "ben-rowe", Text: "+44 20 7946 0000 is the number.\n\nAnd a second paragraph, with \"quotes\".", Time: 12.5},
			{N: 4, Kind: transcript.Turn, Speaker: "ada-quill", Text: "-5 degrees, @noon.", Time: 30},
			{N: 5, Kind: transcript.Turn, Speaker: "ben-rowe", Text: "\tTabbed, then 'quoted'.", Time: -1},
			{N: 6, Kind: transcript.Turn, Speaker: "ada-quill", Text: "'Tis the =SUM(A1:A2) of it\nall.", Time: -1},
		},
	}
	a := testArchive()
	a.Calls = append(a.Calls, c)
	return a
}

// readCSV reads a CSV answer with encoding/csv, undoing the formula guard
// as the README says, and checks the headers every CSV answer carries.
func readCSV(t *testing.T, rec interface {
	Header() http.Header
}, body, filename string) [][]string {
	t.Helper()
	h := rec.Header()
	if ct := h.Get("Content-Type"); ct != "text/csv; charset=utf-8; header=present" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cd := h.Get("Content-Disposition"); cd != "attachment; filename="+filename {
		t.Errorf("Content-Disposition = %q, want attachment; filename=%s", cd, filename)
	}
	r := csv.NewReader(strings.NewReader(body))
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("encoding/csv: %v\n%s", err, body)
	}
	for _, row := range rows {
		for i := range row {
			row[i] = csvout.Unquote(row[i])
		}
	}
	return rows
}

// everyLine answers a search with every line of every call of a, as hits.
func everyLine(a *transcript.Archive) func(context.Context, index.Query) (*index.Result, error) {
	return func(_ context.Context, q index.Query) (*index.Result, error) {
		var all []index.Hit
		for _, c := range a.Calls {
			for _, l := range c.Lines {
				all = append(all, index.Hit{Call: c.Slug, Line: l.N, Speaker: l.Speaker, Text: l.Text, Date: c.Date, Time: l.Time})
			}
		}
		r := &index.Result{Total: uint64(len(all))}
		from := (q.Page - 1) * q.Size
		if from < len(all) {
			r.Hits = all[from:min(len(all), from+q.Size)]
		}
		return r, nil
	}
}

// TestCSV_RoundTrip reads every CSV download with encoding/csv and gets
// back every field of the archive exactly: commas, quotes, line breaks and
// formula-like text included.
func TestCSV_RoundTrip(t *testing.T) {
	a := trickyArchive()
	s := newTestServer(t, &fakeLibrary{
		ArchiveFunc: func() *transcript.Archive { return a },
		SearchFunc:  everyLine(a),
	})
	base := "http://example.com"
	name := func(c *transcript.Call, id string) string {
		p, _ := c.Participant(id)
		return p.Name
	}

	t.Run("call", func(t *testing.T) {
		for _, c := range a.Calls {
			rec := get(t, s, "/calls/"+c.Slug+".csv")
			if rec.Code != 200 {
				t.Fatalf("status %d", rec.Code)
			}
			got := readCSV(t, rec, rec.Body.String(), c.Slug+".csv")
			want := [][]string{{"n", "speaker_id", "speaker_name", "kind", "text", "time"}}
			for _, l := range c.Lines {
				tm := ""
				if l.Time >= 0 {
					tm = strconv.FormatFloat(l.Time, 'f', -1, 64)
				}
				want = append(want, []string{strconv.Itoa(l.N), l.Speaker, name(c, l.Speaker), string(l.Kind), l.Text, tm})
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-want +got):\n%s", c.Slug, diff)
			}
		}
	})

	t.Run("calls", func(t *testing.T) {
		rec := get(t, s, "/api/v1/calls.csv")
		got := readCSV(t, rec, rec.Body.String(), "backchannel-calls.csv")
		want := [][]string{callsCSVHeader}
		for _, c := range a.Calls {
			var names []string
			for _, p := range c.Participants {
				names = append(names, p.Name)
			}
			want = append(want, []string{c.Slug, c.Title, c.Date, string(c.Completeness), strings.Join(names, "; "),
				strconv.Itoa(len(c.Lines)), c.Source.Publisher, c.Source.URL, c.Source.Published, base + "/calls/" + c.Slug})
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
	})

	t.Run("speakers", func(t *testing.T) {
		rec := get(t, s, "/api/v1/speakers.csv")
		got := readCSV(t, rec, rec.Body.String(), "backchannel-speakers.csv")
		var row []string
		for _, r := range got {
			if r[0] == "ada-quill" {
				row = r
			}
		}
		want := []string{"ada-quill", "Ada \"Q\" Quill, Jr.", "@chair; treasurer", "AQ; -Q", "1", "3", base + "/speakers/ada-quill"}
		if diff := cmp.Diff(want, row); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if len(got) != 1+len(a.Speakers()) || !cmp.Equal(got[0], speakersCSVHeader) {
			t.Errorf("%d rows, header %v", len(got), got[0])
		}
	})

	t.Run("search", func(t *testing.T) {
		rec := get(t, s, "/api/v1/search.csv?q=anything")
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		got := readCSV(t, rec, rec.Body.String(), "search-anything.csv")
		want := [][]string{{"call", "call_title", "date", "line", "speaker_id", "speaker_name", "text", "url", "permalink"}}
		for _, c := range a.Calls {
			for _, l := range c.Lines {
				want = append(want, []string{c.Slug, c.Title, c.Date, strconv.Itoa(l.N), l.Speaker, name(c, l.Speaker), l.Text,
					base + "/calls/" + c.Slug + "#L" + strconv.Itoa(l.N), base + "/calls/" + c.Slug + "/L" + strconv.Itoa(l.N)})
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("(-want +got):\n%s", diff)
		}
		if rec.Header().Get("X-Total-Count") != strconv.Itoa(len(want)-1) || rec.Header().Get("X-Truncated") != "false" {
			t.Errorf("X-Total-Count %q, X-Truncated %q", rec.Header().Get("X-Total-Count"), rec.Header().Get("X-Truncated"))
		}
	})

	// The guard is there in the file itself: a spreadsheet sees text.
	t.Run("formula guard", func(t *testing.T) {
		body := get(t, s, "/calls/"+slugTricky+".csv").Body.String()
		for _, want := range []string{`1,ada-quill,"Ada ""Q"" Quill, Jr.",turn,"'=1+1, I said, ""twice"".",0`, "'+44 20", "'-5 degrees", "\"'\tTabbed", "''Tis the"} {
			if !strings.Contains(body, want) {
				t.Errorf("file lacks %q:\n%s", want, body)
			}
		}
		if !strings.HasPrefix(body, "n,speaker_id,speaker_name,kind,text,time\r\n") {
			t.Errorf("header row: %q", body[:50])
		}
	})
}

// TestSearchCSV_Cap: a query with more hits than the cap streams exactly
// maxCSVHits rows, page by page, and says it stopped there.
func TestSearchCSV_Cap(t *testing.T) {
	var pages []int
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(ctx context.Context, q index.Query) (*index.Result, error) {
		pages = append(pages, q.Page)
		return manyHits(1_000_000)(ctx, q)
	}})
	rec := get(t, s, "/api/v1/search.csv?q=x&page=3&size=7")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	rows, err := csv.NewReader(strings.NewReader(rec.Body.String())).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+maxCSVHits || maxCSVHits < 10_000 {
		t.Errorf("%d rows, want a header and %d hits", len(rows), maxCSVHits)
	}
	if got := rec.Header().Get("X-Truncated"); got != "true" {
		t.Errorf("X-Truncated = %q", got)
	}
	if got := rec.Header().Get("X-Total-Count"); got != "1000000" {
		t.Errorf("X-Total-Count = %q", got)
	}
	if len(pages) != maxCSVHits/index.MaxSize || pages[0] != 1 || pages[len(pages)-1] != maxCSVHits/index.MaxSize {
		t.Errorf("searched pages %v..., want 1 to %d", pages[:3], maxCSVHits/index.MaxSize)
	}
}

func TestCSV_BadInput(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: manyHits(3)})
	tests := []struct {
		target string
		status int
	}{
		{"/api/v1/search.csv", 400},
		{"/api/v1/search.csv?q=x&size=101", 400},
		{"/api/v1/search.csv?q=x&page=-2", 400},
		{"/api/v1/search.csv?q=x&sort=up", 400},
		{"/calls/no-such-call.csv", 404},
		{"/calls/" + slugHarbour + ".csv.csv", 404},
	}
	for _, tt := range tests {
		rec := get(t, s, tt.target)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.target, rec.Code, tt.status)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json; charset=utf-8" {
			t.Errorf("%s: Content-Type %q, want JSON", tt.target, ct)
		}
		if m := mustJSON(t, rec); m["error"] == "" || m["error"] == nil {
			t.Errorf("%s: %v", tt.target, m)
		}
	}
}

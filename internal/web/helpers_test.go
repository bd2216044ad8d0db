package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// fakeLibrary is a Library with function fields (wtf mock style).
type fakeLibrary struct {
	ArchiveFunc func() *transcript.Archive
	SearchFunc  func(ctx context.Context, q index.Query) (*index.Result, error)
	HealthFunc  func() error
}

func (f *fakeLibrary) Archive() *transcript.Archive { return f.ArchiveFunc() }

func (f *fakeLibrary) Search(ctx context.Context, _ *transcript.Archive, q index.Query) (*index.Result, error) {
	if f.SearchFunc == nil {
		return nil, errors.New("fake: no search")
	}
	return f.SearchFunc(ctx, q)
}

func (f *fakeLibrary) Health() error {
	if f.HealthFunc == nil {
		return nil
	}
	return f.HealthFunc()
}

// Fictional people saying fictional things.
const (
	slugHarbour = "2024-03-02-harlow-brandt"
	slugHostile = "2024-04-10-hostile"
	xssScript   = `<script>alert("x")</script>`
	xssAttr     = `" onmouseover="alert(1)`
	xssImg      = `<img src=x onerror=alert(1)>`
)

func testArchive() *transcript.Archive {
	harbour := &transcript.Call{
		Slug:         slugHarbour,
		Title:        "Call between Mara Harlow and Otto Brandt",
		Date:         "2024-03-02",
		Language:     "en",
		Completeness: transcript.Excerpt,
		Source: transcript.Source{
			Publisher: "The Fictional Ledger",
			URL:       "https://ledger.example/harbour",
			Published: "2024-03-09",
			Note:      "The Ledger says a participant's aide shared the recording.",
		},
		Participants: []transcript.Participant{
			{ID: "mara-harlow", Name: "Mara Harlow", Role: "Harbour commissioner", Labels: []string{"MH"}},
			{ID: "otto-brandt", Name: "Otto Brandt", Role: "Shipping broker", Labels: []string{"OB"}},
		},
		Summary: "A *short* call about the harbour. See [the Ledger](https://ledger.example/harbour).",
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "mara-harlow", Text: "We’ll talk about the harbour later.", Time: -1},
			{N: 2, Kind: transcript.Direction, Text: "[phone rings]", Time: -1},
			{N: 3, Kind: transcript.Turn, Speaker: "otto-brandt", Text: "I don't know yet.\n\nBut I’ll check it, word for word.", Time: 75},
			{N: 4, Kind: transcript.Turn, Speaker: "mara-harlow", Text: "Then call me back.", Time: -1},
		},
		SHA256: strings.Repeat("ab", 32),
	}
	hostile := &transcript.Call{
		Slug:         slugHostile,
		Title:        "Hostile " + xssScript + xssAttr,
		Date:         "2024-04-10",
		Language:     `en" onfocus="alert(1)`,
		Completeness: transcript.NotStated,
		Source: transcript.Source{
			Publisher: xssScript,
			URL:       "javascript:alert(1)",
			Note:      xssAttr + xssImg,
		},
		Participants: []transcript.Participant{
			{ID: "eve-null", Name: "Eve " + xssImg + xssAttr, Role: xssScript, Labels: []string{xssAttr}},
		},
		Summary: "[click](javascript:alert(1)) " + xssScript + " " + xssImg + " [x](&#106;avascript:alert(1))",
		Lines: []transcript.Line{
			{N: 1, Kind: transcript.Turn, Speaker: "eve-null", Text: xssScript + " and " + xssAttr + "\n\n" + xssImg, Time: -1},
			{N: 2, Kind: transcript.Direction, Text: "[" + xssScript + "]", Time: -1},
		},
	}
	return &transcript.Archive{Calls: []*transcript.Call{harbour, hostile}}
}

func newTestServer(t testing.TB, lib *fakeLibrary) *Server {
	t.Helper()
	if lib.ArchiveFunc == nil {
		a := testArchive()
		lib.ArchiveFunc = func() *transcript.Archive { return a }
	}
	s, err := NewServer(Config{
		Library: lib,
		Assets:  os.DirFS("../../web"),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func do(t testing.TB, s *Server, method, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(method, target, nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func get(t testing.TB, s *Server, target string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, s, http.MethodGet, target)
}

func mustDoc(t testing.TB, rec *httptest.ResponseRecorder) *goquery.Document {
	t.Helper()
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func mustJSON(t testing.TB, rec *httptest.ResponseRecorder) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, rec.Body.String())
	}
	return m
}

// keys returns the sorted keys of a JSON object.
func keys(t testing.TB, v any) []string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%v is not a JSON object", v)
	}
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// sampleResult is what the fake index answers: a turn with fragments, a
// direction, and a turn where only the speaker's name matched.
func sampleResult() *index.Result {
	return &index.Result{
		Total: 3,
		Hits: []index.Hit{
			{Call: slugHarbour, Line: 3, Speaker: "otto-brandt", Text: "I don't know yet.\n\nBut I’ll check it, word for word.",
				Fragments: []index.Fragment{marked("But I’ll check it, <mark>word</mark> for <mark>word</mark>.")}, Terms: []string{"word"}, Score: 2},
			{Call: slugHarbour, Line: 2, Speaker: "", Text: "[phone rings]",
				Fragments: []index.Fragment{marked("[<mark>phone</mark> rings]")}, Terms: []string{"phone"}, Score: 1},
			{Call: slugHarbour, Line: 4, Speaker: "mara-harlow", Text: "Then call me back.", Score: 0.5},
		},
		Facets: index.Facets{
			Speaker:  []index.FacetCount{{Value: "otto-brandt", Count: 1}, {Value: "mara-harlow", Count: 1}},
			Call:     []index.FacetCount{{Value: slugHarbour, Count: 3}},
			Language: []index.FacetCount{{Value: "en", Count: 3}},
		},
		Parsed: "word",
	}
}

// marked is a fragment written with <mark> and </mark> around its marked
// words; everything else is its text as it is (nothing is unescaped).
func marked(s string) index.Fragment {
	var f index.Fragment
	var b strings.Builder
	for s != "" {
		open, rest, ok := strings.Cut(s, "<mark>")
		b.WriteString(open)
		if !ok {
			break
		}
		word, after, _ := strings.Cut(rest, "</mark>")
		f.Marks = append(f.Marks, index.Span{Start: b.Len(), End: b.Len() + len(word)})
		b.WriteString(word)
		s = after
	}
	f.Text = b.String()
	return f
}

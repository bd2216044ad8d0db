package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// Caches tell the truth: what a cache or a browser holds is revalidated
// against what the page shows now.

// editableNotesLibrary is a fakeLibrary whose notes can be replaced while
// the server runs, as serve --watch replaces them when a .notes.md changes.
type editableNotesLibrary struct {
	*fakeLibrary
	mu    sync.Mutex
	notes map[string]*annotate.Notes
}

func (l *editableNotesLibrary) Notes(_ *transcript.Archive, slug string) *annotate.Notes {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notes[slug]
}

// setNotes parses src as the notes of the harbour call and serves them.
func (l *editableNotesLibrary) setNotes(t testing.TB, a *transcript.Archive, src string) {
	t.Helper()
	c, _ := a.Call(slugHarbour)
	ns, ps := annotate.Parse(slugHarbour+".notes.md", []byte(src))
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	if ps := ns.Attach(c); len(ps) != 0 {
		t.Fatal(ps)
	}
	l.mu.Lock()
	l.notes = map[string]*annotate.Notes{slugHarbour: ns}
	l.mu.Unlock()
}

// Two fictional versions of the notes on the harbour call.
const (
	notesBefore = "---\nfidelity: memorandum of conversation\n---\n\n## L1\n\nHarlow means the dredging vote.\n"
	notesAfter  = "---\nfidelity: verbatim recording\n---\n\n## L1\n\nHarlow means the ferry timetable.\n"
)

func newEditableNotesServer(t testing.TB) (*Server, *editableNotesLibrary, *transcript.Archive) {
	t.Helper()
	a := testArchive()
	lib := &editableNotesLibrary{fakeLibrary: &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }}}
	lib.setNotes(t, a, notesBefore)
	s, err := NewServer(Config{Library: lib, Notes: lib, Assets: os.DirFS("../../web")})
	if err != nil {
		t.Fatal(err)
	}
	return s, lib, a
}

// conditionalGet sends a GET with the given request headers.
func conditionalGet(t testing.TB, s *Server, target string, header http.Header) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

// TestNotesEdit_ChangesPageAndETag (issue 14, finding 5): after a notes
// file is edited, the call page and the line page show the new notes under
// a new ETag, and the old ETag no longer gets a 304.
func TestNotesEdit_ChangesPageAndETag(t *testing.T) {
	for _, tc := range []struct {
		path          string
		before, after string // words only the old, only the new notes show
	}{
		{"/calls/" + slugHarbour, "dredging vote", "ferry timetable"},
		{"/calls/" + slugHarbour + "/L1", "memorandum of conversation", "verbatim recording"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			s, lib, a := newEditableNotesServer(t)
			first := get(t, s, tc.path)
			if first.Code != 200 || !strings.Contains(first.Body.String(), tc.before) {
				t.Fatalf("before the edit: %d, page shows %q: %v", first.Code, tc.before, strings.Contains(first.Body.String(), tc.before))
			}
			etag := first.Header().Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			get(t, s, tc.path) // cached now

			lib.setNotes(t, a, notesAfter)
			after := get(t, s, tc.path)
			if body := after.Body.String(); !strings.Contains(body, tc.after) || strings.Contains(body, tc.before) {
				t.Errorf("after the edit the page shows the new notes %v, the old %v; want only the new",
					strings.Contains(body, tc.after), strings.Contains(body, tc.before))
			}
			if after.Header().Get("ETag") == etag {
				t.Errorf("the ETag %s did not change with the notes", etag)
			}
			rec := conditionalGet(t, s, tc.path, http.Header{"If-None-Match": {etag}})
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), tc.after) {
				t.Errorf("If-None-Match with the ETag of the old notes: %d, want 200 with the new notes", rec.Code)
			}
		})
	}
}

// TestLastModified_ChangeWithinASecond (issue 14, finding 6): a page that
// changes within the second it was first served gets a later
// Last-Modified, so If-Modified-Since with the first one gets the new
// page rather than a 304.
func TestLastModified_ChangeWithinASecond(t *testing.T) {
	path := "/calls/" + slugHarbour
	for try := 0; ; try++ {
		s, lib, a := newEditableNotesServer(t)
		start := time.Now()
		first := get(t, s, path)
		lib.setNotes(t, a, notesAfter)
		second := get(t, s, path)
		if !start.Truncate(time.Second).Equal(time.Now().Truncate(time.Second)) {
			// The second ended between the two: try again, so the
			// test shows the case it is about.
			if try < 5 {
				continue
			}
			t.Skip("could not serve two versions within one second")
		}
		lm1, err1 := http.ParseTime(first.Header().Get("Last-Modified"))
		lm2, err2 := http.ParseTime(second.Header().Get("Last-Modified"))
		if err1 != nil || err2 != nil {
			t.Fatalf("Last-Modified %q then %q", first.Header().Get("Last-Modified"), second.Header().Get("Last-Modified"))
		}
		if lm2.Sub(lm1) < time.Second {
			t.Errorf("Last-Modified went from %v to %v when the page changed; want at least a second later", lm1, lm2)
		}
		rec := conditionalGet(t, s, path, http.Header{"If-Modified-Since": {first.Header().Get("Last-Modified")}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "ferry timetable") {
			t.Errorf("If-Modified-Since the first version: %d, want 200 with the edited page", rec.Code)
		}
		// Unchanged, the page keeps its Last-Modified.
		if third := get(t, s, path); third.Header().Get("Last-Modified") != second.Header().Get("Last-Modified") {
			t.Errorf("Last-Modified moved from %s to %s without a change", second.Header().Get("Last-Modified"), third.Header().Get("Last-Modified"))
		}
		return
	}
}

// TestLastModified_SurvivesEviction: a page dropped from the cache and
// rendered again with the same bytes keeps its Last-Modified, and one
// rendered again with other bytes never gets an earlier one.
func TestLastModified_NeverBackwards(t *testing.T) {
	var cur atomic.Pointer[transcript.Archive]
	cur.Store(testArchive())
	s := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return cur.Load() }})
	path := "/calls/" + slugHarbour
	first := get(t, s, path)
	cur.Store(testArchive()) // a reload with the same transcripts
	same := get(t, s, path)
	if same.Header().Get("ETag") != first.Header().Get("ETag") || same.Header().Get("Last-Modified") != first.Header().Get("Last-Modified") {
		t.Errorf("the same page after a reload: ETag %s, Last-Modified %s; want %s and %s as before",
			same.Header().Get("ETag"), same.Header().Get("Last-Modified"), first.Header().Get("ETag"), first.Header().Get("Last-Modified"))
	}
	edited := testArchive()
	c, _ := edited.Call(slugHarbour)
	c.Title = "An edited fictional title"
	cur.Store(edited)
	changed := get(t, s, path)
	lm1, _ := http.ParseTime(first.Header().Get("Last-Modified"))
	lm2, _ := http.ParseTime(changed.Header().Get("Last-Modified"))
	if !lm2.After(lm1) {
		t.Errorf("Last-Modified %v after the change, %v before: want later", lm2, lm1)
	}
}

// TestConditional_RequestHeaders (issue 14, finding 6): a future
// If-Modified-Since is ignored (it cannot be a date the server sent), and
// If-None-Match lists in several header fields count as one list.
func TestConditional_RequestHeaders(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, path := range []string{"/calls/" + slugHarbour, "/calls/" + slugHarbour + ".txt", "/api/v1/calls", "/static/app.css"} {
		t.Run(path, func(t *testing.T) {
			first := get(t, s, path)
			etag := first.Header().Get("ETag")
			if first.Code != 200 || etag == "" {
				t.Fatalf("%d, ETag %q", first.Code, etag)
			}
			for _, tc := range []struct {
				name   string
				header http.Header
				want   int
			}{
				{"If-Modified-Since a day ahead", http.Header{"If-Modified-Since": {time.Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat)}}, 200},
				{"If-Modified-Since a year ahead", http.Header{"If-Modified-Since": {time.Now().AddDate(1, 0, 0).UTC().Format(http.TimeFormat)}}, 200},
				{"If-None-Match matching in the second field", http.Header{"If-None-Match": {`"other"`, etag}}, 304},
				{"If-None-Match matching in the first field", http.Header{"If-None-Match": {etag, `"other"`}}, 304},
				{"If-None-Match matching in no field", http.Header{"If-None-Match": {`"a"`, `"b", "c"`}}, 200},
			} {
				if rec := conditionalGet(t, s, path, tc.header); rec.Code != tc.want {
					t.Errorf("%s: %d, want %d", tc.name, rec.Code, tc.want)
				}
			}
		})
	}
}

// TestHEADMatchesGET (issue 14, finding 8): on every route, HEAD answers
// the headers GET does, Content-Length included or absent alike, with and
// without gzip, and a first HEAD (nothing cached yet) as well as a later
// one. Through a real server, since net/http decides part of the framing.
func TestHEADMatchesGET(t *testing.T) {
	routes := []string{
		"/", "/calls/" + slugHarbour, "/calls/" + slugHarbour + ".txt", "/calls/" + slugHarbour + ".json",
		"/calls/" + slugHarbour + "/L3", "/calls/" + slugHarbour + "/L1-L3", "/calls/" + slugHarbour + "?hl=word",
		"/search", "/search?q=word", "/search?page=0", "/search/help", "/speakers/mara-harlow",
		"/api/v1/search?q=word", "/api/v1/calls", "/api/v1/calls/" + slugHarbour, "/api/v1/nope",
		"/api/v1/search.csv?q=word", "/api/v1/calls.csv", "/api/v1/speakers", "/api/v1/speakers.csv",
		"/api/v1/speakers/mara-harlow", "/api/v1/export.ndjson", "/metrics",
		"/healthz", "/robots.txt", "/feed.atom", "/sitemap.xml", "/opensearch.xml", "/favicon.ico",
		"/static/app.css", "/static/app.js", "/nope", "/calls/nope",
	}
	for _, gzip := range []bool{false, true} {
		s := newTestServer(t, &fakeLibrary{SearchFunc: sampleSearch})
		srv := httptest.NewServer(s.Handler())
		t.Cleanup(srv.Close)
		client := srv.Client()
		send := func(method, path string) *http.Response {
			t.Helper()
			req, err := http.NewRequest(method, srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if gzip {
				req.Header.Set("Accept-Encoding", "gzip")
			} else {
				req.Header.Set("Accept-Encoding", "identity")
			}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp
		}
		for _, path := range routes {
			head1 := send(http.MethodHead, path) // the first request for the path
			getResp := send(http.MethodGet, path)
			head2 := send(http.MethodHead, path)
			for i, head := range []*http.Response{head1, head2} {
				if d := cmp.Diff(comparable(getResp), comparable(head)); d != "" {
					t.Errorf("gzip %v, %s: HEAD %d differs from GET (-GET +HEAD):\n%s", gzip, path, i+1, d)
				}
			}
		}
	}
}

// comparable is a response's status and headers less those that differ
// from one response to the next whatever the method.
func comparable(r *http.Response) map[string][]string {
	m := map[string][]string{"Status": {r.Status}}
	for k, v := range r.Header {
		switch k {
		case "Date", "X-Request-Id":
			continue
		}
		m[k] = v
	}
	return m
}

// TestTooManyQueryParameters (issue 14, finding 8): Go reads no query
// parameter at all past 10,000, so such a request is refused with a 400
// that says why rather than answered as if it had none.
func TestTooManyQueryParameters(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: sampleSearch})
	many := "?q=word" + strings.Repeat("&x=1", 10000)
	for _, path := range []string{"/search", "/api/v1/search", "/calls/" + slugHarbour} {
		rec := get(t, s, path+many)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "10,000") || !strings.Contains(rec.Body.String(), "parameters") {
			t.Errorf("%s with 10,001 parameters: %d %.300q, want 400 naming the limit", path, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("Content-Security-Policy") == "" {
			t.Errorf("%s: the 400 lacks the security headers", path)
		}
	}
	if rec := get(t, s, "/search?q=word"+strings.Repeat("&x=1", 9998)); rec.Code != http.StatusOK {
		t.Errorf("10,000 parameters: %d, want 200", rec.Code)
	}
}

// TestOptionsStar (issue 14, finding 8): OPTIONS *, which net/http answers
// itself unless told not to (web.ConfigureHTTPServer), is answered by the
// site's handler with the security headers.
func TestOptionsStar(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	req := httptest.NewRequest(http.MethodOptions, "*", nil)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("Allow") == "" || rec.Header().Get("Content-Security-Policy") == "" || rec.Body.Len() != 0 {
		t.Errorf("OPTIONS *: %d, Allow %q, headers %v, body %q; want 200, an Allow and the security headers, no body",
			rec.Code, rec.Header().Get("Allow"), rec.Header(), rec.Body.String())
	}
}

// TestPathsNormalized (issue 14, finding 8): a path that percent-encodes
// an unreserved character (RFC 3986 2.3) names the same page as the plain
// one; an encoded slash still does not.
func TestPathsNormalized(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, tc := range []struct{ path, same string }{
		{"/speakers/mara%2Dharlow", "/speakers/mara-harlow"},
		{"/speakers/mara%2dharlow", "/speakers/mara-harlow"},
		{"/speakers/%6Dara-harlow", "/speakers/mara-harlow"},
		{"/calls/2024%2D03%2D02%2Dharlow%2Dbrandt", "/calls/" + slugHarbour},
		{"/calls/" + slugHarbour + "/%4C3", "/calls/" + slugHarbour + "/L3"},
		{"/calls/" + slugHarbour + "%2Etxt", "/calls/" + slugHarbour + ".txt"},
		{"/static/app%2Ecss", "/static/app.css"},
	} {
		want := get(t, s, tc.same)
		got := get(t, s, tc.path)
		if got.Code != want.Code || got.Body.String() != want.Body.String() {
			t.Errorf("%s: %d, want %d and the page of %s", tc.path, got.Code, want.Code, tc.same)
		}
	}
	if rec := get(t, s, "/calls/a%2Fb"); rec.Code != http.StatusNotFound {
		t.Errorf("an encoded slash: %d, want 404", rec.Code)
	}
}

// sampleSearch answers every search with sampleResult.
func sampleSearch(context.Context, index.Query) (*index.Result, error) { return sampleResult(), nil }

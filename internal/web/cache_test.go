package web

import (
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"backchannel/internal/transcript"
)

// TestPageCache checks what a reader of a cached page would notice: the
// same bytes as a fresh render, a 304 for a version they have, gzip when
// asked, and a new page as soon as the archive is swapped.
func TestPageCache(t *testing.T) {
	var cur atomic.Pointer[transcript.Archive]
	cur.Store(testArchive())
	lib := &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return cur.Load() }}
	s := newTestServer(t, lib)
	path := "/calls/" + slugHarbour

	first := get(t, s, path)
	second := get(t, s, path)
	if first.Code != 200 || second.Code != 200 {
		t.Fatalf("status %d then %d", first.Code, second.Code)
	}
	if first.Body.String() != second.Body.String() {
		t.Error("the cached page differs from the first render")
	}
	etag := second.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag on a call page")
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options"} {
		if second.Header().Get(h) == "" {
			t.Errorf("cached page lacks %s", h)
		}
	}

	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("If-None-Match", etag)
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match with the current ETag: %d with %d bytes, want 304 and no body", rec.Code, rec.Body.Len())
	}

	req = httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("Accept-Encoding", "br;q=1, gzip;q=0.8")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", rec.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if string(plain) != first.Body.String() {
		t.Error("the gzipped cached page differs from the plain one")
	}

	// A swapped archive (ingest, --watch) is served at once.
	edited := testArchive()
	c, _ := edited.Call(slugHarbour)
	c.Title = "An edited fictional title"
	cur.Store(edited)
	after := get(t, s, path)
	if !strings.Contains(after.Body.String(), "An edited fictional title") {
		t.Error("after the archive was swapped the old page is still served")
	}
	if after.Header().Get("ETag") == etag {
		t.Error("the ETag did not change with the page")
	}

	// Pages with a query (?hl=) and errors are not cached.
	if rec := get(t, s, path+"?hl=harbour"); !strings.Contains(rec.Body.String(), "<mark") {
		t.Error("?hl= page not highlighted (served from the cache?)")
	}
	if rec := get(t, s, "/calls/no-such-call"); rec.Code != 404 {
		t.Errorf("unknown call: %d", rec.Code)
	}
}

// TestPageCache_Conditional checks the validators a browser or proxy
// revalidates with: ETag and Last-Modified, If-None-Match taking
// precedence over If-Modified-Since.
func TestPageCache_Conditional(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	path := "/calls/" + slugHarbour
	first := get(t, s, path)
	lm := first.Header().Get("Last-Modified")
	modified, err := http.ParseTime(lm)
	if err != nil {
		t.Fatalf("Last-Modified %q: %v", lm, err)
	}
	etag := first.Header().Get("ETag")
	for _, tc := range []struct {
		name        string
		inm, ims    string
		wantStatus  int
		wantHasBody bool
	}{
		{"no validators", "", "", 200, true},
		{"same time", "", lm, 304, false},
		{"in the future", "", time.Now().Add(time.Hour).Format(http.TimeFormat), 200, true},
		{"earlier", "", modified.Add(-time.Second).Format(http.TimeFormat), 200, true},
		{"malformed date", "", "yesterday", 200, true},
		{"etag wins over a matching date", `"other"`, lm, 200, true},
		{"etag among others", `"a", ` + etag + `, "b"`, "", 304, false},
		{"star", "*", "", 304, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			if tc.inm != "" {
				req.Header.Set("If-None-Match", tc.inm)
			}
			if tc.ims != "" {
				req.Header.Set("If-Modified-Since", tc.ims)
			}
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.wantStatus || (rec.Body.Len() > 0) != tc.wantHasBody {
				t.Errorf("%d with %d bytes, want %d (body %v)", rec.Code, rec.Body.Len(), tc.wantStatus, tc.wantHasBody)
			}
			// A 304 need not repeat Last-Modified (RFC 9110 15.4.5), and
			// http.ServeContent leaves it out when there is an ETag.
			h := rec.Header()
			if h.Get("ETag") != etag || (rec.Code == 200 && h.Get("Last-Modified") != lm) || h.Get("Content-Security-Policy") == "" {
				t.Errorf("validators or security headers missing: %v", h)
			}
		})
	}
}

// TestPageCache_Encodings checks that a cached page answers every client
// as the full handler chain would: gzip from the cache when gzip is
// accepted (q=0 refuses it), plain otherwise; a HEAD with a GET's headers.
func TestPageCache_Encodings(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	path := "/calls/" + slugHarbour
	plain := get(t, s, path).Body.String()
	for _, tc := range []struct {
		method, accept, wantEncoding string
		wantBody                     bool
	}{
		{"GET", "", "", true},
		{"GET", "gzip", "gzip", true},
		{"GET", "deflate", "", true},
		{"GET", "gzip;q=0, deflate", "", true},
		{"GET", "identity", "", true},
		{"HEAD", "", "", false},
		{"HEAD", "gzip", "gzip", false},
	} {
		req := httptest.NewRequest(tc.method, path, nil)
		req.Header.Set("Accept-Encoding", tc.accept)
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		h := rec.Header()
		if rec.Code != 200 || h.Get("Content-Encoding") != tc.wantEncoding || h.Get("X-Request-Id") == "" || h.Get("Content-Security-Policy") == "" {
			t.Errorf("%s %q: %d, Content-Encoding %q (want %q), headers %v", tc.method, tc.accept, rec.Code, h.Get("Content-Encoding"), tc.wantEncoding, h)
			continue
		}
		if vary := h.Values("Vary"); len(vary) != 1 || vary[0] != "Accept-Encoding" {
			t.Errorf("%s %q: Vary %q, want Accept-Encoding once", tc.method, tc.accept, vary)
		}
		if !tc.wantBody {
			// The recorder keeps what net/http would not send for a
			// HEAD; TestHEADMatchesGET checks a real server.
			if tc.accept == "" && h.Get("Content-Length") != strconv.Itoa(len(plain)) {
				t.Errorf("HEAD: Content-Length %q, want the page's %d", h.Get("Content-Length"), len(plain))
			}
			continue
		}
		var body io.Reader = rec.Body
		switch tc.wantEncoding {
		case "gzip":
			zr, err := gzip.NewReader(body)
			if err != nil {
				t.Fatal(err)
			}
			body = zr
		}
		if got, _ := io.ReadAll(body); string(got) != plain {
			t.Errorf("%s %q: the body differs from the plain page", tc.method, tc.accept)
		}
	}
}

// TestPageCache_Bounded checks that the cache stays under its byte limit,
// drops the least recently used pages first, and that pages read more than
// once survive a crawler reading many pages once.
func TestPageCache_Bounded(t *testing.T) {
	a := testArchive()
	c := &pageCache{limit: 100 << 10}
	page := func(i int) *cachedPage {
		return &cachedPage{key: pageKey{host: "h", path: "/p/" + strconv.Itoa(i)}, body: make([]byte, 9<<10)}
	}
	has := func(i int) bool { return c.get(a, pageKey{host: "h", path: "/p/" + strconv.Itoa(i)}) != nil }

	// Nine pages fit. The least recently used go first.
	for i := 1; i <= 9; i++ {
		c.put(a, page(i))
	}
	has(1)
	c.put(a, page(10))
	c.put(a, page(11))
	for i, want := range map[int]bool{1: true, 2: false, 3: false, 4: true, 11: true} {
		if has(i) != want {
			t.Errorf("page %d cached = %v, want %v", i, !want, want)
		}
	}

	// Two pages readers come back to survive a crawler reading 200 pages
	// once each.
	has(4)
	for i := 100; i < 300; i++ {
		c.put(a, page(i))
		if b := c.bytes(); b > c.limit {
			t.Fatalf("after %d pages the cache holds %d bytes, over its %d", i, b, c.limit)
		}
	}
	if !has(1) || !has(4) {
		t.Error("a crawl pushed out the pages read twice")
	}
	if has(100) || !has(299) {
		t.Error("the crawl's pages are not cached most recent first")
	}

	// The protected part is bounded too: reading many pages twice keeps
	// the cache within its limit.
	for i := 400; i < 500; i++ {
		c.put(a, page(i))
		has(i)
		if b := c.bytes(); b > c.limit {
			t.Fatalf("the cache holds %d bytes, over its %d", b, c.limit)
		}
	}
	if has(1) {
		t.Error("a page not read since 100 others were read twice is still cached")
	}

	// A page larger than the cache is not kept, and keeps nothing out.
	c.put(a, &cachedPage{key: pageKey{host: "h", path: "/big"}, body: make([]byte, 200<<10)})
	if c.get(a, pageKey{host: "h", path: "/big"}) != nil || !has(499) {
		t.Error("a page larger than the whole cache was kept or emptied it")
	}
	// Another archive starts afresh.
	if c.get(testArchive(), pageKey{host: "h", path: "/p/499"}) != nil {
		t.Error("a page of another archive was served")
	}
}

// TestPageCache_Concurrent reads pages from many goroutines through a cache
// too small to hold them all, so pages are evicted while others are being
// served (run with -race): every answer must still be the page asked for.
func TestPageCache_Concurrent(t *testing.T) {
	ref := newTestServer(t, &fakeLibrary{})
	paths := []string{"/", "/calls/" + slugHarbour, "/calls/" + slugHostile}
	for n := 1; n <= 4; n++ {
		paths = append(paths, "/calls/"+slugHarbour+"/L"+strconv.Itoa(n))
	}
	want := map[string]string{}
	for _, p := range paths {
		rec := get(t, ref, p)
		if rec.Code != 200 {
			t.Fatalf("GET %s: %d", p, rec.Code)
		}
		want[p] = rec.Body.String()
	}
	s := newTestServer(t, &fakeLibrary{})
	s.cache.limit = 3 * len(want["/calls/"+slugHarbour]) // about three pages
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 50 {
				p := paths[(g+i)%len(paths)]
				if rec := get(t, s, p); rec.Code != 200 || rec.Body.String() != want[p] {
					t.Errorf("GET %s: %d, body differs: %v", p, rec.Code, rec.Body.String() != want[p])
					return
				}
			}
		})
	}
	wg.Wait()
	if b := s.cache.bytes(); b > s.cache.limit {
		t.Errorf("the cache holds %d bytes, over its %d", b, s.cache.limit)
	}
}

// TestPageCache_Hosts checks that a cached page is only served to requests
// whose page would be the same: without a base URL links are made from the
// Host header, so each host has its own copy; with one, every host shares
// one copy, and naming new hosts does not grow the cache.
func TestPageCache_Hosts(t *testing.T) {
	path := "/calls/" + slugHarbour
	getHost := func(s *Server, host string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = host
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("GET %s with Host %s: %d", path, host, rec.Code)
		}
		return rec
	}

	s := newTestServer(t, &fakeLibrary{})
	for range 2 {
		for _, host := range []string{"a.example", "b.example"} {
			if body := getHost(s, host).Body.String(); !strings.Contains(body, "http://"+host+path) {
				t.Errorf("Host %s: the page does not link to http://%s%s", host, host, path)
			}
		}
	}

	a := testArchive()
	s, err := NewServer(Config{Library: &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return a }},
		Assets: os.DirFS("../../web"), BaseURL: "https://archive.example"})
	if err != nil {
		t.Fatal(err)
	}
	first := getHost(s, "a.example")
	size := s.cache.bytes()
	for i := range 20 {
		rec := getHost(s, "h"+strconv.Itoa(i)+".example")
		if rec.Header().Get("ETag") != first.Header().Get("ETag") || !strings.Contains(rec.Body.String(), "https://archive.example"+path) {
			t.Fatalf("with a base URL, another Host got another page")
		}
	}
	if s.cache.bytes() != size {
		t.Errorf("with a base URL, requests naming 20 hosts grew the cache from %d to %d bytes", size, s.cache.bytes())
	}
}

// TestPageCache_OneRender checks that concurrent requests for a page that
// is not cached yet wait for one render rather than each render it, and
// that they render their own when that answer may not be cached.
func TestPageCache_OneRender(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		wantRenders int32
	}{
		{"cacheable", http.StatusOK, 1},
		{"not cacheable", http.StatusNotFound, 8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newTestServer(t, &fakeLibrary{})
			var renders atomic.Int32
			release := make(chan struct{})
			h := s.cachePages(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if renders.Add(1) == 1 {
					<-release
				}
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(tc.status)
				io.WriteString(w, "<p>a fictional page</p>")
			}))
			const n = 8
			var wg sync.WaitGroup
			recs := make([]*httptest.ResponseRecorder, n)
			for i := range n {
				wg.Go(func() {
					recs[i] = httptest.NewRecorder()
					h.ServeHTTP(recs[i], httptest.NewRequest(http.MethodGet, "/calls/x", nil))
				})
			}
			// Release the first render once every other request waits for
			// it (or, were they not to wait, once a second render starts).
			for s.cache.joined.Load() < n && renders.Load() < 2 {
				runtime.Gosched()
			}
			close(release)
			wg.Wait()
			if got := renders.Load(); got != tc.wantRenders {
				t.Errorf("%d renders, want %d", got, tc.wantRenders)
			}
			for i, rec := range recs {
				if rec.Code != tc.status || rec.Body.String() != "<p>a fictional page</p>" {
					t.Errorf("request %d: %d %q", i, rec.Code, rec.Body.String())
				}
			}
		})
	}
}

// TestModTimes checks the Last-Modified history: kept while the ETag is
// the same, a second later at least when it changes within a second,
// bounded, and never earlier for a page it had to forget.
func TestModTimes(t *testing.T) {
	t0 := time.Date(2030, 1, 2, 3, 4, 5, 600e6, time.UTC)
	mt := &modTimes{limit: 3}
	sec := t0.Truncate(time.Second)
	if got := mt.modified("/a", "e1", t0); !got.Equal(sec) {
		t.Errorf("first: %v, want %v", got, sec)
	}
	if got := mt.modified("/a", "e1", t0.Add(time.Hour)); !got.Equal(sec) {
		t.Errorf("same ETag an hour later: %v, want %v", got, sec)
	}
	if got := mt.modified("/a", "e2", t0.Add(100*time.Millisecond)); !got.Equal(sec.Add(time.Second)) {
		t.Errorf("changed within the second: %v, want %v", got, sec.Add(time.Second))
	}
	if got := mt.modified("/a", "e3", t0.Add(time.Minute)); !got.Equal(sec.Add(time.Minute)) {
		t.Errorf("changed a minute later: %v, want %v", got, sec.Add(time.Minute))
	}
	// Pages of this second are kept past the limit; older ones go.
	for _, k := range []string{"/b", "/c", "/d", "/e"} {
		mt.modified(k, "x", t0.Add(time.Minute))
	}
	if len(mt.m) != 5 {
		t.Errorf("%d pages kept, want all 5 of this second", len(mt.m))
	}
	later := t0.Add(2 * time.Minute)
	mt.modified("/f", "x", later)
	if len(mt.m) > 3 {
		t.Errorf("%d pages kept, want at most 3", len(mt.m))
	}
	// A forgotten page gets the current second, later than what it had.
	if got := mt.modified("/a", "e4", later); !got.After(sec.Add(time.Minute)) {
		t.Errorf("a forgotten page: %v, not after %v", got, sec.Add(time.Minute))
	}
}

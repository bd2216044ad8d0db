package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// newLimitedServer is newTestServer with explicit search limits.
func newLimitedServer(t testing.TB, lib *fakeLibrary, limits SearchLimits) *Server {
	t.Helper()
	if lib.ArchiveFunc == nil {
		a := testArchive()
		lib.ArchiveFunc = func() *transcript.Archive { return a }
	}
	s, err := NewServer(Config{
		Library: lib,
		Assets:  os.DirFS("../../web"),
		Logger:  slog.New(slog.NewTextHandler(io.Discard, nil)),
		Search:  limits,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// blockingLibrary's searches wait until release is closed (or their
// context ends), announcing themselves on entered first.
func blockingLibrary() (lib *fakeLibrary, entered chan struct{}, release chan struct{}) {
	entered, release = make(chan struct{}, 16), make(chan struct{})
	lib = &fakeLibrary{SearchFunc: func(ctx context.Context, q index.Query) (*index.Result, error) {
		entered <- struct{}{}
		select {
		case <-release:
			return sampleResult(), nil
		case <-ctx.Done():
			return nil, fmt.Errorf("search %q: %w", q.Text, ctx.Err())
		}
	}}
	return lib, entered, release
}

// serveAsync answers one GET in the background.
func serveAsync(s *Server, target string) <-chan *httptest.ResponseRecorder {
	done := make(chan *httptest.ResponseRecorder, 1)
	go func() {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
		done <- rec
	}()
	return done
}

// assertRefused checks a 503 with Retry-After, as a page or as JSON.
func assertRefused(t *testing.T, rec *httptest.ResponseRecorder, target string) {
	t.Helper()
	if rec.Code != http.StatusServiceUnavailable {
		t.Errorf("GET %s: %d, want 503", target, rec.Code)
	}
	if rec.Header().Get("Retry-After") == "" {
		t.Errorf("GET %s: no Retry-After", target)
	}
	if strings.HasPrefix(target, "/api/") {
		if msg, _ := mustJSON(t, rec)["error"].(string); msg == "" {
			t.Errorf("GET %s: no JSON error: %s", target, rec.Body.String())
		}
	} else if h1 := mustDoc(t, rec).Find("main").Text(); !strings.Contains(h1, "try again") && !strings.Contains(h1, "Try again") {
		t.Errorf("GET %s: the page does not say to try again:\n%s", target, h1)
	}
}

func TestSearchLimit_Saturated(t *testing.T) {
	lib, entered, release := blockingLibrary()
	s := newLimitedServer(t, lib, SearchLimits{Concurrent: 1, Queue: -1, Timeout: time.Minute})

	first := serveAsync(s, "/search?q=word")
	<-entered // the one slot is taken

	for _, target := range []string{"/search?q=other", "/api/v1/search?q=other"} {
		assertRefused(t, get(t, s, target), target)
	}
	// Reading does not need a search slot.
	for _, target := range []string{
		"/", "/calls/" + slugHarbour, "/calls/" + slugHarbour + "/L3", "/calls/" + slugHarbour + ".txt",
		"/api/v1/calls/" + slugHarbour, "/speakers/mara-harlow", "/healthz", "/search/help",
	} {
		if rec := get(t, s, target); rec.Code != http.StatusOK {
			t.Errorf("GET %s while search is saturated: %d, want 200", target, rec.Code)
		}
	}

	close(release)
	if rec := <-first; rec.Code != http.StatusOK {
		t.Errorf("the search holding the slot: %d, want 200", rec.Code)
	}
	if rec := get(t, s, "/api/v1/search?q=word"); rec.Code != http.StatusOK {
		t.Errorf("search after the slot is free: %d, want 200", rec.Code)
	}

	m := scrape(t, s)
	if got := m.value(t, "backchannel_search_refused_total", "reason", "busy"); got != 2 {
		t.Errorf("refused busy = %v, want 2", got)
	}
}

func TestSearchLimit_QueueWaitRunsOut(t *testing.T) {
	lib, entered, release := blockingLibrary()
	defer close(release)
	s := newLimitedServer(t, lib, SearchLimits{Concurrent: 1, Queue: 1, Wait: 10 * time.Millisecond, Timeout: time.Minute})
	_ = serveAsync(s, "/search?q=word")
	<-entered
	// This one may queue, but the slot is not freed within Wait.
	assertRefused(t, get(t, s, "/api/v1/search?q=x"), "/api/v1/search?q=x")
}

func TestSearchLimit_Deadline(t *testing.T) {
	var deadline time.Duration
	lib := &fakeLibrary{SearchFunc: func(ctx context.Context, q index.Query) (*index.Result, error) {
		d, ok := ctx.Deadline()
		if !ok {
			return nil, fmt.Errorf("no deadline")
		}
		deadline = time.Until(d)
		<-ctx.Done()
		return nil, fmt.Errorf("search %q: %w", q.Text, ctx.Err())
	}}
	const timeout = 20 * time.Millisecond
	s := newLimitedServer(t, lib, SearchLimits{Timeout: timeout})
	for _, target := range []string{"/search?q=slow", "/api/v1/search?q=slow"} {
		rec := get(t, s, target)
		assertRefused(t, rec, target)
		if deadline <= 0 || deadline > timeout {
			t.Errorf("GET %s: the search got a deadline %v away, want (0, %v]", target, deadline, timeout)
		}
	}
	if got := scrape(t, s).value(t, "backchannel_search_refused_total", "reason", "timeout"); got != 2 {
		t.Errorf("refused timeout = %v, want 2", got)
	}
}

func TestSearchLimits_Defaults(t *testing.T) {
	l := SearchLimits{}.withDefaults()
	if l.Concurrent < 2 || l.Queue < l.Concurrent || l.Wait <= 0 || l.Timeout <= 0 {
		t.Errorf("defaults %+v", l)
	}
	if l := (SearchLimits{Queue: -1}).withDefaults(); l.Queue != 0 {
		t.Errorf("Queue -1 gives %d waiting, want 0", l.Queue)
	}
}

func TestRequestBodyCap(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete, http.MethodGet} {
		req := httptest.NewRequest(method, "/calls/"+slugHarbour, strings.NewReader(strings.Repeat("x", maxBodyBytes+1)))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s with a %d-byte body: %d, want 413", method, maxBodyBytes+1, rec.Code)
		}
	}
	// A body that does not announce its length is cut at the cap.
	var read int64
	var readErr error
	probe := s.limitBodies(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		read, readErr = io.Copy(io.Discard, r.Body)
	}))
	req := httptest.NewRequest(http.MethodPost, "/", io.LimitReader(zeros{}, 10*maxBodyBytes))
	req.ContentLength = -1
	probe.ServeHTTP(httptest.NewRecorder(), req)
	if read > maxBodyBytes || readErr == nil {
		t.Errorf("read %d bytes of an unannounced body (err %v), want at most %d and an error", read, readErr, maxBodyBytes)
	}
	// A small body on a GET is harmless.
	req = httptest.NewRequest(http.MethodGet, "/calls/"+slugHarbour, strings.NewReader("hello"))
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("GET with a small body: %d", rec.Code)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func TestSearchLimit_ClientGone(t *testing.T) {
	lib, entered, release := blockingLibrary()
	defer close(release)
	s := newLimitedServer(t, lib, SearchLimits{Concurrent: 1, Queue: 4, Wait: time.Minute, Timeout: time.Minute})
	_ = serveAsync(s, "/search?q=word")
	<-entered
	// A queued search whose client leaves is dropped from the queue, and
	// counted neither as a refusal nor as a search error.
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/search?q=x", nil).WithContext(ctx))
		done <- rec.Code
	}()
	for s.searches.waiting.Load() == 0 {
		runtime.Gosched()
	}
	cancel()
	if code := <-done; code < 500 {
		t.Errorf("cancelled queued search: %d", code)
	}
	m := scrape(t, s)
	if got := m.value(t, "backchannel_search_refused_total", "reason", "busy") + m.value(t, "backchannel_search_errors_total"); got != 0 {
		t.Errorf("a client leaving counted as %v refusals/errors, want 0", got)
	}
}

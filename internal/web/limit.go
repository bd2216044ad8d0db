package web

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5/middleware"
)

// SearchLimits bound the work searches can make the server do. A zero field
// takes its default.
type SearchLimits struct {
	// Concurrent is how many searches run at once (default twice
	// GOMAXPROCS: Bleve searches are CPU-bound, with some waiting on the
	// disk).
	Concurrent int
	// Queue is how many more searches may wait for a slot (default 128 per
	// slot, enough for every connection of a busy proxy); negative: none
	// wait, a search that finds no free slot is refused at once.
	Queue int
	// Wait is the longest a search waits for a slot before it is refused
	// (default 1s).
	Wait time.Duration
	// Timeout is the deadline of one search once it runs (default 2s).
	Timeout time.Duration
}

func (l SearchLimits) withDefaults() SearchLimits {
	if l.Concurrent <= 0 {
		l.Concurrent = 2 * runtime.GOMAXPROCS(0)
	}
	if l.Queue == 0 {
		l.Queue = 128 * l.Concurrent
	}
	if l.Queue < 0 {
		l.Queue = 0
	}
	if l.Wait <= 0 {
		l.Wait = time.Second
	}
	if l.Timeout <= 0 {
		l.Timeout = 2 * time.Second
	}
	return l
}

// Limits on requests, whatever the route.
const (
	// maxBodyBytes caps a request body. No route reads one today; the cap
	// keeps a client from making the server read (and discard) megabytes.
	maxBodyBytes = 64 << 10
	// busyRetryAfter is the Retry-After (seconds) of a refused search.
	busyRetryAfter = 2
)

// errSearchBusy is the answer to a search that found no free slot in time.
var errSearchBusy = &httpError{status: http.StatusServiceUnavailable,
	msg: "Too many searches are running right now. Please try again in a few seconds."}

// errSearchTimeout is the answer to a search that ran past its deadline.
var errSearchTimeout = &httpError{status: http.StatusServiceUnavailable,
	msg: "That search took too long. Try again in a moment, or search for fewer or more specific words."}

// searchLimiter is a semaphore with a bounded queue.
type searchLimiter struct {
	limits  SearchLimits
	slots   chan struct{}
	waiting atomic.Int64
}

func newSearchLimiter(l SearchLimits) *searchLimiter {
	l = l.withDefaults()
	return &searchLimiter{limits: l, slots: make(chan struct{}, l.Concurrent)}
}

// acquire takes a slot, waiting at most the configured time, and returns
// the function that gives it back. It fails with errSearchBusy when the
// queue is full or the wait runs out, and with the context's error when
// the client goes away.
func (sl *searchLimiter) acquire(ctx context.Context) (func(), error) {
	release := func() { <-sl.slots }
	select {
	case sl.slots <- struct{}{}:
		return release, nil
	default:
	}
	if sl.waiting.Add(1) > int64(sl.limits.Queue) {
		sl.waiting.Add(-1)
		return nil, errSearchBusy
	}
	defer sl.waiting.Add(-1)
	t := time.NewTimer(sl.limits.Wait)
	defer t.Stop()
	select {
	case sl.slots <- struct{}{}:
		return release, nil
	case <-t.C:
		return nil, errSearchBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// limitSearch runs a search route under the limiter: it waits for a slot
// (or answers 503 with Retry-After), and gives the handler a context with
// the search deadline; a search that runs past it is answered 503 too (see
// classify). Pages that do not search never pass through here, so calls
// and lines stay readable while search is saturated.
func (s *Server) limitSearch(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		release, err := s.searches.acquire(r.Context())
		if err != nil {
			if errors.Is(err, errSearchBusy) {
				s.metrics.searchRefused("busy")
				w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
			}
			// A client that went away gets an answer it will never read.
			s.serveError(w, r, err)
			return
		}
		defer release()
		ctx, cancel := context.WithTimeout(r.Context(), s.searches.limits.Timeout)
		defer cancel()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r.WithContext(ctx))
		switch {
		case ww.Status() < 500, r.Context().Err() != nil: // fine, or the client left
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			s.metrics.searchRefused("timeout")
		default:
			s.metrics.searchFailed()
		}
	})
}

// limitBodies caps request bodies, whatever the method: a body announced
// as too large is refused with 413 before routing; one that turns out too
// large fails to read past the cap.
func (s *Server) limitBodies(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBodyBytes {
			w.Header().Set("Connection", "close")
			s.serveError(w, r, errBodyTooLarge)
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, maxBodyBytes)
		}
		next.ServeHTTP(w, r)
	})
}

var errBodyTooLarge = &httpError{status: http.StatusRequestEntityTooLarge,
	msg: "The request is too large. Pages here are only read (GET)."}

// maxQueryParams is where net/url gives up: past 10,000 parameters
// URL.Query returns none at all, so a search would run as if it had no q.
const maxQueryParams = 10000

// limitQuery refuses a query string of more parameters than net/url reads,
// with a 400 that says so, rather than let the handler see none of them.
// It counts as net/url does (one more than the "&"s).
func (s *Server) limitQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if q := r.URL.RawQuery; q != "" && strings.Count(q, "&")+1 > maxQueryParams {
			s.serveError(w, r, errTooManyParams)
			return
		}
		next.ServeHTTP(w, r)
	})
}

var errTooManyParams = badRequest("This address has more than 10,000 query parameters, so none of them can be read. " +
	"Remove the ones the page does not use.")

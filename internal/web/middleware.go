package web

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere.
const contentSecurityPolicy = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// headerField is one response header with its value, ready to be put in a
// response's header map as is. Its value slice is never written to (net/http
// and http.Header.Add copy before appending, as the slice is full), so every
// response can share it.
type headerField struct {
	key  string
	vals []string
}

func field(key, value string) headerField {
	return headerField{key: http.CanonicalHeaderKey(key), vals: []string{value}}
}

// setHeaders puts fields in h, replacing what h had under those keys.
func setHeaders(h http.Header, fields []headerField) {
	for _, f := range fields {
		h[f.key] = f.vals
	}
}

// securityFields are the headers every response carries, 404s, 405s and
// recovered panics included.
func securityFields(hsts bool) []headerField {
	f := []headerField{
		field("Content-Security-Policy", contentSecurityPolicy),
		field("X-Content-Type-Options", "nosniff"),
		field("Referrer-Policy", "no-referrer"),
		field("X-Frame-Options", "DENY"),
		field("Cross-Origin-Opener-Policy", "same-origin"),
		field("Permissions-Policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
	}
	if hsts {
		f = append(f, field("Strict-Transport-Security", "max-age=63072000; includeSubDomains"))
	}
	return f
}

// requestIDPattern is what an incoming X-Request-Id must look like to be
// kept (from a proxy in front); anything else is dropped and one is made.
var requestIDPattern = regexp.MustCompile(`^[A-Za-z0-9._:/+=-]{1,64}$`)

// requestIDs makes request ids: a random prefix per server, so that ids
// from two runs do not collide in the logs, and a counter.
type requestIDs struct {
	prefix string
	n      atomic.Uint64
}

func newRequestIDs() *requestIDs {
	var b [6]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand panics rather than return an error)
	return &requestIDs{prefix: base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]) + "-"}
}

// id returns the request's id: the proxy's X-Request-Id when it looks like
// one, else a new one. A malformed incoming id is removed from the request.
func (ids *requestIDs) id(r *http.Request) string {
	if id := r.Header.Get(middleware.RequestIDHeader); id != "" {
		if requestIDPattern.MatchString(id) {
			return id
		}
		r.Header.Del(middleware.RequestIDHeader)
	}
	var buf [40]byte
	b := append(buf[:0], ids.prefix...)
	b = strconv.AppendUint(b, ids.n.Add(1), 10)
	return string(b)
}

// observe is the outermost handler. For every request it sets the security
// headers and the request id (X-Request-Id, echoed so a user can quote it,
// and in the context as chi's middleware.GetReqID reads it), and once
// answered it logs one line and counts the request in the metrics by its
// route pattern.
//
// Pages in the page cache are answered here, before routing and the
// heavier middleware, which is what makes them nearly as cheap as static
// files; see cachedPageFor for when that is allowed.
func (s *Server) observe(mux chi.Router) http.Handler {
	security := [2][]headerField{securityFields(false), securityFields(true)}
	ids := newRequestIDs()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		h := w.Header()
		if s.hsts {
			setHeaders(h, security[1])
		} else {
			setHeaders(h, security[0])
		}
		id := ids.id(r)
		h[middleware.RequestIDHeader] = []string{id}
		s.metrics.inflight.Inc()
		ow := &observedWriter{ResponseWriter: w}
		route := ""
		defer func() {
			s.metrics.inflight.Dec()
			status := ow.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.logRequest(r, id, status, ow.bytes, d)
			s.metrics.observe(route, r.Method, status, d)
		}()
		if p := s.cachedPageFor(r); p != nil {
			route = p.route
			p.serve(ow, r)
			return
		}
		// The route context is made here rather than by the mux, so the
		// route pattern can be read once the mux is done.
		rctx := chi.NewRouteContext()
		rctx.Routes = mux
		ctx := context.WithValue(r.Context(), middleware.RequestIDKey, id)
		ctx = context.WithValue(ctx, chi.RouteCtxKey, rctx)
		defer func() { route = rctx.RoutePattern() }() // runs before the logging defer
		mux.ServeHTTP(ow, r.WithContext(ctx))
	})
}

// logRequest logs one line per request with its status and duration. The
// query string is left out: searches are the readers' business.
func (s *Server) logRequest(r *http.Request, id string, status int, bytes int64, d time.Duration) {
	ctx := r.Context()
	if !s.logger.Enabled(ctx, slog.LevelInfo) {
		return
	}
	s.logger.LogAttrs(ctx, slog.LevelInfo, "request",
		slog.String("id", id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", bytes),
		slog.Duration("duration", d),
	)
}

// observedWriter records the status and the body bytes of a response. It
// passes Flush, Hijack and ReadFrom (sendfile) through, and Unwrap lets
// http.ResponseController reach the connection.
type observedWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *observedWriter) WriteHeader(status int) {
	if w.status == 0 && status >= 200 { // 1xx are interim
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *observedWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *observedWriter) ReadFrom(src io.Reader) (int64, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(w.ResponseWriter, src)
	}
	w.bytes += n
	return n, err
}

func (w *observedWriter) Flush() {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *observedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if h, ok := w.ResponseWriter.(http.Hijacker); ok {
		return h.Hijack()
	}
	return nil, nil, errors.New("web: the connection cannot be hijacked")
}

func (w *observedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// recoverer turns a panic in a handler into a logged 500 page. Handlers
// render into a buffer, so nothing has been written when they panic. The
// server's state is not shared between requests, so the next one is
// unaffected.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler { // a value compare, as net/http does
				panic(v)
			}
			// serveError logs it, once, with the stack.
			s.serveError(w, r, &httpError{
				status: http.StatusInternalServerError,
				msg:    "Something went wrong on our side. The error has been logged.",
				err:    fmt.Errorf("panic: %v\n%s", v, debug.Stack()),
			})
		}()
		next.ServeHTTP(w, r)
	})
}

// LogWriter batches what a logger writes, so that a busy server makes one
// write to its log (a pipe to journald, a terminal) every delay rather than
// one per request: at ten thousand requests a second that write was about
// a tenth of the CPU spent on a cached page. Each Write is kept whole and
// in order, and is written out at most delay later, or at once when the
// buffer is full. Flush writes out what is buffered; call it before the
// program exits. Errors of the underlying writer are dropped, as a logger
// would drop them.
type LogWriter struct {
	w     io.Writer
	delay time.Duration

	mu      sync.Mutex
	buf     []byte
	pending bool // a flush is scheduled
	timer   *time.Timer
}

// logBufferBytes is how much a LogWriter holds before it writes at once.
const logBufferBytes = 64 << 10

// NewLogWriter returns a LogWriter writing to w at most delay after each
// Write.
func NewLogWriter(w io.Writer, delay time.Duration) *LogWriter {
	l := &LogWriter{w: w, delay: delay, buf: make([]byte, 0, logBufferBytes)}
	l.timer = time.AfterFunc(time.Hour, l.Flush)
	l.timer.Stop()
	return l
}

// Write buffers p.
func (l *LogWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.buf)+len(p) > cap(l.buf) {
		l.flushLocked()
		if len(p) > cap(l.buf) {
			_, _ = l.w.Write(p)
			return len(p), nil
		}
	}
	l.buf = append(l.buf, p...)
	if !l.pending {
		l.pending = true
		l.timer.Reset(l.delay)
	}
	return len(p), nil
}

// Flush writes out what is buffered.
func (l *LogWriter) Flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.flushLocked()
}

func (l *LogWriter) flushLocked() {
	if len(l.buf) > 0 {
		_, _ = l.w.Write(l.buf)
		l.buf = l.buf[:0]
	}
	if l.pending {
		l.pending = false
		l.timer.Stop()
	}
}

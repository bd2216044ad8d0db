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
	"net/url"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/klauspost/compress/gzhttp"
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
// It answers a HEAD as the GET it mirrors (normalize): the same handlers,
// page cache, compression and validators make the headers, so they are the
// GET's, Content-Length included or absent alike, and net/http sends no
// body for the HEAD request it holds.
//
// Inside the compression handler (gzhttp), pages in the page cache are
// answered before routing and the heavier middleware, which is what makes
// them nearly as cheap as static files; see cachedPageFor for when that is
// allowed.
func (s *Server) observe(mux chi.Router) http.Handler {
	security := [2][]headerField{securityFields(false), securityFields(true)}
	ids := newRequestIDs()
	inner := s.compress(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := s.cachedPageFor(r); p != nil {
			if st, ok := r.Context().Value(stateKey{}).(*requestState); ok {
				st.route = p.route
			}
			s.servePage(w, r, p)
			return
		}
		mux.ServeHTTP(w, r)
	}))
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
		ow := &observedWriter{ResponseWriter: w, head: r.Method == http.MethodHead}
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			ow.srv, ow.req = s, r
		}
		// The route context is made here rather than by the mux, so the
		// route pattern can be read once the mux is done.
		rctx := chi.NewRouteContext()
		rctx.Routes = mux
		st := &requestState{}
		defer func() {
			s.metrics.inflight.Dec()
			status := ow.status
			if status == 0 {
				status = http.StatusOK
			}
			route := st.route
			if route == "" {
				route = rctx.RoutePattern()
			}
			d := time.Since(start)
			s.logRequest(r, id, status, ow.bytes, d)
			s.metrics.observe(route, r.Method, status, d)
		}()
		if r.Method == http.MethodOptions && r.RequestURI == "*" {
			// "What does the server allow?" (RFC 9110 9.3.7), which
			// net/http answers itself unless ConfigureHTTPServer hands
			// it here: the same answer, with the security headers.
			h.Set("Allow", "GET, HEAD")
			h.Set("Content-Length", "0")
			ow.WriteHeader(http.StatusOK)
			return
		}
		ctx := context.WithValue(r.Context(), middleware.RequestIDKey, id)
		ctx = context.WithValue(ctx, chi.RouteCtxKey, rctx)
		ctx = context.WithValue(ctx, stateKey{}, st)
		inner.ServeHTTP(ow, s.normalize(r.WithContext(ctx)))
	})
}

// requestState is what observe learns of a request while it is answered.
type requestState struct {
	route string // set when a cached page answered before routing
}

type stateKey struct{}

// normalize prepares a request (a copy that the handlers get) for the
// handlers and http.ServeContent:
//   - a HEAD becomes a GET (see observe);
//   - percent-encoded unreserved characters in the path are decoded
//     (normalizePath), so /speakers/a%2Db is /speakers/a-b;
//   - If-None-Match and If-Match lists spread over several header fields
//     are joined into one, as RFC 9110 5.3 makes them (ServeContent reads
//     only the first field);
//   - an If-Modified-Since later than now is dropped, as RFC 9110 13.1.3
//     has it: it is not a date this server sent, and ServeContent would
//     answer it 304 whatever the page, forever; so is one given twice.
func (s *Server) normalize(r *http.Request) *http.Request {
	if r.Method == http.MethodHead {
		r.Method = http.MethodGet
	}
	r.URL = normalizePath(r.URL)
	for _, k := range []string{"If-None-Match", "If-Match"} {
		if v := r.Header[k]; len(v) > 1 {
			r.Header[k] = []string{strings.Join(v, ", ")}
		}
	}
	if v := r.Header["If-Modified-Since"]; len(v) > 1 {
		delete(r.Header, "If-Modified-Since")
	} else if len(v) == 1 {
		if t, err := http.ParseTime(v[0]); err == nil && t.After(s.now()) {
			delete(r.Header, "If-Modified-Since")
		}
	}
	return r
}

// normalizePath returns u with the percent-encoded unreserved characters
// of its path decoded and the hex digits of the others upper-cased
// (RFC 3986 6.2.2): chi routes on the escaped path when there is one, so
// /speakers/a%2Db would otherwise not be /speakers/a-b. An encoded slash
// or space stays encoded. u itself is not changed.
func normalizePath(u *url.URL) *url.URL {
	if u.RawPath == "" {
		return u
	}
	raw := u.RawPath
	b := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c != '%' || i+2 >= len(raw) || !isHex(raw[i+1]) || !isHex(raw[i+2]) {
			b = append(b, c)
			continue
		}
		d := unhex(raw[i+1])<<4 | unhex(raw[i+2])
		if unreserved(d) {
			b = append(b, d)
		} else {
			b = append(b, '%', upperHex(raw[i+1]), upperHex(raw[i+2]))
		}
		i += 2
	}
	nu := *u
	nu.RawPath = string(b)
	if nu.RawPath == (&url.URL{Path: nu.Path}).EscapedPath() {
		nu.RawPath = "" // the plain encoding: Path says it all
	}
	return &nu
}

// unreserved reports whether c is an unreserved character (RFC 3986 2.3),
// which means the same encoded or not.
func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func upperHex(c byte) byte {
	if 'a' <= c && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// newCompressor returns the compression handler: gzhttp, which honours
// q=0 in Accept-Encoding, adds Vary: Accept-Encoding once, leaves alone a
// response that is already encoded (a cached page's gzipped copy) or
// partial, and compresses small answers not at all. Only gzip: a cached
// page keeps a gzipped copy made once (servePage relies on a gzhttp writer
// meaning gzip), where zstd would be made on every request.
func newCompressor() (func(http.Handler) http.HandlerFunc, error) {
	return gzhttp.NewWrapper(
		gzhttp.EnableZstd(false),
		gzhttp.ContentTypes([]string{"text/html", "text/css", "text/javascript", "text/plain",
			"application/json", "image/svg+xml", "application/atom+xml", "application/xml",
			"application/opensearchdescription+xml", "text/csv", "application/x-ndjson"}),
	)
}

// gzipChosen reports whether the compression handler chose gzip for the
// response w writes: whether w is, or wraps, its writer.
func gzipChosen(w http.ResponseWriter) bool {
	for {
		switch w.(type) {
		case *gzhttp.GzipResponseWriter, gzhttp.GzipResponseWriterWithCloseNotify:
			return true
		}
		u, ok := w.(interface{ Unwrap() http.ResponseWriter })
		if !ok {
			return false
		}
		w = u.Unwrap()
	}
}

// ConfigureHTTPServer sets what of srv decides how the answers net/http
// writes by itself look: OPTIONS * is handed to the site's handler, which
// answers it with the security headers. The other answers net/http writes
// by itself cannot carry them, as it writes them to the connection before
// any handler is called and offers no hook: 431 (headers larger than
// MaxHeaderBytes), 400 (a malformed request line or header, no Host), 501
// (an unknown Transfer-Encoding), 505 (an HTTP version it does not speak)
// and 417 (an Expect other than 100-continue).
func ConfigureHTTPServer(srv *http.Server) {
	srv.DisableGeneralOptionsHandler = true
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

// observedWriter records the status and the body bytes of a response, and
// gives the answer to a GET or HEAD its Cache-Control when its status is
// written (cacheControl). It passes Flush, Hijack and ReadFrom (sendfile)
// through, and Unwrap lets http.ResponseController reach the connection.
type observedWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
	head   bool // the answer to a HEAD: net/http sends no body bytes
	// srv and req, for a GET or HEAD: whose policy and which request.
	srv *Server
	req *http.Request
}

// begin records the final status and sets Cache-Control, once.
func (w *observedWriter) begin(status int) {
	if w.status != 0 || status < 200 { // 1xx are interim
		return
	}
	w.status = status
	if w.srv != nil {
		w.ResponseWriter.Header()["Cache-Control"] = w.srv.cacheControl(w.req, status)
	}
}

func (w *observedWriter) WriteHeader(status int) {
	w.begin(status)
	w.ResponseWriter.WriteHeader(status)
}

func (w *observedWriter) Write(b []byte) (int, error) {
	w.begin(http.StatusOK)
	n, err := w.ResponseWriter.Write(b)
	if !w.head {
		w.bytes += int64(n)
	}
	return n, err
}

func (w *observedWriter) ReadFrom(src io.Reader) (int64, error) {
	w.begin(http.StatusOK)
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(w.ResponseWriter, src)
	}
	if !w.head {
		w.bytes += n
	}
	return n, err
}

func (w *observedWriter) Flush() {
	w.begin(http.StatusOK)
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

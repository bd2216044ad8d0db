package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-chi/chi/v5"
	"golang.org/x/sync/singleflight"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// Limits of the rendered-page cache. A page larger than maxCachedPage is
// rendered on every request. The cache holds at most maxCacheBytes (bodies,
// gzipped bodies and keys); past that the least recently used pages go.
// 32 MB is about 150 call pages of a 220-line call (180 KB plain and 30 KB
// gzipped each) or 3,000 line pages. The garbage collector lets the heap
// grow to twice what is live, so the cache counts double in RSS: a crawler
// reading all 4,445 call pages of a million-line archive took serve to
// 330 MB of RSS with 64 MB (136 MB live), over the 300 MB of issue 6.
const (
	maxCachedPage = 8 << 20
	maxCacheBytes = 32 << 20
	// protectedShare is the part of the cache kept for pages asked for
	// more than once; see pageCache.
	protectedShare = 0.8
	// entryOverhead is what an entry costs besides its bytes (headers,
	// map slot, list links), roughly.
	entryOverhead = 1 << 10
)

// pageSource is what a rendered page shows: the build it was rendered from
// and the notes of the calls it showed. A cached page is served only while
// its source is current (Server.current). The build is today the archive
// itself, which a reload replaces as a whole; the notes are looked up
// apart from it (NotesProvider), and a notes edit replaces them without a
// new archive, so each page records the ones it read (Server.pageNotes).
type pageSource struct {
	build *transcript.Archive
	notes []notesDep
}

// notesDep is the notes of one call as a page read them (nil: none).
type notesDep struct {
	slug  string
	notes *annotate.Notes
}

// current reports whether a page rendered from src would be rendered the
// same from what the server has now: the same build, and the same notes
// for every call it showed. This is the one place that decides whether a
// cached page still tells the truth.
func (s *Server) current(src *pageSource, a *transcript.Archive) bool {
	if src.build != a {
		return false
	}
	for _, d := range src.notes {
		if s.notes(a, d.slug) != d.notes {
			return false
		}
	}
	return true
}

// depsKey is the context key of the pageSource a page being rendered for
// the cache records its notes in.
type depsKey struct{}

// pageNotes returns the notes on a call of archive a (the build the page
// shows) for a page, and records them as
// something the page shows, so that the cached page is rendered again when
// they change. Handlers of cached routes read notes through it.
func (s *Server) pageNotes(r *http.Request, a *transcript.Archive, slug string) *annotate.Notes {
	ns := s.notes(a, slug)
	if src, ok := r.Context().Value(depsKey{}).(*pageSource); ok {
		if !slices.ContainsFunc(src.notes, func(d notesDep) bool { return d.slug == slug }) {
			src.notes = append(src.notes, notesDep{slug, ns})
		}
	}
	return ns
}

// pageCache keeps rendered pages of the build that is being served: the
// home, call, line and speaker pages without a query string depend only on
// the build, its notes and the host, so they are rendered once and then
// served from memory, gzipped once. A page whose source is no longer
// current is rendered again.
//
// It is bounded by bytes and evicts the least recently used pages, in two
// segments (SLRU): a page enters on probation and moves to the protected
// segment when it is asked for again; the protected segment holds at most
// protectedShare of the bytes, its least recently used pages falling back
// to probation. A crawler reading every page once (4,445 call pages of 50 to
// 200 KB at a million lines, more than the cache holds) therefore only
// churns the probation segment and does not push out the pages readers keep
// coming back to.
type pageCache struct {
	mu      sync.Mutex
	limit   int                 // bytes; 0 means maxCacheBytes
	archive *transcript.Archive // the archive the entries were rendered from
	entries map[pageKey]*cachedPage
	// probation and protected are the two LRU lists, most recent first.
	probation, protected lruList
	// flights collapses concurrent misses of one page into one render
	// (after a reload every reader of a popular page misses at once).
	flights singleflight.Group
	// joined counts the requests that are waiting for a render, for
	// tests.
	joined atomic.Int32
	// zips are gzip writers for newCachedPage.
	zips sync.Pool
}

// lruList is a doubly linked list of pages with their total size.
type lruList struct {
	head, tail *cachedPage
	bytes      int
}

func (l *lruList) pushFront(p *cachedPage) {
	p.prev, p.next = nil, l.head
	if l.head != nil {
		l.head.prev = p
	}
	l.head = p
	if l.tail == nil {
		l.tail = p
	}
	l.bytes += p.size
}

func (l *lruList) remove(p *cachedPage) {
	if p.prev != nil {
		p.prev.next = p.next
	} else {
		l.head = p.next
	}
	if p.next != nil {
		p.next.prev = p.prev
	} else {
		l.tail = p.prev
	}
	p.prev, p.next = nil, nil
	l.bytes -= p.size
}

// cachedPage is one rendered page.
type cachedPage struct {
	key    pageKey
	route  string // the route pattern, for the metrics
	source pageSource
	body   []byte
	gz     []byte // body gzipped, or nil when that saves nothing
	valid  validators
	// header is the handler's headers and the validators, set on every
	// response as they are.
	header []headerField

	size       int
	protected  bool
	prev, next *cachedPage
}

func (c *pageCache) maxBytes() int {
	if c.limit > 0 {
		return c.limit
	}
	return maxCacheBytes
}

func (c *pageCache) get(a *transcript.Archive, key pageKey) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.archive != a {
		return nil
	}
	p := c.entries[key]
	if p == nil {
		return nil
	}
	if !p.protected {
		c.probation.remove(p)
		p.protected = true
		c.protected.pushFront(p)
		for c.protected.bytes > int(protectedShare*float64(c.maxBytes())) && c.protected.tail != p {
			old := c.protected.tail
			c.protected.remove(old)
			old.protected = false
			c.probation.pushFront(old)
		}
	} else if c.protected.head != p {
		c.protected.remove(p)
		c.protected.pushFront(p)
	}
	return p
}

func (c *pageCache) put(a *transcript.Archive, p *cachedPage) {
	p.size = len(p.body) + len(p.gz) + 2*(len(p.key.host)+len(p.key.path)) + entryOverhead
	c.mu.Lock()
	defer c.mu.Unlock()
	if p.size > c.maxBytes() {
		return
	}
	if c.archive != a || c.entries == nil {
		c.archive, c.entries = a, map[pageKey]*cachedPage{}
		c.probation, c.protected = lruList{}, lruList{}
	}
	if old, ok := c.entries[p.key]; ok {
		c.unlink(old)
	}
	c.entries[p.key] = p
	c.probation.pushFront(p)
	for c.probation.bytes+c.protected.bytes > c.maxBytes() {
		old := c.probation.tail
		if old == nil {
			old = c.protected.tail
		}
		c.unlink(old)
	}
}

// unlink removes p from its list and the map; c.mu is held.
func (c *pageCache) unlink(p *cachedPage) {
	if p.protected {
		c.protected.remove(p)
	} else {
		c.probation.remove(p)
	}
	delete(c.entries, p.key)
}

// bytes is what the cache holds now.
func (c *pageCache) bytes() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.probation.bytes + c.protected.bytes
}

// pageKey is what a page depends on besides its source: its path and
// query, and the scheme and host its absolute links are made of when no
// base URL is configured (see baseURL).
type pageKey struct {
	host, path, query string
	tls               bool
}

func (k pageKey) String() string {
	return fmt.Sprintf("%s\x00%v\x00%s?%s", k.host, k.tls, k.path, k.query)
}

// keyOf is the key of a request's page. With a base URL the Host header is
// not part of it, so requests naming other hosts share one page.
func (s *Server) keyOf(r *http.Request) pageKey {
	k := pageKey{path: r.URL.Path, query: r.URL.RawQuery}
	if s.base == "" {
		k.host, k.tls = r.Host, r.TLS != nil
	}
	return k
}

// cacheKey is the cache key of a request, and false when the request may
// not be answered from the cache: only GETs (HEADs are GETs by then, see
// observe) without a query string or an escaped path (chi routes on the
// escaped path; the key is the plain one).
func (s *Server) cacheKey(r *http.Request) (pageKey, bool) {
	if r.Method != http.MethodGet || r.URL.RawQuery != "" || r.URL.RawPath != "" {
		return pageKey{}, false
	}
	return s.keyOf(r), true
}

// cachedPageFor returns the cached page that answers r before routing, or
// nil. That is safe when the full chain would answer r from the cache
// too, with the same bytes: a cacheable request (cacheKey) without a body
// (limitBodies) whose page is current.
func (s *Server) cachedPageFor(r *http.Request) *cachedPage {
	if s.dev || s.noCache || r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
		return nil
	}
	a := s.lib.Archive()
	if a == nil {
		return nil
	}
	key, ok := s.cacheKey(r)
	if !ok {
		return nil
	}
	p := s.cache.get(a, key)
	if p == nil || !s.current(&p.source, a) {
		return nil
	}
	return p
}

// flightResult is the outcome of one render for the cache.
type flightResult struct {
	page     *cachedPage   // nil: the answer may not be cached
	rec      *pageRecorder // the answer as rendered
	panicked any           // what the handler panicked with, if it did
}

// cachePages answers GET requests without a query string from the page
// cache, rendering and storing the page on a miss. Other requests, answers
// that are not pages (errors, downloads) and dev mode (templates re-read
// per request) take the plain way, through conditional.
func (s *Server) cachePages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := s.lib.Archive()
		key, ok := s.cacheKey(r)
		if s.dev || s.noCache || a == nil || !ok {
			next.ServeHTTP(w, r)
			return
		}
		if p := s.cache.get(a, key); p != nil && s.current(&p.source, a) {
			s.servePage(unbuffered(w), r, p)
			return
		}
		led := false
		// The flight is of this archive's page: after a swap, requests
		// that got the new archive do not wait for a render of the old.
		ch := s.cache.flights.DoChan(fmt.Sprintf("%p\x00%s", a, key), func() (any, error) {
			led = true
			return s.renderPage(a, key, next, r), nil
		})
		s.cache.joined.Add(1)
		res := (<-ch).Val.(flightResult)
		s.cache.joined.Add(-1)
		switch {
		case res.page != nil:
			s.servePage(unbuffered(w), r, res.page)
		case led && res.panicked != nil:
			panic(res.panicked) // for the recoverer, in this request's goroutine
		case led:
			res.rec.replay(w)
		default:
			next.ServeHTTP(w, r) // not cacheable: answered as without a cache
		}
	})
}

// renderPage renders the page of key from a, and caches it when it may be
// cached: a 200 HTML page of at most maxCachedPage bytes. It runs in a
// goroutine of its own (singleflight.DoChan), so it recovers a panic of
// the handler and hands it back.
func (s *Server) renderPage(a *transcript.Archive, key pageKey, next http.Handler, r *http.Request) (res flightResult) {
	defer func() {
		if v := recover(); v != nil {
			res = flightResult{panicked: v}
		}
	}()
	src := &pageSource{build: a}
	rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
	next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), depsKey{}, src)))
	res.rec = rec
	if rec.status != http.StatusOK || rec.body.Len() > maxCachedPage ||
		!strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") {
		return res
	}
	route := ""
	if rc := chi.RouteContext(r.Context()); rc != nil {
		route = rc.RoutePattern()
	}
	body := rec.body.Bytes()
	p := newCachedPage(&s.cache.zips, key, route, rec.header, body, s.validate(key, rec.header, body))
	p.source = *src
	// A page rendered while the archive was swapped may come from the
	// new one: keep it only if a is still current.
	if s.lib.Archive() == a {
		s.cache.put(a, p)
	}
	res.page = p
	return res
}

// newCachedPage makes the cache entry of a page. zips holds gzip writers
// to reuse: each holds about a megabyte of compressor state, which a crawl
// rendering thousands of pages would otherwise allocate per page.
func newCachedPage(zips *sync.Pool, key pageKey, route string, h http.Header, body []byte, v validators) *cachedPage {
	p := &cachedPage{key: key, route: route, body: bytes.Clone(body), valid: v}
	var gz bytes.Buffer
	zw, _ := zips.Get().(*gzip.Writer)
	if zw == nil {
		zw, _ = gzip.NewWriterLevel(&gz, gzip.BestCompression)
	} else {
		zw.Reset(&gz)
	}
	if _, err := zw.Write(body); err == nil && zw.Close() == nil && gz.Len() < len(body) {
		p.gz = bytes.Clone(gz.Bytes())
	}
	zw.Reset(nil)
	zips.Put(zw)

	for k, vals := range h {
		switch k {
		case "Content-Length", "Etag", "Last-Modified", "Content-Encoding":
			continue
		}
		p.header = append(p.header, headerField{k, slices.Clip(slices.Clone(vals))})
	}
	slices.SortFunc(p.header, func(a, b headerField) int { return strings.Compare(a.key, b.key) })
	p.header = append(p.header, v.fields()...)
	return p
}

// servePage answers r with a cached page: gzipped when the compression
// handler chose gzip for this request (the page keeps a gzipped copy, made
// once at the best level), else plain.
func (s *Server) servePage(w http.ResponseWriter, r *http.Request, p *cachedPage) {
	setHeaders(w.Header(), p.header)
	body := p.body
	if p.gz != nil && gzipChosen(w) {
		body = p.gz
		w.Header()["Content-Encoding"] = []string{"gzip"}
	}
	serveContent(w, r, p.valid, body)
}

// pageRecorder records a response so it can be cached or replayed.
type pageRecorder struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (r *pageRecorder) Header() http.Header { return r.header }

func (r *pageRecorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
}

func (r *pageRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.body.Write(b)
}

// replay writes the recorded response to w.
func (r *pageRecorder) replay(w http.ResponseWriter) {
	h := w.Header()
	for k, v := range r.header {
		h[k] = v
	}
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}

// Validators. Every 200 a handler answers with bytes carries an ETag made
// from those bytes, so any change in what a page says changes it, and a
// Last-Modified that stays put while the bytes stay the same and moves on
// by at least a second when they change (modTimes). http.ServeContent
// answers conditional requests and ranges with them.

// validators are the ETag and Last-Modified of one response.
type validators struct {
	etag     string
	modified time.Time
}

func (v validators) fields() []headerField {
	return []headerField{field("ETag", v.etag), field("Last-Modified", v.modified.Format(http.TimeFormat))}
}

// etagOf is the ETag of body: a digest of its bytes. It is weak (W/)
// because it names the page whether sent plain or gzipped: RFC 9110 8.8.1
// lets a weak validator be shared by representations that differ only in
// their content coding, while a strong one would have to differ, and a
// strong ETag suffixed for gzip (gzhttp.SuffixETag) would never match the
// If-None-Match of a client that got the gzipped page. If-None-Match
// compares weakly, so 304s work all the same.
func etagOf(body []byte) string {
	sum := sha256.Sum256(body)
	return `W/"` + hex.EncodeToString(sum[:12]) + `"`
}

// validate returns the validators of a response to key with body, taking
// those the handler set (static files have their own ETag).
func (s *Server) validate(key pageKey, h http.Header, body []byte) validators {
	v := validators{etag: h.Get("ETag")}
	if v.etag == "" {
		v.etag = etagOf(body)
	}
	v.modified = s.modTimes.modified(key.String(), v.etag, s.now())
	return v
}

// serveContent answers r with body under v, by http.ServeContent: 304 or
// 412 for conditional requests, 206 for ranges, Content-Length. The caller
// has set Content-Type and the other headers. A body sent gzipped (the
// caller set Content-Encoding) gets its Content-Length here, as
// ServeContent leaves it out then.
func serveContent(w http.ResponseWriter, r *http.Request, v validators, body []byte) {
	h := w.Header()
	h["Etag"] = []string{v.etag}
	if h.Get("Content-Encoding") != "" {
		h["Content-Length"] = []string{fmt.Sprint(len(body))}
	} else {
		delete(h, "Content-Length")
	}
	http.ServeContent(copyWriter{w}, r, "", v.modified, bytes.NewReader(body))
}

// copyWriter lets http.ServeContent send a whole body in one Write.
// ServeContent copies the content with io.CopyN, which, to a writer that
// cannot ReadFrom (the compression handler's), allocates a 32 KB buffer per
// response and copies the body through it: a cached call page took ten
// times as long to serve. A bytes.Reader can write itself out whole.
type copyWriter struct{ http.ResponseWriter }

func (w copyWriter) ReadFrom(r io.Reader) (int64, error) {
	if lr, ok := r.(*io.LimitedReader); ok {
		if br, ok := lr.R.(*bytes.Reader); ok && int64(br.Len()) <= lr.N {
			return br.WriteTo(w.ResponseWriter)
		}
	}
	return io.Copy(struct{ io.Writer }{w.ResponseWriter}, r) // a range: part of the body
}

func (w copyWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// modTimes remembers the ETag and Last-Modified last sent for each page, so
// that a page keeps its Last-Modified while its bytes are the same (a
// reload, an eviction from the page cache) and moves it on by at least a
// second when they change, even within the second it was sent: clients
// compare Last-Modified to the second, so a page changed and sent again
// within one second would otherwise answer If-Modified-Since with a 304
// for the old bytes.
//
// It holds at most maxModTimes pages. A page it forgot is given the
// current second, which is later than anything it forgot: only entries
// from earlier seconds are forgotten, least recently changed first.
type modTimes struct {
	mu    sync.Mutex
	limit int // 0: maxModTimes
	m     map[string]*modTime
	// oldest and newest link the entries by when they last changed.
	oldest, newest *modTime
}

// maxModTimes bounds modTimes: about 200 bytes each, 4 MB in all. Past
// it a page is only given a later Last-Modified than it had; its ETag
// still gets 304s.
const maxModTimes = 20_000

type modTime struct {
	key        string
	etag       string
	modified   time.Time
	prev, next *modTime
}

// modified returns the Last-Modified of the page key whose ETag is now
// etag.
func (mt *modTimes) modified(key, etag string, now time.Time) time.Time {
	sec := now.UTC().Truncate(time.Second)
	mt.mu.Lock()
	defer mt.mu.Unlock()
	if mt.m == nil {
		mt.m = map[string]*modTime{}
	}
	e := mt.m[key]
	if e != nil && e.etag == etag {
		return e.modified
	}
	mod := sec
	if e != nil {
		if !mod.After(e.modified) {
			mod = e.modified.Add(time.Second)
		}
		mt.unlink(e)
	} else {
		e = &modTime{key: key}
		mt.m[key] = e
	}
	e.etag, e.modified = etag, mod
	e.prev, e.next = mt.newest, nil
	if mt.newest != nil {
		mt.newest.next = e
	}
	mt.newest = e
	if mt.oldest == nil {
		mt.oldest = e
	}
	limit := mt.limit
	if limit <= 0 {
		limit = maxModTimes
	}
	for len(mt.m) > limit && mt.oldest.modified.Before(sec) {
		old := mt.oldest
		mt.unlink(old)
		delete(mt.m, old.key)
	}
	return mod
}

// unlink takes e out of the list (not the map); mt.mu is held.
func (mt *modTimes) unlink(e *modTime) {
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		mt.oldest = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		mt.newest = e.prev
	}
	e.prev, e.next = nil, nil
}

// conditional answers every GET that a handler answers 200 with bytes by
// serveContent, with validators made from the bytes: so downloads, feeds,
// searches and API answers get ETags, Last-Modified and 304s without
// their handlers doing anything. It buffers the response until the handler
// returns; a response larger than maxCachedPage, one the handler flushes,
// one that changes from one request to the next (volatile: metrics,
// health) and one already
// encoded go through as they are. A handler that answers by itself (a
// cached page, a stream) says so with unbuffered.
func (s *Server) conditional(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferedWriter{ResponseWriter: w}
		next.ServeHTTP(bw, r)
		if bw.direct {
			return
		}
		h := w.Header()
		if bw.status == 0 {
			bw.status = http.StatusOK
		}
		if bw.status != http.StatusOK || h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" || volatile(r) {
			w.WriteHeader(bw.status)
			_, _ = w.Write(bw.body.Bytes())
			return
		}
		body := bw.body.Bytes()
		v := s.validate(s.keyOf(r), h, body)
		serveContent(w, r, v, body)
	})
}

// bufferedWriter holds a handler's response for conditional. Its header
// is the real one.
type bufferedWriter struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
	direct bool // passing everything through
}

func (w *bufferedWriter) WriteHeader(status int) {
	switch {
	case w.direct, status < 200: // 1xx are interim: sent as they come
		w.ResponseWriter.WriteHeader(status)
	case w.status == 0:
		w.status = status
	}
}

func (w *bufferedWriter) Write(b []byte) (int, error) {
	if w.direct {
		return w.ResponseWriter.Write(b)
	}
	if w.status == 0 {
		w.status = http.StatusOK
	}
	if w.body.Len()+len(b) > maxCachedPage {
		if err := w.goDirect(); err != nil {
			return 0, err
		}
		return w.ResponseWriter.Write(b)
	}
	return w.body.Write(b)
}

// goDirect sends what is buffered and passes the rest through.
func (w *bufferedWriter) goDirect() error {
	if w.direct {
		return nil
	}
	w.direct = true
	if w.status != 0 {
		w.ResponseWriter.WriteHeader(w.status)
	}
	if w.body.Len() > 0 {
		_, err := w.ResponseWriter.Write(w.body.Bytes())
		w.body = bytes.Buffer{}
		return err
	}
	return nil
}

func (w *bufferedWriter) Flush() {
	if w.goDirect() == nil {
		_ = http.NewResponseController(w.ResponseWriter).Flush()
	}
}

func (w *bufferedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// unbuffered returns the writer under conditional's buffer when w is one
// that has buffered nothing yet, for a handler that answers conditional
// requests itself.
func unbuffered(w http.ResponseWriter) http.ResponseWriter {
	if bw, ok := w.(*bufferedWriter); ok && bw.status == 0 && bw.body.Len() == 0 {
		bw.direct = true
		return bw.ResponseWriter
	}
	return w
}

// noStore marks h's answers Cache-Control: no-store: they change from one
// request to the next (metrics). The site's own answers get theirs from
// cacheControl; this is for a handler served apart (MetricsHandler).
func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

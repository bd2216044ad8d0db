package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"

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

// pageCache keeps rendered pages of the archive that is being served: the
// home, call, line, range and speaker pages without a query string depend
// only on the archive, its notes and the host, so they are rendered once
// per archive and then served from memory, gzipped once, with an ETag and
// a Last-Modified. Swapping the archive (ingest, --watch) empties it.
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
	// flights are the pages being rendered, which concurrent misses of
	// the same page wait for rather than render again (after an archive
	// swap every reader of a popular page misses at once).
	flights map[flightKey]*flight
	// zips are gzip writers for newCachedPage.
	zips sync.Pool
}

type flightKey struct {
	a   *transcript.Archive
	key pageKey
}

// flight is one render of a page.
type flight struct {
	done    chan struct{}
	page    *cachedPage // set before done is closed; nil if not cacheable
	waiters int         // requests waiting for it (c.mu), for tests
}

// join returns the flight rendering the page, and true when there was none
// and the caller is to render it, then call land.
func (c *pageCache) join(a *transcript.Archive, key pageKey) (*flight, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fk := flightKey{a, key}
	if f, ok := c.flights[fk]; ok {
		f.waiters++
		return f, false
	}
	if c.flights == nil {
		c.flights = map[flightKey]*flight{}
	}
	f := &flight{done: make(chan struct{})}
	c.flights[fk] = f
	return f, true
}

// land ends a flight with its page (nil: the waiters render their own).
func (c *pageCache) land(a *transcript.Archive, key pageKey, f *flight, p *cachedPage) {
	c.mu.Lock()
	delete(c.flights, flightKey{a, key})
	c.mu.Unlock()
	f.page = p
	close(f.done)
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

// cachedPage is one rendered page, with the headers of each way it is
// answered built once.
type cachedPage struct {
	key   pageKey
	route string // the route pattern, for the metrics
	body  []byte
	gz    []byte // body gzipped, or nil when that saves nothing
	etag  string
	// modified is when the page was rendered (to the second): its
	// Last-Modified.
	modified time.Time
	plain    []headerField // 200 with body
	zipped   []headerField // 200 with gz
	notMod   []headerField // 304

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

// pageKey is what a cached page depends on besides the archive: its path,
// and the scheme and host its absolute links are made of when no base URL
// is configured (see baseURL).
type pageKey struct {
	host, path string
	tls        bool
}

// cacheKey is the cache key of a request, and false when the request may
// not be answered from the cache: only GETs and HEADs without a query
// string or an escaped path (chi routes on the escaped path; the key is the
// plain one). With a base URL the Host header is not part of the key, so
// requests naming other hosts cannot fill the cache with copies.
func (s *Server) cacheKey(r *http.Request) (pageKey, bool) {
	if (r.Method != http.MethodGet && r.Method != http.MethodHead) || r.URL.RawQuery != "" || r.URL.RawPath != "" {
		return pageKey{}, false
	}
	k := pageKey{path: r.URL.Path}
	if s.base == "" {
		k.host, k.tls = r.Host, r.TLS != nil
	}
	return k, true
}

// cachedPageFor returns the cached page that answers r before routing, or
// nil. That is safe when the full chain would answer r from the cache
// too, with the same bytes: a cacheable request (cacheKey) without a body
// (limitBodies), and an Accept-Encoding that chi's Compress would not act
// on (none, or gzip when the page has a gzipped copy, which the cache
// serves itself). Anything else takes the full chain.
func (s *Server) cachedPageFor(r *http.Request) *cachedPage {
	if s.dev || r.ContentLength != 0 || len(r.TransferEncoding) > 0 {
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
	if p == nil {
		return nil
	}
	if ae := r.Header.Get("Accept-Encoding"); ae != "" && (p.gz == nil || !acceptsGzip(ae)) {
		return nil
	}
	return p
}

// cachePages serves GET and HEAD requests without a query string from the
// page cache, rendering and storing GETs on a miss. Other requests, error
// pages and dev mode (templates re-read per request) go straight to next.
func (s *Server) cachePages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := s.lib.Archive()
		key, ok := s.cacheKey(r)
		if s.dev || a == nil || !ok {
			next.ServeHTTP(w, r)
			return
		}
		if p := s.cache.get(a, key); p != nil {
			p.serve(w, r)
			return
		}
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		f, leader := s.cache.join(a, key)
		if !leader {
			select {
			case <-f.done:
				if f.page != nil {
					f.page.serve(w, r)
					return
				}
			case <-r.Context().Done():
			}
			next.ServeHTTP(w, r) // not cacheable: answered as without a cache
			return
		}
		var p *cachedPage
		defer func() { s.cache.land(a, key, f, p) }() // a panic too must release the waiters
		rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.status != http.StatusOK || rec.body.Len() > maxCachedPage ||
			!strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") {
			rec.replay(w)
			return
		}
		route := ""
		if rc := chi.RouteContext(r.Context()); rc != nil {
			route = rc.RoutePattern()
		}
		p = newCachedPage(&s.cache.zips, key, route, rec.header, rec.body.Bytes(), time.Now())
		// A page rendered while the archive was swapped may come from
		// the new one: keep it only if a is still current.
		if s.lib.Archive() == a {
			s.cache.put(a, p)
		}
		p.serve(w, r)
	})
}

// newCachedPage makes the cache entry of a page. zips holds gzip writers
// to reuse: each holds about a megabyte of compressor state, which a crawl
// rendering thousands of pages would otherwise allocate per page.
func newCachedPage(zips *sync.Pool, key pageKey, route string, h http.Header, body []byte, now time.Time) *cachedPage {
	sum := sha256.Sum256(body)
	p := &cachedPage{
		key:      key,
		route:    route,
		body:     bytes.Clone(body),
		etag:     `"` + hex.EncodeToString(sum[:12]) + `"`,
		modified: now.UTC().Truncate(time.Second),
	}
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

	// The handler's headers, then the cache's own.
	var base []headerField
	for k, v := range h {
		switch k {
		case "Content-Length", "Etag", "Last-Modified", "Vary", "Content-Encoding":
			continue
		}
		base = append(base, headerField{k, slices.Clone(v)})
	}
	slices.SortFunc(base, func(a, b headerField) int { return strings.Compare(a.key, b.key) })
	base = append(base,
		field("ETag", p.etag),
		field("Last-Modified", p.modified.Format(http.TimeFormat)),
		headerField{"Vary", append(slices.Clone(h["Vary"]), "Accept-Encoding")},
	)
	for i := range base {
		base[i].vals = slices.Clip(base[i].vals) // shared by every response: appends must copy
	}
	for _, f := range base {
		if f.key != "Content-Type" {
			p.notMod = append(p.notMod, f)
		}
	}
	p.plain = append(slices.Clip(base), field("Content-Length", strconv.Itoa(len(p.body))))
	if p.gz != nil {
		p.zipped = append(slices.Clip(base), field("Content-Encoding", "gzip"), field("Content-Length", strconv.Itoa(len(p.gz))))
	}
	return p
}

// serve writes the page, as gzip when the client accepts it, or 304 when
// the client already has this version.
func (p *cachedPage) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	if p.notModified(r) {
		setHeaders(h, p.notMod)
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body, fields := p.body, p.plain
	if p.gz != nil {
		if ae := r.Header.Get("Accept-Encoding"); ae != "" && acceptsGzip(ae) {
			body, fields = p.gz, p.zipped
		}
	}
	setHeaders(h, fields)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// notModified reports whether the client already has this version of the
// page: If-None-Match names its ETag, or, without If-None-Match (which
// takes precedence, RFC 9110 13.2.2), If-Modified-Since is not before its
// Last-Modified.
func (p *cachedPage) notModified(r *http.Request) bool {
	if inm := r.Header.Get("If-None-Match"); inm != "" {
		return etagMatch(inm, p.etag)
	}
	if ims := r.Header.Get("If-Modified-Since"); ims != "" {
		t, err := http.ParseTime(ims)
		return err == nil && !p.modified.After(t)
	}
	return false
}

// etagMatch reports whether an If-None-Match header names etag (or is *),
// comparing weakly as RFC 9110 asks for If-None-Match.
func etagMatch(header, etag string) bool {
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",")
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip: an
// entry for gzip decides, else one for *; a q of 0 refuses.
func acceptsGzip(header string) bool {
	star := -1 // -1: no * entry; 0: refused; 1: allowed
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		switch {
		case strings.EqualFold(name, "gzip"):
			return qAllows(params)
		case name == "*":
			star = 0
			if qAllows(params) {
				star = 1
			}
		}
	}
	return star == 1
}

// qAllows reports whether the parameters of an Accept-Encoding entry
// (";q=0.5") leave it acceptable: no q, or a q above 0.
func qAllows(params string) bool {
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, _ := strings.Cut(p, "=")
		if strings.TrimSpace(k) != "q" && strings.TrimSpace(k) != "Q" {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		return err != nil || q > 0 // a malformed q is ignored, as if absent
	}
	return true
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

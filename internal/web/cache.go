package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"backchannel/internal/transcript"
)

// Limits of the rendered-page cache. A page larger than maxCachedPage is
// rendered on every request; when the cache would pass maxCacheBytes it is
// emptied (a request value such as the Host header can vary the key, so the
// cache must stay bounded whatever clients send).
const (
	maxCachedPage = 8 << 20
	maxCacheBytes = 96 << 20
)

// pageCache keeps rendered pages of the archive that is being served: the
// home, call, line, range and speaker pages without a query string depend
// only on the archive, its notes and the host, so they are rendered once
// per archive and then served from memory, gzipped once, with an ETag.
// Swapping the archive (ingest, --watch) empties it.
type pageCache struct {
	mu      sync.Mutex
	archive *transcript.Archive // the archive the entries were rendered from
	entries map[string]*cachedPage
	bytes   int
}

// cachedPage is one rendered page.
type cachedPage struct {
	header http.Header // the handler's headers (Content-Type, Cache-Control, ...)
	body   []byte
	gz     []byte // body gzipped, or nil when that saves nothing
	etag   string
}

func (c *pageCache) get(a *transcript.Archive, key string) *cachedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.archive != a {
		return nil
	}
	return c.entries[key]
}

func (c *pageCache) put(a *transcript.Archive, key string, p *cachedPage) {
	size := len(p.body) + len(p.gz)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.archive != a || c.entries == nil || c.bytes+size > maxCacheBytes {
		c.archive, c.entries, c.bytes = a, map[string]*cachedPage{}, 0
	}
	if old, ok := c.entries[key]; ok {
		c.bytes -= len(old.body) + len(old.gz)
	}
	c.entries[key] = p
	c.bytes += size
}

// cachePages serves GET requests without a query string from the page
// cache, rendering and storing them on a miss. Other requests, error pages
// and dev mode (templates re-read per request) go straight to next.
func (s *Server) cachePages(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a := s.lib.Archive()
		if s.dev || a == nil || r.Method != http.MethodGet || r.URL.RawQuery != "" {
			next.ServeHTTP(w, r)
			return
		}
		key := r.Host + "\x00" + r.URL.Path
		if p := s.cache.get(a, key); p != nil {
			p.serve(w, r)
			return
		}
		rec := &pageRecorder{header: http.Header{}, status: http.StatusOK}
		next.ServeHTTP(rec, r)
		if rec.status != http.StatusOK || rec.body.Len() > maxCachedPage ||
			!strings.HasPrefix(rec.header.Get("Content-Type"), "text/html") {
			rec.replay(w)
			return
		}
		p := newCachedPage(rec.header, rec.body.Bytes())
		s.cache.put(a, key, p)
		p.serve(w, r)
	})
}

func newCachedPage(h http.Header, body []byte) *cachedPage {
	h = h.Clone()
	h.Del("Content-Length")
	sum := sha256.Sum256(body)
	p := &cachedPage{header: h, body: bytes.Clone(body), etag: `"` + hex.EncodeToString(sum[:12]) + `"`}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	if _, err := zw.Write(body); err == nil && zw.Close() == nil && gz.Len() < len(body) {
		p.gz = gz.Bytes()
	}
	return p
}

// serve writes the page, as gzip when the client accepts it, or 304 when
// the client already has this version.
func (p *cachedPage) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range p.header {
		h[k] = v
	}
	h.Set("ETag", p.etag)
	h.Add("Vary", "Accept-Encoding")
	if etagMatch(r.Header.Get("If-None-Match"), p.etag) {
		h.Del("Content-Type")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := p.body
	if p.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// etagMatch reports whether an If-None-Match header names etag (or is *).
func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
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

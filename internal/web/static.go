package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"
)

// staticFile is one file of static/, read into memory at start-up. Requests
// are answered by looking a name up in this map, so no request value is ever
// used as a path.
type staticFile struct {
	data        []byte
	contentType string
	version     string // first hex digits of the SHA-256, used in URLs
}

// staticTypes are the only kinds of static file served; each Content-Type
// carries a charset (the favicon is SVG, a text format).
var staticTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml; charset=utf-8",
	".txt": "text/plain; charset=utf-8",
}

var staticName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*\.[a-z0-9]+$`)

func loadStatic(assets fs.FS) (map[string]*staticFile, error) {
	entries, err := fs.ReadDir(assets, "static")
	if err != nil {
		return nil, fmt.Errorf("read static: %w", err)
	}
	files := map[string]*staticFile{}
	for _, e := range entries {
		name := e.Name()
		ct, ok := staticTypes[path.Ext(name)]
		if e.IsDir() || !ok || !staticName.MatchString(name) {
			continue
		}
		data, err := fs.ReadFile(assets, "static/"+name)
		if err != nil {
			return nil, fmt.Errorf("read static: %w", err)
		}
		sum := sha256.Sum256(data)
		v := hex.EncodeToString(sum[:])[:12]
		files[name] = &staticFile{data: data, contentType: ct, version: v}
	}
	for _, need := range []string{"app.css", "app.js", "favicon.svg"} {
		if _, ok := files[need]; !ok {
			return nil, fmt.Errorf("missing static/%s", need)
		}
	}
	return files, nil
}

func (s *Server) staticFiles() (map[string]*staticFile, error) {
	if s.dev {
		return loadStatic(s.assets)
	}
	return s.static, nil
}

// handleStatic serves /static/{name}. A URL carrying the file's current
// version (?v=, as the templates write it) may be cached for a year; any
// other for an hour, revalidated by ETag.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) error {
	files, err := s.staticFiles()
	if err != nil {
		return err
	}
	f, ok := files[chi.URLParam(r, "name")]
	if !ok {
		return errNotFound
	}
	serveBytes(w, f)
	return nil
}

// handleFavicon answers the browser's automatic /favicon.ico request with
// the SVG icon.
func (s *Server) handleFavicon(w http.ResponseWriter, r *http.Request) error {
	files, err := s.staticFiles()
	if err != nil {
		return err
	}
	serveBytes(w, files["favicon.svg"])
	return nil
}

// serveBytes writes a static file; conditional gives it its validators
// and answers conditional and range requests.
func serveBytes(w http.ResponseWriter, f *staticFile) {
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Content-Length", strconv.Itoa(len(f.data)))
	_, _ = w.Write(f.data)
}

func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) {
	robots := "User-agent: *\nDisallow: /search\nDisallow: /api/\n\nSitemap: " + s.baseURL(r) + "/sitemap.xml\n"
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(robots)))
	_, _ = w.Write([]byte(robots))
}

// HealthDetailer says more about the library than Health does (counts,
// the last failed reload; Config.Health); /healthz prints the details as
// "key: value" lines after its status line.
type HealthDetailer interface {
	HealthDetails() map[string]any
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	status, body := http.StatusOK, "ok\n"
	if err := s.lib.Health(); err != nil {
		status, body = http.StatusServiceUnavailable, "unavailable: "+err.Error()+"\n"
		h.Set("Retry-After", "5")
	} else if s.lib.Archive() == nil {
		status, body = http.StatusServiceUnavailable, "unavailable: archive not loaded\n"
		h.Set("Retry-After", "5")
	}
	if s.health != nil {
		details := s.health.HealthDetails()
		keys := make([]string, 0, len(details))
		for k := range details {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteString(body)
		for _, k := range keys {
			fmt.Fprintf(&b, "%s: %v\n", k, details[k])
		}
		body = b.String()
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

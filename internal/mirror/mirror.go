package mirror

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"backchannel/internal/bagit"
	"backchannel/internal/transcript"
)

//go:embed mirror.js
var mirrorJS []byte

// Source is a file the mirror carries byte for byte under transcripts/:
// a transcript or notes file as the archive was built from it.
type Source struct {
	// Name is the file's slash path under transcripts/ in the mirror.
	Name string
	// Path is where it is read from.
	Path string
	// SHA256 is the hex digest the build recorded; the file is copied
	// only when it still has it.
	SHA256 string
	// Open, when set, reads the file (from the line store, which keeps
	// each file's bytes by digest) instead of Path.
	Open func() (io.ReadCloser, error)
}

// Options is what Export reads.
type Options struct {
	// Handler answers the site's addresses as serve does (a web.Server's
	// handler on the archive being exported).
	Handler http.Handler
	// Archive is the archive it serves: the mirror has a page for each
	// of its calls, lines and speakers.
	Archive *transcript.Archive
	// History lists the versions of a call, oldest first (nil: the
	// mirror has the current versions only); each older version has its
	// pinned pages in the mirror.
	History func(slug string) []transcript.Version
	// BaseURL is the site's public address (scheme and host), for
	// canonical links.
	BaseURL string
	// Sources are the files the archive was built from.
	Sources []Source
	// Info are bag-info.txt's fields (the archive's name, the export's
	// date and source); Bagging-Date and Payload-Oxum are added.
	Info []bagit.Field
	// Now is the export's time.
	Now time.Time
	// Workers render calls at once (0: GOMAXPROCS).
	Workers int
	// Progress, when set, is told how many calls are written.
	Progress func(done, total int)
	// fault, in tests, fails the export at a named step.
	fault func(step string) error
}

// Stats is what an export wrote.
type Stats struct {
	Files int64 // payload files
	Bytes int64 // payload bytes
	Pages int64 // HTML pages
}

// ErrExists is returned when the output folder is not empty and force is
// not set.
var ErrExists = errors.New("folder is not empty")

// ErrSourceChanged is returned when a transcript file no longer has the
// digest the build recorded: the mirror would not hold the bytes its
// pages describe.
var ErrSourceChanged = errors.New("the transcript file changed since the build")

// Export writes the mirror of o.Archive to the folder out as a bag. It is
// written in a new folder beside out and renamed to out only when
// complete, so an interrupted export leaves no folder at out (and the
// partial one it leaves when killed is not a bag: bagit.txt is written
// last). An existing out is replaced only when it is empty or force is
// set.
func Export(ctx context.Context, out string, force bool, o Options) (st *Stats, err error) {
	out = filepath.Clean(out)
	if err := checkOut(out, force); err != nil {
		return nil, err
	}
	parent, base := filepath.Split(out)
	if parent == "" {
		parent = "."
	}
	tmp, err := os.MkdirTemp(parent, "."+base+".partial-")
	if err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("mirror: %w", err)
	}
	bag, err := bagit.NewWriter(tmp)
	if err != nil {
		return nil, err
	}
	defer bag.Abandon()
	e := &exporter{o: o, bag: bag, tmp: tmp, onDemand: map[string]*demand{}, current: map[string]string{}}
	for _, c := range o.Archive.Calls {
		e.current[c.Slug] = transcript.VersionName(c.SHA256)
	}
	if e.o.Workers <= 0 {
		e.o.Workers = runtime.GOMAXPROCS(0)
	}
	if err := e.run(ctx); err != nil {
		return nil, err
	}
	if err := e.step("finish"); err != nil {
		return nil, err
	}
	if err := bag.WriteTag("index.html", []byte(bagIndex)); err != nil {
		return nil, err
	}
	if err := bag.Finish(o.Info, o.Now); err != nil {
		return nil, err
	}
	if err := e.step("rename"); err != nil {
		return nil, err
	}
	if err := swapIn(tmp, out, force); err != nil {
		return nil, err
	}
	return &Stats{Files: bag.Streams(), Bytes: bag.Octets(), Pages: e.pages.Load()}, nil
}

// bagIndex is the bag's own index.html, for someone who serves or opens
// the bag's folder rather than its data/ folder.
const bagIndex = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Backchannel mirror</title>
<meta http-equiv="refresh" content="0; url=data/index.html"></head>
<body><p>This folder is a BagIt bag (RFC 8493): the mirror is in <a href="data/index.html">data/</a>;
bagit.txt, bag-info.txt and the manifests beside it let anyone check every file.</p></body></html>
`

// checkOut refuses an output folder that holds anything, unless force.
func checkOut(out string, force bool) error {
	fi, err := os.Lstat(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("mirror: %w", err)
	case !fi.IsDir():
		return fmt.Errorf("mirror: %s is not a folder", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	if len(entries) > 0 && !force {
		return fmt.Errorf("%s: %w (use --force to replace it)", out, ErrExists)
	}
	return nil
}

// swapIn renames the finished mirror tmp to out. An empty folder at out
// is removed first (os.Rename never replaces a folder); a non-empty one
// (force) is renamed aside and removed after. Without force, a folder
// that was filled meanwhile is not replaced.
func swapIn(tmp, out string, force bool) error {
	rmErr := os.Remove(out) // fails on a folder that holds anything
	if rmErr == nil || errors.Is(rmErr, os.ErrNotExist) {
		if err := os.Rename(tmp, out); err != nil {
			if _, serr := os.Lstat(out); serr == nil && !force {
				return fmt.Errorf("%s: %w (use --force to replace it)", out, ErrExists)
			}
			return fmt.Errorf("mirror: %w", err)
		}
		return syncParent(out)
	}
	if !force {
		return fmt.Errorf("%s: %w (use --force to replace it)", out, ErrExists)
	}
	parent, base := filepath.Split(out)
	if parent == "" {
		parent = "."
	}
	old, err := os.MkdirTemp(parent, "."+base+".old-")
	if err != nil {
		return fmt.Errorf("mirror: %w", err)
	}
	aside := filepath.Join(old, base)
	if err := os.Rename(out, aside); err != nil {
		os.Remove(old)
		return fmt.Errorf("mirror: %w", err)
	}
	if err := os.Rename(tmp, out); err != nil {
		os.Rename(aside, out) // put the old mirror back
		os.Remove(old)
		return fmt.Errorf("mirror: %w", err)
	}
	syncParent(out)
	return os.RemoveAll(old)
}

func syncParent(p string) error {
	d, err := os.Open(filepath.Dir(p))
	if err != nil {
		return nil
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

// exporter is one export under way.
type exporter struct {
	o     Options
	bag   *bagit.Writer
	tmp   string
	pages atomic.Int64

	// onDemand are the pages the mirror writes because a page links to
	// them (ranges, speakers' later pages, static files), by file.
	mu       sync.Mutex
	onDemand map[string]*demand
	// unmapped are links to the site the mirror has no file for.
	unmapped map[string]bool

	index *searchIndex
	// current is each call's current version, by slug.
	current map[string]string
}

// currentOf is the name of a call's current version.
func (e *exporter) currentOf(slug string) string { return e.current[slug] }

// demand is a page some page links to.
type demand struct {
	site    string // its address on the site
	claimed bool   // being written or written
}

func (e *exporter) step(name string) error {
	if e.o.fault != nil {
		return e.o.fault(name)
	}
	return nil
}

// run writes the whole payload.
func (e *exporter) run(ctx context.Context) error {
	a := e.o.Archive
	var err error
	if e.index, err = newSearchIndex(filepath.Join(e.tmp, ".search-postings"), a); err != nil {
		return err
	}
	defer e.index.close()
	if err := e.bag.WriteFile("static/mirror.js", mirrorJS); err != nil {
		return err
	}
	if err := e.writeSources(ctx); err != nil {
		return err
	}
	// The calls: each call's pages, downloads, line pages and the ranges
	// they link to, on several workers.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.o.Workers)
	var done atomic.Int64
	for i, c := range a.Calls {
		if gctx.Err() != nil {
			break // a call failed, or the export was interrupted
		}
		g.Go(func() error {
			if err := e.writeCall(gctx, i, c); err != nil {
				return err
			}
			if e.o.Progress != nil {
				e.o.Progress(int(done.Add(1)), len(a.Calls))
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if err := e.step("calls"); err != nil {
		return err
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(e.o.Workers)
	for _, sp := range a.Speakers() {
		if gctx.Err() != nil {
			break
		}
		g.Go(func() error { return e.writeSpeaker(gctx, sp.ID) })
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, site := range []string{"/", "/search", "/search/help", "/feed.atom", "/sitemap.xml", "/robots.txt",
		"/opensearch.xml", "/favicon.ico", "/api/v1/calls", "/api/v1/calls.csv", "/api/v1/speakers",
		"/api/v1/speakers.csv", "/api/v1/export.ndjson", "/api", "/api/v1/openapi.json"} {
		if err := e.writePage(ctx, site, nil); err != nil {
			return err
		}
	}
	if err := e.writeNotFound(ctx); err != nil {
		return err
	}
	// Whatever a page linked to that no step above wrote.
	for {
		site, file := e.nextDemand()
		if site == "" {
			break
		}
		if err := e.writeFile(ctx, site, file, nil); err != nil {
			return err
		}
	}
	return e.index.finish(e.bag)
}

// writeSources copies the transcript files into the mirror byte for byte,
// refusing any whose digest is no longer the build's.
func (e *exporter) writeSources(ctx context.Context) error {
	for _, s := range e.o.Sources {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := e.copySource(s); err != nil {
			return err
		}
	}
	return nil
}

func (e *exporter) copySource(s Source) error {
	open := s.Open
	if open == nil {
		open = func() (io.ReadCloser, error) { return os.Open(s.Path) }
	}
	in, err := open()
	if err != nil {
		return fmt.Errorf("mirror: the transcript file the build was made from: %w", err)
	}
	defer in.Close()
	f, err := e.bag.Create("transcripts/" + s.Name)
	if err != nil {
		return err
	}
	h := sha256.New()
	if _, err := io.Copy(f, io.TeeReader(in, h)); err != nil {
		f.Abort()
		return fmt.Errorf("mirror: %s: %w", s.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != s.SHA256 {
		f.Abort()
		return fmt.Errorf("mirror: %s: %w (SHA-256 %s; the build has %s): run 'backchannel ingest' and export again",
			s.Path, ErrSourceChanged, got, s.SHA256)
	}
	return f.Close()
}

// writeCall writes a call's pages, downloads, API answer and line pages,
// the range pages they link to, and its lines into the search index.
func (e *exporter) writeCall(ctx context.Context, i int, c *transcript.Call) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	full, err := e.o.Archive.WithLines(c)
	if err != nil {
		return fmt.Errorf("mirror: %s: %w", c.Slug, err)
	}
	if err := e.index.addCall(e.bag, i, full); err != nil {
		return err
	}
	call := "/calls/" + url.PathEscape(c.Slug)
	local := map[string]string{} // ranges of this call linked from its pages: file → site
	link := func(site, file string) {
		if (strings.HasPrefix(file, "calls/"+c.Slug+"/L") || strings.HasPrefix(file, "calls/"+c.Slug+"@")) && onDemand(file) {
			local[file] = site
			return
		}
		e.linked(site, file)
	}
	sites := []string{call, call + ".txt", call + ".json", call + ".csv", "/api/v1/calls/" + url.PathEscape(c.Slug)}
	var versions []transcript.Version
	if e.o.History != nil {
		versions = e.o.History(c.Slug)
	}
	if len(versions) > 0 { // a build made before versions were kept has none
		sites = append(sites, call+"/history", "/api/v1/calls/"+url.PathEscape(c.Slug)+"/versions")
	}
	for _, site := range sites {
		if err := e.writePage(ctx, site, link); err != nil {
			return err
		}
	}
	if err := e.writeLines(ctx, call, len(full.Lines), link); err != nil {
		return err
	}
	// Each older version: its pinned page, downloads and line pages.
	for _, v := range versions {
		if v.Name == e.current[c.Slug] {
			continue
		}
		pinned := call + "@" + v.Name
		for _, site := range []string{pinned, pinned + ".txt", pinned + ".json"} {
			if err := e.writePage(ctx, site, link); err != nil {
				return err
			}
		}
		if err := e.writeLines(ctx, pinned, v.Lines, link); err != nil {
			return err
		}
	}
	return e.drain(ctx, local, link)
}

// writeLines writes the line pages 1 to n of the call page at site.
func (e *exporter) writeLines(ctx context.Context, site string, n int, link func(site, file string)) error {
	for i := 1; i <= n; i++ {
		if err := e.writePage(ctx, site+"/L"+strconv.Itoa(i), link); err != nil {
			return err
		}
	}
	return nil
}

// drain writes the pages in local (file → site), and those the pages
// written add to it, unless another worker claimed them.
func (e *exporter) drain(ctx context.Context, local map[string]string, link func(site, file string)) error {
	for len(local) > 0 {
		var file, site string
		for file, site = range local {
			break
		}
		delete(local, file)
		if e.claim(file, site) {
			if err := e.writeFile(ctx, site, file, link); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeSpeaker writes a speaker's pages: the first, and every later one
// the pages link to.
func (e *exporter) writeSpeaker(ctx context.Context, id string) error {
	prefix := "speakers/" + id + "/page-"
	local := map[string]string{}
	link := func(site, file string) {
		if strings.HasPrefix(file, prefix) {
			local[file] = site
			return
		}
		e.linked(site, file)
	}
	if err := e.writePage(ctx, "/speakers/"+url.PathEscape(id), link); err != nil {
		return err
	}
	return e.drain(ctx, local, link)
}

// linked records a link of a page to a page written on demand.
func (e *exporter) linked(site, file string) {
	if !onDemand(file) {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.onDemand[file] == nil {
		e.onDemand[file] = &demand{site: site}
	}
}

// onDemand reports whether file is written because a page links to it,
// not for every call, line or speaker.
func onDemand(file string) bool {
	switch {
	case strings.HasPrefix(file, "static/"):
		return true
	case strings.HasPrefix(file, "calls/") && strings.Contains(file, "-L") && strings.HasSuffix(file, "/index.html"):
		return true
	case strings.HasPrefix(file, "speakers/") && strings.Contains(file, "/page-"):
		return true
	}
	return false
}

// claim marks file as written by the caller, and reports false when it
// already was.
func (e *exporter) claim(file, site string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	d := e.onDemand[file]
	if d == nil {
		d = &demand{site: site}
		e.onDemand[file] = d
	}
	if d.claimed {
		return false
	}
	d.claimed = true
	return true
}

// nextDemand claims a page linked to and not yet written.
func (e *exporter) nextDemand() (site, file string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for f, d := range e.onDemand {
		if !d.claimed {
			d.claimed = true
			return d.site, f
		}
	}
	return "", ""
}

// writePage writes the mirror's file for the site's address site.
func (e *exporter) writePage(ctx context.Context, site string, link func(site, file string)) error {
	u, err := url.Parse(site)
	if err != nil {
		return fmt.Errorf("mirror: %q: %w", site, err)
	}
	file, _, ok := fileOf(u.Path, u.Query(), e.currentOf)
	if !ok {
		return fmt.Errorf("mirror: no file for %s", site)
	}
	return e.writeFile(ctx, site, file, link)
}

// writeFile asks the site for site and writes its answer to file: an
// HTML page with its links made the mirror's, anything else as it is.
func (e *exporter) writeFile(ctx context.Context, site, file string, link func(site, file string)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if file == "static/mirror.js" {
		return nil // the mirror's own, written first
	}
	if link == nil {
		link = e.linked
	}
	f, err := e.bag.Create(file)
	if err != nil {
		return err
	}
	isHTML := strings.HasSuffix(file, ".html")
	resp := &response{header: http.Header{}}
	if isHTML {
		resp.dst = &resp.buf
	} else {
		resp.dst = f
	}
	if err := e.get(ctx, site, resp); err != nil {
		f.Abort()
		return err
	}
	if isHTML {
		l := &linker{base: e.o.BaseURL, link: link, unmapped: e.noteUnmapped, current: e.currentOf}
		head := `<script src="` + rootOf(file) + `static/mirror.js" defer></script>` + "\n"
		if err := l.rewriteHTML(f, resp.buf.Bytes(), file, false, head); err != nil {
			f.Abort()
			return fmt.Errorf("mirror: %s: %w", file, err)
		}
		e.pages.Add(1)
	}
	return f.Close()
}

// writeNotFound writes 404.html, the page a static host (GitHub Pages,
// Netlify, nginx's error_page) serves for an address the mirror has no
// file for: its links are from the root, as it is served at any depth,
// and the mirror's script sends a range's address (/calls/x/L3-L9) to
// the call page with the range selected.
func (e *exporter) writeNotFound(ctx context.Context) error {
	resp := &response{header: http.Header{}, allow: http.StatusNotFound}
	resp.dst = &resp.buf
	if err := e.get(ctx, "/not-in-the-mirror", resp); err != nil {
		return err
	}
	var b bytes.Buffer
	l := &linker{base: e.o.BaseURL, current: e.currentOf}
	if err := l.rewriteHTML(&b, resp.buf.Bytes(), "404.html", true, `<script src="/static/mirror.js" data-mirror-404 defer></script>`+"\n"); err != nil {
		return fmt.Errorf("mirror: 404.html: %w", err)
	}
	e.pages.Add(1)
	return e.bag.WriteFile("404.html", b.Bytes())
}

func (e *exporter) noteUnmapped(site string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.unmapped == nil {
		e.unmapped = map[string]bool{}
	}
	e.unmapped[site] = true
}

// get asks the site for site, as a browser would (no compression).
func (e *exporter) get(ctx context.Context, site string, resp *response) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, site, nil)
	if err != nil {
		return fmt.Errorf("mirror: %q: %w", site, err)
	}
	req.RemoteAddr = "127.0.0.1:1"
	req.Header.Set("Accept", "*/*")
	e.o.Handler.ServeHTTP(resp, req)
	if err := ctx.Err(); err != nil {
		return err
	}
	want := resp.allow
	if want == 0 {
		want = http.StatusOK
	}
	if resp.status != want {
		return fmt.Errorf("mirror: the site answered %s with status %d: %s", site, resp.status, strings.TrimSpace(resp.errBody.String()))
	}
	return resp.err
}

// response is a ResponseWriter that writes a 200's body to dst and keeps
// the start of any other answer for the error.
type response struct {
	header  http.Header
	status  int
	allow   int // the status expected, when not 200
	dst     io.Writer
	buf     bytes.Buffer
	errBody bytes.Buffer
	err     error
}

func (r *response) Header() http.Header { return r.header }

func (r *response) WriteHeader(status int) {
	if r.status == 0 && status >= 200 {
		r.status = status
	}
}

func (r *response) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	want := r.allow
	if want == 0 {
		want = http.StatusOK
	}
	if r.status != want {
		if r.errBody.Len() < 512 {
			r.errBody.Write(p[:min(len(p), 512-r.errBody.Len())])
		}
		return len(p), nil
	}
	if r.err != nil {
		return 0, r.err
	}
	n, err := r.dst.Write(p)
	if err != nil {
		r.err = err
	}
	return n, err
}

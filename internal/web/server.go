package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// Library is what the web layer needs from the rest of the program: the
// current build of the archive. A request reads everything from one build:
// it takes the archive once (Archive) and asks for the search and notes of
// that archive's build, even when a new build is swapped in meanwhile.
type Library interface {
	// Archive returns the current archive. It may be swapped between calls;
	// a request uses the one it got first.
	Archive() *transcript.Archive
	// Search runs a query on the index built with archive a (the one the
	// request got from Archive). Errors wrapping index.ErrBadQuery are the
	// user's (a 400); any other error is the server's.
	Search(ctx context.Context, a *transcript.Archive, q index.Query) (*index.Result, error)
	// Health returns nil once the index is open and searchable.
	Health() error
}

// Config configures a Server.
type Config struct {
	Library Library
	// Notes gives the editorial notes on the archive's calls; nil: pages
	// show no notes and search finds none.
	Notes NotesProvider
	// Health says more about the library in /healthz than Health does;
	// nil: only the status line.
	Health HealthDetailer
	// Metrics reports the index in /metrics; nil: those gauges are left
	// out.
	Metrics MetricsSource
	// Versions gives the versions of calls: pinned URLs
	// (/calls/{slug}@{version}…), histories and permalinks; nil: none.
	Versions VersionSource
	// Assets is the root holding templates/ and static/.
	Assets fs.FS
	Logger *slog.Logger
	// Dev re-parses templates and re-reads static files on every request.
	Dev bool
	// HSTS sends Strict-Transport-Security (for TLS deployments).
	HSTS bool
	// BaseURL is the scheme and host of absolute links (citations, feed,
	// sitemap, OpenSearch), e.g. "https://backchannel.example"; when
	// empty they use the request's own scheme and host.
	BaseURL string
	// Search bounds concurrent searches and their duration.
	Search SearchLimits
	// MetricsPrivate takes /metrics off the site: Handler answers it 404,
	// and MetricsHandler, served on an address of its own, answers it.
	MetricsPrivate bool
	// NoPageCache renders every page on every request instead of keeping
	// rendered pages (a static export asks for each page once).
	NoPageCache bool
}

// Server serves the site. Create it with NewServer.
type Server struct {
	lib      Library
	notesP   NotesProvider
	health   HealthDetailer
	versions VersionSource
	assets   fs.FS
	logger   *slog.Logger
	dev      bool
	hsts     bool
	base     string // Config.BaseURL without a trailing slash
	// metricsPrivate: /metrics is served by MetricsHandler only.
	metricsPrivate bool
	// cc are the Cache-Control values (cachecontrol.go).
	cc cachePolicies
	// noCache: no rendered page is kept (Config.NoPageCache).
	noCache bool

	// pages and static are read-only after NewServer; in dev mode they
	// are rebuilt per request instead (see templates).
	pages  map[string]*template.Template
	static map[string]*staticFile

	searches *searchLimiter
	metrics  *metrics
	cache    pageCache
	modTimes modTimes
	compress func(http.Handler) http.HandlerFunc
	now      func() time.Time // the clock of Last-Modified and If-Modified-Since

	mux chi.Router // the routes, for the tests that check them all

	handler http.Handler
}

// NewServer parses every template and reads every static file, and fails
// if a page template is missing or does not parse.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Library == nil {
		return nil, errors.New("web: no library")
	}
	if cfg.Assets == nil {
		return nil, errors.New("web: no assets")
	}
	s := &Server{
		lib:      cfg.Library,
		notesP:   cfg.Notes,
		health:   cfg.Health,
		versions: cfg.Versions,
		assets:   cfg.Assets,
		logger:   cfg.Logger,
		dev:      cfg.Dev,
		hsts:     cfg.HSTS,
		base:     strings.TrimRight(cfg.BaseURL, "/"),
		now:      time.Now,

		metricsPrivate: cfg.MetricsPrivate,
		cc:             newCachePolicies(),
		noCache:        cfg.NoPageCache,
	}
	if cfg.BaseURL != "" && httpURL(cfg.BaseURL) == "" {
		return nil, fmt.Errorf("web: base URL %q is not an http or https URL", cfg.BaseURL)
	}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	static, err := loadStatic(cfg.Assets)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.static = static
	pages, err := s.parsePages(static)
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.pages = pages
	if s.compress, err = newCompressor(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	s.searches = newSearchLimiter(cfg.Search)
	s.metrics = newMetrics(cfg.Metrics, s.searches)
	s.handler = s.routes()
	return s, nil
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// MetricsHandler answers GET /metrics with the server's metrics and
// anything else with 404: it is for an address of its own (serve
// --metrics-addr), so that the public site never shows its internals.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", noStore(s.metrics.handler()))
	return mux
}

func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	// No RedirectSlashes/StripSlashes: a trailing slash is simply a 404, so
	// there is no redirect a request can steer.
	// Compression, HEAD and the cached pages are handled before routing
	// (observe); every 200 answered with bytes gets validators and
	// conditional answers (conditional).
	r.Use(
		s.limitBodies,
		s.limitQuery,
		s.recoverer,
		s.cors, // the API and downloads for other origins (cors.go)
		s.conditional,
	)
	r.NotFound(s.handle(func(http.ResponseWriter, *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(s.handleMethodNotAllowed)

	// Pages that depend only on the archive are rendered once per archive.
	r.With(s.cachePages).Get("/", s.handle(s.handleHome))
	r.With(s.cachePages).Get("/calls/{slug}", s.handle(s.handleCall)) // also {slug}.txt and {slug}.json
	r.With(s.cachePages).Get("/calls/{slug}/{lines}", s.handle(s.handleLines))
	r.With(s.cachePages).Get("/calls/{slug}/history", s.handle(s.handleHistory))
	r.With(s.limitSearch).Get("/search", s.handle(s.handleSearch))
	r.Get("/search/help", s.handle(s.handleHelp))
	r.With(s.cachePages).Get("/speakers/{id}", s.handle(s.handleSpeaker))

	r.With(s.limitSearch).Get("/api/v1/search", s.handle(s.handleAPISearch))
	r.Get("/api/v1/calls", s.handle(s.handleAPICalls))
	r.Get("/api/v1/calls/{slug}", s.handle(s.handleAPICall))
	r.Get("/api/v1/calls/{slug}/versions", s.handle(s.handleAPIVersions))
	s.dataRoutes(r) // CSV, speakers, OpenAPI, export (api_routes.go)

	r.Get("/healthz", s.handleHealth)
	if !s.metricsPrivate {
		r.Method(http.MethodGet, "/metrics", s.metrics.handler())
	}
	r.Get("/robots.txt", s.handleRobots)
	r.Get("/feed.atom", s.handle(s.handleFeed))
	r.Get("/sitemap.xml", s.handle(s.handleSitemap))
	r.Get("/opensearch.xml", s.handle(s.handleOpenSearch))
	r.Get("/favicon.ico", s.handle(s.handleFavicon))
	r.Get("/static/{name}", s.handle(s.handleStatic))
	s.mux = r
	// Security headers, request id, log and metrics wrap the router, and
	// cached pages are answered there, before routing (middleware.go).
	return s.observe(r)
}

// archive returns the current archive, or an error when none is loaded.
func (s *Server) archive() (*transcript.Archive, error) {
	a := s.lib.Archive()
	if a == nil {
		return nil, &httpError{status: http.StatusServiceUnavailable, msg: "The archive is not loaded yet. Try again in a moment."}
	}
	return a, nil
}

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/content"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// The OpenAPI test uses libopenapi-validator (pb33f): it validates OpenAPI
// 3.1 documents and HTTP responses with a JSON Schema 2020-12 validator,
// and its strict mode reports any property or response header the
// description does not declare.

// decodeNDJSON reads an NDJSON body as the array of its lines' values.
func decodeNDJSON(in *content.DecodeInput) (any, error) {
	dec := json.NewDecoder(in.Body)
	out := []any{}
	for {
		var v any
		if err := dec.Decode(&v); err == io.EOF {
			return out, nil
		} else if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
}

// openAPIServer serves the tricky archive with notes on the harbour call
// and a search that finds every line (45 hits per query: pages and a Link
// header), or nothing for "nothing".
func openAPIServer(t *testing.T) *Server {
	t.Helper()
	a := trickyArchive()
	all := everyLine(a)
	lib := &fakeLibrary{
		ArchiveFunc: func() *transcript.Archive { return a },
		SearchFunc: func(ctx context.Context, q index.Query) (*index.Result, error) {
			if q.Text == "nothing" {
				return &index.Result{}, nil
			}
			r, err := all(ctx, q)
			if err == nil && len(r.Hits) > 0 {
				r.Hits[0].Fragments = []index.Fragment{marked("<mark>x</mark> y")}
				r.Facets = sampleResult().Facets
				r.Parsed = q.Text
			}
			return r, err
		},
	}
	s, _ := newNotesServer(t, lib)
	s.versions = archiveVersions{a}
	return s
}

// archiveVersions is a VersionSource in which each call of an archive has
// one version: the one it is.
type archiveVersions struct{ a *transcript.Archive }

func (v archiveVersions) History(_ *transcript.Archive, slug string) []transcript.Version {
	c, ok := v.a.Call(slug)
	if !ok {
		return nil
	}
	return []transcript.Version{{Name: transcript.VersionName(c.SHA256), SHA256: c.SHA256, Lines: len(c.Lines),
		FirstIndexed: time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)}}
}

func (v archiveVersions) Version(a *transcript.Archive, slug, name string) (*transcript.Call, transcript.Version, error) {
	for _, ver := range v.History(a, slug) {
		if strings.HasPrefix(ver.SHA256, name) {
			c, _ := v.a.Call(slug)
			return c, ver, nil
		}
	}
	return nil, transcript.Version{}, transcript.ErrNoVersion
}

// TestOpenAPI validates /api/v1/openapi.json as an OpenAPI 3.1 document,
// then validates the server's answer to a request of every kind (each
// documented path and status) against it, in strict mode: an answer with a
// field, a status or a header the description does not have fails, and so
// does a description that promises a field the server does not send
// (required properties). It also checks that every API route of the server
// is described, and that every described path and status is exercised.
func TestOpenAPI(t *testing.T) {
	s := openAPIServer(t)
	rec := get(t, s, "/api/v1/openapi.json")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	doc, err := libopenapi.NewDocument(rec.Body.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if v := doc.GetVersion(); !strings.HasPrefix(v, "3.1") {
		t.Errorf("OpenAPI version %s, want 3.1", v)
	}
	opts := []config.Option{
		config.WithFormatAssertions(),
		// CSV bodies are checked as CSV and matched as text (the header
		// row); NDJSON is read as the array of its lines.
		config.WithStandardBodyDecoders(),
		config.WithBodyDecoder("application/x-ndjson", content.DecoderFunc(decodeNDJSON)),
	}
	// The description itself is an OpenAPI document, checked as one
	// above: its own schema is only "an object".
	plain, errs := validator.NewValidator(doc, opts...)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	v, errs := validator.NewValidator(doc, append(opts,
		config.WithStrictMode(),
		// Headers every answer has, documented once in the description's
		// text rather than on each response.
		config.WithStrictIgnoredHeadersExtra(
			"content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options",
			"cross-origin-opener-policy", "permissions-policy", "strict-transport-security",
			"access-control-allow-origin", "access-control-expose-headers", "x-request-id",
			"content-encoding", "vary", "last-modified", "etag", "cache-control", "accept-ranges"),
	)...)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s: %s", e.Message, e.Reason)
		}
		t.FailNow()
	}
	model, merr := doc.BuildV3Model()
	if merr != nil {
		t.Fatal(merr)
	}

	type call struct {
		path   string // the described path it exercises
		target string
		status int
	}
	calls := []call{
		{"/api/v1/search", "/api/v1/search?q=word", 200},
		{"/api/v1/search", "/api/v1/search?q=word&page=2&size=5&sort=-date&after=2024-01-01&before=2024-12-31&speaker=ada-quill&call=" + slugTricky, 200},
		{"/api/v1/search", "/api/v1/search?q=nothing", 200},
		{"/api/v1/search", "/api/v1/search?q=in:notes+dredging", 200},
		{"/api/v1/search", "/api/v1/search?q=broker", 200},
		{"/api/v1/search", "/api/v1/search?q=word&size=500", 400},
		{"/api/v1/search", "/api/v1/search", 400},
		{"/api/v1/search.csv", "/api/v1/search.csv?q=word", 200},
		{"/api/v1/search.csv", "/api/v1/search.csv?q=word&page=0", 400},
		{"/api/v1/calls", "/api/v1/calls", 200},
		{"/api/v1/calls.csv", "/api/v1/calls.csv", 200},
		{"/api/v1/calls/{slug}", "/api/v1/calls/" + slugHarbour, 200},
		{"/api/v1/calls/{slug}", "/api/v1/calls/" + slugTricky, 200},
		{"/api/v1/calls/{slug}", "/api/v1/calls/" + slugHostile, 200},
		{"/api/v1/calls/{slug}", "/api/v1/calls/nope", 404},
		{"/api/v1/calls/{slug}/versions", "/api/v1/calls/" + slugHarbour + "/versions", 200},
		{"/api/v1/calls/{slug}/versions", "/api/v1/calls/nope/versions", 404},
		{"/calls/{slug}.json", "/calls/" + slugHarbour + ".json", 200},
		{"/calls/{slug}.json", "/calls/nope.json", 404},
		{"/calls/{slug}.csv", "/calls/" + slugTricky + ".csv", 200},
		{"/calls/{slug}.csv", "/calls/nope.csv", 404},
		{"/calls/{slug}.txt", "/calls/" + slugTricky + ".txt", 200},
		{"/calls/{slug}.txt", "/calls/nope.txt", 404},
		{"/api/v1/speakers", "/api/v1/speakers", 200},
		{"/api/v1/speakers.csv", "/api/v1/speakers.csv", 200},
		{"/api/v1/speakers/{id}", "/api/v1/speakers/ada-quill", 200},
		{"/api/v1/speakers/{id}", "/api/v1/speakers/ada-quill?page=2&size=2", 200},
		{"/api/v1/speakers/{id}", "/api/v1/speakers/ada-quill?size=0", 400},
		{"/api/v1/speakers/{id}", "/api/v1/speakers/nobody", 404},
		{"/api/v1/export.ndjson", "/api/v1/export.ndjson", 200},
		{"/api/v1/openapi.json", "/api/v1/openapi.json", 200},
	}
	// While the archive loads every route answers 503.
	loading := newTestServer(t, &fakeLibrary{ArchiveFunc: func() *transcript.Archive { return nil }})
	for _, p := range []string{"/api/v1/search?q=x", "/api/v1/search.csv?q=x", "/api/v1/calls", "/api/v1/calls.csv",
		"/api/v1/calls/x", "/calls/x.json", "/calls/x.csv", "/calls/x.txt", "/api/v1/speakers", "/api/v1/speakers.csv",
		"/api/v1/speakers/x", "/api/v1/export.ndjson", "/api/v1/calls/x/versions"} {
		described := strings.SplitN(p, "?", 2)[0]
		described = strings.Replace(strings.Replace(described, "/calls/x", "/calls/{slug}", 1), "/speakers/x", "/speakers/{id}", 1)
		calls = append(calls, call{described, "loading:" + p, 503})
	}

	exercised := map[string]bool{} // "GET path status"
	for _, c := range calls {
		t.Run(fmt.Sprintf("%d %s", c.status, c.target), func(t *testing.T) {
			srv, target := s, c.target
			if rest, ok := strings.CutPrefix(target, "loading:"); ok {
				srv, target = loading, rest
			}
			req := httptest.NewRequest(http.MethodGet, target, nil)
			rec := httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != c.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
			}
			resp := rec.Result()
			resp.Request = req
			if c.status < 400 {
				if ok, errs := v.ValidateHttpRequest(req); !ok {
					for _, e := range errs {
						t.Errorf("request: %s: %s", e.Message, e.Reason)
					}
				}
			}
			rv := v
			if c.path == "/api/v1/openapi.json" {
				rv = plain
			}
			if ok, errs := rv.ValidateHttpResponse(req, resp); !ok {
				for _, e := range errs {
					t.Errorf("response: %s: %s (%s)", e.Message, e.Reason, e.SpecPath)
					for _, se := range e.SchemaValidationErrors {
						t.Errorf("  %s at %s", se.Reason, se.FieldPath)
					}
				}
			}
			exercised[fmt.Sprintf("GET %s %d", c.path, c.status)] = true

			// A client that has this answer gets 304 Not Modified.
			etag := rec.Header().Get("ETag")
			if c.status != http.StatusOK {
				return
			}
			if etag == "" {
				t.Fatal("a 200 without an ETag")
			}
			req = httptest.NewRequest(http.MethodGet, target, nil)
			req.Header.Set("If-None-Match", etag)
			rec = httptest.NewRecorder()
			srv.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
				t.Fatalf("If-None-Match %s: status %d, %d bytes; want 304", etag, rec.Code, rec.Body.Len())
			}
			resp = rec.Result()
			resp.Request = req
			if ok, errs := rv.ValidateHttpResponse(req, resp); !ok {
				for _, e := range errs {
					t.Errorf("304 response: %s: %s", e.Message, e.Reason)
				}
			}
			exercised[fmt.Sprintf("GET %s 304", c.path)] = true
		})
	}

	// Every described path, method and status was exercised above.
	var missing []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, op := range item.GetOperations().FromOldest() {
			for code := range op.Responses.Codes.FromOldest() {
				key := fmt.Sprintf("%s %s %s", strings.ToUpper(method), path, code)
				if !exercised[key] {
					missing = append(missing, key)
				}
			}
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("described but not exercised:\n%s", strings.Join(missing, "\n"))
	}

	// Every API route of the server is described; so are the downloads
	// that /calls/{slug} serves.
	described := map[string]*v3.PathItem{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		described[path] = item
	}
	err = chi.Walk(s.mux, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if !strings.HasPrefix(route, "/api/") || (method != http.MethodGet && method != http.MethodHead) {
			return nil
		}
		if item, ok := described[route]; !ok || item.Get == nil {
			t.Errorf("route %s %s is not in the OpenAPI description (internal/web/openapi.json)", method, route)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/calls/{slug}.json", "/calls/{slug}.csv", "/calls/{slug}.txt"} {
		if described[p] == nil {
			t.Errorf("%s is not described", p)
		}
	}
	if t.Failed() {
		t.Log("the API changed: describe the change in internal/web/openapi.json")
	}
}

// Package web serves Backchannel's pages and JSON API over HTTP.
//
// NewServer takes a Config: the Library (the current archive and a
// searcher), what else the pages show when there is one (Notes, Health
// details, Metrics), an fs.FS holding templates/ and static/, and a
// logger. Every page is a handler that
// returns an error; one function (serveError) turns errors into a status and
// a friendly HTML page, or a JSON {"error": ...} under /api/. Templates are
// parsed once at start-up (layout plus one file per page) and executed into
// a buffer before anything is written.
//
// Untrusted text (transcript lines, titles, names, queries) is only ever
// escaped by html/template. Highlighting (search fragments and ?hl= words on
// a call page) is represented as text segments with a "marked" flag and
// rendered by the templates, so it needs no template.HTML. The only HTML
// that enters a template unescaped is sanitized Markdown returned by
// markdown.Render.
//
// Overload: searches (/search, /api/v1/search) run under a concurrency
// limit sized from GOMAXPROCS, with a bounded, time-limited queue, and each
// with a deadline (SearchLimits); when saturated or too slow they are
// answered 503 with Retry-After, while pages that only read the archive
// never wait for a search slot. Request bodies are capped for every method.
// /metrics serves a Prometheus registry of the Server's own (requests by
// route pattern and status, latency histograms, search refusals and
// errors, and index size and last ingest when Config.Metrics is set).
//
// The JSON API (/api/v1) and the downloads are described for programs in
// openapi.json (served at /api/v1/openapi.json; TestOpenAPI checks every
// answer against it) and for people at /api (templates/api.html), which
// also state its conventions: lists are never null, unknown values are null
// or left out, text is exactly as in the transcripts, fields are added but
// never renamed or removed. CSV goes through package csvout, whole-archive
// exports through package export. The API and the downloads may be read
// from any origin (cors.go); pages may not.
//
// The package never imports Bleve: it uses the plain Query and Result types
// of package index and the types of package transcript.
package web

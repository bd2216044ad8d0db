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
// The package never imports Bleve: it uses the plain Query and Result types
// of package index and the types of package transcript.
package web

// JSON API decisions (/api/v1):
//
//   - /api/v1/search returns {"total", "hits", "facets", "query", "fallback"}.
//     A hit's "speaker" is {"id", "name"} or null for a stage direction;
//     "fragments" is [] (never null) when only the speaker's name matched and
//     holds escaped text with <mark> elements only; "url" is always the
//     canonical /calls/{slug}#L{n}; "highlight_url" adds ?hl= with the matched
//     words (it equals "url" when there are none); "time" (seconds) is left
//     out when unknown. Facets are "speaker" [{"id","name","count"}], "call"
//     [{"slug","title","count"}] and "language" [{"code","count"}].
//   - /api/v1/calls returns {"calls": [{"slug","title","date","completeness",
//     "participants": [{"id","name","role"}],"line_count"}]}; "completeness"
//     is "excerpt", "complete" or null when the transcript does not say.
//   - /api/v1/calls/{slug} (and /calls/{slug}.json) adds "source"
//     {"publisher","url","published","note"} and "lines" [{"n","speaker",
//     "text","kind"}], where "speaker" is the participant id or null for a
//     direction, "kind" is "turn" or "direction", "text" keeps paragraphs
//     separated by a blank line, and "time" (seconds) appears when known.
//     A call with editorial notes adds "notes" {"headnote", "fidelity",
//     "corrections": [{"date","note"}], "notes": [{"id","n","first","last",
//     "quote","text","url","detached"}]}: text fields are Markdown source,
//     "quote" and "detached" are left out when empty.
//   - Bad parameters give 400 {"error": "..."}; the index's ErrBadQuery too.
//     Query text is never an error. Nothing a user sends gives a 5xx.

// Package web serves Backchannel's pages and JSON API over HTTP.
//
// NewServer takes a Library (the current archive and a searcher), an fs.FS
// holding templates/ and static/, and a logger. Every page is a handler that
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
// The package never imports Bleve: it uses the plain Query and Result types
// of package index and the types of package transcript.
package web

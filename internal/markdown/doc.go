// Package markdown renders the archive's Markdown (call summaries, editorial
// notes) to safe HTML and extracts its plain text for indexing.
//
// There is one goldmark.Markdown for the process, configured explicitly:
// GFM (tables, strikethrough, autolinks), footnotes, no Typographer (quoted
// words stay as written), no raw HTML (goldmark's safe renderer drops it),
// no attribute syntax. The rendered HTML then goes through a bluemonday
// allow-list: links may only be http, https, mailto or in-page fragments,
// there are no images, no style or event attributes. Render's result is the
// one place where Markdown becomes template.HTML.
package markdown

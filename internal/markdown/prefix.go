package markdown

import (
	"fmt"
	"html/template"
	"regexp"
)

var (
	// footnoteAttr is a footnote id or in-page link in sanitized output:
	// the only ids the policy lets through.
	footnoteAttr = regexp.MustCompile(`\b(id|href)="(#?)(fn(?:ref[0-9]*)?:[0-9]+)"`)
	// prefixPattern is what RenderPrefixed accepts as a prefix.
	prefixPattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,40}$`)
)

// RenderPrefixed is Render for a document that shares a page with others:
// its footnote ids and links get prefix ("note-3-" gives "note-3-fn:1"),
// so two documents with footnotes on one page do not repeat an id. The
// prefix must be lower-case letters, digits and hyphens, starting with a
// letter.
func RenderPrefixed(src []byte, prefix string) (template.HTML, error) {
	if !prefixPattern.MatchString(prefix) {
		return "", fmt.Errorf("render markdown: bad id prefix %q", prefix)
	}
	h, err := Render(src)
	if err != nil {
		return "", err
	}
	// Render's output is sanitized: quotes in text are escaped, so id="…"
	// and href="…" only occur as attributes, and the prefix is plain.
	return template.HTML(footnoteAttr.ReplaceAllString(string(h), `${1}="${2}`+prefix+`${3}"`)), nil
}

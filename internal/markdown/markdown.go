package markdown

import (
	"bytes"
	"fmt"
	"html/template"
	"regexp"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxSize is the largest source Render and PlainText accept; longer input is
// cut at this many bytes (on a rune boundary) before parsing.
const MaxSize = 256 << 10

// minHeading is the highest heading level Markdown may produce: pages own
// their h1 and h2, so "# Title" in a note renders as h3.
const minHeading = 3

// md and policy are built once and never modified afterwards; both are safe
// for concurrent use (goldmark keeps per-document state in a parser.Context,
// a built bluemonday.Policy is read-only).
var (
	md     = newMarkdown()
	policy = newPolicy()
)

func newMarkdown() goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(
			extension.Table,
			extension.Strikethrough,
			extension.Linkify,
			extension.Footnote,
		),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(headingShift{}, 100)),
		),
		// No html.WithUnsafe(): raw HTML and dangerous link destinations
		// are dropped by goldmark's renderer before sanitizing.
	)
}

var (
	footnoteID    = regexp.MustCompile(`^fn(ref[0-9]*)?:[0-9]+$`)
	footnoteClass = regexp.MustCompile(`^(footnote-ref|footnote-backref|footnotes)$`)
	footnoteRole  = regexp.MustCompile(`^doc-(noteref|backlink|endnotes)$`)
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "em", "strong", "del", "code", "pre",
		"blockquote", "ul", "ol", "li", "h3", "h4", "h5", "h6",
		"table", "thead", "tbody", "tr", "th", "td", "sup", "div")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.AllowRelativeURLs(true) // footnote links (#fn:1)
	p.RequireNoFollowOnFullyQualifiedLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	p.AllowAttrs("id").Matching(footnoteID).OnElements("sup", "li")
	p.AllowAttrs("class").Matching(footnoteClass).OnElements("a", "div")
	p.AllowAttrs("role").Matching(footnoteRole).OnElements("a", "div")
	return p
}

// headingShift lowers every heading so the highest is minHeading.
type headingShift struct{}

func (headingShift) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+minHeading-1, 6)
		}
		return ast.WalkContinue, nil
	})
}

func clip(src []byte) []byte {
	if len(src) <= MaxSize {
		return src
	}
	src = src[:MaxSize]
	// Do not cut a UTF-8 sequence in half.
	for i := 0; i < 4 && len(src) > 0 && src[len(src)-1]&0xC0 == 0x80; i++ {
		src = src[:len(src)-1]
	}
	if len(src) > 0 && src[len(src)-1] >= 0xC0 {
		src = src[:len(src)-1]
	}
	return src
}

// Render converts Markdown to sanitized HTML. Raw HTML in the source is
// dropped; links keep only the http, https and mailto schemes (or in-page
// fragments); images are removed. Invalid UTF-8 is replaced.
func Render(src []byte) (template.HTML, error) {
	src = bytes.ToValidUTF8(clip(src), []byte("\uFFFD"))
	var buf bytes.Buffer
	if err := md.Convert(src, &buf); err != nil {
		return "", fmt.Errorf("render markdown: %w", err)
	}
	// The one conversion to template.HTML: the output of the allow-list policy.
	return template.HTML(policy.SanitizeBytes(buf.Bytes())), nil
}

// PlainText returns the words of a Markdown document without markup:
// paragraphs and other blocks separated by a blank line, link text without
// its destination, code as written. It is what should be indexed, never
// rendered HTML.
func PlainText(src []byte) string {
	src = bytes.ToValidUTF8(clip(src), []byte("\uFFFD"))
	doc := md.Parser().Parse(text.NewReader(src))
	var b strings.Builder
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if n.Type() == ast.TypeBlock && entering && n.Kind() != ast.KindDocument && !hasBlockChild(n) {
			if b.Len() > 0 {
				b.WriteString("\n\n")
			}
		}
		if !entering {
			return ast.WalkContinue, nil
		}
		switch v := n.(type) {
		case *ast.Text:
			b.Write(v.Value(src))
			switch {
			case v.HardLineBreak():
				b.WriteByte('\n')
			case v.SoftLineBreak():
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(v.Value)
		case *ast.AutoLink:
			b.Write(v.Label(src))
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

// hasBlockChild reports whether a block only contains other blocks (a list,
// a quote), in which case its children supply the separators.
func hasBlockChild(n ast.Node) bool {
	c := n.FirstChild()
	return c != nil && c.Type() == ast.TypeBlock
}

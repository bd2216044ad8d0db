package mirror

import (
	"bytes"
	"io"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// linker turns the site's links in a page into the mirror's.
type linker struct {
	// base is the site's public address ("https://archive.example"),
	// for canonical links.
	base string
	// link is called with every link to a page of the site and the
	// mirror's file for it, so the export writes the pages that are made
	// on demand (ranges, speakers' later pages).
	link func(site, file string)
	// unmapped is called with a link to the site that the mirror has no
	// file for (tests assert it is never called).
	unmapped func(site string)
	// current names a call's current version (fileOf).
	current func(slug string) string
}

// rewriteHTML copies the page src, written to the mirror's file from, to
// dst with every link to the site made relative to from (rooted at "/"
// when absolute is set: the 404 page is served at any address), and head
// written before </head>. Everything else is copied byte for byte.
func (l *linker) rewriteHTML(dst io.Writer, src []byte, from string, absolute bool, head string) error {
	z := html.NewTokenizer(bytes.NewReader(src))
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() == io.EOF {
				return nil
			}
			return z.Err()
		case html.StartTagToken, html.SelfClosingTagToken:
			raw := z.Raw()
			t := z.Token()
			if l.rewriteTag(&t, from, absolute) {
				if _, err := io.WriteString(dst, t.String()); err != nil {
					return err
				}
				continue
			}
			if _, err := dst.Write(raw); err != nil {
				return err
			}
		case html.EndTagToken:
			raw := z.Raw()
			if head != "" && bytes.EqualFold(bytes.TrimSpace(raw), []byte("</head>")) {
				if _, err := io.WriteString(dst, head); err != nil {
					return err
				}
			}
			if _, err := dst.Write(raw); err != nil {
				return err
			}
		default:
			if _, err := dst.Write(z.Raw()); err != nil {
				return err
			}
		}
	}
}

// rewriteTag rewrites the link attributes of t and reports whether any
// changed.
func (l *linker) rewriteTag(t *html.Token, from string, absolute bool) bool {
	changed := false
	canonical := t.Data == "link" && attr(t, "rel") == "canonical"
	for i, a := range t.Attr {
		if a.Namespace != "" || (a.Key != "href" && a.Key != "src" && a.Key != "action") {
			continue
		}
		if canonical {
			if l.base != "" && strings.HasPrefix(a.Val, "/") && !strings.HasPrefix(a.Val, "//") {
				t.Attr[i].Val = l.base + a.Val
				changed = true
			}
			continue
		}
		if v, ok := l.rewriteURL(a.Val, from, absolute); ok {
			t.Attr[i].Val = v
			changed = true
		}
	}
	return changed
}

// rewriteURL returns the mirror's link for a link of the site, and false
// for any other link (another site's, a fragment on the same page).
func (l *linker) rewriteURL(v, from string, absolute bool) (string, bool) {
	if !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") {
		return "", false
	}
	u, err := url.Parse(v)
	if err != nil {
		return "", false
	}
	file, keepQuery, ok := fileOf(u.Path, u.Query(), l.current)
	if !ok {
		if l.unmapped != nil {
			l.unmapped(v)
		}
		return "", false
	}
	if l.link != nil {
		l.link(u.Path+queryOf(u), file)
	}
	out := "/" + escapePath(file)
	if !absolute {
		out = relative(from, file)
		if out == "" {
			out = "./"
		}
	}
	if keepQuery && u.RawQuery != "" {
		out += "?" + u.RawQuery
	}
	if u.Fragment != "" {
		out += "#" + u.EscapedFragment()
	}
	return out, true
}

// queryOf is "?query" or "".
func queryOf(u *url.URL) string {
	if u.RawQuery == "" {
		return ""
	}
	return "?" + u.RawQuery
}

// escapePath escapes each segment of a slash path.
func escapePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		parts[i] = escapeSegment(s)
	}
	return strings.Join(parts, "/")
}

func attr(t *html.Token, key string) string {
	for _, a := range t.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

package web

import (
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"backchannel/internal/transcript"
)

// hostPattern is a Host header that may be used in absolute links: a name
// or an IP literal with an optional port.
var hostPattern = regexp.MustCompile(`^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?$`)

// baseURL is the scheme and host absolute links start with: Config.BaseURL,
// or else the request's own (a Host header that is not a plain host name
// becomes "localhost").
func (s *Server) baseURL(r *http.Request) string {
	if s.base != "" {
		return s.base
	}
	scheme := "http"
	if r.TLS != nil || s.hsts {
		scheme = "https"
	}
	host := r.Host
	if !hostPattern.MatchString(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// citation is one thing (a call, a line, a range) cited three ways.
type citation struct {
	What    string // "this call", "this line", "these lines"
	Open    bool   // shown open (on line pages, which "Cite" links lead to)
	URL     string // absolute permalink
	Plain   string
	Chicago string
	BibTeX  string
}

// longDate writes YYYY-MM-DD as "October 14, 2025"; other text unchanged.
func longDate(d string) string {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		return d
	}
	return t.Format("January 2, 2006")
}

// invertedName writes "Steve Witkoff" as "Witkoff, Steve".
func invertedName(name string) string {
	f := strings.Fields(name)
	if len(f) < 2 {
		return name
	}
	return f[len(f)-1] + ", " + strings.Join(f[:len(f)-1], " ")
}

// chicagoAuthors lists names as Chicago's bibliography does: the first
// inverted, the others not ("Witkoff, Steve, and Yuri Ushakov").
func chicagoAuthors(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return invertedName(names[0])
	case 2:
		return invertedName(names[0]) + ", and " + names[1]
	}
	return invertedName(names[0]) + ", " + strings.Join(names[1:len(names)-1], ", ") + ", and " + names[len(names)-1]
}

var bibtexEscaper = strings.NewReplacer(`\`, `\textbackslash{}`, "{", `\{`, "}", `\}`, "&", `\&`, "%", `\%`,
	"$", `\$`, "#", `\#`, "_", `\_`, "~", `\textasciitilde{}`, "^", `\textasciicircum{}`)

// bibtexKeyChars are the characters kept in a BibTeX key.
var bibtexKeyChars = regexp.MustCompile(`[^A-Za-z0-9:._-]`)

// sourceSentence is "Transcript published by Bloomberg, November 25, 2025."
// or "" when the source is not known.
func sourceSentence(src transcript.Source) string {
	if src.Publisher == "" && src.Published == "" {
		return ""
	}
	s := "Transcript published"
	if src.Publisher != "" {
		s += " by " + src.Publisher
	}
	if src.Published != "" {
		s += ", " + longDate(src.Published)
	}
	return s + "."
}

// excerptNote is what a quote of a line from an excerpt carries:
// "(excerpt; source: Bloomberg, 2025-11-25)", with the call's own source;
// "" for a call that is not an excerpt.
func excerptNote(c *transcript.Call) string {
	if c.Completeness != transcript.Excerpt {
		return ""
	}
	if src := joinNonEmpty(", ", c.Source.Publisher, c.Source.Published); src != "" {
		return "(excerpt; source: " + src + ")"
	}
	return "(excerpt; source not stated)"
}

func completenessNote(c *transcript.Call) string {
	switch c.Completeness {
	case transcript.Excerpt:
		return "Excerpt, not the full call."
	case transcript.Complete:
		return "Complete transcript."
	}
	return ""
}

// citeCall cites a whole call, as version v (nil: no versions kept); base
// is the site's absolute base URL.
func citeCall(base string, c *transcript.Call, v *versionView) citation {
	url := base + citeURL(c.Slug, v)
	var names []string
	for _, p := range c.Participants {
		names = append(names, p.Name)
	}
	title := c.Title
	if title == "" {
		title = c.Slug
	}
	cite := citation{What: "this call", URL: url}
	cite.Plain = joinNonEmpty(" ", title+", "+longDate(c.Date)+".", completenessNote(c), sourceSentence(c.Source),
		"Backchannel, "+url+".", hashNote(c))
	cite.Chicago = joinNonEmpty(" ", withPeriod(chicagoAuthors(names)), "“"+title+".” "+longDate(c.Date)+".",
		completenessNote(c), sourceSentence(c.Source), "Backchannel. "+url+".")
	cite.BibTeX = bibtex("backchannel:"+c.Slug, c, names, title, url, "")
	return cite
}

// citeLines cites line first (to last) of a call as version v (nil: no
// versions kept), quoting it.
func citeLines(base string, c *transcript.Call, v *versionView, first, last int, quote string) citation {
	path := citeURL(c.Slug, v) + "/L" + strconv.Itoa(first)
	which := "line " + strconv.Itoa(first)
	if last > first {
		path += "-L" + strconv.Itoa(last)
		which = "lines " + strconv.Itoa(first) + "–" + strconv.Itoa(last)
	}
	url := base + path
	title := c.Title
	if title == "" {
		title = c.Slug
	}
	// The speakers of the cited lines, in order of appearance.
	var names []string
	seen := map[string]bool{}
	for n := first; n <= last; n++ {
		l, ok := c.Line(n)
		if !ok || l.Kind != transcript.Turn {
			continue
		}
		name := l.Speaker
		if p, ok := c.Participant(l.Speaker); ok && p.Name != "" {
			name = p.Name
		}
		if name != "" && !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	cite := citation{What: "this line", Open: true, URL: url}
	if last > first {
		cite.What = "these lines"
	}
	// A line of an excerpt is cited with "(excerpt; source: ...)" right
	// after it, so that no copy of the citation loses either.
	where, about := "“"+title+",” "+longDate(c.Date)+", "+which+".", []string{completenessNote(c), sourceSentence(c.Source)}
	if note := excerptNote(c); note != "" {
		where, about = "“"+title+",” "+longDate(c.Date)+", "+which+" "+note+".", nil
	}
	cite.Plain = joinNonEmpty(" ", append(append([]string{quote + " — " + where}, about...), url)...)
	cite.Chicago = joinNonEmpty(" ", append(append([]string{withPeriod(chicagoAuthors(names)), where}, about...),
		"Backchannel. "+url+".")...)
	key := "backchannel:" + c.Slug + "-L" + strconv.Itoa(first)
	if last > first {
		key += "-L" + strconv.Itoa(last)
	}
	if note := excerptNote(c); note != "" {
		which += " " + note
	}
	cite.BibTeX = bibtex(key, c, names, title, url, which)
	return cite
}

func withPeriod(s string) string {
	if s == "" || strings.HasSuffix(s, ".") {
		return s
	}
	return s + "."
}

func hashNote(c *transcript.Call) string {
	if c.SHA256 == "" {
		return ""
	}
	return "SHA-256 of the transcript file: " + c.SHA256 + "."
}

// bibtex writes a @misc entry; which is "" for a whole call or "line 3".
func bibtex(key string, c *transcript.Call, names []string, title, url, which string) string {
	esc := bibtexEscaper.Replace
	var b strings.Builder
	b.WriteString("@misc{" + bibtexKeyChars.ReplaceAllString(key, "-") + ",\n")
	field := func(k, v string) {
		if v != "" {
			b.WriteString("  " + k + " = {" + esc(v) + "},\n")
		}
	}
	var authors []string
	for _, n := range names {
		authors = append(authors, "{"+esc(invertedName(n))+"}")
	}
	if len(authors) > 0 {
		b.WriteString("  author = {" + strings.Join(authors, " and ") + "},\n")
	}
	field("title", title)
	field("date", c.Date)
	if len(c.Date) >= 4 {
		field("year", c.Date[:4])
	}
	howPublished := strings.TrimSuffix(sourceSentence(c.Source), ".")
	field("howpublished", howPublished)
	field("url", url)
	field("note", joinNonEmpty("; ", which, strings.TrimSuffix(completenessNote(c), "."), strings.TrimSuffix(hashNote(c), ".")))
	b.WriteString("}")
	return b.String()
}

package transcript

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// slugDateRE finds a date at the start of a file name, as in
// "2024-03-05-keller-brandt".
var slugDateRE = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[-_ .]|$)`)

// fileMeta is what a file says about itself, for a file without a
// sidecar: its title and date (either may be ""), and where in the file
// each was read ("the memorandum's SUBJECT").
type fileMeta struct {
	title, titleFrom string
	date, dateFrom   string
}

// metaFor returns the metadata of a file whose format has no header of its
// own and says nothing about itself: its sidecar's, or else a title and
// date taken from the file name (see metaFrom).
func metaFor(in input) (header, Problems) { return metaFrom(in, fileMeta{}) }

// metaFrom returns the metadata of a file whose format has no header of
// its own: its sidecar's when there is one; otherwise the title and date
// the file gives (fm), the file name standing in for what it does not
// give: the title title-cased from the name, the date from its start. A
// warning says where each came from; a file name without a date, when the
// file gives none, is an error.
func metaFrom(in input, fm fileMeta) (header, Problems) {
	if in.sidecar != nil {
		lines, ps, ok := decodeText(in.sidePath, in.sidecar)
		if !ok {
			return header{Language: "en"}, ps
		}
		h, hps := decodeHeader(in.sidePath, strings.Join(lines, "\n"), 0, 1)
		return h, append(ps, hps...)
	}
	slug := Slug(in.path)
	h := header{Language: "en", Title: fm.title, Date: fm.date}
	titleFrom, dateFrom := fm.titleFrom, fm.dateFrom
	if h.Title == "" {
		h.Title = titleFromSlug(slug)
		titleFrom = fmt.Sprintf("the file name (%q)", h.Title)
	}
	var ps Problems
	if h.Date == "" {
		dateFrom = "the file name"
		m := slugDateRE.FindStringSubmatch(slug)
		switch {
		case m == nil:
			ps = append(ps, Problem{Path: in.path, Severity: Error, Message: fmt.Sprintf(
				"no date: add a sidecar %s.yaml with `date: YYYY-MM-DD`, or start the file name with the date", slug)})
		case !validDate(m[1]):
			ps = append(ps, Problem{Path: in.path, Severity: Error, Message: fmt.Sprintf(
				"file name starts with %q, which is not a date: fix it or add a sidecar %s.yaml with `date: YYYY-MM-DD`", m[1], slug)})
		default:
			h.Date = m[1]
		}
	}
	from := fmt.Sprintf("the title comes from %s and the date from %s", titleFrom, dateFrom)
	switch {
	case titleFrom == dateFrom:
		from = "the title and date come from " + titleFrom
	case fm.title == "" && dateFrom == "the file name":
		from = fmt.Sprintf("the title (%q) and the date come from the file name", h.Title)
	}
	ps = append(Problems{{Path: in.path, Severity: Warning, Message: fmt.Sprintf(
		"no sidecar %s.yaml: %s; add one with title, date, source and participants (see transcripts/README.md)", slug, from)}}, ps...)
	return h, ps
}

// validDate reports whether s is a real date written YYYY-MM-DD.
func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil && dateRE.MatchString(s)
}

// titleFromSlug makes a title from a file name: the date left out, hyphens
// and underscores as spaces, each word capitalised
// ("2024-03-05-keller-brandt" → "Keller Brandt").
func titleFromSlug(slug string) string {
	t := slug
	if m := slugDateRE.FindString(t); m != "" {
		t = t[len(m):]
	}
	words := strings.FieldsFunc(t, func(r rune) bool { return r == '-' || r == '_' || r == ' ' })
	if len(words) == 0 {
		return slug
	}
	for i, w := range words {
		r, n := utf8.DecodeRuneInString(w)
		words[i] = string(unicode.ToTitle(r)) + w[n:]
	}
	return strings.Join(words, " ")
}

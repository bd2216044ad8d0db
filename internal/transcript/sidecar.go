package transcript

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// slugDateRE finds a date at the start of a file name, as in
// "2024-03-05-keller-brandt".
var slugDateRE = regexp.MustCompile(`^([0-9]{4}-[0-9]{2}-[0-9]{2})(?:[-_ .]|$)`)

// metaFor returns the metadata of a file whose format has no header of its
// own: its sidecar's, or else a title and date taken from the file name,
// with a warning (and an error when the name holds no date).
func metaFor(in input) (header, Problems) {
	if in.sidecar != nil {
		lines, ps, ok := decodeText(in.sidePath, in.sidecar)
		if !ok {
			return header{Language: "en"}, ps
		}
		h, hps := decodeHeader(in.sidePath, strings.Join(lines, "\n"), 0, 1)
		return h, append(ps, hps...)
	}
	slug := Slug(in.path)
	h := header{Language: "en", Title: titleFromSlug(slug)}
	ps := Problems{{Path: in.path, Severity: Warning, Message: fmt.Sprintf(
		"no sidecar %s.yaml: title and date come from the file name; add one with title, date, source and participants (see transcripts/README.md)", slug)}}
	m := slugDateRE.FindStringSubmatch(slug)
	if m == nil {
		ps = append(ps, Problem{Path: in.path, Severity: Error, Message: fmt.Sprintf(
			"no date: add a sidecar %s.yaml with `date: YYYY-MM-DD`, or start the file name with the date", slug)})
		return h, ps
	}
	if _, err := time.Parse(time.DateOnly, m[1]); err != nil {
		ps = append(ps, Problem{Path: in.path, Severity: Error, Message: fmt.Sprintf(
			"file name starts with %q, which is not a date: fix it or add a sidecar %s.yaml with `date: YYYY-MM-DD`", m[1], slug)})
		return h, ps
	}
	h.Date = m[1]
	return h, ps
}

// titleFromSlug makes a title from a file name: the date left out, hyphens
// and underscores as spaces ("2024-03-05-keller-brandt" → "keller brandt").
func titleFromSlug(slug string) string {
	t := slug
	if m := slugDateRE.FindString(t); m != "" {
		t = t[len(m):]
	}
	t = strings.Join(strings.FieldsFunc(t, func(r rune) bool { return r == '-' || r == '_' || r == ' ' }), " ")
	if t == "" {
		return slug
	}
	return t
}

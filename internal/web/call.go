package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/transcript"
)

type callPage struct {
	basePage
	Call        callView
	Version     *versionView // the version shown; nil when none are kept
	Self        string       // the call as shown: its version's path for an older one
	Lines       []lineView
	Highlighted []string // words marked from ?hl=
	Notes       headnoteView
	Cite        citation
}

// handleCall serves /calls/{slug}, the downloads /calls/{slug}.txt,
// /calls/{slug}.json and /calls/{slug}.csv, and a version of the call:
// /calls/{slug}@{version} with its .txt and .json.
func (s *Server) handleCall(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	ref := parseCallRef(chi.URLParam(r, "slug"))
	if ref.Ext == "csv" {
		if ref.Version != "" {
			return notFound("A version of a call is downloaded as text or JSON.")
		}
		return s.writeCallCSV(w, r, a, ref.Slug)
	}
	sc, err := s.showCall(a, ref)
	if err != nil {
		return err
	}
	c := sc.Call
	switch ref.Ext {
	case "txt":
		return writeText(w, r, c, s.baseURL(r), sc.Version)
	case "json":
		writeJSON(w, http.StatusOK, s.callJSON(a, sc))
		return nil
	}
	cv, err := newCallView(a, c)
	if err != nil {
		return err
	}
	terms := hlTerms(r.URL.Query().Get("hl"))
	p := callPage{
		basePage: basePage{
			Title:       cv.Title,
			Description: callDescription(a, c),
			Canonical:   callURL(c.Slug),
			OGType:      "article",
			Alternate:   callURL(c.Slug) + ".json",
			Nav:         "calls",
		},
		Call:        cv,
		Version:     sc.Version,
		Self:        callURL(c.Slug),
		Lines:       newLineViews(c, terms),
		Highlighted: terms,
	}
	if v := sc.Version; v != nil && !v.Current {
		p.Title = cv.Title + " (version " + v.Name + ")"
		p.Alternate, p.Self = v.URL+".json", v.URL
	}
	for _, l := range p.Lines {
		p.Call.Gaps = p.Call.Gaps || l.GapBefore || l.GapAfter
	}
	p.CitationMeta = citationMeta(c)
	base := s.baseURL(r)
	p.CitationMeta = append(p.CitationMeta, metaTag{"citation_public_url", base + citeURL(c.Slug, sc.Version)})
	p.Cite = citeCall(base, c, sc.Version)
	// Notes are the editor's on the call as it is now: an older version
	// shows where each of its lines is now instead.
	if sc.Version == nil || sc.Version.Current {
		if ns := s.pageNotes(r, a, c.Slug); ns != nil {
			p.Notes = newHeadnoteView(c, ns)
			for i := range p.Lines {
				annotateLine(&p.Lines[i], c, c.Lines[i], ns, terms, true)
			}
		}
	} else {
		for i := range p.Lines {
			p.Lines[i].Now = sc.nowOf(p.Lines[i].N)
			p.Lines[i].Permalink = sc.Version.URL + "/L" + strconv.Itoa(p.Lines[i].N)
		}
	}
	return s.render(w, r, http.StatusOK, "call.html", &p)
}

// citeURL is the path a citation gives for a call: its version's, when
// versions are kept, so that the words cited stay the words linked.
func citeURL(slug string, v *versionView) string {
	if v == nil {
		return callURL(slug)
	}
	return v.URL
}

func callDescription(a *transcript.Archive, c *transcript.Call) string {
	var names []string
	for _, p := range c.Participants {
		names = append(names, p.Name)
	}
	d := joinNonEmpty(", ", longDate(c.Date), strings.Join(names, ", "))
	n := a.LineCount(c)
	switch c.Completeness {
	case transcript.Excerpt:
		return d + fmt.Sprintf(". %d quoted lines %s, not the full call.", n, excerptNote(c))
	case transcript.Complete:
		return d + fmt.Sprintf(". Complete transcript, %d lines.", n)
	}
	return d + fmt.Sprintf(", %d lines.", n)
}

// citationMeta are the Highwire tags Zotero and Google Scholar read.
func citationMeta(c *transcript.Call) []metaTag {
	m := []metaTag{{"citation_title", c.Title}}
	for _, p := range c.Participants {
		m = append(m, metaTag{"citation_author", p.Name})
	}
	if c.Date != "" {
		m = append(m, metaTag{"citation_date", strings.ReplaceAll(c.Date, "-", "/")})
	}
	if c.Source.Publisher != "" {
		m = append(m, metaTag{"citation_publisher", c.Source.Publisher})
	}
	if c.Source.Published != "" {
		m = append(m, metaTag{"citation_publication_date", strings.ReplaceAll(c.Source.Published, "-", "/")})
	}
	return m
}

// writeText writes a call as plain text: a header, then each line as
// "[n] Speaker: text" with later paragraphs indented, and "[…]" where the
// file marks an omission. Line text is exactly as in the transcript. base
// is the site's absolute base URL, for the permalink, which is the
// version's (v) when versions are kept.
func writeText(w http.ResponseWriter, r *http.Request, c *transcript.Call, base string, v *versionView) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n", c.Title)
	fmt.Fprintf(&b, "Date: %s (%s)\n", longDate(c.Date), c.Date)
	switch c.Completeness {
	case transcript.Excerpt:
		b.WriteString("Completeness: excerpt (not the full call)\n")
	case transcript.Complete:
		b.WriteString("Completeness: complete\n")
	default:
		b.WriteString("Completeness: not stated\n")
	}
	if c.Order == transcript.OrderUnknown {
		b.WriteString("Order: not known (the lines are in the order the source gives them, not necessarily the order spoken)\n")
	}
	if src := joinNonEmpty(", ", c.Source.Publisher, published(c.Source.Published), c.Source.URL); src != "" {
		fmt.Fprintf(&b, "Source: %s\n", src)
	}
	if c.Source.Note != "" {
		fmt.Fprintf(&b, "Provenance: %s\n", oneLine(c.Source.Note))
	}
	if c.SHA256 != "" {
		fmt.Fprintf(&b, "SHA-256 of the transcript file: %s\n", c.SHA256)
	}
	if v != nil {
		fmt.Fprintf(&b, "Version: %s, first indexed %s\n", v.Name, v.FirstLong)
	}
	fmt.Fprintf(&b, "Permalink: %s\n", base+citeURL(c.Slug, v))
	if len(c.Participants) > 0 {
		b.WriteString("Participants:\n")
		for _, p := range c.Participants {
			fmt.Fprintf(&b, "  %s\n", joinNonEmpty(", ", p.Name, p.Role))
		}
	}
	b.WriteString("\n")
	const omission = "[…] (omitted: words of the call not in this transcript)\n\n"
	for _, l := range c.Lines {
		if l.GapBefore {
			b.WriteString(omission)
		}
		prefix := "[" + strconv.Itoa(l.N) + "] "
		if l.Kind == transcript.Turn {
			name := l.Speaker
			if p, ok := c.Participant(l.Speaker); ok {
				name = p.Name
			}
			prefix += name + ": "
		}
		for i, para := range l.Paragraphs() {
			if i == 0 {
				b.WriteString(prefix)
			} else {
				b.WriteString("    ")
			}
			b.WriteString(para)
			b.WriteString("\n\n")
		}
		if l.GapAfter {
			b.WriteString(omission)
		}
	}
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(b.String()))
	}
	return nil
}

func published(d string) string {
	if d == "" {
		return ""
	}
	return "published " + longDate(d) + " (" + d + ")"
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

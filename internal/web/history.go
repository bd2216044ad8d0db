package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"backchannel/internal/history"
	"backchannel/internal/transcript"
)

// historyPage is /calls/{slug}/history: every version of a call, newest
// first, each with what changed from the one before.
type historyPage struct {
	basePage
	Slug     string
	Title    string
	CallURL  string // "" when the call is no longer in the archive
	Versions []historyVersion
}

type historyVersion struct {
	transcript.Version
	FirstIndexed string // YYYY-MM-DD
	FirstLong    string
	When         string // RFC 3339
	URL          string
	Current      bool
	First        bool // the first version: everything was added
	Added        int
	Removed      int
	Changed      int
	Moved        int
	Changes      []historyChange
}

// historyChange is one line of a version's diff from the one before.
type historyChange struct {
	Kind    string // "added", "removed", "changed", "moved"
	N       int    // the line in this version; 0 when removed
	Was     int    // the line in the version before; 0 when added
	Speaker string
	Text    string          // added or removed words
	Pieces  []history.Piece // changed words
	URL     string          // the line in this version
	WasURL  string          // the line in the version before
}

// versionDiff is what version b changed from version a (nil: b is the
// first).
type versionDiff struct {
	added, removed, changed, moved int
	changes                        []historyChange
}

// loadHistory returns the versions of a call, oldest first, each with its
// call (header and lines), and whether the call is in the archive now.
func (s *Server) loadHistory(a *transcript.Archive, slug string) ([]transcript.Version, []*transcript.Call, error) {
	if s.versions == nil || !slugPattern.MatchString(slug) {
		return nil, nil, notFound("There is no call at this address.")
	}
	hist := s.versions.History(a, slug)
	if len(hist) == 0 {
		return nil, nil, notFound("There is no call at this address.")
	}
	calls := make([]*transcript.Call, len(hist))
	for i, v := range hist {
		c, _, err := s.versions.Version(a, slug, v.SHA256)
		if err != nil {
			return nil, nil, err
		}
		calls[i] = c
	}
	return hist, calls, nil
}

// diffVersions is what newer changed from older, two versions of call slug.
func diffVersions(slug string, older, newer *transcript.Call, olderName, newerName string) versionDiff {
	m := history.Map(older.Lines, newer.Lines)
	var d versionDiff
	d.added, d.removed, d.changed, d.moved = m.Counts()
	name := func(c *transcript.Call, id string) string {
		if p, ok := c.Participant(id); ok && p.Name != "" {
			return p.Name
		}
		return id
	}
	lineURL := func(version string, n int) string { return pinnedURL(slug, version) + "/L" + strconv.Itoa(n) }
	// Each change sits where it is in the newer version; a removed line
	// sits after the line that now holds the line before it.
	type placed struct {
		at float64
		c  historyChange
	}
	var all []placed
	after := 0.0
	for i, now := range m.Now {
		ol := older.Lines[i]
		switch {
		case now == nil:
			all = append(all, placed{after + 0.5, historyChange{Kind: "removed", Was: ol.N, Speaker: name(older, ol.Speaker),
				Text: ol.Text, WasURL: lineURL(olderName, ol.N)}})
		case now.Changed:
			nl, _ := newer.Line(now.N)
			all = append(all, placed{float64(now.N), historyChange{Kind: "changed", N: now.N, Was: ol.N, Speaker: name(newer, nl.Speaker),
				Pieces: history.Words(ol.Text, nl.Text), URL: lineURL(newerName, now.N), WasURL: lineURL(olderName, ol.N)}})
			after = float64(now.N)
		case now.Moved:
			nl, _ := newer.Line(now.N)
			all = append(all, placed{float64(now.N), historyChange{Kind: "moved", N: now.N, Was: ol.N, Speaker: name(newer, nl.Speaker),
				Text: nl.Text, URL: lineURL(newerName, now.N), WasURL: lineURL(olderName, ol.N)}})
			after = float64(now.N)
		default:
			after = float64(now.N)
		}
	}
	for _, n := range m.Added {
		nl, _ := newer.Line(n)
		all = append(all, placed{float64(n), historyChange{Kind: "added", N: n, Speaker: name(newer, nl.Speaker), Text: nl.Text,
			URL: lineURL(newerName, n)}})
	}
	slices.SortStableFunc(all, func(x, y placed) int {
		switch {
		case x.at < y.at:
			return -1
		case x.at > y.at:
			return 1
		}
		return 0
	})
	for _, p := range all {
		d.changes = append(d.changes, p.c)
	}
	return d
}

// historyVersions are the versions of a call, newest first, with what
// each changed.
func historyVersions(slug string, hist []transcript.Version, calls []*transcript.Call, current string) []historyVersion {
	out := make([]historyVersion, len(hist))
	for i, v := range hist {
		hv := historyVersion{Version: v, FirstIndexed: v.FirstIndexed.Format(time.DateOnly),
			FirstLong: longDate(v.FirstIndexed.Format(time.DateOnly)), When: v.FirstIndexed.UTC().Format(time.RFC3339),
			URL: pinnedURL(slug, v.Name), Current: v.SHA256 == current, First: i == 0}
		if i == 0 {
			hv.Added = len(calls[0].Lines)
		} else {
			d := diffVersions(slug, calls[i-1], calls[i], hist[i-1].Name, v.Name)
			hv.Added, hv.Removed, hv.Changed, hv.Moved, hv.Changes = d.added, d.removed, d.changed, d.moved, d.changes
		}
		out[len(hist)-1-i] = hv
	}
	return out
}

// callHistory returns the call of the request's {slug}: its title, its
// page ("" when it is no longer in the archive) and its versions, newest
// first, with what each changed.
func (s *Server) callHistory(r *http.Request) (slug, title, page string, versions []historyVersion, err error) {
	a, err := s.archive()
	if err != nil {
		return "", "", "", nil, err
	}
	slug = chi.URLParam(r, "slug")
	hist, calls, err := s.loadHistory(a, slug)
	if err != nil {
		return "", "", "", nil, err
	}
	title, current := calls[len(calls)-1].Title, ""
	if c, ok := a.Call(slug); ok {
		page, title, current = callURL(slug), c.Title, c.SHA256
	}
	if title == "" {
		title = slug
	}
	return slug, title, page, historyVersions(slug, hist, calls, current), nil
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) error {
	slug, title, page, versions, err := s.callHistory(r)
	if err != nil {
		return err
	}
	p := historyPage{Slug: slug, Title: title, CallURL: page, Versions: versions}
	p.basePage = basePage{Title: "History of " + title, Canonical: historyURL(slug), Nav: "calls",
		Description: "Every version of " + title + " that the archive has indexed, with what changed."}
	return s.render(w, r, http.StatusOK, "history.html", &p)
}

// apiVersion is one version in /api/v1/calls/{slug}/versions.
type apiVersion struct {
	Version      string `json:"version"`
	SHA256       string `json:"sha256"`
	FirstIndexed string `json:"first_indexed"` // RFC 3339
	LineCount    int    `json:"line_count"`
	Added        int    `json:"added"`
	Removed      int    `json:"removed"`
	Changed      int    `json:"changed"`
	Moved        int    `json:"moved"`
	URL          string `json:"url"`
	Current      bool   `json:"current"`
}

func (s *Server) handleAPIVersions(w http.ResponseWriter, r *http.Request) error {
	_, _, _, versions, err := s.callHistory(r)
	if err != nil {
		return err
	}
	out := struct {
		Versions []apiVersion `json:"versions"`
	}{Versions: []apiVersion{}}
	for _, v := range versions {
		out.Versions = append(out.Versions, apiVersion{Version: v.Name, SHA256: v.SHA256, FirstIndexed: v.When,
			LineCount: v.Lines, Added: v.Added, Removed: v.Removed, Changed: v.Changed, Moved: v.Moved, URL: v.URL, Current: v.Current})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

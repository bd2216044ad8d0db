package web

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"backchannel/internal/history"
	"backchannel/internal/transcript"
)

// VersionSource gives the versions of the archive's calls (Config.Versions):
// every content of a call's file that was ever indexed, kept so that a link
// to a line of one keeps its words.
type VersionSource interface {
	// History lists the versions of the call with the given slug in the
	// build of archive a, oldest first.
	History(a *transcript.Archive, slug string) []transcript.Version
	// Version returns the call as version name of it holds it, with its
	// lines, and the version. name is a version's name or a unique prefix
	// of it; errors wrap transcript.ErrNoVersion or
	// transcript.ErrAmbiguousVersion when it names none or several.
	Version(a *transcript.Archive, slug, name string) (*transcript.Call, transcript.Version, error)
}

// callRef is what the path segment of /calls/{slug} names: a call, perhaps
// one version of it (slug@8c239426c3f4), perhaps a download of it (.txt,
// .json, .csv).
type callRef struct {
	Slug, Version, Ext string
}

func parseCallRef(p string) callRef {
	var ref callRef
	for _, ext := range []string{".txt", ".json", ".csv"} {
		if strings.HasSuffix(p, ext) {
			ref.Ext, p = ext[1:], strings.TrimSuffix(p, ext)
			break
		}
	}
	ref.Slug = p
	if i := strings.LastIndexByte(p, '@'); i >= 0 {
		ref.Slug, ref.Version = p[:i], p[i+1:]
	}
	return ref
}

// pinnedURL is the address of a call at a version.
func pinnedURL(slug, version string) string { return callURL(slug) + "@" + version }

// historyURL is the address of a call's history.
func historyURL(slug string) string { return callURL(slug) + "/history" }

// versionView is the version of a call a page shows.
type versionView struct {
	Name          string
	SHA256        string
	FirstIndexed  string // YYYY-MM-DD
	FirstLong     string // "November 26, 2025"
	URL           string // the call at this version
	HistoryURL    string
	Current       bool
	CurrentName   string // the current version, when this is an older one
	CurrentURL    string
	CurrentLong   string // when the current version was first indexed
	Versions      int    // how many versions the call has
	Removed       bool   // the call is no longer in the archive
	CurrentCallOK bool
}

func newVersionView(slug string, v transcript.Version, current *transcript.Version, count int) *versionView {
	vv := &versionView{Name: v.Name, SHA256: v.SHA256, FirstIndexed: v.FirstIndexed.Format(time.DateOnly),
		FirstLong: longDate(v.FirstIndexed.Format(time.DateOnly)), URL: pinnedURL(slug, v.Name),
		HistoryURL: historyURL(slug), Versions: count}
	switch {
	case current == nil:
		vv.Removed = true
	case current.SHA256 == v.SHA256:
		vv.Current = true
	default:
		vv.CurrentName, vv.CurrentURL = current.Name, callURL(slug)
		vv.CurrentLong = longDate(current.FirstIndexed.Format(time.DateOnly))
	}
	return vv
}

// shownCall is a call as a page shows it: as it is now, or as one version
// of it was.
type shownCall struct {
	Call *transcript.Call // with its lines
	// Version is the version shown; nil when the library keeps none.
	Version *versionView
	// Now, for an older version, follows its lines into the current one
	// (Current, with its lines); nil when the version shown is current.
	Now     *history.Mapping
	Current *transcript.Call
}

// showCall returns the call ref names, with its lines, as the current
// build has it or, with a version, as that version was.
func (s *Server) showCall(a *transcript.Archive, ref callRef) (*shownCall, error) {
	if ref.Version == "" {
		c, err := findCallLines(a, ref.Slug)
		if err != nil {
			return nil, err
		}
		sc := &shownCall{Call: c}
		if s.versions != nil {
			hist := s.versions.History(a, c.Slug)
			if cur := currentOf(hist, c); cur != nil {
				sc.Version = newVersionView(c.Slug, *cur, cur, len(hist))
			}
		}
		return sc, nil
	}
	if !slugPattern.MatchString(ref.Slug) || s.versions == nil {
		return nil, notFound("There is no call at this address.")
	}
	c, v, err := s.versions.Version(a, ref.Slug, ref.Version)
	switch {
	case errors.Is(err, transcript.ErrNoVersion):
		return nil, &httpError{status: 404, msg: "There is no version “" + ref.Version + "” of this call.",
			link: historyURL(ref.Slug), linkText: "All versions of the call"}
	case errors.Is(err, transcript.ErrAmbiguousVersion):
		return nil, &httpError{status: 404, msg: "Several versions of this call start with “" + ref.Version + "”: give more of its digits.",
			link: historyURL(ref.Slug), linkText: "All versions of the call"}
	case err != nil:
		return nil, fmt.Errorf("version %s of %s: %w", ref.Version, ref.Slug, err)
	}
	hist := s.versions.History(a, ref.Slug)
	sc := &shownCall{Call: c}
	var cur *transcript.Version
	if now, ok := a.Call(ref.Slug); ok {
		cur = currentOf(hist, now)
		if cur != nil && cur.SHA256 != v.SHA256 {
			full, err := withLines(a, now)
			if err != nil {
				return nil, err
			}
			m := history.Map(c.Lines, full.Lines)
			sc.Now, sc.Current = &m, full
		}
	}
	sc.Version = newVersionView(ref.Slug, v, cur, len(hist))
	return sc, nil
}

// currentOf is the version of hist that c (a call of the current build)
// holds, or nil.
func currentOf(hist []transcript.Version, c *transcript.Call) *transcript.Version {
	for i := range hist {
		if hist[i].SHA256 == c.SHA256 {
			return &hist[i]
		}
	}
	return nil
}

// nowView says where a line of an older version is in the current one.
type nowView struct {
	Text    string // "now L57", "changed in a later version: now L57", "removed in a later version"
	URL     string // the line now, "" when removed
	Changed []history.Piece
}

// nowOf is where line n of the older version sc shows is now, or nil when
// sc shows the current version.
func (sc *shownCall) nowOf(n int) *nowView {
	if sc.Now == nil || n < 1 || n > len(sc.Now.Now) {
		return nil
	}
	now := sc.Now.Now[n-1]
	if now == nil {
		return &nowView{Text: "removed in a later version"}
	}
	v := &nowView{Text: "now L" + strconv.Itoa(now.N), URL: callURL(sc.Call.Slug) + "/L" + strconv.Itoa(now.N)}
	if now.Changed {
		v.Text = "changed in a later version: now L" + strconv.Itoa(now.N)
		old, _ := sc.Call.Line(n)
		if cur, ok := sc.Current.Line(now.N); ok {
			v.Changed = history.Words(old.Text, cur.Text)
		}
	}
	return v
}

package web

import (
	"mime"
	"net/http"
	"strconv"
	"strings"

	"backchannel/internal/csvout"
	"backchannel/internal/transcript"
)

// CSV downloads: every list of the API as a spreadsheet, written by package
// csvout (RFC 4180, UTF-8, a header row, formula-like cells made inert).
// Links in CSV cells are absolute (baseURL), since a spreadsheet has no
// page to resolve a path against. Errors are answered as JSON
// {"error": ...} with their status, as for the API (isAPI).

// csvContentType says RFC 4180 text with a header row (RFC 4180 section 3).
const csvContentType = "text/csv; charset=utf-8; header=present"

// startCSV sets the headers of a CSV download named filename and returns
// the writer for its body (nil for HEAD: no body is written).
func startCSV(w http.ResponseWriter, r *http.Request, filename string) *csvout.Writer {
	h := w.Header()
	h.Set("Content-Type", csvContentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": filename}))
	w.WriteHeader(http.StatusOK)
	if r.Method == http.MethodHead {
		return nil
	}
	return csvout.NewWriter(w)
}

// writeCSV answers a whole CSV table at once: header, then rows.
func writeCSV(w http.ResponseWriter, r *http.Request, filename string, header []string, rows [][]string) error {
	cw := startCSV(w, r, filename)
	if cw == nil {
		return nil
	}
	_ = cw.Write(header) // a write error means the client went away: nothing to answer
	for _, row := range rows {
		if cw.Write(row) != nil {
			return nil
		}
	}
	_ = cw.Flush()
	return nil
}

// seconds formats a time in seconds for a CSV cell; "" when unknown.
func seconds(t float64) string {
	if t < 0 {
		return ""
	}
	return strconv.FormatFloat(t, 'f', -1, 64)
}

// fileName makes a download's file name from words: lower-case ASCII
// letters and digits joined by hyphens, at most 60 bytes; def when nothing
// is left.
func fileName(def, words string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(words) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		default:
			dash = true
		}
		if b.Len() >= 60 {
			break
		}
	}
	if b.Len() == 0 {
		return def
	}
	return b.String()
}

// callsCSVHeader are the columns of /api/v1/calls.csv.
var callsCSVHeader = []string{"slug", "title", "date", "completeness", "participants", "line_count",
	"publisher", "source_url", "published", "url"}

// handleCallsCSV serves /api/v1/calls.csv: one row per call, its
// participants' names joined by "; ".
func (s *Server) handleCallsCSV(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	rows := make([][]string, 0, len(a.Calls))
	for _, c := range a.Calls {
		var names []string
		for _, p := range c.Participants {
			names = append(names, p.Name)
		}
		rows = append(rows, []string{c.Slug, c.Title, c.Date, string(c.Completeness), strings.Join(names, "; "),
			strconv.Itoa(a.LineCount(c)), c.Source.Publisher, c.Source.URL, c.Source.Published, base + callURL(c.Slug)})
	}
	return writeCSV(w, r, "backchannel-calls.csv", callsCSVHeader, rows)
}

// callCSVHeader are the columns of /calls/{slug}.csv.
var callCSVHeader = []string{"n", "speaker_id", "speaker_name", "kind", "text", "time"}

// writeCallCSV serves /calls/{slug}.csv: one row per line.
func (s *Server) writeCallCSV(w http.ResponseWriter, r *http.Request, a *transcript.Archive, slug string) error {
	c, err := findCallLines(a, slug)
	if err != nil {
		return err
	}
	rows := make([][]string, 0, len(c.Lines))
	for _, l := range c.Lines {
		id, name := "", ""
		if l.Kind == transcript.Turn {
			id, name = l.Speaker, l.Speaker
			if p, ok := c.Participant(l.Speaker); ok && p.Name != "" {
				name = p.Name
			}
		}
		rows = append(rows, []string{strconv.Itoa(l.N), id, name, string(l.Kind), l.Text, seconds(l.Time)})
	}
	return writeCSV(w, r, c.Slug+".csv", callCSVHeader, rows)
}

// speakersCSVHeader are the columns of /api/v1/speakers.csv.
var speakersCSVHeader = []string{"id", "name", "roles", "aliases", "calls", "lines", "url"}

// handleSpeakersCSV serves /api/v1/speakers.csv, the rows of
// /api/v1/speakers with roles and aliases joined by "; ".
func (s *Server) handleSpeakersCSV(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	base := s.baseURL(r)
	list := newAPISpeakers(a)
	rows := make([][]string, 0, len(list))
	for _, sp := range list {
		rows = append(rows, []string{sp.ID, sp.Name, strings.Join(sp.Roles, "; "), strings.Join(sp.Aliases, "; "),
			strconv.Itoa(sp.Calls), strconv.Itoa(sp.Lines), base + sp.URL})
	}
	return writeCSV(w, r, "backchannel-speakers.csv", speakersCSVHeader, rows)
}

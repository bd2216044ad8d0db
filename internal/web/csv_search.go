package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// maxCSVHits is the most hits /api/v1/search.csv writes: every hit of the
// query up to this many, read from the index a page of index.MaxSize at a
// time, never more than one page in memory. It is the index's own paging
// limit (index.MaxFrom): the deepest hits a search can reach.
const maxCSVHits = index.MaxFrom

// searchCSVHeader are the columns of /api/v1/search.csv.
var searchCSVHeader = []string{"call", "call_title", "date", "line", "speaker_id", "speaker_name", "text", "url", "permalink"}

// handleSearchCSV serves /api/v1/search.csv: the same parameters as
// /api/v1/search, but every hit in order (page and size are checked, then
// ignored), up to maxCSVHits. X-Total-Count says how many hits the query
// has, and X-Truncated whether the file stops at the cap. Searches run
// under the search limiter one page at a time, each with the search
// deadline, so a long export does not hold a slot from other searches.
func (s *Server) handleSearchCSV(w http.ResponseWriter, r *http.Request) error {
	a, err := s.archive()
	if err != nil {
		return err
	}
	p, err := parseSearch(r, true)
	if err != nil {
		return err
	}
	if p.empty() {
		return badRequest("q is empty: give words to search for, or a filter (speaker, call, after, before).")
	}
	q := p.query()
	q.Page, q.Size = 1, index.MaxSize
	res := &index.Result{}
	if _, notesOnly := annotate.NotesOnly(q.Text); !notesOnly {
		if res, err = s.limitedSearch(r.Context(), a, q); err != nil {
			if errors.Is(err, errSearchBusy) {
				w.Header().Set("Retry-After", strconv.Itoa(busyRetryAfter))
			}
			return err
		}
	}
	h := w.Header()
	h.Set("X-Total-Count", strconv.FormatUint(res.Total, 10))
	h.Set("X-Truncated", strconv.FormatBool(res.Total > maxCSVHits))
	cw := startCSV(w, r, fileName("backchannel-search", "search "+p.Q)+".csv")
	if cw == nil {
		return nil
	}
	_ = cw.Write(searchCSVHeader)

	base := s.baseURL(r)
	titles := make(map[string]string, len(a.Calls))
	dates := make(map[string]string, len(a.Calls))
	for _, c := range a.Calls {
		titles[c.Slug], dates[c.Slug] = c.Title, c.Date
	}
	names := speakerNames(a)
	written := 0
	for {
		for _, hit := range res.Hits {
			if written == maxCSVHits {
				break
			}
			title, date := titles[hit.Call], dates[hit.Call]
			if title == "" {
				title = hit.Call
			}
			if date == "" {
				date = hit.Date
			}
			name := ""
			if hit.Speaker != "" {
				if name = names[hit.Speaker]; name == "" {
					name = hit.Speaker
				}
			}
			if err := cw.Write([]string{hit.Call, title, date, strconv.Itoa(hit.Line), hit.Speaker, name, hit.Text,
				base + lineURL(hit.Call, hit.Line), base + linePermalink(hit.Call, hit.Line)}); err != nil {
				return nil // the client went away
			}
			written++
		}
		if written >= maxCSVHits || len(res.Hits) < q.Size || uint64(q.Page*q.Size) >= res.Total {
			break
		}
		if cw.Flush() != nil {
			return nil
		}
		q.Page++
		if res, err = s.limitedSearch(r.Context(), a, q); err != nil {
			if r.Context().Err() == nil {
				s.logger.WarnContext(r.Context(), "search CSV cut short", "rows", written, "err", err)
			}
			// The status is sent: breaking the connection is the only way
			// left to tell the client the file is incomplete.
			panic(http.ErrAbortHandler)
		}
	}
	_ = cw.Flush()
	return nil
}

// limitedSearch runs one search under the search limiter and deadline,
// as limitSearch does for a whole request.
func (s *Server) limitedSearch(ctx context.Context, a *transcript.Archive, q index.Query) (*index.Result, error) {
	release, err := s.searches.acquire(ctx)
	if err != nil {
		if errors.Is(err, errSearchBusy) {
			s.metrics.searchRefused("busy")
		}
		return nil, err
	}
	defer release()
	ctx, cancel := context.WithTimeout(ctx, s.searches.limits.Timeout)
	defer cancel()
	res, err := s.lib.Search(ctx, a, q)
	if errors.Is(err, context.DeadlineExceeded) {
		s.metrics.searchRefused("timeout")
	}
	return res, err
}

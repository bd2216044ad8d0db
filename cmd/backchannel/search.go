package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"strings"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/library"
	"backchannel/internal/web"
)

func runSearch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("search", "[--data DIR] [--speaker S] [--json] QUERY...",
		"Searches the existing index from the terminal, in the same query language as\n"+
			"the web search (see /search/help). Prints each hit with its link; --json\n"+
			"prints exactly what /api/v1/search returns.", stderr)
	var dirs dirFlags
	dirs.register(fs, true)
	var q index.Query
	fs.StringVar(&q.Speaker, "speaker", "", "only lines by this speaker (id, label, full name or surname)")
	fs.StringVar(&q.Call, "call", "", "only lines of this call (slug)")
	fs.StringVar(&q.After, "after", "", "only calls on or after this date (YYYY-MM-DD)")
	fs.StringVar(&q.Before, "before", "", "only calls on or before this date (YYYY-MM-DD)")
	fs.StringVar(&q.Sort, "sort", "", "relevance (default) or date")
	fs.IntVar(&q.Page, "page", 1, "page of results")
	fs.IntVar(&q.Size, "size", index.DefaultSize, "hits per page (at most 100)")
	asJSON := fs.Bool("json", false, "print the JSON that /api/v1/search returns")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	q.Text = strings.Join(fs.Args(), " ")
	if strings.TrimSpace(q.Text) == "" && q.Speaker == "" && q.Call == "" {
		return usageError("search needs a query or a filter")
	}
	// Everything comes from the data folder's current build: names,
	// titles and dates from its catalog, notes and hits from it. The
	// transcripts folder is only looked at to say when the build is
	// behind it.
	b, err := library.OpenCurrent(dirs.data)
	if errors.Is(err, library.ErrNoBuild) {
		return fmt.Errorf("search: no build in %s: run 'backchannel ingest' first", dirs.data)
	}
	if err != nil {
		return fmt.Errorf("search: %w", err)
	}
	defer b.Close()
	if behind := b.Behind(dirs.transcripts); behind != nil {
		fmt.Fprintf(stderr, "note: %v; run 'backchannel ingest' to update the build in %s\n", behind, dirs.data)
	}
	a := b.Archive
	noteHits, notesOnly := web.SearchNotes(a, func(slug string) *annotate.Notes { return b.Notes[slug] }, q)
	res := &index.Result{}
	if !notesOnly {
		if res, err = b.Index.Search(ctx, q); err != nil {
			return fmt.Errorf("search: %w", err)
		}
	}
	out := web.SearchResponse(a, q, res)
	out.Notes = noteHits
	for i, h := range out.Hits {
		if c, ok := a.Call(h.Call); ok {
			if v, ok := b.CurrentVersion(c); ok {
				out.Hits[i].Version = v.Name
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	return printHits(stdout, out, res.Hits)
}

// printHits prints a search result for a terminal: a count, how the query
// was read, then each hit as "speaker, call (date) L{n}", its text with the
// matched words in [brackets], and its link. hits are the index's hits of
// res, one for each of res.Hits, whose fragments are printed.
func printHits(w io.Writer, res web.SearchJSON, hits []index.Hit) error {
	fmt.Fprintf(w, "%s for %s", plural(int(res.Total), "hit"), res.Query)
	if res.Fallback {
		fmt.Fprint(w, " (not every word matched: showing lines with some of them)")
	}
	fmt.Fprintln(w)
	for i, h := range res.Hits {
		who := "(stage direction)"
		if h.Speaker != nil {
			who = h.Speaker.Name
		}
		text := h.Text
		if i < len(hits) && len(hits[i].Fragments) > 0 {
			parts := make([]string, len(hits[i].Fragments))
			for j, f := range hits[i].Fragments {
				parts[j] = fragmentText(f)
			}
			text = strings.Join(parts, " … ")
		}
		fmt.Fprintf(w, "\n%s, %s (%s) L%d\n  %s\n  %s\n", who, h.Call, h.Date, h.Line, text, h.URL)
	}
	if len(res.Notes) > 0 {
		fmt.Fprintf(w, "\n%s matching the query\n", plural(len(res.Notes), "editorial note"))
	}
	for _, n := range res.Notes {
		what := "headnote"
		if n.First != nil {
			what = fmt.Sprintf("note %d on L%d", n.N, *n.First)
			if *n.Last > *n.First {
				what += fmt.Sprintf("-L%d", *n.Last)
			}
		}
		fmt.Fprintf(w, "\n%s, %s\n  %s\n  %s\n", n.Call, what, noteFragmentText(strings.Join(n.Fragments, " … ")), n.URL)
	}
	return nil
}

// fragmentText is a fragment as plain text with the matched words in
// [brackets]; marks that touch are one bracket, and bytes that are not
// UTF-8 are U+FFFD, as on the web page.
func fragmentText(f index.Fragment) string {
	var b strings.Builder
	cur, open := 0, false
	for _, m := range f.Marks {
		if m.Start < cur || m.Start >= m.End || m.End > len(f.Text) {
			continue
		}
		if m.Start > cur || !open {
			if open {
				b.WriteByte(']')
			}
			b.WriteString(strings.ToValidUTF8(f.Text[cur:m.Start], "\uFFFD"))
			b.WriteByte('[')
		}
		b.WriteString(strings.ToValidUTF8(f.Text[m.Start:m.End], "\uFFFD"))
		cur, open = m.End, true
	}
	if open {
		b.WriteByte(']')
	}
	b.WriteString(strings.ToValidUTF8(f.Text[cur:], "\uFFFD"))
	return b.String()
}

// noteFragmentText turns a note's fragment as the API writes it (escaped
// HTML with <mark>) into plain text with the matched words in [brackets].
func noteFragmentText(s string) string {
	s = strings.NewReplacer("<mark>", "[", "</mark>", "]").Replace(s)
	return html.UnescapeString(s)
}

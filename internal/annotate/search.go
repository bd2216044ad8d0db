package annotate

import (
	"regexp"
	"strings"
	"unicode"

	"backchannel/internal/fold"
	"backchannel/internal/query"
)

// notesScopeRE finds the in:notes filter as a word of its own.
var notesScopeRE = regexp.MustCompile(`(?i)(^|\s)in:notes(\s|$)`)

// NotesOnly removes the in:notes filter from a query's text and reports
// whether it was there: such a search looks in notes only.
func NotesOnly(q string) (rest string, only bool) {
	if !notesScopeRE.MatchString(q) {
		return q, false
	}
	for notesScopeRE.MatchString(q) {
		q = notesScopeRE.ReplaceAllString(q, " ")
	}
	return strings.Join(strings.Fields(q), " "), true
}

// Hit is a note (or a headnote, when Note is nil) that matches a search.
type Hit struct {
	Notes *Notes
	Note  *Note  // nil for the headnote
	Text  string // the plain text searched
	Terms []string
}

// Date is the date of the call, for the After/Before filters; the caller
// supplies it because notes do not know their call's date.
type Date func(slug string) string

// Search returns the notes and headnotes that match q, in archive order
// (the order of all), then file order, at most limit. Words and prefixes
// match whole words, ignoring case and the kind of apostrophe;
// a word also matches its plural and -ed/-ing forms. Phrases match words in
// sequence. A query with a speaker: or marking: filter matches no notes
// (notes have neither); call:, after: and before: narrow as for lines.
func Search(all []*Notes, q query.Query, date Date, limit int) []Hit {
	if len(q.Positive()) == 0 || len(q.Speakers) > 0 || len(q.Markings) > 0 {
		return nil
	}
	var hits []Hit
	for _, ns := range all {
		if ns == nil || !inCalls(ns.Slug, q.Calls) {
			continue
		}
		if q.After != "" || q.Before != "" {
			d := ""
			if date != nil {
				d = date(ns.Slug)
			}
			if d == "" || (q.After != "" && d < q.After) || (q.Before != "" && d > q.Before) {
				continue
			}
		}
		try := func(n *Note, text string) {
			if terms, ok := match(tokens(text), q); ok {
				hits = append(hits, Hit{Notes: ns, Note: n, Text: text, Terms: terms})
			}
		}
		if ns.Headnote != "" {
			try(nil, ns.HeadnoteText)
		}
		for _, n := range ns.Notes {
			try(n, n.Text)
		}
		if limit > 0 && len(hits) >= limit {
			return hits[:limit]
		}
	}
	return hits
}

func inCalls(slug string, calls []string) bool {
	if len(calls) == 0 {
		return true
	}
	for _, c := range calls {
		if strings.EqualFold(c, slug) {
			return true
		}
	}
	return false
}

// token is a folded word of a text with the original spelling.
type token struct{ folded, orig string }

// tokens splits text into words: letters, digits and marks, with an
// apostrophe kept inside a word.
func tokens(text string) []token {
	var out []token
	rs := []rune(text)
	for i := 0; i < len(rs); {
		if !isWord(rs[i]) {
			i++
			continue
		}
		j := i
		for j < len(rs) && (isWord(rs[j]) || (fold.IsApostrophe(rs[j]) && j+1 < len(rs) && isWord(rs[j+1]) && j > i)) {
			j++
		}
		w := string(rs[i:j])
		out = append(out, token{folded: foldWord(w), orig: w})
		i = j
	}
	return out
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// foldWord lower-cases s and makes every apostrophe ASCII (package fold).
func foldWord(s string) string {
	var b strings.Builder
	for _, r := range s {
		if fold.IsApostrophe(r) {
			b.WriteByte('\'')
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// wordMatches reports whether a folded text word matches a folded query word.
func wordMatches(w, q string) bool {
	if w == q {
		return true
	}
	if !strings.HasPrefix(w, q) || len(q) < 3 {
		return false
	}
	switch w[len(q):] {
	case "s", "es", "'s", "ed", "d", "ing":
		return true
	}
	return false
}

// match evaluates q's clauses on a text's words and returns the words to
// highlight.
func match(ws []token, q query.Query) ([]string, bool) {
	var marked []string
	for _, c := range q.Clauses {
		matched := false
		for _, t := range c.Terms {
			if found := termMatches(ws, t); len(found) > 0 {
				matched = true
				if !c.Negate {
					marked = append(marked, found...)
				}
			}
		}
		if matched == c.Negate {
			return nil, false
		}
	}
	return marked, true
}

// termMatches returns the original words that match t (empty: no match).
func termMatches(ws []token, t query.Term) []string {
	qs := tokens(t.Text)
	if len(qs) == 0 {
		return nil
	}
	var found []string
	switch {
	case t.Kind == query.Prefix && len(qs) == 1:
		for _, w := range ws {
			if strings.HasPrefix(w.folded, qs[0].folded) {
				found = append(found, w.orig)
			}
		}
	default: // a word, or a phrase (a word typed with an apostrophe may be several tokens)
		for i := 0; i+len(qs) <= len(ws); i++ {
			ok := true
			for j := range qs {
				if !wordMatches(ws[i+j].folded, qs[j].folded) {
					ok = false
					break
				}
			}
			if ok {
				for j := range qs {
					found = append(found, ws[i+j].orig)
				}
			}
		}
	}
	return found
}

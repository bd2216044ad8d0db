package index

import (
	"unicode/utf8"

	index "github.com/blevesearch/bleve_index_api"

	"backchannel/internal/query"
)

// Suggestions: when no line has every word, each unknown free word is
// replaced by the most frequent indexed word within a small edit
// distance, and the corrected query is the fallback ladder's second step
// (search.go).

const maxFuzzyScan = 2000 // dictionary entries read for one suggestion

// suggest proposes the query with each unknown free word replaced by the
// most frequent indexed word within a small edit distance. It returns nil
// when there is nothing to suggest.
func (x *Index) suggest(pq query.Query) []string {
	adv, err := x.idx.Advanced()
	if err != nil {
		return nil
	}
	rd, err := adv.Reader()
	if err != nil {
		return nil
	}
	defer rd.Close()
	fz, ok := rd.(index.IndexReaderFuzzy)
	if !ok {
		return nil
	}
	changed := false
	out := pq
	out.Clauses = make([]query.Clause, len(pq.Clauses))
	for i, c := range pq.Clauses {
		out.Clauses[i] = query.Clause{Negate: c.Negate, Terms: append([]query.Term(nil), c.Terms...)}
		if c.Negate {
			continue
		}
		for j, t := range c.Terms {
			if t.Kind != query.Word {
				continue
			}
			toks := x.tokens(t.Text)
			if len(toks) != 1 {
				continue
			}
			if s := closest(fz, toks[0].exact); s != "" {
				out.Clauses[i].Terms[j].Text = s
				changed = true
			}
		}
	}
	if !changed {
		return nil
	}
	return []string{out.String()}
}

// closest returns the most frequent indexed word within edit distance of
// w, or "" when w itself is indexed or nothing is close.
func closest(fz index.IndexReaderFuzzy, w string) string {
	n := utf8.RuneCountInString(w)
	if n < 3 || n > maxFuzzyRunes {
		return ""
	}
	f := max(fuzziness(w), 1)
	dict, err := fz.FieldDictFuzzy(fieldText, w, f, "")
	if err != nil {
		return ""
	}
	defer dict.Close()
	best, bestDist, bestCount := "", 255, uint64(0)
	for i := 0; i < maxFuzzyScan; i++ {
		e, err := dict.Next()
		if err != nil || e == nil {
			break
		}
		if e.Term == w {
			return ""
		}
		if !isWordTerm(e.Term) {
			continue
		}
		d := int(e.EditDistance)
		if d < bestDist || (d == bestDist && e.Count > bestCount) {
			best, bestDist, bestCount = e.Term, d, e.Count
		}
	}
	return best
}

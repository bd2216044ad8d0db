package index

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestQuoteMarks: the quote rung's ranking, with its clauses marked and
// counted by the ranking phase, keeps the same lines with the same scores
// as Bleve's disjunction with a minimum of clauses: same total, same
// page, same facet counts. The pastes are spans of the synthetic lines
// with a word replaced by one that no line has, or a word added, so that
// no line has every word; some have more clauses than Bleve's disjunction
// takes as a slice.
func TestQuoteMarks(t *testing.T) {
	a := synthArchive(6000)
	x, _ := buildOpen(t, a)
	ctx := context.Background()
	tried := 0
	for ci, c := range a.Calls {
		for li, l := range c.Lines {
			if (ci+li)%7 != 0 || tried >= 80 {
				continue
			}
			words := strings.Fields(l.Text)
			if len(words) < 8 {
				continue
			}
			span := words[1:8]
			pastes := []string{
				strings.Join(span[:3], " ") + " zzqx " + strings.Join(span[4:], " "),
				strings.Join(span[:2], " ") + " the " + strings.Join(span[2:], " ") + " inaudible",
			}
			if len(words) >= 14 {
				// More clauses than Bleve's disjunction takes as a slice.
				pastes = append(pastes, strings.Join(words[:6], " ")+" zzqx "+strings.Join(words[7:14], " "))
			}
			for _, q := range pastes {
				r, err := validate(Query{Text: q, Size: 20})
				if err != nil {
					t.Fatal(err)
				}
				p := x.plan(r)
				if p.quote == nil {
					continue
				}
				tried++
				marked, err := x.run(ctx, r, p, quoteForm)
				if err != nil {
					t.Fatal(err)
				}
				bleve, err := x.rank(ctx, rankRequest{q: p.query(r, quoteForm, allFilters), order: r.order, size: r.size, count: countAll, words: p.order})
				if err != nil {
					t.Fatal(err)
				}
				// Over 10 clauses Bleve's disjunction is a heap, which sums
				// the clauses' scores in another order: the last bits may
				// differ.
				if diff := cmp.Diff(bleve, marked, cmp.AllowUnexported(ranking{}), cmpopts.EquateApprox(1e-12, 0)); diff != "" {
					t.Errorf("%q: marked quote ranking differs from Bleve's minimum (-bleve +marked):\n%s", q, diff)
				}
			}
		}
	}
	if tried < 40 {
		t.Fatalf("%d pastes took the quote rung, want at least 40", tried)
	}

	// The strict ranking with positions, whose words' inflections are
	// searched as lazy disjunctions: the same as Bleve's disjunctions.
	tried = 0
	for ci, c := range a.Calls {
		for li, l := range c.Lines {
			if (ci+li)%5 != 0 || tried >= 80 {
				continue
			}
			words := strings.Fields(l.Text)
			if len(words) < 6 {
				continue
			}
			for _, q := range []string{strings.Join(words[:6], " "), strings.Join(words[len(words)-3:], " ")} {
				r, err := validate(Query{Text: q, Size: 20})
				if err != nil {
					t.Fatal(err)
				}
				p := x.plan(r)
				if p.order == nil {
					continue
				}
				tried++
				lazy, err := x.run(ctx, r, p, strictForm)
				if err != nil {
					t.Fatal(err)
				}
				bleve, err := x.rank(ctx, rankRequest{q: p.query(r, strictForm, allFilters), order: r.order, size: r.size, count: countAll, words: p.order, checks: p.checks})
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(bleve, lazy, cmp.AllowUnexported(ranking{})); diff != "" {
					t.Errorf("%q: strict ranking with lazy disjunctions differs from Bleve's (-bleve +lazy):\n%s", q, diff)
				}
			}
		}
	}
	if tried < 40 {
		t.Fatalf("%d pastes took the strict ranking with positions, want at least 40", tried)
	}
}

// TestQuotePairs: a pasted quote of only common words with one word the
// archive lacks is too common for the quote rung's rarest words; it is
// searched by its rarest word pairs before the any-word rung, and finds
// its line first.
func TestQuotePairs(t *testing.T) {
	a := synthArchive(6000)
	x, _ := buildOpen(t, a)
	ctx := context.Background()
	tried, first := 0, 0
	for _, c := range a.Calls {
		for li, l := range c.Lines {
			words := strings.Fields(l.Text)
			if len(words) < 8 || tried >= 40 {
				continue
			}
			span := words[:8]
			common := true
			for _, w := range span {
				toks := x.tokens(w)
				common = common && len(toks) == 1 && x.pairWords[toks[0].exact]
			}
			if !common {
				continue
			}
			paste := strings.Join(span[:4], " ") + " qzxv " + strings.Join(span[5:], " ")
			r, err := validate(Query{Text: paste, Size: 20})
			if err != nil {
				t.Fatal(err)
			}
			f, err := x.find(ctx, r)
			if err != nil {
				t.Fatal(err)
			}
			if f.p.pairs == nil || f.form != quoteForm {
				continue
			}
			tried++
			res := mustSearch(t, x, Query{Text: paste, Size: 20})
			if len(res.Hits) > 0 && res.Hits[0].Call == c.Slug && res.Hits[0].Line == l.N {
				first++
			} else if len(res.Hits) > 0 {
				t.Logf("%q (%s#%d): first %s#%d", paste, c.Slug, l.N, res.Hits[0].Call, res.Hits[0].Line)
			}
			_ = li
		}
	}
	if tried < 5 {
		t.Fatalf("%d pastes of common words took the word-pair rung, want 5", tried)
	}
	t.Logf("%d of %d first", first, tried)
	if first*10 < tried*8 {
		t.Errorf("%d of %d pastes found their line first, want 80%%", first, tried)
	}
}

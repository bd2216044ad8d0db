package index

import (
	"context"
	"strings"
	"testing"

	"backchannel/internal/transcript"

	"github.com/google/go-cmp/cmp"
)

// TestLineTokens: a ranking that reads its words' places from the line
// tokens (tokens.go), searched in parts at once and in two passes
// (replica.go), keeps the same lines
// with the same scores, total and facet counts as one that reads them
// from Bleve's positions in one part: for strict pastes, for the quote
// rung, and after an incremental build (whose documents lie in several
// segments).
func TestLineTokens(t *testing.T) {
	a := synthArchive(6000)
	dir := t.TempDir()
	mustBuild(t, dir, a, BuildOptions{})
	check := func(name string) {
		x, err := testOpen(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer x.Close()
		if x.toks == nil {
			t.Fatalf("%s: the build kept no line tokens", name)
		}
		strict, quote, replicas := 0, 0, 0
		for ci, c := range a.Calls {
			for li, l := range c.Lines {
				words := strings.Fields(l.Text)
				if (ci+li)%5 != 0 || len(words) < 8 || strict >= 60 && quote >= 60 {
					continue
				}
				for _, q := range []string{
					strings.Join(words[:6], " "),
					strings.Join(words[2:5], " ") + "… " + strings.Join(words[6:8], " "),
					strings.Join(words[1:4], " ") + " zzqx " + strings.Join(words[4:8], " "),
					strings.Join(words[:2], " ") + " the " + strings.Join(words[2:7], " ") + " inaudible",
				} {
					r, err := validate(Query{Text: q, Size: 20})
					if err != nil {
						t.Fatal(err)
					}
					p := x.plan(r)
					for _, f := range []form{strictForm, quoteForm} {
						if f == strictForm && p.order == nil || f == quoteForm && p.quote == nil {
							continue
						}
						toks := x.toks
						x.toks, x.parts = nil, 1
						want, err := x.run(context.Background(), r, p, f)
						x.toks, x.parts = toks, 3
						if err != nil {
							t.Fatal(err)
						}
						got, err := x.run(context.Background(), r, p, f)
						if err != nil {
							t.Fatal(err)
						}
						if want.Total == 0 {
							continue
						}
						if x.newReplica(p.query(r, f, allFilters), p.order) != nil {
							replicas++
						}
						if f == strictForm {
							strict++
						} else {
							quote++
						}
						if diff := cmp.Diff(want, got, cmp.AllowUnexported(ranking{})); diff != "" {
							t.Errorf("%s: %q (form %d): ranking from line tokens in parts differs (-positions +tokens):\n%s", name, q, f, diff)
						}
					}
				}
			}
		}
		if strict < 40 || quote < 40 {
			t.Fatalf("%s: %d strict and %d quote rankings compared, want 40 of each", name, strict, quote)
		}
		// The two-pass ranking (replica.go) took most of them, and never
		// had to fall back.
		if replicas < (strict+quote)*3/4 {
			t.Errorf("%s: %d of %d rankings in two passes, want most", name, replicas, strict+quote)
		}
		if n := x.replicaMisses.Load(); n > 0 {
			t.Errorf("%s: %d rankings in two passes disagreed with Bleve and were run the usual way", name, n)
		}
	}
	check("full build")

	// A replica that disagrees with Bleve (one term's idf off by a
	// hundredth) is caught by the second pass: the search is ranked the
	// usual way, with the same outcome, and counted.
	x, err := testOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	// Three words that many lines have (two of the commonest and a rarer
	// one, so that the word order is read from the tokens), so that the
	// second pass scores more than one line.
	vocab := synthVocab(40000)
	var r *request
	var p *plan
	var rp *replica
	for k := 300; k < 3000 && rp == nil; k += 13 {
		r, err = validate(Query{Text: vocab[0] + " " + vocab[1] + " " + vocab[k], Size: 20})
		if err != nil {
			t.Fatal(err)
		}
		p = x.plan(r)
		if rp = x.newReplica(p.query(r, strictForm, allFilters), p.order); rp == nil {
			continue
		}
		if rk, err := x.run(context.Background(), r, p, strictForm); err != nil || rk.Total < 30 || len(rp.idf) < 2 {
			rp = nil
		}
	}
	if rp == nil {
		t.Fatal("no three words with 30 lines or more to search")
	}
	misses := x.replicaMisses.Load()
	for i := range rp.idf {
		rp.idf[i] *= 1 + 0.01*float64(i)
	}
	q, _ := p.rankQuery(r, strictForm)
	rr := rankRequest{q: q, order: SortRelevance, size: 20, count: countAll, words: p.order, split: true, replica: rp}
	got, err := x.rank(context.Background(), rr)
	if err != nil {
		t.Fatal(err)
	}
	if n := x.replicaMisses.Load() - misses; n != 1 {
		t.Errorf("a spoilt replica: %d misses counted, want 1", n)
	}
	rr.replica = nil
	want, err := x.rank(context.Background(), rr)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(ranking{})); diff != "" {
		t.Errorf("a spoilt replica's ranking differs from the usual one (-usual +got):\n%s", diff)
	}

	// An incremental build: a call changed, one added.
	c := *a.Calls[3]
	c.Lines = append([]transcript.Line(nil), c.Lines...)
	for i := range c.Lines {
		c.Lines[i].Text = "the harbour pilot said " + c.Lines[i].Text
	}
	a.Calls[3] = &c
	a.Calls = append(a.Calls, smallCalls(1)...)
	if st := mustBuild(t, dir, a, BuildOptions{}); !st.Incremental {
		t.Fatalf("second build was not incremental: %+v", st)
	}
	check("incremental build")
}

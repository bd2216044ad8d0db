package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

func generateT(t *testing.T, cfg genConfig) *corpus {
	t.Helper()
	c, err := generate(t.TempDir(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func readAll(t *testing.T, c *corpus) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, call := range c.Calls {
		b, err := os.ReadFile(filepath.Join(c.Dir, call.Slug+".md"))
		if err != nil {
			t.Fatal(err)
		}
		out[call.Slug] = b
	}
	return out
}

func TestGenerate_Deterministic(t *testing.T) {
	cfg := genConfig{Lines: 3000, Seed: 7, Vocab: 5000}
	a, b := generateT(t, cfg), generateT(t, cfg)
	fa, fb := readAll(t, a), readAll(t, b)
	if len(fa) != len(fb) {
		t.Fatalf("same seed: %d files, then %d", len(fa), len(fb))
	}
	for slug, want := range fa {
		if got := fb[slug]; !bytes.Equal(got, want) {
			t.Fatalf("same seed, %s differs between runs", slug)
		}
	}
	qa, qb := makeQueries(a, 1), makeQueries(b, 1)
	if len(qa) != len(qb) {
		t.Fatalf("same corpus: %d queries, then %d", len(qa), len(qb))
	}
	for i := range qa {
		if qa[i].text() != qb[i].text() || qa[i].Speaker != qb[i].Speaker {
			t.Fatalf("query %d differs: %q vs %q", i, qa[i].text(), qb[i].text())
		}
	}

	c := generateT(t, genConfig{Lines: 3000, Seed: 8, Vocab: 5000})
	if fc := readAll(t, c); len(fc) == len(fa) && bytes.Equal(fc[c.Calls[0].Slug], fa[a.Calls[0].Slug]) {
		t.Errorf("seeds 7 and 8 wrote the same first call")
	}
}

func TestGenerate_ParsesWithRightCounts(t *testing.T) {
	const lines = 2000
	c := generateT(t, genConfig{Lines: lines, Seed: 3, Vocab: 5000, Speakers: 60})
	if c.Lines != lines {
		t.Errorf("generator counted %d lines, want %d", c.Lines, lines)
	}
	total := 0
	var curly, straight, ellipsis, dash bool
	for slug, data := range readAll(t, c) {
		call, problems := transcript.Parse(filepath.Join(c.Dir, slug+".md"), data)
		if len(problems) > 0 {
			t.Fatalf("%s: %v", slug, problems)
		}
		if n := len(call.Lines); n < minCallLines || n > maxCallLines {
			t.Errorf("%s: %d lines, want %d-%d", slug, n, minCallLines, maxCallLines)
		}
		if call.Completeness != transcript.Complete || len(call.Participants) < 2 {
			t.Errorf("%s: completeness %q, %d participants", slug, call.Completeness, len(call.Participants))
		}
		for _, l := range call.Lines {
			if l.Kind == transcript.Turn {
				if _, ok := call.Participant(l.Speaker); !ok {
					t.Errorf("%s:%d: speaker %q is not a participant", slug, l.N, l.Speaker)
				}
			}
		}
		total += len(call.Lines)
		s := string(data)
		curly = curly || strings.Contains(s, "’")
		straight = straight || strings.Contains(s, "'")
		ellipsis = ellipsis || strings.Contains(s, "…") || strings.Contains(s, "...")
		dash = dash || strings.Contains(s, " — ") || strings.Contains(s, " – ")
	}
	if total != lines {
		t.Errorf("parser found %d lines, want %d", total, lines)
	}
	if !curly || !straight || !ellipsis || !dash {
		t.Errorf("text lacks some typography: curly %v, straight %v, ellipsis %v, dash %v", curly, straight, ellipsis, dash)
	}
}

func TestMakeQueries_EveryClassDrawnFromText(t *testing.T) {
	c := generateT(t, genConfig{Lines: 3000, Seed: 5, Vocab: 5000})
	qs := makeQueries(c, 5)
	var text strings.Builder
	for _, data := range readAll(t, c) {
		text.Write(data)
	}
	all := strings.ToLower(text.String())
	for _, cl := range classes {
		if countClass(qs, cl) == 0 {
			t.Errorf("class %q has no query", cl)
		}
	}
	for _, q := range qs {
		if q.Phrase != "" && !strings.Contains(all, strings.ToLower(q.Phrase)) {
			t.Errorf("%s %q does not occur in the text as written", q.Class, q.Phrase)
		}
	}
}

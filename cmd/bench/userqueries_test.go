package main

import (
	"strings"
	"testing"

	"backchannel/internal/query"
)

// TestUserPools_DistinctAndFull: at 100k lines every class's pool holds
// 2*poolSize distinct queries, each of which the product's parser reads as the
// class means it (a filter stays a filter, a phrase a phrase, a prefix a
// prefix) rather than as plain words.
func TestUserPools_DistinctAndFull(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 100k-line corpus")
	}
	c := generateT(t, genConfig{Lines: 100000, Seed: 1})
	pools := userPools(c, 1, 2000)
	for _, cl := range userClasses {
		qs := pools[cl]
		want := 2 * poolSize
		if cl == ucRare || cl == ucPrefix {
			want = 2000
		}
		if len(qs) < want {
			t.Errorf("%s: pool of %d queries, want %d", cl, len(qs), want)
		}
		seen := map[string]bool{}
		for _, q := range qs {
			if seen[q.key()] {
				t.Errorf("%s: %q page %d asked twice", cl, q.Q, q.Page)
			}
			seen[q.key()] = true
			p := query.Parse(q.Q)
			if p.Truncated || len(p.Clauses) == 0 {
				t.Errorf("%s: %q parsed as %+v", cl, q.Q, p)
				continue
			}
			kind := p.Clauses[0].Terms[0].Kind
			switch {
			case cl == ucPrefix && kind != query.Prefix,
				(cl == ucCommonPhrase || cl == ucRarePhrase) && kind != query.Phrase:
				t.Errorf("%s: %q read as kind %d", cl, q.Q, kind)
			case cl == ucSpeaker && len(p.Speakers) != 1,
				cl == ucCall && len(p.Calls) != 1,
				cl == ucDate && p.After == "" && p.Before == "",
				cl == ucOr && len(p.Clauses[0].Terms) != 2,
				cl == ucExclude && (len(p.Clauses) != 2 || !p.Clauses[1].Negate),
				cl == ucQuote && (len(p.Clauses) < 4 || kind != query.Word):
				t.Errorf("%s: %q parsed as %+v", cl, q.Q, p)
			}
		}
	}
}

// TestUserPools_PhrasesAsWritten: every phrase query occurs in the
// generated text as written, and has the word count its class says.
func TestUserPools_PhrasesAsWritten(t *testing.T) {
	c := generateT(t, genConfig{Lines: 20000, Seed: 2, Vocab: 20000})
	var text strings.Builder
	for _, data := range readAll(t, c) {
		text.Write(data)
	}
	all := strings.ToLower(text.String())
	pools := userPools(c, 2, 0)
	for _, cl := range []userClass{ucCommonPhrase, ucRarePhrase} {
		lengths := map[int]int{}
		for _, q := range pools[cl] {
			ph := strings.Trim(q.Q, `"`)
			if !strings.Contains(all, strings.ToLower(ph)) {
				t.Errorf("%s %q is not in the text", cl, ph)
			}
			lengths[len(strings.Fields(ph))]++
		}
		for n := 2; n <= 6; n++ {
			if lengths[n] == 0 {
				t.Errorf("%s: no phrase of %d words (%v)", cl, n, lengths)
			}
		}
	}
}

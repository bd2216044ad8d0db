package main

import (
	"math/rand/v2"
	"sort"
	"strings"
)

// class is a kind of search a user makes; each is timed separately.
type class string

const (
	classCommon       class = "common word"
	classRare         class = "rare word"
	classPhrase       class = "phrase"
	classCommonPhrase class = "phrase of common words"
	classSpeaker      class = "word + speaker"
	classHighlight    class = "highlighted top 10"
	classFacet        class = "speaker facet"
	classDeep         class = "deep page"
)

// classes in report order.
var classes = []class{classCommon, classRare, classPhrase, classCommonPhrase, classSpeaker, classHighlight, classFacet, classDeep}

// deepFrom is the offset of the deep-page class: the deepest page the
// product allows (index.MaxFrom) at 20 hits a page.
const (
	deepSize = 20
	deepFrom = 10000 - deepSize
)

// benchQuery is one search, in terms every engine can run.
type benchQuery struct {
	Class   class
	Words   []string // words, ANDed; for a phrase, its words in order
	Phrase  string   // the exact phrase as written in the text, for grep; "" when not a phrase
	Speaker genSpeaker
	Size    int
	From    int
}

// text is the query in Backchannel's query language.
func (q benchQuery) text() string {
	if q.Phrase != "" {
		return `"` + q.Phrase + `"`
	}
	return strings.Join(q.Words, " ")
}

// queriesPerClass is how many distinct queries each class has.
const queriesPerClass = 20

// makeQueries draws the query list from the generated text. It depends only
// on the corpus and the seed.
func makeQueries(c *corpus, seed uint64) []benchQuery {
	r := rng{rand.New(rand.NewPCG(seed, 42))}
	var out []benchQuery
	add := func(q benchQuery) {
		if q.Size == 0 {
			q.Size = 10
		}
		out = append(out, q)
	}
	plain := func(rank int) bool { return !strings.ContainsAny(c.Vocab[rank], "'’") && c.WordCount[rank] > 0 }

	// Common words: the 20 most frequent words without an apostrophe.
	for k := 0; k < len(c.Vocab) && countClass(out, classCommon) < queriesPerClass; k++ {
		if plain(k) {
			add(benchQuery{Class: classCommon, Words: []string{c.Vocab[k]}})
		}
	}
	// Rare words: made-up words that occur 1 to 20 times, spread over the tail.
	var rare []int
	for k := len(commonWords); k < len(c.Vocab); k++ {
		if n := c.WordCount[k]; n >= 1 && n <= 20 {
			rare = append(rare, k)
		}
	}
	for i := 0; i < queriesPerClass && len(rare) > 0; i++ {
		add(benchQuery{Class: classRare, Words: []string{c.Vocab[rare[r.IntN(len(rare))]]}})
	}
	// Phrases as written, and phrases made of very common words.
	for _, p := range spread(r, c.Phrases, queriesPerClass) {
		add(benchQuery{Class: classPhrase, Words: strings.Fields(p), Phrase: p})
	}
	for _, p := range spread(r, dedupe(c.CommonPhrases), queriesPerClass) {
		add(benchQuery{Class: classCommonPhrase, Words: strings.Fields(p), Phrase: p})
	}
	// Word + speaker: a moderately common word said by one of the 20 most
	// talkative speakers.
	top := topSpeakers(c, queriesPerClass)
	for i := 0; i < queriesPerClass && len(top) > 0; i++ {
		k := r.between(20, 300)
		for !plain(k) {
			k++
		}
		add(benchQuery{Class: classSpeaker, Words: []string{c.Vocab[k]}, Speaker: c.Speakers[top[i%len(top)]]})
	}
	// Highlighted top 10: two mid-frequency words.
	for i := 0; i < queriesPerClass; i++ {
		a, b := r.between(30, 400), r.between(30, 400)
		for !plain(a) {
			a++
		}
		for !plain(b) || b == a {
			b++
		}
		add(benchQuery{Class: classHighlight, Words: []string{c.Vocab[a], c.Vocab[b]}})
	}
	// Speaker facet: words on about 2-10% of lines, so the facet counts
	// tens of thousands of hits at 1M lines.
	for k := 12; k < len(c.Vocab) && countClass(out, classFacet) < queriesPerClass; k++ {
		if plain(k) {
			add(benchQuery{Class: classFacet, Words: []string{c.Vocab[k]}})
		}
	}
	// Deep page: the last page the product allows, on common words.
	for k := 0; k < len(c.Vocab) && countClass(out, classDeep) < queriesPerClass; k++ {
		if plain(k) {
			add(benchQuery{Class: classDeep, Words: []string{c.Vocab[k]}, Size: deepSize, From: deepFrom})
		}
	}
	return out
}

func countClass(qs []benchQuery, c class) int {
	n := 0
	for _, q := range qs {
		if q.Class == c {
			n++
		}
	}
	return n
}

// spread picks up to n items spread evenly over s, with a random start.
func spread(r rng, s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	step := len(s) / n
	off := r.IntN(step)
	out := make([]string, 0, n)
	for i := 0; i < n; i++ {
		out = append(out, s[off+i*step])
	}
	return out
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		k := strings.ToLower(x)
		if !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

// topSpeakers returns the indexes of the n speakers with the most turns.
func topSpeakers(c *corpus, n int) []int {
	idx := make([]int, len(c.Speakers))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return c.SpeakerLines[idx[a]] > c.SpeakerLines[idx[b]] })
	return idx[:min(n, len(idx))]
}

package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// userClass is a kind of search timed over HTTP with distinct queries: each
// query of its pool is asked once per measurement, so no cache in the
// serving process has seen it (the OS page cache may be warm).
type userClass string

const (
	ucCommon       userClass = "common word"
	ucRare         userClass = "rare word"
	ucMid          userClass = "mid-frequency word"
	ucTwo          userClass = "two words"
	ucThree        userClass = "three words"
	ucOr           userClass = "word OR word"
	ucExclude      userClass = "word -word"
	ucSpeaker      userClass = "word speaker:"
	ucCall         userClass = "word call:"
	ucDate         userClass = "word after:/before:"
	ucPrefix       userClass = "prefix*"
	ucCommonPhrase userClass = "phrase, common words"
	ucRarePhrase   userClass = "phrase with a rare word"
	ucDeep         userClass = "deep page"
	ucSortDate     userClass = "sort=date"
	ucQuote        userClass = "pasted quote"
)

// userClasses in report order.
var userClasses = []userClass{ucCommon, ucRare, ucMid, ucTwo, ucThree, ucOr, ucExclude,
	ucSpeaker, ucCall, ucDate, ucPrefix, ucCommonPhrase, ucRarePhrase, ucDeep, ucSortDate, ucQuote}

// userClassHow says how each class's pool is drawn, for the report.
var userClassHow = map[userClass]string{
	ucCommon:       "one of the 200 most frequent words, pages 1 to 5",
	ucRare:         "a made-up word said 1 to 20 times",
	ucMid:          "a word on about 0.01% to 0.1% of lines",
	ucTwo:          "a frequent word (top 200) and a word of any frequency",
	ucThree:        "a frequent word and two of any frequency",
	ucOr:           "a frequent word OR a word of any frequency",
	ucExclude:      "a frequent word, minus a frequent word",
	ucSpeaker:      "a word (rank 20-500) and speaker:SURNAME, speakers drawn by how much they say",
	ucCall:         "a word said in the call and call:SLUG",
	ucDate:         "a frequent word and after: or before: a date",
	ucPrefix:       "the first 2, 3 or 4 letters of a word, then *",
	ucCommonPhrase: "2 to 6 words as written, all among the 200 most frequent",
	ucRarePhrase:   "2 to 6 words as written, one of them rarer than rank 2000",
	ucDeep:         "a frequent word, a page from 50 to the deepest allowed",
	ucSortDate:     "a word (rank 0-1000), sort=date or -date",
	ucQuote: "6 words as written, pasted as issue 16's evaluation pastes them, in turn: as is, " +
		"a typo (two letters swapped in the longest word), a word left out, two words as …, " +
		"[inaudible] inserted; FTS5 gets the words ORed",
}

// poolSize is how many distinct queries each endpoint gets per class. A
// class's pool holds twice as many: /api/v1/search is timed on its even
// entries and the search page on its odd ones, so that neither asks what
// the other asked.
const poolSize = 500

// userQuery is one search as a user sends it, and its FTS5 equivalent.
type userQuery struct {
	Class userClass
	Q     string // query text in Backchannel's query language
	Page  int    // 1 = first page
	Sort  string // "", "date" or "-date"

	// For FTS5: the MATCH expression and the filters Backchannel's query
	// language carries inside Q.
	Match         string
	Call          string
	After, Before string
}

// pageSize is the search page's (and the API's default) hits per page.
const pageSize = 20

// path is the request path of q at endpoint ("/search" or "/api/v1/search").
func (q userQuery) path(endpoint string) string {
	v := url.Values{}
	v.Set("q", q.Q)
	if q.Page > 1 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.Sort != "" {
		v.Set("sort", q.Sort)
	}
	return endpoint + "?" + v.Encode()
}

// key identifies a query for distinctness: the same text, page and sort
// is the same request.
func (q userQuery) key() string {
	return fmt.Sprintf("%s\x00%d\x00%s", strings.ToLower(q.Q), q.Page, q.Sort)
}

// userPools draws every class's pool from the generated corpus: 2*poolSize
// distinct queries per class where the corpus allows (a small corpus may
// give fewer; the report gives the count timed). extra asks for larger
// pools of the classes used for throughput (rare words, prefixes), up to
// extra queries. It depends only on the corpus and the seed.
func userPools(c *corpus, seed uint64, extra int) map[userClass][]userQuery {
	r := rng{rand.New(rand.NewPCG(seed, 1313))}
	pools := map[userClass][]userQuery{}
	seen := map[string]bool{}
	add := func(q userQuery, limit int) bool {
		if q.Page == 0 {
			q.Page = 1
		}
		if len(pools[q.Class]) >= limit || seen[q.key()] {
			return false
		}
		seen[q.key()] = true
		pools[q.Class] = append(pools[q.Class], q)
		return true
	}
	// plain words: letters only (no apostrophes), said at least once.
	var plain []int
	for k, w := range c.Vocab {
		if c.WordCount[k] > 0 && isLetters(w) {
			plain = append(plain, k)
		}
	}
	if len(plain) == 0 {
		return pools
	}
	word := func(k int) string { return strings.ToLower(c.Vocab[k]) }
	const full = 2 * poolSize
	top := plain[:min(200, len(plain))]
	// anyRank draws a plain word log-uniformly over the ranks, so that
	// common, mid and rare words each come up.
	anyRank := func() int {
		i := int(math.Exp(r.Float64()*math.Log(float64(len(plain))))) - 1
		return plain[max(0, min(i, len(plain)-1))]
	}
	inRange := func(lo, hi int) int { // a plain word with rank in [lo, hi), uniformly
		i, _ := slices.BinarySearch(plain, lo)
		j, _ := slices.BinarySearch(plain, hi)
		if i >= j {
			return plain[min(i, len(plain)-1)]
		}
		return plain[i+r.IntN(j-i)]
	}
	tries := func(limit int, f func()) { // f adds at most one query; bounded attempts
		for range limit * 20 {
			f()
		}
	}
	m := func(words ...string) string { // FTS5: words ANDed in the text column
		parts := make([]string, len(words))
		for i, w := range words {
			parts[i] = ftsString(w)
		}
		return "text : (" + strings.Join(parts, " AND ") + ")"
	}

	for page := 1; page <= 5; page++ {
		for _, k := range top {
			add(userQuery{Class: ucCommon, Q: word(k), Page: page, Match: m(word(k))}, full)
		}
	}
	var rare, mid []int
	lo, hi := max(1, c.Lines/10000), max(2, c.Lines/1000)
	for _, k := range plain {
		n := c.WordCount[k]
		if n >= 1 && n <= 20 && k >= len(commonWords) {
			rare = append(rare, k)
		}
		if n >= lo && n <= hi {
			mid = append(mid, k)
		}
	}
	r.Shuffle(len(rare), func(i, j int) { rare[i], rare[j] = rare[j], rare[i] })
	for _, k := range rare[:min(len(rare), max(full, extra))] {
		add(userQuery{Class: ucRare, Q: word(k), Match: m(word(k))}, max(full, extra))
	}
	r.Shuffle(len(mid), func(i, j int) { mid[i], mid[j] = mid[j], mid[i] })
	for _, k := range mid {
		add(userQuery{Class: ucMid, Q: word(k), Match: m(word(k))}, full)
	}
	tries(full, func() {
		a, b := word(top[r.IntN(len(top))]), word(anyRank())
		if a != b {
			add(userQuery{Class: ucTwo, Q: a + " " + b, Match: m(a, b)}, full)
		}
	})
	tries(full, func() {
		a, b, d := word(top[r.IntN(len(top))]), word(anyRank()), word(anyRank())
		if a != b && b != d && a != d {
			add(userQuery{Class: ucThree, Q: a + " " + b + " " + d, Match: m(a, b, d)}, full)
		}
	})
	tries(full, func() {
		a, b := word(top[r.IntN(len(top))]), word(anyRank())
		if a != b {
			add(userQuery{Class: ucOr, Q: a + " OR " + b,
				Match: "text : (" + ftsString(a) + " OR " + ftsString(b) + ")"}, full)
		}
	})
	tries(full, func() {
		a, b := word(top[r.IntN(len(top))]), word(plain[r.IntN(min(300, len(plain)))])
		if a != b {
			add(userQuery{Class: ucExclude, Q: a + " -" + b,
				Match: "text : (" + ftsString(a) + " NOT " + ftsString(b) + ")"}, full)
		}
	})
	// Speakers in proportion to how much they say, as a user looks for
	// what someone said who says things.
	var turns []int // cumulative turns by speaker
	sum := 0
	for _, n := range c.SpeakerLines {
		sum += n
		turns = append(turns, sum)
	}
	tries(full, func() {
		if sum == 0 {
			return
		}
		i, _ := slices.BinarySearch(turns, 1+r.IntN(sum))
		surname := strings.ToLower(lastWord(c.Speakers[i].Name))
		w := word(inRange(20, 500))
		add(userQuery{Class: ucSpeaker, Q: w + " speaker:" + surname,
			Match: m(w) + " AND speaker : " + ftsString(surname)}, full)
	})
	tries(full, func() {
		call := c.Calls[r.IntN(len(c.Calls))]
		if len(call.Words) == 0 {
			return
		}
		k := call.Words[r.IntN(len(call.Words))]
		if !isLetters(c.Vocab[k]) {
			return
		}
		add(userQuery{Class: ucCall, Q: word(k) + " call:" + call.Slug, Match: m(word(k)), Call: call.Slug}, full)
	})
	tries(full, func() {
		w := word(top[r.IntN(len(top))])
		date := fmt.Sprintf("20%02d-%02d-%02d", r.between(18, 25), r.between(1, 12), r.between(1, 28))
		q := userQuery{Class: ucDate, Match: m(w)}
		if r.IntN(2) == 0 {
			q.Q, q.After = w+" after:"+date, date
		} else {
			q.Q, q.Before = w+" before:"+date, date
		}
		add(q, full)
	})
	prefixes := max(full, extra)
	tries(prefixes, func() {
		w := word(anyRank())
		n := r.between(2, 4)
		if len(w) <= n {
			return
		}
		p := w[:n]
		add(userQuery{Class: ucPrefix, Q: p + "*", Match: "text : " + ftsString(p) + " *"}, prefixes)
	})
	var commonRuns, rareRuns []genRun
	for _, run := range c.Runs {
		switch runKind(run.Ranks) {
		case 0:
			commonRuns = append(commonRuns, run)
		case 1:
			rareRuns = append(rareRuns, run)
		}
	}
	for _, p := range []struct {
		class userClass
		runs  []genRun
	}{{ucCommonPhrase, commonRuns}, {ucRarePhrase, rareRuns}} {
		// Lengths 2 to 6 in turn, so that each is about a fifth of the pool.
		byLen := map[int][]genRun{}
		for _, run := range p.runs {
			byLen[len(run.Ranks)] = append(byLen[len(run.Ranks)], run)
		}
		for i := 0; len(pools[p.class]) < full && i < len(p.runs); i++ {
			for n := 2; n <= 6; n++ {
				if i < len(byLen[n]) {
					t := byLen[n][i].Text
					add(userQuery{Class: p.class, Q: `"` + t + `"`, Match: "text : " + ftsString(t)}, full)
				}
			}
		}
	}
	// Pasted quotes: the runs of six words, each pasted one way, the
	// ways in turn; again another way while the pool is not full.
	way := 0
	for pass := range 2 {
		for _, run := range c.Runs {
			if len(pools[ucQuote]) >= full {
				break
			}
			words := strings.Fields(run.Text)
			if len(words) != 6 {
				continue
			}
			q, ok := pasteQuote(words, (way+pass)%5)
			if !ok {
				continue
			}
			way++
			or := make([]string, len(words))
			for i, w := range words {
				or[i] = ftsString(w)
			}
			add(userQuery{Class: ucQuote, Q: q, Match: "text : (" + strings.Join(or, " OR ") + ")"}, full)
		}
	}
	tries(full, func() {
		k := top[r.IntN(len(top))]
		deepest := min(10000/pageSize+1, c.WordCount[k]/pageSize)
		if deepest < 50 {
			return
		}
		add(userQuery{Class: ucDeep, Q: word(k), Page: r.between(50, deepest), Match: m(word(k))}, full)
	})
	tries(full, func() {
		w := word(inRange(0, 1000))
		sort := "date"
		if r.IntN(2) == 0 {
			sort = "-date"
		}
		add(userQuery{Class: ucSortDate, Q: w, Sort: sort, Match: m(w)}, full)
	})
	return pools
}

// isLetters reports whether w is made of letters only.
func isLetters(w string) bool {
	for _, r := range w {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// pasteQuote pastes words (a run of six, as written) the way numbered
// way: 0 as is; 1 with two letters swapped in its longest word (of four
// letters or more); 2 without its third word; 3 with its third and
// fourth words as an ellipsis; 4 with "[inaudible]" after its third word.
func pasteQuote(words []string, way int) (string, bool) {
	w := slices.Clone(words)
	switch way {
	case 1:
		long := 0
		for i, x := range w {
			if len([]rune(x)) > len([]rune(w[long])) {
				long = i
			}
		}
		r := []rune(w[long])
		if len(r) < 4 {
			return "", false
		}
		m := len(r) / 2
		r[m-1], r[m] = r[m], r[m-1]
		if string(r) == w[long] {
			return "", false
		}
		w[long] = string(r)
	case 2:
		w = slices.Delete(w, 2, 3)
	case 3:
		return strings.Join(w[:2], " ") + "… " + strings.Join(w[4:], " "), true
	case 4:
		w = slices.Insert(w, 3, "[inaudible]")
	}
	return strings.Join(w, " "), true
}

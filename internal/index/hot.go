package index

import (
	"backchannel/internal/durable"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"

	"backchannel/internal/query"
)

// Hot words: the few hundred words on the most lines. Bleve has no early
// termination: a search for "the" scores every line that has it (316,000
// of a million) to find the ten best, 30-80 ms however it is planned
// (pprof: 61-73% in the term searchers). The ranking of such a
// word alone depends only on the index, so each build runs it once, with
// the very code a search uses, and keeps the outcome on disk: the total,
// the first MaxFrom+MaxSize hits in order with their scores, and the
// speaker, call and language counts. A search for the word alone (no
// filter, relevance order), and the facet counts that ignore a filter,
// then read a few bytes of hotFile instead of a million postings. The
// page of hits is loaded and highlighted as for any search.

const (
	hotFile     = "hot.bin"
	hotIndex    = "hot.json"
	hotMagic    = "BCHOT1\n\x00"
	hotMinDocs  = 20000 // a word whose query reads at least this many postings is hot
	maxHotWords = 256
)

// hotEntry locates one hot word's outcome in hotFile.
type hotEntry struct {
	Total uint64 `json:"total"`
	Hits  int    `json:"hits"`   // hits kept (at most MaxFrom+MaxSize)
	Off   int64  `json:"offset"` // hits: Hits × (uint32 doc, float32 score); then the counts
	// Lengths of the count arrays that follow the hits.
	Speakers int `json:"speakers"`
	Calls    int `json:"calls"`
	Langs    int `json:"langs"`
}

// hotWords is the index of hotFile, by the word's folded form.
type hotWords map[string]hotEntry

// hotCandidates returns the words whose single-word query reads at least
// hotMinDocs postings, costliest first, at most maxHotWords.
func (x *Index) hotCandidates(minDocs int) ([]string, error) {
	dict, err := x.idx.FieldDict(fieldText)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	df := map[string]uint64{}
	var words, pairs []string
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			break
		}
		df[e.Term] = e.Count
		if isWordTerm(e.Term) && e.Count >= uint64(minDocs/4) {
			words = append(words, e.Term)
		}
		if isPairTerm(e.Term) && e.Count >= uint64(minDocs) {
			pairs = append(pairs, e.Term)
		}
	}
	cost := map[string]uint64{}
	var hot []string
	// A pair of common words ("of the") is searched as one term: as a
	// phrase it is as costly as a word on as many lines.
	for _, p := range pairs {
		cost[p] = df[p]
		hot = append(hot, p)
	}
	for _, w := range words {
		toks := x.tokens(w)
		if len(toks) != 1 || toks[0].exact != w {
			continue
		}
		var c uint64
		for _, t := range x.stemAlts(toks[0]) {
			c += df[t]
		}
		if c >= uint64(minDocs) {
			cost[w] = c
			hot = append(hot, w)
		}
	}
	sort.Slice(hot, func(i, j int) bool {
		if cost[hot[i]] != cost[hot[j]] {
			return cost[hot[i]] > cost[hot[j]]
		}
		return hot[i] < hot[j]
	})
	if len(hot) > maxHotWords {
		hot = hot[:maxHotWords]
	}
	return hot, nil
}

// computeHot ranks the hot words of the finished index in dir, opened
// read-only as a server opens it, and writes hotFile and hotIndex.
func computeHot(ctx context.Context, dir string, minDocs int) error {
	x, err := openDir(dir)
	if err != nil {
		return err
	}
	defer x.Close()
	words, err := x.hotCandidates(minDocs)
	if err != nil {
		return fmt.Errorf("hot words: %w", err)
	}
	entries := hotWords{}
	var buf []byte
	buf = append(buf, hotMagic...)
	// The words are ranked on every core; an incremental build ranks them
	// again too, since every score and document number may change.
	rks := make([]*ranking, len(words))
	err = parallel(ctx, len(words), 1, func(i int) error {
		r := &request{parsed: query.Parse(hotQuery(words[i])), from: 0, size: MaxFrom + MaxSize, order: SortRelevance}
		p := x.plan(r)
		rk, err := x.rank(ctx, rankRequest{q: p.query(r, strictForm, allFilters), order: r.order, size: MaxFrom + MaxSize, count: countAll})
		if err != nil {
			return fmt.Errorf("hot word %q: %w", words[i], err)
		}
		rks[i] = rk
		return nil
	})
	if err != nil {
		return err
	}
	for i, w := range words {
		rk := rks[i]
		e := hotEntry{Total: rk.Total, Hits: len(rk.docs), Off: int64(len(buf)),
			Speakers: len(rk.speakers), Calls: len(rk.calls), Langs: len(rk.langs)}
		for i, d := range rk.docs {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(d))
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(float32(rk.scores[i])))
		}
		for _, counts := range [][]int{rk.speakers, rk.calls, rk.langs} {
			for _, n := range counts {
				buf = binary.LittleEndian.AppendUint32(buf, uint32(n))
			}
		}
		entries[w] = e
	}
	if err := durable.Create(filepath.Join(dir, hotFile), buf); err != nil {
		return err
	}
	b, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	return durable.Create(filepath.Join(dir, hotIndex), b)
}

// openHot opens the hot words of the index in dir; none when the build
// made none.
func openHot(dir string) (hotWords, *os.File, error) {
	b, err := os.ReadFile(filepath.Join(dir, hotIndex))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	var hw hotWords
	if err := json.Unmarshal(b, &hw); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", hotIndex, err)
	}
	f, err := os.Open(filepath.Join(dir, hotFile))
	if err != nil {
		return nil, nil, err
	}
	magic := make([]byte, len(hotMagic))
	if _, err := f.ReadAt(magic, 0); err != nil || string(magic) != hotMagic {
		_ = f.Close()
		return nil, nil, fmt.Errorf("%s: not a hot-words file", hotFile)
	}
	return hw, f, nil
}

// hotWord returns the hot word (or word pair) a request for one free
// word (or quoted pair of common words) alone asks for, or "".
func (x *Index) hotWord(r *request) string {
	if x.hot == nil || len(r.parsed.Clauses) != 1 {
		return ""
	}
	c := r.parsed.Clauses[0]
	if c.Negate || len(c.Terms) != 1 {
		return ""
	}
	key := ""
	toks := x.tokens(c.Terms[0].Text)
	switch {
	case c.Terms[0].Kind == query.Word && len(toks) == 1:
		key = toks[0].exact
	case c.Terms[0].Kind == query.Phrase && len(toks) == 2 && x.pairCovered(toks):
		key = string(pairTerm(toks[0].exact, toks[1].exact))
	default:
		return ""
	}
	if _, ok := x.hot[key]; !ok {
		return ""
	}
	return key
}

// hotQuery is the query text of a hot word or pair.
func hotQuery(key string) string {
	if isPairTerm(key) {
		return `"` + key + `"`
	}
	return key
}

// hotRanking reads word's stored outcome: hits [from, from+size) and the
// counts; size 0 reads only the counts.
func (x *Index) hotRanking(word string, from, size int) (*ranking, error) {
	e := x.hot[word]
	out := &ranking{Total: e.Total}
	if from < e.Hits && size > 0 {
		n := min(e.Hits-from, size)
		b := make([]byte, 8*n)
		if _, err := x.hotF.ReadAt(b, e.Off+int64(8*from)); err != nil {
			return nil, fmt.Errorf("search: %s: %w", hotFile, err)
		}
		out.docs = make([]uint64, n)
		out.Hits = make([]rankedHit, n)
		for i := range n {
			d := uint64(binary.LittleEndian.Uint32(b[8*i:]))
			id, err := x.reader.ExternalID(docNumID(d))
			if err != nil {
				return nil, fmt.Errorf("search: %w", err)
			}
			out.docs[i] = d
			out.Hits[i] = rankedHit{ID: id, Score: float64(math.Float32frombits(binary.LittleEndian.Uint32(b[8*i+4:])))}
		}
	}
	nc := e.Speakers + e.Calls + e.Langs
	b := make([]byte, 4*nc)
	if _, err := x.hotF.ReadAt(b, e.Off+int64(8*e.Hits)); err != nil {
		return nil, fmt.Errorf("search: %s: %w", hotFile, err)
	}
	read := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = int(binary.LittleEndian.Uint32(b[:4]))
			b = b[4:]
		}
		return out
	}
	out.speakers, out.calls, out.langs = read(e.Speakers), read(e.Calls), read(e.Langs)
	return out, nil
}

package index

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"backchannel/internal/query"
)

// DefaultTimeout bounds a search whose context has no deadline.
const DefaultTimeout = 2 * time.Second

const (
	maxPrefixTerms = 64    // a prefix matches at most this many words, the most frequent
	maxPrefixScan  = 20000 // dictionary entries read for one prefix
	maxFuzzyScan   = 2000  // dictionary entries read for one suggestion
	maxFuzzyRunes  = 24    // longer words get no close spellings
	facetSize      = 50    // values per facet
	numFragments   = 3     // fragments per hit

	boostPhrase  = 2.0 // a quoted phrase, matched as spoken
	boostBonus   = 3.0 // every free word, in order, as spoken
	boostStemmed = 2.0 // every free word, in order, in any inflection
	boostName    = 2.0 // a free word in the speaker's name
	boostFuzzy   = 0.3 // a misspelling's neighbour, in a fallback
)

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"  // oldest first
	SortDateDesc  = "-date" // newest first
)

// request is a validated Query.
type request struct {
	parsed         query.Query
	speaker, call  string // parameters, normalised
	after, before  string
	from, size     int
	order          string // SortRelevance, SortDate or SortDateDesc
	filterSpeakers bool
	filterCalls    bool
}

func badQuery(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadQuery, fmt.Sprintf(format, args...))
}

// validate checks the parameters of q. Only they can make a search fail:
// the text is always read somehow.
func validate(q Query) (*request, error) {
	r := &request{parsed: query.Parse(q.Text)}
	page, size := q.Page, q.Size
	if page == 0 {
		page = 1
	}
	if page < 0 {
		return nil, badQuery("page %d: pages start at 1", q.Page)
	}
	if size == 0 {
		size = DefaultSize
	}
	if size < 0 || size > MaxSize {
		return nil, badQuery("size %d: between 1 and %d hits per page", q.Size, MaxSize)
	}
	if page-1 > MaxFrom/size {
		return nil, badQuery("page %d is too deep: at most %d hits can be paged through", q.Page, MaxFrom+size)
	}
	r.from, r.size = (page-1)*size, size
	for _, d := range []struct{ name, v string }{{"after", q.After}, {"before", q.Before}} {
		if d.v != "" && !query.ValidDate(strings.TrimSpace(d.v)) {
			return nil, badQuery("%s=%q: dates are written YYYY-MM-DD", d.name, d.v)
		}
	}
	switch q.Sort {
	case "", SortRelevance:
		r.order = SortRelevance
	case SortDate, SortDateDesc:
		r.order = q.Sort
	default:
		return nil, badQuery("sort=%q: use relevance, date or -date", q.Sort)
	}
	r.speaker = speakerKey(q.Speaker)
	r.call = strings.TrimSpace(q.Call)
	r.after, r.before = strings.TrimSpace(q.After), strings.TrimSpace(q.Before)
	if p := r.parsed.After; p > r.after {
		r.after = p
	}
	if p := r.parsed.Before; p != "" && (r.before == "" || p < r.before) {
		r.before = p
	}
	r.filterSpeakers = r.speaker != "" || len(r.parsed.Speakers) > 0
	r.filterCalls = r.call != "" || len(r.parsed.Calls) > 0
	return r, nil
}

// Search runs q and returns one page of hits with facets. It returns an
// error wrapping ErrBadQuery for out-of-range parameters, and the
// context's error when its deadline passes (DefaultTimeout when it has
// none). Query text is never an error.
func (x *Index) Search(ctx context.Context, q Query) (*Result, error) {
	r, err := validate(q)
	if err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	p := x.plan(r)
	res := &Result{Parsed: r.parsed.String(), Hits: []Hit{}}

	hot := x.hotWord(r)
	dated := r.after != "" || r.before != ""
	var sr *ranking
	if hot != "" && !r.filterSpeakers && !r.filterCalls && !dated && r.order == SortRelevance {
		sr, err = x.hotRanking(hot, r.from, r.size)
	} else {
		sr, err = x.run(ctx, p.query(r, false, true, true), r, p)
	}
	if err != nil {
		return nil, err
	}
	looseUsed := false
	if sr.Total == 0 && len(p.clauses) > 0 {
		// Nothing has every word. First the query with misspelled words
		// corrected, then any of the words (and close spellings).
		res.Suggestions = x.suggest(r.parsed)
		if len(res.Suggestions) > 0 {
			cr := *r
			cr.parsed = query.Parse(res.Suggestions[0])
			cp := x.plan(&cr)
			cres, err := x.run(ctx, cp.query(&cr, false, true, true), &cr, cp)
			if err != nil {
				return nil, err
			}
			if cres.Total > 0 {
				sr, p, r, res.Fallback = cres, cp, &cr, true
			} else {
				res.Suggestions = nil // a suggestion that finds nothing helps no one
			}
		}
	}
	if sr.Total == 0 && len(p.clauses) > 0 {
		loose := p.query(r, true, true, true)
		lr, err := x.run(ctx, loose, r, nil)
		if err != nil && strings.Contains(err.Error(), "TooManyClauses") {
			p.noFuzzy = true
			loose = p.query(r, true, true, true)
			lr, err = x.run(ctx, loose, r, nil)
		}
		if err != nil {
			return nil, err
		}
		if lr.Total > 0 {
			sr, res.Fallback, looseUsed = lr, true, true
		}
	}
	res.Total = sr.Total
	res.Facets = x.facets(sr)
	defer x.putCounts(sr.calls)
	// Facet counts ignore their own filter: one count-only request each,
	// only when that filter is set. They and the page of hits are
	// independent, so they run at once.
	var speakerFacet, callFacet *ranking
	var wg sync.WaitGroup
	errs := make([]error, 3)
	// A hot word's counts without filters are stored (hot.go).
	hotFacets := hot != "" && !looseUsed && !dated && !res.Fallback
	switch {
	case r.filterSpeakers && hotFacets && !r.filterCalls:
		speakerFacet, errs[0] = x.hotRanking(hot, 0, 0)
	case r.filterSpeakers:
		wg.Go(func() {
			speakerFacet, errs[0] = x.facetOnly(ctx, p.query(r, looseUsed, false, true), countSpeakers, p.strictChecks(looseUsed))
		})
	}
	switch {
	case r.filterCalls && hotFacets && !r.filterSpeakers:
		callFacet, errs[1] = x.hotRanking(hot, 0, 0)
	case r.filterCalls:
		wg.Go(func() {
			callFacet, errs[1] = x.facetOnly(ctx, p.query(r, looseUsed, true, false), countCalls, p.strictChecks(looseUsed))
		})
	}
	if len(sr.Hits) > 0 || len(sr.docs) > 0 {
		marks := p.highlightMarks(looseUsed)
		if r.filterSpeakers || r.filterCalls {
			wg.Go(func() { res.Hits, errs[2] = x.page(ctx, sr, marks) })
		} else {
			// Alone: waking another goroutine for it was 12-18% of a
			// rare word's search.
			res.Hits, errs[2] = x.page(ctx, sr, marks)
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if speakerFacet != nil {
		res.Facets.Speaker = x.facets(speakerFacet).Speaker
	}
	if callFacet != nil {
		res.Facets.Call = x.facets(callFacet).Call
	}
	return res, nil
}

// run is the ranking phase: ids, scores and facets, no stored fields.
// With p, q is p's strict query: the word-order bonus from the hits' word
// positions, and the checks of phrases searched without their dense words;
// nil for a loose query.
func (x *Index) run(ctx context.Context, q bq.Query, r *request, p *plan) (*ranking, error) {
	// The page phase reads each hit's ID with its stored fields.
	if p == nil {
		return x.rankDocs(ctx, q, r.order, r.from, r.size, countAll, false, nil, nil)
	}
	return x.rankDocs(ctx, q, r.order, r.from, r.size, countAll, false, p.order, p.checks)
}

// facetOnly counts one facet of q's hits.
func (x *Index) facetOnly(ctx context.Context, q bq.Query, count facetMask, checks []*phraseCheck) (*ranking, error) {
	return x.rankDocs(ctx, q, SortRelevance, 0, 0, count, true, nil, checks)
}

// facets turns the counts by code into the speaker, call and language
// counts, keeping the facetSize largest of each.
func (x *Index) facets(rk *ranking) Facets {
	fc := x.meta.Facets
	// Speaker counts are by code + 1 (0: a direction, no speaker).
	sp := rk.speakers
	if len(sp) > 0 {
		sp = sp[1:]
	}
	return Facets{
		Speaker:  topCounts(sp, fc.Speakers),
		Call:     topCounts(rk.calls, fc.Calls),
		Language: topCounts(rk.langs, fc.Languages),
	}
}

// topCounts returns the facetSize largest counts (by count, then value)
// of counts[i] for names[i], without the zero counts and empty names.
// It keeps a small heap rather than sorting every call of the archive.
func topCounts(counts []int, names []string) []FacetCount {
	worse := func(a, b FacetCount) bool { // a ranks below b
		if a.Count != b.Count {
			return a.Count < b.Count
		}
		return a.Value > b.Value
	}
	h := make([]FacetCount, 0, facetSize)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			m := l
			if r := l + 1; r < len(h) && worse(h[r], h[l]) {
				m = r
			}
			if !worse(h[m], h[i]) {
				return
			}
			h[i], h[m] = h[m], h[i]
			i = m
		}
	}
	for i, n := range counts {
		if n <= 0 || i >= len(names) || names[i] == "" {
			continue
		}
		fc := FacetCount{Value: names[i], Count: n}
		if len(h) < facetSize {
			h = append(h, fc)
			for j := len(h) - 1; j > 0; {
				p := (j - 1) / 2
				if !worse(h[j], h[p]) {
					break
				}
				h[j], h[p] = h[p], h[j]
				j = p
			}
			continue
		}
		if worse(h[0], fc) {
			h[0] = fc
			down(0)
		}
	}
	sort.Slice(h, func(i, j int) bool { return worse(h[j], h[i]) })
	return h
}

// ---- query planning ----

// qtok is one token of query text: its exact (folded) form and its stems
// under each language's analyzer.
type qtok struct {
	exact string
	stems []string
}

// tokens analyses text as the index does.
func (x *Index) tokens(text string) []qtok {
	m := x.idx.Mapping()
	analyze := func(name string) analysis.TokenStream {
		a := m.AnalyzerNamed(name)
		if a == nil {
			return nil
		}
		return a.Analyze([]byte(text))
	}
	plain := analyze(analyzerPlain)
	en, ru := analyze(analyzerEN), analyze(analyzerRU)
	// One word can hold many tokens ("the-the-the-…"): keep a phrase's worth.
	if len(plain) > query.MaxPhraseWords {
		plain = plain[:query.MaxPhraseWords]
		en, ru = en[:min(len(en), query.MaxPhraseWords)], ru[:min(len(ru), query.MaxPhraseWords)]
	}
	out := make([]qtok, len(plain))
	for i, t := range plain {
		tok := qtok{exact: string(t.Term)}
		add := func(s string) {
			for _, have := range tok.stems {
				if have == s {
					return
				}
			}
			tok.stems = append(tok.stems, s)
		}
		if len(en) == len(plain) {
			add(string(en[i].Term))
		}
		if len(ru) == len(plain) {
			add(string(ru[i].Term))
		}
		add(tok.exact)
		out[i] = tok
	}
	return out
}

// clausePlan is one positive clause of the query.
type clausePlan struct {
	strict bq.Query
	loose  bq.Query // the fallback form: any word of it, and close spellings
	fuzzy  bq.Query // the loose form without close spellings
	// What the page phase highlights for each form (marks.go).
	strictMarks, looseMarks, fuzzyMarks []mark
}

type plan struct {
	clauses []clausePlan
	negs    []bq.Query
	bonus   bq.Query    // the word-order bonus as a query (loose searches)
	order   []orderWord // the word-order bonus from positions (strict searches)
	// checks are the phrases the strict query searches without their
	// dense words (dense.go).
	checks  []*phraseCheck
	noFuzzy bool
}

// strictChecks are the checks of the strict query, or none for the loose
// one (which searches whole phrases).
func (p *plan) strictChecks(loose bool) []*phraseCheck {
	if loose {
		return nil
	}
	return p.checks
}

func term(field, t string, boost float64) bq.Query {
	q := bq.NewTermQuery(t)
	q.SetField(field)
	if boost != 0 {
		q.SetBoost(boost)
	}
	return q
}

func disj(qs ...bq.Query) bq.Query {
	if len(qs) == 1 {
		return qs[0]
	}
	return bq.NewDisjunctionQuery(qs)
}

// phrase matches toks in sequence as spoken.
func phrase(toks []qtok, boost float64) bq.Query {
	if len(toks) == 1 {
		return term(fieldText, toks[0].exact, boost)
	}
	ts := make([]string, len(toks))
	for i, t := range toks {
		ts[i] = t.exact
	}
	q := bq.NewPhraseQuery(ts, fieldText)
	if boost != 0 {
		q.SetBoost(boost)
	}
	return q
}

// pairCovered reports whether every two adjacent words of toks are
// common, so that phraseExact reads the phrase from word pairs.
func (x *Index) pairCovered(toks []qtok) bool {
	for i := 1; i < len(toks); i++ {
		if !x.pairWords[toks[i-1].exact] || !x.pairWords[toks[i].exact] {
			return false
		}
	}
	return len(toks) >= 2
}

// densePhraseQuery is the phrase toks searched without its dense words,
// and the check each hit must pass; nil when the phrase has no dense word,
// only dense words, or is read from word pairs.
func (x *Index) densePhraseQuery(toks []qtok) (bq.Query, *phraseCheck) {
	if x.pairCovered(toks) {
		return nil, nil
	}
	chk, terms, ok := x.densePhrase(toks)
	if !ok {
		return nil, nil
	}
	if len(terms) == 1 {
		return term(fieldText, terms[0], boostPhrase), chk
	}
	q := bq.NewPhraseQuery(terms, fieldText)
	q.SetBoost(boostPhrase)
	return q, chk
}

// phraseExact is phrase, read from the word pairs when every two adjacent
// words are common (analysis.go): "of the" is one term, as rare as the
// phrase, where the phrase searcher would read the positions of every
// line with "of" and "the"; "it is not" is the phrase "it is", "is not"
// over pairs. The same lines match. A phrase with an uncommon word is
// fast as it is (that word's lines drive it).
func (x *Index) phraseExact(toks []qtok, boost float64) bq.Query {
	if !x.pairCovered(toks) {
		return phrase(toks, boost)
	}
	pairs := make([]string, 0, len(toks)-1)
	for i := 1; i < len(toks); i++ {
		pairs = append(pairs, string(pairTerm(toks[i-1].exact, toks[i].exact)))
	}
	if len(pairs) == 1 {
		return term(fieldText, pairs[0], boost)
	}
	q := bq.NewPhraseQuery(pairs, fieldText)
	if boost != 0 {
		q.SetBoost(boost)
	}
	return q
}

// stemAlts are the text-field terms of t in any inflection: each stem,
// as a word and as a marked stem (when some word has it).
//
// A common word that is its own stem ("go") is marked as a stem
// wherever it is spoken (selfStemsOf): its marked stem alone ("~go") is
// the word in any inflection.
func (x *Index) stemAlts(t qtok) []string {
	out := make([]string, 0, 2*len(t.stems))
	for _, s := range t.stems {
		if x.selfStems[s] {
			out = append(out, stemTerm(s))
			continue
		}
		out = append(out, s)
		if st := stemTerm(s); x.hasTerm(st) {
			out = append(out, st)
		}
	}
	return out
}

// stemmedPhrase matches toks in sequence, each in any inflection.
func (x *Index) stemmedPhrase(toks []qtok) *bq.MultiPhraseQuery {
	alts := make([][]string, len(toks))
	for i, t := range toks {
		alts[i] = x.stemAlts(t)
	}
	return bq.NewMultiPhraseQuery(alts, fieldText)
}

// wordQuery matches one token in any form: stemmed text, exact text, or
// the speaker's name. With exactForm, the word as typed is always one of
// the terms (the word-order bonus reads its positions).
func (x *Index) wordQuery(t qtok, exactForm bool) bq.Query {
	// Every stem, as a word and marked; the word as typed is one of
	// t.stems, so the exact form scores twice and ranks above other
	// inflections. For "the" this is one term: a second posting list
	// of the same documents would only cost time.
	alts := x.stemAlts(t)
	if exactForm && !slices.Contains(alts, t.exact) {
		alts = append(alts, t.exact)
	}
	qs := make([]bq.Query, 0, len(alts)+1)
	for _, a := range alts {
		qs = append(qs, term(fieldText, a, 0))
	}
	// The name clause only for a word of some speaker's name: for "the"
	// it would wrap the one term searcher in a disjunction, which costs
	// on every hit.
	if x.names[t.exact] {
		qs = append(qs, term(fieldName, t.exact, boostName))
	}
	return disj(qs...)
}

// fuzziness is the edit distance allowed for a misspelling of s: none for
// short words, nor for long ones (their automaton grows with the length,
// and Bleve refuses it past 10,000 states).
func fuzziness(s string) int {
	switch n := utf8.RuneCountInString(s); {
	case n < 4 || n > maxFuzzyRunes:
		return 0
	case n < 7:
		return 1
	default:
		return 2 // Bleve's maximum
	}
}

func fuzzyQuery(t qtok) bq.Query {
	f := fuzziness(t.exact)
	if f == 0 {
		return nil
	}
	q := bq.NewFuzzyQuery(t.exact)
	q.SetField(fieldText)
	q.SetFuzziness(f)
	q.SetPrefix(1)
	q.SetBoost(boostFuzzy)
	return q
}

// termPlan returns the strict, loose and loose-without-fuzzy forms of t,
// and what the page phase highlights for each.
func (x *Index) termPlan(t query.Term, exactForms bool) (c clausePlan, ok bool) {
	switch t.Kind {
	case query.Prefix:
		q, m := x.prefixQuery(t.Text)
		ms := []mark{m}
		return clausePlan{strict: q, loose: q, fuzzy: q, strictMarks: ms, looseMarks: ms, fuzzyMarks: ms}, true
	case query.Phrase:
		toks := x.tokens(t.Text)
		if len(toks) == 0 {
			return c, false
		}
		strict := x.phraseExact(toks, boostPhrase)
		ms := []mark{seqMark(toks, false)}
		if len(toks) == 1 {
			return clausePlan{strict: strict, loose: strict, fuzzy: strict, strictMarks: ms, looseMarks: ms, fuzzyMarks: ms}, true
		}
		words := []bq.Query{strict}
		fuzzy := []bq.Query{strict}
		var wordMarks, fuzzyMarks []mark
		for _, tok := range toks {
			words = append(words, x.wordQuery(tok, exactForms))
			fuzzy = append(fuzzy, x.wordQuery(tok, exactForms))
			wordMarks = append(wordMarks, wordMark(tok))
			fuzzyMarks = append(fuzzyMarks, wordMark(tok))
			if fq := fuzzyQuery(tok); fq != nil {
				fuzzy = append(fuzzy, fq)
				fuzzyMarks = append(fuzzyMarks, fuzzyMark(tok)...)
			}
		}
		return clausePlan{strict: strict, loose: disj(fuzzy...), fuzzy: disj(words...),
			strictMarks: ms, looseMarks: fuzzyMarks, fuzzyMarks: wordMarks}, true
	}
	toks := x.tokens(t.Text)
	switch len(toks) {
	case 0:
		return c, false
	case 1:
		strict := x.wordQuery(toks[0], exactForms)
		ms := []mark{wordMark(toks[0])}
		if fq := fuzzyQuery(toks[0]); fq != nil {
			return clausePlan{strict: strict, loose: disj(strict, fq), fuzzy: strict,
				strictMarks: ms, looseMarks: fuzzyMark(toks[0]), fuzzyMarks: ms}, true
		}
		return clausePlan{strict: strict, loose: strict, fuzzy: strict, strictMarks: ms, looseMarks: ms, fuzzyMarks: ms}, true
	}
	// A word the tokenizer splits ("Russia-Ukraine", "C++"): its parts in
	// sequence, in any inflection.
	strict := bq.Query(x.stemmedPhrase(toks))
	words := []bq.Query{strict}
	var wordMarks []mark
	for _, tok := range toks {
		words = append(words, x.wordQuery(tok, exactForms))
		wordMarks = append(wordMarks, wordMark(tok))
	}
	ms := []mark{seqMark(toks, true)}
	return clausePlan{strict: strict, loose: disj(words...), fuzzy: disj(words...),
		strictMarks: ms, looseMarks: wordMarks, fuzzyMarks: wordMarks}, true
}

// prefixQuery expands a prefix into the most frequent indexed words that
// start with it, at most maxPrefixTerms, so that a short prefix cannot
// blow up into a huge disjunction.
func (x *Index) prefixQuery(prefix string) (bq.Query, mark) {
	toks := x.tokens(prefix)
	if len(toks) == 0 {
		return bq.NewMatchNoneQuery(), mark{}
	}
	if len(toks) > 1 { // "don't-*": all but the last are words in sequence
		return phrase(toks, 0), seqMark(toks, false)
	}
	p := toks[0].exact
	m := mark{prefix: p}
	dict, err := x.idx.FieldDictPrefix(fieldText, []byte(p))
	if err != nil {
		return bq.NewMatchNoneQuery(), m
	}
	defer dict.Close()
	var entries []index.DictEntry
	for i := 0; i < maxPrefixScan; i++ {
		e, err := dict.Next()
		if err != nil || e == nil {
			break
		}
		if isWordTerm(e.Term) {
			entries = append(entries, *e)
		}
	}
	if len(entries) == 0 {
		return bq.NewMatchNoneQuery(), m
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Count > entries[j].Count })
	if len(entries) > maxPrefixTerms {
		entries = entries[:maxPrefixTerms]
	}
	qs := make([]bq.Query, len(entries))
	for i, e := range entries {
		qs[i] = term(fieldText, e.Term, 0)
	}
	return disj(qs...), m
}

// plan turns the parsed query into Bleve queries.
func (x *Index) plan(r *request) *plan {
	p := &plan{}
	var free []qtok // single free words, in order, for the phrase bonus
	freeWords := 0
	for _, c := range r.parsed.Clauses {
		if len(c.Terms) == 1 && c.Terms[0].Kind == query.Word && !c.Negate {
			free = append(free, x.tokens(c.Terms[0].Text)...)
			freeWords++
		}
	}
	if len(free) > query.MaxPhraseWords {
		free = free[:query.MaxPhraseWords]
	}
	bonus := freeWords >= 2 && len(free) >= 2 // one word's own tokens are already a phrase
	common := true
	for _, t := range free {
		common = common && x.pairWords[t.exact]
	}
	// The word-order bonus read from positions needs the words' exact
	// forms among the terms searched.
	exactForms := bonus && !common
	seen := map[string]bool{}
	for _, c := range r.parsed.Clauses {
		// A repeated clause ("word for word") adds nothing to the AND;
		// a repeated OR branch nothing to the OR.
		key := fmt.Sprint(c.Negate)
		for _, t := range c.Terms {
			key += fmt.Sprintf("\x00%d:%s", t.Kind, strings.ToLower(t.Text))
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		var strict, loose, plain []bq.Query
		var cp clausePlan
		seenTerm := map[query.Term]bool{}
		for _, t := range c.Terms {
			lt := query.Term{Kind: t.Kind, Text: strings.ToLower(t.Text)}
			if seenTerm[lt] {
				continue
			}
			seenTerm[lt] = true
			tp, ok := x.termPlan(t, exactForms)
			if !ok {
				continue
			}
			strict, loose, plain = append(strict, tp.strict), append(loose, tp.loose), append(plain, tp.fuzzy)
			cp.strictMarks = append(cp.strictMarks, tp.strictMarks...)
			cp.looseMarks = append(cp.looseMarks, tp.looseMarks...)
			cp.fuzzyMarks = append(cp.fuzzyMarks, tp.fuzzyMarks...)
		}
		if len(strict) == 0 {
			continue
		}
		if c.Negate {
			p.negs = append(p.negs, strict...)
			continue
		}
		cp.strict, cp.loose, cp.fuzzy = disj(strict...), disj(loose...), disj(plain...)
		if len(c.Terms) == 1 && c.Terms[0].Kind == query.Phrase {
			// A phrase clause alone: with dense words, searched without
			// them and each hit checked (dense.go). Not in an OR, where a
			// hit could match another branch, nor negated.
			if q, chk := x.densePhraseQuery(x.tokens(c.Terms[0].Text)); q != nil {
				cp.strict = q
				p.checks = append(p.checks, chk)
			}
		}
		p.clauses = append(p.clauses, cp)
	}
	if bonus {
		// The free words in the order typed: as spoken, or in any
		// inflection ("informally passed" for "informally pass it").
		exact := x.phraseExact(free, boostBonus)
		if common {
			// Only the commonest words ("go no"): the phrase as spoken is
			// one word pair, while the phrase in any inflection would read
			// the positions of every line with either word (60% of such a
			// search's time at 1M lines, issue 6); inflections of such
			// words add little. The pair is one term: cheaper than
			// reading the positions of every hit.
			p.bonus = exact
		} else {
			// Read from the positions of the words of every hit (rank.go).
			p.order = make([]orderWord, len(free))
			for i, t := range free {
				p.order[i] = orderWord{exact: t.exact, alts: x.stemAlts(t)}
			}
			stemmed := x.stemmedPhrase(free)
			stemmed.SetBoost(boostStemmed)
			p.bonus = disj(exact, stemmed)
		}
	}
	return p
}

// query assembles the search: strict (every clause) or loose (any clause,
// with close spellings), with or without the speaker and call filters.
func (p *plan) query(r *request, loose, withSpeaker, withCall bool) bq.Query {
	b := bq.NewBooleanQuery(nil, nil, nil)
	switch {
	case len(p.clauses) == 0:
		b.AddMust(bq.NewMatchAllQuery())
	case loose:
		for _, c := range p.clauses {
			if p.noFuzzy {
				b.AddShould(c.fuzzy)
			} else {
				b.AddShould(c.loose)
			}
		}
		if p.bonus != nil {
			b.AddShould(p.bonus)
		}
		b.SetMinShould(1)
	default:
		// The word-order bonus is a clause only for the commonest words
		// (a word pair); otherwise the ranking phase reads it from the
		// positions of the words the clauses match (p.order).
		for _, c := range p.clauses {
			b.AddMust(c.strict)
		}
		if p.bonus != nil && p.order == nil {
			b.AddShould(p.bonus)
		}
	}
	if len(p.negs) > 0 {
		b.AddMustNot(p.negs...)
	}
	var filters []bq.Query
	if withSpeaker {
		if r.speaker != "" {
			filters = append(filters, speakerQuery(r.speaker))
		}
		if len(r.parsed.Speakers) > 0 {
			var any []bq.Query
			for _, s := range r.parsed.Speakers {
				any = append(any, speakerQuery(speakerKey(s)))
			}
			filters = append(filters, disj(any...))
		}
	}
	if withCall {
		if r.call != "" {
			filters = append(filters, term(fieldSlug, r.call, boostFilter))
		}
		if len(r.parsed.Calls) > 0 {
			var any []bq.Query
			for _, c := range r.parsed.Calls {
				any = append(any, term(fieldSlug, c, boostFilter))
			}
			filters = append(filters, disj(any...))
		}
	}
	if r.after != "" || r.before != "" {
		yes := true
		q := bq.NewTermRangeInclusiveQuery(r.after, r.before, &yes, &yes)
		q.SetField(fieldDate)
		q.SetBoost(boostFilter)
		filters = append(filters, q)
	}
	// Filters are required clauses that add nothing to the score, not
	// Bleve filters: a filter is checked on every hit of the rest of the
	// query ("the" and a speaker: every line with "the"), while a
	// required clause can drive the search from its fewer lines.
	for _, f := range filters {
		b.AddMust(f)
	}
	return b
}

// speakerQuery matches a speaker key as typed or folded.
func speakerQuery(key string) bq.Query {
	if f := foldKey(key); f != key && f != "" {
		return disj(term(fieldKeys, key, boostFilter), term(fieldKeys, f, boostFilter))
	}
	return term(fieldKeys, key, boostFilter)
}

// boostFilter makes a filter's share of the score nothing at all. Any
// share would depend on the matched term (a date range's terms each have
// their own frequency), so a filter that excludes nothing would reorder
// hits of equal score, which otherwise stay in archive order; adding zero
// leaves every score as it was, bit for bit.
const boostFilter = 0

// highlightMarks is what the page phase highlights: the words of the
// clauses in the form that was searched.
func (p *plan) highlightMarks(loose bool) []mark {
	var ms []mark
	for _, c := range p.clauses {
		switch {
		case loose && p.noFuzzy:
			ms = append(ms, c.fuzzyMarks...)
		case loose:
			ms = append(ms, c.looseMarks...)
		default:
			ms = append(ms, c.strictMarks...)
		}
	}
	return ms
}

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

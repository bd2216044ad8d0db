package index

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	bq "github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"backchannel/internal/query"
)

// Planning turns the parsed query into Bleve queries: each positive
// clause in every form the fallback ladder may search (form), the
// exclusions, the word-order bonus, and what the page phase highlights
// in each form (marks.go).

// qtok is one token of query text: its exact (folded) form and its stems
// under each language's analyzer.
type qtok struct {
	exact string
	stems []string
	gap   bool // an ellipsis stands before it in the query: words were cut there
}

// hasEllipsis reports whether text begins (with strings.HasPrefix) or
// ends (strings.HasSuffix) with an ellipsis, "…" or "...".
func hasEllipsis(text string, at func(s, affix string) bool) bool {
	return at(text, "…") || at(text, "...")
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

const (
	maxPrefixTerms = 64    // a prefix matches at most this many words, the most frequent
	maxPrefixScan  = 20000 // dictionary entries read for one prefix
	maxFuzzyRunes  = 24    // longer words get no close spellings

	boostPhrase  = 2.0 // a quoted phrase, matched as spoken
	boostBonus   = 3.0 // every free word, in order, as spoken
	boostStemmed = 2.0 // every free word, in order, in any inflection
	boostName    = 2.0 // a free word in the speaker's name
	boostFuzzy   = 0.3 // a misspelling's neighbour, in a fallback
)

// form is the form in which a search takes the query's clauses: the
// rungs of the fallback ladder (search.go) that change the clauses.
type form uint8

const (
	// strictForm: every clause must match, as typed (in any inflection).
	strictForm form = iota
	// looseForm: any clause may match, and a word also in close
	// spellings: the last rung, when nothing has every word.
	looseForm
	// looseExactForm is looseForm without close spellings, for a query
	// whose close spellings are more clauses than Bleve allows.
	looseExactForm
	numForms
	// quoteForm (a query's form, not a clause's): most of the clauses,
	// and two of the three rarest (quoteRare) to drive the search, for a
	// query of quoteMinWords free words or more when no line has them
	// all: a pasted quote with a word the line does not have.
	quoteForm = numForms
)

// Quote form limits.
const (
	quoteMinWords = 4 // free words that make a query a quote
	quoteRare     = 3 // the rarest clauses (found at all), two of which a hit must have
)

// quoteMin is how many of n clauses a hit of quoteForm must have: all
// but a third (at least one less than all).
func quoteMin(n int) int { return n - max(1, n/3) }

// clauseForm is a clause in one form: its query, and what the page
// phase highlights for it.
type clauseForm struct {
	q     bq.Query
	marks []mark
}

// clausePlan is one positive clause of the query in each form.
type clausePlan [numForms]clauseForm

// sameInEveryForm is a clause that reads the same in every form.
func sameInEveryForm(q bq.Query, marks []mark) clausePlan {
	var c clausePlan
	for f := range c {
		c[f] = clauseForm{q: q, marks: marks}
	}
	return c
}

type plan struct {
	clauses []clausePlan
	negs    []bq.Query
	bonus   bq.Query    // the word-order bonus as a query (loose searches)
	order   []orderWord // the word-order bonus from positions (strict searches)
	// checks are the phrases the strict query searches without their
	// dense words (dense.go).
	checks []*phraseCheck
	// cuts are the prefixes that matched more words than were searched.
	cuts []PrefixCut
	// quote is set for a query of quoteMinWords free words or more and
	// nothing else but exclusions: the clauses' document frequencies, for
	// quoteForm.
	quote []int
	// pasted is set for a paste of quoteMinWords free words or more too
	// common for quoteForm's rarest words: its free words, whose rarest
	// word pairs (quotePairs) find may set in pairs to drive quoteForm
	// instead, as its last rung but one.
	pasted []qtok
	pairs  []bq.Query
}

// checksFor are the phrase checks of the query in form f: the strict
// query's, or none for the loose ones (which search whole phrases).
func (p *plan) checksFor(f form) []*phraseCheck {
	if f == quoteForm {
		return nil
	}
	if f != strictForm {
		return nil
	}
	return p.checks
}

// filterTerm is a filter's term: it adds nothing to the score (term
// leaves a boost of 0 at Bleve's default of 1).
func filterTerm(field, t string) bq.Query {
	q := bq.NewTermQuery(t)
	q.SetField(field)
	q.SetBoost(boostFilter)
	return q
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

// termPlan returns t in each form, and what the page phase highlights
// for each.
// A prefix whose expansion was cut is recorded in p.cuts.
func (x *Index) termPlan(p *plan, t query.Term, exactForms bool) (c clausePlan, ok bool) {
	switch t.Kind {
	case query.Prefix:
		q, m, cut := x.prefixQuery(t.Text)
		if cut != nil && !slices.ContainsFunc(p.cuts, func(c PrefixCut) bool { return c.Prefix == cut.Prefix }) {
			p.cuts = append(p.cuts, *cut)
		}
		return sameInEveryForm(q, []mark{m}), true
	case query.Phrase:
		toks := x.tokens(t.Text)
		if len(toks) == 0 {
			return c, false
		}
		strict := x.phraseExact(toks, boostPhrase)
		ms := []mark{seqMark(toks, false)}
		if len(toks) == 1 {
			return sameInEveryForm(strict, ms), true
		}
		// Loose: the phrase, or any of its words (and close spellings).
		words := []bq.Query{strict}
		spelled := []bq.Query{strict}
		var wordMarks, spelledMarks []mark
		for _, tok := range toks {
			words = append(words, x.wordQuery(tok, exactForms))
			spelled = append(spelled, x.wordQuery(tok, exactForms))
			wordMarks = append(wordMarks, wordMark(tok))
			spelledMarks = append(spelledMarks, wordMark(tok))
			if fq := fuzzyQuery(tok); fq != nil {
				spelled = append(spelled, fq)
				spelledMarks = append(spelledMarks, fuzzyMark(tok)...)
			}
		}
		c[strictForm] = clauseForm{strict, ms}
		c[looseForm] = clauseForm{disj(spelled...), spelledMarks}
		c[looseExactForm] = clauseForm{disj(words...), wordMarks}
		return c, true
	}
	toks := x.tokens(t.Text)
	switch len(toks) {
	case 0:
		return c, false
	case 1:
		strict := x.wordQuery(toks[0], exactForms)
		ms := []mark{wordMark(toks[0])}
		c = sameInEveryForm(strict, ms)
		if fq := fuzzyQuery(toks[0]); fq != nil {
			c[looseForm] = clauseForm{disj(strict, fq), fuzzyMark(toks[0])}
		}
		return c, true
	}
	// A word the tokenizer splits ("Russia-Ukraine", "C++"): its parts in
	// sequence, in any inflection; loose, any of its parts.
	strict := bq.Query(x.stemmedPhrase(toks))
	words := []bq.Query{strict}
	var wordMarks []mark
	for _, tok := range toks {
		words = append(words, x.wordQuery(tok, exactForms))
		wordMarks = append(wordMarks, wordMark(tok))
	}
	c[strictForm] = clauseForm{strict, []mark{seqMark(toks, true)}}
	c[looseForm] = clauseForm{disj(words...), wordMarks}
	c[looseExactForm] = c[looseForm]
	return c, true
}

// prefixQuery expands a prefix into the most frequent indexed words that
// start with it, at most maxPrefixTerms, so that a short prefix cannot
// blow up into a huge disjunction (as Elasticsearch's max_expansions). It
// reads at most maxPrefixScan dictionary entries. cut is non-nil when
// words were left out.
func (x *Index) prefixQuery(prefix string) (q bq.Query, m mark, cut *PrefixCut) {
	toks := x.tokens(prefix)
	if len(toks) == 0 {
		return bq.NewMatchNoneQuery(), mark{}, nil
	}
	if len(toks) > 1 { // "don't-*": all but the last are words in sequence
		return phrase(toks, 0), seqMark(toks, false), nil
	}
	p := toks[0].exact
	m = mark{prefix: p}
	dict, err := x.idx.FieldDictPrefix(fieldText, []byte(p))
	if err != nil {
		return bq.NewMatchNoneQuery(), m, nil
	}
	defer dict.Close()
	var entries []index.DictEntry
	more := false
	for i := 0; ; i++ {
		e, err := dict.Next()
		if err != nil || e == nil {
			break
		}
		if i == maxPrefixScan {
			more = true
			break
		}
		if isWordTerm(e.Term) {
			entries = append(entries, *e)
		}
	}
	if len(entries) == 0 {
		return bq.NewMatchNoneQuery(), m, nil
	}
	if len(entries) > maxPrefixTerms || more {
		cut = &PrefixCut{Prefix: p, Words: len(entries), More: more, Searched: min(len(entries), maxPrefixTerms)}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].Count > entries[j].Count })
	if len(entries) > maxPrefixTerms {
		entries = entries[:maxPrefixTerms]
	}
	qs := make([]bq.Query, len(entries))
	for i, e := range entries {
		qs[i] = term(fieldText, e.Term, 0)
	}
	return disj(qs...), m, cut
}

// plan turns the parsed query into Bleve queries.
func (x *Index) plan(r *request) *plan {
	p := &plan{}
	var free []qtok // single free words, in order, for the phrase bonus
	freeWords := 0
	gap := false // an ellipsis before the next free word
	for _, c := range r.parsed.Clauses {
		if len(c.Terms) == 1 && c.Terms[0].Kind == query.Word && !c.Negate {
			text := c.Terms[0].Text
			toks := x.tokens(text)
			if len(toks) > 0 {
				toks[0].gap = gap || hasEllipsis(text, strings.HasPrefix)
				gap = false
			}
			gap = gap || hasEllipsis(text, strings.HasSuffix)
			free = append(free, toks...)
			freeWords++
		}
	}
	if len(free) > query.MaxPhraseWords {
		free = free[:query.MaxPhraseWords]
	}
	bonus := freeWords >= 2 && len(free) >= 2 // one word's own tokens are already a phrase
	common := len(free) < quoteMinWords       // a quote's words are chained from positions (align.go)
	for _, t := range free {
		common = common && x.pairWords[t.exact]
	}
	// The word-order bonus read from positions needs the words' exact
	// forms among the terms searched.
	exactForms := bonus && !common
	seen := map[string]bool{}
	var dfs []int // by clause: its document frequency, or -1
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
		// The clause's terms (OR branches) in each form.
		var branches [numForms][]bq.Query
		var cp clausePlan
		seenTerm := map[query.Term]bool{}
		for _, t := range c.Terms {
			lt := query.Term{Kind: t.Kind, Text: strings.ToLower(t.Text)}
			if seenTerm[lt] {
				continue
			}
			seenTerm[lt] = true
			tp, ok := x.termPlan(p, t, exactForms)
			if !ok {
				continue
			}
			for f := range tp {
				branches[f] = append(branches[f], tp[f].q)
				cp[f].marks = append(cp[f].marks, tp[f].marks...)
			}
		}
		if len(branches[strictForm]) == 0 {
			continue
		}
		if c.Negate {
			p.negs = append(p.negs, branches[strictForm]...)
			continue
		}
		for f := range cp {
			cp[f].q = disj(branches[f]...)
		}
		if len(c.Terms) == 1 && c.Terms[0].Kind == query.Phrase {
			// A phrase clause alone: with dense words, searched without
			// them and each hit checked (dense.go). Not in an OR, where a
			// hit could match another branch, nor negated.
			if q, chk := x.densePhraseQuery(x.tokens(c.Terms[0].Text)); q != nil {
				cp[strictForm].q = q
				p.checks = append(p.checks, chk)
			}
		}
		p.clauses = append(p.clauses, cp)
		df := -1 // not a free word: no quote form
		if len(free) >= quoteMinWords && len(c.Terms) == 1 && c.Terms[0].Kind == query.Word {
			df = x.docFreq(c.Terms[0].Text)
		}
		dfs = append(dfs, df)
	}
	if len(free) >= quoteMinWords && !slices.Contains(dfs, -1) {
		if x.quoteAffordable(dfs) {
			p.quote = dfs
		} else {
			p.pasted = free
		}
	}
	if bonus {
		// The free words in the order typed: as spoken, or in any
		// inflection ("informally passed" for "informally pass it").
		exact := x.phraseExact(free, boostBonus)
		if common {
			// Only the commonest words, and few ("go no"): the phrase as spoken is
			// one word pair, while the phrase in any inflection would read
			// the positions of every line with either word (60% of such a
			// search's time at 1M lines); inflections of such
			// words add little. The pair is one term: cheaper than
			// reading the positions of every hit.
			p.bonus = exact
		} else {
			// Read from the positions of the words of every hit (rank.go).
			p.order = make([]orderWord, len(free))
			for i, t := range free {
				p.order[i] = orderWord{exact: t.exact, alts: x.stemAlts(t), gap: t.gap}
			}
			stemmed := x.stemmedPhrase(free)
			stemmed.SetBoost(boostStemmed)
			p.bonus = disj(exact, stemmed)
		}
	}
	return p
}

// filterMask says which of a request's filters a query applies. The
// date range always applies.
type filterMask uint8

const (
	speakerFilter filterMask = 1 << iota // the speaker parameter and speaker: terms
	callFilter                           // the call parameter and call: terms
	allFilters    = speakerFilter | callFilter
)

// query assembles the search for r: its clauses in form f, with the
// filters of which.
func (p *plan) query(r *request, f form, which filterMask) bq.Query {
	return p.build(r, f, which, false)
}

// rankQuery is query for the ranking phase: in quoteForm, the clauses
// are marked and no minimum is asked of them; the ranking phase keeps the
// hits with at least minClauses marks (quotemark.go). It returns 0 for
// minClauses in the other forms.
func (p *plan) rankQuery(r *request, f form) (q bq.Query, minClauses int) {
	if f == strictForm && p.order != nil {
		// Every hit's positions are read: each word's inflections as a
		// disjunction that reads no posting ahead (quotemark.go).
		return p.build(r, f, allFilters, true), 0
	}
	if f != quoteForm || len(p.clauses) == 0 {
		return p.query(r, f, allFilters), 0
	}
	return p.build(r, f, allFilters, true), quoteMin(len(p.clauses))
}

// build is query; marked marks the clauses of quoteForm instead of
// asking Bleve for a minimum of them, and searches the words of
// strictForm as lazy disjunctions (rankQuery).
func (p *plan) build(r *request, f form, which filterMask, marked bool) bq.Query {
	b := bq.NewBooleanQuery(nil, nil, nil)
	switch {
	case len(p.clauses) == 0:
		b.AddMust(bq.NewMatchAllQuery())
	case f == quoteForm:
		// The rarest clauses (or word pairs) drive the search; most
		// clauses must match.
		rare := p.pairs
		if rare == nil {
			order := make([]int, len(p.clauses))
			for i := range order {
				order[i] = i
			}
			sort.SliceStable(order, func(a, b int) bool { return p.quote[order[a]] < p.quote[order[b]] })
			for _, i := range order {
				if p.quote[i] > 0 && len(rare) < quoteRare {
					rare = append(rare, p.clauses[i][strictForm].q)
				}
			}
		}
		switch {
		case len(rare) == 0:
			b.AddMust(bq.NewMatchNoneQuery())
		case len(rare) < quoteRare && marked:
			b.AddMust(&noPositions{q: disj(rare...)})
		case len(rare) < quoteRare:
			b.AddMust(disj(rare...))
		default:
			// Two of the three: a pasted word the line lacks may be
			// one of them.
			d := bq.NewDisjunctionQuery(rare)
			d.SetMin(2)
			if marked {
				// Its words' positions come from the clauses.
				b.AddMust(&noPositions{q: d})
			} else {
				b.AddMust(d)
			}
		}
		if marked {
			mc := &markedClauses{}
			for i, c := range p.clauses {
				mc.qs = append(mc.qs, &markedQuery{q: c[strictForm].q, n: i})
			}
			// Directly, not in the disjunction AddShould makes (which
			// would read ahead of every candidate again).
			b.Should = mc
		} else {
			for _, c := range p.clauses {
				b.AddShould(c[strictForm].q)
			}
			b.SetMinShould(float64(quoteMin(len(p.clauses))))
		}
	case f == strictForm:
		// The word-order bonus is a clause only for the commonest words
		// (a word pair); otherwise the ranking phase reads it from the
		// positions of the words the clauses match (p.order).
		for _, c := range p.clauses {
			if d, ok := c[f].q.(*bq.DisjunctionQuery); ok && marked && d.Min == 0 && len(d.Disjuncts) > 1 {
				b.AddMust(&markedClauses{qs: d.Disjuncts})
				continue
			}
			b.AddMust(c[f].q)
		}
		if p.bonus != nil && p.order == nil {
			b.AddShould(p.bonus)
		}
	default:
		for _, c := range p.clauses {
			b.AddShould(c[f].q)
		}
		if p.bonus != nil {
			b.AddShould(p.bonus)
		}
		b.SetMinShould(1)
	}
	if len(p.negs) > 0 {
		b.AddMustNot(p.negs...)
	}
	var filters []bq.Query
	if which&speakerFilter != 0 {
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
	if which&callFilter != 0 {
		if r.call != "" {
			filters = append(filters, filterTerm(fieldSlug, r.call))
		}
		if len(r.parsed.Calls) > 0 {
			var any []bq.Query
			for _, c := range r.parsed.Calls {
				any = append(any, filterTerm(fieldSlug, c))
			}
			filters = append(filters, disj(any...))
		}
	}
	if len(r.parsed.Markings) > 0 {
		var any []bq.Query
		for _, m := range r.parsed.Markings {
			any = append(any, filterTerm(fieldMarking, markingKey(m)))
		}
		filters = append(filters, disj(any...))
	}
	if (r.after != "" || r.before != "") && r.dates == nil { // else checked from the columns (rank.go)
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
		return disj(filterTerm(fieldKeys, key), filterTerm(fieldKeys, f))
	}
	return filterTerm(fieldKeys, key)
}

// boostFilter makes a filter's share of the score nothing at all. Any
// share would depend on the matched term (a date range's terms each have
// their own frequency), so a filter that excludes nothing would reorder
// hits of equal score, which otherwise stay in archive order; adding zero
// leaves every score as it was, bit for bit.
const boostFilter = 0

// highlightMarks is what the page phase highlights: the words of the
// clauses in form f, the form that was searched.
func (p *plan) highlightMarks(f form) []mark {
	if f == quoteForm {
		f = looseExactForm // any of the words
	}
	var ms []mark
	for _, c := range p.clauses {
		ms = append(ms, c[f].marks...)
	}
	return ms
}

// quoteAffordable reports whether the quote form of clauses with document
// frequencies dfs reads few enough lines: its hits have two of the three
// rarest words found (or one of one or two), and their estimated number
// (the words taken as independent) must be at most quoteMaxShare of the
// lines. A paste of only common words would read the positions of most
// of the archive; it goes on down the ladder instead.
func (x *Index) quoteAffordable(dfs []int) bool {
	var d []float64
	for _, df := range dfs {
		if df > 0 {
			d = append(d, float64(df))
		}
	}
	slices.Sort(d)
	n := float64(max(x.meta.Lines, 1))
	var est float64
	switch len(d) {
	case 0:
		return false
	case 1, 2:
		for _, v := range d {
			est += v
		}
	default:
		est = (d[0]*d[1] + d[0]*d[2] + d[1]*d[2]) / n
	}
	return est <= quoteMaxShare*n
}

// quotePairs returns the rarest word pairs of free (side by side, both
// common words: the text field has them as one term) that some line has,
// quoteRare at most, rarest first; nil for none.
func (x *Index) quotePairs(free []qtok) []bq.Query {
	type pair struct {
		t  string
		df uint64
	}
	var ps []pair
	for i := 0; i+1 < len(free); i++ {
		a, b := free[i].exact, free[i+1].exact
		if !x.pairWords[a] || !x.pairWords[b] || free[i+1].gap {
			continue
		}
		t := string(pairTerm(a, b))
		if slices.ContainsFunc(ps, func(p pair) bool { return p.t == t }) {
			continue
		}
		tfr, err := x.reader.TermFieldReader(context.Background(), []byte(t), fieldText, false, false, false)
		if err != nil {
			continue
		}
		if n := tfr.Count(); n > 0 {
			ps = append(ps, pair{t, n})
		}
		_ = tfr.Close()
	}
	if len(ps) == 0 {
		return nil
	}
	slices.SortStableFunc(ps, func(a, b pair) int { return cmp.Compare(a.df, b.df) })
	var qs []bq.Query
	for _, p := range ps[:min(len(ps), quoteRare)] {
		qs = append(qs, term(fieldText, p.t, 0))
	}
	return qs
}

// quoteMaxShare: see quoteAffordable.
const quoteMaxShare = 0.02

// docFreq is the number of lines with the word text as typed (its first
// token), 0 when none.
func (x *Index) docFreq(text string) int {
	toks := x.tokens(text)
	if len(toks) == 0 {
		return 0
	}
	tfr, err := x.reader.TermFieldReader(context.Background(), []byte(toks[0].exact), fieldText, false, false, false)
	if err != nil {
		return 0
	}
	defer tfr.Close()
	return int(tfr.Count())
}

package index

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"backchannel/internal/query"
)

// DefaultTimeout bounds a search whose context has no deadline.
const DefaultTimeout = 2 * time.Second

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
	// dates, when set, is the date range as call-date ordinals, checked
	// on each hit from the columns instead of by a clause (see
	// Index.dateRange).
	dates *dateRange
}

// dated reports whether r has a date range or another filter that no
// facet ignores (marking:), which stored rankings and counts know nothing
// of.
func (r *request) dated() bool {
	return r.after != "" || r.before != "" || len(r.parsed.Markings) > 0
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
	r.dates = x.dateRange(r.after, r.before)
	f, err := x.find(ctx, r)
	if err != nil {
		return nil, err
	}
	res := &Result{Parsed: r.parsed.String(), Hits: []Hit{}, Total: f.rk.Total,
		Fallback: f.fallback, Suggestions: f.suggestions, PrefixCuts: f.p.cuts, Pasted: r.parsed.Pasted}
	res.Facets = x.facets(f.rk)
	defer x.putCounts(f.rk.calls)
	r, p := f.r, f.p
	// Facet counts ignore their own filter: one count-only request each,
	// only when that filter is set. They and the page of hits are
	// independent, so they run at once.
	var speakerFacet, callFacet *ranking
	var wg sync.WaitGroup
	errs := make([]error, 3)
	// A hot word's counts without filters are stored (hot.go).
	hotFacets := f.hot != "" && f.form == strictForm && !r.dated() && !f.fallback
	switch {
	case r.filterSpeakers && hotFacets && !r.filterCalls:
		speakerFacet, errs[0] = x.hotRanking(f.hot, 0, 0)
	case r.filterSpeakers:
		wg.Go(func() {
			speakerFacet, errs[0] = x.facetOnly(ctx, p.query(r, f.form, allFilters&^speakerFilter), countSpeakers, p.checksFor(f.form), r.dates)
		})
	}
	switch {
	case r.filterCalls && hotFacets && !r.filterSpeakers:
		callFacet, errs[1] = x.hotRanking(f.hot, 0, 0)
	case r.filterCalls:
		wg.Go(func() {
			callFacet, errs[1] = x.facetOnly(ctx, p.query(r, f.form, allFilters&^callFilter), countCalls, p.checksFor(f.form), r.dates)
		})
	}
	if len(f.rk.Hits) > 0 || len(f.rk.docs) > 0 {
		marks := p.highlightMarks(f.form)
		if r.filterSpeakers || r.filterCalls {
			wg.Go(func() { res.Hits, errs[2] = x.page(ctx, f.rk, marks) })
		} else {
			// Alone: waking another goroutine for it was 12-18% of a
			// rare word's search.
			res.Hits, errs[2] = x.page(ctx, f.rk, marks)
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

// found is the outcome of the fallback ladder.
type found struct {
	r    *request // the request searched: the corrected one after a suggestion
	p    *plan    // r's plan
	form form     // the form of p's clauses that found rk
	rk   *ranking
	// hot is the hot word the request asks for (hot.go), "" if none;
	// rk is its stored ranking when the request has no filter.
	hot         string
	suggestions []string // the corrected query, when it is what found rk
	fallback    bool     // rk is not every word as typed
}

// find ranks r's hits by the fallback ladder, each rung tried only when
// the one before found nothing:
//
//  1. every word as typed (a hot word's stored ranking, when it is alone);
//  2. for a quote (quoteMinWords free words or more), most of its words,
//     the lines that hold them in order and close together first;
//  3. every word, with the misspelled ones corrected (suggest);
//  4. any of the words as typed, and close spellings of them (without
//     close spellings when they make too many clauses for Bleve).
func (x *Index) find(ctx context.Context, r *request) (*found, error) {
	f := &found{r: r, p: x.plan(r), form: strictForm, hot: x.hotWord(r)}
	var err error
	if f.hot != "" && !r.filterSpeakers && !r.filterCalls && !r.dated() && r.order == SortRelevance {
		f.rk, err = x.hotRanking(f.hot, r.from, r.size)
	} else {
		f.rk, err = x.run(ctx, r, f.p, strictForm)
	}
	if err != nil || f.rk.Total > 0 || len(f.p.clauses) == 0 {
		return f, err
	}

	// quote runs the quote rung; it reports whether it found lines.
	quote := func() (bool, error) {
		rk, err := x.run(ctx, r, f.p, quoteForm)
		if err != nil || rk.Total == 0 {
			return false, err
		}
		f.rk, f.form, f.fallback = rk, quoteForm, true
		return true, nil
	}
	if f.p.quote != nil {
		if ok, err := quote(); err != nil {
			return nil, err
		} else if ok {
			return f, nil
		}
	}

	if s := x.suggest(r.parsed); len(s) > 0 {
		cr := *r
		cr.parsed = query.Parse(s[0])
		cp := x.plan(&cr)
		rk, err := x.run(ctx, &cr, cp, strictForm)
		if err != nil {
			return nil, err
		}
		if rk.Total > 0 {
			f.r, f.p, f.rk, f.suggestions, f.fallback = &cr, cp, rk, s, true
			return f, nil
		}
		// A suggestion that finds nothing helps no one.
	}

	// A paste of common words, by its rarest word pairs.
	if f.p.pasted != nil {
		if f.p.pairs = x.quotePairs(f.p.pasted); f.p.pairs != nil {
			if ok, err := quote(); err != nil {
				return nil, err
			} else if ok {
				return f, nil
			}
			f.p.pairs = nil
		}
	}

	form := looseForm
	rk, err := x.run(ctx, r, f.p, form)
	if err != nil && strings.Contains(err.Error(), "TooManyClauses") {
		form = looseExactForm
		rk, err = x.run(ctx, r, f.p, form)
	}
	if err != nil {
		return nil, err
	}
	if rk.Total > 0 {
		f.rk, f.form, f.fallback = rk, form, true
	}
	return f, nil
}

// run is the ranking phase of r's page in form f: document numbers,
// scores and facet counts, no stored fields (the page phase reads each
// hit's ID with them). The strict form earns the word-order bonus from
// the hits' word positions, and checks the phrases it searched without
// their dense words.
func (x *Index) run(ctx context.Context, r *request, p *plan, f form) (*ranking, error) {
	q, minClauses := p.rankQuery(r, f)
	rr := rankRequest{q: q, minClauses: minClauses, order: r.order, from: r.from, size: r.size, count: countAll, dates: r.dates,
		split: f != strictForm || p.order != nil}
	switch f {
	case strictForm:
		rr.words, rr.checks = p.order, p.checks
	case quoteForm:
		rr.words = p.order
	}
	if r.order == SortRelevance && rr.checks == nil && (f == quoteForm || f == strictForm && p.order != nil) {
		rr.replica = x.newReplica(p.query(r, f, allFilters), p.order)
	}
	return x.rank(ctx, rr)
}

// dateRange is an inclusive range of call-date ordinals (columns.callDate).
type dateRange struct{ lo, hi uint32 }

// maxDateTerms is the widest date range searched as a clause. A range is
// a disjunction of one term per call date in it; a wide one (after: a
// date years back: ~1,300 dates of a 1M-line archive) made Bleve advance
// a heap of that many posting lists on every hit of the other clauses,
// 41% of a distinct-query run of "word after:" over HTTP (pprof, issue 13),
// and hundreds of ms a query at 1M lines. Past it the range is checked on
// each hit from the columns, which costs an array read.
const maxDateTerms = 64

// dateRange returns the range of call dates from after to before
// (inclusive; "" is open) as ordinals among the archive's dates, when it
// spans more than maxDateTerms dates; else nil, and the range is a clause.
func (x *Index) dateRange(after, before string) *dateRange {
	if after == "" && before == "" {
		return nil
	}
	dates := x.meta.Dates
	if x.cols == nil || len(x.cols.callDate) == 0 || len(dates) == 0 {
		return nil
	}
	lo := sort.SearchStrings(dates, after) // first date >= after
	hi := len(dates) - 1
	if before != "" {
		hi = sort.Search(len(dates), func(i int) bool { return dates[i] > before }) - 1
	}
	if hi-lo+1 <= maxDateTerms {
		return nil
	}
	return &dateRange{lo: uint32(lo), hi: uint32(hi)}
}

package index

import "errors"

// ErrBadQuery is returned for search parameters that are out of range (a page
// too deep, a size too big, a malformed date). Query text itself is never an
// error: text the parser cannot read as written is read as plain words.
var ErrBadQuery = errors.New("bad query")

// Limits on a search request.
const (
	DefaultSize = 20
	MaxSize     = 100
	MaxFrom     = 10000 // (page-1)*size may not exceed this
)

// Query is a search request in the archive's own terms.
type Query struct {
	// Text is the user's query in Backchannel's query language: words,
	// "phrases", -exclude, OR, speaker:NAME, call:SLUG, after:DATE,
	// before:DATE, prefix*.
	Text string
	// Speaker filters by a participant's id, label, full name or surname,
	// any case, with or without diacritics, across calls. Several matching
	// participants: any of them.
	// A value that matches nobody gives no hits.
	Speaker string
	// Call filters by call slug.
	Call string
	// After and Before filter by call date (YYYY-MM-DD, inclusive).
	After, Before string
	// Sort is "" or "relevance" (default) or "date" (oldest first) or "-date".
	Sort string
	// Page is 1-based; Size is hits per page (DefaultSize when 0, at most MaxSize).
	Page, Size int
}

// Result is one page of hits with facet counts.
type Result struct {
	Total    uint64
	Hits     []Hit
	Facets   Facets
	Parsed   string // how the query was read, in the query language
	Fallback bool   // true when not every word matched and some-word results are shown
	// Pasted is true when the query read as a pasted sentence, so a
	// "-word" in it was searched as the word, not excluded.
	Pasted bool
	// Suggestions, when the words as typed found nothing, are queries
	// (in the query language, ready for ?q=) with each unknown word
	// replaced by the closest indexed word; only a suggestion that finds
	// something is given, and then the hits are its hits (Fallback is
	// true). Nil when there is none.
	Suggestions []string
	// PrefixCuts are the query's prefixes that start more indexed words
	// than one search takes: only the most frequent of them were searched
	// (as Elasticsearch's max_expansions), so lines with the others are
	// missing. Nil when no prefix was cut.
	PrefixCuts []PrefixCut
}

// PrefixCut is a prefix whose expansion was cut.
type PrefixCut struct {
	Prefix   string // as indexed (folded), without the *
	Words    int    // indexed words that start with it; at least this many when More
	More     bool   // the dictionary was read only so far: there may be more
	Searched int    // the most frequent words searched
}

// Hit is one matching line.
type Hit struct {
	Call      string     // call slug
	Line      int        // line number
	Speaker   string     // participant ID, "" for a direction
	Text      string     // the line's full text
	Fragments []Fragment // where the query matched: [] when only the speaker's name did
	Terms     []string   // the words that matched, as they appear in the text (for highlighting on the page)
	Score     float64
	Date      string  // call date, YYYY-MM-DD
	Language  string  // call language, e.g. "en"
	Time      float64 // offset into the call in seconds, -1 when unknown
}

// Fragment is a hit's text, or a part of it, with the words the query
// matched. It is plain text: the web page, the API and the terminal each
// format it in their own way.
type Fragment struct {
	// Text is the line's text, or a part of it about 200 characters
	// long that begins and ends with "…" where the line was cut.
	Text string
	// Marks are the matched words: byte offsets into Text, in order,
	// not overlapping.
	Marks []Span
}

// Span is the bytes [Start, End) of a text.
type Span struct{ Start, End int }

// Facets counts hits by field. Speaker counts ignore the speaker filter;
// call counts ignore the call filter.
type Facets struct {
	Speaker  []FacetCount
	Call     []FacetCount
	Language []FacetCount
}

// FacetCount is one facet value and how many hits have it.
type FacetCount struct {
	Value string // speaker ID, call slug or language code
	Count int
}

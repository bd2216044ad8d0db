package index

import (
	"fmt"
	"slices"
	"strings"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/keyword"
	"github.com/blevesearch/bleve/v2/mapping"

	"backchannel/internal/transcript"
)

// SchemaVersion is bumped whenever the mapping, an analyzer or the stored
// document changes; an index built with another version is rebuilt.
const SchemaVersion = 14

// Field names: the JSON tags of lineDoc and the Bleve field paths.
const (
	fieldSlug = "slug"  // call slug: keyword (filter)
	fieldKeys = "skeys" // participant keys (id, labels, name, surname, aliases), lower-cased: keyword
	fieldName = "sname" // participant's full name, aliases and their spellings: analysed, so free words match names
	fieldText = "text"  // the line: stored, term vectors; words, marked stems and common pairs (analysis.go)
	fieldDate = "date"  // call date YYYY-MM-DD: keyword (range filter)
	fieldTime = "time"  // offset in seconds, -1 when unknown: stored only
	// fieldMarking is the line's portion mark ("S/NF"), upper-cased: keyword
	fieldMarking = "marking"
)

// Document types, one per text analysis.
const (
	docTypeEN    = "line_en"
	docTypeRU    = "line_ru"
	docTypeOther = "line"
)

// lineDoc is what is indexed for one line of a call.
//
// Only the text and the time are stored: a hit's call and line come from
// its ID, its speaker, date and language from the columns (page.go). The
// other stored fields were 11% of the index (issue 6).
type lineDoc struct {
	Slug string   `json:"slug"`
	Keys []string `json:"skeys"`
	Name string   `json:"sname"`
	Text string   `json:"text"`
	Date string   `json:"date"`
	Time float64  `json:"time"`

	Marking string `json:"marking,omitempty"`

	docType string
}

// BleveType tells Bleve which document mapping (and so which analyzer)
// applies.
func (d *lineDoc) BleveType() string { return d.docType }

func docID(slug string, n int) string { return fmt.Sprintf("%s#%d", slug, n) }

// archiveOrder returns the calls by date, then slug.
func archiveOrder(calls []*transcript.Call) []*transcript.Call {
	out := slices.Clone(calls)
	slices.SortStableFunc(out, func(a, b *transcript.Call) int {
		if c := strings.Compare(a.Date, b.Date); c != 0 {
			return c
		}
		return strings.Compare(a.Slug, b.Slug)
	})
	return out
}

// newLineDoc makes the document for line l of call c. Whatever it reads of
// c must be in callHash.
func newLineDoc(c *transcript.Call, l transcript.Line) *lineDoc {
	lang := lineLang(c)
	text := strings.ToValidUTF8(l.Text, "\uFFFD")
	d := &lineDoc{
		Slug:    c.Slug,
		Text:    text,
		Date:    c.Date,
		Time:    l.Time,
		Marking: markingKey(l.Marking),
		docType: docTypeFor(lang),
	}
	if p, ok := c.Participant(l.Speaker); ok && l.Speaker != "" {
		for _, k := range p.Keys() {
			k = speakerKey(k)
			d.Keys = append(d.Keys, k)
			if f := foldKey(k); f != k {
				d.Keys = append(d.Keys, f)
			}
		}
		d.Name = nameWords(p)
	}
	return d
}

// nameWords is what the name field holds for participant p: its name, its
// aliases, and every other spelling of their words that
// transcript.SpellingVariants knows, so that a free word "zelensky" finds
// the lines of Zelenskyy. Only names get these spellings, never the text.
func nameWords(p transcript.Participant) string {
	words := strings.Fields(p.Name)
	for _, a := range p.Aliases {
		words = append(words, strings.Fields(a)...)
	}
	seen := make(map[string]bool, len(words))
	var out []string
	for _, w := range words {
		for _, v := range transcript.SpellingVariants(string(foldTerm([]byte(strings.ToLower(w))))) {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return strings.Join(out, " ")
}

// markingKey is a portion mark as the marking field holds it and a
// marking: filter searches it: upper case, spaces collapsed.
func markingKey(m string) string {
	return strings.ToUpper(strings.Join(strings.Fields(strings.ToValidUTF8(m, "")), " "))
}

// facetCodes numbers the speakers, calls and languages of an archive for
// the columns (columns.go), which hold the codes, not the names. The
// tables are kept in backchannel.json.
type facetCodes struct {
	Speakers  []string `json:"speakers"`  // participant IDs
	Calls     []string `json:"calls"`     // slugs
	Languages []string `json:"languages"` // language codes
}

func newFacetCodes(calls []*transcript.Call, sums []callSum) facetCodes {
	var fc facetCodes
	seen := map[string]bool{}
	add := func(list *[]string, kind, v string) {
		if !seen[kind+v] {
			seen[kind+v] = true
			*list = append(*list, v)
		}
	}
	for i, c := range calls {
		add(&fc.Calls, "c", c.Slug)
		add(&fc.Languages, "l", lineLang(c))
		for _, sp := range sums[i].speakers {
			add(&fc.Speakers, "s", sp)
		}
	}
	return fc
}

// extend returns a copy of fc with the speakers, calls and languages of
// the re-indexed calls appended: codes already in use keep their meaning,
// since the documents of calls an incremental build keeps hold them.
func (fc facetCodes) extend(calls []*transcript.Call, sums []callSum, reindex []bool) facetCodes {
	out := facetCodes{
		Speakers:  slices.Clone(fc.Speakers),
		Calls:     slices.Clone(fc.Calls),
		Languages: slices.Clone(fc.Languages),
	}
	seen := map[string]bool{}
	for _, v := range out.Speakers {
		seen["s"+v] = true
	}
	for _, v := range out.Calls {
		seen["c"+v] = true
	}
	for _, v := range out.Languages {
		seen["l"+v] = true
	}
	add := func(list *[]string, kind, v string) {
		if !seen[kind+v] {
			seen[kind+v] = true
			*list = append(*list, v)
		}
	}
	for i, c := range calls {
		if !reindex[i] {
			continue
		}
		add(&out.Calls, "c", c.Slug)
		add(&out.Languages, "l", lineLang(c))
		for _, sp := range sums[i].speakers {
			add(&out.Speakers, "s", sp)
		}
	}
	return out
}

// lineLang is the language of a call's lines.
func lineLang(c *transcript.Call) string {
	lang := strings.ToLower(strings.TrimSpace(c.Language))
	if lang == "" {
		return "en"
	}
	return lang
}

// speakerKey normalises a speaker name the way Participant.Keys does, and
// collapses inner whitespace.
func speakerKey(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// foldKey folds a speaker key as the text analyzers fold words, so that
// "Renee Lefevre" finds Renée Lefèvre, and writes the transliteration
// variants of names one way (transcript.SpellingKey), so that "zelensky"
// finds Zelenskyy. Keys are indexed both as typed and folded, and a
// speaker filter searches both.
func foldKey(k string) string {
	f := strings.Fields(k)
	for i, w := range f {
		f[i] = string(foldTerm([]byte(w)))
	}
	return transcript.SpellingKey(strings.Join(f, " "))
}

func docTypeFor(lang string) string {
	base, _, _ := strings.Cut(lang, "-")
	switch base {
	case "en":
		return docTypeEN
	case "ru":
		return docTypeRU
	}
	return docTypeOther
}

// newMapping is the closed, explicit mapping of the index: nothing is
// indexed that is not named here.
// pairWords are the common words whose pairs the text field holds
// (buildMeta.PairWords); selfStems the common words it also marks as a
// stem (buildMeta.SelfStems).
func newMapping(pairWords, selfStems []string) (mapping.IndexMapping, error) {
	m := bleve.NewIndexMapping()
	anys := func(ss []string) []any {
		out := make([]any, len(ss))
		for i, w := range ss {
			out[i] = w
		}
		return out
	}
	words, self := anys(pairWords), anys(selfStems)
	for name, stemmer := range textFilters() {
		if err := m.AddCustomTokenFilter(name, map[string]any{"type": textName, "stemmer": stemmer, "words": words, "self": self}); err != nil {
			return nil, fmt.Errorf("token filter %s: %w", name, err)
		}
	}
	for name, filters := range analyzers() {
		if err := m.AddCustomAnalyzer(name, analyzerConfig(filters)); err != nil {
			return nil, fmt.Errorf("analyzer %s: %w", name, err)
		}
	}
	m.AddDocumentMapping(docTypeEN, lineMapping(analyzerTextEN))
	m.AddDocumentMapping(docTypeRU, lineMapping(analyzerTextRU))
	m.AddDocumentMapping(docTypeOther, lineMapping(analyzerTextOther))
	m.DefaultMapping = bleve.NewDocumentDisabledMapping()
	m.DefaultAnalyzer = analyzerPlain
	m.StoreDynamic = false
	m.IndexDynamic = false
	m.DocValuesDynamic = false
	return m, nil
}

func lineMapping(textAnalyzer string) *mapping.DocumentMapping {
	keyword := func(store, docValues bool) *mapping.FieldMapping {
		f := bleve.NewKeywordFieldMapping()
		f.Analyzer = keywordAnalyzer
		f.Store = store
		f.DocValues = docValues
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	storedOnly := func(f *mapping.FieldMapping) *mapping.FieldMapping {
		f.Index = false
		f.Store = true
		f.DocValues = false
		f.IncludeInAll = false
		f.IncludeTermVectors = false
		return f
	}
	text := func(analyzer string, store, vectors bool) *mapping.FieldMapping {
		f := bleve.NewTextFieldMapping()
		f.Analyzer = analyzer
		f.Store = store
		f.IncludeTermVectors = vectors // positions: phrases and highlight locations need them
		f.DocValues = false
		f.IncludeInAll = false
		return f
	}

	d := bleve.NewDocumentStaticMapping()
	d.AddFieldMappingsAt(fieldSlug, keyword(false, false))
	d.AddFieldMappingsAt(fieldKeys, keyword(false, false))
	d.AddFieldMappingsAt(fieldName, text(analyzerPlain, false, false))
	d.AddFieldMappingsAt(fieldText, text(textAnalyzer, true, true))
	d.AddFieldMappingsAt(fieldDate, keyword(false, false))
	d.AddFieldMappingsAt(fieldTime, storedOnly(bleve.NewNumericFieldMapping()))
	d.AddFieldMappingsAt(fieldMarking, keyword(false, false))
	// No field is in _all, but Bleve still builds the empty composite field
	// for every document unless _all is disabled: 10% of a 1M-line build's
	// CPU in cmd/bench's profile.
	d.AddSubDocumentMapping("_all", bleve.NewDocumentDisabledMapping())
	return d
}

const keywordAnalyzer = keyword.Name

// Package index keeps the archive's lines in a Bleve index on disk and
// answers searches over them.
//
// It is the only package that imports Bleve. Its API speaks in the plain
// types of this package (Query, Result, Hit) and of package transcript, so
// that the web layer never sees a Bleve type. A server opens an index
// read-only.
//
// # An index folder
//
// Build writes one index into a folder it is given (package library
// decides where builds go, which one is current and who may build):
// Bleve's files, backchannel.json, calls.json, columns.bin, hot.bin,
// hot.json, dense.bin and tokens.bin. It indexes with large batches on parallel
// workers, merges to one segment (removing segment files the root no
// longer uses), writes backchannel.json (schema version, archive hash,
// facet tables, call dates, common words) and calls.json, computes
// columns.bin, the dense words' positions (dense.bin), the hot words
// (hot.bin, hot.json) and every line's words as term numbers (tokens.bin,
// which the word-order bonus reads instead of Bleve's positions) from the
// index opened read-only, fsyncs every file
// and folder, and opens it to check the document count and that a known
// word finds its line. A failed or cancelled Build removes its folder.
//
// A Build is incremental when it is given an earlier index (From) of the
// same schema and most of the archive is unchanged: the new folder starts
// as hard links to the earlier index's segment files (scorch never
// rewrites one) and a copy of its root.bolt, and only the calls whose indexed content changed (by a
// hash of their parsed fields, kept in calls.json) are indexed again; it
// is then verified and swapped in like a full build. Documents hold no
// archive-wide order (that is in the columns, below, made anew by every
// build), so a new call needs no other call re-indexed. Past a share of
// replaced lines, Build does a full build.
//
// # Documents and analysis
//
// One document per line, id "slug#n". Only the text and the time are
// stored; a hit's call and line come from its ID, its speaker, date and
// language from the columns. The text is indexed once, in one
// field, "text" (stored, with term vectors: positions, not offsets), whose analyzer emits at each
// word's position the word as spoken (folded), its stem marked "~" when
// the call's language stems it differently (Porter for en, Snowball for
// ru, none otherwise) or when it is a common word that is its own stem
// and shares it with other words ("~go" at "go", so that "go" in any
// inflection is one term), and the pair "a b" when the word and the next are
// both among the archive's most common (chosen by the full build from a
// sample, kept by incremental ones), so that a phrase of common words ("of
// the", "it is not") is read from one or a few rare terms. A phrase as
// spoken reads the words; a stemmed search reads "talk" and "~talk". (Three
// fields, stemmed, exact and pairs, cost twice the build time: Bleve's
// cost is per field of every line as much as per word.)
//
// Every analyzer uses the unicode tokenizer and the backchannel_fold token filter (apostrophes removed, so "I’ll",
// "I'll" and "Ill" are one term; dashes and ellipses; diacritics; case), and
// none drops stop words. Folding is done on terms, never by a char filter,
// so highlight offsets stay right. Speakers are indexed by their
// lower-cased keys (id, labels, name, surname; filter) and by name as text
// (free words match names). Filters (speaker,
// call, dates) are required clauses with a negligible boost, so that the
// filter's lines drive the search.
//
// # Searching
//
// Query text is parsed by package query, never by Bleve's query-string
// parser. Every clause must match; a single word matches its stems, its
// exact form or the speaker's name; a quoted phrase matches the exact
// words in order; the free words in the order typed earn a bonus, most as
// spoken.
// When nothing matches every word, Search retries with misspelled words
// replaced by the closest indexed word, then with any of the words (and
// close spellings), and sets Result.Fallback. Ranking is Bleve's score with
// ties broken by date, call and line. Bleve only finds and scores the hits:
// a handler of ours keeps the top ones and counts the facets from columns
// held in memory by Bleve's document number (rank in archive order,
// speaker and call codes; columns.bin, computed at build time), so no hit
// costs a doc-value read. Hits are ranked first, then only the page of
// hits is loaded and highlighted by analysing those lines again and
// marking what the query matched (marks.go). Facet counts for speaker and
// call ignore their own filter (one extra count-only request each, only
// when that filter is set).
//
// A search for one of the hot words alone (the few hundred words, and
// quoted pairs of common words, on the most lines) reads its ranking,
// total and facet counts from hot.bin, computed by the build with the
// search code itself (hot.go): Bleve would otherwise score every line with
// "the" to find the best ten. A quoted phrase with one of the dense words
// (those on at least 5% of lines) is searched without them, and each hit
// is checked against their positions in dense.bin (dense.go): Bleve would
// otherwise step through every posting of "the".
package index

// Package query parses Backchannel's search language.
//
// The language is small and forgiving: words; "exact phrases" in straight
// or curly quotes; -exclude (a word or a phrase); a OR b; speaker:NAME
// (speaker:"Full Name" for names with spaces); call:SLUG; after:YYYY-MM-DD
// and before:YYYY-MM-DD; prefix* with at least two characters before the
// star. Nothing is ever a syntax error: text that cannot be read as written
// (an unbalanced quote, a bare speaker:, a bad date, a lone star) is read as
// plain words, and String shows how the query was read.
//
// The package imports only the standard library and knows nothing of the
// index; package index turns a parsed Query into Bleve queries.
package query

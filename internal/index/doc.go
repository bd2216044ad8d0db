// Package index keeps the archive's lines in a Bleve index on disk and
// answers searches over them.
//
// It is the only package that imports Bleve. Its API speaks in the plain
// types of this package (Query, Result, Hit) and of package transcript, so
// that the web layer never sees a Bleve type. An index is built beside the
// live one and swapped in only when complete and verified; a running server
// opens it read-only.
package index

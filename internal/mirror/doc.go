// Package mirror writes a static mirror of the archive: every page the
// site serves (home, call pages, a page for every line and for the ranges
// pages link to, speaker pages, search and its help), the downloads, the
// feed, the sitemap and the API's read-only JSON, as files that any static
// file server serves, and a file:// browser opens, with every link
// working. See paths.go for where each address of the site lands.
//
// Pages are rendered by the site itself (an http.Handler, the web.Server
// of the archive being exported), one request at a time, and written as
// they come: the export's memory does not grow with the archive. Links
// in a page are made relative to it (rewrite.go), so the mirror works at
// any address and from a folder.
//
// Search works in the browser, without a server: the export writes a
// sharded index of its own (search.go) that mirror.js, the mirror's only
// script of its own, reads with script tags, so it works from file:// as
// well as from a server. It finds lines with all the words of a query
// (folded for accents, case and apostrophes), phrases, -words, speaker:,
// call:, after: and before:.
//
// The mirror is a BagIt bag (package bagit): the site is its payload
// under data/, with the transcript files it was built from, byte for
// byte, under data/transcripts/. The bag is written in a new folder
// beside the output and renamed into place once finished; a folder that
// holds anything is only replaced when asked to.
package mirror

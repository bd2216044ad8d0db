// Package annotate reads editorial notes on transcripts.
//
// Notes live beside a transcript in a file named {slug}.notes.md, so the
// transcript itself stays byte for byte as published and its checksum
// holds. A notes file has an optional YAML header (fidelity, corrections),
// then an optional headnote (Markdown before the first note), then notes:
// each starts with a heading that anchors it to a line, a range of lines,
// and optionally an exact quote inside a line:
//
//	## L2
//	## L1-L3
//	## L2 "exact words from line 2"
//
// The format is documented in transcripts/README.md. Parse reads one file;
// Attach checks its notes against the call they annotate and marks a note
// whose line no longer exists, or whose quote no longer matches its line,
// as detached (it is reported, and shown as detached, never moved or
// dropped). LoadDir does both for every notes file in a transcripts folder,
// and Check is transcript.Check plus the notes.
//
// Note text is Markdown rendered once, at load time, by package markdown
// (safe goldmark plus an allow-list sanitizer). Search matches note text
// with the query language of package query, ignoring case and the kind of
// apostrophe or quote.
package annotate

// Package library is the archive's lifecycle: how the data folder holds
// verified builds of the transcripts folder, how a build is made (Ingest),
// opened (OpenCurrent), served while new builds are swapped in (Library),
// followed when another process swaps one (Library.Follow) and remade
// when the transcripts change (Library.Watch).
//
// What a request shows comes only from the build it opened, never from
// the transcripts folder: a broken, half-written, changed or missing
// transcript changes nothing a reader sees until a build that includes it
// has been verified and swapped in.
//
// The data folder:
//
//	current          symlink to the build being served (build-ID)
//	build-ID/        a complete, verified build:
//	  index/         the search index (package index)
//	  catalog        the calls' headers, the state of the files they were
//	                 read from, and each call's object in the line store
//	  notes/         the editorial notes files ({slug}.notes.md) as built
//	  build.json     what the build is (Info); written last
//	objects/         the line store (package store): every call content
//	                 any build read, kept for the versions of a call
//	tmp-ID/          a build being made (removed by the next build)
//	build.lock       held by the one process making a build
//
// A build is made in tmp-ID, synced, opened and checked, renamed to
// build-ID and made current by renaming a new symlink over current: one
// rename swaps the index, catalog and notes together. Every server polls
// current and opens the new build within a second; the build it replaced
// is kept (a server may still be reading it) and older ones are removed.
package library

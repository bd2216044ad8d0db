// Package store keeps the lines of every call that a build has read, in
// the data folder, so that no request ever reads, hashes or parses a
// transcript file.
//
// Each distinct content of a call (its file and its sidecar, as parsed by
// one version of the parsers) is an object: the call's header and its
// lines, written once, never changed, and named by a digest of what it was
// parsed from (Key). An ingest writes the objects of new content before it
// builds the index, reads the lines it indexes back from them, and the
// catalog of the build names each call's object; a server reads a call's
// lines, or a few of them, from its object. Unchanged content is never
// written again, so the store grows with the archive's changes, not with
// its size times the number of ingests; objects of past contents stay, for
// the versions of a call.
//
// An object file:
//
//	magic "bchcall1"               8 bytes
//	header length                  uint32, little-endian
//	line count n                   uint32
//	offsets                        n+1 uint32: where each line starts in the line data
//	header                         JSON of the call without its lines
//	line data                      JSON of each line, one after another
//	CRC-32C of everything before   uint32
//
// Beside the objects, source/ keeps each transcript file's bytes as
// published, named by their SHA-256 (a version's name), for downloads and
// mirrors that ship the file itself.
//
// A line, or a run of lines, is read with two small reads and without
// decoding the others. Objects are written to a temporary file, synced and
// renamed into place: a reader sees a whole object or none.
package store

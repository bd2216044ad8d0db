// Package transcript is the domain model of the archive: calls, their
// participants and their numbered lines, and the parsers that read
// transcript files into that model.
//
// It imports only the standard library and small parsing libraries (YAML);
// it knows nothing of Bleve or HTTP. Every problem found in a file is
// reported as a Problem naming the path and line, so that a user can fix
// the file; parsing never guesses and never rewrites a line's words.
//
// A Catalog is an archive without its lines, saved in each build of the
// data folder: while every file is as it recorded (size, times, inode), a
// build trusts it instead of reading and hashing the folder, and an archive
// read from it reads a call's lines through a LineReader (the line store)
// when a page needs them (WithLines, LineRange).
package transcript

// Package export writes a whole archive to one file, for people who take
// the data elsewhere: SQLite (for sqlite3, Datasette or any language),
// NDJSON (for jq and scripts) or CSV (for a spreadsheet).
//
// Every format holds every call, participant, line and editorial note of
// the archive, with the text exactly as in the transcripts. The writers
// stream: they read one call's lines at a time through Source.Lines, so
// the memory they use does not grow with the archive.
//
// The SQLite file (written by the subpackage sqlite, so that only the
// programs that write one link an SQL engine) has the tables calls,
// participants, lines and notes, with foreign keys from participants, lines
// and notes to their call and from a line to its speaker among the call's
// participants, and lines_fts, an FTS5 index over the lines' text (external
// content: lines). NDJSON is one JSON object per call per line of the file,
// the object the API gives for the call (Source.Record). CSV is one table
// with a "record" column saying what each row is: call, participant, line or
// note (see CSVHeader).
//
// ToFile writes any of them (a FileWriter: Stream(WriteNDJSON),
// Stream(WriteCSV) or sqlite.Write) under a temporary name beside the final
// one and renames it into place only once complete, so a failed or
// interrupted export never leaves a partial file under the final name; it
// refuses to replace an existing file unless asked to.
package export

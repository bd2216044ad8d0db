package transcript

import (
	"bytes"
	"path/filepath"
	"strings"
)

// A format is one kind of transcript file: how it is recognised, what
// Call.Format calls it, which parser reads it and whether it carries its
// metadata itself. Adding a format is adding a row to formats.
type format struct {
	ext  string // file name extension, lower case with the dot: ".txt"
	name string // Call.Format: "txt"
	// is, when set, tells by the file's content whether this row reads it.
	// Rows of one extension are tried in order; the first whose is is nil
	// or true reads the file. Rows of one extension share name and
	// ownHeader, so that a file name alone tells both.
	is    func(data []byte) bool
	parse parser
	// ownHeader is true when the file holds its own metadata (a YAML
	// header): a sidecar beside it is ignored, with a warning.
	ownHeader bool
}

// formatTable is the list of formats Parse reads, in the order the messages
// name them.
type formatTable []format

// formats are the transcript formats Parse reads.
var formats = formatTable{
	{ext: ".md", name: "md", parse: parseMD, ownHeader: true},
	{ext: ".vtt", name: "vtt", parse: parseVTT},
	{ext: ".srt", name: "srt", parse: parseSRT},
	{ext: ".json", name: "json", parse: parseJSON},
	{ext: ".txt", name: "txt", is: looksLikeRadioLog, parse: parseRadioLog},
	{ext: ".txt", name: "txt", parse: parseMemo},
	{ext: ".xml", name: "xml", parse: parseXML},
}

// forPath returns the first format of a file name's extension, or
// ok=false when the extension is not a transcript format. Its name and
// ownHeader hold for every format of that extension.
func (t formatTable) forPath(path string) (f format, ok bool) {
	ext := strings.ToLower(filepath.Ext(path))
	for _, f := range t {
		if f.ext == ext {
			return f, true
		}
	}
	return format{}, false
}

// forFile returns the format that reads a file: the first of its
// extension whose content test passes.
func (t formatTable) forFile(path string, data []byte) (f format, ok bool) {
	if i := t.row(path, data); i >= 0 {
		return t[i], true
	}
	return format{}, false
}

// row is the index of the format forFile returns, or -1.
func (t formatTable) row(path string, data []byte) int {
	ext := strings.ToLower(filepath.Ext(path))
	for i, f := range t {
		if f.ext == ext && (f.is == nil || f.is(data)) {
			return i
		}
	}
	return -1
}

// hasOwnHeader reports whether the format named name carries its
// metadata itself, so that a sidecar is not read for it.
func (t formatTable) hasOwnHeader(name string) bool {
	for _, f := range t {
		if f.name == name {
			return f.ownHeader
		}
	}
	return false
}

// known lists the extensions of the table, for messages: ".md, .vtt, …".
func (t formatTable) known() string {
	var exts []string
	for _, f := range t {
		if !contains(exts, f.ext) {
			exts = append(exts, f.ext)
		}
	}
	return strings.Join(exts, ", ")
}

// maxSniff bounds how much of a file a content test reads.
const maxSniff = 64 << 10

// headLines returns the first lines of a text file for a content test,
// read as decodeText reads them (byte order marks, UTF-16, CR and CRLF
// line ends) but from at most maxSniff bytes of UTF-8. The last line may be
// cut short.
func headLines(data []byte) []string {
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		s, err := decodeUTF16(data)
		if err != nil {
			return nil
		}
		data = []byte(s)
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	}
	s := string(data[:min(len(data), maxSniff)])
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

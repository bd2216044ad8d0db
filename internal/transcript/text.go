package transcript

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// maxReports caps how many problems of one repetitive kind (invalid UTF-8,
// control characters) a file gets, so that a binary file does not flood the
// output; the last report says how many more there are.
const maxReports = 10

// emptyAdvice is what to do about an empty file, which is reported at its
// line 1 so that every problem names a line.
const emptyAdvice = "fill it in, or remove it"

// decodeText turns a text file into lines, without their terminators. It
// strips a UTF-8 byte order mark, decodes UTF-16 with a byte order mark,
// and treats CRLF and a lone CR as line ends. Line i of the result is line
// i+1 of the file.
//
// ok is false when the file cannot be read as text at all (empty, binary);
// problems about some lines (invalid UTF-8, control characters) leave ok
// true so that the caller can report the file's other problems too.
func decodeText(path string, data []byte) (lines []string, ps Problems, ok bool) {
	lines, ps, ok = decodeLines(path, data)
	if ok {
		var bad []Problem
		for i, l := range lines {
			if p, found := controlProblem(path, i+1, l, Error, "remove it (is this a binary file?)"); found {
				bad = append(bad, p)
			}
		}
		ps = append(ps, capped(bad, "control characters")...)
	}
	return lines, ps, ok
}

// controlProblem reports the first control character (isBadControl) of
// line s, which is line n of the file, with what to do about it.
func controlProblem(path string, n int, s string, sev Severity, advice string) (Problem, bool) {
	j := strings.IndexFunc(s, isBadControl)
	if j < 0 {
		return Problem{}, false
	}
	r, _ := utf8.DecodeRuneInString(s[j:])
	return Problem{Path: path, Line: n, Col: j + 1, Severity: sev,
		Message: fmt.Sprintf("control character %U: %s", r, advice)}, true
}

// decodeLines is decodeText without the check for control characters, for
// formats that allow them (WebVTT allows any character but NUL).
func decodeLines(path string, data []byte) (lines []string, ps Problems, ok bool) {
	if len(data) == 0 {
		return nil, Problems{{Path: path, Line: 1, Severity: Error, Message: "file is empty: " + emptyAdvice}}, false
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}), bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		s, err := decodeUTF16(data)
		if err != nil {
			return nil, Problems{{Path: path, Line: 1, Severity: Error, Message: err.Error()}}, false
		}
		ps = append(ps, Problem{Path: path, Line: 1, Severity: Warning,
			Message: "file is UTF-16; it was read as such, but save it as UTF-8 so that other tools read it too"})
		data = []byte(s)
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := position(data, i)
		return nil, append(ps, Problem{Path: path, Line: line, Col: col, Severity: Error,
			Message: "file contains a NUL byte: it is binary, not a text transcript"}), false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, append(ps, Problem{Path: path, Line: 1, Severity: Error, Message: "file is empty (only white space): " + emptyAdvice}), false
	}

	s := string(data)
	if strings.IndexByte(s, '\r') >= 0 {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	s = strings.TrimSuffix(s, "\n")
	lines = strings.Split(s, "\n")

	var badUTF8 []Problem
	for i, l := range lines {
		if !utf8.ValidString(l) {
			badUTF8 = append(badUTF8, Problem{Path: path, Line: i + 1, Col: invalidUTF8At(l) + 1, Severity: Error,
				Message: "invalid UTF-8: save the file as UTF-8"})
		}
	}
	ps = append(ps, capped(badUTF8, "invalid UTF-8")...)
	return lines, ps, true
}

// capped keeps the first maxReports problems and replaces the rest by one
// that counts them.
func capped(ps []Problem, what string) []Problem {
	if len(ps) <= maxReports {
		return ps
	}
	rest := ps[maxReports]
	rest.Col = 0
	rest.Message = fmt.Sprintf("%s on %d more lines", what, len(ps)-maxReports)
	return append(ps[:maxReports:maxReports], rest)
}

// isBadControl reports C0 control characters other than tab, form feed and
// vertical tab, which never belong in a transcript.
func isBadControl(r rune) bool {
	return r < 0x20 && r != '\t' && r != '\f' && r != '\v' && r != '\n' && r != '\r'
}

// invalidUTF8At returns the byte offset of the first invalid UTF-8 sequence.
func invalidUTF8At(s string) int {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return 0
}

// position returns the 1-based line and byte column of offset i in data.
// CRLF, LF and a lone CR each end a line.
func position(data []byte, i int) (line, col int) {
	line, start := 1, 0
	for j := 0; j < i && j < len(data); j++ {
		switch data[j] {
		case '\n':
			line, start = line+1, j+1
		case '\r':
			if j+1 >= len(data) || data[j+1] != '\n' {
				line, start = line+1, j+1
			}
		}
	}
	return line, i - start + 1
}

// decodeUTF16 decodes UTF-16 text that starts with a byte order mark.
func decodeUTF16(data []byte) (string, error) {
	if len(data)%2 != 0 {
		return "", fmt.Errorf("file starts with a UTF-16 byte order mark but has an odd number of bytes: save it as UTF-8")
	}
	big := data[0] == 0xFE
	u := make([]uint16, 0, len(data)/2-1)
	for i := 2; i+1 < len(data); i += 2 {
		if big {
			u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			u = append(u, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	for i := 0; i < len(u); i++ {
		switch {
		case utf16.IsSurrogate(rune(u[i])) && u[i] < 0xDC00 && i+1 < len(u) && u[i+1] >= 0xDC00 && u[i+1] < 0xE000:
			i++
		case utf16.IsSurrogate(rune(u[i])):
			return "", fmt.Errorf("file is UTF-16 with an unpaired surrogate at character %d: save it as UTF-8", i+1)
		}
	}
	return string(utf16.Decode(u)), nil
}

// lineCounter gives the line of offsets that only grow, counting each byte
// once (position counts from the start every time). Line ends are as in
// position.
type lineCounter struct {
	data      []byte
	off, line int
}

// lineAt returns the 1-based line of offset i; i must not decrease.
func (lc *lineCounter) lineAt(i int) int {
	if lc.line == 0 {
		lc.line = 1
	}
	for ; lc.off < i && lc.off < len(lc.data); lc.off++ {
		switch lc.data[lc.off] {
		case '\n':
			lc.line++
		case '\r':
			if lc.off+1 >= len(lc.data) || lc.data[lc.off+1] != '\n' {
				lc.line++
			}
		}
	}
	return lc.line
}

// Package csvout writes CSV for people who open it in a spreadsheet: RFC
// 4180 (comma separated, fields quoted when needed, CRLF after each
// record), UTF-8, with cells that a spreadsheet would run as a formula made
// inert as the OWASP CSV-injection guidance says.
//
// Text is never changed otherwise. A cell whose text begins with =, +, -,
// @, a tab, a carriage return, or a single quote is written with one single
// quote (') in front: spreadsheets then show it as text rather than
// evaluate it. To get the exact text back, remove the first character of
// every cell that begins with a single quote (Unquote does that). Line
// breaks inside a cell are written as they are in the text.
package csvout

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"io"
)

// Writer writes CSV records. Create it with NewWriter; call Flush at the
// end (or whenever the output should reach the client).
type Writer struct {
	out  *bufio.Writer
	buf  bytes.Buffer
	cw   *csv.Writer
	cell []string
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer) *Writer {
	cw := &Writer{out: bufio.NewWriterSize(w, 32<<10)}
	cw.cw = csv.NewWriter(&cw.buf)
	return cw
}

// Write writes one record, each cell made safe with Safe. encoding/csv
// does the quoting; the record then ends in CRLF as RFC 4180 asks. (Its
// UseCRLF option would also turn each line break inside a cell into CRLF
// and drop lone carriage returns, changing the text.)
func (w *Writer) Write(record []string) error {
	w.cell = w.cell[:0]
	for _, s := range record {
		w.cell = append(w.cell, Safe(s))
	}
	w.buf.Reset()
	if err := w.cw.Write(w.cell); err != nil {
		return err
	}
	w.cw.Flush()
	if err := w.cw.Error(); err != nil {
		return err
	}
	b := w.buf.Bytes()
	b = b[:len(b)-1] // the "\n" that ends the record
	if _, err := w.out.Write(b); err != nil {
		return err
	}
	_, err := w.out.WriteString("\r\n")
	return err
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error { return w.out.Flush() }

// Safe returns s with a single quote in front when it begins with a
// character that makes a spreadsheet read a cell as a formula (=, +, -, @,
// tab, carriage return), or with a single quote itself (so that removing
// one leading quote always gives s back).
func Safe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r', '\'':
		return "'" + s
	}
	return s
}

// Unquote undoes Safe: it removes the first character of a cell that
// begins with a single quote.
func Unquote(s string) string {
	if len(s) > 0 && s[0] == '\'' {
		return s[1:]
	}
	return s
}

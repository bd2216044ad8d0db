package export

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"backchannel/internal/annotate"
	"backchannel/internal/csvout"
	"backchannel/internal/transcript"
)

// CSVHeader are the columns of the CSV export: one table holding four
// kinds of rows, told apart by "record".
//
//   - call: slug, title, date, completeness, publisher, source_url, and
//     the call's summary in text.
//   - participant: the call's columns, then speaker_id, speaker_name, role
//     and labels (joined by "; ").
//   - line: the call's columns, then n, kind (turn or direction),
//     speaker_id, speaker_name and role (of a turn), text and time (seconds;
//     empty when unknown).
//   - note: the call's columns, then note (note-3, or headnote), n and last
//     (the lines it is about; empty for the headnote), quote, and text (the
//     note as written, in Markdown).
//
// Every row repeats its call's columns, so that a spreadsheet filter on
// one call or date keeps its participants, lines and notes. Cells are
// written by package csvout (formula-like text guarded with a leading ').
var CSVHeader = []string{"record", "call", "call_title", "date", "completeness", "publisher", "source_url",
	"n", "last", "kind", "speaker_id", "speaker_name", "role", "labels", "note", "quote", "text", "time"}

// Column positions in CSVHeader.
const (
	colRecord = iota
	colCall
	colCallTitle
	colDate
	colCompleteness
	colPublisher
	colSourceURL
	colN
	colLast
	colKind
	colSpeakerID
	colSpeakerName
	colRole
	colLabels
	colNote
	colQuote
	colText
	colTime
)

// WriteCSV writes the CSV export (CSVHeader) in archive order: each call's
// row, then its participants, lines and notes.
func WriteCSV(ctx context.Context, w io.Writer, src Source) error {
	cw := csvout.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	row := make([]string, len(CSVHeader))
	err := src.Each(ctx, func(c *transcript.Call, ns *annotate.Notes) error {
		write := func(record string, set func(r []string)) error {
			clear(row)
			row[colRecord], row[colCall], row[colCallTitle], row[colDate] = record, c.Slug, c.Title, c.Date
			row[colCompleteness], row[colPublisher], row[colSourceURL] = string(c.Completeness), c.Source.Publisher, c.Source.URL
			set(row)
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("export csv: %w", err)
			}
			return nil
		}
		if err := write("call", func(r []string) { r[colText] = c.Summary }); err != nil {
			return err
		}
		for _, p := range c.Participants {
			if err := write("participant", func(r []string) {
				r[colSpeakerID], r[colSpeakerName], r[colRole], r[colLabels] = p.ID, p.Name, p.Role, strings.Join(p.Labels, "; ")
			}); err != nil {
				return err
			}
		}
		for _, l := range c.Lines {
			if err := write("line", func(r []string) {
				r[colN], r[colKind], r[colText] = strconv.Itoa(l.N), string(l.Kind), l.Text
				if l.Kind == transcript.Turn && l.Speaker != "" {
					r[colSpeakerID], r[colSpeakerName] = l.Speaker, l.Speaker
					if p, ok := c.Participant(l.Speaker); ok {
						r[colSpeakerName], r[colRole] = p.Name, p.Role
					}
				}
				if l.Time >= 0 {
					r[colTime] = strconv.FormatFloat(l.Time, 'f', -1, 64)
				}
			}); err != nil {
				return err
			}
		}
		if ns == nil {
			return nil
		}
		if ns.Headnote != "" {
			if err := write("note", func(r []string) { r[colNote], r[colText] = "headnote", ns.Headnote }); err != nil {
				return err
			}
		}
		for _, n := range ns.Notes {
			if err := write("note", func(r []string) {
				r[colN], r[colLast], r[colNote], r[colQuote], r[colText] = strconv.Itoa(n.First), strconv.Itoa(n.Last), n.ID(), n.Quote, n.Body
			}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("export csv: %w", err)
	}
	return nil
}

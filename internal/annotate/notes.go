package annotate

import (
	"html/template"
	"strconv"
)

// Notes are the editorial notes on one call, read from {slug}.notes.md.
type Notes struct {
	Slug string // the call's slug
	Path string // the notes file

	// Headnote is context shown before the first line (Markdown), and
	// HeadnoteHTML its rendering; both empty when there is none.
	Headnote     string
	HeadnoteHTML template.HTML
	HeadnoteText string // plain text, for search
	// HeadnoteLine is the file line where the headnote starts.
	HeadnoteLine int

	// Fidelity says what kind of record the transcript is, e.g. "verbatim
	// transcript of a recording", "memorandum of conversation",
	// "translation"; "" when the notes do not say.
	Fidelity string
	// Corrections is the dated log of changes to the transcript or its notes.
	Corrections []Correction

	// Notes are in file order; Notes[i].N == i+1.
	Notes []*Note
}

// Correction is one entry of a corrections log.
type Correction struct {
	Date string // YYYY-MM-DD
	Text string // Markdown
	HTML template.HTML
}

// Note is one editorial note, anchored to a line or a range of lines and
// optionally to an exact quote inside one of them.
type Note struct {
	N           int    // 1-based position in the file
	First, Last int    // lines it is about; Last == First for one line
	Quote       string // exact words it is about, "" for the whole line(s)
	Body        string // Markdown
	HTML        template.HTML
	Text        string // plain text of Body, for search
	SourceLine  int    // line of its heading in the notes file

	// Set by Attach.
	// Detached says why the note no longer fits the transcript ("" when
	// it does): its line is gone, or its quote is no longer in the line.
	Detached string
	// QuoteLine is the line the quote was found in, and QuoteStart and
	// QuoteEnd its byte offsets in that line's Text; QuoteLine is 0 when
	// there is no quote or it was not found.
	QuoteLine            int
	QuoteStart, QuoteEnd int
	// ReanchoredFrom is the line the notes file anchors the note to, when
	// its quote is no longer there but in exactly one other line, where
	// Attach moved it (First and Last are then the line it is shown on);
	// 0 when the note is where the file says.
	ReanchoredFrom int

	// written are First and Last as the notes file gives them.
	writtenFirst, writtenLast int
}

// ID is the note's id in pages and links: "note-3".
func (n *Note) ID() string { return "note-" + strconv.Itoa(n.N) }

// Anchor describes what the note is about: "L2", "L1-L3".
func (n *Note) Anchor() string {
	if n.Last > n.First {
		return "L" + strconv.Itoa(n.First) + "-L" + strconv.Itoa(n.Last)
	}
	return "L" + strconv.Itoa(n.First)
}

// OnLine returns the notes that belong beside line n: attached notes whose
// range starts at n, and detached ones whose first line is n. A note about
// a range is shown once, at its first line.
func (ns *Notes) OnLine(n int) []*Note {
	if ns == nil {
		return nil
	}
	var out []*Note
	for _, note := range ns.Notes {
		if note.First == n {
			out = append(out, note)
		}
	}
	return out
}

// Covering returns the notes whose range includes line n.
func (ns *Notes) Covering(n int) []*Note {
	if ns == nil {
		return nil
	}
	var out []*Note
	for _, note := range ns.Notes {
		if note.First <= n && n <= note.Last {
			out = append(out, note)
		}
	}
	return out
}

// Orphans returns the detached notes whose first line does not exist in a
// call of lineCount lines: they cannot be shown beside a line.
func (ns *Notes) Orphans(lineCount int) []*Note {
	if ns == nil {
		return nil
	}
	var out []*Note
	for _, note := range ns.Notes {
		if note.First > lineCount {
			out = append(out, note)
		}
	}
	return out
}

package transcript

import (
	"fmt"
	"sort"
	"strings"
)

// Completeness says whether a transcript holds the whole call.
type Completeness string

const (
	// Excerpt marks a transcript that holds only some lines of the call.
	Excerpt Completeness = "excerpt"
	// Complete marks a transcript of the whole call.
	Complete Completeness = "complete"
	// NotStated is used when the header does not say.
	NotStated Completeness = ""
)

// Order says whether a transcript's lines are in the order they were
// spoken.
type Order string

const (
	// Spoken is the default: the lines are in the order they were spoken.
	Spoken Order = ""
	// OrderUnknown marks lines whose order in the call is not known (a
	// commentary quoted them without saying): they are in the order the
	// source gives them, and must not be read as following one another.
	OrderUnknown Order = "unknown"
)

// Source says where a transcript was published.
type Source struct {
	Publisher string `json:"publisher"`
	URL       string `json:"url"`
	Published string `json:"published"` // YYYY-MM-DD, or empty
	Note      string `json:"note"`      // how the publisher obtained it, as reported
}

// Participant is a person who speaks in a call.
type Participant struct {
	ID     string   `json:"id"`     // stable across calls, e.g. "yuri-ushakov"
	Name   string   `json:"name"`   // full name
	Role   string   `json:"role"`   // e.g. "Foreign-policy aide to Vladimir Putin"
	Labels []string `json:"labels"` // short labels used in the body, e.g. "YU"
	// Aliases are other names people search by, such as other spellings
	// ("Zelensky", "Zelenskiy"). They name the participant in speaker
	// filters and free words, never in the body.
	Aliases []string `json:"aliases,omitempty"`
}

// Surname is the last word of the participant's name.
func (p Participant) Surname() string {
	f := strings.Fields(p.Name)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// Keys are the lower-cased strings a user may type to mean this participant:
// id, labels, full name, surname and aliases (and an alias's last word).
func (p Participant) Keys() []string {
	seen := map[string]bool{}
	var keys []string
	add := func(s string) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !seen[s] {
			seen[s] = true
			keys = append(keys, s)
		}
	}
	add(p.ID)
	for _, l := range p.Labels {
		add(l)
	}
	add(p.Name)
	add(p.Surname())
	for _, a := range p.Aliases {
		add(a)
		if f := strings.Fields(a); len(f) > 1 {
			add(f[len(f)-1])
		}
	}
	return keys
}

// LineKind tells a spoken turn from a stage direction.
type LineKind string

const (
	// Turn is a line spoken by a participant.
	Turn LineKind = "turn"
	// Direction is a stand-alone stage direction such as "[phone rings]".
	Direction LineKind = "direction"
)

// Line is one numbered line of a call: a turn or a stand-alone direction.
type Line struct {
	N       int      // 1-based line number within the call
	Kind    LineKind // Turn or Direction
	Speaker string   // participant ID; empty for a direction
	// Text is the line's words exactly as in the file. A turn that runs over
	// several paragraphs keeps them separated by a blank line ("\n\n").
	Text string
	// Time is the offset into the call in seconds, or -1 when unknown.
	Time float64
	// SourceLine is the 1-based line in the source file where the line starts.
	SourceLine int
	// GapBefore is true when the file marks an omission (a stand-alone
	// "[…]" paragraph) between this line and the one before it, or before
	// the first line. An omission is never a line and has no number.
	GapBefore bool `json:",omitempty"`
	// GapAfter is true on the last line when the file marks an omission
	// after it.
	GapAfter bool `json:",omitempty"`
	// Marking is the classification portion mark the line carries in the
	// record, without its parentheses ("S/NF" for a paragraph that opens
	// with "(S/NF)"), or "".
	Marking string `json:",omitempty"`
}

// Paragraphs splits the line's text into its paragraphs.
func (l Line) Paragraphs() []string { return strings.Split(l.Text, "\n\n") }

// Call is one transcript file: its header and its lines.
type Call struct {
	Slug         string // file base name without extension
	Title        string
	Date         string // YYYY-MM-DD
	Language     string // BCP 47, default "en"
	Completeness Completeness
	// Order is OrderUnknown when the header says `order: unknown`.
	Order        Order `json:",omitempty"`
	Source       Source
	Participants []Participant
	Summary      string // Markdown
	Media        string // optional audio or video URL
	// Record is what the document says about itself beyond its lines (a
	// memorandum's heading and closing), for the provenance block.
	Record Record `json:",omitzero"`
	Lines  []Line

	Path   string // file the call was read from
	SHA256 string // hex digest of the file's bytes
	Format string // "md", "vtt", "srt", "json", "txt"
}

// Record is what a document such as a memorandum of conversation says
// about itself, outside its spoken lines: read from its heading and its
// closing, every value as written. It is shown as provenance, never as a
// line.
type Record struct {
	// Kind is the document's own name for itself, as written:
	// "MEMORANDUM OF TELEPHONE CONVERSATION".
	Kind string `json:"kind,omitempty"`
	// Classification is the banner at the top of the document:
	// "SECRET//ORCON/NOFORN".
	Classification string `json:"classification,omitempty"`
	// Declassification are the lines that say the document was
	// declassified, and when: "Declassified by order of the President".
	Declassification []string `json:"declassification,omitempty"`
	// Time and Place are what the heading says besides the date.
	Time  string `json:"time,omitempty"`
	Place string `json:"place,omitempty"`
	// Authors are who wrote the record down: its notetakers.
	Authors []string `json:"authors,omitempty"`
	// Statement is the record's own statement of its fidelity: the CAUTION
	// paragraph of a memorandum of telephone conversation.
	Statement string `json:"statement,omitempty"`
	// Boilerplate are the other lines of the record that are neither
	// spoken nor heading: "-- End of Memorandum --", "Classified By: ...",
	// "Derived From: ...", "Declassify On: ...".
	Boilerplate []string `json:"boilerplate,omitempty"`
}

// IsZero reports whether the record says nothing.
func (r Record) IsZero() bool {
	return r.Kind == "" && r.Classification == "" && len(r.Declassification) == 0 && r.Time == "" &&
		r.Place == "" && len(r.Authors) == 0 && r.Statement == "" && len(r.Boilerplate) == 0
}

// Participant returns the participant with the given ID.
func (c *Call) Participant(id string) (Participant, bool) {
	for _, p := range c.Participants {
		if p.ID == id {
			return p, true
		}
	}
	return Participant{}, false
}

// Line returns line n (1-based).
func (c *Call) Line(n int) (Line, bool) {
	if n < 1 || n > len(c.Lines) {
		return Line{}, false
	}
	return c.Lines[n-1], true
}

// Severity grades a Problem.
type Severity int

const (
	// Error makes a file unusable.
	Error Severity = iota
	// Warning is worth fixing but does not stop ingest.
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Problem is something wrong with a transcript file, at a place in it.
type Problem struct {
	Path     string
	Line     int // 1-based; 0 when the problem concerns the whole file
	Col      int // 1-based; 0 when unknown
	Severity Severity
	Message  string
}

// String formats the problem as "path:line[:col]: message", with
// "warning: " before the message for warnings.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.Path)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	b.WriteString(": ")
	if p.Severity == Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Problems is a list of problems that is also an error.
type Problems []Problem

// Error joins the problems one per line.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// HasErrors reports whether any problem is an Error.
func (ps Problems) HasErrors() bool {
	for _, p := range ps {
		if p.Severity == Error {
			return true
		}
	}
	return false
}

// Sort orders problems by path, line and column.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

package transcript

import (
	"regexp"
	"strings"
	"sync"
)

// The larger expressions are compiled on first use, as in md.go: only
// parsing a transcript of this format needs them.
var (
	// radioTimeRE is a radio-log timestamp line: [DD:HH:MM:SS] or
	// [HH:MM:SS], possibly negative (before launch).
	radioTimeRE = regexp.MustCompile(`^\[(-?)([0-9]{1,3}):([0-9]{2}):([0-9]{2})(?::([0-9]{2}))?(?:\.([0-9]{1,3}))?\]`)
	// radioMetaRE is a metadata line such as `_page : 8`.
	radioMetaRE = regexp.MustCompile(`^_[A-Za-z0-9_]+[ \t]*:`)
	// linkRE is Spacelog's inline markup: [glossary:S-IVB] or
	// [time:115800|32:10], whose reader-facing text is the key or the part
	// after the bar.
	linkRE = regexp.MustCompile(`\[[a-z]+:([^\]|]*)(?:\|([^\]]*))?\]`)
	// editorialRE is a word before a colon that opens an editor's or
	// transcriber's note, never a speaker: "Note", "Notes", "Editor's note".
	editorialRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i:(?:(?:editor|transcriber|translator)(?:['’]s|s['’]?)?|editorial)[ \t]+)?(?i:notes?)$`)
	})
)

// noTXTTurns is what a plain-text file without turns is told: which two
// layouts a .txt file may have.
const noTXTTurns = "no turns found: a plain-text transcript is either a radio log (`[00:00:01:02]` lines, then `CDR: text`) or a memorandum of conversation (`The President: text` paragraphs)"

// parseRadioLog reads a plain-text radio log: timestamp lines, then
// `CDR: text` lines, indented continuations, `_page : 8` metadata.
func parseRadioLog(in input) (*Call, Problems) {
	return parseText(in, func(b *body, lines []string, _ header) { readRadioLog(b, lines) })
}

// parseText reads a plain-text file's lines and metadata, and its body
// with read.
func parseText(in input, read func(b *body, lines []string, h header)) (*Call, Problems) {
	lines, ps, ok := decodeText(in.path, in.data)
	if !ok {
		return nil, ps
	}
	h, hps := metaFor(in)
	ps = append(ps, hps...)
	b := newBody(in.path, h.Participants)
	read(b, lines, h)
	return b.call(h, ps, 1, noTXTTurns)
}

// looksLikeRadioLog reports whether the first line that is not blank or a
// comment is a timestamp line.
func looksLikeRadioLog(data []byte) bool {
	for _, l := range headLines(data) {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		return radioTimeRE.MatchString(t)
	}
	return false
}

// radioTime returns a radio-log timestamp in seconds; before launch
// (negative) it is -1, since a line's time cannot be negative.
func radioTime(m []string) float64 {
	if m[1] == "-" {
		return -1
	}
	f := []int{atoi(m[2]), atoi(m[3]), atoi(m[4])}
	if m[5] != "" {
		f = append(f, atoi(m[5]))
	}
	sec := 0
	switch len(f) {
	case 4: // DD:HH:MM:SS
		sec = ((f[0]*24+f[1])*60+f[2])*60 + f[3]
	default: // HH:MM:SS
		sec = (f[0]*60+f[1])*60 + f[2]
	}
	t := float64(sec)
	if m[6] != "" {
		t += float64(atoi(m[6])) / pow10(len(m[6]))
	}
	return t
}

// readRadioLog reads the Spacelog transcript format.
func readRadioLog(b *body, lines []string) {
	var cur *Line
	at := -1.0
	inMeta := false
	flush := func() {
		if cur != nil {
			// Links first: "[glossary:]" shows nothing.
			cur.Text = linkRE.ReplaceAllStringFunc(cur.Text, linkText)
			if strings.TrimSpace(cur.Text) == "" {
				what := "turn"
				if cur.Kind == Direction {
					what = "note"
				}
				b.warnf(cur.SourceLine, "%s has no text: skipped", what)
			} else {
				b.add(*cur)
			}
		}
		cur = nil
	}
	for i, raw := range lines {
		n := i + 1
		t := strings.TrimSpace(raw)
		switch {
		case t == "", strings.HasPrefix(raw, "#"):
		case raw[0] == '[' && radioTimeRE.MatchString(raw):
			flush()
			m := radioTimeRE.FindStringSubmatch(raw)
			at = radioTime(m)
			inMeta = false
			// A few logs put the first line of the block on the same line:
			// "[01:02:51:56] CC: text".
			if rest := strings.TrimSpace(raw[len(m[0]):]); rest != "" {
				cur = radioLine(b, rest, n, at)
				if cur == nil {
					b.errorf(n, "text after the timestamp is not `SPEAKER: text`")
				}
			}
		case raw[0] == ' ' || raw[0] == '\t':
			switch {
			case inMeta:
			case cur != nil:
				cur.Text += "\n" + t
			default:
				b.errorf(n, "indented line continues nothing: put `SPEAKER: text` before it")
			}
		case radioMetaRE.MatchString(raw):
			flush()
			inMeta = true
		default:
			l := radioLine(b, t, n, at)
			if l == nil {
				b.errorf(n, "line is not `SPEAKER: text`, a [DD:HH:MM:SS] timestamp, a `_key : value` metadata line, a (bracketed) or [bracketed] note or an indented continuation")
				continue
			}
			flush()
			inMeta = false
			cur = l
		}
	}
	flush()
}

// radioLine reads the first line of a radio-log entry, s (trimmed), at
// file line n: `CDR: text`, a turn; a bracketed or parenthesised note such
// as "(Music: ...)", or an editor's "Note: ...", a direction holding the
// whole line; nil when it is neither.
func radioLine(b *body, s string, n int, at float64) *Line {
	if s[0] == '[' && (len(s) == 1 || strings.ContainsRune("0123456789-:.", rune(s[1]))) {
		return nil // a broken timestamp, "[00:12]", is neither a turn nor a note
	}
	if s[0] == '(' || s[0] == '[' {
		// A bracketed note, closed on this line or on a continuation.
		return &Line{Kind: Direction, Text: s, Time: at, SourceLine: n}
	}
	m := speakerSplit(s, maxCode, false)
	if m == nil {
		return nil
	}
	if isEditorial(m[1], b.sp) {
		return &Line{Kind: Direction, Text: s, Time: at, SourceLine: n}
	}
	return &Line{Kind: Turn, Speaker: b.speaker(m[1], n), Text: strings.TrimSpace(m[2]), Time: at, SourceLine: n}
}

// isEditorialLine reports whether a line opens with an editorial label,
// "Note: ...".
func isEditorialLine(s string, sp *speakers) bool {
	m := speakerSplit(s, maxCode, false)
	return m != nil && isEditorial(m[1], sp)
}

// isEditorial reports whether the text before a colon opens an editorial
// note ("Note", "Editor's note") rather than naming a speaker: it does,
// unless a participant has it as a label or name.
func isEditorial(label string, sp *speakers) bool {
	label = strings.Join(strings.Fields(label), " ")
	return editorialRE().MatchString(label) && len(sp.lookup(label)) == 0
}

// linkText replaces Spacelog link markup by the text a reader sees.
func linkText(s string) string {
	m := linkRE.FindStringSubmatch(s)
	if m[2] != "" {
		return m[2]
	}
	return m[1]
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// speakerLike reports whether the text before a colon is a speaker in a
// format without declarations: a participant, a name in capitals, two to
// four capitalised words ("The President", "Maria Keller"), or one
// capitalised word that starts a line more than once ("Agnew", but not a
// single "Wednesday"). An editorial "Note" is never a speaker.
func speakerLike(name string, sp *speakers, uses map[string]int) bool {
	switch {
	case isEditorial(name, sp):
		return false
	case len(sp.lookup(name)) > 0, capsRE().MatchString(name), nameLikeRE().MatchString(name):
		return true
	}
	return oneNameRE().MatchString(name) && uses[name] > 1
}

// maxCode bounds a radio log's speaker code ("CMP (COLUMBIA)").
const maxCode = 80

// speakerSplit splits `NAME: text` at the first colon: it returns the whole,
// the name (which may hold spaces and parentheses, as in "CDR (TRANQ)")
// and the text, or nil when there is no colon within max bytes. With dash,
// a leading dialogue dash ("- Ana: hi") is skipped. It looks at no more
// than max bytes, so that a 10 MB line costs nothing.
func speakerSplit(s string, max int, dash bool) []string {
	if dash && strings.HasPrefix(s, "-") {
		s = strings.TrimLeft(s[1:], " \t")
	}
	i := strings.IndexByte(s[:min(len(s), max+1)], ':')
	if i <= 0 {
		return nil
	}
	name := strings.TrimRight(s[:i], " \t")
	if name == "" || s[0] == ' ' || s[0] == '\t' || strings.ContainsRune(name, '\n') {
		return nil
	}
	return []string{s, name, strings.TrimLeft(s[i+1:], " \t")}
}

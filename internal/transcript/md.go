package transcript

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"unicode"
)

// maxPrefix bounds the text before a colon that can be a speaker: a
// declaration such as `Maria Keller-Brandt (MKB):` is far shorter.
const maxPrefix = 120

// The expressions with Unicode classes are compiled on first use: together
// they took 2-3 ms of every command's start (GODEBUG=inittrace=1), most of
// the package's init, though only parsing a transcript needs them.
var (
	// declRE is `Full Name (XX)`: one to six words that start with a letter,
	// then a label in parentheses.
	declRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(\pL[\pL\pM'’.\-]*(?:[ \t]+\pL[\pL\pM'’.\-]*){0,5})[ \t]*\(([A-Z][A-Z0-9]{0,5})\)$`)
	})
	// nameLikeRE is two to four capitalised words: text before a colon that
	// a reader would take for a speaker's name.
	nameLikeRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\p{Lu}[\pL\pM'’.\-]*(?:[ \t]+\p{Lu}[\pL\pM'’.\-]*){1,3}$`)
	})
	// timeTagRE is a timestamp at the start of a paragraph or turn:
	// [HH:MM:SS], [H:MM:SS.mmm] or [MM:SS].
	timeTagRE = regexp.MustCompile(`^\[(([0-9]{1,3}):)?([0-9]{1,2}):([0-9]{2})(?:[.,]([0-9]{1,3}))?\]`)
)

// paragraph is a run of non-blank lines.
type paragraph struct {
	line int    // 1-based file line of its first line
	text string // its lines joined by "\n", outer spaces and tabs trimmed
}

// paragraphs splits lines (file lines first..) into paragraphs.
func paragraphs(lines []string, first int) []paragraph {
	var out []paragraph
	start := -1
	flush := func(end int) {
		if start >= 0 {
			t := strings.Join(lines[start:end], "\n")
			out = append(out, paragraph{line: first + start, text: strings.Trim(t, " \t")})
			start = -1
		}
	}
	for i, l := range lines {
		if strings.TrimSpace(l) == "" {
			flush(i)
		} else if start < 0 {
			start = i
		}
	}
	flush(len(lines))
	return out
}

// parseMD reads the project's Markdown format: a YAML header between `---`
// lines, then turns (see transcripts/README.md).
func parseMD(in input) (*Call, Problems) {
	path := in.path
	lines, ps, ok := decodeText(path, in.data)
	if !ok {
		return nil, ps
	}
	open := 0
	for open < len(lines) && strings.TrimSpace(lines[open]) == "" {
		open++
	}
	if open == len(lines) || strings.TrimRight(lines[open], " \t") != "---" {
		return nil, append(ps, Problem{Path: path, Line: open + 1, Severity: Error,
			Message: "file must start with a YAML header: a line `---`, then `title:` and `date:` lines, then `---`"})
	}
	end := -1
	for j := open + 1; j < len(lines); j++ {
		if l := strings.TrimRight(lines[j], " \t"); l == "---" || l == "..." {
			end = j
			break
		}
	}
	if end < 0 {
		return nil, append(ps, Problem{Path: path, Line: open + 1, Severity: Error,
			Message: "header opened here is never closed: add a line `---` after its last key"})
	}
	h, hps := decodeHeader(path, strings.Join(lines[open+1:end], "\n"), open+1, open+1)
	ps = append(ps, hps...)

	b := newBody(path, h.Participants)
	b.settleIn = "the header"
	for _, p := range paragraphs(lines[end+1:], end+2) {
		b.paragraph(p)
	}
	return b.call(h, ps, end+1, "no turns after the header: add lines such as `Maria Keller (MK): text`")
}

// body reads turns paragraph by paragraph.
type body struct {
	path  string
	sp    *speakers
	lines []Line
	ps    Problems
	// open is true when the last line is a turn that a paragraph without a
	// label continues.
	open bool
	// declared is the number of participants the header or sidecar lists.
	declared int
	// lastTime is the latest line time so far, to warn when time goes back.
	lastTime float64
	// gap is true after an omission marker that no line has followed yet.
	gap bool
	// listed is true when a label must name a listed participant (a
	// memorandum that lists them): one that names none, or several, is
	// an error rather than a speaker of its own.
	listed bool
	// settleIn is where the participants are declared, for messages: "the
	// sidecar x.yaml" or "the header".
	settleIn string
	// unsettledSeen are the labels already reported as naming no one
	// participant.
	unsettledSeen map[string]bool
}

func newBody(path string, ps []Participant) *body {
	return &body{path: path, sp: newSpeakers(ps), declared: len(ps), settleIn: "the sidecar " + Slug(path) + ".yaml"}
}

func (b *body) errorf(line int, format string, args ...any) {
	b.ps = append(b.ps, Problem{Path: b.path, Line: line, Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (b *body) warnf(line int, format string, args ...any) {
	b.ps = append(b.ps, Problem{Path: b.path, Line: line, Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

func (b *body) add(l Line) {
	l.N = len(b.lines) + 1
	l.GapBefore, b.gap = b.gap, false
	if l.Time >= 0 {
		if l.Time < b.lastTime {
			b.warnf(l.SourceLine, "time %s is earlier than the line before (%s): check the timestamp", clock(l.Time), clock(b.lastTime))
		}
		b.lastTime = l.Time
	}
	b.lines = append(b.lines, l)
}

// leadingTime reads a timestamp such as [00:01:23], [1:02:03.5] or [01:23]
// at the start of s, in seconds.
func (b *body) leadingTime(s string, line int) (sec float64, rest string, ok bool) {
	if !strings.HasPrefix(s, "[") {
		// Most paragraphs: the expression would fail on the first byte,
		// but only after setting up its backtracker (a tenth of parsing a
		// call without timestamps).
		return 0, s, false
	}
	m := timeTagRE.FindStringSubmatch(s)
	if m == nil {
		return 0, s, false
	}
	h, mi, se := atoi(m[2]), atoi(m[3]), atoi(m[4])
	if mi > 59 && m[2] != "" || se > 59 {
		b.errorf(line, "timestamp %s is not a time: write [HH:MM:SS] with minutes and seconds under 60", m[0])
		return 0, s[len(m[0]):], true
	}
	sec = float64(h*3600 + mi*60 + se)
	if m[5] != "" {
		frac := m[5]
		sec += float64(atoi(frac)) / math.Pow10(len(frac))
	}
	return sec, s[len(m[0]):], true
}

// clock formats seconds as HH:MM:SS.
func clock(sec float64) string {
	neg := ""
	if sec < 0 {
		neg, sec = "-", -sec
	}
	s := int(sec)
	return fmt.Sprintf("%s%02d:%02d:%02d", neg, s/3600, s/60%60, s%60)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
		if n > 1e9 {
			return n
		}
	}
	return n
}

// paragraph reads one paragraph: a stand-alone direction, a new turn, or
// the continuation of the current turn.
func (b *body) paragraph(p paragraph) {
	if isOmission(p.text) {
		if b.gap {
			b.warnf(p.line, "two omission markers in a row: one `[…]` is enough")
		}
		// An omission ends the turn before it: words after it are not
		// known to follow those before.
		b.gap, b.open = true, false
		return
	}
	at := -1.0 // a leading [00:01:23], in seconds
	if t, rest, ok := b.leadingTime(p.text, p.line); ok {
		at = t
		p.text = strings.TrimLeft(rest, " \t\n")
		if p.text == "" {
			b.errorf(p.line, "timestamp alone in a paragraph: put it at the start of a turn, as in `[00:01:23] SW: text`")
			return
		}
	}
	// A record's portion mark, "(S/NF) The President: ...", is the line's
	// marking, not its words.
	mark, text := portionMark(p.text)
	if text == "" {
		mark = ""
	}
	p.text = text
	if isDirection(p.text) {
		b.add(Line{Kind: Direction, Text: p.text, Time: at, SourceLine: p.line, Marking: mark})
		b.open = false
		return
	}
	spk, rest, isLabel := b.label(p)
	if isLabel {
		if at < 0 {
			if t, r, ok := b.leadingTime(rest, p.line); ok {
				at, rest = t, strings.TrimLeft(r, " \t\n")
			}
		}
		b.add(Line{Kind: Turn, Speaker: spk, Text: rest, Time: at, SourceLine: p.line, Marking: mark})
		b.open = true
		return
	}
	if at >= 0 {
		b.errorf(p.line, "timestamp not followed by a speaker: write `[00:01:23] SW: text`")
		b.add(Line{Kind: Turn, Text: p.text, Time: -1, SourceLine: p.line}) // carry on; the file is refused
		b.open = true
		return
	}
	if !b.open {
		switch {
		case len(b.lines) == 0:
			b.errorf(p.line, "paragraph has no speaker: start it with a label such as `SW:` or a declaration such as `Maria Keller (MK):`")
		case b.gap:
			b.errorf(p.line, "paragraph after an omission has no speaker: an omission `[…]` ends the turn before it, so start this paragraph with a label such as `SW:`")
		default:
			b.errorf(p.line, "paragraph after a stage direction has no speaker: start it with a label such as `SW:`")
		}
		// Carry on as if it had one, so that the paragraphs after it are not
		// each reported again; the file is refused anyway.
		b.add(Line{Kind: Turn, Text: p.text, Time: -1, SourceLine: p.line})
		b.open = true
		return
	}
	last := &b.lines[len(b.lines)-1]
	switch {
	case mark != "" && mark != last.Marking:
		// A paragraph marked otherwise than its turn: a line of its own,
		// by the same speaker, so that each line has one marking.
		b.add(Line{Kind: Turn, Speaker: last.Speaker, Text: p.text, Time: -1, SourceLine: p.line, Marking: mark})
	case last.Text == "":
		last.Text = p.text
	default:
		last.Text += "\n\n" + p.text
	}
}

// label reads the speaker before the first colon of a paragraph. isLabel
// is false when the paragraph is prose. When the label is wrong the
// problem is reported and isLabel is true with an empty speaker, so that
// the turn's other paragraphs are not reported again.
func (b *body) label(p paragraph) (speaker, rest string, isLabel bool) {
	colon := strings.IndexByte(p.text, ':')
	if colon <= 0 || colon > maxPrefix {
		return "", "", false
	}
	prefix := strings.TrimRight(p.text[:colon], " \t")
	if strings.ContainsAny(prefix, "\n") {
		return "", "", false
	}
	rest = strings.TrimLeft(p.text[colon+1:], " \t\n")
	// A declaration ends with its label in parentheses: the expression is
	// run only on what can be one (a bare label "MH" is the common case).
	if m := declMatch(prefix); m != nil {
		i, err := b.sp.declare(m[1], m[2])
		if err != nil {
			b.errorf(p.line, "%v", err)
			return "", rest, true
		}
		return b.sp.list[i].ID, rest, true
	}
	switch m := b.sp.lookup(prefix); len(m) {
	case 1:
		return b.sp.list[m[0]].ID, rest, true
	case 0:
	default:
		b.errorf(p.line, "speaker %q matches several participants (%s): use a label or the full name", prefix, b.sp.names(m))
		return "", rest, true
	}
	if labelRE.MatchString(prefix) {
		b.errorf(p.line, "unknown speaker label %q: declare it as `Full Name (%s):` or add it to participants", prefix, prefix)
		return "", rest, true
	}
	if cands, role := b.sp.roleCandidates(prefix); role && len(b.sp.list) > 0 && nameLikeRE().MatchString(prefix) {
		// "The President:" when the header lists no one, or several, with
		// that label or role: never a guess.
		b.errorf(p.line, "%s", b.unsettled(prefix, cands, true))
		return "", rest, true
	}
	if b.looksLikeSpeaker(prefix) {
		b.warnf(p.line, "%q before the colon looks like a speaker but is none, so the paragraph is read as text: declare the speaker as `Full Name (XX):` or add them to participants", prefix)
	}
	return "", "", false
}

// declMatch is declRE's submatches in prefix, or nil.
func declMatch(prefix string) []string {
	if !strings.HasSuffix(prefix, ")") {
		return nil
	}
	return declRE().FindStringSubmatch(prefix)
}

// looksLikeSpeaker reports prose that a reader would take for a speaker:
// a name such as "Tom Brandt", or a known label followed by more words
// ("SW (laughing)").
func (b *body) looksLikeSpeaker(prefix string) bool {
	if nameLikeRE().MatchString(prefix) {
		return true
	}
	first, _, more := strings.Cut(prefix, " ")
	return more && labelRE.MatchString(first) && b.sp.byLabel(first) >= 0
}

// speaker returns the participant id for a speaker code or name found in a
// file without declarations (radio logs, subtitles, JSON), adding a
// participant when none matches; a code with no letter or digit ("...",
// "?") that no participant has names no one, and gives "". When the sidecar lists participants, a
// code that matches none of them is warned about once, at its first line.
func (b *body) speaker(code string, line int) string {
	if !hasLetterOrDigit(code) && len(b.sp.lookup(code)) == 0 {
		// "...: text" or "?: text": the transcriber did not know who
		// spoke, which the turn says by having no speaker.
		return ""
	}
	id, known := b.sp.code(code)
	if !known && b.declared > 0 {
		b.warnf(line, "speaker %q is not among the sidecar's participants: add it to a participant's labels so that it gets a name", code)
	}
	return id
}

// finish checks the lines as a whole; at is the line to name when there
// are none (the header's closing line), and none what to say then.
func (b *body) finish(at int, none string) Problems {
	if len(b.lines) == 0 && !b.ps.HasErrors() {
		b.errorf(at, "%s", none)
	}
	for _, l := range b.lines {
		if l.Kind == Turn && strings.TrimSpace(l.Text) == "" {
			b.errorf(l.SourceLine, "turn has no text: write what was said after the colon")
		}
	}
	return b.ps
}

// call finishes the body (see finish) and, when no problem so far is an
// error, returns the call made of header h and the lines read.
func (b *body) call(h header, ps Problems, at int, none string) (*Call, Problems) {
	ps = append(ps, b.finish(at, none)...)
	if ps.HasErrors() {
		return nil, ps
	}
	if b.gap && len(b.lines) > 0 {
		b.lines[len(b.lines)-1].GapAfter = true
	}
	c := &Call{}
	h.apply(c)
	c.Participants = b.sp.list
	c.Lines = b.lines
	return c, ps
}

// isOmission reports whether the paragraph is an omission marker: `[…]`
// or `[...]` alone, which marks words of the call left out of the file.
func isOmission(s string) bool { return s == "[…]" || s == "[...]" }

// isDirection reports whether the paragraph is one bracketed or
// parenthesised stage direction, such as "[phone rings]" or "(laughs)".
func isDirection(s string) bool {
	if len(s) < 2 {
		return false
	}
	var open, close byte
	switch s[0] {
	case '[':
		open, close = '[', ']'
	case '(':
		open, close = '(', ')'
	default:
		return false
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case open:
			depth++
		case close:
			depth--
			if depth == 0 {
				return i == len(s)-1 && strings.IndexFunc(s[1:i], func(r rune) bool { return !unicode.IsSpace(r) }) >= 0
			}
		}
	}
	return false
}

// hasLetterOrDigit reports whether s holds a letter or a digit, which any
// speaker label or name does.
func hasLetterOrDigit(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

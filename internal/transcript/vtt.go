package transcript

import (
	"bytes"
	"fmt"
	"html"
	"strings"
)

// vttCue is a WebVTT cue as the WebVTT parser algorithm returns it (cue
// settings, regions and style sheets are read past, not kept).
type vttCue struct {
	id         string
	start, end float64 // seconds
	text       string  // the cue payload, tags and all
	line       int     // 1-based file line of the timing line
}

// vttCues runs the WebVTT file parsing algorithm (W3C WebVTT, "WebVTT
// parser algorithm") on a file split into lines, NULs already replaced by
// U+FFFD. ok is false when the signature is wrong, in which case the spec
// says the file is not WebVTT.
func vttCues(lines []string) (cues []vttCue, ok bool) {
	if len(lines) == 0 {
		return nil, false
	}
	sig := lines[0]
	if !strings.HasPrefix(sig, "WEBVTT") || len(sig) > 6 && sig[6] != ' ' && sig[6] != '\t' {
		return nil, false
	}
	pos := 1 // the next line to read
	// The header block: lines up to a blank one, or up to a line with
	// "-->", which starts the first cue instead.
	for pos < len(lines) && lines[pos] != "" && !strings.Contains(lines[pos], "-->") {
		pos++
	}
	for pos < len(lines) {
		for pos < len(lines) && lines[pos] == "" {
			pos++
		}
		if pos == len(lines) {
			break
		}
		var c *vttCue
		c, pos = vttBlock(lines, pos)
		if c != nil {
			cues = append(cues, *c)
		}
	}
	return cues, true
}

// vttBlock is the spec's "collect a WebVTT block" (not in the header): it
// reads one block from lines[pos] and returns the cue it holds, if any, and
// where the next block starts.
func vttBlock(lines []string, pos int) (*vttCue, int) {
	var (
		count     int
		buf       []string
		seenArrow bool
		cue       *vttCue
		prev      = pos
	)
	for pos < len(lines) {
		line := lines[pos]
		count++
		pos++
		if strings.Contains(line, "-->") {
			if count == 1 || count == 2 && !seenArrow {
				seenArrow = true
				prev = pos
				start, end, ok := vttTimings(line)
				if ok {
					cue = &vttCue{id: strings.Join(buf, "\n"), start: start, end: end, line: pos}
					buf = nil
				} else {
					cue = nil
				}
				continue
			}
			return finishBlock(cue, buf), prev
		}
		if line == "" {
			break
		}
		buf = append(buf, line)
		prev = pos
	}
	return finishBlock(cue, buf), pos
}

func finishBlock(c *vttCue, buf []string) *vttCue {
	if c != nil {
		c.text = strings.Join(buf, "\n")
	}
	return c
}

// vttTimings reads "start --> end [settings]"; settings are ignored.
func vttTimings(s string) (start, end float64, ok bool) {
	i := skipWS(s, 0)
	start, i, ok = vttTimestamp(s, i)
	if !ok {
		return 0, 0, false
	}
	i = skipWS(s, i)
	if !strings.HasPrefix(s[i:], "-->") {
		return 0, 0, false
	}
	i = skipWS(s, i+3)
	end, _, ok = vttTimestamp(s, i)
	return start, end, ok
}

// skipWS skips ASCII whitespace (tab, LF, FF, CR, space) from i.
func skipWS(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == '\r') {
		i++
	}
	return i
}

// vttTimestamp is the spec's "collect a WebVTT timestamp": [hh:]mm:ss.ttt,
// hours of any length of at least two digits.
func vttTimestamp(s string, i int) (sec float64, next int, ok bool) {
	digits := func() (string, bool) {
		j := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		return s[j:i], i > j
	}
	v1, ok := digits()
	if !ok {
		return 0, i, false
	}
	hours := len(v1) != 2 || atoi(v1) > 59
	if i >= len(s) || s[i] != ':' {
		return 0, i, false
	}
	i++
	v2, _ := digits()
	if len(v2) != 2 {
		return 0, i, false
	}
	var v3 string
	if hours || i < len(s) && s[i] == ':' {
		if i >= len(s) || s[i] != ':' {
			return 0, i, false
		}
		i++
		v3, _ = digits()
		if len(v3) != 2 {
			return 0, i, false
		}
	} else {
		v1, v2, v3 = "0", v1, v2
	}
	if i >= len(s) || s[i] != '.' {
		return 0, i, false
	}
	i++
	v4, _ := digits()
	if len(v4) != 3 {
		return 0, i, false
	}
	h, m, sec3 := atoi(v1), atoi(v2), atoi(v3)
	if m > 59 || sec3 > 59 || len(v1) > 9 {
		return 0, i, false
	}
	return float64(h*3600+m*60+sec3) + float64(atoi(v4))/1000, i, true
}

// vttNode is a node of the cue text tree (WebVTT cue text parsing rules).
type vttNode struct {
	kind       string // "" for the root, "text", "timestamp", or a tag: c i b u ruby rt v lang
	text       string // text node content, or the timestamp
	classes    []string
	annotation string // v: the voice; lang: the language
	children   []*vttNode
	parent     *vttNode
}

// vttTree parses cue text into its node tree, as the spec's cue text
// tokenizer and tree construction do.
func vttTree(s string) *vttNode {
	root := &vttNode{}
	cur := root
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			cur.children = append(cur.children, &vttNode{kind: "text", text: html.UnescapeString(s[i : i+j]), parent: cur})
			i += j
			continue
		}
		tok, next := vttTag(s, i+1)
		i = next
		switch tok.kind {
		case tagStart:
			var n *vttNode
			switch tok.name {
			case "c", "i", "b", "u", "ruby", "v", "lang":
				n = &vttNode{kind: tok.name, classes: tok.classes, parent: cur}
				if tok.name == "v" || tok.name == "lang" {
					n.annotation = tok.annotation
				}
			case "rt":
				if cur.kind == "ruby" {
					n = &vttNode{kind: "rt", classes: tok.classes, parent: cur}
				}
			}
			if n != nil {
				cur.children = append(cur.children, n)
				cur = n
			}
		case tagEnd:
			switch {
			case tok.name == cur.kind && cur.parent != nil && cur.kind != "text":
				cur = cur.parent
			case tok.name == "ruby" && cur.kind == "rt":
				cur = cur.parent.parent
			}
		case tagTimestamp:
			if t, n, ok := vttTimestamp(tok.name, 0); ok && n == len(tok.name) {
				cur.children = append(cur.children, &vttNode{kind: "timestamp", text: vttClock(t), parent: cur})
			}
		}
	}
	return root
}

const (
	tagNone = iota
	tagStart
	tagEnd
	tagTimestamp
)

type vttToken struct {
	kind       int
	name       string
	classes    []string
	annotation string
}

// vttTag runs the cue text tokenizer from just after a '<' and returns the
// tag token and the index after it.
func vttTag(s string, i int) (vttToken, int) {
	if i >= len(s) {
		return vttToken{kind: tagStart}, i
	}
	switch c := s[i]; {
	case c == '/':
		j := strings.IndexByte(s[i+1:], '>')
		if j < 0 {
			return vttToken{kind: tagEnd, name: s[i+1:]}, len(s)
		}
		return vttToken{kind: tagEnd, name: s[i+1 : i+1+j]}, i + 1 + j + 1
	case c >= '0' && c <= '9':
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return vttToken{kind: tagTimestamp, name: s[i:]}, len(s)
		}
		return vttToken{kind: tagTimestamp, name: s[i : i+j]}, i + j + 1
	case c == '>':
		return vttToken{kind: tagStart}, i + 1
	}
	// Start tag: name, then .classes, then an annotation after white space.
	tok := vttToken{kind: tagStart}
	var buf strings.Builder
	state := "name"
	if s[i] == '\t' || s[i] == '\n' || s[i] == '\f' || s[i] == ' ' {
		state = "annotation"
		i++
	} else if s[i] == '.' {
		state = "class"
		i++
	}
	var name strings.Builder
	for ; i < len(s); i++ {
		c := s[i]
		switch state {
		case "name":
			switch c {
			case '\t', '\f', ' ':
				state = "annotation"
				continue
			case '\n':
				state = "annotation"
				buf.WriteByte(c)
				continue
			case '.':
				state = "class"
				continue
			case '>':
				tok.name = name.String()
				return tok, i + 1
			}
			name.WriteByte(c)
		case "class":
			switch c {
			case '\t', '\f', ' ', '\n':
				tok.classes = append(tok.classes, buf.String())
				buf.Reset()
				if c == '\n' {
					buf.WriteByte(c)
				}
				state = "annotation"
				continue
			case '.':
				tok.classes = append(tok.classes, buf.String())
				buf.Reset()
				continue
			case '>':
				tok.classes = append(tok.classes, buf.String())
				tok.name = name.String()
				return tok, i + 1
			}
			buf.WriteByte(c)
		case "annotation":
			if c == '>' {
				tok.name = name.String()
				tok.annotation = html.UnescapeString(strings.Join(strings.Fields(buf.String()), " "))
				return tok, i + 1
			}
			buf.WriteByte(c)
		}
	}
	tok.name = name.String()
	switch state {
	case "class":
		tok.classes = append(tok.classes, buf.String())
	case "annotation":
		tok.annotation = html.UnescapeString(strings.Join(strings.Fields(buf.String()), " "))
	}
	return tok, i
}

// vttClock formats seconds as the cue text tree does: hh:mm:ss.ttt.
func vttClock(t float64) string {
	ms := int64(t*1000 + 0.5)
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3600000, ms/60000%60, ms/1000%60, ms%1000)
}

// dump writes the tree in the form of the WebVTT cue text parsing tests
// (html5lib style), for conformance tests.
func (n *vttNode) dump(b *bytes.Buffer, depth int) {
	indent := "| " + strings.Repeat("  ", depth)
	for _, c := range n.children {
		switch c.kind {
		case "text":
			fmt.Fprintf(b, "%s\"%s\"\n", indent, c.text)
			continue
		case "timestamp":
			fmt.Fprintf(b, "%s<?timestamp %s>\n", indent, c.text)
			continue
		}
		name := c.kind
		if name == "c" || name == "v" || name == "lang" {
			name = "span"
		}
		fmt.Fprintf(b, "%s<%s>\n", indent, name)
		var cls []string
		for _, x := range c.classes {
			if x != "" {
				cls = append(cls, x)
			}
		}
		if len(cls) > 0 {
			fmt.Fprintf(b, "%s  class=\"%s\"\n", indent, strings.Join(cls, " "))
		}
		if c.kind == "lang" {
			fmt.Fprintf(b, "%s  lang=\"%s\"\n", indent, c.annotation)
		}
		if c.kind == "v" {
			fmt.Fprintf(b, "%s  title=\"%s\"\n", indent, c.annotation)
		}
		c.dump(b, depth+1)
	}
}

// vttSegment is the text of a cue spoken by one voice (or by none).
type vttSegment struct {
	voice    string
	hasVoice bool
	text     string
	italic   bool // every character of the text is inside <i>
}

// segments splits a cue's tree by voice: the text inside each <v> span,
// and the text outside any, in order, with tags dropped and character
// references decoded. Ruby annotations (<rt>) are left out.
func (n *vttNode) segments() []vttSegment {
	var out []vttSegment
	var walk func(n *vttNode, voice string, has, italic bool)
	walk = func(n *vttNode, voice string, has, italic bool) {
		for _, c := range n.children {
			switch c.kind {
			case "text":
				blank := strings.TrimSpace(c.text) == ""
				if k := len(out) - 1; k >= 0 && out[k].hasVoice == has && out[k].voice == voice {
					out[k].text += c.text
					out[k].italic = out[k].italic && (italic || blank)
				} else {
					out = append(out, vttSegment{voice: voice, hasVoice: has, text: c.text, italic: italic || blank})
				}
			case "timestamp", "rt":
			case "v":
				walk(c, c.annotation, c.annotation != "", italic)
			case "i":
				walk(c, voice, has, true)
			default:
				walk(c, voice, has, italic)
			}
		}
	}
	walk(n, "", false, false)
	return out
}

// parseVTT reads a WebVTT file: every cue becomes one line per voice in
// it. A cue part with no voice continues the last speaker, or has no
// speaker when there is none yet; a part that is only a bracketed or
// parenthesised description, or only italics, is a stage direction,
// whether or not a voice is around it. Without a sidecar, NOTE lines such
// as `NOTE title: ...` and `NOTE date: 2024-05-07` give the title and date.
func parseVTT(in input) (*Call, Problems) {
	data := in.data
	var ps Problems
	if i := bytes.IndexByte(data, 0); i >= 0 {
		line, col := position(data, i)
		ps = append(ps, Problem{Path: in.path, Line: line, Col: col, Severity: Warning,
			Message: "NUL bytes replaced by U+FFFD, as WebVTT requires"})
		data = bytes.ReplaceAll(data, []byte{0}, []byte("\uFFFD"))
	}
	// WebVTT allows control characters (other than NUL) anywhere: in a
	// cue identifier, a NOTE or the header they are read past; in cue
	// text they are kept, with a warning, since a reader cannot see them.
	lines, dps, ok := decodeLines(in.path, data)
	ps = append(ps, dps...)
	if !ok {
		return nil, ps
	}
	h, hps := metaFrom(in, vttNotes(lines))
	ps = append(ps, hps...)
	cues, ok := vttCues(lines)
	if !ok {
		return nil, append(ps, Problem{Path: in.path, Line: 1, Severity: Error,
			Message: "not a WebVTT file: the first line must be WEBVTT (alone, or followed by a space or tab and text)"})
	}
	var ctl []Problem
	for _, c := range cues {
		for k, l := range strings.Split(c.text, "\n") {
			if p, found := controlProblem(in.path, c.line+1+k, l, Warning,
				"kept in the cue text, where WebVTT allows it, but no reader sees it: remove it unless it means something"); found {
				ctl = append(ctl, p)
			}
		}
	}
	ps = append(ps, capped(ctl, "control characters")...)
	b := newBody(in.path, h.Participants)
	last := "" // the last speaker, continued by a cue without a voice
	for _, c := range cues {
		segs := vttTree(c.text).segments()
		voiced := false
		for _, seg := range segs {
			voiced = voiced || seg.hasVoice
		}
		for _, seg := range segs {
			text := strings.TrimSpace(seg.text)
			if text == "" {
				continue
			}
			switch {
			case isDirection(text), seg.italic:
				// "[music]", "(laughs)" or "<i>Laughter</i>", with or
				// without a voice around it: no one says it.
				b.add(Line{Kind: Direction, Text: text, Time: c.start, SourceLine: c.line})
			case seg.hasVoice:
				last = b.speaker(seg.voice, c.line)
				b.add(Line{Kind: Turn, Speaker: last, Text: text, Time: c.start, SourceLine: c.line})
			case voiced:
				// Text outside the voices of a cue that has some: whose it
				// is, the file does not say.
				b.add(Line{Kind: Turn, Text: text, Time: c.start, SourceLine: c.line})
			default:
				b.add(Line{Kind: Turn, Speaker: last, Text: text, Time: c.start, SourceLine: c.line})
			}
		}
	}
	return b.call(h, ps, 1, "no cues with text: a WebVTT transcript needs cues such as `00:00:01.000 --> 00:00:04.000` then `<v Maria Keller>text`")
}

// vttNotes reads the title and date that a WebVTT file's NOTE blocks give
// in `key: value` lines: "NOTE title: Ferry board meeting", or a NOTE
// block with a `title:` and a `date:` line. A date must be YYYY-MM-DD.
func vttNotes(lines []string) fileMeta {
	var fm fileMeta
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if i > 0 && lines[i-1] != "" || !(l == "NOTE" || strings.HasPrefix(l, "NOTE ") || strings.HasPrefix(l, "NOTE\t")) {
			continue
		}
		block := []string{strings.TrimSpace(l[len("NOTE"):])}
		for i+1 < len(lines) && lines[i+1] != "" && !strings.Contains(lines[i+1], "-->") {
			i++
			block = append(block, strings.TrimSpace(lines[i]))
		}
		for _, b := range block {
			key, v, ok := strings.Cut(b, ":")
			v = strings.TrimSpace(v)
			if !ok || v == "" {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(key)) {
			case "title":
				if fm.title == "" {
					fm.title, fm.titleFrom = v, "the file's NOTE title"
				}
			case "date":
				if fm.date == "" && validDate(v) {
					fm.date, fm.dateFrom = v, "the file's NOTE date"
				}
			}
		}
	}
	return fm
}

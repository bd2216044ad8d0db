package annotate

import (
	"bytes"
	"fmt"
	"html/template"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"backchannel/internal/markdown"
	"backchannel/internal/transcript"
)

// MaxFileSize is the largest notes file read.
const MaxFileSize = 4 << 20

// Suffix ends the name of every notes file: {slug}.notes.md.
const Suffix = ".notes.md"

var (
	// noteHeadingRE is a note's heading: "## L7", "## L7-L9" (also "L7-9",
	// "L7–L9"), then optionally a quote in straight or curly double quotes.
	noteHeadingRE = regexp.MustCompile(`^##[ \t]+L([0-9]{1,7})(?:[ \t]*[-–][ \t]*L?([0-9]{1,7}))?(?:[ \t]+(?:"(.*)"|“(.*)”))?[ \t]*$`)
	// fenceRE opens or closes a fenced code block.
	fenceRE = regexp.MustCompile("^ {0,3}(```+|~~~+)")
	dateRE  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// headerKeys are the keys a notes header may have.
var headerKeys = []string{"fidelity", "corrections"}

// SlugOf returns the slug of the call a notes file is about
// ("x/2025-10-14-a-b.notes.md" gives "2025-10-14-a-b"), or "" when the name
// does not end in .notes.md.
func SlugOf(path string) string {
	base := filepath.Base(path)
	if len(base) <= len(Suffix) || !strings.EqualFold(base[len(base)-len(Suffix):], Suffix) {
		return ""
	}
	return base[:len(base)-len(Suffix)]
}

// parser collects problems while reading one notes file.
type parser struct {
	path string
	ps   transcript.Problems
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.ps = append(p.ps, transcript.Problem{Path: p.path, Line: line, Severity: transcript.Error, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) warnf(line int, format string, args ...any) {
	p.ps = append(p.ps, transcript.Problem{Path: p.path, Line: line, Severity: transcript.Warning, Message: fmt.Sprintf(format, args...)})
}

// Parse reads a notes file; path names it in problems and gives the slug.
// It returns the notes that could be read (never nil) and every problem,
// sorted. A note whose heading cannot be read is reported as an error and
// left out, but keeps its number, so fixing it renumbers nothing.
func Parse(path string, data []byte) (*Notes, transcript.Problems) {
	p := &parser{path: path}
	ns := &Notes{Slug: SlugOf(path), Path: path}
	if len(data) > MaxFileSize {
		p.errorf(0, "notes file is larger than %d MiB", MaxFileSize>>20)
		return ns, p.ps
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if bytes.IndexByte(data, 0) >= 0 {
		p.errorf(lineAt(data, bytes.IndexByte(data, 0)), "NUL byte: this is not a text file")
		return ns, p.ps
	}
	if !utf8.Valid(data) {
		p.errorf(lineAt(data, invalidAt(data)), "text is not valid UTF-8: save the file as UTF-8")
		return ns, p.ps
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	lines := strings.Split(text, "\n")

	body := 0 // index of the first body line
	if len(lines) > 0 && strings.TrimRight(lines[0], " \t") == "---" {
		end := -1
		for i := 1; i < len(lines); i++ {
			if strings.TrimRight(lines[i], " \t") == "---" {
				end = i
				break
			}
		}
		if end < 0 {
			p.errorf(1, "header opened here is never closed: end it with a line of ---")
			return ns, p.ps
		}
		p.header(ns, strings.Join(lines[1:end], "\n"), 1)
		body = end + 1
	}
	p.body(ns, lines, body)
	p.ps.Sort()
	return ns, p.ps
}

// header reads the YAML header; offset is the number of file lines before it.
func (p *parser) header(ns *Notes, text string, offset int) {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		p.errorf(offset+1, "header is not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		p.errorf(offset+root.Line, "header must be `key: value` lines (fidelity, corrections)")
		return
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		line := offset + k.Line
		if seen[k.Value] {
			p.errorf(line, "header key %q appears twice: keep one", k.Value)
			continue
		}
		seen[k.Value] = true
		switch k.Value {
		case "fidelity":
			if v.Kind != yaml.ScalarNode {
				p.errorf(line, "fidelity must be text, such as `fidelity: memorandum of conversation`")
				continue
			}
			ns.Fidelity = strings.TrimSpace(v.Value)
		case "corrections":
			ns.Corrections = p.corrections(v, offset)
		default:
			p.warnf(line, "unknown header key %q (known: %s)", k.Value, strings.Join(headerKeys, ", "))
		}
	}
}

// corrections reads the list of {date, note} entries.
func (p *parser) corrections(v *yaml.Node, offset int) []Correction {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		p.errorf(offset+v.Line, "corrections must be a list of entries with a date and a note")
		return nil
	}
	var out []Correction
	for _, e := range v.Content {
		line := offset + e.Line
		if e.Kind != yaml.MappingNode {
			p.errorf(line, "a correction must have `date: YYYY-MM-DD` and `note: what changed`")
			continue
		}
		var c Correction
		for i := 0; i+1 < len(e.Content); i += 2 {
			k, val := e.Content[i], e.Content[i+1]
			if val.Kind != yaml.ScalarNode {
				p.errorf(offset+val.Line, "correction %s must be text", k.Value)
				continue
			}
			switch k.Value {
			case "date":
				c.Date = strings.TrimSpace(val.Value)
			case "note":
				c.Text = strings.TrimSpace(val.Value)
			default:
				p.warnf(offset+k.Line, "unknown correction key %q (known: date, note)", k.Value)
			}
		}
		if _, err := time.Parse(time.DateOnly, c.Date); err != nil || !dateRE.MatchString(c.Date) {
			p.errorf(line, "correction needs a date written YYYY-MM-DD")
			continue
		}
		if c.Text == "" {
			p.errorf(line, "correction of %s has no note: say what changed", c.Date)
			continue
		}
		c.HTML = p.render(line, c.Text, "correction-"+strconv.Itoa(len(out)+1)+"-")
		out = append(out, c)
	}
	return out
}

// render renders Markdown, reporting the (unlikely) failure at line. Its
// footnote ids start with prefix, so that the notes on one page never
// repeat an id.
func (p *parser) render(line int, src, prefix string) (h template.HTML) {
	h, err := markdown.RenderPrefixed([]byte(src), prefix)
	if err != nil {
		p.errorf(line, "cannot render note: %v", err)
	}
	return h
}

// section is the text under one heading (or before the first).
type section struct {
	heading     string // "" for the headnote
	headingLine int    // 1-based file line of the heading
	firstLine   int    // 1-based file line of the first body line
	lines       []string
}

// body splits the lines after the header into the headnote and the notes.
func (p *parser) body(ns *Notes, lines []string, from int) {
	cur := &section{firstLine: from + 1}
	var sections []*section
	fence := ""
	for i := from; i < len(lines); i++ {
		l := lines[i]
		if m := fenceRE.FindStringSubmatch(l); m != nil {
			if fence == "" {
				fence = m[1]
			} else if m[1][0] == fence[0] && len(m[1]) >= len(fence) && strings.TrimSpace(l) == m[1] {
				fence = ""
			}
		}
		if fence == "" && (l == "##" || strings.HasPrefix(l, "## ") || strings.HasPrefix(l, "##\t")) {
			sections = append(sections, cur)
			cur = &section{heading: l, headingLine: i + 1, firstLine: i + 2}
			continue
		}
		cur.lines = append(cur.lines, l)
	}
	sections = append(sections, cur)

	head := sections[0]
	if src := strings.TrimSpace(strings.Join(head.lines, "\n")); src != "" {
		ns.Headnote = src
		ns.HeadnoteLine = head.firstLine + leadingBlank(head.lines)
		ns.HeadnoteHTML = p.render(ns.HeadnoteLine, src, "headnote-")
		ns.HeadnoteText = markdown.PlainText([]byte(src))
	}
	for i, s := range sections[1:] {
		n := i + 1
		m := noteHeadingRE.FindStringSubmatch(s.heading)
		if m == nil {
			p.errorf(s.headingLine, "note %d: heading %q must name a line, a range or a quote: ## L7, ## L7-L9 or ## L7 \"exact words\"", n, strings.TrimSpace(s.heading))
			continue
		}
		note := &Note{N: n, SourceLine: s.headingLine}
		note.First, _ = strconv.Atoi(m[1])
		note.Last = note.First
		if m[2] != "" {
			note.Last, _ = strconv.Atoi(m[2])
		}
		note.Quote = m[3] + m[4]
		switch {
		case note.First < 1:
			p.errorf(s.headingLine, "note %d: lines are numbered from 1, not L%d", n, note.First)
			continue
		case note.Last < note.First:
			p.errorf(s.headingLine, "note %d: range L%d-L%d ends before it starts", n, note.First, note.Last)
			continue
		case (m[3] != "" || m[4] != "" || strings.Contains(s.heading, `""`) || strings.Contains(s.heading, "“”")) && strings.TrimSpace(note.Quote) == "":
			p.errorf(s.headingLine, "note %d: the quote is empty: quote the exact words, or leave the quote out", n)
			continue
		}
		if strings.TrimSpace(note.Quote) != note.Quote {
			p.warnf(s.headingLine, "note %d: the quote starts or ends with a space, which must then be in the line too", n)
		}
		src := strings.TrimSpace(strings.Join(s.lines, "\n"))
		if src == "" {
			p.errorf(s.headingLine, "note %d on %s has no text", n, note.Anchor())
			continue
		}
		note.Body = src
		note.HTML = p.render(s.headingLine, src, note.ID()+"-")
		note.Text = markdown.PlainText([]byte(src))
		ns.Notes = append(ns.Notes, note)
	}
}

func leadingBlank(lines []string) int {
	n := 0
	for _, l := range lines {
		if strings.TrimSpace(l) != "" {
			break
		}
		n++
	}
	return n
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int) int {
	if off < 0 {
		return 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// invalidAt returns the offset of the first invalid UTF-8 byte.
func invalidAt(data []byte) int {
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

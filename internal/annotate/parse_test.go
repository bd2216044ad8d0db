package annotate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

// Fictional people saying fictional things.
const harbourNotes = `---
fidelity: memorandum of conversation
corrections:
  - date: 2024-03-12
    note: Line 3 was split in two.
---

Mara Harlow chairs the *harbour* board.

## L1

Harlow opens the call.

## L2-L3 "word for word"

Brandt repeats it.

` + "```" + `
## not a heading inside code
` + "```" + `

## L4 “don't know”

A curly-quoted quote.
`

func TestParse(t *testing.T) {
	ns, ps := Parse("x/2024-03-02-harlow-brandt.notes.md", []byte(harbourNotes))
	if len(ps) != 0 {
		t.Fatalf("problems: %v", ps)
	}
	if ns.Slug != "2024-03-02-harlow-brandt" {
		t.Errorf("Slug = %q", ns.Slug)
	}
	if ns.Fidelity != "memorandum of conversation" {
		t.Errorf("Fidelity = %q", ns.Fidelity)
	}
	if len(ns.Corrections) != 1 || ns.Corrections[0].Date != "2024-03-12" || !strings.Contains(string(ns.Corrections[0].HTML), "split in two") {
		t.Errorf("Corrections = %+v", ns.Corrections)
	}
	if !strings.Contains(string(ns.HeadnoteHTML), "<em>harbour</em>") || ns.HeadnoteLine != 8 {
		t.Errorf("headnote = %q at line %d", ns.HeadnoteHTML, ns.HeadnoteLine)
	}
	type want struct {
		n, first, last int
		quote, text    string
		line           int
	}
	wants := []want{
		{1, 1, 1, "", "Harlow opens the call.", 10},
		{2, 2, 3, "word for word", "Brandt repeats it.", 14},
		{3, 4, 4, "don't know", "A curly-quoted quote.", 22},
	}
	if len(ns.Notes) != len(wants) {
		t.Fatalf("got %d notes, want %d", len(ns.Notes), len(wants))
	}
	for i, w := range wants {
		n := ns.Notes[i]
		if n.N != w.n || n.First != w.first || n.Last != w.last || n.Quote != w.quote || !strings.HasPrefix(n.Text, w.text) || n.SourceLine != w.line {
			t.Errorf("note %d = {N:%d L%d-L%d quote %q text %q at %d}, want %+v", i, n.N, n.First, n.Last, n.Quote, n.Text, n.SourceLine, w)
		}
	}
	if !strings.Contains(ns.Notes[1].Body, "## not a heading inside code") {
		t.Errorf("fenced code was split: %q", ns.Notes[1].Body)
	}
	if got := ns.Notes[1].ID(); got != "note-2" {
		t.Errorf("ID = %q", got)
	}
	if got := ns.Notes[1].Anchor(); got != "L2-L3" {
		t.Errorf("Anchor = %q", got)
	}
}

func TestParse_Problems(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		want  string // "line: message part"; "" for no problem
		notes int
	}{
		{"bad heading", "## Line 2\n\ntext\n\n## L3\n\nok\n", "1: must name a line", 1},
		{"bad heading keeps numbering", "## L\n\nx\n\n## L3\n\nok\n", "1: note 1", 1},
		{"empty note", "## L2\n\n## L3\n\nok\n", "1: note 1 on L2 has no text", 1},
		{"reversed range", "text\n\n## L5-L3\n\nx\n", "3: ends before it starts", 0},
		{"line zero", "## L0\n\nx\n", "1: numbered from 1", 0},
		{"empty quote", "## L2 \"\"\n\nx\n", "1: the quote is empty", 0},
		{"unclosed header", "---\nfidelity: x\n\n## L1\n\nx\n", "1: never closed", 0},
		{"bad yaml", "---\nfidelity: [\n---\n## L1\n\nx\n", "2: not valid YAML", 1},
		{"unknown key", "---\nfidelty: x\n---\n## L1\n\nx\n", "2: warning: unknown header key \"fidelty\"", 1},
		{"correction without date", "---\ncorrections:\n  - note: fixed\n---\n", "3: YYYY-MM-DD", 0},
		{"correction bad date", "---\ncorrections:\n  - date: 2024-13-40\n    note: x\n---\n", "3: YYYY-MM-DD", 0},
		{"correction without note", "---\ncorrections:\n  - date: 2024-01-02\n---\n", "3: has no note", 0},
		{"invalid utf-8", "## L1\n\nbad \xff byte\n", "3: not valid UTF-8", 0},
		{"nul", "## L1\n\nx\x00\n", "3: NUL byte", 0},
		{"crlf", "## L1\r\n\r\nok\r\n", "", 1},
		{"range without second L", "## L1-3\n\nok\n", "", 1},
		{"en dash range", "## L1–L3\n\nok\n", "", 1},
		{"only a headnote", "Context only.\n", "", 0},
		{"empty file", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns, ps := Parse("n.notes.md", []byte(tt.src))
			if ns == nil {
				t.Fatal("nil notes")
			}
			if len(ns.Notes) != tt.notes {
				t.Errorf("got %d notes, want %d", len(ns.Notes), tt.notes)
			}
			if tt.want == "" {
				if len(ps) != 0 {
					t.Errorf("unexpected problems: %v", ps)
				}
				return
			}
			if len(ps) == 0 || !strings.Contains(ps.Error(), "n.notes.md:"+tt.want[:strings.Index(tt.want, ":")]) ||
				!strings.Contains(ps.Error(), strings.TrimSpace(tt.want[strings.Index(tt.want, ":")+1:])) {
				t.Errorf("problems = %v, want one at %q", ps, tt.want)
			}
		})
	}
}

// TestParse_Unsafe: notes are untrusted; scripts, raw HTML, javascript:
// links and remote images never reach the page.
func TestParse_Unsafe(t *testing.T) {
	src := "## L1\n\n[ok](https://example.org/) <script>alert(1)</script> [a](javascript:alert(1)) [b](data:text/html,x) [c](vbscript:x) " +
		"![img](https://remote.example/x.png) <img src=x onerror=alert(1)> {#id .cls onclick=alert(1)}\n\n<script>alert(2)</script>\n"
	ns, _ := Parse("n.notes.md", []byte(src))
	if len(ns.Notes) != 1 {
		t.Fatalf("notes: %d", len(ns.Notes))
	}
	h := strings.ToLower(string(ns.Notes[0].HTML))
	for _, bad := range []string{"<script", "javascript:", "data:", "vbscript:", "<img", "onerror", `class="cls"`, "remote.example", `id="id"`} {
		if strings.Contains(h, bad) {
			t.Errorf("rendered note contains %q: %s", bad, h)
		}
	}
	if !strings.Contains(h, `href="https://example.org/"`) {
		t.Errorf("safe link dropped: %s", h)
	}
}

// TestREADMEExample parses the notes example in transcripts/README.md
// against the transcript example before it: no problem, every note attached.
func TestREADMEExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "transcripts", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	blocks := fencedBlocks(readme)
	sec := strings.Index(readme, "\n## Editorial notes")
	if sec < 0 || len(blocks) == 0 {
		t.Fatal("README has no notes section or no example")
	}
	var callSrc, notesSrc string
	for _, b := range blocks {
		switch {
		case callSrc == "" && strings.HasPrefix(b.text, "---\ntitle:"):
			callSrc = b.text
		case notesSrc == "" && b.at > sec:
			notesSrc = b.text
		}
	}
	if callSrc == "" || notesSrc == "" {
		t.Fatal("README examples not found")
	}
	c, ps := transcript.Parse("2024-03-05-keller-brandt.md", []byte(callSrc))
	if c == nil {
		t.Fatalf("transcript example: %v", ps)
	}
	ns, ps := Parse("2024-03-05-keller-brandt.notes.md", []byte(notesSrc))
	ps = append(ps, ns.Attach(c)...)
	if len(ps) != 0 {
		t.Fatalf("notes example: %v", ps)
	}
	if ns.Headnote == "" || ns.Fidelity == "" || len(ns.Corrections) == 0 || len(ns.Notes) < 2 {
		t.Errorf("example should show every part: %+v", ns)
	}
	for _, n := range ns.Notes {
		if n.Quote != "" && n.QuoteLine == 0 {
			t.Errorf("note %d: quote not found", n.N)
		}
	}
}

type block struct {
	at   int
	text string
}

func fencedBlocks(s string) []block {
	var out []block
	pos := 0
	for {
		i := strings.Index(s[pos:], "```markdown\n")
		if i < 0 {
			return out
		}
		start := pos + i + len("```markdown\n")
		end := strings.Index(s[start:], "\n```")
		if end < 0 {
			return out
		}
		out = append(out, block{at: start, text: s[start : start+end+1]})
		pos = start + end + 4
	}
}

// TestParse_FootnoteIDs: footnotes in the headnote and in two notes get
// ids of their own, so one page never repeats an id.
func TestParse_FootnoteIDs(t *testing.T) {
	src := "Context.[^1]\n\n[^1]: Head source.\n\n## L1\n\nA.[^1]\n\n[^1]: One.\n\n## L2\n\nB.[^1]\n\n[^1]: Two.\n"
	ns, ps := Parse("n.notes.md", []byte(src))
	if len(ps) != 0 || len(ns.Notes) != 2 {
		t.Fatalf("%v", ps)
	}
	all := string(ns.HeadnoteHTML) + string(ns.Notes[0].HTML) + string(ns.Notes[1].HTML)
	for _, want := range []string{`id="headnote-fn:1"`, `id="note-1-fn:1"`, `href="#note-2-fn:1"`} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %s", want)
		}
	}
	if strings.Count(all, `id="`) != 6 {
		t.Errorf("ids: %s", all)
	}
}

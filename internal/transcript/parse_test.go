package transcript

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden is what a golden file holds: the parsed call and its problems.
type golden struct {
	Call     *Call    `json:"call"`
	Problems []string `json:"problems"`
}

func TestParse_Golden(t *testing.T) {
	files := fixtures(t)
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			// As check and ingest read it: with its sidecar, if any.
			c, ps := ParseFile(path)
			g := golden{Call: c, Problems: []string{}}
			for _, p := range ps {
				g.Problems = append(g.Problems, p.String())
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			gpath := strings.TrimSuffix(path, filepath.Ext(path)) + ".golden.json"
			if *update {
				if err := os.WriteFile(gpath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gpath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s (run go test -update and review the diff)\ngot:\n%s", path, gpath, got)
			}
		})
	}
}

// TestParse_TurnsGolden compares each fixture's lines, in order, with
// testdata/<case>.turns: one line each, its number, its speaker's name
// (or "direction"), its marking, and its words, so that a reviewer reads
// who says what at a glance.
func TestParse_TurnsGolden(t *testing.T) {
	for _, path := range fixtures(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, ps := ParseFile(path)
			var b strings.Builder
			if c == nil {
				fmt.Fprintf(&b, "no call:\n%v\n", ps)
			} else {
				for _, l := range c.Lines {
					who := "direction"
					if l.Kind == Turn {
						who = "(no speaker)"
						if p, ok := c.Participant(l.Speaker); ok {
							who = p.Name
						}
					}
					if l.Marking != "" {
						who += " (" + l.Marking + ")"
					}
					if l.GapBefore {
						b.WriteString("[…]\n")
					}
					fmt.Fprintf(&b, "L%d %s: %s\n", l.N, who, strings.ReplaceAll(l.Text, "\n", "\n    "))
				}
			}
			got := []byte(b.String())
			gpath := strings.TrimSuffix(path, filepath.Ext(path)) + ".turns"
			if *update {
				if err := os.WriteFile(gpath, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(gpath)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s: lines differ from %s (-want +got):\n%s", path, gpath, diff)
			}
		})
	}
}

func mustParse(t *testing.T, path string, data []byte) *Call {
	t.Helper()
	c, ps := Parse(path, data)
	if c == nil {
		t.Fatalf("Parse(%s) failed:\n%v", path, ps)
	}
	return c
}

// TestParse_NewsCall checks the news-style fixture line by line, as a
// reader of the page would see it.
func TestParse_NewsCall(t *testing.T) {
	path := "testdata/news_call.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, ps := Parse(path, data)
	if c == nil {
		t.Fatalf("Parse failed:\n%v", ps)
	}
	if len(ps) != 0 {
		t.Errorf("unexpected problems:\n%v", ps)
	}
	if c.Slug != "news_call" || c.Format != "md" || c.Path != path || len(c.SHA256) != 64 {
		t.Errorf("slug, format, path, sha = %q, %q, %q, %q", c.Slug, c.Format, c.Path, c.SHA256)
	}
	if c.Date != "2024-03-05" || c.Source.Published != "2024-03-09" || c.Completeness != Complete || c.Media == "" {
		t.Errorf("header = date %q published %q completeness %q media %q", c.Date, c.Source.Published, c.Completeness, c.Media)
	}
	type want struct {
		kind    LineKind
		speaker string
		text    string
		srcLine int
	}
	wants := []want{
		{kind: Direction, text: "[phone rings]", srcLine: 20},
		{kind: Turn, speaker: "maria-keller", text: "Tom, it’s Maria. Can you hear me?", srcLine: 22},
		{kind: Turn, speaker: "tom-brandt", text: "Loud and clear. Don't worry, I've got the file here.", srcLine: 24},
		{kind: Direction, text: "(laughs)", srcLine: 26},
		{kind: Turn, speaker: "maria-keller", srcLine: 28, text: "Good. I have three points.\n\n" +
			"First, the ferry. At 10:30 the boat leaves, and that's final.\n\n" +
			"Note: the harbour office closes at noon.\n\n" +
			"Second, the fees [papers rustle] stay as they are."},
		{kind: Turn, speaker: "tom-brandt", text: "Understood, Maria.", srcLine: 36},
		{kind: Turn, speaker: "maria-keller", text: "And the third point can wait.", srcLine: 38},
	}
	if len(c.Lines) != len(wants) {
		t.Fatalf("got %d lines, want %d: %+v", len(c.Lines), len(wants), c.Lines)
	}
	for i, w := range wants {
		l := c.Lines[i]
		if l.N != i+1 || l.Kind != w.kind || l.Speaker != w.speaker || l.Text != w.text || l.SourceLine != w.srcLine || l.Time != -1 {
			t.Errorf("line %d = %+v\nwant %+v", i+1, l, w)
		}
		// Every paragraph of the text is in the file, byte for byte.
		for _, p := range l.Paragraphs() {
			if !bytes.Contains(data, []byte(p)) {
				t.Errorf("line %d paragraph %q is not in the file", i+1, p)
			}
		}
	}
	if got := len(c.Lines[4].Paragraphs()); got != 4 {
		t.Errorf("multi-paragraph turn has %d paragraphs, want 4", got)
	}
	tb, ok := c.Participant("tom-brandt")
	if !ok || tb.Name != "Tom Brandt" || len(tb.Labels) != 1 || tb.Labels[0] != "TB" {
		t.Errorf("declared participant = %+v, %v", tb, ok)
	}
	mk, _ := c.Participant("maria-keller")
	if mk.Role == "" || len(mk.Labels) != 1 || mk.Labels[0] != "MK" {
		t.Errorf("header participant after declaration = %+v, want role kept and label MK attached", mk)
	}
}

func TestParse_Speakers(t *testing.T) {
	const hdr = "---\ntitle: T\ndate: 2024-01-01\nparticipants:\n  - name: Ana Lima\n    labels: [AL]\n  - name: Bo Chen\n---\n"
	tests := []struct {
		name string
		body string
		want []string // speaker ids per line
	}{
		{"label", "AL: a", []string{"ana-lima"}},
		{"full name", "Ana Lima: a", []string{"ana-lima"}},
		{"full name any case", "ana LIMA: a", []string{"ana-lima"}},
		{"surname", "Chen: a", []string{"bo-chen"}},
		{"surname lower case", "chen: a", []string{"bo-chen"}},
		{"declaration of a new speaker", "Maria Keller (MK): a\n\nMK: b", []string{"maria-keller", "maria-keller"}},
		{"declaration of a header participant by surname", "Chen (BC): a\n\nBC: b", []string{"bo-chen", "bo-chen"}},
		{"name with accents and apostrophe", "Seán O’Neill (SO): a", []string{"seán-oneill"}},
		{"prose with colon continues", "AL: a\n\nNote: b\n\nAt 10:30 c\n\nhttp://example.org d", []string{"ana-lima"}},
		{"direction in a turn stays text", "AL: a (laughs) b", []string{"ana-lima"}},
		{"stand-alone directions", "(laughs)\n\nAL: a\n\n[pause]", []string{"", "ana-lima", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, "x.md", []byte(hdr+tt.body))
			var got []string
			for _, l := range c.Lines {
				got = append(got, l.Speaker)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("speakers = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestParse_Text checks that line text is kept byte for byte whatever the
// file's encoding details.
func TestParse_Text(t *testing.T) {
	const lf = "---\ntitle: T\ndate: 2024-01-01\n---\n\nAna Lima (AL): It’s “fine”,  don't   worry.\nSecond line of the paragraph.\n\nSecond paragraph.\n"
	want := "It’s “fine”,  don't   worry.\nSecond line of the paragraph.\n\nSecond paragraph."
	utf16le := []byte{0xFF, 0xFE}
	for _, r := range lf {
		utf16le = append(utf16le, byte(r), byte(r>>8)) // every rune here is in the BMP
	}
	tests := []struct {
		name string
		data []byte
	}{
		{"LF", []byte(lf)},
		{"CRLF", []byte(strings.ReplaceAll(lf, "\n", "\r\n"))},
		{"lone CR", []byte(strings.ReplaceAll(lf, "\n", "\r"))},
		{"UTF-8 BOM", append([]byte("\xEF\xBB\xBF"), lf...)},
		{"UTF-16 LE with BOM", utf16le},
		{"no final newline", []byte(strings.TrimSuffix(lf, "\n"))},
		{"trailing blanks", []byte(lf + "\n\n   \n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, "x.md", tt.data)
			if len(c.Lines) != 1 || c.Lines[0].Text != want || c.Lines[0].SourceLine != 6 {
				t.Errorf("lines = %+v, want one line at source line 6 with text %q", c.Lines, want)
			}
			if c.Title != "T" {
				t.Errorf("title = %q", c.Title)
			}
		})
	}
}

func TestParse_Header(t *testing.T) {
	tests := []struct {
		name   string
		header string
		check  func(*Call) bool
	}{
		{"unquoted date stays text", "date: 2024-01-02", func(c *Call) bool { return c.Date == "2024-01-02" }},
		{"quoted date", `date: "2024-01-02"`, func(c *Call) bool { return c.Date == "2024-01-02" }},
		{"language defaults to en", "date: 2024-01-02", func(c *Call) bool { return c.Language == "en" }},
		{"language", "date: 2024-01-02\nlanguage: ru", func(c *Call) bool { return c.Language == "ru" }},
		{"completeness absent", "date: 2024-01-02", func(c *Call) bool { return c.Completeness == NotStated }},
		{"completeness excerpt", "date: 2024-01-02\ncompleteness: excerpt", func(c *Call) bool { return c.Completeness == Excerpt }},
		{"empty source url", "date: 2024-01-02\nsource:\n  publisher: P\n  url: \"\"", func(c *Call) bool { return c.Source.URL == "" && c.Source.Publisher == "P" }},
		{"summary", "date: 2024-01-02\nsummary: |\n  Two *lines*\n  here.", func(c *Call) bool { return c.Summary == "Two *lines*\nhere." }},
		{"order absent", "date: 2024-01-02", func(c *Call) bool { return c.Order == Spoken }},
		{"order unknown", "date: 2024-01-02\norder: unknown", func(c *Call) bool { return c.Order == OrderUnknown }},
		{"order Unknown", "date: 2024-01-02\norder: Unknown", func(c *Call) bool { return c.Order == OrderUnknown }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := mustParse(t, "x.md", []byte("---\ntitle: T\n"+tt.header+"\n---\nAna Lima (AL): a\n"))
			if !tt.check(c) {
				t.Errorf("unexpected call %+v", c)
			}
		})
	}
}

// TestParse_BadInput has one row per kind of bad file: each must be refused
// (or warned about) with the path, the line to fix, and what to do.
func TestParse_BadInput(t *testing.T) {
	const ok = "---\ntitle: T\ndate: 2024-01-01\n---\n"
	tests := []struct {
		name     string
		data     string
		want     string // the problem's String(), in full
		goodCall bool   // a warning only: the call still parses
	}{
		{"empty file", "", "bad.md:1: file is empty: fill it in, or remove it", false},
		{"only white space", " \n\n\t\n", "bad.md:1: file is empty (only white space): fill it in, or remove it", false},
		{"no header", "Ana Lima (AL): a\n", "bad.md:1: file must start with a YAML header: a line `---`, then `title:` and `date:` lines, then `---`", false},
		{"header never closes", "\n---\ntitle: T\ndate: 2024-01-01\n\nAna Lima (AL): a\n", "bad.md:2: header opened here is never closed: add a line `---` after its last key", false},
		{"missing title", "---\ndate: 2024-01-01\n---\nAna Lima (AL): a\n", "bad.md:1: header has no title: add a line such as `title: \"Call between Maria Keller and Tom Brandt\"`", false},
		{"missing date", "---\ntitle: T\n---\nAna Lima (AL): a\n", "bad.md:1: header has no date: add a line such as `date: 2025-10-14`", false},
		{"bad date", "---\ntitle: T\ndate: 14 October 2024\n---\nAna Lima (AL): a\n", `bad.md:3: date "14 October 2024" is not a date: write it as YYYY-MM-DD, e.g. 2025-10-14`, false},
		{"impossible date", "---\ntitle: T\ndate: 2024-02-30\n---\nAna Lima (AL): a\n", `bad.md:3: date "2024-02-30" is not a date: write it as YYYY-MM-DD, e.g. 2025-10-14`, false},
		{"empty title", "---\ntitle: \"\"\ndate: 2024-01-01\n---\nAna Lima (AL): a\n", "bad.md:2: title is empty: give the call a title", false},
		{"yaml syntax", "---\ntitle: Call: the sequel\ndate: 2024-01-01\n---\nAna Lima (AL): a\n", "bad.md:2: header is not valid YAML: mapping values are not allowed in this context (put a value that contains a colon in quotes)", false},
		{"yaml syntax on a later line", "---\ntitle: T\ndate: 2024-01-01\nsummary: a: b\n---\nAna Lima (AL): a\n", "bad.md:4: header is not valid YAML: mapping values are not allowed in this context (put a value that contains a colon in quotes)", false},
		{"typo in a key", "---\ntitle: T\ndate: 2024-01-01\ncompletness: excerpt\n---\nAna Lima (AL): a\n", `bad.md:4: warning: unknown header key "completness": did you mean "completeness"?`, true},
		{"bad completeness", "---\ntitle: T\ndate: 2024-01-01\ncompleteness: partial\n---\nAna Lima (AL): a\n", `bad.md:4: completeness "partial" must be excerpt or complete (or left out when not known)`, false},
		{"bad url", "---\ntitle: T\ndate: 2024-01-01\nsource:\n  url: javascript:alert(1)\n---\nAna Lima (AL): a\n", `bad.md:5: source url "javascript:alert(1)" is not an http or https URL`, false},
		{"bad label in header", "---\ntitle: T\ndate: 2024-01-01\nparticipants:\n  - name: Ana Lima\n    labels: [\"A:L\"]\n---\nAna Lima: a\n", `bad.md:6: label "A:L" must be a short code without a colon, e.g. SW or CDR`, false},
		{"participant without name", "---\ntitle: T\ndate: 2024-01-01\nparticipants:\n  - id: x\n---\nAna Lima (AL): a\n", "bad.md:5: participant has no name: add `name: Full Name`", false},
		{"unknown label", ok + "Ana Lima (AL): a\n\nXY: b\n", `bad.md:7: unknown speaker label "XY": declare it as ` + "`Full Name (XY):`" + ` or add it to participants`, false},
		{"label used before its declaration", ok + "AL: a\n\nAna Lima (AL): b\n", `bad.md:5: unknown speaker label "AL": declare it as ` + "`Full Name (AL):`" + ` or add it to participants`, false},
		{"label declared for two people", ok + "Ana Lima (AL): a\n\nAl Lopez (AL): b\n", `bad.md:7: label "AL" already belongs to Ana Lima: give Al Lopez another label`, false},
		{"paragraph with no speaker first", ok + "Hello there.\n\nAna Lima (AL): a\n", "bad.md:5: paragraph has no speaker: start it with a label such as `SW:` or a declaration such as `Maria Keller (MK):`", false},
		{"paragraph with no speaker after a direction", ok + "Ana Lima (AL): a\n\n[pause]\n\nAnd then.\n", "bad.md:9: paragraph after a stage direction has no speaker: start it with a label such as `SW:`", false},
		{"bad order", "---\ntitle: T\ndate: 2024-01-01\norder: reversed\n---\nAna Lima (AL): a\n", `bad.md:4: order "reversed": the only value is unknown, for lines whose order in the call is not known (leave order out when they are in the order spoken)`, false},
		{"paragraph with no speaker after an omission", ok + "Ana Lima (AL): a\n\n[…]\n\nAnd then.\n", "bad.md:9: paragraph after an omission has no speaker: an omission `[…]` ends the turn before it, so start this paragraph with a label such as `SW:`", false},
		{"two omissions in a row", ok + "Ana Lima (AL): a\n\n[…]\n\n[...]\n\nAL: b\n", "bad.md:9: warning: two omission markers in a row: one `[…]` is enough", true},
		{"only an omission", ok + "[…]\n", "bad.md:4: no turns after the header: add lines such as `Maria Keller (MK): text`", false},
		{"header with no turns", ok + "\n\n", "bad.md:4: no turns after the header: add lines such as `Maria Keller (MK): text`", false},
		{"header only, no body", "---\ntitle: T\ndate: 2024-01-01\n---", "bad.md:4: no turns after the header: add lines such as `Maria Keller (MK): text`", false},
		{"turn with no text", ok + "Ana Lima (AL):\n", "bad.md:5: turn has no text: write what was said after the colon", false},
		{"invalid UTF-8", ok + "Ana Lima (AL): caf\xE9\n", "bad.md:5:19: invalid UTF-8: save the file as UTF-8", false},
		{"NUL byte", ok + "Ana Lima (AL): a\x00b\n", "bad.md:5:17: file contains a NUL byte: it is binary, not a text transcript", false},
		{"binary junk", "\x7fELF\x02\x01\x01\x00\x00\x00", "bad.md:1:8: file contains a NUL byte: it is binary, not a text transcript", false},
		{"control character", ok + "Ana Lima (AL): a\x1b[31m\n", "bad.md:5:17: control character U+001B: remove it (is this a binary file?)", false},
		{"odd-length UTF-16", "\xFF\xFEa", "bad.md:1: file starts with a UTF-16 byte order mark but has an odd number of bytes: save it as UTF-8", false},
		{"name-like prose", ok + "Ana Lima (AL): a\n\nTom Brandt: b\n", `bad.md:7: warning: "Tom Brandt" before the colon looks like a speaker but is none, so the paragraph is read as text: declare the speaker as ` + "`Full Name (XX):`" + ` or add them to participants`, true},
		{"ambiguous surname", "---\ntitle: T\ndate: 2024-01-01\nparticipants:\n  - name: Ana Lima\n  - name: Rui Lima\n---\nLima: a\n", `bad.md:8: speaker "Lima" matches several participants (Ana Lima, Rui Lima): use a label or the full name`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := Parse("bad.md", []byte(tt.data))
			if (c != nil) != tt.goodCall {
				t.Errorf("call = %v, want call: %v", c != nil, tt.goodCall)
			}
			found := false
			for _, p := range ps {
				if p.String() == tt.want {
					found = true
				}
			}
			if !found {
				t.Errorf("problems:\n%v\nwant among them:\n%s", ps, tt.want)
			}
		})
	}
}

// TestParse_AllProblems checks that a file with several mistakes gets all of
// them, sorted by line.
func TestParse_AllProblems(t *testing.T) {
	data := "---\ntitle: T\ndate: yesterday\ncompleteness: maybe\n---\nHello.\n\nAna Lima (AL): a\n\nXY: b\n\nAL: caf\xE9\n"
	_, ps := Parse("many.md", []byte(data))
	var lines []int
	for _, p := range ps {
		lines = append(lines, p.Line)
		if p.Path != "many.md" || p.Severity != Error {
			t.Errorf("problem %v: want an error for many.md", p)
		}
	}
	want := []int{3, 4, 6, 10, 12}
	if len(lines) != len(want) {
		t.Fatalf("problems on lines %v, want %v:\n%v", lines, want, ps)
	}
	for i := range want {
		if lines[i] != want[i] {
			t.Fatalf("problems on lines %v, want %v:\n%v", lines, want, ps)
		}
	}
}

func TestParse_ManyInvalidLinesAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString("---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): a\n")
	for i := 0; i < 50; i++ {
		b.WriteString("\xff\xfe junk\n")
	}
	_, ps := Parse("junk.md", []byte(b.String()))
	if len(ps) != maxReports+1 {
		t.Fatalf("got %d problems, want %d:\n%v", len(ps), maxReports+1, ps)
	}
	if last := ps[len(ps)-1].String(); last != "junk.md:16: invalid UTF-8 on 40 more lines" {
		t.Errorf("last problem = %q", last)
	}
}

func TestParse_UnknownFormat(t *testing.T) {
	c, ps := Parse("notes.docx", []byte("hello"))
	if c != nil || len(ps) != 1 || !strings.Contains(ps[0].String(), `notes.docx: not a transcript format (".docx")`) {
		t.Errorf("got %v, %v", c, ps)
	}
}

func TestParseFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "2024-01-01-call.md")
	if err := os.WriteFile(good, []byte("---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, ps := ParseFile(good)
	if c == nil || c.Slug != "2024-01-01-call" || c.Path != good || len(ps) != 0 {
		t.Errorf("ParseFile(good) = %+v, %v", c, ps)
	}

	missing := filepath.Join(dir, "missing.md")
	if c, ps := ParseFile(missing); c != nil || len(ps) != 1 || ps[0].String() != missing+": cannot open: no such file or directory" {
		t.Errorf("ParseFile(missing) = %v, %v", c, ps)
	}

	// A sparse file: its size is over the limit but it takes no disk space,
	// and ParseFile must refuse it without reading it.
	huge := filepath.Join(dir, "huge.md")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if c, ps := ParseFile(huge); c != nil || len(ps) != 1 || ps[0].String() != huge+": file is 200.0 MiB, larger than the 50.0 MiB limit: split it into several calls" {
		t.Errorf("ParseFile(huge) = %v, %v", c, ps)
	}

	if c, ps := ParseFile(dir); c != nil || len(ps) != 1 || ps[0].String() != dir+": not a regular file" {
		t.Errorf("ParseFile(dir) = %v, %v", c, ps)
	}
}

// TestParse_LongLine checks that a 10 MB single line parses (as one turn).
func TestParse_LongLine(t *testing.T) {
	long := strings.Repeat("word ", 2<<20)
	c := mustParse(t, "long.md", []byte("---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): "+long+"end\n"))
	if len(c.Lines) != 1 || len(c.Lines[0].Text) != len(long)+3 {
		t.Errorf("got %d lines", len(c.Lines))
	}
	// Without a label, the long line is one paragraph with no speaker.
	_, ps := Parse("long.md", []byte("---\ntitle: T\ndate: 2024-01-01\n---\n"+long+"\n"))
	if len(ps) != 1 || ps[0].Line != 5 {
		t.Errorf("problems = %v", ps)
	}
}

// fixtures lists the transcript fixtures in testdata: every file in a
// format Parse reads, golden files and sidecars left out.
func fixtures(t testing.TB) []string {
	t.Helper()
	all, err := filepath.Glob("testdata/*")
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range all {
		if _, ok := formats.forPath(p); ok && !strings.HasSuffix(p, ".golden.json") {
			files = append(files, p)
		}
	}
	if len(files) == 0 {
		t.Fatal("no fixtures in testdata")
	}
	return files
}

func FuzzParse(f *testing.F) {
	for _, p := range fixtures(f) {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("---\ntitle: T\ndate: 2024-01-01\n---\n(x)\n\nA: b\n\nAna Lima (AL): c\r\n\r\nd"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("\xEF\xBB\xBF---\ntitle: [a\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, ext := range strings.Split(formats.known(), ", ") {
			fuzzOne(t, "2024-01-01-fuzz"+ext, data)
		}
	})
}

// fuzzOne checks what must hold for any input: no panic, problems that
// name the file and a line inside it, and lines that make sense.
func fuzzOne(t *testing.T, path string, data []byte) {
	{
		c, ps := Parse(path, data)
		nlines := 1 + bytes.Count(data, []byte{'\n'}) + bytes.Count(data, []byte{'\r'})
		for _, p := range ps {
			if p.Path != path {
				t.Errorf("problem without the path: %v", p)
			}
			if p.Line < 0 || p.Line > nlines {
				t.Errorf("problem at line %d of a %d-line file: %v", p.Line, nlines, p)
			}
			if p.Message == "" {
				t.Errorf("problem without a message: %+v", p)
			}
		}
		if c == nil {
			if !ps.HasErrors() {
				t.Errorf("no call and no error")
			}
			return
		}
		if len(c.Lines) == 0 {
			t.Errorf("call without lines")
		}
		for i, l := range c.Lines {
			if l.N != i+1 || !utf8.ValidString(l.Text) || strings.TrimSpace(l.Text) == "" {
				t.Errorf("bad line %+v", l)
			}
			if l.Kind == Turn && (l.Speaker != "" || c.Format == "md") {
				if _, ok := c.Participant(l.Speaker); !ok {
					t.Errorf("line %d speaker %q is not a participant", l.N, l.Speaker)
				}
			}
		}
		// Parsing is deterministic.
		c2, ps2 := Parse(path, data)
		j1, _ := json.Marshal(golden{Call: c})
		j2, _ := json.Marshal(golden{Call: c2})
		if !bytes.Equal(j1, j2) || len(ps) != len(ps2) {
			t.Errorf("second parse differs")
		}
	}
}

func TestParse_Times(t *testing.T) {
	c := mustParse(t, "testdata/timestamps.md", mustRead(t, "testdata/timestamps.md"))
	want := []struct {
		time    float64
		speaker string
		text    string
	}{
		{5, "ana-lima", "Good morning."},
		{9, "bo-chen", "Morning, Ana.\n\nA second paragraph of Bo's turn has no time of its own."},
		{62.5, "ana-lima", "The time may follow the label."},
		{90, "", "[door closes]"},
		{-1, "bo-chen", "This turn has no time."},
		{3723, "ana-lima", "Hours can be one digit."},
	}
	if len(c.Lines) != len(want) {
		t.Fatalf("got %d lines: %+v", len(c.Lines), c.Lines)
	}
	for i, w := range want {
		l := c.Lines[i]
		if l.Time != w.time || l.Speaker != w.speaker || l.Text != w.text {
			t.Errorf("line %d = %+v, want time %v speaker %q text %q", i+1, l, w.time, w.speaker, w.text)
		}
	}

	const hdr = "---\ntitle: T\ndate: 2024-01-01\n---\n"
	bad := []struct{ name, body, want string }{
		{"minutes over 59", "[00:75:00] Ana Lima (AL): a", "x.md:5: timestamp [00:75:00] is not a time: write [HH:MM:SS] with minutes and seconds under 60"},
		{"timestamp alone", "Ana Lima (AL): a\n\n[00:01:00]", "x.md:7: timestamp alone in a paragraph: put it at the start of a turn, as in `[00:01:23] SW: text`"},
		{"timestamp without speaker", "Ana Lima (AL): a\n\n[00:01:00] more", "x.md:7: timestamp not followed by a speaker: write `[00:01:23] SW: text`"},
		{"time goes back", "[00:02:00] Ana Lima (AL): a\n\n[00:01:00] AL: b", "x.md:7: warning: time 00:01:00 is earlier than the line before (00:02:00): check the timestamp"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, ps := Parse("x.md", []byte(hdr+tt.body))
			if !strings.Contains(ps.Error(), tt.want) {
				t.Errorf("problems:\n%v\nwant:\n%s", ps, tt.want)
			}
		})
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

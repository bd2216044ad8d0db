package transcript

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"
)

// TestHostileInput has one row per hostile or broken file of issue 5's
// table. Each says what a user sees: the lines read, or the problems.
func TestHostileInput(t *testing.T) {
	const md = "---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): It’s here.\n\nAL: Second.\n"
	const want = "turn:ana-lima:It’s here.|turn:ana-lima:Second."
	utf16le := func(s string, bom bool) []byte {
		var b []byte
		if bom {
			b = []byte{0xFF, 0xFE}
		}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	utf16be := func(s string) []byte {
		b := []byte{0xFE, 0xFF}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u>>8), byte(u))
		}
		return b
	}
	tests := []struct {
		name     string
		path     string
		data     []byte
		want     string // lines, or errors (see linesOrErrors)
		warnings string // warnings, joined by "|"
	}{
		{"invalid UTF-8", "x.md", []byte(strings.Replace(md, "here", "h\xC3\x28re", 1)), "x.md:5:24: invalid UTF-8: save the file as UTF-8", ""},
		{"invalid UTF-8 in a subtitle", "x.srt", []byte("1\n00:00:01,000 --> 00:00:02,000\n\xFFhello\n"), "x.srt:3:1: invalid UTF-8: save the file as UTF-8", ""},
		{"UTF-16 LE with BOM", "x.md", utf16le(md, true), want, "x.md:1: warning: file is UTF-16; it was read as such, but save it as UTF-8 so that other tools read it too"},
		{"UTF-16 BE with BOM", "x.md", utf16be(md), want, "x.md:1: warning: file is UTF-16; it was read as such, but save it as UTF-8 so that other tools read it too"},
		{"UTF-16 without BOM", "x.md", utf16le(md, false), "x.md:1:2: file contains a NUL byte: it is binary, not a text transcript", ""},
		{"UTF-16 JSON", "x.json", utf16le(`{"segments": []}`, true), "x.json:1: JSON must be UTF-8, not UTF-16: save it as UTF-8", ""},
		{"UTF-8 BOM", "x.md", append([]byte("\xEF\xBB\xBF"), md...), want, ""},
		{"CRLF", "x.md", []byte(strings.ReplaceAll(md, "\n", "\r\n")), want, ""},
		{"lone CR", "x.md", []byte(strings.ReplaceAll(md, "\n", "\r")), want, ""},
		{"NUL bytes after lone CRs", "x.md", []byte("---\rtitle: T\r\x00"), "x.md:3:1: file contains a NUL byte: it is binary, not a text transcript", ""},
		{"NUL bytes", "x.md", []byte(strings.Replace(md, "Second", "Sec\x00ond", 1)), "x.md:7:8: file contains a NUL byte: it is binary, not a text transcript", ""},
		{"NUL bytes in WebVTT, as the spec says", "x.vtt", []byte("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>a\x00b\n"), "turn:ana-lima:a\uFFFDb", "x.vtt:4:14: warning: NUL bytes replaced by U+FFFD, as WebVTT requires"},
		{"empty file", "x.md", nil, "x.md:1: file is empty: fill it in, or remove it", ""},
		{"empty subtitle file", "x.vtt", []byte{}, "x.vtt:1: file is empty: fill it in, or remove it", ""},
		{"empty SRT", "x.srt", []byte{}, "x.srt:1: file is empty: fill it in, or remove it", ""},
		{"empty JSON", "x.json", []byte{}, "x.json:1: file is empty: fill it in, or remove it", ""},
		{"empty text", "x.txt", []byte{}, "x.txt:1: file is empty: fill it in, or remove it", ""},
		{"blank TEI", "x.xml", []byte("\n  \n"), "x.xml:1: file is empty (only white space): fill it in, or remove it", ""},
		{"blank WebVTT", "x.vtt", []byte("\r\n\t\r\n"), "x.vtt:1: file is empty (only white space): fill it in, or remove it", ""},
		{"header only", "x.md", []byte("---\ntitle: T\ndate: 2024-01-01\n---\n"), "x.md:4: no turns after the header: add lines such as `Maria Keller (MK): text`", ""},
		{"WebVTT header only", "x.vtt", []byte("WEBVTT\n"), "x.vtt:1: no cues with text: a WebVTT transcript needs cues such as `00:00:01.000 --> 00:00:04.000` then `<v Maria Keller>text`", ""},
		{"unknown labels", "x.md", []byte(md + "\nXY: who?\n\nZZ: and who?\n"), "x.md:9: unknown speaker label \"XY\": declare it as `Full Name (XY):` or add it to participants|x.md:11: unknown speaker label \"ZZ\": declare it as `Full Name (ZZ):` or add it to participants", ""},
		{"binary junk", "x.md", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "x.md:3:1: file contains a NUL byte: it is binary, not a text transcript", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := input{path: tt.path, data: tt.data}
			if f, _ := formats.forPath(tt.path); !f.ownHeader {
				in.sidePath, in.sidecar = "x.yaml", []byte(sidecarTD)
			}
			c, ps := parse(in)
			if got := linesOrErrors(c, ps); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
			var warns []string
			for _, p := range ps {
				if p.Severity == Warning {
					warns = append(warns, p.String())
				}
			}
			if got := strings.Join(warns, "|"); got != tt.warnings {
				t.Errorf("warnings: got  %s\nwant %s", got, tt.warnings)
			}
		})
	}
}

// TestHostileInput_LongLine: a 10 MB line without a break is one turn.
func TestHostileInput_LongLine(t *testing.T) {
	word := "word "
	long := strings.Repeat(word, 10<<20/len(word))
	for _, tt := range []struct{ path, data string }{
		{"x.md", "---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): " + long + "\n"},
		{"x.srt", "1\n00:00:01,000 --> 00:00:02,000\n" + long + "\n"},
		{"x.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n" + long + "\n"},
		{"x.txt", "[00:00:00:01]\nCDR: " + long + "\n"},
	} {
		c, ps := parse(input{path: tt.path, data: []byte(tt.data), sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
		if c == nil || len(c.Lines) != 1 || len(c.Lines[0].Text) != len(long)-1 {
			t.Errorf("%s: %v lines, problems %v", tt.path, c != nil, ps)
		}
	}
}

// TestHostileInput_HugeFile: a 200 MB file is refused by its size, and
// reading it allocates nothing like its size. The file is sparse, so it
// takes no disk space.
func TestHostileInput_HugeFile(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.md")
	f, err := os.Create(huge)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := os.WriteFile(filepath.Join(dir, "ok.md"), []byte("---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	a, ps := LoadDir(dir)
	runtime.ReadMemStats(&after)
	want := huge + ": file is 200.0 MiB, larger than the 50.0 MiB limit: split it into several calls"
	if len(ps) != 1 || ps[0].String() != want {
		t.Errorf("problems:\n%v\nwant:\n%s", ps, want)
	}
	if len(a.Calls) != 1 {
		t.Errorf("got %d calls, want the good one", len(a.Calls))
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 8<<20 {
		t.Errorf("LoadDir allocated %d bytes for a refused 200 MB file", alloc)
	}
}

// TestHostileInput_DuplicateSlugsAcrossFormats: a.md and a.vtt are both the
// call "a"; the second is refused, naming both files.
func TestHostileInput_DuplicateSlugsAcrossFormats(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.md":  "---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): a\n",
		"a.vtt": "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>a\n",
	})
	a, ps := LoadDir(dir)
	md, vtt := filepath.Join(dir, "a.md"), filepath.Join(dir, "a.vtt")
	want := vtt + `: slug "a" is used by both ` + md + " and " + vtt + ": rename one of them"
	found := false
	for _, p := range ps {
		found = found || p.String() == want
	}
	if !found || !ps.HasErrors() {
		t.Errorf("problems:\n%v\nwant among them:\n%s", ps, want)
	}
	if len(a.Calls) != 1 || a.Calls[0].Format != "md" {
		t.Errorf("calls = %d", len(a.Calls))
	}
}

// TestHostileInput_SymlinkOutside: a symlink to a file outside the
// transcripts folder is refused, by LoadDir and so by check and serve.
func TestHostileInput_SymlinkOutside(t *testing.T) {
	outside := t.TempDir()
	target := filepath.Join(outside, "passwd.md")
	if err := os.WriteFile(target, []byte("---\ntitle: T\ndate: 2024-01-01\n---\nAna Lima (AL): secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.Symlink(target, filepath.Join(dir, "leak.md")); err != nil {
		t.Skipf("cannot make symlinks here: %v", err)
	}
	for _, ps := range []Problems{second(LoadDir(dir)), Check(dir)} {
		if len(ps) != 1 || !strings.Contains(ps[0].Message, "symlink points outside the transcripts folder") {
			t.Errorf("problems = %v", ps)
		}
	}
}

func second[A, B any](_ A, b B) B { return b }

// TestHostileInput_ChangedWhileRead: a file whose size changes between
// stat and read is refused. Files in /proc report size 0 and then hold
// data, which is the same thing seen from the reader's side.
func TestHostileInput_ChangedWhileRead(t *testing.T) {
	const proc = "/proc/self/status"
	if _, err := os.Stat(proc); err != nil {
		t.Skipf("no %s here: %v", proc, err)
	}
	_, p := readFile(proc, MaxFileSize)
	if p == nil || p.Message != "file changed while it was read: check it again once it is written" {
		t.Errorf("readFile(%s) = %v", proc, p)
	}
}

func TestLineCounter(t *testing.T) {
	data := []byte("a\nb\r\nc\rd\n\ne\r")
	lc := &lineCounter{data: data}
	for i := range data {
		want, _ := position(data, i)
		if got := lc.lineAt(i); got != want {
			t.Errorf("offset %d: line %d, want %d as position says", i, got, want)
		}
	}
}

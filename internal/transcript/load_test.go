package transcript

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadDir_Shipped reads the archive the project ships and checks each
// line's speaker and that its text is byte-identical to the file.
func TestLoadDir_Shipped(t *testing.T) {
	a, ps := LoadDir("../../transcripts")
	if len(ps) != 0 {
		t.Fatalf("problems in the shipped archive:\n%v", ps)
	}
	want := []struct {
		slug     string
		speakers []string // surnames, line by line
		order    Order
	}{
		{"2025-10-14-witkoff-ushakov", []string{"Witkoff", "Witkoff", "Ushakov"}, OrderUnknown},
		// The commentaries do not give the order of this call's lines.
		{"2025-10-29-ushakov-dmitriev", []string{"Dmitriev", "Ushakov", "Dmitriev"}, OrderUnknown},
	}
	seeds := readSeeds(t)
	if len(a.Calls) != len(want) {
		t.Fatalf("got %d calls, want %d", len(a.Calls), len(want))
	}
	for i, w := range want {
		c := a.Calls[i]
		if c.Slug != w.slug {
			t.Errorf("call %d slug = %q, want %q", i, c.Slug, w.slug)
			continue
		}
		if c.Completeness != Excerpt {
			t.Errorf("%s completeness = %q", c.Slug, c.Completeness)
		}
		data, err := os.ReadFile(c.Path)
		if err != nil {
			t.Fatal(err)
		}
		fileLines := strings.Split(string(data), "\n")
		if len(c.Lines) != len(w.speakers) {
			t.Errorf("%s has %d lines, want %d", c.Slug, len(c.Lines), len(w.speakers))
			continue
		}
		for j, l := range c.Lines {
			p, ok := c.Participant(l.Speaker)
			if !ok || p.Surname() != w.speakers[j] || l.Kind != Turn {
				t.Errorf("%s line %d speaker = %q (%+v), want %s", c.Slug, l.N, l.Speaker, p, w.speakers[j])
			}
			src := fileLines[l.SourceLine-1]
			if !strings.HasSuffix(src, ": "+l.Text) {
				t.Errorf("%s line %d text %q is not byte-identical to source line %d %q", c.Slug, l.N, l.Text, l.SourceLine, src)
			}
			// The commentaries quote each line apart from the others:
			// an omission is marked between every two of them.
			if l.GapBefore != (j > 0) || l.GapAfter {
				t.Errorf("%s line %d: GapBefore = %v, GapAfter = %v; want an omission marked between every two quoted lines only",
					c.Slug, l.N, l.GapBefore, l.GapAfter)
			}
			if seeds != "" && !strings.Contains(seeds, l.Text) {
				t.Errorf("%s line %d %q is not word for word in ../shared/seeds", c.Slug, l.N, l.Text)
			}
		}
		if c.Order != w.order {
			t.Errorf("%s order = %q, want %q", c.Slug, c.Order, w.order)
		}
	}
	if len(a.Hash) != 64 {
		t.Errorf("hash = %q", a.Hash)
	}
}

// readSeeds returns the project's source texts (../shared/seeds beside the
// repository), or "" with a note when they are not there.
func readSeeds(t *testing.T) string {
	t.Helper()
	files, _ := filepath.Glob("../../../shared/seeds/*.txt")
	if len(files) == 0 {
		t.Log("../shared/seeds is absent: the shipped lines are not compared with their sources")
		return ""
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteByte('\n')
	}
	return b.String()
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func call(date, text string) string {
	return "---\ntitle: T\ndate: " + date + "\n---\nAna Lima (AL): " + text + "\n"
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"b.md":             call("2024-01-02", "b"),
		"a.md":             call("2024-01-02", "a"),
		"sub/z.md":         call("2023-12-31", "z"),
		"README.md":        "# not a transcript",
		"README":           "not a transcript",
		"_draft.md":        "not a transcript",
		".hidden.md":       "not a transcript",
		"_drafts/x.md":     "not a transcript",
		".git/config.md":   "not a transcript",
		"a.notes.md":       "annotations, not a transcript",
		"a.yaml":           "title: sidecar",
		"sub/meta.yml":     "title: sidecar",
		"bad.md":           "---\ntitle: T\n---\nAna Lima (AL): a\n",
		"photo.jpg":        "\xff\xd8",
		"sub/deeper/y.md":  call("2024-06-01", "y"),
		"sub/deeper/b2.md": call("2024-01-02", "b2"),
	})
	a, ps := LoadDir(dir)
	var slugs []string
	for _, c := range a.Calls {
		slugs = append(slugs, c.Slug)
	}
	if got, want := strings.Join(slugs, " "), "z a b b2 y"; got != want {
		t.Errorf("calls = %s, want %s (by date, then slug)", got, want)
	}
	wantPS := []string{
		filepath.Join(dir, "a.yaml") + ": warning: ignored: a.md has its own header, so put the metadata there",
		filepath.Join(dir, "bad.md") + ":1: header has no date: add a line such as `date: 2025-10-14`",
		filepath.Join(dir, "photo.jpg") + `: warning: not a transcript (".jpg" is not a known format): skipped`,
		filepath.Join(dir, "sub", "meta.yml") + ": warning: metadata sidecar without a transcript: no meta.* beside it (" + formats.known() + ")",
	}
	if len(ps) != len(wantPS) {
		t.Fatalf("problems:\n%v\nwant:\n%s", ps, strings.Join(wantPS, "\n"))
	}
	for i := range wantPS {
		if ps[i].String() != wantPS[i] {
			t.Errorf("problem %d = %q, want %q", i, ps[i], wantPS[i])
		}
	}
	if a.Dir != dir {
		t.Errorf("dir = %q", a.Dir)
	}

	// The hash changes when a file's content changes, a file is added, or
	// a bad file is fixed; it does not change when a skipped file does.
	h0 := a.Hash
	rehash := func() string {
		a, _ := LoadDir(dir)
		return a.Hash
	}
	if rehash() != h0 {
		t.Fatal("hash is not stable")
	}
	writeFiles(t, dir, map[string]string{"README.md": "# changed"})
	if rehash() != h0 {
		t.Error("hash changed when only a README changed")
	}
	writeFiles(t, dir, map[string]string{"bad.md": call("2024-01-01", "fixed")})
	h1 := rehash()
	if h1 == h0 {
		t.Error("hash did not change when a bad file was fixed")
	}
	writeFiles(t, dir, map[string]string{"a.md": call("2024-01-02", "a2")})
	h2 := rehash()
	if h2 == h1 {
		t.Error("hash did not change when a file changed")
	}
	if err := os.Remove(filepath.Join(dir, "a.md")); err != nil {
		t.Fatal(err)
	}
	if rehash() == h2 {
		t.Error("hash did not change when a file was removed")
	}
}

func TestLoadDir_DuplicateSlugs(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"a.md":     call("2024-01-01", "first"),
		"sub/a.md": call("2024-01-01", "second"),
		"b.md":     call("2024-01-01", "b"),
	})
	a, ps := LoadDir(dir)
	first, second := filepath.Join(dir, "a.md"), filepath.Join(dir, "sub", "a.md")
	want := second + `: slug "a" is used by both ` + first + " and " + second + ": rename one of them"
	if len(ps) != 1 || ps[0].String() != want {
		t.Errorf("problems:\n%v\nwant:\n%s", ps, want)
	}
	if len(a.Calls) != 2 {
		t.Errorf("got %d calls, want the 2 good ones", len(a.Calls))
	}
}

func TestLoadDir_Symlinks(t *testing.T) {
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.md": call("2024-01-01", "outside")})
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"real.md": call("2024-01-01", "inside")})
	for _, l := range []struct{ target, name string }{
		{filepath.Join(outside, "secret.md"), "escape.md"},
		{"real.md", "alias.md"},
		{"missing.md", "broken.md"},
	} {
		if err := os.Symlink(l.target, filepath.Join(dir, l.name)); err != nil {
			t.Skipf("cannot make symlinks here: %v", err)
		}
	}
	a, ps := LoadDir(dir)
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	escape := filepath.Join(dir, "escape.md")
	wantEscape := escape + ": symlink points outside the transcripts folder (to " + filepath.Join(outside, "secret.md") + "): copy the file into the folder instead"
	if len(ps) != 2 || !strings.HasPrefix(ps[0].String(), filepath.Join(dir, "broken.md")+": broken symlink") || ps[1].String() != wantEscape {
		t.Errorf("problems:\n%s\nwant a broken symlink and:\n%s", strings.Join(got, "\n"), wantEscape)
	}
	var slugs []string
	for _, c := range a.Calls {
		slugs = append(slugs, c.Slug)
		for _, l := range c.Lines {
			if l.Text == "outside" {
				t.Errorf("read a file outside the folder through %s", c.Path)
			}
		}
	}
	if strings.Join(slugs, " ") != "alias real" {
		t.Errorf("calls = %v, want alias and real", slugs)
	}
}

func TestLoadDir_Missing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	a, ps := LoadDir(dir)
	if a == nil || len(a.Calls) != 0 || len(ps) != 1 || ps[0].String() != dir+": cannot read transcripts folder: no such file or directory" {
		t.Errorf("LoadDir(missing) = %+v, %v", a, ps)
	}
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"calls/good.md":   call("2024-01-01", "fine"),
		"calls/bad1.md":   "---\ntitle: T\n---\nXY: a\n",
		"calls/README.md": "# docs",
		"other/bad2.md":   "\x00\x01",
		"lone.md":         "---\ntitle: T\ndate: 2024-01-01\n",
		"_draft.md":       "anything",
	})
	j := func(p ...string) string { return filepath.Join(append([]string{dir}, p...)...) }
	ps := Check(j("calls"), j("lone.md"), j("other", "bad2.md"), j("missing.md"), j("_draft.md"))
	want := []string{
		j("_draft.md") + ": warning: not checked (names starting with _ are not transcripts)",
		j("calls", "bad1.md") + ":1: header has no date: add a line such as `date: 2025-10-14`",
		j("calls", "bad1.md") + ":4: unknown speaker label \"XY\": declare it as `Full Name (XY):` or add it to participants",
		j("lone.md") + ":1: header opened here is never closed: add a line `---` after its last key",
		j("missing.md") + ": no such file or folder",
		j("other", "bad2.md") + ":1:1: file contains a NUL byte: it is binary, not a text transcript",
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !ps.HasErrors() {
		t.Error("HasErrors = false")
	}
	if ps := Check(j("calls", "good.md")); len(ps) != 0 {
		t.Errorf("Check(good) = %v", ps)
	}
}

// TestCheck_ShippedReadme makes sure the format documentation is skipped by
// the folder walk, and that its example parses as documented.
func TestCheck_ShippedReadme(t *testing.T) {
	data, err := os.ReadFile("../../transcripts/README.md")
	if err != nil {
		t.Skipf("no transcripts/README.md: %v", err)
	}
	start := bytes.Index(data, []byte("\n```markdown\n"))
	if start < 0 {
		t.Fatal("transcripts/README.md has no ```markdown example")
	}
	example := data[start+len("\n```markdown\n"):]
	end := bytes.Index(example, []byte("\n```\n"))
	if end < 0 {
		t.Fatal("unterminated example in transcripts/README.md")
	}
	c, ps := Parse("2024-03-05-keller-brandt.md", example[:end+1])
	if c == nil || len(ps) != 0 {
		t.Fatalf("README example does not parse cleanly:\n%v", ps)
	}
	if len(c.Lines) != 6 { // as the README says
		t.Errorf("README example has %d lines, the README says six", len(c.Lines))
	}
}

// TestLoadDir_Formats: every format in one folder, sidecars read, and the
// hash following a sidecar's edits.
func TestLoadDir_Formats(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"2024-01-05-md.md":         call("2024-01-05", "md"),
		"board.vtt":                "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>vtt\n",
		"board.yaml":               "title: Board\ndate: 2024-01-04\nparticipants:\n  - name: Ana Lima\n",
		"2024-01-03-interview.srt": "1\n00:00:01,000 --> 00:00:02,000\nANA: srt\n",
		"2024-01-02-stt.json":      `{"segments": [{"start": 1, "text": "json", "speaker": "S0"}]}`,
		"2024-01-01-log.txt":       "[00:00:00:01]\nCDR: txt\n",
		"memo.xml":                 `<TEI><div><head>Memo</head><date when="2023-12-31"/><p>The Minister: xml</p></div></TEI>`,
	})
	a, ps := LoadDir(dir)
	var got []string
	for _, c := range a.Calls {
		got = append(got, c.Format+":"+c.Date+":"+c.Lines[0].Text)
	}
	if want := "xml:2023-12-31:xml txt:2024-01-01:txt json:2024-01-02:json srt:2024-01-03:srt vtt:2024-01-04:vtt md:2024-01-05:md"; strings.Join(got, " ") != want {
		t.Errorf("calls = %s\nwant    %s", strings.Join(got, " "), want)
	}
	if b, _ := a.Call("board"); b == nil || b.Title != "Board" || b.Lines[0].Speaker != "ana-lima" {
		t.Errorf("board = %+v: want the sidecar's title and participant", b)
	}
	if ps.HasErrors() {
		t.Errorf("errors: %v", ps)
	}
	warned := 0
	for _, p := range ps {
		if strings.Contains(p.Message, "no sidecar") {
			warned++
		}
	}
	if warned != 4 { // srt, json, txt, xml
		t.Errorf("%d warnings about missing sidecars, want 4:\n%v", warned, ps)
	}
	h0 := a.Hash
	writeFiles(t, dir, map[string]string{"board.yaml": "title: Board meeting\ndate: 2024-01-04\n"})
	a, _ = LoadDir(dir)
	if a.Hash == h0 {
		t.Error("hash did not change when a sidecar changed")
	}
	if b, _ := a.Call("board"); b == nil || b.Title != "Board meeting" {
		t.Errorf("board = %+v", b)
	}
}

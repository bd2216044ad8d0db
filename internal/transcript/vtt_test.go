package transcript

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// corpus returns the path of a public test corpus in ../shared/corpora
// beside the repository, or skips the test when it is absent.
func corpus(t testing.TB, sub string) string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpora", sub)
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("corpus %s is absent (%v): the public test corpora live in ../shared/corpora beside the repository", sub, err)
	}
	return dir
}

// tsv reads a tab-separated file with a header row.
func tsv(t testing.TB, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var head []string
	var rows []map[string]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if head == nil {
			head = cols
			continue
		}
		row := map[string]string{}
		for i, h := range head {
			if i < len(cols) {
				row[h] = cols[i]
			}
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return rows
}

// specLines decodes a WebVTT file as the spec's parser does before parsing:
// UTF-8 with replacement, a BOM dropped, NUL as U+FFFD, CR and CRLF as LF.
func specLines(data []byte) []string {
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	s := strings.ToValidUTF8(string(data), "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// TestVTT_FileParsing runs the web-platform-tests WebVTT file parsing cases
// (via w3c/webvtt.js): each file must give the expected number of cues, and
// none of the cues the tests mark "invalid".
func TestVTT_FileParsing(t *testing.T) {
	dir := filepath.Join(corpus(t, "webvtt-tests"), "w3c-webvtt.js", "test", "wpt-file-parsing")
	rows := tsv(t, filepath.Join(dir, "expected_cue_counts.tsv"))
	if len(rows) < 30 {
		t.Fatalf("only %d rows in expected_cue_counts.tsv", len(rows))
	}
	for _, row := range rows {
		name := row["vtt_file"]
		t.Run(name, func(t *testing.T) {
			cues, _ := vttCues(specLines(mustRead(t, filepath.Join(dir, name))))
			// In these files "invalid" marks a bad setting, not a bad cue.
			settings := strings.HasPrefix(name, "settings-") || strings.HasPrefix(name, "regions-")
			for _, c := range cues {
				if !settings && strings.Contains(c.text, "invalid") {
					t.Errorf("cue %q at line %d should not be a cue", c.text, c.line)
				}
			}
			if row["expected_cue_count"] == "" {
				return // no count upstream (style sheets)
			}
			want, err := strconv.Atoi(row["expected_cue_count"])
			if err != nil {
				t.Fatal(err)
			}
			if len(cues) != want {
				t.Errorf("got %d cues, want %d: %+v", len(cues), want, cues)
			}
		})
	}
}

// TestVTT_Mozilla runs Mozilla vtt.js's parser tests: every input must give
// the expected cues (id, start, end and text; cue settings are not read).
func TestVTT_Mozilla(t *testing.T) {
	dir := filepath.Join(corpus(t, "webvtt-tests"), "mozilla-vtt.js")
	rows := tsv(t, filepath.Join(dir, "expected_map.tsv"))
	if len(rows) < 200 {
		t.Fatalf("only %d rows in expected_map.tsv", len(rows))
	}
	// Where vtt.js (2019) and the W3C spec disagree, the spec wins; the
	// web-platform-tests cases above agree with the spec on each of these.
	deviations := map[string]string{
		"tests/cue-times/min-top-digits.vtt":           "vtt.js reads 000:00.000 as minutes; the spec reads three digits as hours and then needs a third field",
		"tests/cue-times/minimum-spots-over-sixty.vtt": "vtt.js reads 120:00.000 as minutes; the spec reads a number over 59 as hours and then needs a third field",
		"tests/file-layout/header-no-new-line.vtt":     "the spec ends the header at a line with -->, which starts a cue (wpt header-timings.vtt: 1 cue)",
		"tests/integration/id.vtt":                     "the spec drops a block whose first line is -->, then reads the next line as a new cue (wpt arrows.vtt)",
	}
	for _, row := range rows {
		t.Run(strings.TrimPrefix(row["vtt_input"], "tests/"), func(t *testing.T) {
			if why, ok := deviations[row["vtt_input"]]; ok {
				t.Skip("vtt.js deviates from the spec: " + why)
			}
			cues, _ := vttCues(specLines(mustRead(t, filepath.Join(dir, row["vtt_input"]))))
			var want struct {
				Cues []struct {
					ID        string  `json:"id"`
					StartTime float64 `json:"startTime"`
					EndTime   float64 `json:"endTime"`
					Text      string  `json:"text"`
				} `json:"cues"`
			}
			if err := json.Unmarshal(mustRead(t, filepath.Join(dir, row["expected_json"])), &want); err != nil {
				t.Fatal(err)
			}
			if len(cues) != len(want.Cues) {
				t.Fatalf("got %d cues, want %d", len(cues), len(want.Cues))
			}
			for i, w := range want.Cues {
				c := cues[i]
				if c.id != w.ID || c.text != w.Text || math.Abs(c.start-w.StartTime) > 1e-9 || math.Abs(c.end-w.EndTime) > 1e-9 {
					t.Errorf("cue %d = %q %v --> %v %q\nwant    %q %v --> %v %q", i, c.id, c.start, c.end, c.text, w.ID, w.StartTime, w.EndTime, w.Text)
				}
			}
		})
	}
}

// TestVTT_CueText runs the web-platform-tests cue text parsing cases: the
// tree built from each cue must print as expected, voices included.
func TestVTT_CueText(t *testing.T) {
	dir := filepath.Join(corpus(t, "webvtt-tests"), "w3c-webvtt.js", "test", "wpt-cue-parsing")
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cue text cases in %s: %v", dir, err)
	}
	for _, jf := range files {
		var cases []struct {
			Text         string `json:"text"`
			ExpectedTree string `json:"expectedTree"`
		}
		if err := json.Unmarshal(mustRead(t, jf), &cases); err != nil {
			t.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(jf), ".json")
		// The .vtt file holds the same cases as cues.
		cues, ok := vttCues(specLines(mustRead(t, strings.TrimSuffix(jf, ".json")+".vtt")))
		if !ok || len(cues) != len(cases) {
			t.Errorf("%s.vtt: %d cues, want %d", name, len(cues), len(cases))
		}
		for i, tc := range cases {
			if i >= len(cues) {
				break
			}
			text := cues[i].text // the payload as the file parser reads it
			var b bytes.Buffer
			vttTree(text).dump(&b, 0)
			if b.String() != tc.ExpectedTree {
				t.Errorf("%s case %d %q:\ngot\n%s\nwant\n%s", name, i, text, b.String(), tc.ExpectedTree)
			}
		}
	}
}

func TestParseFile_VTTWithSidecar(t *testing.T) {
	c, ps := ParseFile("testdata/2024-05-07-ferry-board.vtt")
	if c == nil {
		t.Fatalf("ParseFile failed:\n%v", ps)
	}
	want := `testdata/2024-05-07-ferry-board.vtt:10: warning: speaker "Tom Brandt" is not among the sidecar's participants: add it to a participant's labels so that it gets a name`
	if len(ps) != 1 || ps[0].String() != want {
		t.Errorf("problems:\n%v\nwant:\n%s", ps, want)
	}
	if c.Title != "Ferry board meeting (fictional)" || c.Completeness != Excerpt || c.Format != "vtt" {
		t.Errorf("call = %q %q %q: want the sidecar's metadata", c.Title, c.Completeness, c.Format)
	}
	mk, _ := c.Participant("maria-keller")
	if mk.Role != "Harbour commissioner (fictional)" {
		t.Errorf("Maria Keller = %+v: want the sidecar's participant", mk)
	}
	var speakers []string
	for _, l := range c.Lines {
		speakers = append(speakers, string(l.Kind)+":"+l.Speaker)
	}
	if got := strings.Join(speakers, " "); got != "turn:maria-keller turn:tom-brandt turn:maria-keller direction: turn:maria-keller direction: turn:tom-brandt" {
		t.Errorf("lines = %s", got)
	}
}

func TestParse_VTT(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // the lines as kind:speaker:text, or the first problem
	}{
		{"no voice at all", "WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n\n00:02.000 --> 00:03.000\nthere", "turn::Hello|turn::there"},
		{"voice continues", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>Hello\n\n00:02.000 --> 00:03.000\nthere", "turn:ana-lima:Hello|turn:ana-lima:there"},
		{"text beside voices has no speaker", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>Hi</v> and more", "turn:ana-lima:Hi|turn::and more"},
		{"empty voice", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v>Hi", "turn::Hi"},
		{"voice with no letter or digit", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v ...>Hi\n\n00:02.000 --> 00:03.000\n<v ?>there", "turn::Hi|turn::there"},
		{"empty cues skipped", "WEBVTT\n\n00:01.000 --> 00:02.000\n<b></b>\n\n00:02.000 --> 00:03.000\n<v Ana Lima>x", "turn:ana-lima:x"},
		{"not WebVTT", "WEBVTTX\n\n00:01.000 --> 00:02.000\nHi", "2024-01-01-x.vtt:1: not a WebVTT file: the first line must be WEBVTT (alone, or followed by a space or tab and text)"},
		{"no cues", "WEBVTT\n\nNOTE nothing here\n", "2024-01-01-x.vtt:1: no cues with text: a WebVTT transcript needs cues such as `00:00:01.000 --> 00:00:04.000` then `<v Maria Keller>text`"},
		{"NUL replaced", "WEBVTT\n\n00:01.000 --> 00:02.000\na\x00b", "turn::a\uFFFDb"},
		{"CRLF", "WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\n<v Ana Lima>Hi\r\n", "turn:ana-lima:Hi"},
		{"control characters in a cue identifier", "WEBVTT\n\nintro\x04\x1a\x07\n00:01.000 --> 00:02.000\n<v Ana Lima>Hi", "turn:ana-lima:Hi"},
		{"control characters in the header and a note", "WEBVTT \x01 made by hand\nKind\x02: talk\n\nNOTE \x03 checked\n\n00:01.000 --> 00:02.000\nHi", "turn::Hi"},
		{"control character in cue text kept", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>Hi\x04 there", "turn:ana-lima:Hi\x04 there"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := Parse("2024-01-01-x.vtt", []byte(tt.data))
			var got []string
			if c == nil {
				got = []string{ps[0].String()}
				for _, p := range ps {
					if p.Severity == Error {
						got = []string{p.String()}
						break
					}
				}
			} else {
				for _, l := range c.Lines {
					got = append(got, string(l.Kind)+":"+l.Speaker+":"+l.Text)
				}
			}
			if strings.Join(got, "|") != tt.want {
				t.Errorf("got  %s\nwant %s", strings.Join(got, "|"), tt.want)
			}
		})
	}
}

// TestParse_VTTControlCharacters: WebVTT allows control characters
// anywhere but NUL, so they never refuse a file; in cue text, where a
// reader would miss them, each is a warning at its line and column.
func TestParse_VTTControlCharacters(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []string // every problem
	}{
		{"identifier", "WEBVTT\n\nq\x04\n00:01.000 --> 00:02.000\n<v Ana Lima>Hi", nil},
		{"note", "WEBVTT\n\nNOTE a\x1bb\n\n00:01.000 --> 00:02.000\n<v Ana Lima>Hi", nil},
		{"cue text, second payload line", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana Lima>Hi\nthe\x07re\n", []string{
			"x.vtt:5:4: warning: control character U+0007: kept in the cue text, where WebVTT allows it, but no reader sees it: remove it unless it means something"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parse(input{path: "x.vtt", data: []byte(tt.data), sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
			if c == nil {
				t.Fatalf("refused:\n%v", ps)
			}
			var got []string
			for _, p := range ps {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}

	// The Mozilla case that found this: a cue identifier of junk,
	// control characters included, before a cue whose text is one word.
	path := filepath.Join(corpus(t, "webvtt-tests"), "mozilla-vtt.js", "tests", "cuetext", "languages", "long_string_junk_characters.vtt")
	c, ps := parse(input{path: path, data: mustRead(t, path), sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
	if c == nil {
		t.Fatalf("refused:\n%v", ps)
	}
	if len(c.Lines) != 1 || c.Lines[0].Text != "Payload" {
		t.Errorf("lines = %+v, want the one cue's text, Payload", c.Lines)
	}
}

// TestParse_VTTDirections: a cue, or a part of one, that is only italics,
// [brackets] or (parentheses) is a stage direction, with or without a
// voice around it; it never continues the last speaker.
func TestParse_VTTDirections(t *testing.T) {
	cue := func(n int, text string) string {
		return fmt.Sprintf("00:00:%02d.000 --> 00:00:%02d.500\n%s\n\n", n, n, text)
	}
	data := "WEBVTT\n\n" + cue(1, "<v Ana Lima>Hello.") + cue(2, "<i>Laughter</i>") + cue(3, "<v Ana Lima>[laughs]</v>") +
		cue(4, "<v Ana Lima><i>Applause</i></v>") + cue(5, "<v Bo Chen>(sighs)") + cue(6, "and she goes on.") +
		cue(7, "<v Bo Chen><i>Not</i> italic all through.")
	c, ps := Parse("2024-01-01-x.vtt", []byte(data))
	want := "turn:ana-lima:Hello.|direction::Laughter|direction::[laughs]|direction::Applause|direction::(sighs)|turn:ana-lima:and she goes on.|turn:bo-chen:Not italic all through."
	if got := linesOrErrors(c, ps); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

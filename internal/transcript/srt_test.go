package transcript

import (
	"strings"
	"testing"
)

func TestParse_SRT(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // the lines as kind:speaker:text, or the errors
	}{
		{"no speakers", "1\n00:00:01,000 --> 00:00:02,000\nHello\n\n2\n00:00:02,000 --> 00:00:03,000\nthere\n", "turn::Hello|turn::there"},
		{"speaker continues", "1\n00:00:01,000 --> 00:00:02,000\nANA: Hello\n\n2\n00:00:02,000 --> 00:00:03,000\nthere\n", "turn:ana:Hello|turn:ana:there"},
		{"one word used once is text", "1\n00:00:01,000 --> 00:00:02,000\nWednesday: hello\n", "turn::Wednesday: hello"},
		{"an editor's note is a direction", "1\n00:00:01,000 --> 00:00:02,000\nANA: hi\n\n2\n00:00:02,000 --> 00:00:03,000\nNote: the fictional ferry was late.\n", "turn:ana:hi|direction::Note: the fictional ferry was late."},
		{"one word used twice is a speaker", "1\n00:00:01,000 --> 00:00:02,000\nAna: hello\n\n2\n00:00:02,000 --> 00:00:03,000\nAna: again\n", "turn:ana:hello|turn:ana:again"},
		{"dots for milliseconds, no index", "00:00:01.5 --> 00:00:02.000\nHi\n", "turn::Hi"},
		{"tags removed", "1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<font color=\"#fff\">Hi</font>\n", "turn::Hi"},
		{"missing timing", "1\nHello\n\n2\n00:00:02,000 --> 00:00:03,000\nthere\n", "x.srt:2: subtitle has no timing line: write `00:00:01,000 --> 00:00:04,000` after its number"},
		{"bad timing", "1\n00:61:00,000 --> 00:62:00,000\nHi\n\n2\n00:00:02,000 --> 00:00:03,000\nthere\n", `x.srt:2: timing "00:61:00,000 --> 00:62:00,000" has minutes or seconds over 59`},
		{"every bad block", "1\nHello\n\n2\nthere\n", "x.srt:2: subtitle has no timing line: write `00:00:01,000 --> 00:00:04,000` after its number|x.srt:5: subtitle has no timing line: write `00:00:01,000 --> 00:00:04,000` after its number"},
		{"only numbers", "1\n00:00:01,000 --> 00:00:02,000\n\n", "x.srt:1: no subtitles with text: an SRT file needs numbered subtitles with `00:00:01,000 --> 00:00:04,000` timings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linesOrErrors(parse(input{path: "x.srt", data: []byte(tt.data), sidePath: "x.yaml", sidecar: []byte("title: T\ndate: 2024-01-01\n")}))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// linesOrErrors summarises a parse for table tests: the call's lines as
// kind:speaker:text, or its errors, joined by "|".
func linesOrErrors(c *Call, ps Problems) string {
	var out []string
	if c == nil {
		for _, p := range ps {
			if p.Severity == Error {
				out = append(out, p.String())
			}
		}
		return strings.Join(out, "|")
	}
	for _, l := range c.Lines {
		out = append(out, string(l.Kind)+":"+l.Speaker+":"+l.Text)
	}
	return strings.Join(out, "|")
}

func TestParse_SRTSidecarNamesCodes(t *testing.T) {
	side := "title: T\ndate: 2024-01-01\nparticipants:\n  - name: Ana Lima\n    labels: [A]\n"
	c, ps := parse(input{path: "x.srt", data: []byte("1\n00:00:01,000 --> 00:00:02,000\nA: Hello\n\n2\n00:00:02,000 --> 00:00:03,000\nB: Hi\n"),
		sidePath: "x.yaml", sidecar: []byte(side)})
	if got := linesOrErrors(c, ps); got != "turn:ana-lima:Hello|turn:b:Hi" {
		t.Errorf("lines = %s", got)
	}
	want := `x.srt:6: warning: speaker "B" is not among the sidecar's participants: add it to a participant's labels so that it gets a name`
	if len(ps) != 1 || ps[0].String() != want {
		t.Errorf("problems = %v, want %s", ps, want)
	}
}

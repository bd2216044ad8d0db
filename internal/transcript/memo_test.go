package transcript

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// recordFixtures are the records as governments and newsrooms publish
// them (all fictional).
var recordFixtures = []string{
	"testdata/2019-03-04-fictional-telcon.txt",
	"testdata/2018-06-12-fictional-memcon.txt",
	"testdata/1973-10-12-fictional-frus-telcon.txt",
	"testdata/2021-11-02-fictional-leaked-call.txt",
	"testdata/2019-05-14-fictional-zapis.txt",
	"testdata/1973-05-20-fictional-memcon.txt",
}

// furnitureRE is what must never be a line's words: banners, page
// numbers, running heads, portion marks, boilerplate, heading fields.
var furnitureRE = regexp.MustCompile(`SECRET|CONFIDENTIAL|UNCLASSIFIED|CAUTION|End of Memorandum|Classified By|Derived From|Declassify On|Reason:|` +
	`^- [0-9]+ -|\[Page [0-9]+\]|Meeting with Prime Minister Vell$|^\((?:U|C|S|TS)(?:/[^)]*)?\)|SUBJECT|PARTICIPANTS|Notetakers|` +
	`DATE, TIME|MEMORANDUM|Участники|Тема:|THE FICTIONAL LEDGER|Declassified`)

// TestRecords_NoFurnitureInLines: in each record, no line holds a banner,
// a page number, a running head, a portion mark, the heading or the
// closing boilerplate; every line's words are the file's, in order, each
// line of text found in the file as written (the words of a paragraph cut
// by a page break are joined, not changed).
func TestRecords_NoFurnitureInLines(t *testing.T) {
	for _, path := range recordFixtures {
		t.Run(filepath.Base(path), func(t *testing.T) {
			c, ps := ParseFile(path)
			if c == nil {
				t.Fatal(ps)
			}
			data := string(mustRead(t, path))
			at := 0
			for _, l := range c.Lines {
				for _, part := range strings.Split(l.Text, "\n") {
					if part == "" {
						continue
					}
					if furnitureRE.MatchString(part) {
						t.Errorf("L%d holds page furniture or boilerplate: %q", l.N, part)
					}
					i := strings.Index(data[at:], part)
					if i < 0 {
						t.Errorf("L%d: %q is not in the file after the line before it", l.N, part)
						continue
					}
					at += i + len(part)
				}
			}
		})
	}
}

// TestRecords_Record: what the telcon says about itself is its record,
// each value as written.
func TestRecords_Record(t *testing.T) {
	c, ps := ParseFile("testdata/2019-03-04-fictional-telcon.txt")
	if c == nil {
		t.Fatal(ps)
	}
	want := Record{
		Kind:             "MEMORANDUM OF TELEPHONE CONVERSATION",
		Classification:   "SECRET//ORCON/NOFORN",
		Declassification: []string{"UNCLASSIFIED", "Declassified by order of the Fictional Archivist", "March 9, 2023"},
		Time:             "9:03 - 9:31 a.m. EST",
		Place:            "The Residence",
		Authors:          []string{"The Fictional Situation Room"},
		Statement: "CAUTION: A memorandum of a fictional telephone conversation is not a verbatim transcript. It records the notes and " +
			"recollections of fictional duty officers who listened as the call took place. The word \"inaudible\" marks words the notetakers could not hear.",
		Boilerplate: []string{"Classified By: 0000000", "Derived From: FSCG", "Declassify On: 20441231", "-- End of Memorandum --"},
	}
	if diff := cmp.Diff(want, c.Record); diff != "" {
		t.Errorf("record (-want +got):\n%s", diff)
	}
	if c.Title != "Telephone Conversation with President Marek Aldana of Fictionland" || c.Date != "2019-03-04" {
		t.Errorf("title, date = %q, %q: want the SUBJECT, wrapped value joined, and the DATE", c.Title, c.Date)
	}
	var marks []string
	for _, l := range c.Lines {
		marks = append(marks, l.Marking)
	}
	if diff := cmp.Diff([]string{"S/NF", "S/NF", "U", "S/NF", "", "S/NF", "C", "S/NF"}, marks); diff != "" {
		t.Errorf("markings (-want +got):\n%s", diff)
	}
}

// TestRecords_Layouts: the variants of the layout a record may have.
func TestRecords_Layouts(t *testing.T) {
	const head = "MEMORANDUM OF CONVERSATION\n\nSUBJECT: Ferries\n\nPARTICIPANTS: The President\n   President Marek Aldana of Fictionland\n\n"
	tests := []struct {
		name, data, want string
	}{
		{"DATE, TIME AND PLACE printed in two columns",
			"SUBJECT: Ferries\n\nDATE, TIME      March 4, 2019, 9:03 a.m.\nAND PLACE:      The Residence\n\nPARTICIPANTS: The President\n\nThe President: Hello.\n",
			"turn:the-president:Hello."},
		{"a page break between paragraphs of one turn",
			head + "(S) The President: First paragraph.\n\nSECRET\n\n2\n\nSECRET\n\nSecond paragraph.\n\n(U) President Aldana: Yes.\n",
			"turn:the-president:First paragraph.\n\nSecond paragraph.|turn:marek-aldana:Yes."},
		{"a form feed inside a sentence",
			head + "The President: The boat leaves at\n\f\nsix in the morning.\n",
			"turn:the-president:The boat leaves at\nsix in the morning."},
		{"a lone banner is no page break",
			"SECRET\n\nThe President: Hello.\n\nThe President: Again.\n", "turn:the-president:Hello.|turn:the-president:Again."},
		{"portion marks of every kind", head +
			"(TS//SI) The President: a\n\n(C//REL TO USA, FVEY) President Aldana: b\n\n(S//NF) [inaudible]\n\n(Laughter)\n\n(U) The President: c\n",
			"turn:the-president:a|turn:marek-aldana:b|direction::[inaudible]|direction::(Laughter)|turn:the-president:c"},
		{"a continuation marked otherwise is a line of its own", head +
			"(S) The President: secret words.\n\n(S) More of them.\n\n(U) And plain ones.\n",
			"turn:the-president:secret words.\n\nMore of them.|turn:the-president:And plain ones."},
		{"a title and a surname", head + "President Aldana: Hi.\n\nThe President: Hello.\n",
			"turn:marek-aldana:Hi.|turn:the-president:Hello."},
		{"directions", head + "The President: a\n\n[inaudible]\n\n(Pause)\n\n(Interpreter)\n\n(Laughter)\n",
			"turn:the-president:a|direction::[inaudible]|direction::(Pause)|direction::(Interpreter)|direction::(Laughter)"},
		{"the closing ends the turn", head + "The President: a\n\n-- End of Memorandum --\n\nstray text\n",
			"2019-03-04-x.txt:12: paragraph after a bracketed note has no speaker: start it with `Name:`"},
		{"CAUTION after the first turn is still boilerplate", head + "The President: a\n\nCAUTION: not verbatim.\n\nThe President: b\n",
			"turn:the-president:a|turn:the-president:b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ps := parse(input{path: "2019-03-04-x.txt", data: []byte(tt.data)})
			if got := linesOrErrors(c, ps); got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
	c, _ := parse(input{path: "x.txt", data: []byte("SUBJECT: Ferries\n\nDATE, TIME      March 4, 2019, 9:03 a.m.\nAND PLACE:      The Residence\n\nPARTICIPANTS: The President\n\nThe President: Hello.\n")})
	if c == nil || c.Date != "2019-03-04" || c.Record.Time != "9:03 a.m." || c.Record.Place != "The Residence" {
		t.Errorf("two-column DATE, TIME AND PLACE: %+v", c)
	}
}

// TestRecords_NeverGuessed: "The President" is the record's own principal
// unless a participant is declared with that label; a label that could
// name several participants, or none, fails with the label, the
// candidates and the sidecar lines that settle it.
func TestRecords_NeverGuessed(t *testing.T) {
	const ambiguous = "MEMORANDUM OF CONVERSATION\n\nSUBJECT: Ferries\n\nDATE: March 4, 2019\n\n" +
		"PARTICIPANTS: President Henrik Orlen\n              President Marek Aldana\n\n" +
		"(S) The President: Which of us speaks?\n\n(S) President Aldana: Not I.\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "2019-03-04-ambiguous.txt")
	if err := os.WriteFile(path, []byte(ambiguous), 0o644); err != nil {
		t.Fatal(err)
	}
	var errs []string
	for _, p := range Check(dir) {
		if p.Severity == Error {
			errs = append(errs, p.String())
		}
	}
	want := path + `:10: speaker "The President" could be Henrik Orlen (President) or Marek Aldana (President): the record does not say which.` +
		` Settle it in the sidecar 2019-03-04-ambiguous.yaml, giving the label to the one who speaks here:
    participants:
      - name: Henrik Orlen
        labels: ["The President"]   # if Henrik Orlen is the one who speaks
      - name: Marek Aldana
        labels: ["The President"]   # if Marek Aldana is the one who speaks`
	if diff := cmp.Diff([]string{want}, errs); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}
	if a, ps := LoadDir(dir); len(a.Calls) != 0 || !ps.HasErrors() {
		t.Errorf("ingest read the call: %d calls, %v", len(a.Calls), ps)
	}

	// The fix the message gives settles it.
	side := "title: Ferries\ndate: 2019-03-04\nparticipants:\n  - name: Henrik Orlen\n    labels: [\"The President\"]\n  - name: Marek Aldana\n"
	if err := os.WriteFile(filepath.Join(dir, "2019-03-04-ambiguous.yaml"), []byte(side), 0o644); err != nil {
		t.Fatal(err)
	}
	c, ps := ParseFile(path)
	if got := linesOrErrors(c, ps); got != "turn:henrik-orlen:Which of us speaks?|turn:marek-aldana:Not I." {
		t.Errorf("with the sidecar: %s", got)
	}

	tests := []struct{ name, data, want string }{
		{"the foreign president is not The President",
			"SUBJECT: Ferries\n\nPARTICIPANTS: President Marek Aldana of Fictionland\n\nThe President: Hello.\n\nPresident Aldana: Hi.\n",
			`2019-03-04-x.txt:5: speaker "The President" names none of the participants (Marek Aldana (President of Fictionland)): in a record it means the record's own principal, who is not listed.`},
		{"another's secretary is not The Secretary",
			"PARTICIPANTS: Henrik Orlen, Secretary of Labor\n\nThe Secretary: Hello.\n",
			`2019-03-04-x.txt:3: speaker "The Secretary" names none of the participants (Henrik Orlen (Secretary of Labor)): in a record it means the record's own principal, who is not listed.`},
		{"a label that names no listed participant",
			"PARTICIPANTS: Henrik Orlen; Marek Aldana\n\nOrlen: Hello.\n\nBrek: Who am I?\n\nBrek: Still no one.\n",
			`2019-03-04-x.txt:5: speaker "Brek" names none of the participants (Henrik Orlen, Marek Aldana).`},
		{"a surname two participants share",
			"PARTICIPANTS: Henrik Orlen; Ana Orlen\n\nOrlen: Which?\n",
			`2019-03-04-x.txt:3: speaker "Orlen" could be Henrik Orlen or Ana Orlen: the record does not say which.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Reported once, at the label's first line.
			got := linesOrErrors(parse(input{path: "2019-03-04-x.txt", data: []byte(tt.data)}))
			if !strings.HasPrefix(got, tt.want) || !strings.Contains(got, "Settle it in the sidecar 2019-03-04-x.yaml") || strings.Count(got, "Settle it") != 1 {
				t.Errorf("got  %s\nwant %s ...", got, tt.want)
			}
		})
	}

	// In Markdown too, "The President" is never guessed.
	md := "---\ntitle: T\ndate: 2019-03-04\nparticipants:\n  - name: Marek Aldana\n    role: President of Fictionland\n---\nThe President: Hello.\n"
	if got := linesOrErrors(Parse("x.md", []byte(md))); !strings.HasPrefix(got, `x.md:8: speaker "The President" names none of the participants (Marek Aldana (President of Fictionland))`) ||
		!strings.Contains(got, "Settle it in the header") {
		t.Errorf("md: %s", got)
	}
	md = strings.Replace(md, "role: President of Fictionland", "role: President of Fictionland\n    labels: [\"The President\"]", 1)
	if got := linesOrErrors(Parse("x.md", []byte(md))); got != "turn:marek-aldana:Hello." {
		t.Errorf("md with the label declared: %s", got)
	}
	// A portion mark in Markdown is the line's marking too.
	md = "---\ntitle: T\ndate: 2019-03-04\n---\n(S/NF) Ana Lima (AL): Hello.\n\n(U) AL: Bye.\n"
	if c := mustParse(t, "x.md", []byte(md)); c.Lines[0].Marking != "S/NF" || c.Lines[0].Text != "Hello." || c.Lines[1].Marking != "U" {
		t.Errorf("md markings: %+v", c.Lines)
	}
}

// TestRecords_Participants: the entries of a PARTICIPANTS field.
func TestRecords_Participants(t *testing.T) {
	tests := []struct {
		entry string
		want  Participant
	}{
		{"The President", Participant{ID: "the-president", Name: "The President", Labels: []string{"The President"}}},
		{"President Marek Aldana of Fictionland", Participant{ID: "marek-aldana", Name: "Marek Aldana", Role: "President of Fictionland"}},
		{"Prime Minister Ilse Vell", Participant{ID: "ilse-vell", Name: "Ilse Vell", Role: "Prime Minister"}},
		{"Henrik Orlen, Secretary of State", Participant{ID: "henrik-orlen", Name: "Henrik Orlen", Role: "Secretary of State"}},
		{"Secretary of State Henrik Kessel (K)", Participant{ID: "henrik-kessel", Name: "Henrik Kessel", Role: "Secretary of State", Labels: []string{"K"}}},
		{"К. В. Дмитриев, начальник порта", Participant{ID: "к-в-дмитриев", Name: "К. В. Дмитриев", Role: "начальник порта"}},
		{"Ana Lima", Participant{ID: "ana-lima", Name: "Ana Lima"}},
	}
	for _, tt := range tests {
		got, ok := memoParticipant(tt.entry)
		if !ok {
			t.Errorf("%q: not read", tt.entry)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.entry, diff)
		}
	}
	for _, group := range []string{"U.S. Side", "Fictionland:", "", "..."} {
		if p, ok := memoParticipant(group); ok {
			t.Errorf("%q read as a participant: %+v", group, p)
		}
	}
}

func TestDateIn(t *testing.T) {
	tests := []struct{ s, want string }{
		{"March 4, 2019, 9:03 - 9:31 a.m. EST", "2019-03-04"},
		{"Sunday, May 20, 1973, 9:00 a.m.", "1973-05-20"},
		{"Washington, October 12, 1973, 7:10 p.m.", "1973-10-12"},
		{"4 March 2019", "2019-03-04"},
		{"Sept. 24, 2019", "2019-09-24"},
		{"14 мая 2019 г.", "2019-05-14"},
		{"2019-07-25", "2019-07-25"},
		{"February 30, 2019", ""},
		{"Residence", ""},
	}
	for _, tt := range tests {
		got := ""
		if m := dateIn(tt.s); m != nil {
			got = m.date
		}
		if got != tt.want {
			t.Errorf("dateIn(%q) = %q, want %q", tt.s, got, tt.want)
		}
	}
}

// TestTitles_FromTheFile: a file without a sidecar takes its title and
// date from what it says; the file name is the last resort, title-cased,
// and the warning says where each came from.
func TestTitles_FromTheFile(t *testing.T) {
	tests := []struct {
		path, data  string
		title, date string
		warning     string
	}{
		{"2019-03-04-memcon-president-aldana.txt", "SUBJECT: Call with President Aldana\n\nDATE: March 5, 2019\n\nThe President: Hi.\n",
			"Call with President Aldana", "2019-03-05", "the title comes from the memorandum's SUBJECT and the date from the memorandum's DATE"},
		{"2019-03-04-memcon-president-aldana.txt", "The President: Hi.\n",
			"Memcon President Aldana", "2019-03-04", `the title ("Memcon President Aldana") and the date come from the file name`},
		{"2024-05-07-board_vtt.vtt", "WEBVTT\n\nNOTE title: Ferry board meeting\n\nNOTE\ndate: 2024-05-08\n\n00:01.000 --> 00:02.000\n<v Ana>Hi\n",
			"Ferry board meeting", "2024-05-08", "the title comes from the file's NOTE title and the date from the file's NOTE date"},
		{"2024-05-07-board_vtt.vtt", "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Hi\n",
			"Board Vtt", "2024-05-07", `the title ("Board Vtt") and the date come from the file name`},
	}
	for _, tt := range tests {
		c, ps := Parse(tt.path, []byte(tt.data))
		if c == nil {
			t.Errorf("%s: %v", tt.path, ps)
			continue
		}
		if c.Title != tt.title || c.Date != tt.date {
			t.Errorf("%s: title, date = %q, %q; want %q, %q", tt.path, c.Title, c.Date, tt.title, tt.date)
		}
		if len(ps) != 1 || !strings.Contains(ps[0].Message, tt.warning) {
			t.Errorf("%s: problems %v, want a warning saying %q", tt.path, ps, tt.warning)
		}
	}
}

// TestReadme_Layouts: the transcripts README's table has a row for every
// extension the format table reads and for every plain-text layout, and
// each example written in one of those formats (```vtt, ```srt, ```txt)
// parses without errors, none of its heading or furniture a line.
func TestReadme_Layouts(t *testing.T) {
	data, err := os.ReadFile("../../transcripts/README.md")
	if err != nil {
		t.Skipf("no transcripts/README.md: %v", err)
	}
	readme := string(data)
	for _, f := range formats {
		if !strings.Contains(readme, "\n| `"+f.ext+"` |") {
			t.Errorf("the README's table has no row for %s", f.ext)
		}
	}
	for _, layout := range []string{"a radio log", "a memorandum of conversation", "a FRUS-style telcon", "a newspaper's transcript", "a memorandum in another language"} {
		if !strings.Contains(readme, "| `.txt` | "+layout) {
			t.Errorf("the README's table has no row for %q", layout)
		}
	}
	examples := regexp.MustCompile("(?s)\n```(vtt|srt|txt)\n(.*?)\n```\n").FindAllStringSubmatch(readme, -1)
	seen := map[string]bool{}
	for i, m := range examples {
		seen[m[1]] = true
		path := fmt.Sprintf("2024-01-01-readme-%d.%s", i+1, m[1])
		c, ps := Parse(path, []byte(m[2]+"\n"))
		if c == nil || ps.HasErrors() {
			t.Errorf("README example %d (```%s) does not parse:\n%v\n%s", i+1, m[1], ps, m[2])
			continue
		}
		for _, l := range c.Lines {
			if furnitureRE.MatchString(l.Text) {
				t.Errorf("README example %d: line %d is furniture: %q", i+1, l.N, l.Text)
			}
		}
	}
	for _, ext := range []string{"vtt", "srt", "txt"} {
		if !seen[ext] {
			t.Errorf("no ```%s example in the README", ext)
		}
	}
}

// TestTitles_TEIPartly: a TEI document with a <head> but no <date> keeps
// its own title and takes the date from the file name, saying so.
func TestTitles_TEIPartly(t *testing.T) {
	c, ps := Parse("2001-02-03-x.xml", []byte(`<TEI><div><head>A fictional memo</head><p>The Minister: Hello.</p></div></TEI>`))
	if c == nil || c.Title != "A fictional memo" || c.Date != "2001-02-03" {
		t.Fatalf("call %+v, %v", c, ps)
	}
	if len(ps) != 1 || !strings.Contains(ps[0].Message, "the title comes from the document's <head> and the date from the file name") {
		t.Errorf("problems: %v", ps)
	}
}

// TestRecords_RunningHeads: a line repeated at page breaks is a running
// head only when it reads like one; someone's short answer that happens
// to fall next to two page breaks is kept.
func TestRecords_RunningHeads(t *testing.T) {
	brk := "\n\nSECRET\n\n- %d -\n\n"
	data := "PARTICIPANTS: Ana Lima; Bo Chen\n\nLima: Are you coming?\n\nChen: Tomorrow.\n\nYes." + fmt.Sprintf(brk, 2) +
		"Lima: And the ferry?\n\nYes." + fmt.Sprintf(brk, 3) + "Memo on Ferries\n\nChen: It runs." + fmt.Sprintf(brk, 4) + "Memo on Ferries\n\nLima: Good.\n"
	c, ps := parse(input{path: "2019-03-04-x.txt", data: []byte(data)})
	want := "turn:ana-lima:Are you coming?|turn:bo-chen:Tomorrow.\n\nYes.|turn:ana-lima:And the ferry?\n\nYes.|turn:bo-chen:It runs.|turn:ana-lima:Good."
	if got := linesOrErrors(c, ps); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

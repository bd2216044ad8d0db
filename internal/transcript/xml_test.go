package transcript

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestParse_FRUSCorpus reads the two FRUS conversation records: speakers
// marked up with <persName> and written as text, continuations, bracketed
// directions, footnotes left out, the participants list.
func TestParse_FRUSCorpus(t *testing.T) {
	dir := corpus(t, "frus-conversations")
	tests := []struct {
		file     string
		turns    map[string]int // turns per speaker name
		title    string
		date     string
		contains string // a line text that must be present, word for word
	}{
		{"frus1969-76v38p1_d10_nixon-bruce_tape.xml", map[string]int{"Nixon": 64, "Bruce": 62},
			"10. Conversation Between President Nixon and Ambassador David K.E. Bruce", "1973-05-03", "The fact—"},
		// "The President:" is Nixon, the participant listed as President.
		{"frus1969-76v38p1_d11_cabinet_memcon.xml", map[string]int{"Nixon": 3, "Agnew": 2},
			"11. Memorandum of Conversation", "1973-05-18", ""},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			c, ps := Parse(path, mustRead(t, path))
			if c == nil {
				t.Fatalf("parse failed:\n%v", ps)
			}
			if c.Title != tt.title || c.Date != tt.date {
				t.Errorf("title, date = %q, %q; want %q, %q", c.Title, c.Date, tt.title, tt.date)
			}
			got := map[string]int{}
			found := tt.contains == ""
			for _, l := range c.Lines {
				if l.Kind == Turn {
					p, _ := c.Participant(l.Speaker)
					got[p.Name]++
				}
				if l.Text == tt.contains {
					found = true
				}
				if strings.Contains(l.Text, "Source: National Archives") {
					t.Errorf("line %d holds a footnote: %q", l.N, l.Text)
				}
				if strings.Contains(l.Text, "  ") || strings.Contains(l.Text, "\n ") {
					t.Errorf("line %d keeps XML layout white space: %q", l.N, l.Text)
				}
			}
			if len(got) != len(tt.turns) {
				t.Errorf("turns per speaker = %v, want %v", got, tt.turns)
			}
			for k, v := range tt.turns {
				if got[k] != v {
					t.Errorf("turns per speaker = %v, want %v", got, tt.turns)
					break
				}
			}
			if !found {
				t.Errorf("no line %q", tt.contains)
			}
		})
	}
}

func TestParse_XML(t *testing.T) {
	tei := func(body string) string {
		return `<TEI xmlns="http://www.tei-c.org/ns/1.0"><div><head>A fictional memo<note>Source: nowhere.</note></head>` +
			`<opener><date when="1999-01-02">2 Jan</date></opener>` + body + `</div></TEI>`
	}
	tests := []struct{ name, data, want string }{
		{"persName speakers and continuation", tei(`<list type="participants"><item>Minister <persName corresp="#a">Ana Lima</persName>, of Ferries</item></list>` +
			`<p><persName corresp="#a">Ana Lima</persName>: Hello <gloss>there</gloss>.</p><p>Still me, be<pb n="2"/>cause.</p><p>[laughter]</p>`),
			"turn:ana-lima:Hello there.\n\nStill me, because.|direction::[laughter]"},
		{"text speaker", tei(`<p>The Minister: Hello.</p>`), "turn:the-minister:Hello."},
		{"editor's note is no one's", tei(`<p>The Minister: Hello.</p><p>Editor's note: The fictional tape ends.</p><p>Note: twice.</p><p>Still the minister?</p>`),
			"x.xml:1: paragraph has no speaker: it does not start with <persName>Name</persName>: or Name:, and no turn comes before it"},
		{"editor's notes between turns", tei(`<p>The Minister: Hello.</p><p>Editor's note: The fictional tape ends.</p><p>Note: twice.</p><p>The Minister: Bye.</p>`),
			"turn:the-minister:Hello.|direction::Editor's note: The fictional tape ends.|direction::Note: twice.|turn:the-minister:Bye."},
		{"no speaker first", tei(`<p>Hello.</p>`), "x.xml:1: paragraph has no speaker: it does not start with <persName>Name</persName>: or Name:, and no turn comes before it"},
		{"not well-formed", "<TEI>\n<p>Hello</TEI>", "x.xml:2: not well-formed XML: element <p> closed by </TEI>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linesOrErrors(Parse("x.xml", []byte(tt.data)))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	c, _ := Parse("x.xml", []byte(tei(`<list type="participants"><item>Minister <persName corresp="#a">Ana Lima</persName>, of Ferries</item></list><p><persName corresp="#a">Ana Lima</persName>: Hi.</p>`)))
	if c == nil || c.Title != "A fictional memo" || c.Date != "1999-01-02" || c.Participants[0].Role != "Minister, of Ferries" {
		t.Errorf("call = %+v", c)
	}
}

// TestParse_RoleLabels: a speaker written as a role ("The President:")
// is the one participant with that role, who keeps it as a label, so that
// a search by that person's name finds the lines; when several have the
// role, or none, it is an error that says how to settle it. "The
// Secretary" names the record's own principal, never another's secretary
// ("Secretary of Ferries").
func TestParse_RoleLabels(t *testing.T) {
	tei := func(body string) string {
		return `<TEI xmlns="http://www.tei-c.org/ns/1.0"><div><head>A fictional cabinet</head>` +
			`<opener><date when="1999-01-02">2 Jan</date></opener><list type="participants">` +
			`<item>President <persName corresp="#a">Ana Lima</persName></item>` +
			`<item>Vice President <persName corresp="#b">Bo Berg</persName></item>` +
			`<item><persName corresp="#c">Cy Dahl</persName>, Secretary of Ferries</item>` +
			`<item><persName corresp="#d">Di Eck</persName>, Secretary of Harbours</item>` +
			`<item><persName corresp="#e">Ed Fox</persName>, Counsellor to the President</item>` +
			`</list>` + body + `</div></TEI>`
	}
	tests := []struct{ name, body, want string }{
		{"the one President", `<p>The President: We sail at dawn.</p><p>The president: Agreed.</p>`, "turn:ana-lima:We sail at dawn.|turn:ana-lima:Agreed."},
		{"Vice President is not President", `<p>The Vice President: Not I.</p>`, "turn:bo-berg:Not I."},
		{"a role's first words", `<p>The Counsellor: Noted.</p>`, "turn:ed-fox:Noted."},
		{"the record's Secretary is not listed", `<p>The Secretary: Which one?</p>`,
			`x.xml:1: speaker "The Secretary" names none of the participants (Ana Lima (President), Bo Berg (Vice President), Cy Dahl (Secretary of Ferries), Di Eck (Secretary of Harbours), Ed Fox (Counsellor to the President)): in a record it means the record's own principal, who is not listed.`},
		{"two Vice Presidents", `<p>The Vice President: Which one?</p>`, `x.xml:1: speaker "The Vice President" could be Bo Berg (Vice President) or Cy Dahl (Secretary of Ferries, Vice President): the record does not say which.`},
		{"no such role", `<p>The Admiral: Aye.</p>`, `x.xml:1: speaker "The Admiral" names none of the participants (`},
		{"a name still wins", `<p>Berg: Me.</p>`, "turn:bo-berg:Me."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := tei(tt.body)
			if tt.name == "two Vice Presidents" {
				doc = strings.Replace(doc, "Secretary of Ferries", "Secretary of Ferries, Vice President", 1)
			}
			got := linesOrErrors(Parse("x.xml", []byte(doc)))
			if strings.HasPrefix(tt.want, "x.xml:") {
				// An error: its first sentences; the sidecar lines follow.
				if !strings.HasPrefix(got, tt.want) || !strings.Contains(got, "Settle it in the sidecar x.yaml") {
					t.Errorf("got  %s\nwant %s ...", got, tt.want)
				}
				return
			}
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}

	c, ps := Parse("x.xml", []byte(tei(`<p>The President: We sail at dawn.</p><p>The Vice President: Not I.</p><p>THE PRESIDENT: Good.</p>`)))
	if c == nil {
		t.Fatal(ps)
	}
	a := &Archive{Calls: []*Call{c}}
	if ids := a.ResolveSpeaker("Lima"); len(ids) != 1 || ids[0] != "ana-lima" {
		t.Fatalf("ResolveSpeaker(Lima) = %v, want [ana-lima]", ids)
	}
	if ids := a.ResolveSpeaker("The President"); len(ids) != 1 || ids[0] != "ana-lima" {
		t.Errorf("ResolveSpeaker(The President) = %v: the label must stay one of Ana Lima's", ids)
	}
	if p, _ := c.Participant("ana-lima"); len(p.Labels) != 1 || p.Labels[0] != "The President" || p.Role != "President" {
		t.Errorf("Ana Lima = %+v, want role President and label The President", p)
	}
	if len(c.Participants) != 5 {
		t.Errorf("participants = %+v: a role label must not add one", c.Participants)
	}
}

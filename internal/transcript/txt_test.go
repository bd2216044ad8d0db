package transcript

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestParse_RadioLog(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string
	}{
		{"continuation and links", "[00:00:01:00]\nCC: a [glossary:S-IVB]\n    b [time:60|00:01]\n", "turn:cc:a S-IVB\nb 00:01"},
		{"several speakers in a block", "[00:00:01:00]\nCDR: a\nCMP (COLUMBIA): b\n", "turn:cdr:a|turn:cmp-columbia:b"},
		{"metadata and its continuation skipped", "[00:00:01:00]\n_audio: [\n    {\"url\": \"x\"}\n    ]\nCDR: a\n", "turn:cdr:a"},
		{"fractions of seconds", "[00:00:01:07.5]\nCDR: a\n", "turn:cdr:a"},
		{"speaker on the timestamp line", "[00:00:01:00] CDR: a\n", "turn:cdr:a"},
		{"comments skipped", "# note\n[00:00:01:00]\n# another\nCDR: a\n", "turn:cdr:a"},
		{"non-ASCII codes", "[00:00:01:00]\nЗаря 1 (Королев): a\n", "turn:заря-1-королев:a"},
		{"stray line", "[00:00:01:00]\nCDR: a\nthis is not a log line\n", "x.txt:3: line is not `SPEAKER: text`, a [DD:HH:MM:SS] timestamp, a `_key : value` metadata line, a (bracketed) or [bracketed] note or an indented continuation"},
		{"parenthesised note with a colon", "[00:00:01:00]\nCDR: a\n\n[00:00:02:00]\n(Sound: - A FICTIONAL TUNE - from the cabin)\n", "turn:cdr:a|direction::(Sound: - A FICTIONAL TUNE - from the cabin)"},
		{"bracketed note on the timestamp line", "[00:00:01:00] [Static: two minutes]\n", "direction::[Static: two minutes]"},
		{"parenthesised note closed on a continuation", "[00:00:01:00]\n(Tone: a long\n    whistle)\nCDR: a\n", "direction::(Tone: a long\nwhistle)|turn:cdr:a"},
		{"note of only link markup", "[00:00:01:00]\nCDR: a\n[glossary:]\n", "turn:cdr:a"},
		{"broken timestamp is not a note", "[00:00:01:00]\nCDR: a\n[00:02]\n", "x.txt:3: line is not `SPEAKER: text`, a [DD:HH:MM:SS] timestamp, a `_key : value` metadata line, a (bracketed) or [bracketed] note or an indented continuation"},
		{"editor's note", "[00:00:01:00]\nCDR: a\n\nNote: Tape from the fictional station is lost.\n", "turn:cdr:a|direction::Note: Tape from the fictional station is lost."},
		{"other editorial words", "[00:00:01:00]\nNOTES: one\nEditor's note: two\nEditors’ Note: three\nTranscriber's note: four\nEditorial note: five\n", "direction::NOTES: one|direction::Editor's note: two|direction::Editors’ Note: three|direction::Transcriber's note: four|direction::Editorial note: five"},
		{"note continued", "[00:00:01:00]\nNote: tape\n    lost.\n", "direction::Note: tape\nlost."},
		{"a word like note is a speaker", "[00:00:01:00]\nNoted: a\nNOTER: b\n", "turn:noted:a|turn:noter:b"},
		{"no letter or digit is no speaker", "[00:00:01:00]\n...: <del>Lost</del>\n?: . . .\nCDR: a\n", "turn::<del>Lost</del>|turn::. . .|turn:cdr:a"},
		{"punctuation inside a code is fine", "[00:00:01:00]\nP?: a\nCC_?: b\n", "turn:p:a|turn:cc:b"},
		{"indent first", "[00:00:01:00]\n   hello\n", "x.txt:2: indented line continues nothing: put `SPEAKER: text` before it"},
		{"only metadata", "[00:00:01:00]\n_page : 3\n", "x.txt:1: no turns found: a plain-text transcript is either a radio log (`[00:00:01:02]` lines, then `CDR: text`) or a memorandum of conversation (`The President: text` paragraphs)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linesOrErrors(parse(input{path: "x.txt", data: []byte(tt.data), sidePath: "x.yaml", sidecar: []byte(sidecarTD)}))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
	if c, ps := parse(input{path: "x.txt", data: []byte("[00:00:01:07.5]\nCDR: a\n"), sidePath: "x.yaml", sidecar: []byte(sidecarTD)}); c == nil || c.Lines[0].Time != 67.5 {
		t.Errorf("fraction of a second: %+v %v", c, ps)
	}
	// Times: DD:HH:MM:SS in seconds; before launch, unknown.
	c := mustParse(t, "testdata/1999-07-20-fictional-flight.txt", mustRead(t, "testdata/1999-07-20-fictional-flight.txt"))
	var times []float64
	for _, l := range c.Lines {
		times = append(times, l.Time)
	}
	if want := []float64{-1, 1, 150, 150, 93784}; !equalFloats(times, want) {
		t.Errorf("times = %v, want %v", times, want)
	}
}

func equalFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestParse_Memo(t *testing.T) {
	side := sidecarTD + "participants:\n  - name: Richard Alder\n    role: President (fictional)\n    labels: [The President]\n  - name: Vice President Birch\n  - name: Carol Chestnut\n"
	c, ps := parse(input{path: "x.txt", data: mustRead(t, "testdata/1973-05-20-fictional-memcon.txt"), sidePath: "x.yaml", sidecar: []byte(side)})
	if c == nil {
		t.Fatal(ps)
	}
	if c.Lines[0].Speaker != "richard-alder" {
		t.Errorf("The President = %q, want the sidecar's participant", c.Lines[0].Speaker)
	}
	// With sidecar participants, the memo's own list is not added.
	if _, ok := c.Participant("president-alder"); ok {
		t.Error("participants from the memo were added beside the sidecar's")
	}
	bad := "PARTICIPANTS: A; B\n\nA: hello\n\nA: again\n\n[pause]\n\nwho says this?\n"
	if got, want := linesOrErrors(parse(input{path: "x.txt", data: []byte(bad), sidePath: "x.yaml", sidecar: []byte(sidecarTD)})),
		"x.txt:9: paragraph after a bracketed note has no speaker: start it with `Name:`"; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestParse_SpacelogCorpus reads every NASA transcript of the Spacelog
// corpus: each parses, or (the media streams) is refused precisely; the
// speaker lines add up to the count the corpus documents.
func TestParse_SpacelogCorpus(t *testing.T) {
	dir := corpus(t, "nasa-spacelog")
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	turns, directions := 0, 0
	for _, f := range files {
		if strings.Contains(f, "format-spec") {
			continue
		}
		data := mustRead(t, f)
		c, ps := parse(input{path: f, data: data, sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
		if c == nil {
			// Media streams hold metadata, not dialogue; one is empty.
			if !strings.HasSuffix(f, "MEDIA.txt") || len(ps) != 1 ||
				!(strings.Contains(ps[0].Message, "no turns found") || strings.HasPrefix(ps[0].String(), f+":1: file is empty:")) {
				t.Errorf("%s:\n%v", f, ps)
			}
			continue
		}
		for _, p := range ps {
			t.Errorf("%s: unexpected %v", f, p)
		}
		for _, p := range c.Participants {
			if !hasLetterOrDigit(p.Name) || strings.HasPrefix(p.Name, "(") || strings.HasPrefix(p.Name, "[") || isEditorial(p.Name, newSpeakers(nil)) {
				t.Errorf("%s: participant %q (%s) is no speaker: a note, or a label without a letter or digit", f, p.Name, p.ID)
			}
		}
		for _, l := range c.Lines {
			if l.Kind == Turn {
				turns++
			} else {
				directions++
			}
			if strings.Contains(l.Text, "[glossary:") {
				t.Errorf("%s:%d: link markup left in %q", f, l.SourceLine, l.Text)
			}
		}
	}
	// SOURCE.md counts 55,335 lines that start with `SPEAKER:`; two more
	// share their line with the timestamp ("[01:02:51:56] CC: ..." in g4).
	// Two of them are no one's turn: g6's parenthesised music and g4's
	// editor's "Note:" are directions.
	if turns != 55335+2-2 || directions != 2 {
		t.Errorf("%d speaker lines and %d directions, want the 55,335 SOURCE.md counts plus 2, less the 2 that are directions", turns, directions)
	}
}

package query

import (
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // canonical form
	}{
		{"words", "word for word", "word for word"},
		{"straight phrase", `"word for word"`, `"word for word"`},
		{"curly phrase", "“They might not take”", `"They might not take"`},
		{"low-high quotes", "„man of peace“", `"man of peace"`},
		{"exclude word", "peace -war", "peace -war"},
		{"exclude phrase", `peace -"man of"`, `peace -"man of"`},
		{"or", "peace OR war joy", "peace OR war joy"},
		{"lower-case or is a word", "peace or war", "peace or war"},
		{"dangling or", "OR peace OR", "peace"},
		{"or before exclusion", "peace OR -war", "peace -war"},
		{"speaker", "speaker:dmitriev word", "word speaker:dmitriev"},
		{"speaker quoted full name", `speaker:"Kirill  Dmitriev" word`, `word speaker:"Kirill Dmitriev"`},
		{"speaker curly quoted", "speaker:“Kirill Dmitriev”", `speaker:"Kirill Dmitriev"`},
		{"field name any case", "Speaker:KD", "speaker:KD"},
		{"bare speaker is a word", "speaker:", "speaker:"},
		{"call", "call:2025-10-14-witkoff-ushakov peace", "peace call:2025-10-14-witkoff-ushakov"},
		{"marking", "marking:S/NF ferry", "ferry marking:S/NF"},
		{"marking quoted, with spaces", `marking:"C//REL TO USA, FVEY" x speaker:kd`, `x speaker:kd marking:"C//REL TO USA, FVEY"`},
		{"bare marking is a word", "marking:", "marking:"},
		{"dates", "after:2025-10-01 before:2025-10-20 x", "x after:2025-10-01 before:2025-10-20"},
		{"bad date is words", "after:2025-13-01", "after:2025-13-01"},
		{"prefix", "inform*", "inform*"},
		{"short prefix is a word", "i*", "i"},
		{"stars only dropped", "***", ""},
		{"regexp is not special", "/.*/", ""},
		{"c++", "C++", "C++"},
		{"unbalanced quote", `"word for`, "word for"},
		{"unbalanced curly quote", "peace “man of", "peace man of"},
		{"quote then dash", `"-war`, "-war"},
		{"lone dash", "a - b", "a b"},
		{"control characters", "word\x00for\x1bword", "word for word"},
		{"invalid utf-8", "wo\xffrd", "wo rd"},
		{"empty phrase", `"" "..." x`, "x"},
		{"closing quote inside word", `"a b"c`, `"a b" c`},
		{"ellipsis word kept", "problem…", "problem…"},
		{"negated field is a word", "-speaker:kd x", "-speaker:kd x"},
		{"repeated after keeps latest", "after:2025-01-01 after:2025-02-01", "after:2025-02-01"},
		{"glued double dash is text", "business --the doors", "business the doors"},
		{"glued em dash is text", "a quasi-govern —I thought", "a quasi-govern —I thought"},
		{"dash after a letter is text", "well- known", "well- known"},
		{"dash before a dash is text", "-–war peace", "–war peace"},
		{"exclusion typed on purpose", "harbour contract -draft", "harbour contract -draft"},
		{"exclusion in a long query with OR", "one OR two three four five six seven -war", "one OR two three four five six seven -war"},
		{"exclusion in a long query with a filter", "one two three four five six -war speaker:kd", "one two three four five six -war speaker:kd"},
		{"pasted sentence: -word is text", "and I thought the whole -I mean the court", "and I thought the whole I mean the court"},
		{"five words and an exclusion stay typed", "the harbour contract was signed -draft", "the harbour contract was signed -draft"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.in).String()
			if got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestParse_Structure(t *testing.T) {
	q := Parse(`inform* -"man of peace" a OR b speaker:kd call:c1`)
	want := Query{
		Clauses: []Clause{
			{Terms: []Term{{Kind: Prefix, Text: "inform"}}},
			{Negate: true, Terms: []Term{{Kind: Phrase, Text: "man of peace"}}},
			{Terms: []Term{{Kind: Word, Text: "a"}, {Kind: Word, Text: "b"}}},
		},
		Speakers: []string{"kd"},
		Calls:    []string{"c1"},
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("Parse = %+v\nwant %+v", q, want)
	}
}

func TestParse_Limits(t *testing.T) {
	long := strings.Repeat("word ", 2000) // 10 KB
	q := Parse(long)
	if !q.Truncated {
		t.Error("10 KB query not marked truncated")
	}
	if len(q.Clauses) > MaxTerms {
		t.Errorf("%d clauses, want at most %d", len(q.Clauses), MaxTerms)
	}
	many := strings.Repeat("a OR ", 100) + "b"
	q = Parse(many)
	n := 0
	for _, c := range q.Clauses {
		n += len(c.Terms)
	}
	if n > MaxTerms {
		t.Errorf("%d terms, want at most %d", n, MaxTerms)
	}
	q = Parse(`"` + strings.Repeat("w ", 100) + `"`)
	if got := len(strings.Fields(q.Clauses[0].Terms[0].Text)); got != MaxPhraseWords {
		t.Errorf("phrase kept %d words, want %d", got, MaxPhraseWords)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"word for word", `"word for word" speaker:dmitriev`, "“They might not take”",
		`speaker:"Kirill Dmitriev" -x a OR b`, "inform* call:c1 after:2025-01-01",
		`"unbalanced`, "speaker:", "C++", "***", "/.*/", "\x00\x01", `-"-a`, `a"b "c`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		canon := q.String()
		again := Parse(canon)
		q.Truncated, again.Truncated = false, false
		if !reflect.DeepEqual(q, again) {
			t.Fatalf("unstable:\ninput %q\nfirst  %q %+v\nsecond %q %+v", s, canon, q, again.String(), again)
		}
		if again.String() != canon {
			t.Fatalf("String not canonical: %q then %q", canon, again.String())
		}
	})
}

// TestParse_Pasted: a long paste without operators reads its "-word" as
// text and says so; a query with an exclusion typed on purpose does not.
func TestParse_Pasted(t *testing.T) {
	for _, tt := range []struct {
		in     string
		pasted bool
	}{
		{"and I thought the whole -I mean the court", true},
		{"opened business --the doors for business", false}, // no exclusion to doubt
		{"harbour contract -draft", false},
		{"one OR two three four five six seven -war", false},
	} {
		if got := Parse(tt.in).Pasted; got != tt.pasted {
			t.Errorf("Parse(%q).Pasted = %v, want %v", tt.in, got, tt.pasted)
		}
	}
}

package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/index"
)

// TestSearchCLI_FromBuild: `backchannel search --data DIR` answers from
// the data folder alone, from any working directory, with or without a
// transcripts folder there: hits carry the speakers' names from the
// build's catalog, not their ids. When the transcripts folder it is
// pointed at changed since the build, it says the build is behind.
func TestSearchCLI_FromBuild(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	call := filepath.Join(dir, "2024-03-02-keller-osei.md")
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", call)
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	var want apiSearch
	for _, tt := range []struct {
		name string
		cwd  func(t *testing.T) string
	}{
		{"an empty folder", func(t *testing.T) string { return t.TempDir() }},
		{"beside another archive", func(t *testing.T) string {
			other := t.TempDir()
			if err := os.MkdirAll(filepath.Join(other, "transcripts"), 0o755); err != nil {
				t.Fatal(err)
			}
			copyFile(t, "../../transcripts/2025-10-14-witkoff-ushakov.md", filepath.Join(other, "transcripts", "2025-10-14-witkoff-ushakov.md"))
			return other
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLIIn(t, tt.cwd(t), "search", "--data", data, "--json", "ledger")
			if code != 0 {
				t.Fatalf("search exit %d: %s %s", code, out, errOut)
			}
			var got apiSearch
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if got.Total == 0 || len(got.Hits) == 0 {
				t.Fatalf("search found nothing: %s", out)
			}
			for _, h := range got.Hits {
				if h.Speaker != nil && (h.Speaker.Name == h.Speaker.ID || !strings.Contains(h.Speaker.Name, " ")) {
					t.Errorf("hit L%d: speaker %+v, want the full name from the build", h.Line, *h.Speaker)
				}
			}
			if errOut != "" {
				t.Errorf("search printed %q", errOut)
			}
			if want.Hits == nil {
				want = got
			} else if out2, _ := json.Marshal(got); string(out2) != mustMarshal(t, want) {
				t.Errorf("answers differ by working directory:\n%s\n%s", out2, mustMarshal(t, want))
			}
		})
	}

	// A transcript changed since the build: the build is said to be behind.
	f, err := os.OpenFile(call, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nMK: One more line about the ledger.\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, errOut, code := runCLI(t, "search", "--transcripts", dir, "--data", data, "ledger"); code != 0 || !strings.Contains(errOut, "transcripts changed") {
		t.Errorf("search after a transcript changed: exit %d, printed %q, want a note that the build is behind", code, errOut)
	}
}

// TestFragmentText: the terminal shows a fragment's matched words in
// [brackets], marks that touch as one.
func TestFragmentText(t *testing.T) {
	for _, tt := range []struct {
		in   index.Fragment
		want string
	}{
		{index.Fragment{Text: "I don't know"}, "I don't know"},
		{index.Fragment{Text: "word for word", Marks: []index.Span{{Start: 0, End: 4}, {Start: 9, End: 13}}}, "[word] for [word]"},
		{index.Fragment{Text: "…a <b> & c…", Marks: []index.Span{{Start: 5, End: 8}}}, "…a [<b>] & c…"},
		{index.Fragment{Text: "東京へ", Marks: []index.Span{{Start: 0, End: 3}, {Start: 3, End: 6}}}, "[東京]へ"},
		{index.Fragment{Text: "ab", Marks: []index.Span{{Start: 1, End: 9}}}, "ab"},
	} {
		if got := fragmentText(tt.in); got != tt.want {
			t.Errorf("fragmentText(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func mustMarshal(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

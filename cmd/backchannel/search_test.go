package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"backchannel/internal/index"
)

// TestSearchCLI_FromCatalog: `backchannel search` answers from the
// archive as catalogued when no transcript changed (the same JSON as when
// it reads the transcripts), and still says the index is out of date when
// one did.
func TestSearchCLI_FromCatalog(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	call := filepath.Join(dir, "2024-03-02-keller-osei.md")
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", call)
	// A catalog does not trust files written within two seconds of it.
	time.Sleep(2100 * time.Millisecond)
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(data, catalogFile)); err != nil {
		t.Fatalf("ingest wrote no catalog: %v", err)
	}
	search := func() (string, string) {
		t.Helper()
		out, errOut, code := runCLI(t, "search", "--transcripts", dir, "--data", data, "--json", "ledger")
		if code != 0 {
			t.Fatalf("search exit %d: %s %s", code, out, errOut)
		}
		return out, errOut
	}
	if a, _ := catalogArchive(dir, data, slog.New(slog.DiscardHandler)); a == nil {
		t.Fatal("the catalog written by ingest is not trusted: search would read every transcript")
	}
	fromCatalog, errOut := search()
	if !strings.Contains(fromCatalog, `"total": `) || strings.Contains(fromCatalog, `"total": 0`) {
		t.Fatalf("search found nothing: %s", fromCatalog)
	}
	if errOut != "" {
		t.Errorf("search from a fresh catalog printed %q", errOut)
	}
	if err := os.Remove(filepath.Join(data, catalogFile)); err != nil {
		t.Fatal(err)
	}
	if fromFiles, _ := search(); fromFiles != fromCatalog {
		t.Errorf("search from the catalog:\n%s\nfrom the transcripts:\n%s", fromCatalog, fromFiles)
	}

	// A transcript changed since: the catalog is not trusted, and the
	// index is said to be out of date.
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	f, err := os.OpenFile(call, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\nMK: One more line about the ledger.\n"); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if a, _ := catalogArchive(dir, data, slog.New(slog.DiscardHandler)); a != nil {
		t.Error("the catalog is trusted after a transcript changed")
	}
	if _, errOut := search(); !strings.Contains(errOut, "transcripts changed") {
		t.Errorf("search after a transcript changed printed %q, want a note that the index is out of date", errOut)
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

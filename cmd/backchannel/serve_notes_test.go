package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"backchannel/internal/transcript"
)

// TestOpenFromCatalog_Notes: a start from the catalog serves the notes
// beside the transcripts as a start that reads them does: a note whose
// quote is in its line is attached, one whose quote is not is detached and
// reported, and a call without a notes file has none.
func TestOpenFromCatalog_Notes(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	files := map[string]string{
		"2024-03-02-ferry.md":       "---\ntitle: Fictional call\ndate: 2024-03-02\n---\n\nMara Harlow (MH): The ferry leaves at ten.\n\nOtto Brandt (OB): Then we wait on the pier.\n",
		"2024-03-02-ferry.notes.md": "## L1 \"at ten\"\n\nThe first ferry.\n\n## L2 \"at the station\"\n\nNot what was said.\n",
		"2024-03-03-pier.md":        "---\ntitle: Another fictional call\ndate: 2024-03-03\n---\n\nMara Harlow (MH): The pier is closed.\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Parallel()
	// A catalog does not trust files written within two seconds of it:
	// let the files age, as in any real archive.
	time.Sleep(2100 * time.Millisecond)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))

	// The first start reads the transcripts, builds the index and writes
	// the catalog, as serve does.
	snap := transcript.TakeSnapshot(dir)
	read, problems, err := readArchive(dir, false, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := openFresh(context.Background(), data, read, logger)
	if err != nil {
		t.Fatal(err)
	}
	read, cat := catalogue(snap, read, problems, data, logger)
	if cat == nil {
		t.Fatal("the archive was not catalogued")
	}
	want := &library{dataDir: data}
	want.swap(read, cat, idx)
	defer want.close()

	opened := openFromCatalog(dir, data, logger)
	if opened == nil {
		t.Fatal("the second start did not open from the catalog")
	}
	got := &library{dataDir: data}
	got.swapNoted(opened.archive, opened.catalog, opened.index, opened.notes)
	defer got.close()

	ns := got.Notes("2024-03-02-ferry")
	if ns == nil || len(ns.Notes) != 2 {
		t.Fatalf("notes from the catalog = %+v, want two", ns)
	}
	if ns.Notes[0].Detached != "" {
		t.Errorf("note on a quote in its line is detached: %q", ns.Notes[0].Detached)
	}
	if !strings.Contains(ns.Notes[1].Detached, "at the station") {
		t.Errorf("note on a quote not in its line: detached = %q", ns.Notes[1].Detached)
	}
	if got.Notes("2024-03-03-pier") != nil {
		t.Error("notes for a call without a notes file")
	}
	wantNs := want.Notes("2024-03-02-ferry")
	for i := range ns.Notes {
		if ns.Notes[i].Detached != wantNs.Notes[i].Detached || ns.Notes[i].QuoteLine != wantNs.Notes[i].QuoteLine {
			t.Errorf("note %d from the catalog = %+v, read from the transcripts = %+v", i+1, ns.Notes[i], wantNs.Notes[i])
		}
	}
	if len(got.notesProblems) != 1 || got.notesProblems.Error() != want.notesProblems.Error() {
		t.Errorf("problems from the catalog = %v, read from the transcripts = %v", got.notesProblems, want.notesProblems)
	}
}

// TestOpenFromCatalog_Refused: a start from the catalog gives way to
// reading the transcripts when a transcript changed after the catalog was
// written, or when the index was not built from the catalogued archive.
func TestOpenFromCatalog_Refused(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, dir, data string)
	}{
		{"transcript changed", func(t *testing.T, dir, data string) {
			path := filepath.Join(dir, "2024-03-02-ferry.md")
			text := "---\ntitle: Fictional call\ndate: 2024-03-02\n---\n\nMara Harlow (MH): The ferry leaves at eleven.\n"
			if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
		{"no index", func(t *testing.T, dir, data string) {
			if err := os.Remove(filepath.Join(data, "current")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	t.Parallel()
	type fixture struct{ dir, data string }
	fixtures := make([]fixture, len(tests))
	for i := range fixtures {
		fixtures[i] = fixture{t.TempDir(), t.TempDir()}
		text := "---\ntitle: Fictional call\ndate: 2024-03-02\n---\n\nMara Harlow (MH): The ferry leaves at ten.\n"
		if err := os.WriteFile(filepath.Join(fixtures[i].dir, "2024-03-02-ferry.md"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A catalog does not trust files written within two seconds of it.
	time.Sleep(2100 * time.Millisecond)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, data := fixtures[i].dir, fixtures[i].data
			logger := slog.New(slog.NewTextHandler(io.Discard, nil))
			snap := transcript.TakeSnapshot(dir)
			a, problems, err := readArchive(dir, false, io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			idx, err := openFresh(context.Background(), data, a, logger)
			if err != nil {
				t.Fatal(err)
			}
			idx.Close()
			if _, cat := catalogue(snap, a, problems, data, logger); cat == nil {
				t.Fatal("the archive was not catalogued")
			}
			if opened := openFromCatalog(dir, data, logger); opened == nil {
				t.Fatal("an unchanged archive did not open from the catalog")
			} else {
				opened.index.Close()
			}

			tt.change(t, dir, data)
			if opened := openFromCatalog(dir, data, logger); opened != nil {
				opened.index.Close()
				t.Errorf("opened from the catalog after: %s", tt.name)
			}
		})
	}
}

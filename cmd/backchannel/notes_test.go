package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

// TestLibraryNotes: the library serves the notes beside its archive, and a
// changed notes file is read again without a new archive.
func TestLibraryNotes(t *testing.T) {
	dir := t.TempDir()
	call := "---\ntitle: Fictional call\ndate: 2024-03-02\n---\n\nMara Harlow (MH): The ferry leaves at ten.\n"
	if err := os.WriteFile(filepath.Join(dir, "2024-03-02-ferry.md"), []byte(call), 0o644); err != nil {
		t.Fatal(err)
	}
	notesPath := filepath.Join(dir, "2024-03-02-ferry.notes.md")
	if err := os.WriteFile(notesPath, []byte("## L1 \"at ten\"\n\nThe first ferry.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, ps := transcript.LoadDir(dir)
	if len(ps) != 0 {
		t.Fatal(ps)
	}
	lib := &library{archive: a}
	lib.reloadNotes()
	ns := lib.Notes("2024-03-02-ferry")
	if ns == nil || len(ns.Notes) != 1 || ns.Notes[0].Detached != "" {
		t.Fatalf("notes = %+v", ns)
	}
	if err := os.WriteFile(notesPath, []byte("## L1 \"at eleven\"\n\nThe first ferry.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lib.reloadNotes()
	ns = lib.Notes("2024-03-02-ferry")
	if ns == nil || !strings.Contains(ns.Notes[0].Detached, "at eleven") {
		t.Fatalf("after the edit: %+v", ns.Notes[0])
	}
	if len(lib.notesProblems) != 1 {
		t.Errorf("problems = %v", lib.notesProblems)
	}
	if lib.Notes("no-such-call") != nil {
		t.Error("notes for an unknown call")
	}
}

package main

import (
	"bytes"
	"encoding/gob"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"backchannel/internal/transcript"
)

// TestServe_OldCatalogRewritten: a catalog in the gob format of catalog
// version 1 is never read as a catalog: serve reads the transcripts, serves
// the same pages, and writes the catalog again in the current format, which
// the next start trusts.
func TestServe_OldCatalogRewritten(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	// A catalog does not trust files written within two seconds of it:
	// let the file age, as in any real archive.
	time.Sleep(2100 * time.Millisecond)
	page := "/calls/2024-03-02-keller-osei"
	path := filepath.Join(data, catalogFile)

	first := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	_, want := first.get(t, page)
	stopServe(t, first)
	cat, err := transcript.ReadCatalog(path)
	if err != nil {
		t.Fatalf("no catalog after the first start: %v", err)
	}
	// What serve wrote before the format changed: the same fields, gob.
	cat.Version = 1
	var old bytes.Buffer
	if err := gob.NewEncoder(&old).Encode(cat); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, old.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	second := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	resp, got := second.get(t, page)
	stopServe(t, second)
	logs := second.logs.String()
	if strings.Contains(logs, notReadAgain) || !strings.Contains(logs, "catalog unreadable") {
		t.Errorf("a start with an old catalog did not read the transcripts; logs:\n%s", logs)
	}
	if resp.StatusCode != 200 || string(got) != string(want) {
		t.Errorf("call page after an old catalog = %d, differs: %s", resp.StatusCode, firstDiff(string(got), string(want)))
	}
	if _, err := transcript.ReadCatalog(path); err != nil {
		t.Errorf("the old catalog was not written again: %v", err)
	}

	third := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	_, got = third.get(t, page)
	stopServe(t, third)
	if !strings.Contains(third.logs.String(), notReadAgain) || string(got) != string(want) {
		t.Errorf("the rewritten catalog was not trusted, or the page differs; logs:\n%s", third.logs)
	}
}

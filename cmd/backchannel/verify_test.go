package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/bagit"
)

// TestVerify_CLI: `backchannel verify` passes a bag and names, on
// stdout, one line per tampered file with exit 1.
func TestVerify_CLI(t *testing.T) {
	dir := t.TempDir()
	w, err := bagit.NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"index.html": "home", "transcripts/a.md": "**Ada:** A fictional line.\n", "calls/a/index.html": "call"} {
		if err := w.WriteFile(name, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finish([]bagit.Field{{Label: "Archive-Name", Value: "Fictional"}}, time.Now()); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := runCLI(t, "verify", dir)
	if code != 0 || !strings.Contains(stdout, "is a valid bag (BagIt 1.0, sha256): 3 payload files") {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}

	os.WriteFile(filepath.Join(dir, "data/transcripts/a.md"), []byte("**Ada:** A fictional line!\n"), 0o644)
	os.Remove(filepath.Join(dir, "data/calls/a/index.html"))
	os.WriteFile(filepath.Join(dir, "data/added.html"), nil, 0o644)
	stdout, stderr, code = runCLI(t, "verify", dir)
	if code != 1 {
		t.Fatalf("tampered bag: exit %d\n%s%s", code, stdout, stderr)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		got = append(got, strings.SplitN(line, " (", 2)[0])
	}
	want := []string{
		filepath.Join(dir, "bag-info.txt") + ": altered",
		filepath.Join(dir, "data/added.html") + ": extra",
		filepath.Join(dir, "data/calls/a/index.html") + ": missing",
		filepath.Join(dir, "data/transcripts/a.md") + ": altered",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stdout (-want +got):\n%s\n%s", diff, stdout)
	}
	if !strings.Contains(stderr, "is not a valid bag: 4 problems") {
		t.Errorf("stderr %q", stderr)
	}

	if _, _, code := runCLI(t, "verify"); code != 2 {
		t.Errorf("verify without a folder: exit %d, want 2", code)
	}
	if _, stderr, code := runCLI(t, "verify", t.TempDir()); code != 1 || !strings.Contains(stderr, "not a valid bag") {
		t.Errorf("verify of an empty folder: exit %d, %s", code, stderr)
	}
}

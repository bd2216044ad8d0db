package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServe_EarlierLayout: a data folder of the layout before builds
// (current naming an index-* folder, catalog.gob beside it) is not
// misread: serve makes a build, serves it, and the earlier files are
// removed.
func TestServe_EarlierLayout(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	old := filepath.Join(data, "index-20251126T101010.000000000-abcd1234")
	if err := os.MkdirAll(filepath.Join(old, "store"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{filepath.Join(old, "backchannel.json"), filepath.Join(data, "catalog.gob")} {
		if err := os.WriteFile(f, []byte("from an earlier version"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Base(old), filepath.Join(data, "current")); err != nil {
		t.Fatal(err)
	}
	srv := startServe(t, dir, data)
	resp, body := srv.get(t, "/calls/2024-03-02-keller-osei")
	stopServe(t, srv)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "quay") {
		t.Fatalf("call page = %d:\n%s", resp.StatusCode, body)
	}
	for _, f := range []string{old, filepath.Join(data, "catalog.gob")} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s of the earlier layout is still there (%v)", filepath.Base(f), err)
		}
	}
	target, _ := os.Readlink(filepath.Join(data, "current"))
	if !strings.HasPrefix(target, "build-") {
		t.Errorf("current names %q, want a build", target)
	}
}

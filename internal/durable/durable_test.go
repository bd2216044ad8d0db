package durable

import (
	"os"
	"path/filepath"
	"testing"
)

func TestCreate(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := Create(p, []byte("one")); err != nil {
		t.Fatal(err)
	}
	if err := Create(p, []byte("two")); err == nil {
		t.Error("Create over an existing file succeeded")
	}
	if b, _ := os.ReadFile(p); string(b) != "one" {
		t.Errorf("file holds %q", b)
	}
}

func TestReplace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	for _, s := range []string{"one", "two"} {
		if err := Replace(p, []byte(s)); err != nil {
			t.Fatal(err)
		}
		if b, _ := os.ReadFile(p); string(b) != s {
			t.Errorf("file holds %q, want %q", b, s)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
	if err := SyncTree(dir); err != nil {
		t.Error(err)
	}
	if err := Replace(filepath.Join(dir, "missing", "f"), nil); err == nil {
		t.Error("Replace into a missing folder succeeded")
	}
}

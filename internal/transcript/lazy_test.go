package transcript

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// TestLoadDirLazy: LoadDirLazy reads the archive LoadDir reads — calls,
// hash, problems, speakers, and each call's lines on demand — without
// keeping any line, and its catalog is LoadDir's.
func TestLoadDirLazy(t *testing.T) {
	dir := catalogDir(t)
	write(t, filepath.Join(dir, "2024-06-01-notes-only.md"), "no front matter here\n")
	before := TakeSnapshot(dir)
	before.s.Taken = before.s.Taken.Add(time.Hour)
	full, fps := LoadDir(dir)
	lazy, lps := LoadDirLazy(dir, 0)
	if !reflect.DeepEqual(lps, fps) {
		t.Errorf("problems:\n lazy %v\n LoadDir %v", lps, fps)
	}
	sameAsLoaded(t, lazy, full)

	// Without the file with errors, the catalog of either is the same.
	remove(t, filepath.Join(dir, "2024-06-01-notes-only.md"))
	before = TakeSnapshot(dir)
	before.s.Taken = before.s.Taken.Add(time.Hour)
	full, fps = LoadDir(dir)
	lazy, lps = LoadDirLazy(dir, 0)
	cf, err := NewCatalog(before, full, fps)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := NewCatalog(before, lazy, lps)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cl, cf) {
		t.Errorf("catalog of the lazy archive:\n%+v\nof LoadDir's:\n%+v", cl, cf)
	}

	// A file edited after it was read is never shown as what was read.
	c := lazy.Calls[0]
	appendTo(t, c.Path, "\n")
	if _, err := lazy.WithLines(c); !errors.Is(err, ErrChanged) {
		t.Errorf("WithLines after an edit = %v, want ErrChanged", err)
	}
}

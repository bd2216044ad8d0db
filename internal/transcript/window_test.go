package transcript

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// memReader is a LineReader over an archive read whole, counting what is
// asked of it.
type memReader struct {
	calls         map[string]*Call // by object key
	whole, range_ int
}

func (r *memReader) Lines(key string) ([]Line, int64, error) {
	r.whole++
	return r.calls[key].Lines, 1, nil
}

func (r *memReader) LineRange(key string, from, to int) ([]Line, error) {
	r.range_++
	return clip(r.calls[key].Lines, from, to), nil
}

// Window and LineRange of an archive over a line store read only the
// lines asked for, and give the lines the file holds at those positions.
func TestArchive_Window(t *testing.T) {
	dir := catalogDir(t)
	cat, full := settledCatalog(t, dir)
	r := &memReader{calls: map[string]*Call{}}
	cat.SetObjects(func(format, sha, side string) string { return sha })
	for _, c := range full.Calls {
		r.calls[c.SHA256] = c
	}
	a := cat.Archive(r, DefaultLineCacheBytes)
	for i, c := range a.Calls {
		want := full.Calls[i]
		n := len(want.Lines)
		for _, w := range [][2]int{{1, 1}, {2, 4}, {n - 1, n + 3}, {-2, 1}} {
			got, err := a.Window(c, w[0], w[1])
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Lines) != n {
				t.Fatalf("%s window %v: %d positions, want %d", c.Slug, w, len(got.Lines), n)
			}
			for p := max(w[0], 1); p <= min(w[1], n); p++ {
				l, _ := got.Line(p)
				if diff := cmp.Diff(want.Lines[p-1], l); diff != "" {
					t.Errorf("%s window %v line %d (-file +window):\n%s", c.Slug, w, p, diff)
				}
			}
			if got.Title != want.Title || got.Slug != want.Slug {
				t.Errorf("%s window: header %q", c.Slug, got.Title)
			}
		}
	}
	if r.whole != 0 || r.range_ == 0 {
		t.Errorf("windows read %d whole calls and %d ranges; want ranges only", r.whole, r.range_)
	}
	// Once a call is read whole (a call page), windows come from the cache.
	c := a.Calls[0]
	if _, err := a.WithLines(c); err != nil {
		t.Fatal(err)
	}
	before := r.range_
	if _, err := a.Window(c, 1, 2); err != nil || r.range_ != before {
		t.Errorf("a window of a cached call read the store again (%v)", err)
	}
}

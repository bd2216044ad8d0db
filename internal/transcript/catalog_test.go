package transcript

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// catalogFixtures are copied into a folder for each catalog test: a
// Markdown call, a WebVTT call with its metadata sidecar, an SRT call.
var catalogFixtures = []string{
	"news_call.md",
	"minimal.md",
	"2024-05-07-ferry-board.vtt",
	"2024-05-07-ferry-board.yaml",
	"2024-05-08-harbour-interview.srt",
}

func catalogDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range catalogFixtures {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// settledCatalog makes the catalog of dir as if the files had been
// written long before it (a catalog does not trust files written within
// racyMargin of it, and a test cannot set a file's status-change time
// back), written to disk and read back.
func settledCatalog(t *testing.T, dir string) (*Catalog, *Archive) {
	t.Helper()
	before := TakeSnapshot(dir)
	before.s.Taken = before.s.Taken.Add(time.Hour)
	a, ps := LoadDir(dir)
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	cat, err := NewCatalog(before, a, ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Racy) > 0 {
		t.Fatalf("racy files in a settled catalog: %v", cat.Racy)
	}
	path := filepath.Join(t.TempDir(), "catalog.gob")
	if err := cat.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadCatalog(path)
	if err != nil {
		t.Fatal(err)
	}
	return back, a
}

// sameAsLoaded checks that a, which keeps no lines in memory, is the
// archive LoadDir read (full): hash, folder, calls, speakers, line counts,
// and each call's lines on demand.
func sameAsLoaded(t *testing.T, a, full *Archive) {
	t.Helper()
	if a.Hash != full.Hash || a.Dir != full.Dir || len(a.Calls) != len(full.Calls) {
		t.Fatalf("archive hash/dir/calls = %s %s %d, want %s %s %d", a.Hash, a.Dir, len(a.Calls), full.Hash, full.Dir, len(full.Calls))
	}
	if !reflect.DeepEqual(a.Speakers(), full.Speakers()) {
		t.Errorf("speakers differ:\n got %+v\nwant %+v", a.Speakers(), full.Speakers())
	}
	for i, c := range a.Calls {
		want := full.Calls[i]
		if len(c.Lines) != 0 {
			t.Errorf("%s: %d lines in memory, want none until asked for", c.Slug, len(c.Lines))
		}
		if got := a.LineCount(c); got != len(want.Lines) {
			t.Errorf("%s: LineCount = %d, want %d", c.Slug, got, len(want.Lines))
		}
		wc, err := a.WithLines(c)
		if err != nil {
			t.Fatalf("%s: %v", c.Slug, err)
		}
		if !reflect.DeepEqual(wc, want) {
			t.Errorf("%s: WithLines differs from LoadDir:\n got %+v\nwant %+v", c.Slug, wc, want)
		}
	}
}

// TestCatalog_SameArchive: an archive read from a fresh catalog is the
// archive LoadDir reads, lines included, without parsing every file.
func TestCatalog_SameArchive(t *testing.T) {
	dir := catalogDir(t)
	cat, full := settledCatalog(t, dir)
	if err := cat.Fresh(dir); err != nil {
		t.Fatalf("Fresh on an unchanged folder: %v", err)
	}
	a := cat.Archive(nil, DefaultLineCacheBytes)
	sameAsLoaded(t, a, full)
	for i, c := range a.Calls {
		want := full.Calls[i]
		again, err := a.WithLines(c)
		if err != nil || !reflect.DeepEqual(again, want) {
			t.Errorf("%s: second WithLines (cached) = %+v, %v", c.Slug, again, err)
		}
		if full.LineCount(want) != len(want.Lines) {
			t.Errorf("%s: LineCount of a loaded archive = %d", c.Slug, full.LineCount(want))
		}
		if got, err := full.WithLines(want); got != want || err != nil {
			t.Errorf("%s: WithLines of a loaded archive = %p, %v; want the call itself", c.Slug, got, err)
		}
	}
	if _, ps := LoadDir(dir); !reflect.DeepEqual(cat.Warnings, ps) {
		t.Errorf("warnings = %v, want LoadDir's %v", cat.Warnings, ps)
	}
}

// TestCatalog_Stale: any change to a file LoadDir reads makes the catalog
// stale, and lines are never read from a file that changed.
func TestCatalog_Stale(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(t *testing.T, dir string)
		stale bool
		// slug whose lines can no longer be read from the old catalog
		changed string
	}{
		{"nothing", func(*testing.T, string) {}, false, ""},
		{"same-size edit", func(t *testing.T, dir string) {
			replaceIn(t, filepath.Join(dir, "minimal.md"), "Hello?", "Hallo?")
		}, true, "minimal"},
		{"appended line", func(t *testing.T, dir string) {
			appendTo(t, filepath.Join(dir, "minimal.md"), "Ana Lima (AL): Still there?\n")
		}, true, "minimal"},
		{"sidecar edit", func(t *testing.T, dir string) {
			replaceIn(t, filepath.Join(dir, "2024-05-07-ferry-board.yaml"), "Maria Keller", "Maria Kellex")
		}, true, "2024-05-07-ferry-board"},
		{"sidecar removed", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, "2024-05-07-ferry-board.yaml"))
		}, true, "2024-05-07-ferry-board"},
		{"transcript removed", func(t *testing.T, dir string) {
			remove(t, filepath.Join(dir, "minimal.md"))
		}, true, "minimal"},
		{"transcript added", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "extra.md"), "---\ntitle: Extra\ndate: '2023-01-03'\n---\nAna Lima (AL): Hi.\n")
		}, true, ""},
		{"transcript in a new subfolder", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "more"), 0o755)
			write(t, filepath.Join(dir, "more", "extra.md"), "---\ntitle: Extra\ndate: '2023-01-03'\n---\nAna Lima (AL): Hi.\n")
		}, true, ""},
		{"touched, same content", func(t *testing.T, dir string) {
			later := time.Now().Add(time.Minute)
			if err := os.Chtimes(filepath.Join(dir, "minimal.md"), later, later); err != nil {
				t.Fatal(err)
			}
		}, true, ""},
		{"replaced by a file of the same size and time", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "minimal.md")
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := os.ReadFile(p)
			b = []byte(strings.Replace(string(b), "Hello?", "Hallo?", 1))
			tmp := p + ".new"
			write(t, tmp, string(b))
			if err := os.Chtimes(tmp, fi.ModTime(), fi.ModTime()); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		}, true, "minimal"},
		{"README added", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "README.md"), "About this folder.\n")
		}, false, ""},
		{"notes added", func(t *testing.T, dir string) {
			write(t, filepath.Join(dir, "minimal.notes.md"), "A note.\n")
		}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := catalogDir(t)
			cat, _ := settledCatalog(t, dir)
			a := cat.Archive(nil, DefaultLineCacheBytes)
			tt.edit(t, dir)
			err := cat.Fresh(dir)
			if tt.stale && !errors.Is(err, ErrStale) {
				t.Errorf("Fresh = %v, want ErrStale", err)
			}
			if !tt.stale && err != nil {
				t.Errorf("Fresh = %v, want nil", err)
			}
			for _, c := range a.Calls {
				_, err := a.WithLines(c)
				if c.Slug == tt.changed {
					if !errors.Is(err, ErrChanged) {
						t.Errorf("%s: WithLines = %v, want ErrChanged", c.Slug, err)
					}
				} else if err != nil {
					t.Errorf("%s: WithLines = %v", c.Slug, err)
				}
			}
		})
	}
}

// TestCatalog_Racy: files written just before the catalog was made are not
// trusted by their size and times alone.
func TestCatalog_Racy(t *testing.T) {
	dir := catalogDir(t)
	before := TakeSnapshot(dir)
	a, ps := LoadDir(dir)
	cat, err := NewCatalog(before, a, ps)
	if err != nil {
		t.Fatal(err)
	}
	if len(cat.Racy) == 0 {
		t.Fatal("no racy files in the catalog of files written a moment ago")
	}
	if err := cat.Fresh(dir); !errors.Is(err, ErrStale) {
		t.Errorf("Fresh = %v, want ErrStale", err)
	}
}

// TestCatalog_ChangedWhileRead: a file written between the snapshot and
// the catalog gives no catalog.
func TestCatalog_ChangedWhileRead(t *testing.T) {
	dir := catalogDir(t)
	before := TakeSnapshot(dir)
	appendTo(t, filepath.Join(dir, "minimal.md"), "Ana Lima (AL): Still there?\n")
	a, ps := LoadDir(dir)
	if _, err := NewCatalog(before, a, ps); err == nil {
		t.Error("NewCatalog succeeded for a file that changed after the snapshot")
	}
}

// TestCatalog_Refuses: no catalog for an archive with errors, and a
// catalog from another folder path or version is stale.
func TestCatalog_Refuses(t *testing.T) {
	dir := catalogDir(t)
	write(t, filepath.Join(dir, "broken.md"), "---\ntitle: [unclosed\n---\n")
	before := TakeSnapshot(dir)
	a, ps := LoadDir(dir)
	if !ps.HasErrors() {
		t.Fatal("want errors from broken.md")
	}
	if _, err := NewCatalog(before, a, ps); err == nil {
		t.Error("NewCatalog succeeded for an archive with errors")
	}

	remove(t, filepath.Join(dir, "broken.md"))
	cat, _ := settledCatalog(t, dir)
	if err := cat.Fresh(dir + string(filepath.Separator) + "."); !errors.Is(err, ErrStale) {
		t.Errorf("Fresh with the folder named otherwise = %v, want ErrStale", err)
	}
	cat.Version++
	if err := cat.Fresh(dir); !errors.Is(err, ErrStale) {
		t.Errorf("Fresh of another version = %v, want ErrStale", err)
	}

	garbage := filepath.Join(t.TempDir(), "catalog.gob")
	write(t, garbage, "not a catalog\n")
	if _, err := ReadCatalog(garbage); err == nil {
		t.Error("ReadCatalog of a damaged file succeeded")
	}
}

// TestLineCache_Bounded: the cache keeps about its bound in bytes and reads
// a call again once it was dropped.
func TestLineCache_Bounded(t *testing.T) {
	lc := newLineCache(250)
	calls := make([]*Call, 5)
	loads := map[*Call]int{}
	for i := range calls {
		calls[i] = &Call{Slug: string(rune('a' + i))}
	}
	get := func(c *Call) {
		t.Helper()
		lines, err := lc.get(c, func() ([]Line, int64, error) {
			loads[c]++
			return []Line{{N: 1, Text: c.Slug}}, 100, nil
		})
		if err != nil || len(lines) != 1 || lines[0].Text != c.Slug {
			t.Fatalf("get %s = %v, %v", c.Slug, lines, err)
		}
	}
	for _, c := range calls {
		get(c)
	}
	if lc.bytes > 250 || len(lc.byKey) != 2 {
		t.Errorf("cache holds %d bytes in %d calls, want at most 250 in 2", lc.bytes, len(lc.byKey))
	}
	get(calls[4]) // most recent: cached
	get(calls[0]) // dropped: read again
	if loads[calls[4]] != 1 || loads[calls[0]] != 2 {
		t.Errorf("loads = e:%d a:%d, want 1 and 2", loads[calls[4]], loads[calls[0]])
	}
	failing := &Call{Slug: "x"}
	for range 2 {
		if _, err := lc.get(failing, func() ([]Line, int64, error) { loads[failing]++; return nil, 0, ErrChanged }); !errors.Is(err, ErrChanged) {
			t.Errorf("get of a failing load = %v", err)
		}
	}
	if loads[failing] != 2 {
		t.Errorf("a failed read was cached: %d loads, want 2", loads[failing])
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	write(t, path, string(b)+s)
}

func replaceIn(t *testing.T, path, old, new string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", path, old)
	}
	write(t, path, strings.Replace(string(b), old, new, 1))
}

func remove(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}

// TestLineCache_OneReadAtATime: requests for a call being read wait for
// that read instead of reading it again.
func TestLineCache_OneReadAtATime(t *testing.T) {
	lc := newLineCache(1 << 20)
	c := &Call{Slug: "a"}
	release := make(chan struct{})
	var loads atomic.Int32
	load := func() ([]Line, int64, error) {
		loads.Add(1)
		<-release
		return []Line{{N: 1, Text: "a"}}, 100, nil
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if lines, err := lc.get(c, load); err != nil || len(lines) != 1 {
				t.Errorf("get = %v, %v", lines, err)
			}
		}()
	}
	// Wait until the first read started, then let it finish.
	for loads.Load() == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Errorf("%d reads of one call for 8 concurrent requests, want 1", n)
	}
}

// TestCatalog_ChangedNamedAnotherWay: the folder a catalog was made from,
// named relative to another working directory, has not changed; an edit
// made under either name has.
func TestCatalog_ChangedNamedAnotherWay(t *testing.T) {
	dir := catalogDir(t)
	cat, _ := settledCatalog(t, dir)
	t.Chdir(filepath.Dir(dir))
	rel := filepath.Base(dir)
	for _, name := range []string{dir, rel, "./" + rel + "/"} {
		if err := cat.Changed(TakeSnapshot(name)); err != nil {
			t.Errorf("Changed(%s) on an unchanged folder = %v, want nil", name, err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		t.Fatalf("read %s: %v", dir, err)
	}
	var file string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".md") {
			file = filepath.Join(dir, e.Name())
			break
		}
	}
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("\nAnd one more fictional line.\n")
	f.Close()
	for _, name := range []string{dir, rel} {
		if err := cat.Changed(TakeSnapshot(name)); err == nil {
			t.Errorf("Changed(%s) after an edit = nil, want an error", name)
		}
	}
}

// TestLoadDir_SymlinkedFolder: a transcripts folder that is a symbolic
// link (to a checkout kept elsewhere) is read through the link: the same
// calls and lines as the folder itself, and a catalog made through the
// link sees an edit made through it.
func TestLoadDir_SymlinkedFolder(t *testing.T) {
	dir := catalogDir(t)
	link := filepath.Join(t.TempDir(), "transcripts")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	want, _ := LoadDir(dir)
	got, ps := LoadDir(link)
	if len(got.Calls) == 0 || len(got.Calls) != len(want.Calls) {
		t.Fatalf("LoadDir through a link: %d calls, want %d (%v)", len(got.Calls), len(want.Calls), ps)
	}
	for i, c := range got.Calls {
		if c.Slug != want.Calls[i].Slug || !reflect.DeepEqual(c.Lines, want.Calls[i].Lines) {
			t.Errorf("call %d through the link = %s, want %s with the same lines", i, c.Slug, want.Calls[i].Slug)
		}
	}
	cat, _ := settledCatalog(t, link)
	if err := cat.Fresh(link); err != nil {
		t.Fatalf("Fresh through the link on an unchanged folder: %v", err)
	}
	if err := os.WriteFile(filepath.Join(link, "zz-added.md"), []byte("not a transcript yet\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := cat.Changed(TakeSnapshot(link)); err == nil {
		t.Error("Changed through the link after a file was added = nil, want an error")
	}
}

// TestCatalog_Settle: files written just before a catalog was made are not
// trusted (Racy); once the margin has passed and they still hold what was
// read, Settle trusts them and the catalog is Fresh. A file changed since,
// or a bad file (distrusted, no call), stays untrusted.
func TestCatalog_Settle(t *testing.T) {
	const margin = 300 * time.Millisecond
	dir := catalogDir(t)
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("2024-09-09-bad.md", "---\ntitle: Broken\ndate: 2024-09-09\n---\n\nZQ: nobody declared me\n")
	snap := TakeSnapshot(dir).WithMargin(margin)
	a, ps := LoadDir(dir)
	var warnings Problems
	var bad []string
	for _, p := range ps {
		if p.Severity == Error {
			bad = append(bad, p.Path)
		} else {
			warnings = append(warnings, p)
		}
	}
	cat, err := NewCatalog(snap, a, warnings)
	if err != nil {
		t.Fatal(err)
	}
	cat.Distrust(bad...)
	if len(cat.Racy) <= len(bad) {
		t.Fatalf("files written just now: racy %v, want every file", cat.Racy)
	}
	cat.Settle(margin) // too early: the clock has not moved past the margin
	if len(cat.Racy) <= len(bad) {
		t.Fatalf("Settle before the margin passed trusted %v", cat.Racy)
	}
	time.Sleep(margin + 50*time.Millisecond)
	changed := a.Calls[0].Path
	data, err := os.ReadFile(changed)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(changed, append(data, "\nA fictional line added.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	cat.Settle(margin)
	want := append([]string{changed}, bad...)
	slices.Sort(want)
	got := slices.Sorted(slices.Values(cat.Racy))
	if !slices.Equal(got, want) {
		t.Errorf("after Settle racy = %v, want only the changed and the bad file %v", got, want)
	}
	if err := os.WriteFile(changed, data, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "2024-09-09-bad.md"))
	cat.Racy = slices.DeleteFunc(cat.Racy, func(p string) bool { return p != changed })
	time.Sleep(margin + 50*time.Millisecond)
	cat.Settle(margin) // the content is the one loaded again, but its state is not the one recorded
	if len(cat.Racy) != 1 {
		t.Errorf("a file whose state changed was trusted: racy %v", cat.Racy)
	}
}

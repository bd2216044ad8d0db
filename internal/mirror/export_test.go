package mirror

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	webassets "backchannel/web"

	"backchannel/internal/bagit"
	"backchannel/internal/library"
	"backchannel/internal/transcript"
	"backchannel/internal/web"
)

// fictional is the fictional archive of cmd/backchannel's browser tests.
const fictional = "../../cmd/backchannel/testdata/browser"

// newOptions builds the fictional archive and returns what Export reads
// to mirror it, as `backchannel export --format site` gives it.
func newOptions(t *testing.T) Options {
	t.Helper()
	data := t.TempDir()
	if _, err := library.Ingest(t.Context(), fictional, data, library.IngestOptions{RacyMargin: -1}); err != nil {
		t.Fatal(err)
	}
	b, err := library.OpenCurrent(data)
	if err != nil {
		t.Fatal(err)
	}
	lib := library.New(data, nil)
	lib.Swap(b)
	t.Cleanup(func() { lib.Close() })
	srv, err := web.NewServer(web.Config{Library: lib, Notes: lib, Versions: lib, Assets: webassets.FS,
		BaseURL: "https://archive.example.org", NoPageCache: true})
	if err != nil {
		t.Fatal(err)
	}
	var sources []Source
	for _, c := range b.Archive.Calls {
		sources = append(sources, Source{Name: filepath.Base(c.Path), Path: c.Path, SHA256: c.SHA256})
	}
	return Options{
		Handler: srv.Handler(), Archive: b.Archive, BaseURL: "https://archive.example.org", Sources: sources,
		History: func(slug string) []transcript.Version { return lib.History(b.Archive, slug) },
		Info:    []bagit.Field{{Label: "Archive-Name", Value: "Fictional"}}, Now: time.Now(),
	}
}

func mustVerify(t *testing.T, dir string) *bagit.Report {
	t.Helper()
	r, err := bagit.Verify(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// leftovers lists what an export left in parent besides out.
func leftovers(t *testing.T, parent, out string) []string {
	t.Helper()
	es, err := os.ReadDir(parent)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		if e.Name() != filepath.Base(out) {
			names = append(names, e.Name())
		}
	}
	return names
}

// TestExportInterrupted: an export that fails or is interrupted at any
// step leaves no folder at its output, nor a partial one beside it, and
// an output folder that was there (with --force) is as it was.
func TestExportInterrupted(t *testing.T) {
	o := newOptions(t)
	for _, step := range []string{"cancel after 20 pages", "calls", "finish", "rename"} {
		t.Run(step, func(t *testing.T) {
			parent := t.TempDir()
			out := filepath.Join(parent, "mirror")
			o := o
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if step == "cancel after 20 pages" {
				var n atomic.Int32
				h := o.Handler
				o.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					if n.Add(1) == 20 {
						cancel()
					}
					h.ServeHTTP(w, r)
				})
			} else {
				o.fault = func(s string) error {
					if s == step {
						return errors.New("fault at " + s)
					}
					return nil
				}
			}
			_, err := Export(ctx, out, false, o)
			if err == nil {
				t.Fatal("the export did not fail")
			}
			if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the output folder exists after an interrupted export: %v", err)
			}
			if left := leftovers(t, parent, out); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}

			// Over an earlier mirror, with force: the earlier one stays.
			if _, err := Export(t.Context(), out, false, newFault(o, "")); err != nil {
				t.Fatal(err)
			}
			before := mustVerify(t, out)
			o.Handler = newOptions(t).Handler
			if step == "cancel after 20 pages" {
				ctx, cancel = context.WithCancel(t.Context())
				cancel()
			}
			if _, err := Export(ctx, out, true, o); err == nil {
				t.Fatal("the export over a mirror did not fail")
			}
			after := mustVerify(t, out)
			if !after.Valid() || after.PayloadFiles != before.PayloadFiles {
				t.Errorf("the earlier mirror changed: %d files, problems %v", after.PayloadFiles, after.Problems)
			}
			if left := leftovers(t, parent, out); len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

// newFault returns o failing at step ("": never).
func newFault(o Options, step string) Options {
	o.fault = func(s string) error {
		if step != "" && s == step {
			return errors.New("fault at " + s)
		}
		return nil
	}
	return o
}

// TestExportKilledIsNotABag: what an export killed midway leaves (its
// partial folder, before bagit.txt and the manifest are written) never
// verifies.
func TestExportKilledIsNotABag(t *testing.T) {
	o := newOptions(t)
	parent := t.TempDir()
	out := filepath.Join(parent, "mirror")
	var partial string
	o.fault = func(step string) error {
		if step == "finish" {
			// The payload is complete: copy the folder as a kill -9
			// would leave it, then fail.
			es, _ := filepath.Glob(filepath.Join(parent, ".mirror.partial-*"))
			partial = filepath.Join(t.TempDir(), "partial")
			if err := os.CopyFS(partial, os.DirFS(es[0])); err != nil {
				t.Fatal(err)
			}
			return errors.New("killed")
		}
		return nil
	}
	if _, err := Export(t.Context(), out, false, o); err == nil {
		t.Fatal("no error")
	}
	r := mustVerify(t, partial)
	if r.Valid() {
		t.Fatal("a partial export verifies")
	}
	var names []string
	for _, p := range r.Problems {
		names = append(names, p.String())
	}
	if got := strings.Join(names, "\n"); !strings.Contains(got, "bagit.txt: missing") {
		t.Errorf("problems:\n%s", got)
	}
}

func TestExportRefusesNonEmpty(t *testing.T) {
	o := newOptions(t)
	out := filepath.Join(t.TempDir(), "mirror")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	keep := filepath.Join(out, "notes.txt")
	if err := os.WriteFile(keep, []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Export(t.Context(), out, false, o)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("err = %v, want ErrExists naming --force", err)
	}
	if b, err := os.ReadFile(keep); err != nil || string(b) != "mine" {
		t.Fatalf("the folder's file changed: %q %v", b, err)
	}
	if _, err := Export(t.Context(), out, true, o); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(keep); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("--force kept the old folder's file: %v", err)
	}
	if r := mustVerify(t, out); !r.Valid() {
		t.Errorf("problems: %v", r.Problems)
	}
	if left := leftovers(t, filepath.Dir(out), out); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}

	// An empty folder is written into without --force.
	empty := t.TempDir()
	if _, err := Export(t.Context(), empty, false, o); err != nil {
		t.Fatal(err)
	}
	if r := mustVerify(t, empty); !r.Valid() {
		t.Errorf("problems: %v", r.Problems)
	}
}

// TestExportSourceChanged: a transcript file that no longer has the
// build's digest is not put in the mirror as if it were what the pages
// show; the export fails naming it.
func TestExportSourceChanged(t *testing.T) {
	o := newOptions(t)
	changed := filepath.Join(t.TempDir(), "changed.md")
	os.WriteFile(changed, []byte("**Ada:** Not what was built.\n"), 0o644)
	o.Sources = append(o.Sources, Source{Name: "changed.md", Path: changed, SHA256: strings.Repeat("0", 64)})
	out := filepath.Join(t.TempDir(), "mirror")
	_, err := Export(t.Context(), out, false, o)
	if !errors.Is(err, ErrSourceChanged) || !strings.Contains(err.Error(), changed) {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("output exists: %v", err)
	}
}

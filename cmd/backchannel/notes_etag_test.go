package main

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeWatch_NotesEditChangesETag (issue 14, finding 5, through the
// real library): under serve --watch, editing a .notes.md changes the call
// page within seconds, under a new ETag, and the old ETag no longer gets a
// 304.
func TestServeWatch_NotesEditChangesETag(t *testing.T) {
	if testing.Short() {
		t.Skip("serve --watch run skipped in -short mode")
	}
	dir, data := t.TempDir(), t.TempDir()
	const slug = "2023-11-08-lindqvist-amara"
	copyFile(t, filepath.Join("testdata/browser", slug+".md"), filepath.Join(dir, slug+".md"))
	notes := filepath.Join(dir, slug+".notes.md")
	copyFile(t, filepath.Join("testdata/browser", slug+".notes.md"), notes)
	srv := startServeArgs(t, dir, data, "--watch")
	path := "/calls/" + slug

	resp, body := srv.get(t, path)
	etag := resp.Header.Get("ETag")
	if resp.StatusCode != http.StatusOK || etag == "" || !strings.Contains(string(body), "dredging-cost table") {
		t.Fatalf("before the edit: %d, ETag %q, note shown %v", resp.StatusCode, etag, strings.Contains(string(body), "dredging-cost table"))
	}
	srv.get(t, path) // from the page cache now

	src, err := os.ReadFile(notes)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(src), "dredging-cost table", "fictional breakwater schedule", 1)
	if err := os.WriteFile(notes, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 20*time.Second, "the edited note on the call page", func() bool {
		_, body := srv.get(t, path)
		return strings.Contains(string(body), "fictional breakwater schedule")
	})
	resp, body = srv.get(t, path)
	if strings.Contains(string(body), "dredging-cost table") || resp.Header.Get("ETag") == etag {
		t.Errorf("after the edit: old note shown %v, ETag %s (was %s)", strings.Contains(string(body), "dredging-cost table"), resp.Header.Get("ETag"), etag)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.base+path, nil)
	req.Header.Set("If-None-Match", etag)
	cond, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	cond.Body.Close()
	if cond.StatusCode != http.StatusOK {
		t.Errorf("If-None-Match with the ETag of the old notes: %d, want 200", cond.StatusCode)
	}
}

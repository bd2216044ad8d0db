package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// notReadAgain is what serve logs when it trusts the catalog.
const notReadAgain = "not read again"

// TestServeCatalog: a second start trusts the catalog (no transcript is
// read) and serves the same pages; an edited file, even of the same size,
// is noticed at the next start and its new text served; a damaged catalog
// is read past; a broken file still stops serve although a catalog exists.
func TestServeCatalog(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	call := filepath.Join(dir, "2024-03-02-keller-osei.md")
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", call)
	// A catalog does not trust files written within two seconds of it
	// (their size and times may not change with a second write); these
	// are trusted at once, as files written long ago would be.
	t.Setenv("BACKCHANNEL_RACY_MARGIN", "0")

	page := "/calls/2024-03-02-keller-osei"

	first := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	_, want := first.get(t, page)
	_, wantHealth := first.get(t, "/healthz")
	stopServe(t, first)
	if strings.Contains(first.logs.String(), notReadAgain) {
		t.Fatal("the first start trusted a catalog that did not exist")
	}
	if _, err := os.Stat(filepath.Join(data, "current", "catalog")); err != nil {
		t.Fatalf("no catalog after the first start: %v", err)
	}

	second := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	resp, got := second.get(t, page)
	_, health := second.get(t, "/healthz")
	stopServe(t, second)
	if !strings.Contains(second.logs.String(), notReadAgain) {
		t.Errorf("the second start read the transcripts again; logs:\n%s", second.logs)
	}
	if resp.StatusCode != 200 || string(got) != string(want) {
		t.Errorf("call page from the catalog = %d, differs from the first start's: %s", resp.StatusCode, firstDiff(string(got), string(want)))
	}
	if string(health) != string(wantHealth) || !strings.Contains(string(health), "lines: 4\n") {
		t.Errorf("healthz from the catalog:\n%s\nwant (4 lines):\n%s", health, wantHealth)
	}

	// The same number of bytes: only the content tells.
	b, err := os.ReadFile(call)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(b), "Nobody at the quay", "Nobody on the quay", 1)
	if len(edited) != len(b) || edited == string(b) {
		t.Fatal("the fixture changed: edit another sentence")
	}
	if err := os.WriteFile(call, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	third := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	_, got = third.get(t, page)
	_, hits := third.get(t, "/api/v1/search?q=%22on+the+quay%22")
	stopServe(t, third)
	if strings.Contains(third.logs.String(), notReadAgain) {
		t.Errorf("an edited file was not noticed; logs:\n%s", third.logs)
	}
	if !strings.Contains(string(got), "Nobody on the quay") {
		t.Errorf("the call page does not show the edited line:\n%s", got)
	}
	if !strings.Contains(string(hits), `"total":1`) {
		t.Errorf("the edited line is not searchable: %s", hits)
	}

	// A damaged catalog is only a slower start: the build is made again.
	if err := os.WriteFile(filepath.Join(data, "current", "catalog"), []byte("not a catalog"), 0o644); err != nil {
		t.Fatal(err)
	}
	fourth := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	resp, got = fourth.get(t, page)
	stopServe(t, fourth)
	if resp.StatusCode != 200 || !strings.Contains(string(got), "Nobody on the quay") || !strings.Contains(fourth.logs.String(), "not a catalog") {
		t.Errorf("start with a damaged catalog: call page %d; logs:\n%s", resp.StatusCode, fourth.logs)
	}

	broken := "---\ntitle: Broken\ndate: 2024-07-02\n---\n\nZQ: nobody declared me\n"
	if err := os.WriteFile(filepath.Join(dir, "2024-07-02-broken.md"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--transcripts", dir, "--data", data)
	if code == 0 || !strings.Contains(stderr, "2024-07-02-broken.md:6") {
		t.Errorf("serve with a broken file and a catalog: exit %d, stderr:\n%s", code, stderr)
	}
}

// firstDiff describes the first line where got and want differ.
func firstDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return fmt.Sprintf("line %d is\n%s\nwant\n%s", i+1, g[i], w[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(g), len(w))
}

// stopServe interrupts a serve started by startServeArgs and waits for it
// to exit (writing its catalog and closing its index).
func stopServe(t *testing.T, s *server) {
	t.Helper()
	s.cmd.Process.Signal(os.Interrupt)
	s.cmd.Wait()
}

package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// smallDisk mounts a tmpfs of the given size for the test's data folder,
// or skips the test where that is impossible (not root, no mount).
func smallDisk(t *testing.T, size string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		t.Skip("mounting a small tmpfs needs root (CI runs as root)")
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v: %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", dir).CombinedOutput(); err != nil {
			t.Logf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// writeHarbourCalls writes n fictional calls of lines lines each: harbour
// talk between fictional people, with words that rarely repeat (so that
// their index is large).
func writeHarbourCalls(t *testing.T, dir string, n, lines int) {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	words := strings.Fields("harbour lantern ferry quay tide rope ledger storm pier dawn signal anchor keel mast gull brine dock sail crane cargo")
	for f := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Fictional harbour call %d\ndate: 2031-01-%02d\nparticipants:\n  - id: ana-lima\n    name: Ana Lima\n    labels: [AL]\n  - id: ben-osei\n    name: Ben Osei\n    labels: [BO]\n---\n\n", f, f%28+1)
		for i := range lines {
			who := "AL"
			if i%2 == 1 {
				who = "BO"
			}
			b.WriteString(who + ":")
			for range 12 {
				fmt.Fprintf(&b, " %s%d", words[r.IntN(len(words))], r.IntN(1000))
			}
			b.WriteString(".\n\n")
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("2031-01-%02d-harbour-%03d.md", f%28+1, f)), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestFaults_FullDisk: a build on a full disk ends within seconds with
// "no space left on device", exit 1, its folder removed, the lock released
// and the current build untouched and served; serve on that disk serves
// the current build and says it is stale; serve without a build exits
// non-zero saying why.
func TestFaults_FullDisk(t *testing.T) {
	data := smallDisk(t, "3m")
	dir := t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("first ingest exit %d: %s %s", code, out, errOut)
	}
	before, _ := os.Readlink(filepath.Join(data, "current"))
	writeHarbourCalls(t, dir, 10, 1000) // 10,000 lines: more than the disk holds, indexed
	for attempt := range 2 {
		start := time.Now()
		_, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data)
		took := time.Since(start)
		if code != 1 || !strings.Contains(errOut, "no space left on device") {
			t.Fatalf("ingest %d on a full disk: exit %d, stderr:\n%s", attempt+1, code, errOut)
		}
		// A hang detector, not a benchmark: the build used to retry a
		// failed merge forever.
		if took > 90*time.Second {
			t.Errorf("ingest %d on a full disk took %s", attempt+1, took)
		}
		if strings.Contains(errOut, "another build is running") {
			t.Errorf("ingest %d found the lock held: %s", attempt+1, errOut)
		}
		if cur, _ := os.Readlink(filepath.Join(data, "current")); cur != before {
			t.Errorf("current is %s after a failed build, was %s", cur, before)
		}
		if left, _ := filepath.Glob(filepath.Join(data, "tmp-*")); len(left) != 0 {
			t.Errorf("the failed build left %v", left)
		}
	}

	srv := startServe(t, dir, data)
	resp, body := srv.get(t, "/calls/2024-03-02-keller-osei")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "quay") {
		t.Errorf("the current build's call page = %d", resp.StatusCode)
	}
	// Past a few seconds' grace, /healthz says the build is stale, and why.
	waitFor(t, 15*time.Second, "/healthz to say stale", func() bool {
		resp, body = srv.get(t, "/healthz")
		return resp.StatusCode == 503
	})
	if !strings.Contains(string(body), "stale since") || !strings.Contains(string(body), "no space left on device") {
		t.Errorf("/healthz of a serve that cannot build = %d:\n%s", resp.StatusCode, body)
	}
	stopServe(t, srv)

	empty := smallDisk(t, "1m")
	_, errOut, code := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--transcripts", dir, "--data", empty)
	if code == 0 || !strings.Contains(errOut, "no space left on device") {
		t.Errorf("serve with no build on a full disk: exit %d, stderr:\n%s", code, errOut)
	}
}

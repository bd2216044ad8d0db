package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// stageBrowserArchive copies the fictional archive of the browser tests
// (two calls, one with editorial notes) into a new folder.
func stageBrowserArchive(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	es, err := os.ReadDir("testdata/browser")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Name() != "README.md" {
			copyFile(t, filepath.Join("testdata/browser", e.Name()), filepath.Join(dir, e.Name()))
		}
	}
	return dir
}

// sqlite3CLI finds Debian's sqlite3; CI must have it (.ci/run installs it).
func sqlite3CLI(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sqlite3")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("sqlite3 is not installed, and CI is set (.ci/run installs it)")
		}
		t.Skip("sqlite3 is not installed (apt-get install sqlite3)")
	}
	return p
}

// TestExportSQLite_CLI: `backchannel export --format sqlite` of the test
// archive opens with the sqlite3 command-line shell, whose FTS5 MATCH
// finds a known line; the foreign keys hold. A second export refuses to
// replace the file without --force.
func TestExportSQLite_CLI(t *testing.T) {
	sqlite3 := sqlite3CLI(t)
	dir, data := stageBrowserArchive(t), t.TempDir()
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	out := filepath.Join(t.TempDir(), "archive.db")
	stdout, stderr, code := runCLI(t, "export", "--transcripts", dir, "--data", data, "--format", "sqlite", "--out", out)
	if code != 0 {
		t.Fatalf("export exit %d: %s %s", code, stdout, stderr)
	}
	if !strings.HasPrefix(stdout, "exported 2 calls and ") {
		t.Errorf("stdout %q", stdout)
	}
	shell := func(sql string) string {
		t.Helper()
		cmd := exec.Command(sqlite3, "-readonly", "-batch", out, sql)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("sqlite3 %q: %v\n%s", sql, err, b)
		}
		return string(b)
	}
	got := shell(`SELECT l.call || '|' || l.n || '|' || l.speaker || '|' || l.text FROM lines_fts f JOIN lines l ON l.id = f.rowid WHERE lines_fts MATCH '"herring quota"';`)
	want := "2023-11-08-lindqvist-amara|4|astrid-lindqvist|It’s about the breakwater and the herring quota, which as you know are the same thing this year.\n"
	if got != want {
		t.Errorf("MATCH \"herring quota\":\n got %q\nwant %q", got, want)
	}
	if got := shell("PRAGMA foreign_key_check;"); got != "" {
		t.Errorf("foreign key violations:\n%s", got)
	}
	if got := shell("SELECT (SELECT count(*) FROM calls) || ' ' || (SELECT count(*) FROM participants) || ' ' || (SELECT count(*) FROM notes) || ' ' || (SELECT count(*) FROM lines WHERE call = '2023-11-08-lindqvist-amara');"); got != "2 4 3 38\n" {
		t.Errorf("calls, participants, notes, lines of the long call: %q", got)
	}

	before, _ := os.ReadFile(out)
	_, stderr, code = runCLI(t, "export", "--transcripts", dir, "--data", data, "--format", "sqlite", "--out", out)
	if code != 1 || !strings.Contains(stderr, "use --force") {
		t.Errorf("export over an existing file: exit %d, %q", code, stderr)
	}
	if after, _ := os.ReadFile(out); string(after) != string(before) {
		t.Error("the refused export changed the file")
	}
	if _, stderr, code = runCLI(t, "export", "--transcripts", dir, "--data", data, "--format", "sqlite", "--out", out, "--force"); code != 0 {
		t.Errorf("export --force: exit %d, %s", code, stderr)
	}
}

func TestExport_BadFlags(t *testing.T) {
	dir, data := stageBrowserArchive(t), t.TempDir()
	out := filepath.Join(t.TempDir(), "x")
	for _, args := range [][]string{
		{"--format", "xlsx", "--out", out},
		{"--format", "csv"},
		{"--out", out},
		{"--format", "csv", "--out", out, "extra"},
	} {
		_, stderr, code := runCLI(t, append([]string{"export", "--transcripts", dir, "--data", data}, args...)...)
		if code != 2 || stderr == "" {
			t.Errorf("export %v: exit %d, %q; want a usage error (2)", args, code, stderr)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a refused export wrote a file")
	}
}

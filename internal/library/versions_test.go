package library

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"backchannel/internal/history"
	"backchannel/internal/transcript"
)

// growingCall is a fictional call at version v (1 to 4): an excerpt of
// three lines that grows into a 60-line transcript. Version 2 inserts
// lines before, between and after them; 3 corrects a word of one line and
// removes another; 4 relabels a speaker's lines and adds more lines.
func growingCall(v int) string {
	head := "---\ntitle: Fictional call about a breakwater\ndate: 2031-05-02\nparticipants:\n  - id: ana-lima\n    name: Ana Lima\n    labels: [AL]\n  - id: ben-osei\n    name: Ben Osei\n    labels: [BO]\n  - id: cai-dunne\n    name: Cai Dunne\n    labels: [CD]\n---\n\n"
	quoted := []string{"AL: The breakwater will not hold another winter.", "BO: Then we build it again, stone by stone.", "AL: I will say it word for word to the council."}
	var body []string
	switch v {
	case 1:
		body = quoted
	case 2:
		body = []string{"BO: Good morning.", quoted[0], "BO: Is it that bad?", quoted[1], quoted[2], "BO: Goodbye."}
	case 3:
		body = []string{"BO: Good morning.", strings.Replace(quoted[0], "another winter", "one more winter", 1), quoted[1], quoted[2], "BO: Goodbye."}
	case 4:
		body = []string{"CD: Good morning.", strings.Replace(quoted[0], "another winter", "one more winter", 1), quoted[1], quoted[2], "CD: Goodbye."}
		for i := len(body); i < 60; i++ {
			body = append(body, fmt.Sprintf("AL: Fictional line %d about the tide tables.", i+1))
		}
	}
	return head + strings.Join(body, "\n\n") + "\n"
}

// Every version of a call is kept with its lines: a link to a line of
// version 1 keeps its words through three more versions, a --rebuild and a
// reopen; each line of version 1 is followed into the current version; an
// unchanged archive ingested again records nothing.
func TestVersions_Grow(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "2031-05-02-breakwater.md")
	var names []string
	for v := 1; v <= 4; v++ {
		write(t, path, growingCall(v))
		res := mustIngest(t, dir, data, IngestOptions{})
		b := mustOpen(t, data)
		hist := b.History("2031-05-02-breakwater")
		if len(hist) != v {
			t.Fatalf("after version %d: %d versions recorded", v, len(hist))
		}
		c, _ := b.Archive.Call("2031-05-02-breakwater")
		cur, ok := b.CurrentVersion(c)
		if !ok || cur.SHA256 != c.SHA256 || hist[v-1].SHA256 != c.SHA256 || !hist[v-1].FirstIndexed.After(time.Time{}) {
			t.Errorf("version %d: current %+v", v, cur)
		}
		names = append(names, cur.Name)
		_ = res
	}
	b := mustOpen(t, data)
	v1, ver, err := b.Version("2031-05-02-breakwater", names[0][:7])
	if err != nil || ver.Name != names[0] || len(v1.Lines) != 3 {
		t.Fatalf("version 1 by a 7-digit prefix: %v, %+v, %d lines", err, ver, len(v1.Lines))
	}
	if l, _ := v1.Line(3); l.Text != "I will say it word for word to the council." || l.Speaker != "ana-lima" {
		t.Errorf("L3 of version 1 is now %+v", l)
	}
	if v1.Title != "Fictional call about a breakwater" {
		t.Errorf("version 1's header: %q", v1.Title)
	}
	cur, _ := b.Archive.Call("2031-05-02-breakwater")
	full, _ := b.Archive.WithLines(cur)
	m := history.Map(v1.Lines, full.Lines)
	want := []*history.Now{{N: 2, Changed: true}, {N: 3}, {N: 4}}
	for i, w := range want {
		if got := m.Now[i]; got == nil || *got != *w {
			t.Errorf("line %d of version 1 now: %+v, want %+v", i+1, got, w)
		}
	}

	// A rebuild, a reopen and ingests of the unchanged archive keep every
	// version and add none.
	objects := countFiles(t, filepath.Join(data, objectsDir))
	mustIngest(t, dir, data, IngestOptions{Rebuild: true})
	for range 3 {
		mustIngest(t, dir, data, IngestOptions{})
	}
	b = mustOpen(t, data)
	if hist := b.History("2031-05-02-breakwater"); len(hist) != 4 {
		t.Errorf("after a rebuild: %d versions", len(hist))
	}
	if got := countFiles(t, filepath.Join(data, objectsDir)); got != objects {
		t.Errorf("the line store went from %d to %d files for an unchanged archive", objects, got)
	}
	// A version back to an earlier content is not a new version.
	write(t, path, growingCall(2))
	mustIngest(t, dir, data, IngestOptions{})
	b = mustOpen(t, data)
	if hist := b.History("2031-05-02-breakwater"); len(hist) != 4 {
		t.Errorf("after going back to version 2: %d versions, want 4", len(hist))
	}
	c, _ := b.Archive.Call("2031-05-02-breakwater")
	if v, _ := b.CurrentVersion(c); v.Name != names[1] {
		t.Errorf("current version %s, want version 2 (%s)", v.Name, names[1])
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// A version name that is not hex, too short, unknown or shared by two
// versions names none; the lookup says which.
func TestVersions_Names(t *testing.T) {
	b := &Build{versions: versionLog{Calls: map[string][]transcript.Version{
		"x": {{Name: "abcdef012345", SHA256: "abcdef0123456789"}, {Name: "abcdef099999", SHA256: "abcdef0999999999"}, {Name: "1234567890ab", SHA256: "1234567890abcdef"}},
	}}}
	for _, tt := range []struct {
		name string
		want error
	}{
		{"abcdef0", transcript.ErrAmbiguousVersion},
		{"abcdef01", nil},
		{"ABCDEF01", nil},
		{"123456", transcript.ErrNoVersion},
		{"1234567", nil},
		{"zzzzzzz", transcript.ErrNoVersion},
		{"../../etc", transcript.ErrNoVersion},
		{"fffffff", transcript.ErrNoVersion},
	} {
		_, err := b.findVersion("x", tt.name)
		if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
			t.Errorf("findVersion(%q) = %v, want %v", tt.name, err, tt.want)
		}
	}
}

// A current build that cannot be opened loses no history: the next build
// carries the versions of the build before it.
func TestVersions_SurviveDamagedBuild(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "2031-05-02-breakwater.md")
	write(t, path, growingCall(1))
	mustIngest(t, dir, data, IngestOptions{})
	write(t, path, growingCall(2))
	mustIngest(t, dir, data, IngestOptions{})
	cur, _ := currentBuild(data)
	write(t, filepath.Join(cur, catalogFile), "damaged")
	write(t, path, growingCall(3))
	mustIngest(t, dir, data, IngestOptions{})
	if hist := mustOpen(t, data).History("2031-05-02-breakwater"); len(hist) < 2 {
		t.Errorf("after a damaged build: %d versions", len(hist))
	}
}

// In a transcripts folder that is a git work tree, one ingest records the
// versions of the history it has not seen, each dated by its commit: four
// commits of a growing call give four versions, the old ones pinned with
// their own words.
func TestVersions_GitHistory(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	repo, err := git.PlainInit(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "2031-05-02-breakwater.md")
	when := time.Date(2031, 5, 2, 9, 0, 0, 0, time.UTC)
	for v := 1; v <= 4; v++ {
		write(t, path, growingCall(v))
		if _, err := wt.Add("2031-05-02-breakwater.md"); err != nil {
			t.Fatal(err)
		}
		sig := &object.Signature{Name: "Fictional Editor", Email: "editor@example.org", When: when.AddDate(0, 0, v)}
		if _, err := wt.Commit(fmt.Sprintf("version %d", v), &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
			t.Fatal(err)
		}
	}
	mustIngest(t, dir, data, IngestOptions{})
	b := mustOpen(t, data)
	hist := b.History("2031-05-02-breakwater")
	if len(hist) != 4 {
		t.Fatalf("%d versions from a history of four commits", len(hist))
	}
	for i, v := range hist {
		if want := when.AddDate(0, 0, i+1); !v.FirstIndexed.Equal(want) || v.Commit == "" {
			t.Errorf("version %d: first indexed %v (commit %q), want %v", i+1, v.FirstIndexed, v.Commit, want)
		}
	}
	v1, _, err := b.Version("2031-05-02-breakwater", hist[0].Name)
	if err != nil || len(v1.Lines) != 3 || !strings.Contains(v1.Lines[0].Text, "another winter") {
		t.Errorf("version 1 from git: %v, %+v", err, v1)
	}
	// A second ingest reads nothing new and adds nothing.
	mustIngest(t, dir, data, IngestOptions{Rebuild: true})
	if hist := mustOpen(t, data).History("2031-05-02-breakwater"); len(hist) != 4 {
		t.Errorf("after a second ingest: %d versions", len(hist))
	}
}

// A damaged version log is reported with the file to remove, and the
// build still opens and serves its current versions; the next build takes
// the versions from the build before.
func TestVersions_DamagedLog(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	path := filepath.Join(dir, "2031-05-02-breakwater.md")
	write(t, path, growingCall(1))
	mustIngest(t, dir, data, IngestOptions{})
	write(t, path, growingCall(2))
	mustIngest(t, dir, data, IngestOptions{})
	cur, _ := currentBuild(data)
	write(t, filepath.Join(cur, versionsFile), "{not json")
	b := mustOpen(t, data)
	if b.VersionsProblem == nil || !strings.Contains(b.VersionsProblem.Error(), filepath.Join(cur, versionsFile)) || !strings.Contains(b.VersionsProblem.Error(), "remove") {
		t.Errorf("problem: %v", b.VersionsProblem)
	}
	c, _ := b.Archive.Call("2031-05-02-breakwater")
	if v, ok := b.CurrentVersion(c); !ok || v.SHA256 != c.SHA256 {
		t.Error("the current version is not served with a damaged log")
	}
	write(t, path, growingCall(3))
	mustIngest(t, dir, data, IngestOptions{})
	if hist := mustOpen(t, data).History("2031-05-02-breakwater"); len(hist) < 2 {
		t.Errorf("after a damaged log: %d versions", len(hist))
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// dmitrievSlug is the shipped call whose third line is Dmitriev's "word
// for word".
const dmitrievSlug = "2025-10-29-ushakov-dmitriev"

// lengthen rewrites the shipped Ushakov–Dmitriev file into a longer test
// version in which Dmitriev's "word for word" line is L9: six lines before
// the quoted ones, spoken by a fictional switchboard operator declared as
// a participant. The quoted lines stay word for word; only a fictional
// person is given words.
func lengthen(t *testing.T, path string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), "    labels: [KD]\n", "    labels: [KD]\n  - id: ilse-marsh\n    name: Ilse Marsh\n"+
		"    role: Fictional switchboard operator (a test of versions, not part of the call)\n    labels: [IM]\n", 1)
	head, body, ok := strings.Cut(s, "\n---\n")
	if !ok || s == string(b) {
		t.Fatal("the shipped file changed shape: update lengthen")
	}
	var extra strings.Builder
	for i := 1; i <= 6; i++ {
		fmt.Fprintf(&extra, "Ilse Marsh (IM): Fictional test line %d: connecting the call.\n\n", i)
	}
	if err := os.WriteFile(path, []byte(head+"\n---\n\n"+extra.String()+strings.TrimLeft(body, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
}

// stageShipped copies the shipped transcripts into a new folder.
func stageShipped(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	entries, err := os.ReadDir("../../transcripts")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		copyFile(t, filepath.Join("../../transcripts", e.Name()), filepath.Join(dir, e.Name()))
	}
	return dir
}

// TestVersions_DoneWhen is the versions issue's "done when": serve the
// shipped archive, take the permalink of Dmitriev's line (L3), replace
// the file with a longer version in which the line is L9, restart: the
// permalink shows the same words and says "now L9", the unpinned L3 shows
// another line, and the history shows both versions with the diff.
func TestVersions_DoneWhen(t *testing.T) {
	dir, data := stageShipped(t), t.TempDir()
	page := "/calls/" + dmitrievSlug + "/L3"
	srv := startServe(t, dir, data)
	_, body := srv.get(t, page)
	permalink := regexp.MustCompile(`Link to this line: <a href="([^"]+)"`).FindStringSubmatch(string(body))
	if permalink == nil || !strings.Contains(string(body), "word for word") {
		t.Fatalf("%s has no permalink or lacks the line:\n%s", page, body)
	}
	pinned := strings.TrimPrefix(permalink[1], srv.base)
	if !regexp.MustCompile(`^/calls/` + dmitrievSlug + `@[0-9a-f]{12}/L3$`).MatchString(pinned) {
		t.Fatalf("the permalink %q does not name a version", permalink[1])
	}
	stopServe(t, srv)

	lengthen(t, filepath.Join(dir, dmitrievSlug+".md"))
	srv = startServe(t, dir, data)
	resp, body := srv.get(t, pinned)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "I’ll say it exactly as you say it, word for word.") || !strings.Contains(string(body), "now L9") {
		t.Errorf("the permalink after the change = %d; want Dmitriev's words and \"now L9\":\n%s", resp.StatusCode, body)
	}
	if !strings.Contains(string(body), "older version") {
		t.Errorf("the permalink's page does not say it shows an older version")
	}
	_, body = srv.get(t, page)
	if strings.Contains(string(body), "word for word.</p>") {
		t.Errorf("the unpinned %s still shows Dmitriev's line after it moved to L9", page)
	}
	_, body = srv.get(t, "/calls/"+dmitrievSlug+"/L9")
	if !strings.Contains(string(body), "word for word") {
		t.Errorf("L9 does not show Dmitriev's line")
	}
	resp, body = srv.get(t, "/calls/"+dmitrievSlug+"/history")
	if resp.StatusCode != 200 || strings.Count(string(body), `class="version"`) != 2 || !strings.Contains(string(body), "+6 added") ||
		!strings.Contains(string(body), "Fictional test line 1") {
		t.Errorf("history = %d; want both versions and the six added lines:\n%s", resp.StatusCode, body)
	}
	var versions struct {
		Versions []struct {
			Version string `json:"version"`
			Added   int    `json:"added"`
			Current bool   `json:"current"`
		} `json:"versions"`
	}
	_, body = srv.get(t, "/api/v1/calls/"+dmitrievSlug+"/versions")
	if err := json.Unmarshal(body, &versions); err != nil || len(versions.Versions) != 2 || !versions.Versions[0].Current || versions.Versions[0].Added != 6 {
		t.Errorf("versions API: %v %s", err, body)
	}
	// The pinned JSON says where each line is now.
	_, body = srv.get(t, strings.TrimSuffix(pinned, "/L3")+".json")
	if !strings.Contains(string(body), `"now":{"n":9,"changed":false}`) || !strings.Contains(string(body), `"current_version":"`+versions.Versions[0].Version+`"`) {
		t.Errorf("pinned JSON lacks the mapping: %s", body)
	}
	// Bad version names are 404s that link the history, never 500s.
	for _, bad := range []string{"@zzzzzzz", "@123", "@" + strings.Repeat("f", 12), "@../../x"} {
		resp, body := srv.get(t, "/calls/"+dmitrievSlug+bad)
		if resp.StatusCode != 404 {
			t.Errorf("/calls/%s%s = %d, want 404", dmitrievSlug, bad, resp.StatusCode)
		} else if !strings.Contains(string(body), "/history") && bad != "@../../x" {
			t.Errorf("/calls/%s%s: the 404 does not link the history", dmitrievSlug, bad)
		}
	}
}

// TestVersions_CopyPermalinkBrowser: in a browser, "Copy permalink" on a
// line copies a link that shows the same words after the file changes
// (under serve --watch), while "Copy link" follows the call.
func TestVersions_CopyPermalinkBrowser(t *testing.T) {
	skipIfShort(t)
	dir, data := stageShipped(t), t.TempDir()
	t.Setenv("BACKCHANNEL_RACY_MARGIN", "0")
	srv := startServeArgs(t, dir, data, "--watch")
	s := &suite{top: t}
	tb := s.newTab(t)
	s.grantClipboard(t, tb, srv.base)
	tb.open(t, srv.base+"/calls/"+dmitrievSlug)
	setClipboard(t, tb, "")
	if !activate(t, tb, 3, "copy permalink", true) {
		return
	}
	link := strings.TrimSpace(readClipboard(t, tb))
	if !regexp.MustCompile(`^` + regexp.QuoteMeta(srv.base) + `/calls/` + dmitrievSlug + `@[0-9a-f]{12}/L3$`).MatchString(link) {
		t.Fatalf("Copy permalink on line 3 copied %q, want the line at its version", link)
	}
	lengthen(t, filepath.Join(dir, dmitrievSlug+".md"))
	waitFor(t, 15*time.Second, "the change to be served", func() bool {
		_, body := srv.get(t, "/calls/"+dmitrievSlug+"/L9")
		return strings.Contains(string(body), "word for word")
	})
	tb.open(t, link)
	text := eval[string](t, tb, `document.querySelector('.selection').innerText`)
	if !strings.Contains(text, "word for word") || !strings.Contains(text, "now L9") {
		t.Errorf("the copied permalink, opened after the change, shows:\n%s\nwant Dmitriev's line and \"now L9\"", text)
	}
	checkConsole(t, tb)
}

// TestCheck_DataFolder: check --data names a damaged version log, the file
// to remove, and exits 1, while serve keeps serving the current versions.
func TestCheck_DataFolder(t *testing.T) {
	dir, data := stageShipped(t), t.TempDir()
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	if out, _, code := runCLI(t, "check", "--data", data); code != 0 {
		t.Fatalf("check --data on a good build exit %d:\n%s", code, out)
	}
	current, err := filepath.EvalSymlinks(filepath.Join(data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	log := filepath.Join(current, "versions.json")
	if err := os.WriteFile(log, []byte("{damaged"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, code := runCLI(t, "check", "--data", data)
	if code != 1 || !strings.Contains(out, log+": damaged version log") {
		t.Errorf("check --data with a damaged version log: exit %d:\n%s", code, out)
	}
	srv := startServe(t, dir, data)
	if resp, _ := srv.get(t, "/calls/"+dmitrievSlug+"/L3"); resp.StatusCode != 200 {
		t.Errorf("a call page with a damaged version log = %d", resp.StatusCode)
	}
}

// TestVersions_MovedAndOutsideLines: a version that only puts lines in
// another order says which moved (page and API) rather than "nothing
// changed"; a version whose lines all read as before says the change is
// outside the lines.
func TestVersions_MovedAndOutsideLines(t *testing.T) {
	transcripts, data := t.TempDir(), t.TempDir()
	const slug = "fictional-moved-02"
	path := filepath.Join(transcripts, slug+".md")
	writeReplicaCall(t, transcripts, slug, 4, "amber")
	mustIngest(t, transcripts, data)
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Line 4 put first: the same words, in another place.
	head, turns, _ := strings.Cut(string(orig), "---\n\n")
	paras := strings.Split(strings.TrimSpace(turns), "\n\n")
	paras[3] = strings.Replace(paras[3], "BR:", "Bo Reyes (BR):", 1)
	paras[1] = strings.Replace(paras[1], "Bo Reyes (BR):", "BR:", 1)
	moved := head + "---\n\n" + strings.Join(append([]string{paras[3]}, paras[:3]...), "\n\n") + "\n"
	if err := os.WriteFile(path, []byte(moved), 0o644); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, transcripts, data)
	// Then only the title changes.
	if err := os.WriteFile(path, []byte(strings.Replace(moved, "title: Fictional replica call", "title: A fictional replica call", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	mustIngest(t, transcripts, data)

	srv := startServeArgs(t, filepath.Join(t.TempDir(), "none"), data, "--read-only")
	resp, body := srv.get(t, "/calls/"+slug+"/history")
	if resp.StatusCode != 200 {
		t.Fatalf("history = %d", resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	versions := doc.Find("li.version")
	if versions.Length() != 3 {
		t.Fatalf("%d versions on the history page, want 3", versions.Length())
	}
	newest, middle := versions.Eq(0), versions.Eq(1)
	if n := newest.Find(".version-note").Text(); !strings.Contains(n, "Every line reads as before") {
		t.Errorf("a version that changed only the header says %q", newest.Find(".version-facts").Text())
	}
	if f := middle.Find(".version-facts").Text(); !strings.Contains(f, "↕1 moved") || middle.Find(".version-note").Length() != 0 {
		t.Errorf("the reordered version says %q", f)
	}
	if m := middle.Find("li.diff-moved").Text(); !strings.Contains(m, "L1") || !strings.Contains(m, "was L4") || !strings.Contains(m, "line 4 reaches") {
		t.Errorf("the moved line reads %q, want L1 (was L4) with its words", m)
	}
	var api struct {
		Versions []struct {
			Moved, Changed, Added, Removed int
		} `json:"versions"`
	}
	_, js := srv.get(t, "/api/v1/calls/"+slug+"/versions")
	if err := json.Unmarshal(js, &api); err != nil || len(api.Versions) != 3 {
		t.Fatalf("versions API: %v\n%s", err, js)
	}
	if v := api.Versions[1]; v.Moved != 1 || v.Changed != 0 || v.Added != 0 || v.Removed != 0 {
		t.Errorf("versions API for the reordered version = %+v, want 1 moved only", v)
	}
}

package main

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

const mirrorBase = "https://archive.example.org"

// exportSite ingests the fictional browser archive and exports its
// mirror; it returns the transcripts folder and the mirror's folder.
func exportSite(t *testing.T) (transcripts, out string) {
	t.Helper()
	transcripts, data := stageBrowserArchive(t), t.TempDir()
	if o, e, code := runCLI(t, "ingest", "--transcripts", transcripts, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, o, e)
	}
	out = filepath.Join(t.TempDir(), "mirror")
	stdout, stderr, code := runCLI(t, "export", "--transcripts", transcripts, "--data", data, "--format", "site",
		"--out", out, "--base-url", mirrorBase)
	if code != 0 {
		t.Fatalf("export exit %d: %s %s", code, stdout, stderr)
	}
	if !strings.HasPrefix(stdout, "exported 2 calls and 44 lines to "+out+" (site: ") {
		t.Errorf("stdout %q", stdout)
	}
	return transcripts, out
}

// TestExportSite_CLI: the mirror is a valid bag holding the transcript
// files byte for byte, a page for every line, and nothing but links
// that land on a file of the mirror (and on the line they name).
func TestExportSite_CLI(t *testing.T) {
	transcripts, out := exportSite(t)
	data := filepath.Join(out, "data")
	if stdout, stderr, code := runCLI(t, "verify", out); code != 0 || !strings.Contains(stdout, "is a valid bag") {
		t.Fatalf("verify exit %d: %s %s", code, stdout, stderr)
	}

	// The transcripts, byte for byte, with the digests the call pages
	// show and the manifest lists.
	manifest := readManifest(t, out)
	for _, slug := range []string{"2023-11-08-lindqvist-amara", "2023-12-01-amara-brandt"} {
		orig, err := os.ReadFile(filepath.Join(transcripts, slug+".md"))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(data, "transcripts", slug+".md"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(orig) {
			t.Errorf("%s.md in the mirror is not the transcript file byte for byte", slug)
		}
		sum := sha256.Sum256(orig)
		want := hex.EncodeToString(sum[:])
		if m := manifest["data/transcripts/"+slug+".md"]; m != want {
			t.Errorf("manifest has %s for %s.md, want %s", m, slug, want)
		}
		page, err := os.ReadFile(filepath.Join(data, "calls", slug, "index.html"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(page), "SHA-256 of the transcript file: "+want) {
			t.Errorf("the call page of %s does not show the file's SHA-256 %s", slug, want)
		}
	}
	notes, _ := os.ReadFile(filepath.Join(transcripts, "2023-11-08-lindqvist-amara.notes.md"))
	if got, _ := os.ReadFile(filepath.Join(data, "transcripts", "2023-11-08-lindqvist-amara.notes.md")); string(got) != string(notes) {
		t.Errorf("the notes file is not in the mirror byte for byte")
	}

	// A page for every line, and the downloads and API answers.
	for slug, lines := range map[string]int{"2023-11-08-lindqvist-amara": 38, "2023-12-01-amara-brandt": 6} {
		for n := 1; n <= lines; n++ {
			mustExist(t, data, fmt.Sprintf("calls/%s/L%d/index.html", slug, n))
		}
		for _, f := range []string{".txt", ".json", ".csv"} {
			mustExist(t, data, "calls/"+slug+f)
		}
		mustExist(t, data, "api/v1/calls/"+slug+".json")
	}
	for _, f := range []string{"index.html", "404.html", "feed.atom", "sitemap.xml", "robots.txt", "opensearch.xml",
		"api/v1/calls.json", "api/v1/calls.csv", "api/v1/speakers.json", "api/v1/speakers.csv", "api/v1/export.ndjson",
		"api/v1/openapi.json", "search/index.html", "search/help/index.html", "search/calls.js", "static/mirror.js",
		"speakers/tomas-amara/index.html"} {
		mustExist(t, data, f)
	}

	checkLinks(t, data)
}

func mustExist(t *testing.T, data, file string) {
	t.Helper()
	if fi, err := os.Stat(filepath.Join(data, filepath.FromSlash(file))); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("the mirror has no file %s: %v", file, err)
	}
}

// readManifest reads manifest-sha256.txt: path → digest.
func readManifest(t *testing.T, out string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(out, "manifest-sha256.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		sum, p, _ := strings.Cut(sc.Text(), "  ")
		m[p] = sum
	}
	return m
}

var lineFragment = regexp.MustCompile(`^L[0-9]+(-L[0-9]+)?$`)

// checkLinks follows every link, script, stylesheet and form of every
// page of the mirror: each relative one must name a file of the mirror,
// and a #L{n} fragment a line of the page it names. Only 404.html, which
// is served at any address, links from the root.
func checkLinks(t *testing.T, data string) {
	t.Helper()
	ids := map[string]map[string]bool{} // page → its element ids
	idsOf := func(file string) map[string]bool {
		if m, ok := ids[file]; ok {
			return m
		}
		m := map[string]bool{}
		if doc := readPage(t, filepath.Join(data, file)); doc != nil {
			doc.Find("[id]").Each(func(_ int, s *goquery.Selection) { m[s.AttrOr("id", "")] = true })
		}
		ids[file] = m
		return m
	}
	pages, links := 0, 0
	err := filepath.WalkDir(data, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(data, p)
		from := filepath.ToSlash(rel)
		doc := readPage(t, p)
		pages++
		doc.Find("a[href], link[href], script[src], img[src], form[action]").Each(func(_ int, s *goquery.Selection) {
			v := s.AttrOr("href", s.AttrOr("src", s.AttrOr("action", "")))
			u, err := url.Parse(v)
			if err != nil {
				t.Errorf("%s: link %q: %v", from, v, err)
				return
			}
			if u.Scheme != "" || u.Host != "" || (u.Path == "" && u.RawQuery == "") {
				if u.Path == "" && u.Fragment != "" && lineFragment.MatchString(u.Fragment) && !idsOf(from)[strings.Split(u.Fragment, "-")[0]] {
					t.Errorf("%s: link %q names no line of the page", from, v)
				}
				return // another site's, the citations' permalinks, a fragment of the page
			}
			links++
			target := path.Join(path.Dir(from), u.Path)
			if strings.HasPrefix(u.Path, "/") {
				if from != "404.html" {
					t.Errorf("%s: link %q starts at the server's root", from, v)
					return
				}
				target = strings.TrimPrefix(u.Path, "/")
			}
			if strings.HasSuffix(u.Path, "/") || u.Path == "" {
				target = path.Join(target, "index.html")
			}
			fi, err := os.Stat(filepath.Join(data, filepath.FromSlash(target)))
			if err != nil || fi.IsDir() {
				t.Errorf("%s: link %q: no file %s in the mirror", from, v, target)
				return
			}
			if f := u.Fragment; lineFragment.MatchString(f) && strings.HasSuffix(target, ".html") && !idsOf(target)[strings.Split(f, "-")[0]] {
				t.Errorf("%s: link %q: %s has no line %s", from, v, target, f)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 50 || links < 1000 {
		t.Errorf("checked %d pages and %d links: too few to be the whole mirror", pages, links)
	}
}

func readPage(t *testing.T, p string) *goquery.Document {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Error(err)
		return nil
	}
	defer f.Close()
	doc, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	return doc
}

// TestExportSite_Tampered: verify names, and exits 1 for, each change
// made to a mirror: one byte of a transcript, a page removed, a file
// added.
func TestExportSite_Tampered(t *testing.T) {
	_, out := exportSite(t)
	data := filepath.Join(out, "data")
	transcript := filepath.Join(data, "transcripts", "2023-11-08-lindqvist-amara.md")
	b, err := os.ReadFile(transcript)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x20 // one byte: a letter's case
	os.WriteFile(transcript, b, 0o644)
	removed := filepath.Join(data, "calls", "2023-12-01-amara-brandt", "L3", "index.html")
	os.Remove(removed)
	added := filepath.Join(data, "calls", "2023-12-01-amara-brandt", "L7", "index.html")
	os.MkdirAll(filepath.Dir(added), 0o755)
	os.WriteFile(added, []byte("<p>A line never said.</p>"), 0o644)

	stdout, stderr, code := runCLI(t, "verify", out)
	if code != 1 {
		t.Fatalf("verify of a tampered mirror: exit %d\n%s%s", code, stdout, stderr)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		got = append(got, strings.SplitN(line, " (", 2)[0])
	}
	want := []string{
		filepath.Join(out, "bag-info.txt") + ": altered", // Payload-Oxum: the bytes changed
		added + ": extra",
		removed + ": missing",
		transcript + ": altered",
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verify (-want +got):\n%s\n%s", diff, stdout)
	}
}

// TestExportSite_Refuses: a folder that holds anything is replaced only
// with --force; --base-url is needed (citations, feed and sitemap name
// the archive's address).
func TestExportSite_Refuses(t *testing.T) {
	transcripts, data := stageBrowserArchive(t), t.TempDir()
	if o, e, code := runCLI(t, "ingest", "--transcripts", transcripts, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, o, e)
	}
	out := t.TempDir()
	mine := filepath.Join(out, "mine.txt")
	os.WriteFile(mine, []byte("mine"), 0o644)
	args := []string{"export", "--transcripts", transcripts, "--data", data, "--format", "site", "--out", out, "--base-url", mirrorBase}
	_, stderr, code := runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, "not empty (use --force to replace it)") {
		t.Errorf("export to a non-empty folder: exit %d, %s", code, stderr)
	}
	if b, _ := os.ReadFile(mine); string(b) != "mine" {
		t.Errorf("the folder's file changed")
	}
	if _, stderr, code := runCLI(t, append(args, "--force")...); code != 0 {
		t.Fatalf("--force: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(mine); err == nil {
		t.Errorf("--force left the old folder's file")
	}
	if _, stderr, code := runCLI(t, "export", "--data", data, "--format", "site", "--out", filepath.Join(t.TempDir(), "m")); code != 2 || !strings.Contains(stderr, "--base-url") {
		t.Errorf("no --base-url: exit %d, %s", code, stderr)
	}
}

// TestExportSite_Killed kills an export midway (SIGKILL, no chance to
// clean up): there is no folder at --out, and the partial folder it left
// does not verify.
func TestExportSite_Killed(t *testing.T) {
	skipIfShort(t)
	transcripts, data := t.TempDir(), t.TempDir()
	// A fictional archive big enough to be caught midway: 40 calls of
	// 150 lines.
	for i := range 40 {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Fictional call %d\ndate: 2024-01-%02d\nparticipants:\n  - id: ada\n    name: Ada Fictional\n    labels: [AF]\n  - id: bo\n    name: Bo Fictional\n    labels: [BF]\n---\n\n", i, i%28+1)
		for n := range 150 {
			who := []string{"AF", "BF"}[n%2]
			fmt.Fprintf(&b, "%s: Fictional line %d of call %d, about the harbour.\n\n", who, n, i)
		}
		os.WriteFile(filepath.Join(transcripts, fmt.Sprintf("2024-01-%02d-call-%02d.md", i%28+1, i)), []byte(b.String()), 0o644)
	}
	if o, e, code := runCLI(t, "ingest", "--transcripts", transcripts, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, o, e)
	}
	parent := t.TempDir()
	out := filepath.Join(parent, "mirror")
	cmd := exec.Command(binPath, "export", "--transcripts", transcripts, "--data", data, "--format", "site", "--out", out, "--base-url", mirrorBase)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var partial string
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ms, _ := filepath.Glob(filepath.Join(parent, ".mirror.partial-*", "data", "calls", "*", "L100", "index.html"))
		if len(ms) > 0 {
			partial = filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(ms[0])))))
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if partial == "" {
		t.Fatal("the export was not caught midway")
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatal("an export killed midway left a folder at --out")
	}
	stdout, stderr, code := runCLI(t, "verify", partial)
	if code != 1 || !strings.Contains(stdout, "bagit.txt: missing") {
		t.Errorf("verify of the partial folder: exit %d\n%s%s", code, stdout, stderr)
	}
}

// TestExportSite_Versions: a call whose file changed between two builds
// has both versions in the mirror: the older one's pinned pages (call,
// downloads, every line) with its own words, the history page, and links
// to the current version pinned landing on the call's own pages.
func TestExportSite_Versions(t *testing.T) {
	transcripts, data := stageBrowserArchive(t), t.TempDir()
	ingest := func() {
		t.Helper()
		if o, e, code := runCLI(t, "ingest", "--transcripts", transcripts, "--data", data); code != 0 {
			t.Fatalf("ingest exit %d: %s %s", code, o, e)
		}
	}
	ingest()
	const slug = "2023-12-01-amara-brandt"
	file := filepath.Join(transcripts, slug+".md")
	before, _ := os.ReadFile(file)
	oldSum := sha256.Sum256(before)
	old := hex.EncodeToString(oldSum[:])[:12]
	after := strings.Replace(string(before), "Deutlich runter.", "Sehr deutlich runter.", 1)
	if after == string(before) {
		t.Fatal("the fictional call changed its words: update the test")
	}
	os.WriteFile(file, []byte(after), 0o644)
	future := time.Now().Add(5 * time.Second)
	os.Chtimes(file, future, future)
	ingest()

	out := filepath.Join(t.TempDir(), "mirror")
	if o, e, code := runCLI(t, "export", "--transcripts", transcripts, "--data", data, "--format", "site", "--out", out, "--base-url", mirrorBase); code != 0 {
		t.Fatalf("export exit %d: %s %s", code, o, e)
	}
	site := filepath.Join(out, "data")
	for _, f := range []string{"calls/" + slug + "@" + old + "/index.html", "calls/" + slug + "@" + old + ".txt",
		"calls/" + slug + "@" + old + ".json", "calls/" + slug + "/history/index.html", "api/v1/calls/" + slug + "/versions.json"} {
		mustExist(t, site, f)
	}
	for n := 1; n <= 6; n++ {
		mustExist(t, site, fmt.Sprintf("calls/%s@%s/L%d/index.html", slug, old, n))
	}
	oldPage, _ := os.ReadFile(filepath.Join(site, "calls", slug+"@"+old, "L2", "index.html"))
	newPage, _ := os.ReadFile(filepath.Join(site, "calls", slug, "L2", "index.html"))
	if !strings.Contains(string(oldPage), "Der Preis muss runter, Frau Brandt. Deutlich runter.") {
		t.Errorf("the older version's line page does not show its own words")
	}
	if !strings.Contains(string(newPage), "Sehr deutlich runter.") {
		t.Errorf("the current line page does not show the new words")
	}
	if got, _ := os.ReadFile(filepath.Join(site, "transcripts", slug+".md")); string(got) != after {
		t.Errorf("the mirror's transcript file is not the current one byte for byte")
	}
	if got, _ := os.ReadFile(filepath.Join(site, "transcripts", "versions", slug+"@"+old+".md")); string(got) != string(before) {
		t.Errorf("the older version's file is not in the mirror byte for byte")
	}
	if stdout, stderr, code := runCLI(t, "verify", out); code != 0 {
		t.Fatalf("verify exit %d: %s %s", code, stdout, stderr)
	}
	checkLinks(t, site)
}

package bagit

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// payload is the fictional payload of the test bags: odd names included.
var payload = map[string]string{
	"index.html":              "<!DOCTYPE html><title>Fictional archive</title>\n",
	"calls/a-call/index.html": "<p>Line one.</p>\n",
	"transcripts/a-call.md":   "---\ntitle: A fictional call\n---\n**Ada:** Hello.\n",
	"odd/with space.txt":      "space\n",
	"odd/per%cent.txt":        "percent\n",
	"odd/ünïcode–name.txt":    "unicode\n",
	"odd/new\nline.txt":       "newline in the name\n",
	"empty.txt":               "",
}

// makeBag writes payload as a bag in a new folder and returns it.
func makeBag(t testing.TB) string {
	t.Helper()
	return makeBagOf(t, payload)
}

// makeBagOf writes files as a bag in a new folder and returns it.
func makeBagOf(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := w.WriteFile(name, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.WriteTag("index.html", []byte("<a href=\"data/index.html\">mirror</a>\n")); err != nil {
		t.Fatal(err)
	}
	info := []Field{{"Archive-Name", "Fictional archive"}, {"External-Description", "line one\nline two"}}
	if err := w.Finish(info, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return dir
}

func verify(t testing.TB, dir string) *Report {
	t.Helper()
	r, err := Verify(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestWriterMakesAValidBag(t *testing.T) {
	dir := makeBag(t)
	r := verify(t, dir)
	if !r.Valid() || len(r.Warnings) > 0 {
		t.Fatalf("problems %v, warnings %v", r.Problems, r.Warnings)
	}
	if r.PayloadFiles != int64(len(payload)) {
		t.Errorf("payload files = %d, want %d", r.PayloadFiles, len(payload))
	}
	decl, _ := os.ReadFile(filepath.Join(dir, DeclarationFile))
	if got := string(decl); got != "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n" {
		t.Errorf("bagit.txt = %q", got)
	}
	info, _ := os.ReadFile(filepath.Join(dir, InfoFile))
	for _, want := range []string{"Archive-Name: Fictional archive\n", "External-Description: line one\n  line two\n",
		"Bagging-Date: 2026-01-02\n", "Payload-Oxum: "} {
		if !strings.Contains(string(info), want) {
			t.Errorf("bag-info.txt lacks %q:\n%s", want, info)
		}
	}
	m, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
	if !strings.Contains(string(m), "  data/odd/new%0Aline.txt\n") || !strings.Contains(string(m), "  data/odd/per%25cent.txt\n") {
		t.Errorf("manifest does not percent-encode names:\n%s", m)
	}
	tm, _ := os.ReadFile(filepath.Join(dir, TagManifestFile))
	for _, name := range []string{"bagit.txt", "bag-info.txt", "manifest-sha256.txt", "index.html"} {
		if !strings.Contains(string(tm), "  "+name+"\n") {
			t.Errorf("tag manifest lacks %s:\n%s", name, tm)
		}
	}
}

// TestVerifyNamesEveryTampering changes a finished bag as someone
// tampering with a mirror would, and checks that Verify names each change.
func TestVerifyNamesEveryTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(dir string) error
		want   []Problem // Detail is not compared
	}{
		{"one byte of a transcript changed", func(dir string) error {
			p := filepath.Join(dir, "data/transcripts/a-call.md")
			b, _ := os.ReadFile(p)
			b[len(b)-3] ^= 1
			return os.WriteFile(p, b, 0o644)
		}, []Problem{{Path: "data/transcripts/a-call.md", Kind: Altered}}},
		{"a page removed", func(dir string) error {
			return os.Remove(filepath.Join(dir, "data/calls/a-call/index.html"))
		}, []Problem{
			{Path: "bag-info.txt", Kind: Altered}, // Payload-Oxum
			{Path: "data/calls/a-call/index.html", Kind: Missing},
		}},
		{"a file added", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "data/calls/added.html"), []byte("added"), 0o644)
		}, []Problem{
			{Path: "bag-info.txt", Kind: Altered},
			{Path: "data/calls/added.html", Kind: Extra},
		}},
		{"all three at once", func(dir string) error {
			p := filepath.Join(dir, "data/transcripts/a-call.md")
			b, _ := os.ReadFile(p)
			b[0] = 'X'
			os.WriteFile(p, b, 0o644)
			os.Remove(filepath.Join(dir, "data/index.html"))
			return os.WriteFile(filepath.Join(dir, "data/new.html"), []byte("new"), 0o644)
		}, []Problem{
			{Path: "bag-info.txt", Kind: Altered},
			{Path: "data/index.html", Kind: Missing},
			{Path: "data/new.html", Kind: Extra},
			{Path: "data/transcripts/a-call.md", Kind: Altered},
		}},
		{"a file renamed", func(dir string) error {
			return os.Rename(filepath.Join(dir, "data/empty.txt"), filepath.Join(dir, "data/empty2.txt"))
		}, []Problem{{Path: "data/empty.txt", Kind: Missing}, {Path: "data/empty2.txt", Kind: Extra}}},
		{"a symlink put in the payload", func(dir string) error {
			return os.Symlink("/etc/passwd", filepath.Join(dir, "data/link"))
		}, []Problem{{Path: "data/link", Kind: Extra}}},
		{"the manifest edited to match a changed file", func(dir string) error {
			p := filepath.Join(dir, "data/index.html")
			if err := os.WriteFile(p, []byte("forged"), 0o644); err != nil {
				return err
			}
			return rewrite(filepath.Join(dir, ManifestFile), func(s string) string {
				i := strings.Index(s, "  data/index.html\n")
				sum := sha256Hex("forged")
				return s[:i-64] + sum + s[i:]
			})
		}, []Problem{
			{Path: "bag-info.txt", Kind: Altered},
			{Path: "manifest-sha256.txt", Kind: Altered},
		}},
		{"bag-info edited", func(dir string) error {
			return rewrite(filepath.Join(dir, InfoFile), func(s string) string {
				return strings.Replace(s, "Fictional archive", "Another archive", 1)
			})
		}, []Problem{{Path: "bag-info.txt", Kind: Altered}}},
		{"bagit.txt removed", func(dir string) error {
			return os.Remove(filepath.Join(dir, DeclarationFile))
		}, []Problem{{Path: "bagit.txt", Kind: Missing}}},
		{"a manifest line that leaves the bag", func(dir string) error {
			return appendTo(filepath.Join(dir, ManifestFile), sha256Hex("x")+"  data/../../outside\n")
		}, []Problem{
			{Path: "manifest-sha256.txt", Kind: Altered},
			{Path: "manifest-sha256.txt:9", Kind: Invalid},
		}},
		{"a garbled manifest line", func(dir string) error {
			return appendTo(filepath.Join(dir, ManifestFile), "nothex  data/index.html\n")
		}, []Problem{
			{Path: "manifest-sha256.txt", Kind: Altered},
			{Path: "manifest-sha256.txt:9", Kind: Invalid},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := makeBag(t)
			if err := tt.tamper(dir); err != nil {
				t.Fatal(err)
			}
			r := verify(t, dir)
			got := make([]Problem, len(r.Problems))
			for i, p := range r.Problems {
				got[i] = Problem{Path: p.Path, Kind: p.Kind}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s\nall: %v", diff, r.Problems)
			}
		})
	}
}

func TestVerifyAlteredNamesBothChecksums(t *testing.T) {
	dir := makeBag(t)
	os.WriteFile(filepath.Join(dir, "data/empty.txt"), []byte("x"), 0o644)
	r := verify(t, dir)
	var got string
	for _, p := range r.Problems {
		if p.Path == "data/empty.txt" {
			got = p.String()
		}
	}
	want := "data/empty.txt: altered (sha256 is " + sha256Hex("x") + ", manifest-sha256.txt says " + sha256Hex("") + ")"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

// TestUnfinishedBagIsNotValid: a bag whose writing stopped before Finish
// (an interrupted export) never verifies, whatever it holds.
func TestUnfinishedBagIsNotValid(t *testing.T) {
	dir := t.TempDir()
	w, err := NewWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.WriteFile("index.html", []byte("page")); err != nil {
		t.Fatal(err)
	}
	w.Abandon()
	r := verify(t, dir)
	if r.Valid() {
		t.Fatal("an unfinished bag verified")
	}
	want := []Problem{{Path: "bagit.txt", Kind: Missing}, {Path: "manifest-sha256.txt", Kind: Missing}}
	got := []Problem{}
	for _, p := range r.Problems {
		got = append(got, Problem{Path: p.Path, Kind: p.Kind})
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestVerifyForeignBag checks a bag made by hand as other tools make
// them: MD5 and SHA-512 manifests, a tag manifest, folded bag-info lines,
// CRLF line ends, a file listed in fetch.txt and not fetched.
func TestVerifyForeignBag(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"data/a.txt": "alpha\n", "data/sub/b.txt": "beta\n"}
	var m5, m512 strings.Builder
	for p, body := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755)
		os.WriteFile(filepath.Join(dir, p), []byte(body), 0o644)
		s5 := md5.Sum([]byte(body))
		s512 := sha512.Sum512([]byte(body))
		fmt.Fprintf(&m5, "%s %s\r\n", hex.EncodeToString(s5[:]), p)
		fmt.Fprintf(&m512, "%s\t%s\n", strings.ToUpper(hex.EncodeToString(s512[:])), p)
	}
	os.WriteFile(filepath.Join(dir, "bagit.txt"), []byte("BagIt-Version: 0.97\r\nTag-File-Character-Encoding: UTF-8\r\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "bag-info.txt"), []byte("Source-Organization: A fictional\n  library\nPayload-Oxum: 11.2\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-md5.txt"), []byte(m5.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-sha512.txt"), []byte(m512.String()), 0o644)
	os.WriteFile(filepath.Join(dir, "manifest-blake3.txt"), []byte("whatever data/a.txt\n"), 0o644)
	var tm strings.Builder
	for _, name := range []string{"bagit.txt", "bag-info.txt", "manifest-md5.txt"} {
		b, _ := os.ReadFile(filepath.Join(dir, name))
		s := md5.Sum(b)
		fmt.Fprintf(&tm, "%s %s\n", hex.EncodeToString(s[:]), name)
	}
	os.WriteFile(filepath.Join(dir, "tagmanifest-md5.txt"), []byte(tm.String()), 0o644)

	r := verify(t, dir)
	if !r.Valid() {
		t.Fatalf("a valid foreign bag has problems: %v", r.Problems)
	}
	if diff := cmp.Diff([]string{"md5", "sha512"}, r.Manifests); diff != "" {
		t.Errorf("manifests (-want +got):\n%s", diff)
	}
	if r.Version != "0.97" {
		t.Errorf("version %q", r.Version)
	}
	var warned []string
	for _, w := range r.Warnings {
		warned = append(warned, w.Path)
	}
	if diff := cmp.Diff([]string{"manifest-blake3.txt", "manifest-blake3.txt", "manifest-sha512.txt"}, warned); diff != "" {
		t.Errorf("warnings (-want +got):\n%s\n%v", diff, r.Warnings)
	}

	// A file fetch.txt lists that is not there is named, with why.
	os.Remove(filepath.Join(dir, "data/sub/b.txt"))
	os.WriteFile(filepath.Join(dir, "fetch.txt"), []byte("https://example.org/b.txt 5 data/sub/b.txt\n"), 0o644)
	r = verify(t, dir)
	var missing string
	for _, p := range r.Problems {
		if p.Path == "data/sub/b.txt" && p.Kind == Missing {
			missing = p.Detail
		}
	}
	if !strings.Contains(missing, "fetch.txt") {
		t.Errorf("the unfetched file is not named with fetch.txt: %v", r.Problems)
	}
}

// TestLibraryOfCongressBagit runs the Library of Congress's bagit-python
// on a bag of ours, and ours on a bag of its, when it is at hand:
// BACKCHANNEL_BAGIT_PY names its bagit.py (it is not packaged for Debian).
func TestLibraryOfCongressBagit(t *testing.T) {
	script := os.Getenv("BACKCHANNEL_BAGIT_PY")
	if script == "" {
		t.Skip("BACKCHANNEL_BAGIT_PY is not set (the path of the Library of Congress's bagit.py)")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("no python3")
	}
	// bagit-python reads "%25" in a manifest as it is, not as "%" (RFC
	// 8493 §2.1.3): the name with a per cent sign is left out.
	files := map[string]string{}
	for name, body := range payload {
		if !strings.Contains(name, "%") {
			files[name] = body
		}
	}
	dir := makeBagOf(t, files)
	out, err := exec.Command(py, script, "--validate", dir).CombinedOutput()
	if err != nil {
		t.Fatalf("bagit.py --validate on our bag: %v\n%s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "data/transcripts/a-call.md"), []byte("tampered"), 0o644)
	if out, err := exec.Command(py, script, "--validate", dir).CombinedOutput(); err == nil {
		t.Errorf("bagit.py passed a tampered bag:\n%s", out)
	}

	theirs := t.TempDir()
	os.WriteFile(filepath.Join(theirs, "a.txt"), []byte("alpha\n"), 0o644)
	if out, err := exec.Command(py, script, "--sha256", "--sha512", "--contact-name", "A fictional archivist", theirs).CombinedOutput(); err != nil {
		t.Fatalf("bagit.py making a bag: %v\n%s", err, out)
	}
	if r := verify(t, theirs); !r.Valid() {
		t.Errorf("bagit.py's bag: %v", r.Problems)
	}
}

func TestHumanSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 999: "999 B", 1000: "1.0 kB", 1_500_000: "1.5 MB", 12_300_000_000: "12.3 GB"} {
		if got := humanSize(n); got != want {
			t.Errorf("humanSize(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestDecodePath(t *testing.T) {
	for in, want := range map[string]string{"a%0Ab": "a\nb", "a%0ab": "a\nb", "a%25b": "a%b", "a%0Db": "a\rb", "a%2": "a%2", "a%zz": "a%zz", "%": "%"} {
		if got := decodePath(in); got != want {
			t.Errorf("decodePath(%q) = %q, want %q", in, got, want)
		}
		if in == "a%0ab" || in == "a%2" || in == "a%zz" || in == "%" {
			continue
		}
		if got := encodePath(want); got != in {
			t.Errorf("encodePath(%q) = %q, want %q", want, got, in)
		}
	}
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func rewrite(p string, f func(string) string) error {
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	return os.WriteFile(p, []byte(f(string(b))), 0o644)
}

func appendTo(p, s string) error {
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(s)
	return err
}

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// binPath is the backchannel binary built once for the end-to-end tests.
var binPath string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "backchannel-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "backchannel")
	if runtime.GOOS == "windows" {
		binPath += ".exe"
	}
	build := exec.Command("go", "build", "-o", binPath, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build backchannel:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// server is a running `backchannel serve`.
type server struct {
	base string
	cmd  *exec.Cmd
	logs *syncBuffer
}

var urlRE = regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)`)

// startServe runs `backchannel serve` on a free loopback port and waits until
// it prints its address.
func startServe(t *testing.T, transcripts, data string) *server {
	t.Helper()
	return startServeWith(t, []string{"serve", "--addr", "127.0.0.1:0", "--transcripts", transcripts, "--data", data})
}

// launch starts cmd (a serve command) and waits until it prints its address.
// The server is stopped with SIGINT when the test ends.
func launch(t *testing.T, ctx context.Context, cancel context.CancelFunc, cmd *exec.Cmd) *server {
	t.Helper()
	cmd.Env = append(os.Environ(), "BACKCHANNEL_ADDR=", "BACKCHANNEL_DATA=", "BACKCHANNEL_TRANSCRIPTS=")
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 15 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		cmd.Wait()
		if t.Failed() {
			t.Logf("serve logs:\n%s", logs.String())
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := urlRE.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			t.Fatalf("serve exited before listening; logs:\n%s", logs.String())
		}
		return &server{base: base, cmd: cmd, logs: logs}
	case <-time.After(60 * time.Second):
		t.Fatalf("serve did not start within 60s; logs:\n%s", logs.String())
	}
	return nil
}

func (s *server) get(t *testing.T, path string) (*http.Response, []byte) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp, body
}

// runCLI runs the binary with args and returns its output and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLIIn(t, "", args...)
}

// runCLIIn is runCLI in the working directory dir ("": the test's).
func runCLIIn(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "BACKCHANNEL_ADDR=", "BACKCHANNEL_DATA=", "BACKCHANNEL_TRANSCRIPTS=")
	var o, e strings.Builder
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

type apiSearch struct {
	Total int `json:"total"`
	Hits  []struct {
		Call    string `json:"call"`
		Line    int    `json:"line"`
		Speaker *struct {
			ID   string `json:"id"`
			Name string `json:"name"`
		} `json:"speaker"`
		Text      string   `json:"text"`
		Fragments []string `json:"fragments"`
		URL       string   `json:"url"`
	} `json:"hits"`
}

// TestShippedArchive is the archive issue's "done when": the shipped calls
// are served, a pasted quote with a speaker filter finds Dmitriev's line
// first, and its link leads to a page holding that line at that id.
func TestShippedArchive(t *testing.T) {
	srv := startServe(t, "../../transcripts", t.TempDir())

	resp, body := srv.get(t, "/")
	if resp.StatusCode != 200 {
		t.Fatalf("GET / = %d", resp.StatusCode)
	}
	for _, want := range []string{"Steve Witkoff", "Yuri Ushakov", "Kirill Dmitriev", "2025-10-14", "2025-10-29"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("home page lacks %q", want)
		}
	}

	_, body = srv.get(t, "/api/v1/search?q="+url.QueryEscape(`"word for word"`)+"&speaker=dmitriev")
	var res apiSearch
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("decode search JSON: %v\n%s", err, body)
	}
	if len(res.Hits) == 0 {
		t.Fatalf("no hits for \"word for word\" by dmitriev: %s", body)
	}
	hit := res.Hits[0]
	if hit.Speaker == nil || hit.Speaker.ID != "kirill-dmitriev" {
		t.Fatalf("first hit speaker = %+v, want kirill-dmitriev", hit.Speaker)
	}
	if want := "I’ll say it exactly as you say it, word for word."; hit.Text != want {
		t.Errorf("first hit text = %q, want %q", hit.Text, want)
	}
	m := regexp.MustCompile(`^/calls/([a-z0-9-]+)#L(\d+)$`).FindStringSubmatch(hit.URL)
	if m == nil {
		t.Fatalf("hit url %q is not /calls/{slug}#L{n}", hit.URL)
	}
	resp, body = srv.get(t, "/calls/"+m[1])
	if resp.StatusCode != 200 {
		t.Fatalf("GET /calls/%s = %d", m[1], resp.StatusCode)
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	line := doc.Find("#L" + m[2])
	if line.Length() != 1 {
		t.Fatalf("page /calls/%s has %d elements with id L%s", m[1], line.Length(), m[2])
	}
	if !strings.Contains(line.Text(), hit.Text) {
		t.Errorf("element #L%s holds %q, want the line %q", m[2], strings.TrimSpace(line.Text()), hit.Text)
	}
	if line.Find(`a[href="#L`+m[2]+`"]`).Length() == 0 {
		t.Errorf("line L%s has no visible link to itself", m[2])
	}

	resp, _ = srv.get(t, "/healthz")
	if resp.StatusCode != 200 {
		t.Errorf("/healthz = %d, want 200", resp.StatusCode)
	}
}

// TestIngestWhileServing checks that ingest swaps a new index in beside a
// running server, which keeps answering, and that a restarted server sees
// the new line.
func TestIngestWhileServing(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	data := t.TempDir()
	srv := startServe(t, dir, data)

	_, body := srv.get(t, "/api/v1/search?q=lighthouse")
	var res apiSearch
	if err := json.Unmarshal(body, &res); err != nil || res.Total != 1 {
		t.Fatalf("search lighthouse before ingest: total %d, err %v: %s", res.Total, err, body)
	}

	second := `---
title: A second fictional call
date: 2024-05-06
participants:
  - id: daniel-osei
    name: Daniel Osei
---

Daniel Osei (DO): The lighthouse is dark tonight.
`
	if err := os.WriteFile(filepath.Join(dir, "2024-05-06-osei.md"), []byte(second), 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data)
	if code != 0 {
		t.Fatalf("ingest exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(out, "2 calls") {
		t.Errorf("ingest summary %q does not count 2 calls", out)
	}
	// The running server keeps answering from the index it opened.
	resp, body := srv.get(t, "/api/v1/search?q=lighthouse")
	if resp.StatusCode != 200 {
		t.Fatalf("search after ingest = %d: %s", resp.StatusCode, body)
	}

	out, errOut, code = runCLI(t, "search", "--transcripts", dir, "--data", data, "--json", "lighthouse")
	if code != 0 {
		t.Fatalf("search exit %d: %s %s", code, out, errOut)
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil || res.Total != 2 {
		t.Fatalf("search --json after ingest: total %d, err %v: %s", res.Total, err, out)
	}
}

// TestServeRefusesBrokenArchive checks that serve will not start on a bad
// file, names it with its line, and leaves the built index alone.
func TestServeRefusesBrokenArchive(t *testing.T) {
	dir := t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	data := t.TempDir()
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	before := snapshot(t, data)

	bad := "---\ntitle: Broken\ndate: 2024-06-01\n---\n\nZQ: who is this?\n"
	if err := os.WriteFile(filepath.Join(dir, "2024-06-01-broken.md"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, "serve", "--addr", "127.0.0.1:0", "--transcripts", dir, "--data", data)
	if code == 0 {
		t.Fatal("serve started on a broken archive")
	}
	if want := filepath.Join(dir, "2024-06-01-broken.md") + ":6:"; !strings.Contains(errOut, want) {
		t.Errorf("serve output does not name %s\n%s", want, errOut)
	}
	if after := snapshot(t, data); after != before {
		t.Errorf("the built index changed:\nbefore %s\nafter  %s", before, after)
	}
}

// TestCheck checks that check lists every bad file with path:line and
// exits 1, and exits 0 on a good archive.
func TestCheck(t *testing.T) {
	if out, _, code := runCLI(t, "check", "../../transcripts"); code != 0 {
		t.Fatalf("check on the shipped archive exit %d:\n%s", code, out)
	}
	dir := t.TempDir()
	files := map[string]string{
		"a-no-title.md":      "---\ndate: 2024-01-01\n---\n\nMK: hello\n",
		"b-open-header.md":   "---\ntitle: Never closed\ndate: 2024-01-01\n",
		"c-unknown-label.md": "---\ntitle: T\ndate: 2024-01-01\n---\n\nZQ: hello\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out, _, code := runCLI(t, "check", dir)
	if code != 1 {
		t.Errorf("check exit %d, want 1", code)
	}
	for name := range files {
		re := regexp.MustCompile(regexp.QuoteMeta(filepath.Join(dir, name)) + `:\d+: `)
		if !re.MatchString(out) {
			t.Errorf("check output does not name %s with a line:\n%s", name, out)
		}
	}
	if !strings.Contains(out, filepath.Join(dir, "b-open-header.md")+":1:") {
		t.Errorf("unclosed header not reported at the line where it opens:\n%s", out)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// snapshot lists every file under dir with its size and modification time.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// syncBuffer is a strings.Builder safe for one writer and concurrent readers.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeRebuildsCorruptIndex damages every file of a build and checks
// that serve says so, builds again from the transcripts and answers.
func TestServeRebuildsCorruptIndex(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	copyFile(t, "testdata/archive/2024-03-02-keller-osei.md", filepath.Join(dir, "2024-03-02-keller-osei.md"))
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", dir, "--data", data); code != 0 {
		t.Fatalf("ingest exit %d: %s %s", code, out, errOut)
	}
	current, err := filepath.EvalSymlinks(filepath.Join(data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	filepath.Walk(current, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if err := os.WriteFile(p, []byte("not an index"), 0o644); err != nil {
				t.Fatal(err)
			}
			damaged++
		}
		return nil
	})
	if damaged == 0 {
		t.Fatalf("no index files found under %s", current)
	}
	srv := startServe(t, dir, data)
	_, body := srv.get(t, "/api/v1/search?q=lighthouse")
	var res apiSearch
	if err := json.Unmarshal(body, &res); err != nil || res.Total != 1 {
		t.Fatalf("search after rebuilding a damaged index: total %d, err %v: %s", res.Total, err, body)
	}
	if !strings.Contains(srv.logs.String(), "cannot be opened: building it again from the transcripts") {
		t.Errorf("serve did not say it rebuilt the index; logs:\n%s", srv.logs.String())
	}
}

// TestServe_WithoutTranscripts: no request reads the transcripts folder.
// Serve (without --watch), read every kind of page, then move the
// transcripts folder away: every page, search and download answers as
// before, with the same lines, from that server and from a new one
// started on the data folder (whose caches have seen nothing).
func TestServe_WithoutTranscripts(t *testing.T) {
	dir, data := t.TempDir(), t.TempDir()
	for _, f := range []string{"2023-11-08-lindqvist-amara.md", "2023-11-08-lindqvist-amara.notes.md", "2023-12-01-amara-brandt.md"} {
		copyFile(t, filepath.Join("testdata/browser", f), filepath.Join(dir, f))
	}
	srv := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	paths := []string{"/", "/search?q=harbour", "/api/v1/search?q=harbour", "/api/v1/calls", "/feed.atom", "/sitemap.xml"}
	var calls struct {
		Calls []struct {
			Slug string `json:"slug"`
		} `json:"calls"`
	}
	_, body := srv.get(t, "/api/v1/calls")
	if err := json.Unmarshal(body, &calls); err != nil || len(calls.Calls) != 2 {
		t.Fatalf("calls: %v: %s", err, body)
	}
	for _, c := range calls.Calls {
		p := "/calls/" + c.Slug
		paths = append(paths, p, p+".txt", p+".json", p+"/L1", p+"/L1-L2", "/api/v1/calls/"+c.Slug)
	}
	_, body = srv.get(t, "/calls/"+calls.Calls[0].Slug+".json")
	var call struct {
		Participants []struct {
			ID string `json:"id"`
		} `json:"participants"`
	}
	if err := json.Unmarshal(body, &call); err == nil {
		for _, p := range call.Participants {
			paths = append(paths, "/speakers/"+p.ID)
		}
	}
	before := map[string]string{}
	for _, p := range paths {
		resp, body := srv.get(t, p)
		if resp.StatusCode != 200 {
			t.Fatalf("%s = %d before the move", p, resp.StatusCode)
		}
		before[p] = string(body)
	}
	if err := os.Rename(dir, dir+"-moved"); err != nil {
		t.Fatal(err)
	}
	defer os.Rename(dir+"-moved", dir)
	// Distinct searches too, never asked before the move.
	for _, p := range []string{"/search?q=lighthouse+OR+harbour", "/api/v1/search?q=amara"} {
		if resp, body := srv.get(t, p); resp.StatusCode != 200 || !strings.Contains(string(body), "mark") && !strings.Contains(string(body), `"total"`) {
			t.Errorf("%s after the move = %d", p, resp.StatusCode)
		}
	}
	stopServe(t, srv)
	fresh := startServeArgs(t, dir, data, "--base-url", "https://archive.example")
	for _, p := range paths {
		resp, body := fresh.get(t, p)
		if resp.StatusCode != 200 {
			t.Errorf("%s = %d after the transcripts folder was moved away", p, resp.StatusCode)
			continue
		}
		if string(body) != before[p] {
			t.Errorf("%s changed after the transcripts folder was moved away: %s", p, firstDiff(string(body), before[p]))
		}
	}
	if !strings.Contains(fresh.logs.String(), "serving the current build") {
		t.Errorf("serve did not say it serves the build without its transcripts; logs:\n%s", fresh.logs)
	}
}

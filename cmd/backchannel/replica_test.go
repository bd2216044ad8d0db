package main

import (
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// writeReplicaCall writes a fictional call of n lines to dir, each line
// saying word, so that a page or a search shows which version it is.
func writeReplicaCall(t testing.TB, dir, slug string, n int, word string) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Fictional replica call %s\ndate: 2024-02-%s\ncompleteness: complete\n"+
		"participants:\n  - id: ada-quill\n    name: Ada Quill\n  - id: bo-reyes\n    name: Bo Reyes\n---\n\n", slug, slug[len(slug)-2:])
	for i := range n {
		who := []string{"Ada Quill (AQ)", "Bo Reyes (BR)"}[i%2]
		if i >= 2 {
			who = []string{"AQ", "BR"}[i%2]
		}
		fmt.Fprintf(&b, "%s: The %s tide on line %d reaches the pier.\n\n", who, word, i+1)
	}
	if err := os.WriteFile(filepath.Join(dir, slug+".md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// mustIngest runs `backchannel ingest` and returns the ID of the build
// it made current.
func mustIngest(t *testing.T, transcripts, data string) string {
	t.Helper()
	out, errOut, code := runCLI(t, "ingest", "--transcripts", transcripts, "--data", data)
	if code != 0 {
		t.Fatalf("ingest exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	return currentBuildID(t, data)
}

// currentBuildID is the ID of the build data's current link names.
func currentBuildID(t testing.TB, data string) string {
	t.Helper()
	target, err := os.Readlink(filepath.Join(data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimPrefix(target, "build-")
}

// health is what a server's /healthz says.
type health struct {
	status int
	build  string // the "build:" line
	body   string
}

func getHealth(base string) (health, error) {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		return health{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return health{}, err
	}
	h := health{status: resp.StatusCode, body: string(b)}
	for _, l := range strings.Split(h.body, "\n") {
		if v, ok := strings.CutPrefix(l, "build: "); ok {
			h.build = v
		}
	}
	return h, nil
}

// copyTree copies the files, folders and symlinks under src for which
// keep (given the path relative to src) is true into dst, as a copy
// program would: each file written under a temporary name and renamed.
func copyTree(t testing.TB, src, dst string, keep func(rel string) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if keep != nil && rel != "." && !keep(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			tmp := to + ".copy-tmp"
			_ = os.Remove(tmp)
			if err := os.Symlink(target, tmp); err != nil {
				return err
			}
			return os.Rename(tmp, to)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			tmp := to + ".copy-tmp"
			if err := os.WriteFile(tmp, b, 0o644); err != nil {
				return err
			}
			return os.Rename(tmp, to)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestServeReadOnly_Refuses: a replica refuses to start, saying why and
// what to do, when its data folder has no build it can serve; and
// --read-only does not go with --watch.
func TestServeReadOnly_Refuses(t *testing.T) {
	transcripts := t.TempDir()
	writeReplicaCall(t, transcripts, "replica-01", 4, "amber")
	built := t.TempDir()
	id := mustIngest(t, transcripts, built)

	tests := []struct {
		name     string
		data     func(t *testing.T) string
		extra    []string
		code     int
		want     []string
		wantNone bool // the data folder must stay empty
	}{
		{
			name: "empty data folder",
			data: func(t *testing.T) string { return t.TempDir() },
			code: 1, wantNone: true,
			want: []string{"--read-only never makes a build", "has none to serve", "backchannel ingest --data"},
		},
		{
			name: "no data folder",
			data: func(t *testing.T) string { return filepath.Join(t.TempDir(), "absent") },
			code: 1,
			want: []string{"the data folder", "no such file or directory", "backchannel ingest --data"},
		},
		{
			name: "a build of a newer layout",
			data: func(t *testing.T) string {
				d := t.TempDir()
				copyTree(t, built, d, nil)
				setLayout(t, filepath.Join(d, "build-"+id), 99, "")
				return d
			},
			code: 1,
			want: []string{"layout 99", "made by a newer backchannel"},
		},
		{
			name: "a copy without the line store",
			data: func(t *testing.T) string {
				d := t.TempDir()
				copyTree(t, built, d, func(rel string) bool { return !strings.HasPrefix(rel, "objects") })
				return d
			},
			code: 1,
			want: []string{"the data folder is incomplete", "the lines of replica-01"},
		},
		{
			name:  "with --watch",
			data:  func(t *testing.T) string { return built },
			extra: []string{"--watch"},
			code:  2,
			want:  []string{"--watch builds and --read-only never does"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			args := append([]string{"serve", "--read-only", "--addr", "127.0.0.1:0", "--transcripts", transcripts, "--data", data}, tt.extra...)
			_, stderr, code := runCLI(t, args...)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if tt.wantNone {
				if entries, _ := os.ReadDir(data); len(entries) > 0 {
					t.Errorf("a read-only serve wrote %d entries into the data folder", len(entries))
				}
			}
		})
	}
}

// TestServeReadOnly_Replicas: two replicas on one data folder serve its
// build, write nothing into it, and each serves a build that an ingest
// swaps in within 2 s.
func TestServeReadOnly_Replicas(t *testing.T) {
	transcripts, data := t.TempDir(), t.TempDir()
	writeReplicaCall(t, transcripts, "replica-01", 6, "amber")
	writeReplicaCall(t, transcripts, "replica-02", 6, "cobalt")
	mustIngest(t, transcripts, data)
	before := snapshot(t, data)

	var replicas []*server
	for range 2 {
		replicas = append(replicas, startServeArgs(t, filepath.Join(t.TempDir(), "none"), data, "--read-only"))
	}
	read := func(word string) {
		t.Helper()
		for i, r := range replicas {
			for _, p := range []string{"/calls/replica-01", "/calls/replica-01/L2", "/search?q=" + word, "/api/v1/calls/replica-01"} {
				resp, body := r.get(t, p)
				if resp.StatusCode != 200 || !strings.Contains(string(body), word) {
					t.Errorf("replica %d: GET %s = %d, want 200 saying %q", i, p, resp.StatusCode, word)
				}
			}
		}
	}
	read("amber")
	if after := snapshot(t, data); after != before {
		t.Errorf("the replicas changed the data folder:\nbefore:\n%s\nafter:\n%s", before, after)
	}

	writeReplicaCall(t, transcripts, "replica-01", 6, "saffron")
	id := mustIngest(t, transcripts, data)
	swapped := time.Now()
	for i, r := range replicas {
		took := waitFor(t, 2*time.Second-time.Since(swapped), fmt.Sprintf("replica %d serving build %s", i, id), func() bool {
			h, err := getHealth(r.base)
			return err == nil && h.status == 200 && h.build == id
		})
		t.Logf("replica %d served the new build %v after its swap", i, took)
	}
	read("saffron")
	afterIngest := snapshot(t, data)
	read("saffron")
	if after := snapshot(t, data); after != afterIngest {
		t.Errorf("the replicas changed the data folder after the swap")
	}
}

// TestServeReadOnly_Faults: a replica whose data folder is a copy kept in
// step by hand (as rsync would) meets an interrupted copy that brought the
// current link before the line store, a build whose index is half copied,
// a build of a newer layout, and its data folder disappearing. Each time
// it keeps serving the build it has open, every page 200, says why in
// /healthz (503 after --stale-grace), never exits, and serves the
// folder's build again once the folder is whole.
func TestServeReadOnly_Faults(t *testing.T) {
	transcripts, src := t.TempDir(), t.TempDir()
	writeReplicaCall(t, transcripts, "replica-01", 8, "amber")
	writeReplicaCall(t, transcripts, "replica-02", 8, "cobalt")
	first := mustIngest(t, transcripts, src)
	root := t.TempDir()
	dst := filepath.Join(root, "data")
	copyTree(t, src, dst, nil)
	const grace = time.Second
	srv := startServeArgs(t, filepath.Join(t.TempDir(), "none"), dst, "--read-only", "--stale-grace", grace.String())

	// A reader that keeps reading both calls: every answer must be a 200
	// with the lines of one version, whatever happens to the folder.
	var (
		mu       sync.Mutex
		problems []string
		reads    int
	)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, p := range []string{"/calls/replica-01", "/calls/replica-02/L3", "/api/v1/calls/replica-01", "/search?q=pier"} {
				resp, err := http.Get(srv.base + p)
				mu.Lock()
				reads++
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: %v", p, err))
				} else {
					body, _ := io.ReadAll(resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						problems = append(problems, fmt.Sprintf("%s: %d: %.200s", p, resp.StatusCode, body))
					}
				}
				mu.Unlock()
			}
		}
	}()
	stopReader := func() {
		close(stop)
		<-done
		mu.Lock()
		defer mu.Unlock()
		if len(problems) > 0 {
			t.Errorf("%d of %d reads failed while the folder was broken, e.g. %v", len(problems), reads, problems[:min(5, len(problems))])
		}
		t.Logf("%d reads, all 200", reads)
	}

	// stale waits until /healthz is 503 saying want, and checks that the
	// build served is still build.
	stale := func(what, build, want string) {
		t.Helper()
		var h health
		waitFor(t, grace+3*time.Second, what+": /healthz 503", func() bool {
			var err error
			h, err = getHealth(srv.base)
			if err != nil {
				t.Fatalf("%s: /healthz: %v", what, err)
			}
			return h.status == 503
		})
		if !strings.Contains(h.body, want) || h.build != build {
			t.Errorf("%s: /healthz says\n%s\nwant it to say %q and serve build %s", what, h.body, want, build)
		}
	}
	serving := func(what, build string) {
		t.Helper()
		start := time.Now()
		waitFor(t, 2*time.Second, what+": serving build "+build, func() bool {
			h, err := getHealth(srv.base)
			return err == nil && h.status == 200 && h.build == build
		})
		t.Logf("%s: serving build %s, healthy, %v after the folder was whole", what, build, time.Since(start).Round(time.Millisecond))
	}
	serving("start", first)

	// 1. An interrupted plain `rsync -a`: it copies in name order, so the
	// new build and the current link arrive before the new objects.
	writeReplicaCall(t, transcripts, "replica-01", 8, "saffron")
	second := mustIngest(t, transcripts, src)
	copyTree(t, src, dst, func(rel string) bool { return !strings.HasPrefix(rel, "objects") })
	stale("current link before the line store", first, "the data folder is incomplete")
	copyTree(t, src, dst, nil)
	serving("line store copied", second)

	// 2. A build whose index is half copied (the folder's files arrive one
	// by one): build.json and the catalog are there, the index is not.
	writeReplicaCall(t, transcripts, "replica-02", 8, "indigo")
	third := mustIngest(t, transcripts, src)
	copyTree(t, src, dst, func(rel string) bool {
		return !strings.HasPrefix(rel, filepath.Join("build-"+third, "index")+string(filepath.Separator))
	})
	stale("half-copied index", second, "cannot open build "+third)
	copyTree(t, src, dst, nil)
	serving("index copied", third)

	// 3. A build made by a newer backchannel (another layout).
	future := "20991231T000000.000000000-feedf00d"
	copyTree(t, filepath.Join(src, "build-"+third), filepath.Join(dst, "build-"+future), nil)
	setLayout(t, filepath.Join(dst, "build-"+future), 2, future)
	swapLink(t, dst, "build-"+future)
	stale("newer layout", third, "made by a newer backchannel")
	swapLink(t, dst, "build-"+third)
	serving("current back on a build it reads", third)
	stopReader()

	// 4. The data folder disappears (moved away, as an unmounted share
	// would be): the replica stays up and says so; it serves the folder
	// again when it is back.
	gone := filepath.Join(root, "gone")
	if err := os.Rename(dst, gone); err != nil {
		t.Fatal(err)
	}
	stale("data folder gone", third, "has no current build")
	for _, p := range []string{"/calls/replica-01", "/search?q=pier"} {
		resp, err := http.Get(srv.base + p)
		if err != nil {
			t.Fatalf("GET %s with the data folder gone: %v", p, err)
		}
		resp.Body.Close()
		t.Logf("GET %s with the data folder gone: %d", p, resp.StatusCode)
	}
	if err := os.Rename(gone, dst); err != nil {
		t.Fatal(err)
	}
	serving("data folder back", third)
	if srv.cmd.ProcessState != nil {
		t.Fatalf("the replica exited: %v", srv.cmd.ProcessState)
	}
}

// setLayout rewrites the build.json of the build in dir to say it is of
// layout n (and, unless id is "", has that ID), as a newer backchannel
// would have written it.
func setLayout(t testing.TB, dir string, n int, id string) {
	t.Helper()
	path := filepath.Join(dir, "build.json")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var info map[string]any
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatal(err)
	}
	info["layout"] = n
	if id != "" {
		info["id"] = id
	}
	if b, err = json.Marshal(info); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// swapLink points data's current link at name with one rename, as an
// ingest (or rsync's last step) does.
func swapLink(t testing.TB, data, name string) {
	t.Helper()
	tmp := filepath.Join(data, "current.test-tmp")
	_ = os.Remove(tmp)
	if err := os.Symlink(name, tmp); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(data, "current")); err != nil {
		t.Fatal(err)
	}
}

// TestServeReadOnly_Rsync: a replica's data folder kept in step with the
// writer's by deploy/sync-data.sh (rsync, as the README documents) serves
// each build the writer makes once the script has run, also when the
// writer made two builds between runs (the replica's build is then
// deleted under it), and every read meanwhile is a 200.
func TestServeReadOnly_Rsync(t *testing.T) {
	if _, err := exec.LookPath("rsync"); err != nil {
		missingTool(t, "no rsync on $PATH (Debian: apt-get install rsync)")
	}
	script, err := filepath.Abs(filepath.Join("..", "..", "deploy", "sync-data.sh"))
	if err != nil {
		t.Fatal(err)
	}
	runSync := func(src, dst string) {
		t.Helper()
		out, err := exec.Command("sh", script, src, dst).CombinedOutput()
		if err != nil {
			t.Fatalf("sync-data.sh: %v\n%s", err, out)
		}
	}
	transcripts, src := t.TempDir(), t.TempDir()
	writeReplicaCall(t, transcripts, "replica-01", 8, "amber")
	writeReplicaCall(t, transcripts, "replica-02", 8, "cobalt")
	mustIngest(t, transcripts, src)
	dst := filepath.Join(t.TempDir(), "data")
	runSync(src, dst)
	srv := startServeArgs(t, filepath.Join(t.TempDir(), "none"), dst, "--read-only", "--stale-grace", "1s")

	var (
		mu       sync.Mutex
		problems []string
		reads    int
	)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, p := range []string{"/calls/replica-01", "/calls/replica-02/L3", "/search?q=pier"} {
				resp, err := http.Get(srv.base + p)
				mu.Lock()
				reads++
				if err != nil {
					problems = append(problems, fmt.Sprintf("%s: %v", p, err))
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != 200 {
						problems = append(problems, fmt.Sprintf("%s: %d", p, resp.StatusCode))
					}
				}
				mu.Unlock()
			}
		}
	}()

	words := []string{"saffron", "indigo", "umber", "teal"}
	for k, builds := range []int{1, 2, 1} {
		for b := range builds {
			writeReplicaCall(t, transcripts, "replica-01", 8, words[(k+b)%len(words)])
			mustIngest(t, transcripts, src)
		}
		want := currentBuildID(t, src)
		runSync(src, dst)
		took := waitFor(t, 2*time.Second, fmt.Sprintf("sync %d: replica serving build %s", k+1, want), func() bool {
			h, err := getHealth(srv.base)
			return err == nil && h.status == 200 && h.build == want
		})
		t.Logf("sync %d (%d builds made since the last): served %v after the script ended", k+1, builds, took.Round(time.Millisecond))
		if entries, _ := filepath.Glob(filepath.Join(dst, "build-*")); len(entries) > 2 {
			t.Errorf("sync %d: %d builds in the copy, want the writer's two at most", k+1, len(entries))
		}
	}
	close(stop)
	<-done
	if len(problems) > 0 {
		t.Errorf("%d of %d reads failed, e.g. %v", len(problems), reads, problems[:min(5, len(problems))])
	}
	t.Logf("%d reads, all 200", reads)
}

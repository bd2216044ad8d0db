package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The load balancer test's archive: lbCalls fictional calls of lbLines
// lines, every line naming the edition of its call, which each ingest
// raises for two calls.
const (
	lbCalls    = 12
	lbLines    = 30
	lbIngests  = 5
	lbBaseURL  = "http://archive.test"
	lbDuration = 30 * time.Second
	lbConns    = 64
)

// lbSlug is the slug of the load balancer test's call i.
func lbSlug(i int) string { return fmt.Sprintf("2024-05-%02d-quill-reyes", i+1) }

// writeLBCall writes call i at the given edition.
func writeLBCall(t *testing.T, dir string, i, edition int) {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "---\ntitle: Fictional ledger call %d\ndate: 2024-05-%02d\ncompleteness: complete\n"+
		"participants:\n  - id: ada-quill\n    name: Ada Quill\n  - id: bo-reyes\n    name: Bo Reyes\n---\n\n", i+1, i+1)
	for n := range lbLines {
		who := []string{"AQ", "BR"}[n%2]
		switch n {
		case 0:
			who = "Ada Quill (AQ)"
		case 1:
			who = "Bo Reyes (BR)"
		}
		fmt.Fprintf(&b, "%s: The pilot reads edition %d of ledger %d, entry %d, by the lantern.\n\n", who, edition, i+1, n+1)
	}
	if err := os.WriteFile(filepath.Join(dir, lbSlug(i)+".md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

// lbPaths are the URLs the load asks for, in turn: every kind of page
// and answer a reader gets, of the calls that change and those that do
// not.
func lbPaths() []string {
	var p []string
	for i := range lbCalls {
		s := "/calls/" + lbSlug(i)
		p = append(p, s, s+"/L"+strconv.Itoa(i+3), s+"/L2-L6", s+".txt", s+".json", "/api/v1/calls/"+lbSlug(i))
	}
	return append(p, "/", "/search?q=lantern", "/search?q=%22ledger+4%22", "/api/v1/search?q=pilot",
		"/speakers/ada-quill", "/api/v1/calls", "/feed.atom", "/sitemap.xml")
}

// lbScript is wrk's Lua script: it asks for paths in turn (no
// Accept-Encoding, so bodies can be read) and counts, over all threads,
// the answers that are not 2xx, the answers that show two editions of one
// call (lines of two builds in one answer), and the proxy's cache hits.
// (wrk does not say which request an answer is to: a thread has many
// connections, so answers are judged by what they say.)
const lbScript = `
local paths = {%s}
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  i, bad, mixed, checked, hits, n, first = 0, 0, 0, 0, 0, 0, ""
end
function request()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
function response(status, headers, body)
  n = n + 1
  if status < 200 or status > 299 then
    bad = bad + 1
    if first == "" then first = tostring(status) end
  else
    local seen, any = {}, false
    for e, l in string.gmatch(body, "edition (%%d+) of ledger (%%d+)") do
      any = true
      if seen[l] == nil then seen[l] = e elseif seen[l] ~= e then mixed = mixed + 1; break end
    end
    if any then checked = checked + 1 end
  end
  if headers["X-Cache-Status"] == "HIT" then hits = hits + 1 end
end
function done(summary, latency, requests)
  local b, m, k, h, c, f = 0, 0, 0, 0, 0, ""
  for _, t in ipairs(threads) do
    b = b + t:get("bad"); m = m + t:get("mixed"); k = k + t:get("checked"); h = h + t:get("hits"); c = c + t:get("n")
    if f == "" then f = t:get("first") end
  end
  local e = summary.errors
  io.write(string.format("RESULT responses=%%d bad=%%d mixed=%%d checked=%%d hits=%%d connect=%%d read=%%d write=%%d status=%%d timeout=%%d requests=%%d seconds=%%.3f p99ms=%%.1f first=%%s\n",
    c, b, m, k, h, e.connect, e.read, e.write, e.status, e.timeout, summary.requests, summary.duration / 1e6, latency:percentile(99) / 1e3, f))
end
`

// wrkResult is what lbScript's done prints.
type wrkResult struct {
	responses, bad, mixed, checked, hits         int
	connect, read, write, status, timeout, total int
	seconds, p99ms                               float64
	first                                        string
}

var wrkResultRE = regexp.MustCompile(`RESULT responses=(\d+) bad=(\d+) mixed=(\d+) checked=(\d+) hits=(\d+) connect=(\d+) read=(\d+) write=(\d+) status=(\d+) timeout=(\d+) requests=(\d+) seconds=([\d.]+) p99ms=([\d.]+) first=(.*)`)

func parseWRK(out string) (wrkResult, bool) {
	m := wrkResultRE.FindStringSubmatch(out)
	if m == nil {
		return wrkResult{}, false
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	f := func(i int) float64 { v, _ := strconv.ParseFloat(m[i], 64); return v }
	return wrkResult{responses: n(1), bad: n(2), mixed: n(3), checked: n(4), hits: n(5), connect: n(6), read: n(7), write: n(8),
		status: n(9), timeout: n(10), total: n(11), seconds: f(12), p99ms: f(13), first: strings.TrimSpace(m[14])}, true
}

func (r wrkResult) rate() float64 { return float64(r.total) / r.seconds }

// runWRK runs wrk with lbScript over paths at base, for d at conns
// connections.
func runWRK(ctx context.Context, wrk, script, base string, conns int, d time.Duration) (wrkResult, string, error) {
	cmd := exec.CommandContext(ctx, wrk, "-t2", "-c"+strconv.Itoa(conns), "-d"+d.String(), "--timeout", "10s", "-s", script, base)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return wrkResult{}, string(out), fmt.Errorf("wrk: %w", err)
	}
	r, ok := parseWRK(string(out))
	if !ok {
		return r, string(out), fmt.Errorf("wrk printed no RESULT line")
	}
	return r, string(out), nil
}

// lbTools returns the paths of nginx and wrk, skipping (failing in CI)
// when either is missing.
func lbTools(t *testing.T) (nginx, wrk string) {
	t.Helper()
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, serr := os.Stat("/usr/sbin/nginx"); serr == nil {
			nginx = "/usr/sbin/nginx"
		} else {
			missingTool(t, "no nginx on $PATH or in /usr/sbin (Debian: apt-get install nginx)")
		}
	}
	wrk, err = exec.LookPath("wrk")
	if err != nil {
		missingTool(t, "no wrk on $PATH (Debian: apt-get install wrk)")
	}
	return nginx, wrk
}

// proxy is a running nginx.
type proxy struct {
	base   string
	prefix string
}

// startNginx runs nginx with deploy/nginx.conf in front of the replicas
// (their host:port), its cache on or off, on a free loopback port. The
// lines of the deploy file that name its address, its replicas, its
// cache folder and its cache are replaced; each must be found exactly
// once, so the file the test runs is the file the README documents.
func startNginx(t *testing.T, nginx string, replicas []string, cache bool) *proxy {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("..", "..", "deploy", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	prefix := t.TempDir()
	addr := freeAddr(t)
	repl := [][2]string{
		{"listen 80;", "listen " + addr + ";"},
		{"/var/cache/nginx/backchannel", filepath.Join(prefix, "cache")},
	}
	for i, r := range replicas {
		repl = append(repl, [2]string{"server 127.0.0.1:808" + strconv.Itoa(i+1), "server " + r})
	}
	if !cache {
		repl = append(repl, [2]string{"proxy_cache backchannel;", "proxy_cache off;"})
	}
	s := string(conf)
	for _, r := range repl {
		if n := strings.Count(s, r[0]); n != 1 {
			t.Fatalf("deploy/nginx.conf has %q %d times, want once (the test replaces it)", r[0], n)
		}
		s = strings.Replace(s, r[0], r[1], 1)
	}
	site := filepath.Join(prefix, "backchannel.conf")
	if err := os.WriteFile(site, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	var main strings.Builder
	if os.Geteuid() == 0 {
		// Workers would otherwise run as nobody, who cannot write the
		// cache in a test's private temporary folder.
		main.WriteString("user root;\n")
	}
	tmp := filepath.Join(prefix, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&main, "worker_processes 1;\npid %s;\nerror_log %s warn;\nevents { worker_connections 4096; }\nhttp {\n  access_log off;\n",
		filepath.Join(prefix, "nginx.pid"), filepath.Join(prefix, "error.log"))
	for _, k := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi"} {
		fmt.Fprintf(&main, "  %s_temp_path %s;\n", k, filepath.Join(tmp, k))
	}
	fmt.Fprintf(&main, "  include %s;\n}\n", site)
	mainConf := filepath.Join(prefix, "nginx.conf")
	if err := os.WriteFile(mainConf, []byte(main.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginx, "-p", prefix, "-c", mainConf, "-e", filepath.Join(prefix, "error.log"), "-g", "daemon off;")
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Logf("nginx (cache %v) output:\n%s\nerror.log:\n%s", cache, out.String(), log)
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			log, _ := os.ReadFile(filepath.Join(prefix, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", waitErr, out.String(), log)
		default:
		}
		if c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen on %s within 10s: %s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return &proxy{base: "http://" + addr, prefix: prefix}
}

// answer is what the test compares of two answers to one URL. Last-Modified
// is left out: each replica dates a page from when it first sent those
// bytes.
type answer struct {
	Status                          int
	ContentType, ETag, CacheControl string
	Body                            string
}

func getAnswer(t *testing.T, url string) answer {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	h := resp.Header
	return answer{resp.StatusCode, h.Get("Content-Type"), h.Get("ETag"), h.Get("Cache-Control"), string(b)}
}

// TestLoadBalancer: three read-only replicas on loopback behind nginx
// (deploy/nginx.conf), twice over: one nginx without its cache and one
// with proxy_cache on. wrk drives each at 64 connections for 30 s while
// five ingests change calls and swap builds. No answer is other than
// 2xx, no connection fails, no call page mixes two builds, every replica
// serves each new build within 2 s of its swap, and afterwards every
// replica gives the same answer to every URL.
//
// BACKCHANNEL_LB_FIGURES=10s adds a measurement (not an assertion): a
// hot call page at 64 connections for that long, straight at one replica
// and through the caching nginx.
func TestLoadBalancer(t *testing.T) {
	if testing.Short() {
		t.Skip("the load balancer test runs wrk for 30s; not with -short")
	}
	nginx, wrk := lbTools(t)
	transcripts, data := t.TempDir(), t.TempDir()
	for i := range lbCalls {
		writeLBCall(t, transcripts, i, 0)
	}
	mustIngest(t, transcripts, data)

	var replicas []*server
	var addrs []string
	for range 3 {
		r := startServeArgs(t, filepath.Join(t.TempDir(), "none"), data, "--read-only", "--base-url", lbBaseURL)
		replicas = append(replicas, r)
		addrs = append(addrs, strings.TrimPrefix(r.base, "http://"))
	}
	plain := startNginx(t, nginx, addrs, false)
	cached := startNginx(t, nginx, addrs, true)
	for _, p := range []*proxy{plain, cached} {
		if a := getAnswer(t, p.base+"/calls/"+lbSlug(0)); a.Status != 200 {
			t.Fatalf("GET through nginx = %d:\n%.300s", a.Status, a.Body)
		}
	}

	var quoted []string
	for _, p := range lbPaths() {
		quoted = append(quoted, strconv.Quote(p))
	}
	script := filepath.Join(t.TempDir(), "lb.lua")
	if err := os.WriteFile(script, []byte(fmt.Sprintf(lbScript, strings.Join(quoted, ", "))), 0o644); err != nil {
		t.Fatal(err)
	}

	// The load, through both proxies at once.
	ctx, cancel := context.WithTimeout(context.Background(), lbDuration+60*time.Second)
	defer cancel()
	type run struct {
		name string
		res  wrkResult
		out  string
		err  error
	}
	runs := []*run{{name: "nginx"}, {name: "nginx with proxy_cache"}}
	var wg sync.WaitGroup
	for i, p := range []*proxy{plain, cached} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i].res, runs[i].out, runs[i].err = runWRK(ctx, wrk, script, p.base, lbConns, lbDuration)
		}()
	}

	// The ingests, one every few seconds of the load: each raises the
	// edition of two calls, and the test watches the swap and then every
	// replica's /healthz.
	start := time.Now()
	editions := make([]int, lbCalls)
	var last string
	for k := 1; k <= lbIngests; k++ {
		time.Sleep(time.Until(start.Add(time.Duration(k) * lbDuration / (lbIngests + 1))))
		for _, i := range []int{(2 * k) % lbCalls, (2*k + 5) % lbCalls} {
			editions[i] = k
			writeLBCall(t, transcripts, i, k)
		}
		before := currentBuildID(t, data)
		ing := exec.CommandContext(ctx, binPath, "ingest", "--transcripts", transcripts, "--data", data)
		ing.Env = append(os.Environ(), "BACKCHANNEL_DATA=", "BACKCHANNEL_TRANSCRIPTS=")
		var ingOut syncBuffer
		ing.Stdout, ing.Stderr = &ingOut, &ingOut
		if err := ing.Start(); err != nil {
			t.Fatal(err)
		}
		// The swap is the moment current changes.
		var swapped time.Time
		for {
			if id := currentBuildID(t, data); id != before {
				swapped, last = time.Now(), id
				break
			}
			if ing.ProcessState != nil || time.Since(start) > lbDuration+30*time.Second {
				break
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := ing.Wait(); err != nil || swapped.IsZero() {
			t.Fatalf("ingest %d: %v (swapped: %v)\n%s", k, err, !swapped.IsZero(), ingOut.String())
		}
		var slowest time.Duration
		for i, r := range replicas {
			for {
				h, err := getHealth(r.base)
				if err == nil && h.status == 200 && h.build == last {
					slowest = max(slowest, time.Since(swapped))
					break
				}
				if time.Since(swapped) > 2*time.Second {
					t.Errorf("ingest %d: replica %d not serving build %s 2s after its swap: %+v (%v)", k, i, last, h, err)
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		t.Logf("ingest %d: build %s swapped in at %.1fs of the load; every replica served it within %v",
			k, last, swapped.Sub(start).Seconds(), slowest.Round(time.Millisecond))
	}
	wg.Wait()

	for _, r := range runs {
		if r.err != nil {
			t.Fatalf("%s: %v\n%s", r.name, r.err, r.out)
		}
		res := r.res
		t.Logf("%s: %d requests in %.1fs (%.0f/s), p99 %.1f ms, %d answers checked for two editions, %d cache hits (%.0f%%)",
			r.name, res.total, res.seconds, res.rate(), res.p99ms, res.checked, res.hits, 100*float64(res.hits)/float64(max(1, res.responses)))
		if res.bad != 0 || res.status != 0 {
			t.Errorf("%s: %d answers not 2xx (wrk counted %d non-2xx/3xx), the first a %s", r.name, res.bad, res.status, res.first)
		}
		if errs := res.connect + res.read + res.write + res.timeout; errs != 0 {
			t.Errorf("%s: %d connection errors (connect %d, read %d, write %d, timeout %d)", r.name, errs, res.connect, res.read, res.write, res.timeout)
		}
		if res.checked < res.responses/2 {
			t.Errorf("%s: only %d of %d answers showed lines to check for two editions", r.name, res.checked, res.responses)
		}
		if res.mixed != 0 {
			t.Errorf("%s: %d answers showed two editions of one call (lines of two builds)", r.name, res.mixed)
		}
		if res.responses < 1000 {
			t.Errorf("%s: only %d answers in %v", r.name, res.responses, lbDuration)
		}
	}
	if runs[1].res.hits == 0 {
		t.Errorf("nginx with proxy_cache answered nothing from its cache")
	}

	// Afterwards every replica answers every URL alike, with the last
	// editions.
	for _, p := range lbPaths() {
		want := getAnswer(t, replicas[0].base+p)
		if want.Status != 200 {
			t.Errorf("replica 0: GET %s = %d", p, want.Status)
		}
		for i, r := range replicas[1:] {
			if diff := cmp.Diff(want, getAnswer(t, r.base+p)); diff != "" {
				t.Errorf("GET %s: replica %d answers unlike replica 0 (-0 +%d):\n%s", p, i+1, i+1, diff)
			}
		}
		if got := getAnswer(t, plain.base+p); got.Status != want.Status || got.Body != want.Body {
			t.Errorf("GET %s through nginx (no cache) = %d, unlike the replicas'", p, got.Status)
		}
	}
	for i, ed := range editions {
		a := getAnswer(t, replicas[0].base+"/calls/"+lbSlug(i)+".txt")
		if !strings.Contains(a.Body, fmt.Sprintf("edition %d of ledger %d,", ed, i+1)) {
			t.Errorf("call %d does not show its last edition %d:\n%.300s", i+1, ed, a.Body)
		}
	}

	if d, err := time.ParseDuration(os.Getenv("BACKCHANNEL_LB_FIGURES")); err == nil && d > 0 {
		lbFigures(t, wrk, replicas[0].base, cached.base, d)
	}
}

// lbFigures measures a hot call page at 64 connections, gzipped as
// browsers ask for it, straight at one replica and through the caching
// nginx, with plain wrk (no Lua: the client's own work would be most of
// what is measured), and logs both.
func lbFigures(t *testing.T, wrk, replica, proxied string, d time.Duration) {
	t.Helper()
	page := "/calls/" + lbSlug(3)
	rate := regexp.MustCompile(`Requests/sec:\s+([\d.]+)`)
	lat := regexp.MustCompile(`Latency\s+(\S+)\s+(\S+)\s+(\S+)`)
	for _, target := range []struct{ name, base string }{{"one replica", replica}, {"nginx proxy_cache", proxied}} {
		out, err := exec.Command(wrk, "-t2", "-c"+strconv.Itoa(lbConns), "-d"+d.String(), "--timeout", "10s",
			"-H", "Accept-Encoding: gzip", target.base+page).CombinedOutput()
		if err != nil {
			t.Fatalf("%s: wrk: %v\n%s", target.name, err, out)
		}
		m, l := rate.FindSubmatch(out), lat.FindSubmatch(out)
		if m == nil || l == nil {
			t.Fatalf("%s: wrk printed no rate:\n%s", target.name, out)
		}
		if strings.Contains(string(out), "Non-2xx") || strings.Contains(string(out), "Socket errors") {
			t.Errorf("%s: errors under the hot-page load:\n%s", target.name, out)
		}
		t.Logf("figures: hot call page %s, gzip, %d connections, %v: %s %s requests/s, latency mean %s, stdev %s",
			page, lbConns, d, target.name, m[1], l[1], l[2])
	}
}

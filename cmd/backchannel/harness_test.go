package main

// Helpers for the tests that drive a real browser (browser_test.go) and the
// validators (validate_test.go): finding the tools, one headless Chromium
// per run, tabs that record console errors and failed requests, and the
// archive's calls as the JSON API describes them.

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// missingTool skips the test when a tool it drives is not installed, so
// `go test` works on a machine without a browser or Java. When CI is set a
// missing tool fails the test instead: CI must never pass by skipping.
func missingTool(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI is set, so a missing tool is a failure (.ci/run installs it)", msg)
	}
	t.Skipf("%s; skipping (bash .ci/run installs it; with CI set this fails)", msg)
}

// skipIfShort skips the slow browser and validator tests under -short.
func skipIfShort(t testing.TB) {
	t.Helper()
	if testing.Short() {
		t.Skip("browser and validator tests do not run with -short")
	}
}

// chromiumPath finds Chromium: $BACKCHANNEL_CHROMIUM, or a chromium or
// chrome on $PATH.
func chromiumPath(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("BACKCHANNEL_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			missingTool(t, "BACKCHANNEL_CHROMIUM=%s: %v", p, err)
		}
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome-stable", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	missingTool(t, "no chromium on $PATH (Debian: apt-get install chromium) and BACKCHANNEL_CHROMIUM is not set")
	return ""
}

// nodeModules is where .ci/run installs the npm packages the tests use:
// $BACKCHANNEL_NODE_MODULES (the Makefile sets it) or the repository's
// .ci/node_modules.
func nodeModules(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("BACKCHANNEL_NODE_MODULES"); d != "" {
		return d
	}
	d, err := filepath.Abs(filepath.Join("..", "..", ".ci", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// vnuTool returns the java binary and the Nu HTML Checker's jar.
func vnuTool(t testing.TB) (java, jar string) {
	t.Helper()
	java, err := exec.LookPath("java")
	if err != nil {
		missingTool(t, "no java on $PATH for the Nu HTML Checker (Debian: apt-get install default-jre-headless)")
	}
	jar = filepath.Join(nodeModules(t), "vnu-jar", "build", "dist", "vnu.jar")
	if _, err := os.Stat(jar); err != nil {
		missingTool(t, "the Nu HTML Checker is not installed: %v (cd .ci && npm ci)", err)
	}
	return java, jar
}

// axeSource returns axe-core's script, to inject into pages.
func axeSource(t testing.TB) string {
	t.Helper()
	p := filepath.Join(nodeModules(t), "axe-core", "axe.min.js")
	b, err := os.ReadFile(p)
	if err != nil {
		missingTool(t, "axe-core is not installed: %v (cd .ci && npm ci)", err)
	}
	return string(b)
}

// suite is what the browser and validator tests share: a running server for
// each archive and, once a subtest asks for a tab, one headless Chromium that
// lives as long as the top-level test.
type suite struct {
	top   *testing.T
	sites []*site

	mu      sync.Mutex
	browser context.Context // nil until the first tab

	clipboard sync.Mutex // held by a test that uses the browser's clipboard
}

// site is one archive served by `backchannel serve`.
type site struct {
	name  string
	dir   string // the transcripts folder
	srv   *server
	calls []apiCall
	seeds []seed        // one page of each type
	pages []crawledPage // everything crawled from the seeds
}

// apiCall is a call as /api/v1/calls/{slug} describes it.
type apiCall struct {
	Slug         string `json:"slug"`
	Title        string `json:"title"`
	Date         string `json:"date"`
	Completeness string `json:"completeness"`
	Participants []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		Role string `json:"role"`
	} `json:"participants"`
	LineCount int       `json:"line_count"`
	Lines     []apiLine `json:"lines"`
}

// apiLine is one line of a call in the JSON API.
type apiLine struct {
	N       int             `json:"n"`
	Speaker json.RawMessage `json:"speaker"` // an id, an {"id","name"} object, or null
	Text    string          `json:"text"`
	Kind    string          `json:"kind"`
}

// speakerName returns the name of the line's speaker, looked up among the
// call's participants when the API gives only an id.
func (c apiCall) speakerName(l apiLine) string {
	var id string
	var obj struct{ ID, Name string }
	switch {
	case json.Unmarshal(l.Speaker, &id) == nil:
	case json.Unmarshal(l.Speaker, &obj) == nil:
		if obj.Name != "" {
			return obj.Name
		}
		id = obj.ID
	}
	for _, p := range c.Participants {
		if p.ID == id {
			return p.Name
		}
	}
	return id
}

// newSuite serves each archive (name → transcripts folder) on a free port
// and crawls it.
func newSuite(t *testing.T, archives ...[2]string) *suite {
	t.Helper()
	s := &suite{top: t}
	for _, a := range archives {
		st := &site{name: a[0], dir: a[1], srv: startServe(t, a[1], t.TempDir())}
		st.calls = st.loadCalls(t)
		st.seeds = st.makeSeeds(t)
		st.pages = crawl(t, st, st.seeds)
		s.sites = append(s.sites, st)
	}
	return s
}

func (st *site) loadCalls(t *testing.T) []apiCall {
	t.Helper()
	var list struct {
		Calls []apiCall `json:"calls"`
	}
	st.getJSON(t, "/api/v1/calls", &list)
	if len(list.Calls) == 0 {
		t.Fatalf("%s: /api/v1/calls lists no calls", st.name)
	}
	calls := make([]apiCall, 0, len(list.Calls))
	for _, c := range list.Calls {
		var full apiCall
		st.getJSON(t, "/api/v1/calls/"+url.PathEscape(c.Slug), &full)
		if len(full.Lines) == 0 {
			t.Fatalf("%s: /api/v1/calls/%s has no lines", st.name, c.Slug)
		}
		calls = append(calls, full)
	}
	return calls
}

func (st *site) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	resp, body := st.srv.get(t, path)
	if resp.StatusCode != 200 {
		t.Fatalf("%s: GET %s = %d: %s", st.name, path, resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		t.Fatalf("%s: GET %s: %v\n%s", st.name, path, err, body)
	}
}

// longestCall returns the call with the most lines.
func (st *site) longestCall() apiCall {
	best := st.calls[0]
	for _, c := range st.calls[1:] {
		if len(c.Lines) > len(best.Lines) {
			best = c
		}
	}
	return best
}

// url returns the absolute URL of path on the site.
func (st *site) url(path string) string { return st.srv.base + path }

// startBrowser starts headless Chromium once for the whole top-level test.
func (s *suite) startBrowser(t *testing.T) context.Context {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.browser != nil {
		return s.browser
	}
	path := chromiumPath(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests may run as root, in CI and here
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(s.top.TempDir()),
		chromedp.WindowSize(1280, 800),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(alloc)
	// The top-level test owns the browser: it closes after every subtest.
	s.top.Cleanup(func() { cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	s.browser = ctx
	return ctx
}

// tab is one browser tab that records, per page, console errors, uncaught
// exceptions and failed requests.
type tab struct {
	ctx context.Context

	mu       sync.Mutex
	page     string   // URL of the page being looked at, without fragment
	problems []string // since the last take
}

// newTab opens a tab in the shared browser; it closes when t ends.
func (s *suite) newTab(t *testing.T) *tab {
	t.Helper()
	b := s.startBrowser(t)
	ctx, cancel := chromedp.NewContext(b)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	tb := &tab{ctx: ctx}
	if err := chromedp.Listen(ctx, tb.record); err != nil {
		t.Fatalf("listen to the tab: %v", err)
	}
	// Headless tabs have no focus, and the clipboard API needs it.
	if _, err := chromedp.Call(ctx, emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}); err != nil {
		t.Fatalf("emulate focus: %v", err)
	}
	return tb
}

// record runs in the tab's event loop: it must return fast and send no
// command.
func (tb *tab) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var args []string
		for _, a := range ev.Args {
			switch {
			case len(a.Value) > 0:
				args = append(args, strings.Trim(string(a.Value), `"`))
			default:
				args = append(args, a.Description)
			}
		}
		p = "console." + string(ev.Type) + ": " + strings.Join(args, " ")
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			msg += " " + d.Exception.Description
		}
		p = fmt.Sprintf("uncaught exception: %s (%s:%d)", msg, d.URL, d.LineNumber+1)
	case *log.EventEntryAdded:
		// Network entries repeat what the network events below report.
		if ev.Entry.Level != log.EntryLevelError || ev.Entry.Source == log.EntrySourceNetwork {
			return
		}
		p = fmt.Sprintf("%s error: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
	case *network.EventResponseReceived:
		if ev.Response.Status < 400 {
			return
		}
		tb.mu.Lock()
		page := tb.page
		tb.mu.Unlock()
		if ev.Type == network.ResourceTypeDocument && stripFragment(ev.Response.URL) == page {
			return // the page's own status is the crawler's to check
		}
		p = fmt.Sprintf("request %s (%s) answered %d", ev.Response.URL, ev.Type, ev.Response.Status)
	case *network.EventLoadingFailed:
		if ev.Canceled && ev.BlockedReason == "" {
			return // a request cut short by the next navigation
		}
		p = fmt.Sprintf("request (%s) failed: %s %s", ev.Type, ev.ErrorText, ev.BlockedReason)
	default:
		return
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.problems = append(tb.problems, p)
}

// take returns the problems recorded since the last take.
func (tb *tab) take() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	p := tb.problems
	tb.problems = nil
	return p
}

// open loads u in the tab and waits for its load event. A URL with a
// fragment is loaded from about:blank, so that it is a real page load
// (and the page's script runs) even when the tab shows the same page.
func (tb *tab) open(t *testing.T, u string) {
	t.Helper()
	tb.mu.Lock()
	tb.page = stripFragment(u)
	tb.mu.Unlock()
	if strings.Contains(u, "#") {
		if err := chromedp.Do(tb.ctx, chromedp.Navigate("about:blank")); err != nil {
			t.Fatalf("open about:blank: %v", err)
		}
	}
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
}

// eval runs a JavaScript expression in the tab's page and decodes its
// value.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", firstLine(expr), err)
	}
	return v
}

// grantClipboard lets pages of origin read and write the clipboard without
// asking.
func (s *suite) grantClipboard(t *testing.T, tb *tab, origin string) {
	t.Helper()
	for _, name := range []string{"clipboard-read", "clipboard-write"} {
		_, err := chromedp.CallBrowser(tb.ctx, browser.SetPermission, browser.SetPermissionParams{
			Permission: &browser.PermissionDescriptor{Name: name},
			Setting:    browser.PermissionSettingGranted,
			Origin:     origin,
		})
		if err != nil {
			t.Fatalf("grant %s to %s: %v", name, origin, err)
		}
	}
}

// screenshot saves a full-page PNG of the tab as name.png in the folder
// $BACKCHANNEL_SCREENSHOTS names; without it, it does nothing.
func screenshot(t *testing.T, tb *tab, name string) {
	t.Helper()
	dir := os.Getenv("BACKCHANNEL_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

func stripFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}

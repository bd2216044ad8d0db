package web

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"backchannel/internal/index"
)

// axePath is axe-core as installed by .ci (npm ci in .ci/), in
// $BACKCHANNEL_NODE_MODULES when it is set (the Makefile sets it), as the
// tests in cmd/backchannel look for it.
func axePath() string {
	if d := os.Getenv("BACKCHANNEL_NODE_MODULES"); d != "" {
		return filepath.Join(d, "axe-core", "axe.min.js")
	}
	return "../../.ci/node_modules/axe-core/axe.min.js"
}

// TestBrowser loads every page type in headless Chromium at 375px, in light
// and dark mode, and checks: axe-core reports no violations, nothing scrolls
// sideways, no console errors or CSP reports, and the line-link script
// highlights #L2-L3 on load and makes a range on shift-click.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	axe, err := os.ReadFile(axePath())
	if err != nil {
		t.Skipf("axe-core not installed (run npm ci in .ci): %v", err)
	}
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed")
	}
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(_ context.Context, q index.Query) (*index.Result, error) {
		if q.Text == "zebra" {
			return &index.Result{Suggestions: []string{"zebras"}}, nil
		}
		r := sampleResult()
		r.Total = 70
		return r, nil
	}})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	var mu sync.Mutex
	var msgs []string
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithListener(func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				msgs = append(msgs, "console "+string(e.Type))
			}
		case *runtime.EventExceptionThrown:
			msgs = append(msgs, "exception: "+e.ExceptionDetails.Text)
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning {
				msgs = append(msgs, string(e.Entry.Source)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}))
	defer cancel()
	call := func(f func(ctx context.Context, tg *chromedp.Target) error) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			return chromedp.Void{}, f(ctx, tg)
		}
	}
	scheme := func(v string) chromedp.Action[chromedp.Void] {
		return call(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: v}}})
			return err
		})
	}
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank"),
		call(func(ctx context.Context, tg *chromedp.Target) error {
			_, err := cdp.Call(ctx, tg, cdplog.Enable, cdp.Empty{})
			return err
		}),
		chromedp.EmulateViewport(375, 800)); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return v
	}

	pages := []string{
		"/", "/calls/" + slugHarbour + "?hl=word#L3", "/calls/" + slugHarbour + "/L3",
		"/calls/" + slugHarbour + "/L2-L3", "/search?q=word", "/search?q=zebra&speaker=x",
		"/speakers/otto-brandt", "/search/help", "/calls/" + slugHostile, "/api",
	}
	for _, mode := range []string{"light", "dark"} {
		if err := chromedp.Do(ctx, scheme(mode)); err != nil {
			t.Fatal(err)
		}
		for _, p := range append(pages, "/nope") {
			mu.Lock()
			msgs = nil
			mu.Unlock()
			if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+p)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[any](string(axe))); err != nil {
				t.Fatal(err)
			}
			v := eval(`axe.run().then(r => r.violations.map(v => v.id + ": " + v.nodes.map(n => n.html).join(" | ")).join("\n"))`)
			if v != "" {
				t.Errorf("%s (%s): axe violations:\n%s", p, mode, v)
			}
			if w := eval(`String(document.documentElement.scrollWidth)`); w != "375" {
				t.Errorf("%s (%s): page is %spx wide at 375px", p, mode, w)
			}
			mu.Lock()
			for _, m := range msgs {
				// The error page's own 404 status is logged as a failed load.
				if p == "/nope" && strings.Contains(m, "404") {
					continue
				}
				t.Errorf("%s (%s): %s", p, mode, m)
			}
			mu.Unlock()
		}
	}

	// Line links: a range in the URL is highlighted on load; click then
	// shift-click makes a range.
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/calls/"+slugHarbour+"#L2-L3")); err != nil {
		t.Fatal(err)
	}
	selected := `Array.from(document.querySelectorAll('.line.is-selected')).map(e => e.id).join(',')`
	if got := eval(selected); got != "L2,L3" {
		t.Errorf("#L2-L3 highlighted %q on load", got)
	}
	if err := chromedp.Do(ctx, chromedp.Click(`#L1 a.ln`)); err != nil {
		t.Fatal(err)
	}
	eval(`(() => { document.querySelector('#L4 a.ln').dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, shiftKey: true})); return "" })()`)
	deadline := time.Now().Add(2 * time.Second)
	for eval(`location.hash`) != "#L1-L4" && time.Now().Before(deadline) {
		if err := chromedp.Do(ctx, chromedp.Sleep(20*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	if got := eval(`location.hash + " " + ` + selected); got != "#L1-L4 L1,L2,L3,L4" {
		t.Errorf("after click L1, shift-click L4: %q", got)
	}
	if got := eval(`String(document.querySelectorAll('#L3 .line-menu button').length)`); got != "2" {
		t.Errorf("line 3's menu has %s copy buttons, want 2", got)
	}
}

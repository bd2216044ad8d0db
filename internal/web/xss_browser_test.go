package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath finds headless Chromium. Without it the test is skipped,
// unless CI is set: CI must run the browser tests.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "/usr/bin/chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("chromium is not installed, and CI is set: the browser XSS test must run in CI (apt-get install chromium)")
	}
	t.Skip("chromium is not installed: skipping the browser XSS test (apt-get install chromium to run it)")
	return ""
}

// browserEvents records what the XSS test treats as failures: dialogs
// (alert, confirm, prompt), uncaught exceptions, console errors and
// warnings, and CSP violations.
type browserEvents struct {
	mu      sync.Mutex
	dialogs []string
	other   []string
}

func (b *browserEvents) take() (dialogs, other []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	dialogs, other = b.dialogs, b.other
	b.dialogs, b.other = nil, nil
	return dialogs, other
}

// TestBrowserXSS loads pages full of XSS payloads in headless Chromium
// (every line of a call is a payload; titles, names, notes, the query and
// search results carry them too) and checks that no script ran: each
// payload that would run sets window.__xss or opens a dialog, and every
// dialog is a failure (and is dismissed). Nor may the console show a CSP
// violation or any error from the app's own code. A control page that
// does run script proves the harness sees it.
func TestBrowserXSS(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromium := chromiumPath(t)
	payloads := readPayloads(t)
	s, _ := payloadServer(t, payloads)
	mux := http.NewServeMux()
	mux.Handle("/", s.Handler())
	// The control: script that runs, served without the site's CSP.
	mux.HandleFunc("/__control", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(`<!doctype html><title>control</title><img src=x onerror="window.__xss=1"><script>alert("control")</script>`))
	})
	ts := httptest.NewServer(mux)
	defer ts.Close()

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.NoSandbox,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("no-first-run", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ev := &browserEvents{}
	var ctx context.Context
	ctx, cancel = chromedp.NewContext(actx, chromedp.WithListener(func(e any) {
		// This runs in the tab's event loop: record, and run commands in
		// a goroutine.
		ev.mu.Lock()
		defer ev.mu.Unlock()
		switch e := e.(type) {
		case *cdppage.EventJavascriptDialogOpening:
			ev.dialogs = append(ev.dialogs, string(e.Type)+": "+e.Message)
			go func() {
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
			}()
		case *runtime.EventExceptionThrown:
			ev.other = append(ev.other, "exception: "+e.ExceptionDetails.Text)
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError || e.Type == runtime.ConsoleAPICalledTypeWarning {
				ev.other = append(ev.other, "console "+string(e.Type))
			}
		case *cdplog.EventEntryAdded:
			if e.Entry.Level == cdplog.EntryLevelError || e.Entry.Level == cdplog.EntryLevelWarning ||
				strings.Contains(e.Entry.Text, "Content Security Policy") {
				ev.other = append(ev.other, string(e.Entry.Source)+": "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	}))
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}

	// visit loads a page, lets pending handlers (onerror, onfocus,
	// ontoggle, animations) fire, and reads window.__xss.
	visit := func(target string) (xss string, dialogs, other []string) {
		t.Helper()
		ev.take()
		if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+target)); err != nil {
			t.Fatalf("navigate %s: %v", target, err)
		}
		xss, err := chromedp.Run(ctx, chromedp.Evaluate[string](
			`new Promise(r => setTimeout(() => r(String(window.__xss ?? "") + String(window.parent.__xss ?? "")), 100))`,
			chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: read window.__xss: %v", target, err)
		}
		// Dialogs are dismissed from a goroutine; give it a moment to land
		// in the record before taking it.
		deadline := time.Now().Add(2 * time.Second)
		for {
			ev.mu.Lock()
			n := len(ev.dialogs)
			ev.mu.Unlock()
			if n > 0 || xss == "" || time.Now().After(deadline) {
				break
			}
			if err := chromedp.Do(ctx, chromedp.Sleep(20*time.Millisecond)); err != nil {
				t.Fatal(err)
			}
		}
		dialogs, other = ev.take()
		return xss, dialogs, other
	}

	// The control proves the harness sees script that runs.
	if xss, dialogs, _ := visit("/__control"); xss == "" || len(dialogs) == 0 {
		t.Fatalf("control page: window.__xss=%q, dialogs %v: the harness does not see script run", xss, dialogs)
	}

	targets := []string{
		"/",
		"/calls/" + allPayloadsSlug,
		"/calls/" + allPayloadsSlug + "?hl=script+alert+javascript+onerror+xss#L3",
		"/calls/" + allPayloadsSlug + "/L1-L60",
		"/calls/" + allPayloadsSlug + "/L61-L123",
		"/speakers/" + payloadSpeaker(0),
	}
	// A spread of payloads through the pages that echo user input.
	for _, i := range []int{0, 24, 49, 84, 95, len(payloads) - 1} {
		p := url.QueryEscape(payloads[i])
		targets = append(targets,
			"/calls/"+payloadSlug(i)+"?hl="+p,
			"/search?q="+p+"&speaker="+p,
			"/search?q="+url.QueryEscape("bad "+payloads[i]),
			"/search?q="+url.QueryEscape("in:notes "+payloads[i]),
		)
	}
	targets = append(targets, "/calls/"+url.PathEscape(payloads[0]))
	for _, target := range targets {
		xss, dialogs, other := visit(target)
		if xss != "" {
			t.Errorf("%s: a payload ran (window.__xss=%q)", target, xss)
		}
		for _, d := range dialogs {
			t.Errorf("%s: a payload opened a dialog: %s", target, d)
		}
		for _, m := range other {
			// An error page's own status is logged as a failed load.
			if strings.Contains(m, "status of 40") {
				continue
			}
			t.Errorf("%s: %s", target, m)
		}
	}
	t.Logf("%d pages with %d payloads loaded in Chromium", len(targets), len(payloads))
}

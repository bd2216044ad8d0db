package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/google/go-cmp/cmp"
)

// TestMirrorBrowser exports the fictional archive's mirror, serves it
// with a plain static file server (net/http's FileServer: no knowledge
// of Backchannel), and in headless Chromium runs searches in the mirror,
// follows a hit and lands on its line, highlighted, with the searched
// word marked. The same search runs from file://. Served by a host that
// answers unknown addresses with 404.html (as GitHub Pages and Netlify
// do), a range's address of the live site lands on the call page with
// the range selected.
func TestMirrorBrowser(t *testing.T) {
	skipIfShort(t)
	_, out := exportSite(t)
	data := filepath.Join(out, "data")
	static := httptest.NewServer(http.FileServer(http.Dir(data)))
	t.Cleanup(static.Close)
	s := &suite{top: t}
	tb := s.newTab(t)

	const slug = "2023-11-08-lindqvist-amara"
	want := linesWith(t, data, slug, regexp.MustCompile(`(?i)\bannex\b`))
	if len(want) < 3 {
		t.Fatalf("the fictional call has %v lines with annex", want)
	}

	for _, origin := range []string{static.URL, "file://" + filepath.ToSlash(data)} {
		t.Run(strings.SplitN(origin, ":", 2)[0], func(t *testing.T) {
			tb.open(t, origin+"/search/index.html?q=annex")
			got := waitHits(t, tb)
			if diff := cmp.Diff(hitLines(slug, want), got); diff != "" {
				t.Fatalf("hits for annex (-want +got):\n%s", diff)
			}
			marks := eval[[]string](t, tb, `[...document.querySelectorAll(".hit .fragment mark")].map(m => m.textContent)`)
			if len(marks) < len(want) || !allEqualFold(marks, "annex") {
				t.Errorf("marked in the hits: %q", marks)
			}

			// The first hit's line link lands on its line, selected, with
			// the word marked.
			n := want[0]
			if _, err := chromedp.Run(tb.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(".hit .hit-line")))); err != nil {
				t.Fatal(err)
			}
			waitTrue(t, tb, fmt.Sprintf(`location.hash === "#L%d" && !!document.querySelector("#L%d mark:not(.note-quote)")`, n, n),
				"the call page with line %d and its mark", n)
			if !eval[bool](t, tb, fmt.Sprintf(`document.getElementById("L%d").matches(".is-selected, :target")`, n)) {
				t.Errorf("line %d is not highlighted", n)
			}
			if m := eval[string](t, tb, fmt.Sprintf(`document.querySelector("#L%d .line-text mark:not(.note-quote)").textContent`, n)); !strings.EqualFold(m, "annex") {
				t.Errorf("marked %q on line %d", m, n)
			}
			if p := tb.take(); len(p) > 0 {
				t.Errorf("the browser reported: %v", p)
			}
		})
	}

	t.Run("query forms", func(t *testing.T) {
		tests := []struct {
			q    string
			want []string
		}{
			// A curly apostrophe finds a straight one.
			{"shouldn’t", hitLines(slug, linesWith(t, data, slug, regexp.MustCompile(`shouldn't`)))},
			// A phrase: the words in order.
			{`"second annex"`, hitLines(slug, linesWith(t, data, slug, regexp.MustCompile(`(?i)second annex`)))},
			// A speaker filter.
			{"annex speaker:tomas-amara", hitLines(slug, speakerLines(t, data, slug, "tomas-amara", regexp.MustCompile(`(?i)\bannex\b`)))},
			// A word left out.
			{"annex -revised", hitLines(slug, minusLines(want, linesWith(t, data, slug, regexp.MustCompile(`revised`))))},
			// Case and accents aside: the German call.
			{"UBER", hitLines("2023-12-01-amara-brandt", []int{1})},
			{"wellenbrecher", hitLines("2023-12-01-amara-brandt", linesWith(t, data, "2023-12-01-amara-brandt", regexp.MustCompile(`(?i)wellenbrecher\b`)))},
		}
		for _, tt := range tests {
			tb.open(t, static.URL+"/search/index.html?q="+url.QueryEscape(tt.q))
			got := waitHits(t, tb)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("q=%s (-want +got):\n%s", tt.q, diff)
			}
		}
		if p := tb.take(); len(p) > 0 {
			t.Errorf("the browser reported: %v", p)
		}
	})

	t.Run("range address on a 404.html host", func(t *testing.T) {
		host := httptest.NewServer(notFoundPage(data))
		t.Cleanup(host.Close)
		tb.open(t, host.URL+"/calls/"+slug+"/L3-L5")
		waitTrue(t, tb, `location.hash === "#L3-L5"`, "the call page with the range")
		sel := eval[[]string](t, tb, `[...document.querySelectorAll(".line.is-selected")].map(l => l.id)`)
		if diff := cmp.Diff([]string{"L3", "L4", "L5"}, sel); diff != "" {
			t.Errorf("selected (-want +got):\n%s", diff)
		}
		if p := eval[string](t, tb, `location.pathname`); p != "/calls/"+slug+"/" && p != "/calls/"+slug+"/index.html" {
			t.Errorf("landed on %s", p)
		}
	})
}

// notFoundPage serves dir, and 404.html with status 404 for any address
// with no file, as static hosts do.
func notFoundPage(dir string) http.Handler {
	fs := http.FileServer(http.Dir(dir))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := filepath.Join(dir, filepath.FromSlash(r.URL.Path))
		if _, err := os.Stat(p); err != nil {
			b, _ := os.ReadFile(filepath.Join(dir, "404.html"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write(b)
			return
		}
		fs.ServeHTTP(w, r)
	})
}

// waitHits waits for the mirror's search to show its result, and returns
// each hit as "slug#L{n}".
func waitHits(t *testing.T, tb *tab) []string {
	t.Helper()
	waitTrue(t, tb, `!!document.querySelector("section.results h2")`, "the search's result")
	hits := eval[[]string](t, tb, `[...document.querySelectorAll(".hit .hit-line")].map(a => {
		const u = new URL(a.href);
		return decodeURIComponent(u.pathname.split("/").slice(-2)[0]) + u.hash;
	})`)
	if len(hits) == 0 {
		return nil
	}
	return hits
}

func waitTrue(t *testing.T, tb *tab, expr, what string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(settle)
	for {
		if ok, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](expr)); err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s; the browser reported %v", settle, fmt.Sprintf(what, args...), tb.take())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// mirrorCall reads a call's JSON download from the mirror.
func mirrorCall(t *testing.T, data, slug string) apiCall {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(data, "calls", slug+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var c apiCall
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// linesWith are the numbers of the lines of a call whose text matches re.
func linesWith(t *testing.T, data, slug string, re *regexp.Regexp) []int {
	t.Helper()
	var out []int
	for _, l := range mirrorCall(t, data, slug).Lines {
		if re.MatchString(l.Text) {
			out = append(out, l.N)
		}
	}
	return out
}

// speakerLines are linesWith's, said by the speaker id.
func speakerLines(t *testing.T, data, slug, id string, re *regexp.Regexp) []int {
	t.Helper()
	var out []int
	for _, l := range mirrorCall(t, data, slug).Lines {
		var sp string
		json.Unmarshal(l.Speaker, &sp)
		if sp == id && re.MatchString(l.Text) {
			out = append(out, l.N)
		}
	}
	return out
}

func minusLines(a, b []int) []int {
	var out []int
	for _, n := range a {
		drop := false
		for _, m := range b {
			drop = drop || m == n
		}
		if !drop {
			out = append(out, n)
		}
	}
	return out
}

func hitLines(slug string, ns []int) []string {
	var out []string
	for _, n := range ns {
		out = append(out, fmt.Sprintf("%s#L%d", slug, n))
	}
	return out
}

func allEqualFold(ss []string, w string) bool {
	for _, s := range ss {
		if !strings.EqualFold(s, w) {
			return false
		}
	}
	return true
}

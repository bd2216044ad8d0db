package main

// Reading first (issue 18), measured in headless Chromium on the shipped
// calls and on a fictional call of forty lines (testdata/reading): the
// first line is on the first screen at 1280x800; at 390x844 the heading,
// the excerpt notice and the first line fit in the first two screens; a
// turn of one sentence is at most about two lines of text high on a
// desktop; a linked line (#L{n} or /L{n}) is in view with its note on a
// phone; the line menu shows on hover, on focus and when the number is
// tapped, is reachable by keyboard and has a name for screen readers; a
// line page prints its lines marked with their citation. Every figure is
// logged (go test -v). BACKCHANNEL_SCREENSHOTS=dir saves a screenshot of
// every page type at both sizes, light and dark.

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The two screens of the issue.
var (
	desktop = screen{"1280x800", 1280, 800}
	phone   = screen{"390x844", 390, 844}
)

type screen struct {
	name string
	w, h int
}

// setScreen sizes the tab's window; a phone is emulated as a touch device.
func setScreen(t *testing.T, tb *tab, sc screen) {
	t.Helper()
	var opts []chromedp.EmulateViewportOption
	if sc.w < 600 {
		opts = append(opts, chromedp.EmulateMobile)
	}
	if err := chromedp.Do(tb.ctx, chromedp.EmulateViewport(int64(sc.w), int64(sc.h), opts...)); err != nil {
		t.Fatalf("emulate %s: %v", sc.name, err)
	}
}

// firstScreen measures a call page opened at its top: document positions
// (px from the top of the page) of the heading's bottom, the excerpt
// notice's bottom, line 1's top, the bottom of its first line of text and
// of its words, and the words' line height.
const firstScreen = `(() => {
	const y = window.scrollY;
	const box = sel => { const el = document.querySelector(sel); return el ? el.getBoundingClientRect() : null; };
	const text = document.querySelector('#L1 .line-text');
	const lh = parseFloat(getComputedStyle(text).lineHeight);
	const notice = box('.call-header .notice');
	return {
		heading: box('h1').bottom + y,
		notice: notice ? notice.bottom + y : 0,
		lineTop: box('#L1').top + y,
		firstTextLine: text.getBoundingClientRect().top + y + lh,
		words: text.getBoundingClientRect().bottom + y,
		lineHeight: lh,
	};
})()`

type firstScreenFigures struct {
	Heading       float64 `json:"heading"`
	Notice        float64 `json:"notice"`
	LineTop       float64 `json:"lineTop"`
	FirstTextLine float64 `json:"firstTextLine"`
	Words         float64 `json:"words"`
	LineHeight    float64 `json:"lineHeight"`
}

// lineHeights measures every line of a call page: the height of its box,
// of the turn itself (number, speaker and words, without a note beside
// it), and the line height of its words.
const lineHeights = `[...document.querySelectorAll('.lines > li.line')].map(li => {
	const r = li.getBoundingClientRect();
	const s = getComputedStyle(li);
	const own = Math.max(...['.line-gutter', '.line-who', '.line-text'].map(q => li.querySelector(q).getBoundingClientRect().bottom))
		- r.top + parseFloat(s.paddingBottom) + parseFloat(s.borderBottomWidth);
	return {n: +li.dataset.n, box: r.height, own: own, lh: parseFloat(getComputedStyle(li.querySelector('.line-text')).lineHeight),
		notes: !!li.querySelector('.line-notes'), top: r.top + window.scrollY, bottom: r.bottom + window.scrollY};
})`

type lineFigure struct {
	N      int     `json:"n"`
	Box    float64 `json:"box"`
	Own    float64 `json:"own"`
	LH     float64 `json:"lh"`
	Notes  bool    `json:"notes"`
	Top    float64 `json:"top"`
	Bottom float64 `json:"bottom"`
}

// sentenceEnd is a full stop, question or exclamation mark (perhaps
// closing a quote) followed by another sentence; an ellipsis is not one.
var sentenceEnd = regexp.MustCompile(`[.!?]["”’)]?\s+\p{Lu}`)

// oneSentence reports a turn of one paragraph and one sentence.
func oneSentence(l apiLine) bool {
	return l.Kind == "turn" && !strings.Contains(l.Text, "\n\n") && !sentenceEnd.MatchString(l.Text)
}

// maxTurnLines is "at most about 2 lines of text height": two lines of
// words, plus the line's own padding, within half a line.
const maxTurnLines = 2.5

func TestReadingBrowser(t *testing.T) {
	skipIfShort(t)
	s := &suite{top: t, sites: readingSites(t)}
	for _, st := range s.sites {
		t.Run(st.name, func(t *testing.T) {
			t.Run("first screen", func(t *testing.T) { testFirstScreen(t, s, st) })
			t.Run("line height", func(t *testing.T) { testLineHeight(t, s, st) })
			t.Run("linked line in view", func(t *testing.T) { testLinkedLine(t, s, st) })
			t.Run("line menu", func(t *testing.T) { testLineMenu(t, s, st) })
			t.Run("print a line page", func(t *testing.T) { testPrintLinePage(t, s, st) })
			if st.name == "shipped" {
				t.Run("copy quote of an excerpt", func(t *testing.T) { testCopyExcerpt(t, s, st) })
			}
			if os.Getenv("BACKCHANNEL_SCREENSHOTS") != "" {
				t.Run("screenshots", func(t *testing.T) { readingScreenshots(t, s, st) })
			}
		})
	}
}

// testFirstScreen: at 1280x800 line 1's first line of words is on the first
// screen; at 390x844 the heading, the excerpt notice and line 1's words
// are within the first two screens.
func testFirstScreen(t *testing.T, s *suite, st *site) {
	tb := s.newTab(t)
	for _, c := range st.calls {
		path := "/calls/" + url.PathEscape(c.Slug)
		for _, sc := range []screen{desktop, phone} {
			setScreen(t, tb, sc)
			tb.open(t, st.url(path))
			f := eval[firstScreenFigures](t, tb, firstScreen)
			t.Logf("%s at %s: heading ends at %.0fpx, excerpt notice at %.0fpx, line 1 starts at %.0fpx, its first line of words ends at %.0fpx, its words at %.0fpx",
				path, sc.name, f.Heading, f.Notice, f.LineTop, f.FirstTextLine, f.Words)
			if sc == desktop && f.FirstTextLine > float64(sc.h) {
				t.Errorf("%s at %s: line 1's first line of words ends at %.0fpx, below the first screen (%dpx)", path, sc.name, f.FirstTextLine, sc.h)
			}
			if sc == phone {
				if last := max(f.Heading, f.Notice, f.Words); last > 2*float64(sc.h) {
					t.Errorf("%s at %s: the heading, the excerpt notice and line 1 end at %.0fpx, past the first two screens (%dpx)", path, sc.name, last, 2*sc.h)
				}
				if c.Completeness == "excerpt" && f.Notice == 0 {
					t.Errorf("%s at %s: no excerpt notice in the call's header", path, sc.name)
				}
			}
		}
		checkConsole(t, tb)
	}
}

// testLineHeight: on a desktop, every turn of one sentence is at most
// about two lines of text high (a note beside it may make its box taller:
// that is the note's height, logged apart).
func testLineHeight(t *testing.T, s *suite, st *site) {
	tb := s.newTab(t)
	setScreen(t, tb, desktop)
	for _, c := range st.calls {
		path := "/calls/" + url.PathEscape(c.Slug)
		tb.open(t, st.url(path))
		figs := eval[[]lineFigure](t, tb, lineHeights)
		if len(figs) != len(c.Lines) {
			t.Fatalf("%s shows %d lines, the API %d", path, len(figs), len(c.Lines))
		}
		var worst lineFigure
		var one, withNotes int
		var sum float64
		for i, f := range figs {
			l := c.Lines[i]
			if f.Notes {
				withNotes++
				t.Logf("%s L%d: %.0fpx with the note beside it, the turn itself %.0fpx (%.2f lines of text)", path, f.N, f.Box, f.Own, f.Own/f.LH)
			}
			if !oneSentence(l) {
				continue
			}
			one++
			sum += f.Own
			if f.Own > worst.Own {
				worst = f
			}
			if f.Own > maxTurnLines*f.LH {
				t.Errorf("%s at %s: L%d, a turn of one sentence (%q), is %.0fpx high: %.2f lines of text (%.0fpx), more than %.1f",
					path, desktop.name, f.N, l.Text, f.Own, f.Own/f.LH, f.LH, maxTurnLines)
			}
		}
		if one > 0 {
			t.Logf("%s at %s: %d turns of one sentence, %.0fpx high on average, the highest L%d at %.0fpx (%.2f lines of %.1fpx); %d lines with notes; lines 1 to %d span %.0fpx",
				path, desktop.name, one, sum/float64(one), worst.N, worst.Own, worst.Own/worst.LH, worst.LH, withNotes, len(figs), figs[len(figs)-1].Bottom-figs[0].Top)
		}
	}
}

// linesToLink are the lines whose links testLinkedLine opens: every line of
// a short call, else the lines with notes and the last.
func linesToLink(t *testing.T, tb *tab, c apiCall) []int {
	if len(c.Lines) <= 5 {
		var ns []int
		for _, l := range c.Lines {
			ns = append(ns, l.N)
		}
		return ns
	}
	ns := eval[[]int](t, tb, `[...document.querySelectorAll('.lines > li.line.has-notes')].map(li => +li.dataset.n)`)
	return append(ns, len(c.Lines))
}

// inView measures line n after a link to it was opened: its top and the
// bottom of its first line of words, and the top of its first note, in the
// window, with the window's height.
const inView = `(n => {
	const li = document.getElementById('L' + n);
	const text = li.querySelector('.line-text');
	const note = li.querySelector('.line-notes .note');
	return {top: li.getBoundingClientRect().top, words: text.getBoundingClientRect().top + parseFloat(getComputedStyle(text).lineHeight),
		note: note ? note.getBoundingClientRect().top : -1, window: window.innerHeight};
})`

type inViewFigures struct {
	Top    float64 `json:"top"`
	Words  float64 `json:"words"`
	Note   float64 `json:"note"`
	Window float64 `json:"window"`
}

// testLinkedLine: #L{n} on the call page and /L{n} put line n on screen,
// with its first line of words and the start of its note, at both sizes.
func testLinkedLine(t *testing.T, s *suite, st *site) {
	tb := s.newTab(t)
	for _, c := range st.calls {
		call := "/calls/" + url.PathEscape(c.Slug)
		tb.open(t, st.url(call))
		for _, sc := range []screen{phone, desktop} {
			setScreen(t, tb, sc)
			for _, n := range linesToLink(t, tb, c) {
				for _, path := range []string{fmt.Sprintf("%s#L%d", call, n), fmt.Sprintf("%s/L%d", call, n)} {
					tb.open(t, st.url(path))
					waitFrame(t, tb)
					f := eval[inViewFigures](t, tb, fmt.Sprintf("(%s)(%d)", inView, n))
					t.Logf("%s at %s: line %d at %.0fpx, its first line of words ends at %.0fpx, its note starts at %.0fpx (window %.0fpx)",
						path, sc.name, n, f.Top, f.Words, f.Note, f.Window)
					if f.Top < -1 || f.Words > f.Window {
						t.Errorf("%s at %s: line %d is not in view (top %.0fpx, first line of words ends at %.0fpx, window %.0fpx)", path, sc.name, n, f.Top, f.Words, f.Window)
					}
					if f.Note >= f.Window {
						t.Errorf("%s at %s: line %d's note starts at %.0fpx, below the window (%.0fpx)", path, sc.name, n, f.Note, f.Window)
					}
				}
			}
		}
		checkConsole(t, tb)
	}
}

// menuState is line n's menu: its button's opacity, whether it is open,
// and what has the focus.
const menuState = `(n => {
	const d = document.querySelector('#L' + n + ' .line-menu');
	const a = document.activeElement;
	return {opacity: getComputedStyle(d.querySelector('summary')).opacity, open: d.open,
		focus: a ? (a.closest('.line') ? a.closest('.line').id + ' ' : '') + a.tagName.toLowerCase() + ' ' + a.textContent.trim() : ''};
})`

type menuFigures struct {
	Opacity string `json:"opacity"`
	Open    bool   `json:"open"`
	Focus   string `json:"focus"`
}

// testLineMenu: a line shows only its number, speaker and words; its menu
// button shows on hover, on keyboard focus and when its number is tapped;
// from the keyboard it opens with Enter, Tab reaches Line page, Cite, Copy
// link and Copy quote, and Escape closes it; it has a name and a state for
// screen readers.
func testLineMenu(t *testing.T, s *suite, st *site) {
	c := st.longestCall()
	call := "/calls/" + url.PathEscape(c.Slug)
	n := min(3, len(c.Lines))
	state := func(tb *tab, n int) menuFigures {
		return eval[menuFigures](t, tb, fmt.Sprintf("(%s)(%d)", menuState, n))
	}

	tb := s.newTab(t)
	setScreen(t, tb, desktop)
	tb.open(t, st.url(call))
	if got := state(tb, n); got.Opacity != "0" || got.Open {
		t.Errorf("%s: line %d's menu button shows before any hover, focus or tap (opacity %s, open %v)", call, n, got.Opacity, got.Open)
	}
	// What a reader sees on the line at rest, notes and their markers
	// aside: its number and its speaker.
	controls := eval[[]string](t, tb, fmt.Sprintf(`[...document.querySelectorAll('#L%d a, #L%d button, #L%d summary')]
		.filter(e => e.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true}) && !e.closest('.line-notes, .note-refs'))
		.map(e => e.textContent.trim())`, n, n, n))
	t.Logf("%s: line %d shows %d controls at rest: %q", call, n, len(controls), controls)
	if len(controls) > 2 {
		t.Errorf("%s: line %d shows %d controls at rest (%q); want its number and its speaker only", call, n, len(controls), controls)
	}

	// Hover.
	if err := chromedp.Do(tb.ctx, chromedp.ScrollIntoView(chromedp.CSS(fmt.Sprintf("#L%d", n)))); err != nil {
		t.Fatal(err)
	}
	at := eval[[]float64](t, tb, fmt.Sprintf(`(() => { const r = document.querySelector('#L%d .line-text').getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; })()`, n))
	if err := chromedp.Do(tb.ctx, chromedp.MouseEvent(chromedp.MouseMoved, at[0], at[1])); err != nil {
		t.Fatal(err)
	}
	if got := state(tb, n); got.Opacity != "1" {
		t.Errorf("%s: hovering line %d does not show its menu button (opacity %s)", call, n, got.Opacity)
	}

	// Keyboard: number, Tab to the menu button, Enter, Tab through it, Escape.
	tb.open(t, st.url(call))
	if err := chromedp.Do(tb.ctx, chromedp.Focus(chromedp.CSS(fmt.Sprintf("#L%d a.ln", n))), chromedp.KeyEvent(kb.Tab)); err != nil {
		t.Fatal(err)
	}
	if got := state(tb, n); !strings.HasPrefix(got.Focus, fmt.Sprintf("L%d summary", n)) || got.Opacity != "1" {
		t.Errorf("%s: Tab from line %d's number focuses %q (menu button opacity %s); want the line's menu button, shown", call, n, got.Focus, got.Opacity)
	}
	ax := axNode(t, tb, fmt.Sprintf("#L%d .line-menu > summary", n))
	t.Logf("%s: line %d's menu button is announced as %q, %s, expanded=%s", call, n, ax.name, ax.role, ax.expanded)
	if !strings.Contains(ax.name, fmt.Sprintf("Line %d", n)) || ax.role == "" || ax.role == "generic" || ax.expanded != "false" {
		t.Errorf("%s: line %d's menu button is announced as %q (role %q, expanded %q); want a named, collapsed button", call, n, ax.name, ax.role, ax.expanded)
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Enter)); err != nil {
		t.Fatal(err)
	}
	if got := state(tb, n); !got.Open {
		t.Errorf("%s: Enter on line %d's menu button does not open it", call, n)
	}
	if ax := axNode(t, tb, fmt.Sprintf("#L%d .line-menu > summary", n)); ax.expanded != "true" {
		t.Errorf("%s: line %d's open menu is announced with expanded=%q", call, n, ax.expanded)
	}
	var reached []string
	for range 4 {
		if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Tab)); err != nil {
			t.Fatal(err)
		}
		reached = append(reached, state(tb, n).Focus)
	}
	t.Logf("%s: Tab in line %d's open menu reaches %q", call, n, reached)
	for i, want := range []string{"Line page", "Cite", "Copy link", "Copy quote"} {
		if !strings.HasPrefix(reached[i], fmt.Sprintf("L%d", n)) || !strings.Contains(reached[i], want) {
			t.Errorf("%s: Tab %d in line %d's open menu reaches %q, want %s", call, i+1, n, reached[i], want)
		}
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent(kb.Escape)); err != nil {
		t.Fatal(err)
	}
	if got := state(tb, n); got.Open || !strings.HasPrefix(got.Focus, fmt.Sprintf("L%d summary", n)) {
		t.Errorf("%s: Escape in line %d's menu leaves it open=%v with the focus on %q; want it closed, the focus on its button", call, n, got.Open, got.Focus)
	}
	checkConsole(t, tb)

	// Tap on a phone: the number selects the line and shows its menu button.
	ph := s.newTab(t)
	setScreen(t, ph, phone)
	ph.open(t, st.url(call))
	tap, err := chromedp.Run(ph.ctx, chromedp.Nodes(chromedp.CSS(fmt.Sprintf("#L%d a.ln", n))))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ph.ctx, chromedp.ScrollIntoView(chromedp.CSS(fmt.Sprintf("#L%d", n))), chromedp.MouseClickNode(tap[0])); err != nil {
		t.Fatal(err)
	}
	waitHash(t, ph, fmt.Sprintf("#L%d", n), fmt.Sprintf("tapping line %d's number", n))
	if err := chromedp.Do(ph.ctx, chromedp.MouseEvent(chromedp.MouseMoved, 1, 1)); err != nil {
		t.Fatal(err)
	}
	if got := state(ph, n); got.Opacity != "1" {
		t.Errorf("%s at %s: tapping line %d's number does not show its menu button (opacity %s)", call, phone.name, n, got.Opacity)
	}
	checkConsole(t, ph)
}

// testCopyExcerpt: Copy quote on a line of an excerpt says "(excerpt;
// source: Bloomberg, 2025-11-25)" and links to the line on the base URL;
// a range of lines whose order is not known quotes them apart with " / ".
func testCopyExcerpt(t *testing.T, s *suite, st *site) {
	s.clipboard.Lock()
	defer s.clipboard.Unlock()
	tb := s.newTab(t)
	s.grantClipboard(t, tb, st.srv.base)
	call := "/calls/" + slug14
	for _, tt := range []struct{ frag, want string }{
		{"", "Steve Witkoff: “You respect that he is a man of peace… you’re really glad to have seen it happen.” — Call between Steve Witkoff and Yuri Ushakov, October 14, 2025, line 1 " + excerptNote + ". " + readingBase + call + "#L1"},
		{"#L1-L2", "Steve Witkoff: “You respect that he is a man of peace… you’re really glad to have seen it happen.” / Steve Witkoff: “If we can get the Russia-Ukraine thing solved, everybody will be jumping for joy.” — Call between Steve Witkoff and Yuri Ushakov, October 14, 2025, lines 1–2 " + excerptNote + ". " + readingBase + call + "#L1-L2"},
	} {
		tb.open(t, st.url(call+tt.frag))
		setClipboard(t, tb, "")
		if activate(t, tb, 1, "copy quote", true) {
			if got := readClipboard(t, tb); got != tt.want {
				t.Errorf("Copy quote on line 1 of %s%s put\n%q\non the clipboard; want\n%q", call, tt.frag, got, tt.want)
			}
		}
	}
	checkConsole(t, tb)
}

type axFigures struct{ name, role, expanded string }

// axNode is what Chromium's accessibility tree says of the element sel.
func axNode(t *testing.T, tb *tab, sel string) axFigures {
	t.Helper()
	nodes, err := chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSS(sel)))
	if err != nil {
		t.Fatal(err)
	}
	fetch := false
	res, err := chromedp.Call(tb.ctx, accessibility.GetPartialAXTree, accessibility.GetPartialAXTreeParams{BackendNodeID: nodes[0].BackendNodeID, FetchRelatives: &fetch})
	if err != nil || len(res.Nodes) == 0 {
		t.Fatalf("accessibility node of %s: %v", sel, err)
	}
	str := func(v *accessibility.Value) string {
		if v == nil {
			return ""
		}
		var s any
		if err := json.Unmarshal([]byte(v.Value), &s); err != nil {
			return string(v.Value)
		}
		return fmt.Sprint(s)
	}
	n := res.Nodes[0]
	out := axFigures{name: str(n.Name), role: str(n.Role), expanded: "absent"}
	for _, p := range n.Properties {
		if p.Name == accessibility.PropertyNameExpanded {
			out.expanded = str(p.Value)
		}
	}
	return out
}

// testPrintLinePage: a range page prints its lines marked (a rule beside
// them), with the citation and the absolute URL, and no menus.
func testPrintLinePage(t *testing.T, s *suite, st *site) {
	c := st.calls[0]
	path := fmt.Sprintf("/calls/%s/L1-L%d", url.PathEscape(c.Slug), min(2, len(c.Lines)))
	pr := s.newTab(t)
	if _, err := chromedp.Call(pr.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	pr.open(t, st.url(path))
	got := eval[struct {
		Marked  []string `json:"marked"`
		Cite    string   `json:"cite"`
		Menus   int      `json:"menus"`
		Visible bool     `json:"visible"`
	}](t, pr, `(() => {
		const shown = el => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
		const marked = [...document.querySelectorAll('.selection li.line')].filter(li => shown(li) && getComputedStyle(li).borderLeftStyle !== 'none'
			&& parseFloat(getComputedStyle(li).borderLeftWidth) >= 2).map(li => li.id);
		const cite = document.querySelector('.print-cite');
		return {marked, cite: shown(cite) ? cite.textContent : '', visible: shown(cite),
			menus: [...document.querySelectorAll('.line-menu')].filter(shown).length};
	})()`)
	want := lineIDs(1, min(2, len(c.Lines)))
	if strings.Join(got.Marked, ",") != strings.Join(want, ",") {
		t.Errorf("printed %s marks %v, want %v", path, got.Marked, want)
	}
	if u := strings.Fields(got.Cite); len(u) == 0 || pinnedOf(u[len(u)-1]) != readingBase+path {
		t.Errorf("printed %s: the citation %q does not end with the full URL of %s at its version", path, got.Cite, readingBase+path)
	}
	if got.Menus != 0 {
		t.Errorf("printed %s shows %d line menus", path, got.Menus)
	}
	t.Logf("printed %s: lines %v marked, citation %q", path, got.Marked, got.Cite)
	checkConsole(t, pr)
}

// readingScreenshots saves the first screen of every page type at both
// sizes, light and dark, and the whole call page at both sizes.
func readingScreenshots(t *testing.T, s *suite, st *site) {
	c := st.longestCall()
	call := "/calls/" + url.PathEscape(c.Slug)
	pages := []struct{ name, path string }{
		{"home", "/"},
		{"call", call},
		{"line", call + "/L2"},
		{"range", fmt.Sprintf("%s/L1-L%d", call, min(3, len(c.Lines)))},
		{"search", "/search?q=" + url.QueryEscape(searchableWord(c.Lines[1].Text))},
		{"speaker", "/speakers/" + url.PathEscape(c.Participants[0].ID)},
		{"help", "/search/help"},
		{"404", "/no-such-page"},
	}
	if st.name == "shipped" {
		pages = append(pages, struct{ name, path string }{"call-order-unknown", "/calls/" + slug29},
			struct{ name, path string }{"line-order-unknown", "/calls/" + slug29 + "/L3"},
			struct{ name, path string }{"facet", "/search?q=" + url.QueryEscape("speaker:ushakov")})
	}
	tb := s.newTab(t)
	for _, sc := range []screen{desktop, phone} {
		setScreen(t, tb, sc)
		for _, mode := range []string{"light", "dark"} {
			setColorScheme(t, tb, mode)
			for _, p := range pages {
				tb.open(t, st.url(p.path))
				name := fmt.Sprintf("%s-%s-%s-%s", st.name, p.name, sc.name, mode)
				png, err := chromedp.Run(tb.ctx, chromedp.CaptureScreenshot())
				if err != nil {
					t.Fatalf("screenshot %s: %v", name, err)
				}
				saveScreenshot(t, name, png)
			}
		}
		setColorScheme(t, tb, "light")
		tb.open(t, st.url(call))
		screenshot(t, tb, fmt.Sprintf("%s-call-%s-full", st.name, sc.name))
	}
}

// saveScreenshot writes png as name.png in $BACKCHANNEL_SCREENSHOTS.
func saveScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := os.Getenv("BACKCHANNEL_SCREENSHOTS")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := dir + "/" + name + ".png"
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

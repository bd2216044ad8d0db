package main

// Tests in headless Chromium (issue 4, "Line links" and "Quality, checked in
// a real browser"): line and range links highlight their lines, with and
// without JavaScript; click and shift-click make them; copy link and copy
// quote put the right text on the clipboard; a search hit lands on its line
// with the searched words marked; pages fit a 375px screen; no page logs an
// error. The validator checks are in validate_test.go.

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestBrowser serves the shipped archive and the fictional one in
// testdata/browser, starts one headless Chromium for both, and runs the
// validator and line-link checks on each.
//
// It needs chromium, java and the npm packages in .ci (bash .ci/run installs
// them); without them it skips, unless CI is set. BACKCHANNEL_SCREENSHOTS=dir
// saves full-page screenshots there.
func TestBrowser(t *testing.T) {
	skipIfShort(t)
	s := newSuite(t,
		[2]string{"shipped", "../../transcripts"},
		[2]string{"fictional", "testdata/browser"},
	)
	// The checker runs in Java, the rest in the browser: in parallel, as the
	// sites do, each in its own tab.
	t.Run("nu html checker", func(t *testing.T) {
		t.Parallel()
		testValidHTML(t, s)
	})
	for _, st := range s.sites {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			t.Run("pages", func(t *testing.T) { testPages(t, s, st) })
			t.Run("line links", func(t *testing.T) { testLineLinks(t, s, st) })
		})
	}
}

// settle is how long a check waits for the page to reach the state it
// wants (a highlight, a fragment, a scroll, the clipboard) before it fails.
// The page needs milliseconds; the margin is for a loaded CI machine.
const settle = 5 * time.Second

// lineStyle returns, for every element with an id L{n}, a summary of the
// computed styles that show a highlight: background, outline, shadow, left
// border, text colour, and the same for its ::before and ::after. A line is
// highlighted when its summary differs from the one it has on the same page
// opened without a fragment.
const lineStyle = `(() => {
	const props = ['background-color', 'background-image', 'outline-style', 'outline-color',
		'box-shadow', 'border-left-style', 'border-left-color', 'border-left-width', 'color', 'content'];
	const sig = el => [null, '::before', '::after'].map(p => {
		const s = getComputedStyle(el, p);
		return props.map(n => s.getPropertyValue(n)).join(' ');
	}).join(' | ');
	const out = {};
	for (const el of document.querySelectorAll('[id]')) {
		if (/^L\d+$/.test(el.id)) out[el.id] = sig(el);
	}
	return out;
})()`

// styles returns lineStyle's summaries for the page in the tab, with focus
// and hover taken away first so that they do not count as a highlight.
func styles(t *testing.T, tb *tab) map[string]string {
	t.Helper()
	err := chromedp.Do(tb.ctx,
		chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`),
		chromedp.MouseEvent(chromedp.MouseMoved, 1, 1),
	)
	if err != nil {
		t.Fatal(err)
	}
	return eval[map[string]string](t, tb, lineStyle)
}

// highlighted returns the ids of the lines whose style differs from base,
// in line order.
func highlighted(base, now map[string]string) []string {
	var ids []string
	for id, s := range now {
		if b, ok := base[id]; ok && b != s {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return lineNum(a) - lineNum(b) })
	return ids
}

func lineNum(id string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(id, "L"))
	return n
}

func lineIDs(a, b int) []string {
	var ids []string
	for i := a; i <= b; i++ {
		ids = append(ids, "L"+strconv.Itoa(i))
	}
	return ids
}

// wantHighlighted waits up to settle for exactly the lines want to be
// highlighted, and reports what was highlighted instead.
func wantHighlighted(t *testing.T, tb *tab, base map[string]string, want []string, after string) {
	t.Helper()
	var got []string
	for deadline := time.Now().Add(settle); ; {
		got = highlighted(base, styles(t, tb))
		if slices.Equal(got, want) || time.Now().After(deadline) {
			break
		}
		waitFrame(t, tb)
	}
	if slices.Equal(got, want) {
		return
	}
	var missing, extra []string
	for _, id := range want {
		if !slices.Contains(got, id) {
			missing = append(missing, id)
		}
	}
	for _, id := range got {
		if !slices.Contains(want, id) {
			extra = append(extra, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("after %s, line(s) %s are not highlighted (they look the same as without a fragment); want %s highlighted",
			after, strings.Join(missing, ", "), strings.Join(want, ", "))
	}
	if len(extra) > 0 {
		t.Errorf("after %s, line(s) %s are highlighted too; want only %s", after, strings.Join(extra, ", "), strings.Join(want, ", "))
	}
}

// waitFrame waits for the page's next animation frame.
func waitFrame(t *testing.T, tb *tab) {
	t.Helper()
	eval[bool](t, tb, `new Promise(r => requestAnimationFrame(() => r(true)))`)
}

// waitHash waits up to settle for location.hash to become want.
func waitHash(t *testing.T, tb *tab, want, after string) bool {
	t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.PollFunction[bool](`want => location.hash === want`,
		chromedp.WithPollingArgs(want), chromedp.WithPollingTimeout(settle)))
	if err != nil {
		got := eval[string](t, tb, `location.href`)
		t.Errorf("after %s, the URL is %s; want its fragment to be %s", after, got, want)
		return false
	}
	return true
}

// checkConsole reports the console errors and failed requests the tab saw
// since the last check.
func checkConsole(t *testing.T, tb *tab) {
	t.Helper()
	for _, p := range tb.take() {
		t.Errorf("console or network: %s", p)
	}
}

// testLineLinks runs the line-link checks on st's longest call.
func testLineLinks(t *testing.T, s *suite, st *site) {
	c := st.longestCall()
	n := len(c.Lines)
	if n < 3 {
		t.Fatalf("call %s has %d lines; the line-link checks need 3", c.Slug, n)
	}
	callPath := "/calls/" + url.PathEscape(c.Slug)
	callURL := st.url(callPath)
	tb := s.newTab(t)
	tb.open(t, callURL)
	base := styles(t, tb)
	for i := 1; i <= n; i++ {
		if _, ok := base["L"+strconv.Itoa(i)]; !ok {
			t.Fatalf("%s has no element with id L%d (issue 2: each line element has id=\"L{n}\")", callPath, i)
		}
	}
	checkConsole(t, tb)
	screenshot(t, tb, st.name+"-call")

	// a and b: the range the click checks make.
	a, b := 1, 3
	if n >= 9 {
		a, b = 7, 9
	}

	t.Run("open a range link", func(t *testing.T) {
		tb.open(t, callURL+"#L2-L3")
		wantHighlighted(t, tb, base, []string{"L2", "L3"}, "opening "+callPath+"#L2-L3")
		checkConsole(t, tb)

		// A range far down the page is scrolled to.
		far := n - 2
		frag := fmt.Sprintf("#L%d-L%d", far, n)
		tb.open(t, callURL+frag)
		wantHighlighted(t, tb, base, lineIDs(far, n), "opening "+callPath+frag)
		wantInView(t, tb, "L"+strconv.Itoa(far), "opening "+callPath+frag)
		screenshot(t, tb, st.name+"-call-range")
		if os.Getenv("BACKCHANNEL_SCREENSHOTS") != "" {
			setColorScheme(t, tb, "dark")
			screenshot(t, tb, st.name+"-call-range-dark")
			setColorScheme(t, tb, "light")
		}
		checkConsole(t, tb)
	})

	t.Run("click and shift-click line numbers", func(t *testing.T) {
		tb.open(t, callURL)
		click(t, tb, lineLink(a))
		after := fmt.Sprintf("clicking the number of line %d", a)
		if waitHash(t, tb, fmt.Sprintf("#L%d", a), after) {
			wantHighlighted(t, tb, base, lineIDs(a, a), after)
		}
		// A listener on window runs after the page's own: it sees whether
		// the page took the shift-click over, or left the browser to open
		// the link in a new window as well.
		eval[bool](t, tb, `(window.addEventListener('click', e => { window.testDefaultPrevented = e.defaultPrevented }, {once: true}), true)`)
		click(t, tb, lineLink(b), chromedp.ButtonModifiers(chromedp.ModifierShift))
		after = fmt.Sprintf("clicking line %d, then shift-clicking line %d", a, b)
		if !eval[bool](t, tb, `window.testDefaultPrevented === true`) {
			t.Errorf("after %s, the click was not cancelled (preventDefault), so the browser also opens the line in a new window", after)
		}
		if waitHash(t, tb, fmt.Sprintf("#L%d-L%d", a, b), after) {
			wantHighlighted(t, tb, base, lineIDs(a, b), after)
		}
		if got := eval[string](t, tb, `location.pathname`); got != callPath {
			t.Errorf("after %s, the tab shows %s; want it to stay on %s", after, got, callPath)
		}
		screenshot(t, tb, st.name+"-call-shift-click")
		checkConsole(t, tb)
	})

	t.Run("shift-click with no line selected", func(t *testing.T) {
		tb.open(t, callURL)
		eval[bool](t, tb, `(window.addEventListener('click', e => { window.testDefaultPrevented = e.defaultPrevented }, {once: true}), true)`)
		click(t, tb, lineLink(b), chromedp.ButtonModifiers(chromedp.ModifierShift))
		after := fmt.Sprintf("shift-clicking line %d with no line selected", b)
		if !eval[bool](t, tb, `window.testDefaultPrevented === true`) {
			t.Errorf("after %s, the click was not cancelled, so the browser opens the line in a new window", after)
		}
		if waitHash(t, tb, fmt.Sprintf("#L%d", b), after) {
			wantHighlighted(t, tb, base, lineIDs(b, b), after)
		}
		checkConsole(t, tb)
	})

	t.Run("copy link and copy quote", func(t *testing.T) {
		// The tabs share one clipboard.
		s.clipboard.Lock()
		defer s.clipboard.Unlock()
		s.grantClipboard(t, tb, st.srv.base)
		tb.open(t, callURL)
		line := c.Lines[a-1]

		setClipboard(t, tb, "")
		if ok := activate(t, tb, a, "copy link", false); ok {
			got := readClipboard(t, tb)
			want := []string{
				fmt.Sprintf("%s%s#L%d", st.srv.base, callPath, a),
				fmt.Sprintf("%s%s/L%d", st.srv.base, callPath, a),
			}
			if !slices.Contains(want, strings.TrimSpace(got)) {
				t.Errorf("copy link on line %d put %q on the clipboard; want the line's absolute URL, %s", a, got, strings.Join(want, " or "))
			}
		}

		setClipboard(t, tb, "")
		if ok := activate(t, tb, a, "copy quote", true); ok {
			got := readClipboard(t, tb)
			quoteWant := []struct{ what, text string }{
				{"the line's words", firstParagraph(line.Text)},
				{"the speaker", c.speakerName(line)},
				{"a link to the line", fmt.Sprintf("%s%s", st.srv.base, callPath)},
			}
			for _, w := range quoteWant {
				if w.text != "" && !strings.Contains(got, w.text) {
					t.Errorf("copy quote on line %d: the clipboard lacks %s (%q):\n%s", a, w.what, w.text, got)
				}
			}
			if !containsDate(got, c.Date) {
				t.Errorf("copy quote on line %d: the clipboard lacks the call's date (%s):\n%s", a, c.Date, got)
			}
		}
		checkConsole(t, tb)
	})

	t.Run("search hit lands on its marked words", func(t *testing.T) {
		word := searchableWord(c.Lines[a-1].Text)
		searchPath := "/search?q=" + url.QueryEscape(word)
		tb.open(t, st.url(searchPath))
		screenshot(t, tb, st.name+"-search")
		href := eval[string](t, tb, `(() => {
			const a = [...document.querySelectorAll('main a[href*="/calls/"][href*="#L"], a[href*="/calls/"][href*="#L"]')];
			return a.length ? a[0].getAttribute('href') : '';
		})()`)
		if href == "" {
			t.Fatalf("%s has no link to a line (/calls/{slug}...#L{n})", searchPath)
		}
		sel := fmt.Sprintf(`a[href=%q]`, href)
		_, err := chromedp.Run(tb.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel))))
		if err != nil {
			t.Fatalf("follow the search hit %s: %v", href, err)
		}
		loc := eval[string](t, tb, `location.href`)
		m := regexp.MustCompile(`#L(\d+)`).FindStringSubmatch(loc)
		if m == nil {
			t.Fatalf("the search hit %s landed on %s, which names no line", href, loc)
		}
		id := "L" + m[1]
		marks := eval[[]string](t, tb, fmt.Sprintf(`[...document.querySelectorAll('#%s mark')].map(m => m.textContent)`, id))
		found := slices.ContainsFunc(marks, func(s string) bool { return strings.EqualFold(s, word) })
		if !found {
			t.Errorf("the search hit for %q landed on %s, but line %s has no <mark>%s</mark> (marks: %q); the hit's link must carry the searched words",
				word, loc, id, word, marks)
		}
		if strings.HasPrefix(strings.TrimPrefix(loc, st.srv.base), callPath+"?") || strings.HasPrefix(strings.TrimPrefix(loc, st.srv.base), callPath+"#") {
			wantHighlighted(t, tb, base, []string{id}, "following the search hit "+href)
		}
		screenshot(t, tb, st.name+"-search-landing")
		checkConsole(t, tb)
	})

	t.Run("without javascript", func(t *testing.T) {
		nojs := s.newTab(t)
		_, err := chromedp.Call(nojs.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		if err != nil {
			t.Fatal(err)
		}
		nojs.open(t, callURL)
		nojsBase := styles(t, nojs)
		nojs.open(t, callURL+"#L3")
		wantHighlighted(t, nojs, nojsBase, []string{"L3"}, "opening "+callPath+"#L3 with JavaScript disabled")
		wantInView(t, nojs, "L3", "opening "+callPath+"#L3 with JavaScript disabled")

		// Search from the form, then narrow by a speaker.
		word := searchableWord(c.Lines[a-1].Text)
		nojs.open(t, st.url("/search"))
		_, err = chromedp.Run(nojs.ctx, chromedp.WaitEvent(page.LoadEventFired, nil,
			chromedp.SendKeys(chromedp.CSS(`input[name="q"]`), word+"\n")))
		if err != nil {
			t.Fatalf("type %q into the search box and press Enter without JavaScript: %v", word, err)
		}
		if marks := eval[[]string](t, nojs, `[...document.querySelectorAll('mark')].map(m => m.textContent)`); !slices.ContainsFunc(marks, func(m string) bool { return strings.EqualFold(m, word) }) {
			t.Errorf("searching for %q from the form without JavaScript led to %s, with no <mark>%s</mark>", word, eval[string](t, nojs, `location.href`), word)
		}
		filter := eval[string](t, nojs, `(() => { const a = document.querySelector('a[href*="speaker="]'); return a ? a.getAttribute('href') : ''; })()`)
		if filter == "" {
			t.Fatalf("the search page for %q has no speaker filter link", word)
		}
		_, err = chromedp.Run(nojs.ctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[href=%q]`, filter)))))
		if err != nil {
			t.Fatalf("follow the speaker filter %s without JavaScript: %v", filter, err)
		}
		if loc := eval[string](t, nojs, `location.search`); !strings.Contains(loc, "speaker=") {
			t.Errorf("following the speaker filter %s led to %s", filter, loc)
		}
		checkConsole(t, nojs)
	})

	t.Run("print", func(t *testing.T) {
		pr := s.newTab(t)
		_, err := chromedp.Call(pr.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"})
		if err != nil {
			t.Fatal(err)
		}
		pr.open(t, callURL)
		// Every line prints with its number and its words.
		missing := eval[[]string](t, pr, fmt.Sprintf(`(() => {
			const shown = el => el && el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
			const out = [];
			for (let n = 1; n <= %d; n++) {
				const line = document.getElementById('L' + n);
				const num = line && line.querySelector('a[href="#L' + n + '"]');
				if (!shown(line)) out.push('L' + n + ' is not printed');
				else if (!shown(num) || !num.textContent.includes(String(n))) out.push('L' + n + ' prints without its number');
			}
			return out;
		})()`, n))
		for _, m := range missing {
			t.Errorf("%s in print: %s", callPath, m)
		}
		checkConsole(t, pr)
	})

	t.Run("note links", func(t *testing.T) { testNoteLinks(t, s, st, c) })

	t.Run("375px wide", func(t *testing.T) {
		mobile := s.newTab(t)
		if err := chromedp.Do(mobile.ctx, chromedp.EmulateViewport(375, 812, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		paths := []string{
			"/",
			callPath,
			fmt.Sprintf("%s/L%d", callPath, a),
			fmt.Sprintf("%s/L%d-L%d", callPath, a, b),
			"/search?q=" + url.QueryEscape(searchableWord(c.Lines[a-1].Text)),
			"/speakers/" + url.PathEscape(c.Participants[0].ID),
			"/no-such-page",
		}
		for _, p := range paths {
			mobile.open(t, st.url(p))
			if p == callPath {
				screenshot(t, mobile, st.name+"-call-375")
			}
			w := eval[struct {
				Inner  int      `json:"inner"`
				Scroll int      `json:"scroll"`
				Wide   []string `json:"wide"`
			}](t, mobile, tooWide)
			if w.Scroll > 375 || w.Inner != 375 {
				t.Errorf("%s at 375px is %dpx wide (window %dpx), so it scrolls sideways or zooms out; wider than 375px: %s",
					p, w.Scroll, w.Inner, strings.Join(w.Wide, "; "))
			}
		}
		checkConsole(t, mobile)
	})

	tb.open(t, st.url("/"))
	screenshot(t, tb, st.name+"-home")
	checkConsole(t, tb)
}

// tooWide measures the page's width at 375px and names the innermost
// elements that stick out past 375px, with a bit of their text.
const tooWide = `(() => {
	const wide = [...document.querySelectorAll('body *')]
		.filter(el => el.getBoundingClientRect().right > 375.5)
		.filter(el => ![...el.children].some(c => c.getBoundingClientRect().right > 375.5))
		.slice(0, 5)
		.map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
			(typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
			' (' + Math.round(el.getBoundingClientRect().right) + 'px: "' + el.textContent.trim().slice(0, 40) + '")');
	return {inner: window.innerWidth, scroll: document.documentElement.scrollWidth, wide};
})()`

// testNoteLinks checks the editorial notes of call c, when it has any: each
// note's link (#note-N) lands on the note, the note's line links to it, and
// a note about exact words highlights them in the line.
func testNoteLinks(t *testing.T, s *suite, st *site, c apiCall) {
	a, problems := transcript.LoadDir(st.dir)
	if a == nil {
		t.Fatalf("load %s: %v", st.dir, problems)
	}
	all, problems := annotate.LoadDir(st.dir, a)
	if len(problems) > 0 {
		t.Fatalf("notes in %s: %v", st.dir, problems)
	}
	notes := all[c.Slug]
	if notes == nil || len(notes.Notes) == 0 {
		t.Skipf("%s has no notes file", c.Slug)
	}
	callPath := "/calls/" + url.PathEscape(c.Slug)
	tb := s.newTab(t)
	tb.open(t, st.url(callPath))
	if !eval[bool](t, tb, `document.getElementById('note-1') !== null`) {
		t.Skipf("%s does not show its notes yet (no element with id note-1)", callPath)
	}
	for _, n := range notes.Notes {
		id := n.ID()
		tb.open(t, st.url(callPath)+"#"+id)
		wantInView(t, tb, id, "opening "+callPath+"#"+id)
		line := fmt.Sprintf("L%d", n.First)
		if !eval[bool](t, tb, fmt.Sprintf(`document.querySelector('#%s a[href="#%s"]') !== null`, line, id)) {
			t.Errorf("%s: line %s does not link to its note #%s (issue 4: the line shows that it has notes)", callPath, line, id)
		}
		if n.Quote == "" {
			continue
		}
		quoteLine := fmt.Sprintf("L%d", max(n.QuoteLine, n.First))
		marked := eval[bool](t, tb, fmt.Sprintf(`[...document.querySelectorAll('#%s *')].some(el => {
			if (el.children.length > 0 || el.textContent.trim() !== %q) return false;
			const s = getComputedStyle(el), p = getComputedStyle(el.parentElement);
			return el.tagName === 'MARK' || s.backgroundColor !== p.backgroundColor ||
				s.textDecorationLine !== p.textDecorationLine || s.borderBottomStyle !== 'none';
		})`, quoteLine, n.Quote))
		if !marked {
			t.Errorf("%s: note %d is about the words %q, but line %s shows no highlighted element holding exactly them", callPath, n.N, n.Quote, quoteLine)
		}
	}
	checkConsole(t, tb)
}

// lineLink selects line n's link to itself.
func lineLink(n int) string {
	return fmt.Sprintf(`#L%d a[href="#L%d"]`, n, n)
}

// click clicks the first element sel matches, as a user's mouse would.
func click(t *testing.T, tb *tab, sel string, opts ...chromedp.MouseOption) {
	t.Helper()
	nodes, err := chromedp.Run(tb.ctx, chromedp.Nodes(chromedp.CSS(sel), chromedp.AtLeast(0)))
	if err != nil {
		t.Fatalf("find %s: %v", sel, err)
	}
	if len(nodes) == 0 {
		t.Fatalf("no element matches %s (issue 2: each line has a visible link to itself)", sel)
	}
	if err := chromedp.Do(tb.ctx, chromedp.MouseClickNode(nodes[0], opts...)); err != nil {
		t.Fatalf("click %s: %v", sel, err)
	}
}

// findAction is a script that marks, with data-test-action, the control of
// line n whose visible text, aria-label or title names the action, and
// returns its tag name ("" when there is none).
const findAction = `(n, action) => {
	const line = document.getElementById('L' + n);
	if (!line) return '';
	const re = new RegExp(action.replace(' ', '\\s*'), 'i');
	const el = [...line.querySelectorAll('button, a[href], [role=button], [tabindex]')].find(el =>
		re.test([el.textContent, el.getAttribute('aria-label'), el.title].join(' ')));
	if (!el) return '';
	el.setAttribute('data-test-action', action);
	return el.tagName.toLowerCase();
}`

// activate finds line n's control for action ("copy link", "copy quote")
// and activates it with the mouse, or from the keyboard (focus, Enter). It
// reports a missing control as an error and returns false.
func activate(t *testing.T, tb *tab, n int, action string, keyboard bool) bool {
	t.Helper()
	openLineMenu(t, tb, n, keyboard)
	tag := eval[string](t, tb, fmt.Sprintf("(%s)(%d, %q)", findAction, n, action))
	if tag == "" {
		t.Errorf("line %d has no %q control (issue 4: a \"copy link\" and a \"copy quote\" action on every line, keyboard accessible)", n, action)
		return false
	}
	sel := fmt.Sprintf(`[data-test-action=%q]`, action)
	if !keyboard {
		click(t, tb, sel)
		return true
	}
	if err := chromedp.Do(tb.ctx, chromedp.Focus(chromedp.CSS(sel))); err != nil {
		t.Fatalf("focus %q on line %d: %v", action, n, err)
	}
	if focused := eval[bool](t, tb, fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, sel)); !focused {
		t.Errorf("%q on line %d (a <%s>) cannot take keyboard focus", action, n, tag)
		return false
	}
	if err := chromedp.Do(tb.ctx, chromedp.KeyEvent("\r")); err != nil {
		t.Fatalf("press Enter on %q: %v", action, err)
	}
	return true
}

// openLineMenu opens line n's menu (issue 18: the line's controls are in a
// menu beside its number) as a user would: a click on its button, or
// from the keyboard, focus and Enter. A line without a menu is left as it
// is.
func openLineMenu(t *testing.T, tb *tab, n int, keyboard bool) {
	t.Helper()
	sel := fmt.Sprintf("#L%d .line-menu > summary", n)
	if !eval[bool](t, tb, fmt.Sprintf(`document.querySelector(%q) !== null`, sel)) {
		return
	}
	if eval[bool](t, tb, fmt.Sprintf(`document.querySelector(%q).parentElement.open`, sel)) {
		return
	}
	if !keyboard {
		click(t, tb, sel)
	} else {
		if err := chromedp.Do(tb.ctx, chromedp.Focus(chromedp.CSS(sel))); err != nil {
			t.Fatalf("focus the menu of line %d: %v", n, err)
		}
		if err := chromedp.Do(tb.ctx, chromedp.KeyEvent("\r")); err != nil {
			t.Fatalf("press Enter on the menu of line %d: %v", n, err)
		}
	}
	_, err := chromedp.Run(tb.ctx, chromedp.PollFunction[bool](`sel => document.querySelector(sel).parentElement.open`,
		chromedp.WithPollingArgs(sel), chromedp.WithPollingTimeout(settle)))
	if err != nil {
		t.Errorf("line %d's menu does not open (%s)", n, map[bool]string{true: "Enter", false: "click"}[keyboard])
	}
}

// setClipboard and readClipboard use the page's clipboard API, which
// grantClipboard allows.
func setClipboard(t *testing.T, tb *tab, text string) {
	t.Helper()
	eval[bool](t, tb, fmt.Sprintf(`navigator.clipboard.writeText(%q).then(() => true)`, text))
}

func readClipboard(t *testing.T, tb *tab) string {
	t.Helper()
	// The page's script may write asynchronously: wait for up to settle.
	var got string
	for deadline := time.Now().Add(settle); time.Now().Before(deadline); {
		got = eval[string](t, tb, `navigator.clipboard.readText()`)
		if got != "" {
			break
		}
		waitFrame(t, tb)
	}
	return got
}

// wantInView reports an error unless the element id is (at least partly)
// in the viewport, waiting up to settle for a smooth scroll.
func wantInView(t *testing.T, tb *tab, id, after string) {
	t.Helper()
	_, err := chromedp.Run(tb.ctx, chromedp.PollFunction[bool](`id => {
		const r = document.getElementById(id).getBoundingClientRect();
		return r.bottom > 0 && r.top < window.innerHeight;
	}`, chromedp.WithPollingArgs(id), chromedp.WithPollingTimeout(settle)))
	if err != nil {
		top := eval[float64](t, tb, fmt.Sprintf(`document.getElementById(%q).getBoundingClientRect().top`, id))
		t.Errorf("after %s, line %s is not on screen (its top is at %.0fpx, the window is %dpx high)", after, id, top,
			eval[int](t, tb, `window.innerHeight`))
	}
}

func firstParagraph(s string) string {
	p, _, _ := strings.Cut(s, "\n\n")
	return p
}

// containsDate reports whether s holds the date (YYYY-MM-DD) in ISO form or
// spelled out in English ("November 8, 2023", "8 November 2023").
func containsDate(s, date string) bool {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		return strings.Contains(s, date)
	}
	for _, layout := range []string{"2006-01-02", "January 2, 2006", "2 January 2006", "Jan. 2, 2006", "Jan 2, 2006"} {
		if strings.Contains(s, d.Format(layout)) {
			return true
		}
	}
	return false
}

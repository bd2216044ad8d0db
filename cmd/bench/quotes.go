package main

// `bench quotes` is the known-item evaluation of quote search: lines of a
// real corpus (the Oyez Supreme Court transcripts in ../shared/corpora),
// a span of 7-10 words taken from each, pasted the ways people paste
// quotes, searched over HTTP on a real server on loopback and in SQLite
// FTS5 over the same lines. Success@1 is the share of pastes whose line is
// the first hit; MRR the mean of 1/rank (0 past the first 20 hits).
//
// Everything runs in this process, built without the race detector, so
// that the test that runs it (quotes_test.go) measures what users get.

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
	"backchannel/internal/web"
	webassets "backchannel/web"
)

// quoteVariant is one way of pasting a span.
type quoteVariant struct {
	Name string
	// Target is the success@1 the variant must reach (0: reported only).
	Target float64
	paste  func(words []string, rng *rand.Rand) string
}

// quoteDepth is how many hits are read for a paste: a line past them
// counts 0 in the MRR.
const quoteDepth = 20

// quoteVariants are the pastes of the issue, then others seen in real
// quoting. Each takes the span's words (split on white space, punctuation
// attached, as in the line) and returns the query text.
func quoteVariants() []quoteVariant {
	return []quoteVariant{
		{"the span as is", 0.995, func(w []string, _ *rand.Rand) string { return strings.Join(w, " ") }},
		{"curly quotes and apostrophes", 0.995, func(w []string, _ *rand.Rand) string { return curly(strings.Join(w, " ")) }},
		{"lower case, punctuation removed", 0.995, func(w []string, _ *rand.Rand) string { return plainWords(w) }},
		{"a dash glued to a word (--word)", 0.995, func(w []string, r *rand.Rand) string {
			w = clone(w)
			i := 1 + r.IntN(len(w)-1)
			w[i] = "--" + w[i]
			return strings.Join(w, " ")
		}},
		{"one word left out", 0.97, func(w []string, r *rand.Rand) string {
			i := 1 + r.IntN(len(w)-2)
			return strings.Join(append(clone(w[:i]), w[i+1:]...), " ")
		}},
		{"two words replaced by an ellipsis (said… you)", 0.97, func(w []string, r *rand.Rand) string {
			i := 1 + r.IntN(len(w)-3)
			return strings.Join(w[:i], " ") + "… " + strings.Join(w[i+2:], " ")
		}},
		{"one typo (two letters swapped in the longest word)", 0.97, func(w []string, _ *rand.Rand) string {
			w = clone(w)
			best := 0
			for i := range w {
				if len(w[i]) > len(w[best]) {
					best = i
				}
			}
			w[best] = swapLetters(w[best])
			return strings.Join(w, " ")
		}},
		{"two neighbouring words swapped", 0.97, func(w []string, r *rand.Rand) string {
			w = clone(w)
			i := r.IntN(len(w) - 1)
			w[i], w[i+1] = w[i+1], w[i]
			return strings.Join(w, " ")
		}},
		{"a word in another inflection", 0.97, func(w []string, r *rand.Rand) string {
			w = clone(w)
			var cands []int
			for i, x := range w {
				if inflect(x) != x {
					cands = append(cands, i)
				}
			}
			if len(cands) > 0 {
				i := cands[r.IntN(len(cands))]
				w[i] = inflect(w[i])
			}
			return strings.Join(w, " ")
		}},
		{"a word repeated", 0, func(w []string, r *rand.Rand) string {
			i := r.IntN(len(w))
			return strings.Join(append(clone(w[:i+1]), w[i:]...), " ")
		}},
		{"[inaudible] inserted", 0, func(w []string, r *rand.Rand) string {
			i := 1 + r.IntN(len(w)-1)
			return strings.Join(append(append(clone(w[:i]), "[inaudible]"), w[i:]...), " ")
		}},
		{"a trailing …", 0, func(w []string, _ *rand.Rand) string { return strings.Join(w, " ") + "…" }},
		{"in guillemets, with a glued em dash (—word)", 0, func(w []string, r *rand.Rand) string {
			w = clone(w)
			i := 1 + r.IntN(len(w)-1)
			w[i] = "—" + w[i]
			return "«" + strings.Join(w, " ") + "»"
		}},
	}
}

func clone(w []string) []string { return append([]string(nil), w...) }

// curly makes straight quotes and apostrophes typographic.
func curly(s string) string {
	var b strings.Builder
	open := true
	for i, r := range s {
		switch r {
		case '\'':
			if i > 0 && !unicode.IsSpace(rune(s[i-1])) {
				b.WriteRune('’')
			} else {
				b.WriteRune('‘')
			}
		case '"':
			if open {
				b.WriteRune('“')
			} else {
				b.WriteRune('”')
			}
			open = !open
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainWords is the words in lower case with punctuation removed (an
// apostrophe inside a word goes too: "don't" → "dont").
func plainWords(w []string) string {
	var out []string
	for _, x := range w {
		x = strings.Map(func(r rune) rune {
			if unicode.IsLetter(r) || unicode.IsDigit(r) {
				return unicode.ToLower(r)
			}
			if unicode.IsSpace(r) || r == '-' {
				return ' '
			}
			return -1
		}, x)
		out = append(out, strings.Fields(x)...)
	}
	return strings.Join(out, " ")
}

// swapLetters swaps the two middle letters of a word's letters.
func swapLetters(w string) string {
	rs := []rune(w)
	var at []int
	for i, r := range rs {
		if unicode.IsLetter(r) {
			at = append(at, i)
		}
	}
	if len(at) < 2 {
		return w
	}
	i := len(at)/2 - 1
	a, b := at[i], at[i+1]
	if rs[a] == rs[b] && i > 0 {
		a = at[i-1]
	}
	rs[a], rs[b] = rs[b], rs[a]
	return string(rs)
}

// inflect gives an English word of four letters or more another
// inflection: -ing ↔ -ed, a plural or third person without its -s, a bare
// word with -s. Other words are returned as they are.
func inflect(w string) string {
	core := strings.TrimRightFunc(w, func(r rune) bool { return !unicode.IsLetter(r) })
	tail := w[len(core):]
	if len(core) < 4 || strings.IndexFunc(core, func(r rune) bool { return !unicode.IsLower(r) || r > unicode.MaxASCII }) >= 0 {
		return w
	}
	switch {
	case strings.HasSuffix(core, "ing") && len(core) > 5:
		return core[:len(core)-3] + "ed" + tail
	case strings.HasSuffix(core, "ed") && len(core) > 4:
		return core[:len(core)-2] + "ing" + tail
	case strings.HasSuffix(core, "ss"), strings.HasSuffix(core, "us"), strings.HasSuffix(core, "is"):
		return w
	case strings.HasSuffix(core, "s"):
		return core[:len(core)-1] + tail
	}
	return core + "s" + tail
}

// quoteLibrary is the smallest web.Library: one archive, one open index.
type quoteLibrary struct {
	a *transcript.Archive
	x *index.Index
}

func (l quoteLibrary) Archive() *transcript.Archive { return l.a }
func (l quoteLibrary) Health() error                { return nil }
func (l quoteLibrary) Search(ctx context.Context, _ *transcript.Archive, q index.Query) (*index.Result, error) {
	return l.x.Search(ctx, q)
}

// quoteLine is one line of the corpus.
type quoteLine struct {
	Call string
	N    int
	Text string
}

// quoteSample is a sampled line with its span.
type quoteSample struct {
	Line  quoteLine
	Words []string
}

// quoteResult is one variant's outcome for each engine.
type quoteResult struct {
	Variant    string  `json:"variant"`
	Target     float64 `json:"target"`
	N          int     `json:"n"`
	BCSuccess  float64 `json:"backchannel_success_at_1"`
	BCMRR      float64 `json:"backchannel_mrr"`
	FTSSuccess float64 `json:"fts5_success_at_1"`
	FTSMRR     float64 `json:"fts5_mrr"`
	// Misses are a few pastes whose line Backchannel did not put first.
	Misses []string `json:"misses,omitempty"`
	// TooLong counts the pastes Backchannel answered with 503 (the
	// search ran out of time): misses.
	TooLong int `json:"too_long"`
	// Backchannel's latency on this paste's queries, as the report's.
	P50ms float64 `json:"p50_ms"`
	P99ms float64 `json:"p99_ms"`
	MaxMs float64 `json:"max_ms"`
}

// quotePaste is one paste and Backchannel's answer to it.
type quotePaste struct {
	Variant string   `json:"variant"`
	Q       string   `json:"q"`
	Want    string   `json:"want"` // the sampled line, call#line
	Rank    int      `json:"rank"` // of Want among the hits, 1-based; 0: not among them
	First   []string `json:"first"`
	Ms      float64  `json:"ms"`
	TooLong bool     `json:"too_long,omitempty"`
}

// writePastes writes every paste as a JSON line to path.
func writePastes(path string, pastes [][]quotePaste) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetEscapeHTML(false)
	for _, ps := range pastes {
		for _, p := range ps {
			if err := enc.Encode(p); err != nil {
				f.Close()
				return err
			}
		}
	}
	return f.Close()
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// percentiles returns the median, the 99th percentile and the maximum of
// times (nearest rank), in their unit; zeros when there are none.
func percentiles(times []float64) (p50, p99, top float64) {
	if len(times) == 0 {
		return 0, 0, 0
	}
	t := slices.Clone(times)
	slices.Sort(t)
	return t[len(t)/2], t[len(t)*99/100], t[len(t)-1]
}

// quoteReport is what `bench quotes -json` writes.
type quoteReport struct {
	Lines       int           `json:"lines"`
	Calls       int           `json:"calls"`
	Seed        uint64        `json:"seed"`
	Samples     int           `json:"samples"`
	BuildSecs   float64       `json:"build_seconds"`
	Queries     int           `json:"queries"`
	P50ms       float64       `json:"p50_ms"`
	P99ms       float64       `json:"p99_ms"`
	MaxMs       float64       `json:"max_ms"`
	LatencyNote string        `json:"latency_note"`
	Variants    []quoteResult `json:"variants"`
}

func runQuotes(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("quotes", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpusDir := fs.String("corpus", filepath.Join("..", "..", "..", "shared", "corpora", "scotus-oyez"), "the scotus-oyez corpus folder")
	n := fs.Int("n", 300, "lines sampled")
	seed := fs.Uint64("seed", 16, "sampling seed")
	jsonOut := fs.String("json", "", "also write the report here as JSON")
	work := fs.String("work", "", "folder for the index (default: a temporary folder, removed after)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of Backchannel's searches (server and client) here")
	queriesOut := fs.String("queries", "", "write every paste, its rank and its time here (JSON lines)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logf := func(format string, a ...any) {
		fmt.Fprintf(stderr, time.Now().Format("15:04:05")+"  "+format+"\n", a...)
	}
	a, lines, err := oyezArchive(*corpusDir)
	if err != nil {
		return err
	}
	logf("%d calls, %d lines read from %s", len(a.Calls), len(lines), *corpusDir)
	dir := *work
	if dir == "" {
		if dir, err = os.MkdirTemp("", "backchannel-quotes-"); err != nil {
			return err
		}
		defer os.RemoveAll(dir)
	}
	start := time.Now()
	x, err := index.Open(filepath.Join(dir, "data"))
	if err != nil || !x.Matches(a) {
		// A -work folder keeps its index from run to run.
		if x != nil {
			x.Close()
		}
		if _, err := index.Build(ctx, filepath.Join(dir, "data"), a, index.BuildOptions{}); err != nil {
			return fmt.Errorf("quotes: %w", err)
		}
		if x, err = index.Open(filepath.Join(dir, "data")); err != nil {
			return fmt.Errorf("quotes: %w", err)
		}
	}
	defer x.Close()
	build := time.Since(start)
	logf("index ready in %.1f s", build.Seconds())
	// The evaluation measures which line comes first; a search starved of
	// CPU by other work on the machine (make test runs packages at once)
	// gets 20 s instead of serve's 2, and its time is in the latency.
	srv, err := web.NewServer(web.Config{Library: quoteLibrary{a: a, x: x}, Assets: webassets.FS,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Search: web.SearchLimits{Timeout: 20 * time.Second, Wait: 20 * time.Second}})
	if err != nil {
		return fmt.Errorf("quotes: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("quotes: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	base := "http://" + ln.Addr().String()

	os.Remove(filepath.Join(dir, "fts.db"))
	db, err := ftsLines(ctx, filepath.Join(dir, "fts.db"), lines)
	if err != nil {
		return err
	}
	defer db.Close()
	logf("SQLite FTS5 built")

	samples, err := sampleSpans(ctx, db, lines, *n, *seed)
	if err != nil {
		return err
	}
	logf("%d spans of 7-10 words, each in exactly one line", len(samples))

	rep := quoteReport{Lines: len(lines), Calls: len(a.Calls), Seed: *seed, Samples: len(samples), BuildSecs: build.Seconds(),
		LatencyNote: "wall time of GET /api/v1/search?q=…&size=20 on loopback, one at a time, body read and decoded"}
	// Every paste first, then Backchannel's searches (profiled alone with
	// -cpuprofile), then FTS5's on the same pastes.
	variants := quoteVariants()
	pastes := make([][]quotePaste, len(variants))
	for vi, v := range variants {
		rng := rand.New(rand.NewPCG(*seed, uint64(vi)+1))
		for _, s := range samples {
			pastes[vi] = append(pastes[vi], quotePaste{Variant: v.Name, Q: v.paste(s.Words, rng), Want: s.Line.Call + "#" + strconv.Itoa(s.Line.N)})
		}
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	client := &http.Client{Timeout: 60 * time.Second}
	for vi := range pastes {
		for i := range pastes[vi] {
			p := &pastes[vi][i]
			t0 := time.Now()
			got, err := searchHTTP(ctx, client, base, p.Q)
			p.Ms = millis(time.Since(t0))
			switch {
			case errors.Is(err, errTooLong):
				p.TooLong = true // a miss: the user got no answer
			case err != nil:
				stopProfile()
				return fmt.Errorf("quotes: %q: %w", p.Q, err)
			}
			p.Rank, p.First = slicesIndex(got, p.Want)+1, first(got, 3)
		}
	}
	if err := stopProfile(); err != nil {
		return err
	}
	var took []float64
	for vi, v := range variants {
		res := quoteResult{Variant: v.Name, Target: v.Target, N: len(samples)}
		var bcFirst, ftsFirst int
		var bcRR, ftsRR float64
		var vtook []float64
		var ftsTime time.Duration
		for i := range pastes[vi] {
			p := &pastes[vi][i]
			vtook = append(vtook, p.Ms)
			if p.TooLong {
				res.TooLong++
			}
			if p.Rank == 1 {
				bcFirst++
			} else if len(res.Misses) < 8 {
				res.Misses = append(res.Misses, fmt.Sprintf("%q: %s at rank %d (first %v)", p.Q, p.Want, p.Rank, p.First))
			}
			if p.Rank > 0 {
				bcRR += 1 / float64(p.Rank)
			}
			t1 := time.Now()
			fr, err := ftsSearch(ctx, db, p.Q)
			ftsTime += time.Since(t1)
			if err != nil {
				return fmt.Errorf("quotes: fts %q: %w", p.Q, err)
			}
			if r := slicesIndex(fr, p.Want) + 1; r > 0 {
				if r == 1 {
					ftsFirst++
				}
				ftsRR += 1 / float64(r)
			}
		}
		k := float64(len(samples))
		res.BCSuccess, res.BCMRR = float64(bcFirst)/k, bcRR/k
		res.FTSSuccess, res.FTSMRR = float64(ftsFirst)/k, ftsRR/k
		res.P50ms, res.P99ms, res.MaxMs = percentiles(vtook)
		took = append(took, vtook...)
		rep.Variants = append(rep.Variants, res)
		logf("%-50s Backchannel %.3f (%.3f)  FTS5 %.3f (%.3f)  [p50 %.1f ms, p99 %.1f ms; FTS5 %.1f s; %d out of time]", v.Name, res.BCSuccess, res.BCMRR, res.FTSSuccess, res.FTSMRR,
			res.P50ms, res.P99ms, ftsTime.Seconds(), res.TooLong)
		for _, m := range res.Misses {
			logf("    miss %s", m)
		}
	}
	rep.Queries = len(took)
	rep.P50ms, rep.P99ms, rep.MaxMs = percentiles(took)
	if *queriesOut != "" {
		if err := writePastes(*queriesOut, pastes); err != nil {
			return err
		}
	}
	fmt.Fprint(stdout, quoteTable(rep))
	if *jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		return os.WriteFile(*jsonOut, b, 0o644)
	}
	return nil
}

// quoteTable is the report as a Markdown table.
func quoteTable(rep quoteReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Known-item quote search: %d spans of 7-10 words, each in exactly one of %d lines (%d calls), seed %d\n\n",
		rep.Samples, rep.Lines, rep.Calls, rep.Seed)
	fmt.Fprintf(&b, "| paste | target | Backchannel success@1 (MRR) | SQLite FTS5 success@1 (MRR) | Backchannel p50 / p99 ms |\n|---|---|---|---|---|\n")
	for _, v := range rep.Variants {
		target := "-"
		if v.Target > 0 {
			target = fmt.Sprintf("≥ %.3f", v.Target)
		}
		fmt.Fprintf(&b, "| %s | %s | %.3f (%.3f) | %.3f (%.3f) | %.1f / %.1f |\n", v.Variant, target, v.BCSuccess, v.BCMRR, v.FTSSuccess, v.FTSMRR, v.P50ms, v.P99ms)
	}
	fmt.Fprintf(&b, "\nBackchannel over HTTP: %d queries, p50 %.1f ms, p99 %.1f ms, max %.1f ms (%s); index built in %.0f s\n",
		rep.Queries, rep.P50ms, rep.P99ms, rep.MaxMs, rep.LatencyNote, rep.BuildSecs)
	return b.String()
}

func first(ids []string, n int) []string { return ids[:min(n, len(ids))] }

func slicesIndex(ids []string, want string) int {
	for i, id := range ids {
		if id == want {
			return i
		}
	}
	return -1
}

// errTooLong is a search that ran out of time (503).
var errTooLong = errors.New("search took too long")

// searchHTTP asks the server for q and returns its hits as "call#line".
func searchHTTP(ctx context.Context, c *http.Client, base, q string) ([]string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/search?size="+strconv.Itoa(quoteDepth)+"&q="+url.QueryEscape(q), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusServiceUnavailable {
		return nil, errTooLong
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 300))
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	var out struct {
		Hits []struct {
			Call string `json:"call"`
			Line int    `json:"line"`
		} `json:"hits"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	ids := make([]string, len(out.Hits))
	for i, h := range out.Hits {
		ids[i] = h.Call + "#" + strconv.Itoa(h.Line)
	}
	return ids, nil
}

var oyezDay = regexp.MustCompile(`[A-Z][a-z]+ \d{1,2}, \d{4}`)

// oyezArchive reads every argument of the corpus's turns/ as a call, one
// line per turn with a speaker (the turns Oyez left without a speaker are
// not lines), dated by the day in its title; arguments without a day are
// left out.
func oyezArchive(dir string) (*transcript.Archive, []quoteLine, error) {
	tsv := func(name string) ([]map[string]string, error) {
		f, err := os.Open(filepath.Join(dir, name))
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r := csv.NewReader(f)
		r.Comma, r.LazyQuotes, r.FieldsPerRecord = '\t', true, -1
		recs, err := r.ReadAll()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		var out []map[string]string
		for _, rec := range recs[1:] {
			m := map[string]string{}
			for i, c := range recs[0] {
				if i < len(rec) {
					m[c] = rec[i]
				}
			}
			out = append(out, m)
		}
		return out, nil
	}
	calls, err := tsv("transcripts_2012-2025.tsv")
	if err != nil {
		return nil, nil, err
	}
	speakers, err := tsv("speakers_2012-2025.tsv")
	if err != nil {
		return nil, nil, err
	}
	type info struct{ title, date string }
	infos := map[string]info{}
	for _, c := range calls {
		if m := oyezDay.FindString(c["title"]); m != "" {
			if d, err := time.Parse("January 2, 2006", m); err == nil {
				infos[c["transcript_id"]] = info{c["title"], d.Format(time.DateOnly)}
			}
		}
	}
	names := map[string]string{}
	for _, s := range speakers {
		names[s["speaker_id"]] = s["name"]
	}
	years, _ := filepath.Glob(filepath.Join(dir, "turns", "*.jsonl"))
	if len(years) == 0 {
		return nil, nil, fmt.Errorf("no turns/*.jsonl in %s", dir)
	}
	type turn struct {
		TranscriptID string  `json:"transcript_id"`
		Section      int     `json:"section"`
		Turn         int     `json:"turn"`
		SpeakerID    *string `json:"speaker_id"`
		Start        float64 `json:"start"`
		Text         string  `json:"text"`
	}
	a := &transcript.Archive{}
	var lines []quoteLine
	for _, y := range years {
		f, err := os.Open(y)
		if err != nil {
			return nil, nil, err
		}
		byID := map[string][]turn{}
		var order []string
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		for sc.Scan() {
			var t turn
			if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
				f.Close()
				return nil, nil, fmt.Errorf("%s: %w", y, err)
			}
			if _, ok := byID[t.TranscriptID]; !ok {
				order = append(order, t.TranscriptID)
			}
			byID[t.TranscriptID] = append(byID[t.TranscriptID], t)
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", y, err)
		}
		for _, id := range order {
			in, ok := infos[id]
			if !ok {
				continue
			}
			ts := byID[id]
			sort.SliceStable(ts, func(i, j int) bool {
				if ts[i].Section != ts[j].Section {
					return ts[i].Section < ts[j].Section
				}
				return ts[i].Turn < ts[j].Turn
			})
			c := &transcript.Call{Slug: "scotus-" + slugOf(id), Title: in.title, Date: in.date, Language: "en",
				SHA256: fmt.Sprintf("%064x", len(a.Calls)+1)}
			seen := map[string]bool{}
			for _, t := range ts {
				if t.SpeakerID == nil || strings.TrimSpace(t.Text) == "" {
					continue
				}
				sp := slugOf(*t.SpeakerID)
				if !seen[sp] {
					seen[sp] = true
					name := names[*t.SpeakerID]
					if name == "" {
						name = *t.SpeakerID
					}
					c.Participants = append(c.Participants, transcript.Participant{ID: sp, Name: name, Labels: []string{*t.SpeakerID}})
				}
				n := len(c.Lines) + 1
				c.Lines = append(c.Lines, transcript.Line{N: n, Kind: transcript.Turn, Speaker: sp, Text: t.Text, Time: t.Start})
				lines = append(lines, quoteLine{Call: c.Slug, N: n, Text: t.Text})
			}
			if len(c.Lines) > 0 {
				a.Calls = append(a.Calls, c)
			}
		}
	}
	if len(lines) == 0 {
		return nil, nil, errors.New("quotes: no lines")
	}
	return a, lines, nil
}

func slugOf(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}), "-")
}

// ftsLines writes lines into a new SQLite FTS5 table at path, as the
// bench's SQLite baseline does (unicode61, diacritics removed).
func ftsLines(ctx context.Context, path string, lines []quoteLine) (*sql.DB, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, fmt.Errorf("fts: %w", err)
	}
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		"PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF", "PRAGMA cache_size = -65536",
		`CREATE VIRTUAL TABLE lines USING fts5(text, id UNINDEXED, tokenize = 'unicode61 remove_diacritics 2')`,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			db.Close()
			return nil, fmt.Errorf("fts: %s: %w", s, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	st, err := tx.PrepareContext(ctx, "INSERT INTO lines(text, id) VALUES (?, ?)")
	if err != nil {
		tx.Rollback()
		db.Close()
		return nil, err
	}
	for _, l := range lines {
		if _, err := st.ExecContext(ctx, l.Text, l.Call+"#"+strconv.Itoa(l.N)); err != nil {
			tx.Rollback()
			db.Close()
			return nil, fmt.Errorf("fts: insert: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		db.Close()
		return nil, err
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO lines(lines) VALUES('optimize')"); err != nil {
		db.Close()
		return nil, fmt.Errorf("fts: optimize: %w", err)
	}
	if _, err := db.ExecContext(ctx, "CREATE VIRTUAL TABLE vocab USING fts5vocab(lines, 'row')"); err != nil {
		db.Close()
		return nil, fmt.Errorf("fts: vocab: %w", err)
	}
	ftsRows = len(lines)
	return db, nil
}

// ftsWords are the words of s as FTS5's unicode61 tokenizer splits them
// (letters and digits), each quoted as an FTS5 string.
func ftsWords(s string) []string {
	var out []string
	for _, w := range strings.FieldsFunc(s, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		out = append(out, `"`+w+`"`)
	}
	return out
}

// ftsSearch is the baseline: bm25, the words ANDed, then ORed when
// nothing has them all. The OR leaves out the words on more than
// ftsCommonShare of the lines (unless every word is): bm25 gives them
// almost no weight, and with them every fallback read most of the table
// (over a second a query).
func ftsSearch(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	ws := ftsWords(q)
	if len(ws) == 0 {
		return nil, nil
	}
	ids, err := ftsQuery(ctx, db, strings.Join(ws, " AND "))
	if err != nil || len(ids) > 0 {
		return ids, err
	}
	var rare []string
	for _, w := range ws {
		var docs int
		if err := db.QueryRowContext(ctx, "SELECT doc FROM vocab WHERE term = ?", strings.ToLower(strings.Trim(w, `"`))).Scan(&docs); err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		if float64(docs) <= ftsCommonShare*float64(ftsRows) {
			rare = append(rare, w)
		}
	}
	if len(rare) == 0 {
		rare = ws
	}
	return ftsQuery(ctx, db, strings.Join(rare, " OR "))
}

// ftsCommonShare is the share of lines above which a word is left out of
// the OR fallback; ftsRows is the table's row count.
const ftsCommonShare = 0.05

var ftsRows int

func ftsQuery(ctx context.Context, db *sql.DB, match string) ([]string, error) {
	rows, err := db.QueryContext(ctx, "SELECT id FROM lines WHERE lines MATCH ? ORDER BY rank LIMIT ?", match, quoteDepth)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// sampleSpans picks n lines at random (seeded) and from each a span of
// 7-10 consecutive words (split on white space) that occurs, as a phrase
// of FTS5 words, in that line only.
func sampleSpans(ctx context.Context, db *sql.DB, lines []quoteLine, n int, seed uint64) ([]quoteSample, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	count, err := db.PrepareContext(ctx, "SELECT count(*) FROM lines WHERE lines MATCH ?")
	if err != nil {
		return nil, err
	}
	defer count.Close()
	picked := map[int]bool{}
	var out []quoteSample
	for tries := 0; len(out) < n && tries < 50*n; tries++ {
		i := rng.IntN(len(lines))
		if picked[i] {
			continue
		}
		words := strings.Fields(lines[i].Text)
		if len(words) < 7 {
			continue
		}
		k := 7 + rng.IntN(4)
		k = min(k, len(words))
		s := rng.IntN(len(words) - k + 1)
		span := words[s : s+k]
		fw := ftsWords(strings.Join(span, " "))
		if len(fw) < 7 {
			continue
		}
		var c int
		phrase := `"` + strings.ReplaceAll(strings.Join(fw, " "), `"`, "") + `"`
		if err := count.QueryRowContext(ctx, phrase).Scan(&c); err != nil {
			return nil, fmt.Errorf("fts count %s: %w", phrase, err)
		}
		if c != 1 {
			continue
		}
		picked[i] = true
		out = append(out, quoteSample{Line: lines[i], Words: span})
	}
	return out, nil
}

package main

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Call sizes, as issue 6 fixes them.
const (
	minCallLines = 50
	maxCallLines = 400
)

// genConfig describes a synthetic archive. The same config always yields the
// same bytes.
type genConfig struct {
	Lines    int    // total lines across all calls
	Seed     uint64 // PRNG seed
	Speakers int    // size of the speaker pool (default 300)
	Vocab    int    // vocabulary size (default 100000)
}

// genSpeaker is one fictional person of the pool.
type genSpeaker struct {
	ID, Name, Role string
}

// genCall is what the harness needs to know about a generated call.
type genCall struct {
	Slug  string
	Date  string // YYYY-MM-DD
	Lines int
	Words []int // a few vocabulary ranks said in the call (for call: queries)
}

// genRun is a run of consecutive words as written in one sentence, with no
// punctuation inside it, sampled for phrase queries.
type genRun struct {
	Text  string // as written (capitals, apostrophe style)
	Ranks []int  // vocabulary rank of each word
}

// corpus is a generated archive on disk plus what the query list is drawn from.
type corpus struct {
	Dir       string
	Calls     []genCall
	Lines     int
	FileBytes int64 // bytes of the .md files
	TextBytes int64 // bytes of the lines' text (what is indexed)
	Speakers  []genSpeaker
	// SpeakerLines counts turns per speaker (index into Speakers).
	SpeakerLines []int
	Vocab        []string // rank order: Vocab[0] is the most frequent word
	WordCount    []int    // occurrences per vocabulary rank
	// Phrases are exact word runs taken from the text as written, in order
	// of generation; CommonPhrases are runs made only of very common words.
	Phrases, CommonPhrases []string
	// Runs are 2- to 6-word runs sampled from the text by a second PRNG
	// (so that sampling them does not change the text), at most
	// maxRunsPerLength per length and kind (see runKind).
	Runs []genRun
}

// Run sampling: how often a sentence gives a run, and how many of each
// length and kind (common, rare, other) are kept.
const (
	runRate          = 0.1
	maxRunsPerLength = 400
	callWordsKept    = 4
)

// Word ranks that make a run common (every word below commonRunRank) or
// rare (some word at or above rareRunRank).
const (
	commonRunRank = 200
	rareRunRank   = 2000
)

// runKind is 0 for a run of common words, 1 for a run with a rare word, 2 otherwise.
func runKind(ranks []int) int {
	common := true
	for _, k := range ranks {
		if k >= rareRunRank {
			return 1
		}
		if k >= commonRunRank {
			common = false
		}
	}
	if common {
		return 0
	}
	return 2
}

// commonWords heads the vocabulary, most frequent first. Words with an
// apostrophe are written with a straight or a curly one depending on the call.
var commonWords = strings.Fields(`the I you to a and that of it is we in
don't this was for what it's on be have they not he so just I'm but with
know think that's we're there do can are at all about going if like get
no they're me my your one right well want them can't yeah okay would
people now time need out here said I'll up from how go his she her did
let's there's didn't say come see make look some or by as an good
really thing money deal these those very because when back over much
who will could more then should call month week still year tomorrow
won't you're first last only also paper plan position price bank
meeting contract number account transfer office minister board shares
sure tell told talk meet send sent give given take taken pay paid
everybody nobody somebody anything nothing something everything
problem question answer agreed agree happen happened again later
soon early late today yesterday night morning evening before after
around between under through without against during since until
while where why which whose whom yes maybe perhaps exactly clearly
quietly informally formally officially directly personally`)

// Syllables for made-up words and names. They are chosen so that the words
// read as words without being anyone's real name on purpose.
var (
	onsets  = strings.Fields("b br c d dr f g gr h k kl l m n p pr r s st t tr v z sh ch")
	nuclei  = strings.Fields("a e i o u ai ea ou io")
	codas   = []string{"", "", "", "n", "r", "s", "l", "m", "t", "nd", "rk", "st"}
	roles   = []string{"analyst", "broker", "adviser", "consultant", "chief of staff", "envoy", "attorney", "fund manager", "deputy director", "press officer", "trader", "auditor"}
	endings = []string{".", ".", ".", ".", ".", ".", ".", "?", "?", "!", "…", "..."}
	dashes  = []string{" — ", " – ", " -- ", " — "}
	asides  = []string{"[crosstalk]", "[laughter]", "(inaudible)", "[pause]", "(phone rings)", "[line drops]"}
)

// rng wraps the seeded PRNG with the draws the generator needs.
type rng struct{ *rand.Rand }

func (r rng) between(lo, hi int) int { return lo + r.IntN(hi-lo+1) }
func (r rng) chance(p float64) bool  { return r.Float64() < p }
func (r rng) pick(s []string) string { return s[r.IntN(len(s))] }

func (r rng) syllables(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(r.pick(onsets))
		b.WriteString(r.pick(nuclei))
		if i == n-1 || r.chance(0.3) {
			b.WriteString(r.pick(codas))
		}
	}
	return b.String()
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// newVocab returns n distinct words: the common English words first, then
// made-up ones.
func newVocab(r rng, n int) []string {
	seen := make(map[string]bool, n)
	out := make([]string, 0, n)
	for _, w := range commonWords {
		if !seen[strings.ToLower(w)] {
			seen[strings.ToLower(w)] = true
			out = append(out, w)
		}
	}
	for len(out) < n {
		w := r.syllables(r.between(1, 3))
		if len(w) < 3 || seen[w] {
			continue
		}
		seen[w] = true
		out = append(out, w)
	}
	return out[:n]
}

// newSpeakers returns n fictional people with distinct two-word names.
func newSpeakers(r rng, n int) []genSpeaker {
	seen := map[string]bool{}
	out := make([]genSpeaker, 0, n)
	for len(out) < n {
		first := capitalize(r.syllables(2))
		last := capitalize(r.syllables(r.between(2, 3)))
		name := first + " " + last
		id := strings.ToLower(first + "-" + last)
		if seen[id] || strings.EqualFold(first, last) {
			continue
		}
		seen[id] = true
		out = append(out, genSpeaker{ID: id, Name: name, Role: r.pick(roles)})
	}
	return out
}

// generate writes a synthetic archive of cfg.Lines lines into dir.
func generate(dir string, cfg genConfig) (*corpus, error) {
	if cfg.Speakers == 0 {
		cfg.Speakers = 300
	}
	if cfg.Vocab == 0 {
		cfg.Vocab = 100000
	}
	if cfg.Lines < 1 {
		return nil, fmt.Errorf("generate: %d lines", cfg.Lines)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	r := rng{rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))}
	g := &generator{
		r:        r,
		side:     rng{rand.New(rand.NewPCG(cfg.Seed^0x5bd1e995, 7))},
		runSeen:  map[string]bool{},
		vocabZ:   rand.NewZipf(r.Rand, 1.08, 2, uint64(cfg.Vocab-1)),
		speakerZ: rand.NewZipf(r.Rand, 1.2, 4, uint64(cfg.Speakers-1)),
		c: &corpus{
			Dir:      dir,
			Speakers: newSpeakers(r, cfg.Speakers),
			Vocab:    newVocab(r, cfg.Vocab),
		},
	}
	g.c.WordCount = make([]int, cfg.Vocab)
	g.c.SpeakerLines = make([]int, cfg.Speakers)
	for i, w := range g.c.Vocab {
		if strings.ContainsRune(w, '\'') {
			g.apostrophe = append(g.apostrophe, i)
		}
	}
	for done, n := 0, 0; done < cfg.Lines; done += n {
		rem := cfg.Lines - done
		n = r.between(minCallLines, maxCallLines)
		switch {
		case rem <= maxCallLines:
			n = rem
		case rem-n < minCallLines:
			n = rem - minCallLines
		}
		if err := g.writeCall(len(g.c.Calls), n); err != nil {
			return nil, err
		}
	}
	return g.c, nil
}

type generator struct {
	r          rng
	side       rng // samples runs and call words; never touches the text
	runSeen    map[string]bool
	runCount   [3][7]int // kept runs by kind and length
	callWords  []int
	vocabZ     *rand.Zipf
	speakerZ   *rand.Zipf
	c          *corpus
	apostrophe []int // vocabulary ranks of words with an apostrophe
	buf        strings.Builder
	words      []int
}

type participant struct {
	sp    int // index into corpus.Speakers
	label string
}

func initials(name string) string {
	var b strings.Builder
	for _, f := range strings.Fields(name) {
		r, _ := utf8.DecodeRuneInString(f)
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

func (g *generator) writeCall(seq, lines int) error {
	r := g.r
	// Participants: 2 to 5 distinct speakers, popular ones more often.
	np := r.between(2, 5)
	var ps []participant
	used := map[int]bool{}
	labels := map[string]bool{}
	for len(ps) < np {
		sp := int(g.speakerZ.Uint64())
		if used[sp] {
			continue
		}
		used[sp] = true
		label := initials(g.c.Speakers[sp].Name)
		for k := 2; labels[label]; k++ {
			label = initials(g.c.Speakers[sp].Name) + fmt.Sprint(k)
		}
		labels[label] = true
		ps = append(ps, participant{sp: sp, label: label})
	}
	date := fmt.Sprintf("20%02d-%02d-%02d", r.between(18, 25), r.between(1, 12), r.between(1, 28))
	slug := fmt.Sprintf("%s-%s-%s-%05d", date, lastWord(g.c.Speakers[ps[0].sp].Name), lastWord(g.c.Speakers[ps[1].sp].Name), seq)
	// Apostrophe style: straight, curly, or mixed, per call.
	style := r.IntN(3)
	g.callWords = g.callWords[:0]

	path := filepath.Join(g.c.Dir, slug+".md")
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	w := bufio.NewWriterSize(f, 64<<10)
	cw := &countWriter{w: w}
	fmt.Fprintf(cw, "---\ntitle: \"Call between %s and %s\"\ndate: %s\nlanguage: en\ncompleteness: complete\n",
		g.c.Speakers[ps[0].sp].Name, g.c.Speakers[ps[1].sp].Name, date)
	fmt.Fprintf(cw, "source:\n  publisher: Synthetic Benchmark Press\n  url: \"\"\n  published: %s\n  note: Generated by cmd/bench; fictional people saying fictional things.\n", date)
	cw.WriteString("participants:\n")
	for _, p := range ps {
		s := g.c.Speakers[p.sp]
		fmt.Fprintf(cw, "  - id: %s\n    name: %s\n    role: %s\n    labels: [%s]\n", s.ID, s.Name, s.Role, p.label)
	}
	cw.WriteString("---\n")

	declared := make([]bool, len(ps))
	prev := -1
	for n := 0; n < lines; n++ {
		cw.WriteString("\n")
		if n > 0 && n < lines-1 && r.chance(0.02) {
			// A stand-alone stage direction; the next line is a labelled turn.
			aside := r.pick(asides)
			cw.WriteString(aside + "\n")
			g.c.TextBytes += int64(len(aside))
			continue
		}
		who := r.IntN(len(ps))
		if who == prev && r.chance(0.8) {
			who = (who + 1 + r.IntN(len(ps)-1)) % len(ps)
		}
		prev = who
		p := ps[who]
		if !declared[who] {
			declared[who] = true
			fmt.Fprintf(cw, "%s (%s): ", g.c.Speakers[p.sp].Name, p.label)
		} else {
			cw.WriteString(p.label + ": ")
		}
		g.c.SpeakerLines[p.sp]++
		text := g.paragraph(style)
		cw.WriteString(text)
		cw.WriteString("\n")
		g.c.TextBytes += int64(len(text))
		if r.chance(0.04) {
			// A second paragraph of the same turn.
			text = g.paragraph(style)
			cw.WriteString("\n" + text + "\n")
			g.c.TextBytes += int64(len(text)) + 2
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("generate: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	g.c.Calls = append(g.c.Calls, genCall{Slug: slug, Date: date, Lines: lines, Words: slices.Clone(g.callWords)})
	g.c.Lines += lines
	g.c.FileBytes += cw.n
	return nil
}

func lastWord(name string) string {
	f := strings.Fields(name)
	return strings.ToLower(f[len(f)-1])
}

// paragraph returns 1 to 5 sentences.
func (g *generator) paragraph(style int) string {
	r := g.r
	b := &g.buf
	b.Reset()
	ns := 1 + r.IntN(3) + r.IntN(3)
	for s := 0; s < ns; s++ {
		if s > 0 {
			b.WriteString(" ")
		}
		g.sentence(b, style)
	}
	return b.String()
}

// sentence writes 3 to 16 Zipf-drawn words with occasional commas, dashes
// and an ending that may be an ellipsis. It records phrases for the query list.
func (g *generator) sentence(b *strings.Builder, style int) {
	r := g.r
	nw := r.between(3, 16)
	g.words = g.words[:0]
	for i := 0; i < nw; i++ {
		k := int(g.vocabZ.Uint64())
		if r.chance(0.03) && len(g.apostrophe) > 0 {
			k = g.apostrophe[r.IntN(len(g.apostrophe))]
		}
		g.words = append(g.words, k)
		g.c.WordCount[k]++
	}
	curly := style == 1 || (style == 2 && r.chance(0.5))
	render := func(i int) string {
		w := g.c.Vocab[g.words[i]]
		if curly {
			w = strings.ReplaceAll(w, "'", "’")
		}
		if i == 0 {
			w = capitalize(w)
		}
		return w
	}
	// Remember a few exact runs of words for phrase queries (only runs with
	// no punctuation in between, so that grep -F finds them as written).
	breakAt := -1 // words[i] followed by punctuation when i == breakAt
	if nw > 6 && r.chance(0.15) {
		breakAt = r.between(2, nw-3)
	}
	if r.chance(0.002) && len(g.c.Phrases) < 5000 {
		k := r.between(2, 4)
		start := r.IntN(nw - 1)
		end := min(start+k, nw)
		if breakAt < 0 || breakAt < start || breakAt >= end-1 {
			var ws []string
			for i := start; i < end; i++ {
				ws = append(ws, render(i))
			}
			g.c.Phrases = append(g.c.Phrases, strings.Join(ws, " "))
		}
	}
	for i := 1; i+1 < nw && len(g.c.CommonPhrases) < 5000; i++ {
		if g.words[i] < 12 && g.words[i+1] < 12 && i != breakAt && r.chance(0.01) {
			ph := render(i) + " " + render(i+1)
			if i+2 < nw && g.words[i+2] < 25 && i+1 != breakAt {
				ph += " " + render(i+2)
			}
			g.c.CommonPhrases = append(g.c.CommonPhrases, ph)
			break
		}
	}
	g.sample(nw, breakAt, render)
	for i := 0; i < nw; i++ {
		if i > 0 {
			b.WriteString(" ")
		}
		b.WriteString(render(i))
		if i == breakAt {
			if r.chance(0.6) {
				b.WriteString(",")
			} else {
				b.WriteString(strings.TrimRight(r.pick(dashes), " "))
			}
		}
	}
	b.WriteString(r.pick(endings))
}

// sample records, with the side PRNG only, a run of 2 to 6 words of the
// sentence in g.words that no punctuation interrupts, and now and then a
// word of the call.
func (g *generator) sample(nw, breakAt int, render func(int) string) {
	s := g.side
	if len(g.callWords) < callWordsKept && s.chance(0.05) {
		if k := g.words[s.IntN(nw)]; k >= 20 && k < 5000 && !slices.Contains(g.callWords, k) {
			g.callWords = append(g.callWords, k)
		}
	}
	if !s.chance(runRate) {
		return
	}
	n := s.between(2, 6)
	if n > nw {
		return
	}
	start := s.IntN(nw - n + 1)
	if breakAt >= start && breakAt < start+n-1 {
		return
	}
	ranks := slices.Clone(g.words[start : start+n])
	kind := runKind(ranks)
	if g.runCount[kind][n] >= maxRunsPerLength {
		return
	}
	ws := make([]string, n)
	for i := range ws {
		ws[i] = render(start + i)
	}
	text := strings.Join(ws, " ")
	if key := strings.ToLower(text); !g.runSeen[key] {
		g.runSeen[key] = true
		g.runCount[kind][n]++
		g.c.Runs = append(g.c.Runs, genRun{Text: text, Ranks: ranks})
	}
}

type countWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

func (c *countWriter) WriteString(s string) {
	n, _ := c.w.WriteString(s) // a write error surfaces at Flush
	c.n += int64(n)
}

package index

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"backchannel/internal/transcript"
)

// A deterministic synthetic archive for benchmarks: calls of 50-400 lines,
// a few hundred speakers, a Zipf-distributed vocabulary of invented words
// after a few hundred common English ones, with curly and straight
// apostrophes, dashes and ellipses. Nothing in it is a real quote.

var commonWords = strings.Fields(`the to and of a I you it that we in is not this be
have for on with they what but so will he was are at do if can just think going know
there about all one would get like as our from about them my me your their an or by
then when no yes well people say said time because very right now here some more
out up going want need make over really see go good new first last long great little
own other old big high different small large next early young important few public
bad same able deal money plan meeting call week month year today tomorrow contract
paper position agreement president minister office team report question answer`)

var apostropheWords = []string{"don't", "don’t", "it's", "it’s", "I'll", "I’ll", "that's", "that’s", "we're", "we’re", "can't", "can’t", "won't", "won’t"}

var syllables = strings.Fields(`ka ro mi ten sa lo vi dra po nel ur as ik be to fa
re qui ma sto len ga ber ox ul pi dor ven te ca zu hal mor tri ne sel an ko`)

// synthVocab returns n invented words, the same every time.
func synthVocab(n int) []string {
	r := rand.New(rand.NewPCG(7, 7))
	seen := map[string]bool{}
	out := append([]string(nil), commonWords...)
	for _, w := range commonWords {
		seen[w] = true
	}
	for len(out) < n {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syllables[r.IntN(len(syllables))])
		}
		if w := b.String(); !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// synthArchive makes an archive of about lines lines.
func synthArchive(lines int) *transcript.Archive {
	r := rand.New(rand.NewPCG(1, uint64(lines)))
	vocab := synthVocab(40000)
	zipf := rand.NewZipf(r, 1.07, 2, uint64(len(vocab)-1))
	speakers := make([]transcript.Participant, 300)
	for i := range speakers {
		first, last := vocab[200+i*7], vocab[3000+i*11]
		name := strings.ToUpper(first[:1]) + first[1:] + " " + strings.ToUpper(last[:1]) + last[1:]
		speakers[i] = transcript.Participant{
			ID: fmt.Sprintf("%s-%s-%d", first, last, i), Name: name,
			Labels: []string{fmt.Sprintf("S%d", i)},
		}
	}
	start := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	var calls []*transcript.Call
	for n := 0; n < lines; {
		size := min(50+r.IntN(351), lines-n)
		ps := make([]transcript.Participant, 2+r.IntN(3))
		for i := range ps {
			ps[i] = speakers[r.IntN(len(speakers))]
		}
		date := start.AddDate(0, 0, r.IntN(3650)).Format("2006-01-02")
		c := &transcript.Call{
			Slug: fmt.Sprintf("%s-synthetic-%05d", date, len(calls)), Title: "Synthetic call",
			Date: date, Language: "en", Completeness: transcript.Complete, Participants: ps, Format: "md",
		}
		for i := range size {
			var b strings.Builder
			words := 5 + r.IntN(36)
			for w := range words {
				if w > 0 {
					switch x := r.IntN(60); {
					case x == 0:
						b.WriteString(" — ")
					case x == 1:
						b.WriteString("… ")
					case x == 2:
						b.WriteString("... ")
					case x < 6:
						b.WriteString(", ")
					default:
						b.WriteByte(' ')
					}
				}
				if r.IntN(40) == 0 {
					b.WriteString(apostropheWords[r.IntN(len(apostropheWords))])
				} else {
					b.WriteString(vocab[zipf.Uint64()])
				}
			}
			b.WriteByte('.')
			sp := ps[r.IntN(len(ps))]
			c.Lines = append(c.Lines, transcript.Line{N: i + 1, Kind: transcript.Turn, Speaker: sp.ID, Text: b.String(), Time: float64(i * 20)})
		}
		// A call repeats a participant: keep each once.
		seen := map[string]bool{}
		uniq := c.Participants[:0]
		for _, p := range c.Participants {
			if !seen[p.ID] {
				seen[p.ID] = true
				uniq = append(uniq, p)
			}
		}
		c.Participants = uniq
		calls = append(calls, c)
		n += size
	}
	return newArchive(fmt.Sprintf("synthetic-%d", lines), calls...)
}

// queryClass is a kind of search measured by the benchmarks and the
// latency harness.
type queryClass struct {
	name    string
	queries []Query
}

// synthClasses are the query classes over a synthetic archive: each
// class cycles through several queries so that caches do not flatter it.
func synthClasses(a *transcript.Archive) []queryClass {
	vocab := synthVocab(40000)
	sp := a.Calls[0].Participants[0]
	var cls []queryClass
	add := func(name string, qs ...Query) { cls = append(cls, queryClass{name, qs}) }
	add("CommonWord", Query{Text: "the"}, Query{Text: "going"}, Query{Text: "people"}, Query{Text: "money"})
	add("RareWord", Query{Text: vocab[20000]}, Query{Text: vocab[25001]}, Query{Text: vocab[30002]}, Query{Text: vocab[35003]})
	add("TwoWords", Query{Text: "money plan"}, Query{Text: "deal week"}, Query{Text: "think going"})
	add("Phrase", Query{Text: `"of the"`}, Query{Text: `"it is not"`}, Query{Text: `"to the"`}, Query{Text: `"I’ll"`})
	add("WordSpeaker", Query{Text: "the", Speaker: sp.ID}, Query{Text: "money", Speaker: sp.Labels[0]}, Query{Text: "going", Speaker: sp.Name})
	add("Highlight10", Query{Text: "money deal", Size: 10}, Query{Text: "contract paper", Size: 10}, Query{Text: "people say", Size: 10})
	add("SpeakerFacet", Query{Text: "people", Speaker: sp.Surname()}, Query{Text: "time", Call: a.Calls[1].Slug})
	add("DeepPage", Query{Text: "the", Page: MaxFrom / 25, Size: 25}, Query{Text: "going", Page: 200, Size: 50})
	add("Prefix", Query{Text: "ka*"}, Query{Text: "mor*"}, Query{Text: "pre*"})
	add("Misspelled", Query{Text: "contrakt"}, Query{Text: "pesident"}, Query{Text: "tomorow"})
	add("DateSort", Query{Text: "money", Sort: SortDate}, Query{Text: "deal", Sort: SortDateDesc})
	return cls
}

package index

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"backchannel/internal/transcript"
)

// A build reads each call's lines twice: once to summarise them (hash,
// speakers, line numbers, a sample of text), once to index them. Between
// the two, and after, only the summaries are kept. An archive whose lines
// are read on demand (transcript.Archive.WithLines, from a catalog) is
// then never in memory all at once: at a million lines the parsed lines
// were 300 MB of a 1M-line ingest's live heap (issue 6, heap profile).

// callSum is what a build knows of a call's lines without holding them.
type callSum struct {
	hash     string
	lines    int
	odd      bool     // not numbered 1, 2, … in order (see callMeta.Odd)
	speakers []string // distinct speaker IDs, in order of first line
	ns       []uint32 // line numbers, in file order
	sp       []uint16 // speaker of each line: index in speakers + 1, 0 for none
}

// summarise reads every call's lines once, in parallel, and returns their
// summaries and every sampleEvery-th line's text (for pairWordsOf).
func summarise(ctx context.Context, a *transcript.Archive, calls []*transcript.Call, sampleEvery int) ([]callSum, []string, error) {
	sums := make([]callSum, len(calls))
	samples := make([][]string, len(calls))
	// Which lines are sampled depends on each call's first line's place
	// in the archive, known from line counts without reading the lines.
	first := make([]int, len(calls))
	total := 0
	for i, c := range calls {
		first[i] = total
		total += a.LineCount(c)
	}
	err := parallel(ctx, len(calls), 1, func(i int) error {
		c, err := a.WithLines(calls[i])
		if err != nil {
			return fmt.Errorf("read %s: %w", calls[i].Slug, err)
		}
		sums[i] = summary(c)
		if sampleEvery > 0 {
			for j, l := range c.Lines {
				if (first[i]+j+1)%sampleEvery == 0 {
					// A copy: the text may share memory with the whole
					// file it was read from.
					samples[i] = append(samples[i], strings.Clone(l.Text))
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return sums, slices.Concat(samples...), nil
}

// summary summarises c, whose lines are in memory.
func summary(c *transcript.Call) callSum {
	s := callSum{hash: callHash(c), lines: len(c.Lines), odd: !numberedFromOne(c),
		ns: make([]uint32, len(c.Lines)), sp: make([]uint16, len(c.Lines))}
	idx := map[string]uint16{}
	for i, l := range c.Lines {
		s.ns[i] = uint32(l.N)
		if l.Speaker == "" {
			continue
		}
		k, ok := idx[l.Speaker]
		if !ok {
			s.speakers = append(s.speakers, l.Speaker)
			k = uint16(min(len(s.speakers), 1<<16-1))
			idx[l.Speaker] = k
		}
		s.sp[i] = k
	}
	return s
}

package transcript

import (
	"regexp"
	"strings"
	"sync"
)

// The larger expressions are compiled on first use, as in md.go: only
// parsing a transcript of this format needs them.
var (
	srtIndexRE  = regexp.MustCompile(`^[0-9]+$`)
	srtTimingRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^([0-9]{1,3}):([0-9]{2}):([0-9]{2})[,.]([0-9]{1,3})[ \t]*-->[ \t]*([0-9]{1,3}):([0-9]{2}):([0-9]{2})[,.]([0-9]{1,3})`)
	})
	// srtTagRE is formatting that subtitle tools put in the text: HTML-like
	// tags (<i>, <font color=...>) and ASS overrides ({\an8}).
	srtTagRE = regexp.MustCompile(`</?(?i:i|b|u|s|font)(?:\s[^>]*)?>|\{\\[^}]*\}`)
	// capsRE is a speaker written in capitals: "JOHN", "MARIA KELLER", "Q".
	capsRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\p{Lu}[\p{Lu}\p{N}.'’\-]*(?:[ \t]+\p{Lu}[\p{Lu}\p{N}.'’\-]*){0,3}$`)
	})
	// oneNameRE is one capitalised word: "Maria".
	oneNameRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^\p{Lu}[\pL\pM'’\-]*$`)
	})
)

// srtBlock is one subtitle: its timing and text lines.
type srtBlock struct {
	line  int // 1-based file line of the timing line
	start float64
	text  []string
}

// parseSRT reads a SubRip (.srt) file: numbered subtitles with timings.
// A subtitle line starting with `Name:` (or `- Name:`) gives the speaker,
// when Name looks like a speaker (see speakerLike); a subtitle without one
// continues the last speaker.
func parseSRT(in input) (*Call, Problems) {
	lines, ps, ok := decodeText(in.path, in.data)
	if !ok {
		return nil, ps
	}
	h, hps := metaFor(in)
	ps = append(ps, hps...)
	b := newBody(in.path, h.Participants)

	var blocks []srtBlock
	for _, p := range paragraphs(lines, 1) {
		bl := strings.Split(p.text, "\n")
		i := 0
		if srtIndexRE.MatchString(strings.TrimSpace(bl[0])) && len(bl) > 1 {
			i = 1
		}
		m := srtTimingRE().FindStringSubmatch(strings.TrimSpace(bl[i]))
		if m == nil {
			b.errorf(p.line+i, "subtitle has no timing line: write `00:00:01,000 --> 00:00:04,000` after its number")
			continue
		}
		h, mi, s, ms := atoi(m[1]), atoi(m[2]), atoi(m[3]), m[4]
		if mi > 59 || s > 59 || atoi(m[6]) > 59 || atoi(m[7]) > 59 {
			b.errorf(p.line+i, "timing %q has minutes or seconds over 59", strings.TrimSpace(bl[i]))
			continue
		}
		start := float64(h*3600+mi*60+s) + float64(atoi(ms))/pow10(len(ms))
		blocks = append(blocks, srtBlock{line: p.line + i, start: start, text: bl[i+1:]})
	}

	// Speakers written as one capitalised word count only when the word
	// starts a line more than once, so that "Note: ..." stays text.
	uses := map[string]int{}
	for _, bk := range blocks {
		for _, l := range bk.text {
			if m := speakerSplit(strings.TrimSpace(l), 40, true); m != nil {
				uses[m[1]]++
			}
		}
	}
	last := ""
	for _, bk := range blocks {
		var cur *Line
		flush := func() {
			if cur != nil && strings.TrimSpace(cur.Text) != "" {
				cur.Text = strings.TrimSpace(cur.Text)
				b.add(*cur)
			}
			cur = nil
		}
		for _, raw := range bk.text {
			l := raw
			if strings.ContainsAny(l, "<{") {
				l = srtTagRE.ReplaceAllString(l, "")
			}
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			if m := speakerSplit(l, 40, true); m != nil && speakerLike(m[1], b.sp, uses) {
				flush()
				last = b.speaker(m[1], bk.line)
				cur = &Line{Kind: Turn, Speaker: last, Text: m[2], Time: bk.start, SourceLine: bk.line}
				continue
			}
			if strings.HasPrefix(l, "-") && cur != nil && strings.HasPrefix(strings.TrimSpace(bk.text[0]), "-") {
				// A dialogue dash without a name: another, unnamed speaker.
				flush()
				cur = &Line{Kind: Turn, Text: strings.TrimSpace(strings.TrimPrefix(l, "-")), Time: bk.start, SourceLine: bk.line}
				continue
			}
			switch {
			case isDirection(l), isEditorialLine(l, b.sp):
				// "[music]", or an editor's "Note: ...".
				flush()
				b.add(Line{Kind: Direction, Text: l, Time: bk.start, SourceLine: bk.line})
			case cur == nil:
				cur = &Line{Kind: Turn, Speaker: last, Text: l, Time: bk.start, SourceLine: bk.line}
			default:
				cur.Text += "\n" + l
			}
		}
		flush()
	}
	return b.call(h, ps, 1, "no subtitles with text: an SRT file needs numbered subtitles with `00:00:01,000 --> 00:00:04,000` timings")
}

func pow10(n int) float64 {
	p := 1.0
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

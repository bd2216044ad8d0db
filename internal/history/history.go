package history

import (
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"backchannel/internal/transcript"
)

// Similar is how alike two lines' words must be (a ratio of matched words,
// 0 to 1) for a line the diff left unpaired to count as changed rather than
// removed and added.
const Similar = 0.6

// Now is where a line of an older version is in a newer one.
type Now struct {
	N       int  // its line number there
	Changed bool // its speaker or words changed
	Moved   bool // the same line, elsewhere among the others
}

// Mapping follows the lines of an older version into a newer one.
type Mapping struct {
	// Now is, for each line of the older version (index n-1), where it is
	// in the newer one, or nil when it was removed.
	Now []*Now
	// Added are the newer version's lines that no older line became.
	Added []int
}

// Counts are how many lines a version added, removed, changed and moved
// (the same words put elsewhere among the other lines).
func (m Mapping) Counts() (added, removed, changed, moved int) {
	for _, n := range m.Now {
		switch {
		case n == nil:
			removed++
		case n.Changed:
			changed++
		case n.Moved:
			moved++
		}
	}
	return len(m.Added), removed, changed, moved
}

// key is what two lines must share to be the same line.
func key(l transcript.Line) string { return string(l.Kind) + "\x00" + l.Speaker + "\x00" + l.Text }

// Map follows the lines of old into new.
func Map(old, new []transcript.Line) Mapping {
	a, b := make([]string, len(old)), make([]string, len(new))
	for i, l := range old {
		a[i] = key(l)
	}
	for i, l := range new {
		b[i] = key(l)
	}
	m := Mapping{Now: make([]*Now, len(old))}
	used := make([]bool, len(new))
	sm := difflib.NewMatcherWithJunk(a, b, false, nil)
	for _, op := range sm.GetOpCodes() {
		if op.Tag == 'e' {
			for k := range op.I2 - op.I1 {
				m.Now[op.I1+k] = &Now{N: new[op.J1+k].N}
				used[op.J1+k] = true
			}
		}
	}
	// Lines the diff left unpaired: the same words elsewhere (moved), or
	// the most similar unpaired line of the same speaker, in order.
	for i := range old {
		if m.Now[i] != nil {
			continue
		}
		best, bestRatio := -1, Similar
		for j := range new {
			if used[j] || new[j].Speaker != old[i].Speaker || new[j].Kind != old[i].Kind {
				continue
			}
			if a[i] == b[j] {
				best, bestRatio = j, 2
				break
			}
			if r := similarity(old[i].Text, new[j].Text); r >= bestRatio && r > 0 {
				best, bestRatio = j, r
			}
		}
		if best >= 0 {
			used[best] = true
			m.Now[i] = &Now{N: new[best].N, Changed: a[i] != b[best], Moved: a[i] == b[best]}
		}
	}
	for j := range new {
		if !used[j] {
			m.Added = append(m.Added, new[j].N)
		}
	}
	return m
}

// similarity is the ratio of words two texts share, in order (0 to 1).
func similarity(x, y string) float64 {
	sm := difflib.NewMatcherWithJunk(strings.Fields(x), strings.Fields(y), false, nil)
	return sm.Ratio()
}

// Op says what a piece of a word diff is.
type Op int

const (
	Same    Op = iota // in both texts
	Removed           // only in the older text
	Added             // only in the newer text
)

// Piece is a run of words of a word diff, with the spaces after them.
type Piece struct {
	Text string
	Op   Op
}

// Words is the word diff of an older and a newer text: the pieces of both,
// in reading order, removed before added where they replace each other.
func Words(old, new string) []Piece {
	a, b := splitWords(old), splitWords(new)
	sm := difflib.NewMatcherWithJunk(a, b, false, nil)
	var out []Piece
	add := func(words []string, op Op) {
		if len(words) == 0 {
			return
		}
		text := strings.Join(words, "")
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text
			return
		}
		out = append(out, Piece{Text: text, Op: op})
	}
	for _, op := range sm.GetOpCodes() {
		switch op.Tag {
		case 'e':
			add(a[op.I1:op.I2], Same)
		case 'd':
			add(a[op.I1:op.I2], Removed)
		case 'i':
			add(b[op.J1:op.J2], Added)
		case 'r':
			add(a[op.I1:op.I2], Removed)
			add(b[op.J1:op.J2], Added)
		}
	}
	return out
}

// splitWords splits s into words, each with the spaces that follow it, so
// that the pieces joined give s back.
func splitWords(s string) []string {
	var out []string
	start := 0
	inSpace := false
	for i, r := range s {
		space := r == ' ' || r == '\n' || r == '\t'
		if inSpace && !space {
			out = append(out, s[start:i])
			start = i
		}
		inSpace = space
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

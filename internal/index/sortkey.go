package index

import (
	"strings"
)

// Sort keys put lines in archive order (call date, call slug, line
// number) as short strings, compared byte by byte. A line's key is its
// call's key, a separator, and its line number:
//
//	callKey + "." + lineKey(n)
//
// Call keys are fractional: digits of a base-62 fraction with no trailing
// zero, so that a key can always be made between two others. A full
// build spaces the calls' keys evenly; an incremental build keeps the
// keys of the calls it does not touch and makes keys for new calls (or
// calls whose date changed) between their neighbours', so that no other
// call's lines need re-indexing.

// keyDigits are the digits of call and line keys, in byte order.
const keyDigits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

const (
	keyBase = len(keyDigits)
	// keySep separates the call key from the line key; it sorts before
	// every digit, so that a call key that is a prefix of another sorts
	// first with all its lines.
	keySep = '.'
	// maxCallKey is the longest call key an incremental build may make;
	// past it the index is rebuilt (evenly spaced keys again).
	maxCallKey = 12
)

func keyDigit(b byte) int { return strings.IndexByte(keyDigits, b) }

// lineSortKey is the sort key of line n of the call with key callKey.
func lineSortKey(callKey string, n int) string {
	return callKey + string(keySep) + lineKey(n)
}

// lineKey writes n ≥ 0 in base 62 after one digit giving its length, so
// that keys of different lengths sort as numbers.
func lineKey(n int) string {
	n = max(n, 0)
	var d []byte
	for {
		d = append(d, keyDigits[n%keyBase])
		n /= keyBase
		if n == 0 {
			break
		}
	}
	out := make([]byte, 0, len(d)+1)
	out = append(out, keyDigits[len(d)])
	for i := len(d) - 1; i >= 0; i-- {
		out = append(out, d[i])
	}
	return string(out)
}

// spacedKeys returns n increasing call keys, evenly spaced with room for
// about keyBase/2 insertions between neighbours before a key grows.
func spacedKeys(n int) []string {
	width, capacity := 1, keyBase
	for capacity < (n+1)*keyBase/2 {
		width++
		capacity *= keyBase
	}
	step := capacity / (n + 1)
	out := make([]string, n)
	buf := make([]byte, width)
	for i := range n {
		v := (i + 1) * step
		for j := width - 1; j >= 0; j-- {
			buf[j] = keyDigits[v%keyBase]
			v /= keyBase
		}
		out[i] = strings.TrimRight(string(buf), "0") // v > 0: never empty
	}
	return out
}

// keyBetween returns a key strictly between lo and hi, where lo == ""
// means no lower bound and hi == "" no upper bound. Both must be valid
// keys (digits only, no trailing zero) with lo < hi. It is the midpoint
// of "fractional indexing" (as in Figma's and Rocicorp's).
func keyBetween(lo, hi string) string {
	if hi != "" {
		n := 0
		for n < len(hi) && digitAt(lo, n) == hi[n] {
			n++
		}
		if n > 0 {
			rest := ""
			if n < len(lo) {
				rest = lo[n:]
			}
			return hi[:n] + keyBetween(rest, hi[n:])
		}
	}
	da := 0
	if lo != "" {
		da = keyDigit(lo[0])
	}
	db := keyBase
	if hi != "" {
		db = keyDigit(hi[0])
	}
	if db-da > 1 {
		return string(keyDigits[(da+db+1)/2])
	}
	if len(hi) > 1 {
		return hi[:1]
	}
	rest := ""
	if len(lo) > 1 {
		rest = lo[1:]
	}
	return string(keyDigits[da]) + keyBetween(rest, "")
}

func digitAt(s string, i int) byte {
	if i < len(s) {
		return s[i]
	}
	return keyDigits[0]
}

// keysBetween returns n increasing keys strictly between lo and hi (""
// meaning unbounded, as for keyBetween), by bisection, so that their
// length grows with log n, not n.
func keysBetween(lo, hi string, n int) []string {
	if n <= 0 {
		return nil
	}
	mid := keyBetween(lo, hi)
	left := keysBetween(lo, mid, n/2)
	right := keysBetween(mid, hi, n-n/2-1)
	out := make([]string, 0, n)
	out = append(out, left...)
	out = append(out, mid)
	return append(out, right...)
}

// validKey reports whether k is a usable call key.
func validKey(k string) bool {
	if k == "" || len(k) > maxCallKey || k[len(k)-1] == keyDigits[0] {
		return false
	}
	for i := 0; i < len(k); i++ {
		if keyDigit(k[i]) < 0 {
			return false
		}
	}
	return true
}

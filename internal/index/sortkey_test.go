package index

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestLineKey(t *testing.T) {
	var prev string
	for n := 0; n < 300000; n += 1 + n/50 {
		k := lineKey(n)
		if k <= prev {
			t.Fatalf("lineKey(%d) = %q, not after %q", n, k, prev)
		}
		prev = k
	}
	// A call key that is a prefix of another sorts first with its lines.
	if !(lineSortKey("a", 99999) < lineSortKey("a0V", 1)) {
		t.Error("the lines of call a do not sort before those of call a0V")
	}
}

func TestSpacedKeys(t *testing.T) {
	for _, n := range []int{0, 1, 2, 30, 61, 62, 1000, 5000, 100000} {
		ks := spacedKeys(n)
		if len(ks) != n {
			t.Fatalf("spacedKeys(%d): %d keys", n, len(ks))
		}
		for i, k := range ks {
			if !validKey(k) || (i > 0 && k <= ks[i-1]) {
				t.Fatalf("spacedKeys(%d)[%d] = %q after %q", n, i, k, ks[max(i-1, 0)])
			}
		}
		if n > 0 && len(ks[n-1]) > 4 && n < 5000 {
			t.Errorf("spacedKeys(%d): key %q longer than needed", n, ks[n-1])
		}
	}
}

func TestKeyBetween(t *testing.T) {
	tests := []struct{ lo, hi string }{
		{"", ""}, {"", "1"}, {"", "01"}, {"", "001"}, {"1", ""}, {"z", ""}, {"zz", ""},
		{"1", "2"}, {"1", "3"}, {"1z", "2"}, {"1", "11"}, {"1", "101"}, {"0z", "1"},
		{"a", "a01"}, {"A", "a"}, {"Vz", "W"}, {"y", "z"}, {"yzzz", "z"},
	}
	for _, tt := range tests {
		k := keyBetween(tt.lo, tt.hi)
		if !validKey(k) || k <= tt.lo || (tt.hi != "" && k >= tt.hi) {
			t.Errorf("keyBetween(%q, %q) = %q", tt.lo, tt.hi, k)
		}
	}
}

// Random insertions anywhere keep every key valid, distinct and in order,
// and their length grows slowly.
func TestKeysBetween_Random(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	keys := spacedKeys(50)
	for range 2000 {
		i := r.IntN(len(keys) + 1)
		lo, hi := "", ""
		if i > 0 {
			lo = keys[i-1]
		}
		if i < len(keys) {
			hi = keys[i]
		}
		n := 1 + r.IntN(5)
		if r.IntN(50) == 0 {
			n = 1000
		}
		ks := keysBetween(lo, hi, n)
		if len(ks) != n {
			t.Fatalf("keysBetween(%q, %q, %d): %d keys", lo, hi, n, len(ks))
		}
		keys = slices.Insert(keys, i, ks...)
		if len(keys) > 20000 {
			break
		}
	}
	longest := 0
	for i, k := range keys {
		if k == "" || k[len(k)-1] == '0' || strings.Trim(k, keyDigits) != "" {
			t.Fatalf("invalid key %q", k)
		}
		if i > 0 && k <= keys[i-1] {
			t.Fatalf("keys out of order: %q after %q", k, keys[i-1])
		}
		longest = max(longest, len(k))
	}
	t.Logf("%d keys, longest %d", len(keys), longest)
}

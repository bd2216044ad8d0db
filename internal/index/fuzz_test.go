package index

import (
	"context"
	"errors"
	"testing"
	"time"
)

// FuzzSearch checks that no query text makes Search fail: text is never
// an error (only a deadline may stop a search).
func FuzzSearch(f *testing.F) {
	for _, s := range []string{
		"word for word", `"routine delivery`, "speaker:", "C++", "***", "/.*/", "inform*",
		"rotterdan", "a OR b OR -c", `speaker:"Hal Jennings" senator`, "after:2025-01-01 x",
		"документы", "é*", "\x00", "the-the-the", "c’est", "I’ll",
	} {
		f.Add(s)
	}
	x, _ := buildOpen(f, fixtureArchive())
	f.Fuzz(func(t *testing.T, s string) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		r, err := x.Search(ctx, Query{Text: s})
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				t.Skip("deadline")
			}
			t.Fatalf("Search(%q): %v", s, err)
		}
		if r.Hits == nil || r.Total < uint64(len(r.Hits)) {
			t.Fatalf("Search(%q): %+v", s, r)
		}
	})
}

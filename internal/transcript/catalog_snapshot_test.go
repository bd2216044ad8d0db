package transcript

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkTakeSnapshot stats a folder of 4,445 transcripts and 445
// sidecars, the size of the 1M-line benchmark archive: a server start
// from the catalog does this before it answers.
func BenchmarkTakeSnapshot(b *testing.B) {
	dir := b.TempDir()
	for i := range 4445 {
		name := filepath.Join(dir, fmt.Sprintf("2031-01-01-call-%05d.md", i))
		if err := os.WriteFile(name, []byte("x"), 0o644); err != nil {
			b.Fatal(err)
		}
		if i%10 == 0 {
			if err := os.WriteFile(name[:len(name)-3]+".yaml", []byte("x"), 0o644); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if s := takeSnapshot(dir); len(s.Files) != 4445+445 {
			b.Fatalf("%d files", len(s.Files))
		}
	}
}

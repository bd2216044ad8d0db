package index

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestColumns_MappedAsCopied: the columns an index opens with (slices of
// the mapped file on this machine) are those of the file decoded value by
// value, and a damaged file is refused.
func TestColumns_MappedAsCopied(t *testing.T) {
	_, dir := buildOpen(t, synthArchive(2000))
	cur, err := testCurrent(dir)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(cur, columnsFile)
	mapped, err := readColumns(path)
	if err != nil {
		t.Fatal(err)
	}
	defer mapped.close()
	if binary.NativeEndian.Uint16([]byte{1, 0}) == 1 && len(mapped.mapped) == 0 {
		t.Error("columns were copied on a little-endian machine, not used in place")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// One byte off a word boundary: decoded value by value.
	odd := make([]byte, len(b)+1)[1:]
	copy(odd, b)
	copied, err := parseColumns(odd)
	if err != nil {
		t.Fatal(err)
	}
	if copied.mapped != nil {
		t.Fatal("columns of an unaligned buffer were not copied")
	}
	if mapped.docs() < 2000 {
		t.Fatalf("%d documents in the columns, want one per line", mapped.docs())
	}
	for name, pair := range map[string][2][]uint32{
		"rank": {mapped.rank, copied.rank}, "speaker": {mapped.speaker, copied.speaker}, "call": {mapped.call, copied.call},
		"callDate": {mapped.callDate, copied.callDate}, "callLang": {mapped.callLang, copied.callLang},
	} {
		if !slices.Equal(pair[0], pair[1]) {
			t.Errorf("column %s differs between the mapped and the decoded file", name)
		}
	}
	if _, err := parseColumns(b[:len(b)-4]); err == nil {
		t.Error("a truncated columns file was accepted")
	}
}

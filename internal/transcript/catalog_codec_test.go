package transcript

import (
	"bytes"
	"encoding/gob"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// syntheticCatalog is a catalog shaped like that of the 1M-line benchmark
// archive (cmd/bench): calls of five participants with a label each, a
// sidecar on every tenth; every field that can be set is set somewhere.
func syntheticCatalog(calls int) *Catalog {
	cat := &Catalog{
		Version:  catalogVersion,
		Snapshot: snapshot{Dir: "/srv/archive/transcripts", Abs: "/srv/archive/transcripts", Taken: time.Unix(1_800_000_000, 123456789)},
		Hash:     "5f2c0e6a4d1b3c8e9f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e",
		Racy:     []string{"/srv/archive/transcripts/2031-01-01-late.md"},
		Warnings: Problems{{Path: "/srv/archive/transcripts/2031-01-02-odd.md", Line: 12, Col: 3, Severity: Warning, Message: "unknown header key “mood”"}},
	}
	for i := range calls {
		slug := fmt.Sprintf("2031-%02d-%02d-harbour-board-%05d", 1+i%12, 1+i%28, i)
		path := cat.Snapshot.Dir + "/" + slug + ".md"
		c := catalogCall{
			Slug: slug, Title: fmt.Sprintf("Call between Ana Lima and Ben Osei, part %d", i),
			Date: slug[:10], Language: "en", Completeness: Complete,
			Source: Source{Publisher: "Synthetic Benchmark Press", Published: slug[:10],
				Note: "Fictional people saying fictional things."},
			Path: path, SHA256: fmt.Sprintf("%064x", i), Format: "md", Lines: 50 + i%350,
			Turns: map[string]int{},
		}
		for p := range 5 {
			id := fmt.Sprintf("speaker-%03d", (i*7+p*31)%400)
			c.Participants = append(c.Participants, Participant{ID: id, Name: fmt.Sprintf("Speaker Number%03d", (i*7+p*31)%400),
				Role: "harbour official", Labels: []string{fmt.Sprintf("S%d", p)}})
			c.Turns[id] = 10 + p
		}
		cat.Snapshot.Files = append(cat.Snapshot.Files, fileState{Path: path, Size: 44_000 + int64(i), Mode: 0o644,
			Mtime: 1_799_000_000_000_000_000 + int64(i), Ctime: 1_799_000_000_000_000_000 + int64(i), Ino: uint64(1000 + i)})
		if i%10 == 0 {
			c.Sidecar, c.SidecarSHA256 = cat.Snapshot.Dir+"/"+slug+".yaml", fmt.Sprintf("%064x", i+1)
			c.Media, c.Summary = "https://example.org/"+slug+".mp3", "A *fictional* call."
			c.Order = OrderUnknown
			cat.Snapshot.Files = append(cat.Snapshot.Files, fileState{Path: c.Sidecar, Size: 300, Mode: 0o644, Err: ""})
		}
		cat.Calls = append(cat.Calls, c)
	}
	cat.Snapshot.Files = append(cat.Snapshot.Files, fileState{Path: cat.Snapshot.Dir + "/unreadable.md", Err: "permission denied"})
	return cat
}

// TestCatalogCodec_RoundTrip: every field of a catalog comes back as it
// was written, and writing what was read gives the same bytes.
func TestCatalogCodec_RoundTrip(t *testing.T) {
	tests := []struct {
		name string
		cat  *Catalog
	}{
		{"synthetic", syntheticCatalog(25)},
		{"empty", &Catalog{Version: catalogVersion}},
	}
	dir := catalogDir(t)
	fromFiles, _ := settledCatalog(t, dir)
	tests = append(tests, struct {
		name string
		cat  *Catalog
	}{"fixtures", fromFiles})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "catalog.gob")
			if err := tt.cat.WriteFile(path); err != nil {
				t.Fatal(err)
			}
			got, err := ReadCatalog(path)
			if err != nil {
				t.Fatal(err)
			}
			if !got.Snapshot.Taken.Equal(tt.cat.Snapshot.Taken) {
				t.Errorf("Taken = %v, want %v", got.Snapshot.Taken, tt.cat.Snapshot.Taken)
			}
			want := *tt.cat
			want.Snapshot.Taken = got.Snapshot.Taken // compared above (the monotonic clock is not saved)
			if !reflect.DeepEqual(got, &want) {
				t.Errorf("read back:\n got %+v\nwant %+v", got, &want)
			}
			b, _ := os.ReadFile(path)
			if again := encodeCatalog(got); !bytes.Equal(again, b) {
				t.Error("writing a catalog read back gives other bytes")
			}
		})
	}
}

// TestReadCatalog_RefusesOtherFiles: a catalog of the old gob format, of
// another version, or damaged in any way is refused, never misread.
func TestReadCatalog_RefusesOtherFiles(t *testing.T) {
	cat := syntheticCatalog(3)
	good := encodeCatalog(cat)
	var oldGob bytes.Buffer
	old := *cat
	old.Version = 1
	if err := gob.NewEncoder(&oldGob).Encode(&old); err != nil {
		t.Fatal(err)
	}
	other := *cat
	other.Version = catalogVersion + 1
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x20

	tests := []struct {
		name string
		data []byte
	}{
		{"empty file", nil},
		{"text", []byte("not a catalog\n")},
		{"gob catalog of version 1", oldGob.Bytes()},
		{"another version", encodeCatalog(&other)},
		{"truncated", good[:len(good)-1]},
		{"cut in the middle", good[:len(good)/2]},
		{"one bit flipped", flipped},
		{"bytes appended", append(bytes.Clone(good), 0)},
		{"magic only", []byte(catalogMagic)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "catalog.gob")
			write(t, path, string(tt.data))
			got, err := ReadCatalog(path)
			if err == nil {
				t.Fatalf("ReadCatalog succeeded: %+v", got)
			}
			if !errors.Is(err, errCatalogFormat) {
				t.Errorf("error %v does not say the file is not a catalog", err)
			}
		})
	}
}

// TestCatalogCodec_DamagedBody: a body that passes the checksum but does
// not parse (a bug, or a deliberate edit) is refused without panicking or
// allocating what a damaged count asks for.
func TestCatalogCodec_DamagedBody(t *testing.T) {
	tests := []struct {
		name string
		body func(e *catalogEncoder)
	}{
		{"huge file count", func(e *catalogEncoder) {
			e.str("/d")
			e.str("/d")
			e.varint(0)
			e.uvarint(0)
			e.uvarint(1 << 60)
		}},
		{"string longer than the file", func(e *catalogEncoder) { e.uvarint(1 << 40) }},
		{"varint overflow", func(e *catalogEncoder) {
			e.b = append(e.b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f)
		}},
		{"negative line count", func(e *catalogEncoder) {
			cat := syntheticCatalog(1)
			cat.Calls[0].Lines = -1
			e.body(cat)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := catalogEncoder{}
			e.b = append(e.b, catalogMagic...)
			e.uvarint(catalogVersion)
			tt.body(&e)
			if cat, err := decodeCatalog(sealed(e.b)); err == nil {
				t.Errorf("decoded: %+v", cat)
			}
		})
	}
}

// sealed appends the checksum to b.
func sealed(b []byte) []byte { return appendChecksum(b) }

// FuzzDecodeCatalog: no input makes the reader panic, and whatever it
// accepts is written back as the same catalog.
func FuzzDecodeCatalog(f *testing.F) {
	body := func(cat *Catalog) []byte {
		b := encodeCatalog(cat)
		return b[len(catalogMagic) : len(b)-4]
	}
	f.Add(body(syntheticCatalog(2)))
	f.Add(body(&Catalog{Version: catalogVersion}))
	f.Add([]byte{catalogVersion, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		data := sealed(append([]byte(catalogMagic), b...))
		cat, err := decodeCatalog(data)
		if err != nil {
			return
		}
		again, err := decodeCatalog(encodeCatalog(cat))
		if err != nil {
			t.Fatalf("a catalog read back does not read again: %v", err)
		}
		if !reflect.DeepEqual(again, cat) {
			t.Fatalf("read, written and read again:\n got %+v\nwant %+v", again, cat)
		}
	})
}

// BenchmarkReadCatalog reads the catalog of an archive shaped like the
// 1M-line benchmark's (4,445 calls) and makes its archive, as a server's
// start does. The gob case is the format of catalog version 1, for
// comparison.
func BenchmarkReadCatalog(b *testing.B) {
	cat := syntheticCatalog(4445)
	path := filepath.Join(b.TempDir(), "catalog.gob")
	if err := cat.WriteFile(path); err != nil {
		b.Fatal(err)
	}
	b.Run("format=binary", func(b *testing.B) {
		fi, _ := os.Stat(path)
		b.ReportMetric(float64(fi.Size())/1e6, "file-MB")
		b.ReportAllocs()
		for b.Loop() {
			got, err := ReadCatalog(path)
			if err != nil {
				b.Fatal(err)
			}
			got.Archive(nil, DefaultLineCacheBytes)
		}
	})
	b.Run("format=gob-v1", func(b *testing.B) {
		var buf bytes.Buffer
		if err := gob.NewEncoder(&buf).Encode(cat); err != nil {
			b.Fatal(err)
		}
		gobPath := filepath.Join(b.TempDir(), "catalog.gob")
		if err := os.WriteFile(gobPath, buf.Bytes(), 0o644); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(buf.Len())/1e6, "file-MB")
		b.ReportAllocs()
		for b.Loop() {
			data, err := os.ReadFile(gobPath)
			if err != nil {
				b.Fatal(err)
			}
			got := &Catalog{}
			if err := gob.NewDecoder(bytes.NewReader(data)).Decode(got); err != nil {
				b.Fatal(err)
			}
			got.Archive(nil, DefaultLineCacheBytes)
		}
	})
}

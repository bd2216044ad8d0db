package store

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"backchannel/internal/transcript"
)

// fictionalCall is a call of fictional people with every kind of line.
func fictionalCall(n int) *transcript.Call {
	c := &transcript.Call{
		Slug: "2031-04-01-lima-osei", Title: "Call between Ana Lima and Ben Osei", Date: "2031-04-01",
		Language: "en", Completeness: transcript.Excerpt,
		Source:       transcript.Source{Publisher: "Harbour Gazette", URL: "https://example.org/x", Published: "2031-04-02", Note: "As reported."},
		Participants: []transcript.Participant{{ID: "ana-lima", Name: "Ana Lima", Role: "Harbour master", Labels: []string{"AL"}}, {ID: "ben-osei", Name: "Ben Osei", Labels: []string{"BO"}}},
		Summary:      "A *fictional* call.", Media: "https://example.org/a.mp3",
		Path: "/srv/t/2031-04-01-lima-osei.md", SHA256: "ab12", Format: "md",
	}
	for i := range n {
		l := transcript.Line{N: i + 1, Kind: transcript.Turn, Speaker: "ana-lima", Text: fmt.Sprintf("Line %d: the tide “turns” at dawn… naïve café, %q", i+1, "x"), Time: float64(i) * 1.5, SourceLine: 10 + i}
		if i%5 == 4 {
			l.Kind, l.Speaker, l.Text, l.Time = transcript.Direction, "", "[phone rings]", -1
		}
		if i%7 == 3 {
			l.Text += "\n\nA second paragraph."
		}
		c.Lines = append(c.Lines, l)
	}
	return c
}

func TestStore_RoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 40} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			s := Open(t.TempDir())
			c := fictionalCall(n)
			key := Key(c.Format, c.SHA256, "")
			if s.Has(key) {
				t.Fatal("Has before Put")
			}
			if err := s.Put(key, c); err != nil {
				t.Fatal(err)
			}
			if !s.Has(key) {
				t.Fatal("no object after Put")
			}
			got, err := s.Call(key)
			if err != nil {
				t.Fatal(err)
			}
			want := *c
			want.Path = "" // not part of the content
			if diff := cmp.Diff(&want, got); diff != "" {
				t.Errorf("call read back (-want +got):\n%s", diff)
			}
			lines, size, err := s.Lines(key)
			if err != nil || size <= 0 && n > 0 {
				t.Fatalf("Lines: %v, size %d", err, size)
			}
			if diff := cmp.Diff(c.Lines, lines); diff != "" {
				t.Errorf("lines (-want +got):\n%s", diff)
			}
			// Every run of lines, clipped at both ends.
			for from := -1; from <= n+2; from++ {
				for to := from - 1; to <= n+2; to++ {
					got, err := s.LineRange(key, from, to)
					if err != nil {
						t.Fatalf("LineRange(%d, %d): %v", from, to, err)
					}
					a, b := max(from, 1), min(to, n)
					var want []transcript.Line
					if a <= b {
						want = c.Lines[a-1 : b]
					}
					if diff := cmp.Diff(want, got, cmpEmpty); diff != "" {
						t.Fatalf("LineRange(%d, %d) (-want +got):\n%s", from, to, diff)
					}
				}
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(x, y []transcript.Line) bool { return len(x) == 0 && len(y) == 0 }, cmp.Ignore())

// Put of a key already stored writes nothing: the first object stays.
func TestStore_PutOnce(t *testing.T) {
	s := Open(t.TempDir())
	c := fictionalCall(3)
	key := Key("md", "same", "")
	if err := s.Put(key, c); err != nil {
		t.Fatal(err)
	}
	p, _ := s.path(key)
	before, _ := os.Stat(p)
	other := fictionalCall(5)
	if err := s.Put(key, other); err != nil {
		t.Fatal(err)
	}
	after, _ := os.Stat(p)
	if !os.SameFile(before, after) || after.Size() != before.Size() {
		t.Error("Put rewrote an existing object")
	}
	if tmps, _ := filepath.Glob(filepath.Join(s.Dir(), "*", ".tmp-*")); len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}

func TestKey(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range []string{Key("md", "a", ""), Key("md", "a", "s"), Key("txt", "a", ""), Key("md", "b", "")} {
		if keys[k] {
			t.Errorf("two contents share key %s", k)
		}
		keys[k] = true
	}
	if a, b := Key("md", "a", ""), Key("md", "a", ""); a != b {
		t.Error("Key is not deterministic")
	}
}

// A damaged object is refused with ErrDamaged, never misread; a key that
// is not a digest, or is absent, is ErrNotFound.
func TestStore_Damaged(t *testing.T) {
	s := Open(t.TempDir())
	c := fictionalCall(10)
	key := Key("md", "x", "")
	if err := s.Put(key, c); err != nil {
		t.Fatal(err)
	}
	p, _ := s.path(key)
	good, _ := os.ReadFile(p)
	for _, tt := range []struct {
		name   string
		damage func([]byte) []byte
	}{
		{"a byte flipped", func(b []byte) []byte { b[len(b)/2] ^= 0x40; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-9] }},
		{"empty", func([]byte) []byte { return nil }},
		{"not an object", func([]byte) []byte { return []byte("---\ntitle: x\n---\n") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if err := os.WriteFile(p, tt.damage(append([]byte(nil), good...)), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Call(key); !errors.Is(err, ErrDamaged) {
				t.Errorf("Call: %v, want ErrDamaged", err)
			}
		})
	}
	for _, k := range []string{"", "../../etc/passwd", Key("md", "absent", "")} {
		if _, err := s.Call(k); !errors.Is(err, ErrNotFound) {
			t.Errorf("Call(%q): %v, want ErrNotFound", k, err)
		}
		if _, err := s.LineRange(k, 1, 2); !errors.Is(err, ErrNotFound) {
			t.Errorf("LineRange(%q): %v, want ErrNotFound", k, err)
		}
	}
}

// FuzzLineRange: whatever the bytes of an object file, reading a range
// returns lines or an error, never panics or allocates past the file.
func FuzzLineRange(f *testing.F) {
	b, _ := encode(fictionalCall(6))
	f.Add(b, 1, 3)
	f.Add(b[:40], 2, 2)
	f.Fuzz(func(t *testing.T, data []byte, from, to int) {
		from, to = from%100, to%100
		dir := t.TempDir()
		s := Open(dir)
		key := Key("md", "fuzz", "")
		p, _ := s.path(key)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		_, _ = s.LineRange(key, from, to)
		_, _ = s.Call(key)
	})
}

// A source is kept byte for byte under its digest, refused under another,
// and a damaged one is not returned.
func TestStore_Source(t *testing.T) {
	s := Open(t.TempDir())
	data := []byte("---\ntitle: Fictional\n---\n\nAL: The tide “turns”.\n")
	sum := sha256.Sum256(data)
	sha := hex.EncodeToString(sum[:])
	if err := s.PutSource(Key("md", "wrong", ""), data); err == nil {
		t.Error("PutSource under another digest succeeded")
	}
	if err := s.PutSource(sha, data); err != nil {
		t.Fatal(err)
	}
	got, err := s.Source(sha)
	if err != nil || string(got) != string(data) || !s.HasSource(sha) {
		t.Fatalf("Source: %v %q", err, got)
	}
	p, _ := s.sourcePath(sha)
	if err := os.WriteFile(p, append(data, '!'), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Source(sha); !errors.Is(err, ErrDamaged) {
		t.Errorf("a damaged source: %v, want ErrDamaged", err)
	}
}

// TestStore_KeepOpen: a store that keeps objects open reads the same lines
// as one that opens each per read, keeps at most n open, survives being
// closed while it reads (later reads open the object again), and tells a
// missing object apart as before.
func TestStore_KeepOpen(t *testing.T) {
	dir := t.TempDir()
	plain := Open(dir)
	var keys []string
	for i := range 5 {
		c := fictionalCall(10 + i)
		k := Key("md", fmt.Sprintf("%064d", i), "")
		if err := plain.Put(k, c); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, k)
	}
	kept := Open(dir).KeepOpen(2)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range 200 {
				k := keys[(g+r)%len(keys)]
				want, err := plain.LineRange(k, 2, 4)
				if err != nil {
					t.Error(err)
					return
				}
				got, err := kept.LineRange(k, 2, 4)
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Errorf("kept-open LineRange(%s, 2, 4) = %v, %v; want %v", k[:8], got, err, want)
					return
				}
				if g == 0 && r == 100 {
					kept.Close()
				}
			}
		}()
	}
	wg.Wait()
	if c := kept.open.Load(); c != nil {
		t.Errorf("after Close the store still keeps %d objects open", c.Len())
	}
	again := Open(dir).KeepOpen(2)
	for _, k := range keys {
		if _, err := again.LineRange(k, 1, 1); err != nil {
			t.Fatal(err)
		}
	}
	if n := again.open.Load().Len(); n != 2 {
		t.Errorf("%d objects open, want at most 2", n)
	}
	if _, err := again.LineRange(Key("md", fmt.Sprintf("%064d", 99), ""), 1, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("a missing object = %v, want ErrNotFound", err)
	}
}

package bagit

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// The files of a bag that Writer writes, beside the payload folder.
const (
	PayloadDir      = "data"
	DeclarationFile = "bagit.txt"
	InfoFile        = "bag-info.txt"
	ManifestFile    = "manifest-sha256.txt"
	TagManifestFile = "tagmanifest-sha256.txt"
)

// declaration is the whole of bagit.txt (RFC 8493 §2.1.1).
const declaration = "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"

// Field is one line of bag-info.txt: a label and its value.
type Field struct {
	Label, Value string
}

// Writer makes a bag in a folder. Payload files are written with Create,
// WriteFile or Copy, from any number of goroutines; Finish completes the
// bag. Until Finish returns, the folder is not a bag.
type Writer struct {
	dir string

	mu       sync.Mutex
	manifest *os.File
	mbuf     *bufio.Writer
	octets   int64
	streams  int64
	tags     []string // tag files written with WriteTag, in order
	done     bool
}

// NewWriter starts a bag in dir, which must exist and be empty.
func NewWriter(dir string) (*Writer, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("bagit: %w", err)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("bagit: %s is not empty", dir)
	}
	if err := os.Mkdir(filepath.Join(dir, PayloadDir), 0o755); err != nil {
		return nil, fmt.Errorf("bagit: %w", err)
	}
	// The manifest is written under a name Verify does not read until
	// Finish renames it: a bag interrupted midway has no manifest.
	m, err := os.Create(filepath.Join(dir, ManifestFile+".partial"))
	if err != nil {
		return nil, fmt.Errorf("bagit: %w", err)
	}
	return &Writer{dir: dir, manifest: m, mbuf: bufio.NewWriterSize(m, 64<<10)}, nil
}

// Dir is the bag's folder.
func (w *Writer) Dir() string { return w.dir }

// Octets and Streams are the payload's size in bytes and its number of
// files so far (Payload-Oxum).
func (w *Writer) Octets() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.octets
}

// Streams is the number of payload files written so far.
func (w *Writer) Streams() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.streams
}

// checkName returns an error unless name is a clean relative slash path
// that stays in the payload.
func checkName(name string) error {
	if name == "" || path.IsAbs(name) || path.Clean(name) != name || name == "." ||
		name == ".." || strings.HasPrefix(name, "../") || strings.ContainsAny(name, "\\\x00") {
		return fmt.Errorf("bagit: %q is not a clean relative path", name)
	}
	return nil
}

// File is a payload file being written. Close records it in the manifest;
// Abort removes it.
type File struct {
	w    *Writer
	name string
	f    *os.File
	buf  *bufio.Writer
	h    hash.Hash
	n    int64
}

// Create creates the payload file data/name (a slash path), making its
// folders.
func (w *Writer) Create(name string) (*File, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	p := filepath.Join(w.dir, PayloadDir, filepath.FromSlash(name))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrNotExist) {
		if err = os.MkdirAll(filepath.Dir(p), 0o755); err == nil {
			f, err = os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("bagit: %w", err)
	}
	return &File{w: w, name: name, f: f, buf: bufio.NewWriterSize(f, 32<<10), h: sha256.New()}, nil
}

// Write writes p to the file and its hash.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.buf.Write(p)
	f.h.Write(p[:n])
	f.n += int64(n)
	return n, err
}

// WriteString writes s.
func (f *File) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

// Close writes what is buffered, closes the file and lists it in the
// manifest.
func (f *File) Close() error {
	err := f.buf.Flush()
	if cerr := f.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bagit: %s: %w", f.name, err)
	}
	return f.w.record(f.name, hex.EncodeToString(f.h.Sum(nil)), f.n)
}

// Abort closes and removes a file that will not be part of the bag.
func (f *File) Abort() {
	f.f.Close()
	os.Remove(f.f.Name())
}

// record appends a payload file to the manifest.
func (w *Writer) record(name, sum string, size int64) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return errors.New("bagit: the bag is finished")
	}
	if _, err := fmt.Fprintf(w.mbuf, "%s  %s\n", sum, encodePath(PayloadDir+"/"+name)); err != nil {
		return fmt.Errorf("bagit: manifest: %w", err)
	}
	w.octets += size
	w.streams++
	return nil
}

// WriteFile writes the payload file data/name with data.
func (w *Writer) WriteFile(name string, data []byte) error {
	f, err := w.Create(name)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return fmt.Errorf("bagit: %s: %w", name, err)
	}
	return f.Close()
}

// Copy writes the payload file data/name with what r gives.
func (w *Writer) Copy(name string, r io.Reader) error {
	f, err := w.Create(name)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Abort()
		return fmt.Errorf("bagit: %s: %w", name, err)
	}
	return f.Close()
}

// WriteTag writes a tag file of the caller's beside the bag's own (a
// README, an index.html for people who open the folder); Finish lists it
// in the tag manifest.
func (w *Writer) WriteTag(name string, data []byte) error {
	if err := checkName(name); err != nil {
		return err
	}
	if strings.Contains(name, "/") || name == PayloadDir || isBagFile(name) {
		return fmt.Errorf("bagit: %q cannot be a tag file of the caller's", name)
	}
	if err := writeSynced(filepath.Join(w.dir, name), data); err != nil {
		return err
	}
	w.mu.Lock()
	w.tags = append(w.tags, name)
	w.mu.Unlock()
	return nil
}

// isBagFile reports whether name is one of the files Writer writes itself,
// or a manifest of any algorithm.
func isBagFile(name string) bool {
	switch name {
	case DeclarationFile, InfoFile, "fetch.txt":
		return true
	}
	return strings.HasPrefix(name, "manifest-") || strings.HasPrefix(name, "tagmanifest-")
}

// Finish completes the bag: the manifest, bag-info.txt with info and the
// payload's Bagging-Date, Payload-Oxum and Bag-Size added, the tag
// manifest, and bagit.txt last. It syncs them and the folder.
func (w *Writer) Finish(info []Field, now time.Time) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return errors.New("bagit: the bag is finished")
	}
	w.done = true
	err := w.mbuf.Flush()
	if err == nil {
		err = w.manifest.Sync()
	}
	if cerr := w.manifest.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(w.manifest.Name(), filepath.Join(w.dir, ManifestFile))
	}
	if err != nil {
		return fmt.Errorf("bagit: manifest: %w", err)
	}
	fields := append([]Field{}, info...)
	fields = append(fields,
		Field{"Bagging-Date", now.UTC().Format(time.DateOnly)},
		Field{"Payload-Oxum", fmt.Sprintf("%d.%d", w.octets, w.streams)},
		Field{"Bag-Size", humanSize(w.octets)},
	)
	var b strings.Builder
	for _, f := range fields {
		if strings.ContainsAny(f.Label, ":\r\n") || strings.TrimSpace(f.Label) != f.Label || f.Label == "" {
			return fmt.Errorf("bagit: bad bag-info label %q", f.Label)
		}
		// A value's line breaks become continuation lines (RFC 8493
		// §2.2.2: a line starting with whitespace continues the last).
		v := strings.ReplaceAll(strings.ReplaceAll(f.Value, "\r\n", "\n"), "\r", "\n")
		fmt.Fprintf(&b, "%s: %s\n", f.Label, strings.ReplaceAll(v, "\n", "\n  "))
	}
	if err := writeSynced(filepath.Join(w.dir, InfoFile), []byte(b.String())); err != nil {
		return err
	}
	if err := writeSynced(filepath.Join(w.dir, DeclarationFile+".partial"), []byte(declaration)); err != nil {
		return err
	}
	// The tag manifest lists bagit.txt as it will be (written last, under
	// its name only once everything else is on disk).
	var tm strings.Builder
	for _, name := range append([]string{DeclarationFile + ".partial", InfoFile, ManifestFile}, w.tags...) {
		sum, _, err := fileSHA256(filepath.Join(w.dir, name))
		if err != nil {
			return fmt.Errorf("bagit: %w", err)
		}
		fmt.Fprintf(&tm, "%s  %s\n", sum, encodePath(strings.TrimSuffix(name, ".partial")))
	}
	if err := writeSynced(filepath.Join(w.dir, TagManifestFile), []byte(tm.String())); err != nil {
		return err
	}
	if err := os.Rename(filepath.Join(w.dir, DeclarationFile+".partial"), filepath.Join(w.dir, DeclarationFile)); err != nil {
		return fmt.Errorf("bagit: %w", err)
	}
	return syncDir(w.dir)
}

// Abandon closes the manifest of a bag that will not be finished.
func (w *Writer) Abandon() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.done = true
		w.manifest.Close()
	}
}

// humanSize is Bag-Size: the payload's size for people.
func humanSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}

// encodePath percent-encodes the three characters a manifest path may not
// hold as they are (RFC 8493 §2.1.3).
func encodePath(p string) string {
	if !strings.ContainsAny(p, "%\r\n") {
		return p
	}
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(p)
}

// decodePath undoes encodePath (case-insensitively, as other tools write
// %0a too).
func decodePath(p string) string {
	if !strings.Contains(p, "%") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) {
			switch strings.ToUpper(p[i+1 : i+3]) {
			case "25":
				b.WriteByte('%')
				i += 2
				continue
			case "0A":
				b.WriteByte('\n')
				i += 2
				continue
			case "0D":
				b.WriteByte('\r')
				i += 2
				continue
			}
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// writeSynced writes a file and syncs it.
func writeSynced(p string, data []byte) error {
	f, err := os.Create(p)
	if err != nil {
		return fmt.Errorf("bagit: %w", err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("bagit: %w", err)
	}
	return nil
}

// syncDir makes the renames in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // not every system opens folders; the files are synced
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

// fileSHA256 returns the hex SHA-256 and size of a file.
func fileSHA256(p string) (string, int64, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

package transcript

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// MaxFileSize is the largest transcript file ParseFile reads. Larger files
// are refused without being read into memory.
const MaxFileSize = 50 << 20

// input is what a format's parser reads: the file and, for formats with no
// header of their own, the metadata sidecar ({slug}.yaml) when there is one.
type input struct {
	path     string
	data     []byte
	sidecar  []byte // nil when there is none
	sidePath string
}

// A parser reads one format. It returns the call without Slug, Path, SHA256
// and Format set, or nil when the file has errors.
type parser func(in input) (*Call, Problems)

// Slug returns the slug of a transcript file: its base name without the
// extension ("transcripts/2025-10-14-witkoff-ushakov.md" gives
// "2025-10-14-witkoff-ushakov").
func Slug(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

// Parse reads one transcript from data; path names the file in problems and
// its extension chooses the format. It returns the call, or nil when the
// file has errors, and every problem found, sorted. Warnings may accompany
// a good call.
//
// Parse reads no other file: for a format without a header of its own
// (.vtt, .srt, .json, .txt, .xml), the title and date come from the file
// name, with a warning. ParseFile and LoadDir also read the sidecar.
func Parse(path string, data []byte) (*Call, Problems) {
	return parse(input{path: path, data: data})
}

// ParseWithSidecar is Parse of a transcript whose metadata sidecar
// (sidePath, sidecar) was read elsewhere, as a version of the file in a
// git history is: its format's own header wins as ParseFile's does.
func ParseWithSidecar(path string, data []byte, sidePath string, sidecar []byte) (*Call, Problems) {
	in := input{path: path, data: data}
	if f, ok := formats.forPath(path); ok && sidecar != nil && !formats.hasOwnHeader(f.name) {
		in.sidePath, in.sidecar = sidePath, sidecar
	}
	return parse(in)
}

func parse(in input) (*Call, Problems) { return formats.parse(in) }

// parse reads in with the format of the table that reads it.
func (t formatTable) parse(in input) (*Call, Problems) {
	path, data := in.path, in.data
	f, ok := t.forFile(path, data)
	if !ok {
		return nil, Problems{{Path: path, Severity: Error,
			Message: fmt.Sprintf("not a transcript format (%q): use %s", filepath.Ext(path), t.known())}}
	}
	c, ps := f.parse(in)
	ps.Sort()
	if ps.HasErrors() {
		return nil, ps
	}
	if c == nil { // a parser must say why; never return nothing silently
		return nil, append(ps, Problem{Path: path, Severity: Error, Message: "no call could be read from the file"})
	}
	c.Slug = Slug(path)
	c.Path = path
	sum := sha256.Sum256(data)
	c.SHA256 = hex.EncodeToString(sum[:])
	c.Format = f.name
	return c, ps
}

// ParseFile reads and parses one transcript file. Files larger than
// MaxFileSize, and anything that is not a regular file, are refused.
//
// For a format without a header of its own, ParseFile reads the sidecar
// {slug}.yaml (or .yml) beside the file when there is one.
func ParseFile(path string) (*Call, Problems) {
	data, p := readFile(path, MaxFileSize)
	if p != nil {
		return nil, Problems{*p}
	}
	in := input{path: path, data: data}
	var ps Problems
	if f, ok := formats.forPath(path); ok {
		in.sidePath, in.sidecar, ps = readSidecar(path, f.name)
	}
	c, cps := parse(in)
	ps = append(ps, cps...)
	ps.Sort()
	if ps.HasErrors() {
		return nil, ps
	}
	return c, ps
}

// sidecarPaths are where the metadata of a transcript file may be.
func sidecarPaths(path string) []string {
	base := strings.TrimSuffix(path, filepath.Ext(path))
	return []string{base + ".yaml", base + ".yml"}
}

// readSidecar reads the sidecar of a transcript file, if any. For a format
// with its own header, a sidecar is reported as ignored.
func readSidecar(path, format string) (sidePath string, data []byte, ps Problems) {
	for _, sp := range sidecarPaths(path) {
		if _, err := os.Lstat(sp); err != nil {
			continue
		}
		if formats.hasOwnHeader(format) {
			return "", nil, Problems{{Path: sp, Severity: Warning,
				Message: fmt.Sprintf("ignored: %s has its own header, so put the metadata there", filepath.Base(path))}}
		}
		data, p := readFile(sp, maxHeaderSize)
		if p != nil {
			return "", nil, Problems{*p}
		}
		return sp, data, nil
	}
	return "", nil, nil
}

// readFile reads a regular file of at most limit bytes. It never holds more
// than limit+1 bytes in memory, whatever the file's size.
func readFile(path string, limit int64) ([]byte, *Problem) {
	fail := func(msg string) ([]byte, *Problem) {
		return nil, &Problem{Path: path, Severity: Error, Message: msg}
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(fmt.Sprintf("cannot open: %v", unwrapPath(err)))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fail(fmt.Sprintf("cannot stat: %v", unwrapPath(err)))
	}
	if !fi.Mode().IsRegular() {
		return fail("not a regular file")
	}
	if fi.Size() > limit {
		return fail(fmt.Sprintf("file is %s, larger than the %s limit: split it into several calls", humanSize(fi.Size()), humanSize(limit)))
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return fail(fmt.Sprintf("cannot read: %v", unwrapPath(err)))
	}
	if int64(len(data)) > limit { // the file grew while it was read
		return fail(fmt.Sprintf("file is larger than the %s limit: split it into several calls", humanSize(limit)))
	}
	if int64(len(data)) != fi.Size() {
		return fail("file changed while it was read: check it again once it is written")
	}
	return data, nil
}

// unwrapPath drops the *PathError's op and path, which the Problem already names.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

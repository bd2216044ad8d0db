package bagit

import (
	"bufio"
	"context"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Kind is what is wrong with a file of a bag.
type Kind string

// The kinds of problem Verify reports.
const (
	Missing Kind = "missing" // listed in a manifest, not in the bag
	Extra   Kind = "extra"   // in the payload, not listed in a manifest
	Altered Kind = "altered" // its checksum is not the manifest's
	Invalid Kind = "invalid" // a tag file or manifest line that does not read as RFC 8493 says
)

// Problem is one thing wrong with a bag. Path is slash-separated,
// relative to the bag's folder.
type Problem struct {
	Path   string
	Kind   Kind
	Detail string
}

func (p Problem) String() string {
	if p.Detail == "" {
		return fmt.Sprintf("%s: %s", p.Path, p.Kind)
	}
	return fmt.Sprintf("%s: %s (%s)", p.Path, p.Kind, p.Detail)
}

// Report is what Verify found.
type Report struct {
	Version string // BagIt-Version
	// Manifests are the payload manifests checked, by algorithm.
	Manifests []string
	// PayloadFiles and PayloadBytes count the payload files found.
	PayloadFiles int64
	PayloadBytes int64
	// Problems make the bag invalid; Warnings do not (an algorithm
	// Verify does not know, a tag file no tag manifest lists).
	Problems []Problem
	Warnings []Problem
}

// Valid reports whether the bag has no problem.
func (r *Report) Valid() bool { return len(r.Problems) == 0 }

// hashes are the algorithms Verify knows, by their manifest names.
var hashes = map[string]func() hash.Hash{
	"md5":    md5.New,
	"sha1":   sha1.New,
	"sha256": sha256.New,
	"sha512": sha512.New,
}

// manifest is one manifest file read: path → checksum (as bytes).
type manifest struct {
	name string // the manifest's file name
	alg  string
	sums map[string]string
}

// Verify checks the bag in dir and reports every problem it finds. The
// error is for a dir it cannot read at all, or ctx ending; a folder that
// is not a bag gives a report with problems.
func Verify(ctx context.Context, dir string) (*Report, error) {
	r := &Report{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	r.checkDeclaration(dir)
	var payload, tags []*manifest
	var present []string // the top-level files, for unlisted tag files
	for _, e := range entries {
		name := e.Name()
		if name == PayloadDir {
			if !e.IsDir() {
				r.problem(name, Invalid, "the payload must be a folder")
			}
			continue
		}
		if e.Type().IsRegular() {
			present = append(present, name)
		}
		alg, isTag := "", false
		switch {
		case strings.HasPrefix(name, "manifest-") && strings.HasSuffix(name, ".txt"):
			alg = strings.TrimSuffix(strings.TrimPrefix(name, "manifest-"), ".txt")
		case strings.HasPrefix(name, "tagmanifest-") && strings.HasSuffix(name, ".txt"):
			alg, isTag = strings.TrimSuffix(strings.TrimPrefix(name, "tagmanifest-"), ".txt"), true
		default:
			continue
		}
		if hashes[alg] == nil {
			r.warn(name, Invalid, fmt.Sprintf("algorithm %q is not checked", alg))
			continue
		}
		m, err := r.readManifest(dir, name, alg, isTag)
		if err != nil {
			return nil, err
		}
		if isTag {
			tags = append(tags, m)
		} else {
			payload = append(payload, m)
			r.Manifests = append(r.Manifests, alg)
		}
	}
	if len(payload) == 0 {
		r.problem("manifest-sha256.txt", Missing, "a bag needs a payload manifest of an algorithm verify knows")
	}
	fetched := r.readFetch(dir)
	if err := r.checkPayload(ctx, dir, payload, fetched); err != nil {
		return nil, err
	}
	r.checkOxum(dir)
	r.checkTags(dir, tags, present)
	r.Problems, r.Warnings = sorted(r.Problems), sorted(r.Warnings)
	return r, nil
}

func (r *Report) problem(p string, k Kind, detail string) {
	r.Problems = append(r.Problems, Problem{Path: p, Kind: k, Detail: detail})
}

func (r *Report) warn(p string, k Kind, detail string) {
	r.Warnings = append(r.Warnings, Problem{Path: p, Kind: k, Detail: detail})
}

// checkDeclaration reads bagit.txt (RFC 8493 §2.1.1).
func (r *Report) checkDeclaration(dir string) {
	fields, err := readFields(filepath.Join(dir, DeclarationFile))
	if errors.Is(err, fs.ErrNotExist) {
		r.problem(DeclarationFile, Missing, "without it the folder is not a bag (an interrupted export has none)")
		return
	}
	if err != nil {
		r.problem(DeclarationFile, Invalid, err.Error())
		return
	}
	r.Version = fields.get("BagIt-Version")
	if r.Version == "" {
		r.problem(DeclarationFile, Invalid, "no BagIt-Version")
	}
	if enc := fields.get("Tag-File-Character-Encoding"); !strings.EqualFold(enc, "UTF-8") {
		if enc == "" {
			r.problem(DeclarationFile, Invalid, "no Tag-File-Character-Encoding")
		} else {
			r.warn(DeclarationFile, Invalid, fmt.Sprintf("tag files are read as UTF-8, not %s", enc))
		}
	}
}

// readManifest reads one manifest. Lines that do not read, paths that
// leave the bag, payload paths outside data/ and tag paths inside it are
// problems of the manifest.
func (r *Report) readManifest(dir, name, alg string, isTag bool) (*manifest, error) {
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	defer f.Close()
	m := &manifest{name: name, alg: alg, sums: map[string]string{}}
	size := hashes[alg]().Size()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		if n == 1 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		where := fmt.Sprintf("%s:%d", name, n)
		sum, p, ok := strings.Cut(line, " ")
		if !ok {
			sum, p, ok = strings.Cut(line, "\t")
		}
		p = strings.TrimLeft(p, " \t")
		if !ok || p == "" {
			r.problem(where, Invalid, "a line must be a checksum, whitespace and a path")
			continue
		}
		p = strings.TrimPrefix(decodePath(p), "*") // sha256sum's binary-mode mark
		b, err := hex.DecodeString(strings.ToLower(sum))
		if err != nil || len(b) != size {
			r.problem(where, Invalid, fmt.Sprintf("%q is not a %s checksum", sum, alg))
			continue
		}
		if bad := badPath(p); bad != "" {
			r.problem(where, Invalid, fmt.Sprintf("path %q %s", p, bad))
			continue
		}
		inPayload := strings.HasPrefix(p, PayloadDir+"/")
		if isTag && inPayload {
			r.problem(where, Invalid, fmt.Sprintf("a tag manifest lists the payload file %q", p))
			continue
		}
		if !isTag && !inPayload {
			r.problem(where, Invalid, fmt.Sprintf("a payload manifest lists %q, outside %s/", p, PayloadDir))
			continue
		}
		if _, dup := m.sums[p]; dup {
			r.problem(where, Invalid, fmt.Sprintf("%q is listed twice", p))
		}
		m.sums[p] = string(b)
	}
	if err := sc.Err(); err != nil {
		r.problem(name, Invalid, err.Error())
	}
	return m, nil
}

// badPath says why a manifest path is not one to read, or "".
func badPath(p string) string {
	switch {
	case path.IsAbs(p) || filepath.IsAbs(p) || strings.Contains(p, "\\"):
		return "is not relative to the bag"
	case path.Clean(p) != p || p == ".." || strings.HasPrefix(p, "../"):
		return "is not a clean path inside the bag"
	case strings.ContainsRune(p, 0):
		return "holds a NUL"
	}
	return ""
}

// readFetch returns the paths fetch.txt lists (RFC 8493 §2.2.3).
func (r *Report) readFetch(dir string) map[string]bool {
	data, err := os.ReadFile(filepath.Join(dir, "fetch.txt"))
	if err != nil {
		return nil
	}
	out := map[string]bool{}
	for n, line := range strings.Split(string(data), "\n") {
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) < 3 {
			r.problem(fmt.Sprintf("fetch.txt:%d", n+1), Invalid, "a line must be a URL, a length and a path")
			continue
		}
		out[decodePath(strings.Join(parts[2:], " "))] = true
	}
	return out
}

// hashed is one payload file read.
type hashed struct {
	path string // slash path relative to the bag
	size int64
	sums map[string]string // algorithm → checksum bytes
	err  error
}

// checkPayload reads every payload file, hashing it with the algorithms
// of the manifests, on GOMAXPROCS goroutines, and compares.
func (r *Report) checkPayload(ctx context.Context, dir string, ms []*manifest, fetched map[string]bool) error {
	algs := map[string]bool{}
	for _, m := range ms {
		algs[m.alg] = true
	}
	paths := make(chan string, 256)
	results := make(chan hashed, 256)
	var wg sync.WaitGroup
	workers := max(1, runtime.GOMAXPROCS(0))
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for p := range paths {
				results <- hashFile(dir, p, algs)
			}
		}()
	}
	walkErr := make(chan error, 1)
	go func() {
		defer close(paths)
		root := filepath.Join(dir, PayloadDir)
		walkErr <- filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == root && errors.Is(err, fs.ErrNotExist) {
					return nil // reported below, file by file
				}
				return err
			}
			if err := ctx.Err(); err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if !d.Type().IsRegular() {
				results <- hashed{path: rel, err: errNotRegular}
				return nil
			}
			paths <- rel
			return nil
		})
	}()
	go func() { wg.Wait(); close(results) }()
	for h := range results {
		r.compare(h, ms)
	}
	if err := <-walkErr; err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	missing := map[string]bool{}
	for _, m := range ms {
		for p := range m.sums {
			if missing[p] {
				continue
			}
			missing[p] = true
			detail := "listed in " + m.name
			if fetched[p] {
				detail += " and in fetch.txt; verify does not fetch"
			}
			r.problem(p, Missing, detail)
		}
	}
	return nil
}

var errNotRegular = errors.New("not a regular file")

// compare checks one payload file against every manifest and forgets it
// there (what is left in the manifests afterwards is missing).
func (r *Report) compare(h hashed, ms []*manifest) {
	if h.err != nil {
		kind := Invalid
		if errors.Is(h.err, errNotRegular) {
			kind = Extra
		}
		r.problem(h.path, kind, h.err.Error())
		for _, m := range ms {
			delete(m.sums, h.path)
		}
		return
	}
	r.PayloadFiles++
	r.PayloadBytes += h.size
	for _, m := range ms {
		want, ok := m.sums[h.path]
		if !ok {
			r.problem(h.path, Extra, "not listed in "+m.name)
			continue
		}
		delete(m.sums, h.path)
		if got := h.sums[m.alg]; got != want {
			r.problem(h.path, Altered, fmt.Sprintf("%s is %s, %s says %s", m.alg, hex.EncodeToString([]byte(got)), m.name, hex.EncodeToString([]byte(want))))
		}
	}
}

// hashFile reads a file of the bag once through every algorithm.
func hashFile(dir, p string, algs map[string]bool) hashed {
	f, err := os.Open(filepath.Join(dir, filepath.FromSlash(p)))
	if err != nil {
		return hashed{path: p, err: err}
	}
	defer f.Close()
	hs := map[string]hash.Hash{}
	var ws []io.Writer
	for alg := range algs {
		h := hashes[alg]()
		hs[alg] = h
		ws = append(ws, h)
	}
	n, err := io.Copy(io.MultiWriter(ws...), f)
	if err != nil {
		return hashed{path: p, err: err}
	}
	out := hashed{path: p, size: n, sums: map[string]string{}}
	for alg, h := range hs {
		out.sums[alg] = string(h.Sum(nil))
	}
	return out
}

// checkOxum compares bag-info.txt's Payload-Oxum, when given, with the
// payload found.
func (r *Report) checkOxum(dir string) {
	fields, err := readFields(filepath.Join(dir, InfoFile))
	if err != nil {
		if !errors.Is(err, fs.ErrNotExist) {
			r.problem(InfoFile, Invalid, err.Error())
		}
		return
	}
	oxum := fields.get("Payload-Oxum")
	if oxum == "" {
		return
	}
	o, s, ok := strings.Cut(oxum, ".")
	octets, err1 := strconv.ParseInt(o, 10, 64)
	streams, err2 := strconv.ParseInt(s, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		r.problem(InfoFile, Invalid, fmt.Sprintf("Payload-Oxum %q is not OCTETS.STREAMS", oxum))
		return
	}
	if octets != r.PayloadBytes || streams != r.PayloadFiles {
		r.problem(InfoFile, Altered, fmt.Sprintf("Payload-Oxum says %d bytes in %d files; the payload has %d bytes in %d files",
			octets, streams, r.PayloadBytes, r.PayloadFiles))
	}
}

// checkTags checks the tag manifests' files; a tag file none lists is a
// warning (RFC 8493 lets a bag hold tag files no manifest lists).
func (r *Report) checkTags(dir string, tags []*manifest, present []string) {
	listed := map[string]bool{}
	for _, m := range tags {
		names := slices.Sorted(func(yield func(string) bool) {
			for p := range m.sums {
				if !yield(p) {
					return
				}
			}
		})
		for _, p := range names {
			listed[p] = true
			h := hashFile(dir, p, map[string]bool{m.alg: true})
			switch {
			case errors.Is(h.err, fs.ErrNotExist):
				r.problem(p, Missing, "listed in "+m.name)
			case h.err != nil:
				r.problem(p, Invalid, h.err.Error())
			case h.sums[m.alg] != m.sums[p]:
				r.problem(p, Altered, fmt.Sprintf("%s is %s, %s says %s", m.alg, hex.EncodeToString([]byte(h.sums[m.alg])), m.name, hex.EncodeToString([]byte(m.sums[p]))))
			}
		}
	}
	if len(tags) == 0 {
		return
	}
	for _, name := range present {
		if !listed[name] && !strings.HasPrefix(name, "tagmanifest-") {
			r.warn(name, Extra, "a tag file no tag manifest lists")
		}
	}
}

// fields are the label: value lines of bagit.txt or bag-info.txt.
type fields [][2]string

func (fs fields) get(label string) string {
	for _, f := range fs {
		if strings.EqualFold(f[0], label) {
			return f[1]
		}
	}
	return ""
}

// readFields reads a tag file of label: value lines, where a line that
// starts with whitespace continues the value above it.
func readFields(p string) (fields, error) {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var out fields
	text := strings.TrimPrefix(string(data), "\uFEFF")
	for n, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(out) == 0 {
				return nil, fmt.Errorf("line %d continues no field", n+1)
			}
			out[len(out)-1][1] += " " + strings.TrimSpace(line)
			continue
		}
		label, value, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("line %d is not LABEL: VALUE", n+1)
		}
		out = append(out, [2]string{strings.TrimSpace(label), strings.TrimSpace(value)})
	}
	return out, nil
}

// sorted sorts problems by path, keeping their order within a path, and
// drops a problem of a path and kind already named (bagit.txt missing is
// also bagit.txt listed in the tag manifest and missing).
func sorted(ps []Problem) []Problem {
	slices.SortStableFunc(ps, func(a, b Problem) int { return strings.Compare(a.Path, b.Path) })
	return slices.CompactFunc(ps, func(a, b Problem) bool { return a.Path == b.Path && a.Kind == b.Kind })
}

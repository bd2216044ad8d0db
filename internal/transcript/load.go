package transcript

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

const reasonSidecar = "metadata sidecar"

// skipReason says why a file or folder name is not a transcript, or "" when
// it may be one. README files, hidden files, names starting with "_",
// annotation sidecars (".notes.md") and metadata sidecars (".yaml", ".yml")
// are skipped.
func skipReason(name string) string {
	lower := strings.ToLower(name)
	switch {
	case strings.HasPrefix(name, "README"):
		return "README files are documentation"
	case strings.HasPrefix(name, "."):
		return "hidden"
	case strings.HasPrefix(name, "_"):
		return "names starting with _ are not transcripts"
	case strings.HasSuffix(lower, ".notes.md"):
		return "annotation sidecar"
	case strings.HasSuffix(lower, ".yaml"), strings.HasSuffix(lower, ".yml"):
		return reasonSidecar
	}
	return ""
}

// LoadDir reads every transcript in dir and its subfolders, skipping
// README files, names starting with "." or "_", annotation sidecars
// (".notes.md") and metadata sidecars (".yaml", ".yml"). It returns the
// archive of every call that parsed, sorted by date then slug, and every
// problem found, sorted; a file with errors is left out of the archive but
// still counts in its Hash. Two files with the same slug are an error.
// The caller decides what to do with an archive that has errors.
func LoadDir(dir string) (*Archive, Problems) { return loadDir(dir, nil) }

// LoadDirLazy reads and checks every transcript in dir exactly as LoadDir
// does, but keeps no call's lines once the file is read: Archive.WithLines
// reads them again from the file (checking it is the one read here),
// keeping about cacheBytes of the most recently read. A million lines are
// about 300 MB in memory; an ingest that indexes one call at a time needs
// only that call's.
func LoadDirLazy(dir string, cacheBytes int64) (*Archive, Problems) {
	return loadDir(dir, &callStore{info: map[*Call]*storedCall{}, cache: newLineCache(cacheBytes)})
}

// loadDir is LoadDir; with a store, the lines are dropped and what reading
// them again needs is kept in it.
func loadDir(dir string, store *callStore) (*Archive, Problems) {
	a := &Archive{Dir: dir, store: store}
	var ps Problems
	fi, err := os.Stat(dir)
	if err != nil {
		return a, Problems{{Path: dir, Severity: Error, Message: fmt.Sprintf("cannot read transcripts folder: %v", unwrapPath(err))}}
	}
	if !fi.IsDir() {
		return a, Problems{{Path: dir, Severity: Error, Message: "not a folder"}}
	}
	root, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return a, Problems{{Path: dir, Severity: Error, Message: fmt.Sprintf("cannot resolve folder: %v", unwrapPath(err))}}
	}
	root, _ = filepath.Abs(root)

	var sums, sidecars []string
	used := map[string]bool{}     // sidecar paths that belong to a transcript
	bySlug := map[string]string{} // slug → path of the first file with it
	walk := WalkRoot(dir)
	walkErr := filepath.WalkDir(walk, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			ps = append(ps, Problem{Path: path, Severity: Error, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))})
			if d != nil && d.IsDir() && path != walk {
				return fs.SkipDir
			}
			return nil
		}
		if path == walk {
			return nil
		}
		if why := skipReason(d.Name()); why != "" {
			if d.IsDir() {
				return fs.SkipDir
			}
			if why == reasonSidecar {
				sidecars = append(sidecars, path)
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			if p := checkSymlink(root, path); p != nil {
				ps = append(ps, *p)
				return nil
			}
		} else if !d.Type().IsRegular() {
			ps = append(ps, Problem{Path: path, Severity: Warning, Message: "not a regular file: skipped"})
			return nil
		}
		f, ok := formats.forPath(path)
		if !ok {
			ps = append(ps, Problem{Path: path, Severity: Warning,
				Message: fmt.Sprintf("not a transcript (%q is not a known format): skipped", filepath.Ext(path))})
			return nil
		}
		slug := Slug(path)
		data, rp := readFile(path, MaxFileSize)
		sum := "unreadable"
		if rp != nil {
			ps = append(ps, *rp)
		} else {
			h := sha256.Sum256(data)
			sum = hex.EncodeToString(h[:])
		}
		sums = append(sums, slug+"\x00"+sum+"\n")
		if first, dup := bySlug[slug]; dup {
			ps = append(ps, Problem{Path: path, Severity: Error,
				Message: fmt.Sprintf("slug %q is used by both %s and %s: rename one of them", slug, first, path)})
			return nil
		}
		bySlug[slug] = path
		if rp != nil {
			return nil
		}
		in := input{path: path, data: data}
		var sps Problems
		in.sidePath, in.sidecar, sps = readSidecar(path, f.name)
		ps = append(ps, sps...)
		for _, sp := range sidecarPaths(path) {
			used[sp] = true
		}
		if in.sidecar != nil {
			h := sha256.Sum256(in.sidecar)
			sums = append(sums, filepath.Base(in.sidePath)+"\x00"+hex.EncodeToString(h[:])+"\n")
		}
		c, cps := parse(in)
		ps = append(ps, cps...)
		if c != nil {
			a.Calls = append(a.Calls, c)
			if store != nil {
				st := &storedCall{lines: len(c.Lines), turns: turnCounts(c.Lines)}
				if in.sidecar != nil {
					st.sidecar, st.sidecarSHA256 = in.sidePath, digest(in.sidecar)
				}
				store.info[c] = st
				c.Lines = nil
			}
		}
		return nil
	})
	if walkErr != nil {
		ps = append(ps, Problem{Path: dir, Severity: Error, Message: fmt.Sprintf("cannot read transcripts folder: %v", walkErr)})
	}
	for _, sp := range sidecars {
		if !used[sp] {
			ps = append(ps, Problem{Path: sp, Severity: Warning, Message: fmt.Sprintf(
				"metadata sidecar without a transcript: no %s.* beside it (%s)", strings.TrimSuffix(filepath.Base(sp), filepath.Ext(sp)), formats.known())})
		}
	}
	sort.Slice(a.Calls, func(i, j int) bool {
		if a.Calls[i].Date != a.Calls[j].Date {
			return a.Calls[i].Date < a.Calls[j].Date
		}
		return a.Calls[i].Slug < a.Calls[j].Slug
	})
	sort.Strings(sums)
	h := sha256.New()
	for _, s := range sums {
		h.Write([]byte(s))
	}
	a.Hash = hex.EncodeToString(h.Sum(nil))
	ps.Sort()
	return a, ps
}

// checkSymlink refuses a symlink that is broken, points at a folder, or
// points outside root (the transcripts folder, symlinks resolved).
func checkSymlink(root, path string) *Problem {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return &Problem{Path: path, Severity: Error, Message: fmt.Sprintf("broken symlink: %v", unwrapPath(err))}
	}
	target, _ = filepath.Abs(target)
	rel, err := filepath.Rel(root, target)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return &Problem{Path: path, Severity: Error,
			Message: fmt.Sprintf("symlink points outside the transcripts folder (to %s): copy the file into the folder instead", target)}
	}
	fi, err := os.Stat(target)
	if err != nil {
		return &Problem{Path: path, Severity: Error, Message: fmt.Sprintf("cannot read symlink target: %v", unwrapPath(err))}
	}
	if !fi.Mode().IsRegular() {
		return &Problem{Path: path, Severity: Warning, Message: "symlink to something other than a file: skipped"}
	}
	return nil
}

// Check validates files and folders without keeping the calls: every
// problem in every file, sorted. A folder is read as LoadDir reads it
// (including duplicate slugs); a file named explicitly is parsed whatever
// its name, except that names LoadDir skips give a warning instead.
func Check(paths ...string) Problems {
	var ps Problems
	for _, path := range paths {
		fi, err := os.Stat(path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			ps = append(ps, Problem{Path: path, Severity: Error, Message: "no such file or folder"})
		case err != nil:
			ps = append(ps, Problem{Path: path, Severity: Error, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))})
		case fi.IsDir():
			_, dps := LoadDir(path)
			ps = append(ps, dps...)
		default:
			why := skipReason(filepath.Base(path))
			if why == reasonSidecar {
				ps = append(ps, checkSidecar(path)...)
				continue
			}
			if why != "" {
				ps = append(ps, Problem{Path: path, Severity: Warning, Message: fmt.Sprintf("not checked (%s)", why)})
				continue
			}
			_, fps := ParseFile(path)
			ps = append(ps, fps...)
		}
	}
	ps.Sort()
	return ps
}

// checkSidecar validates a metadata sidecar on its own.
func checkSidecar(path string) Problems {
	data, p := readFile(path, maxHeaderSize)
	if p != nil {
		return Problems{*p}
	}
	_, ps := metaFor(input{path: path, sidePath: path, sidecar: data})
	return ps
}

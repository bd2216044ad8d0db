package annotate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"backchannel/internal/transcript"
)

// LoadDir reads every notes file ({slug}.notes.md) in dir and its
// subfolders, skipping names starting with "." or "_" as transcript.LoadDir
// does, and attaches each to its call in a. It returns the notes by slug
// and every problem, sorted: a notes file whose call is not in the archive
// is a warning (its notes are not shown), two notes files for one slug are
// an error, and detached notes are errors (they are kept and shown as
// detached).
func LoadDir(dir string, a *transcript.Archive) (map[string]*Notes, transcript.Problems) {
	out := map[string]*Notes{}
	var ps transcript.Problems
	paths, wps := findNotes(dir)
	ps = append(ps, wps...)
	for _, path := range paths {
		ns, nps := ReadFile(path)
		ps = append(ps, nps...)
		if ns == nil {
			continue
		}
		if prev, dup := out[ns.Slug]; dup {
			ps = append(ps, transcript.Problem{Path: path, Severity: transcript.Error,
				Message: fmt.Sprintf("notes for %q are in both %s and %s: merge them into one file", ns.Slug, prev.Path, path)})
			continue
		}
		c, ok := a.Call(ns.Slug)
		if !ok {
			ps = append(ps, transcript.Problem{Path: path, Severity: transcript.Warning,
				Message: fmt.Sprintf("notes for %q, but no transcript with that slug was read: rename the file or add the transcript (these notes are not shown)", ns.Slug)})
			continue
		}
		ps = append(ps, ns.Attach(c)...)
		out[ns.Slug] = ns
	}
	ps.Sort()
	return out, ps
}

// Find lists the notes files under dir as LoadDir reads them, in walk
// order, and the folders it could not read.
func Find(dir string) ([]string, transcript.Problems) { return findNotes(dir) }

// findNotes lists the notes files under dir, in walk order.
func findNotes(dir string) ([]string, transcript.Problems) {
	var paths []string
	var ps transcript.Problems
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			// transcript.LoadDir reports unreadable folders.
			if d != nil && d.IsDir() && path != dir {
				return fs.SkipDir
			}
			return nil
		}
		if path == dir {
			return nil
		}
		name := d.Name()
		if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && SlugOf(name) != "" && (d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0) {
			paths = append(paths, path)
		}
		return nil
	})
	if err != nil {
		ps = append(ps, transcript.Problem{Path: dir, Severity: transcript.Error, Message: fmt.Sprintf("cannot read notes: %v", err)})
	}
	return paths, ps
}

// ReadFile reads and parses one notes file.
func ReadFile(path string) (*Notes, transcript.Problems) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, transcript.Problems{{Path: path, Severity: transcript.Error, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))}}
	}
	if fi.Size() > MaxFileSize {
		return nil, transcript.Problems{{Path: path, Severity: transcript.Error, Message: fmt.Sprintf("notes file is larger than %d MiB", MaxFileSize>>20)}}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, transcript.Problems{{Path: path, Severity: transcript.Error, Message: fmt.Sprintf("cannot read: %v", unwrapPath(err))}}
	}
	return Parse(path, data)
}

// Check is transcript.Check with notes: a folder's notes are checked
// against its transcripts, a notes file named on its own is checked
// against the transcript beside it, and a transcript named on its own
// with the notes beside it.
func Check(paths ...string) transcript.Problems {
	var ps transcript.Problems
	for _, path := range paths {
		fi, err := os.Stat(path)
		switch {
		case err == nil && fi.IsDir():
			a, aps := transcript.LoadDir(path)
			ps = append(ps, aps...)
			_, nps := LoadDir(path, a)
			ps = append(ps, nps...)
		case err == nil && SlugOf(path) != "":
			ps = append(ps, checkFile(path)...)
		default:
			ps = append(ps, transcript.Check(path)...)
			// A transcript named on its own: its notes too, if any.
			if err == nil && !strings.HasSuffix(strings.ToLower(path), ".yaml") && !strings.HasSuffix(strings.ToLower(path), ".yml") {
				notes := filepath.Join(filepath.Dir(path), transcript.Slug(path)+Suffix)
				if _, err := os.Stat(notes); err == nil {
					ps = append(ps, checkFile(notes)...)
				}
			}
		}
	}
	ps.Sort()
	return ps
}

// checkFile checks one notes file against the transcript beside it.
func checkFile(path string) transcript.Problems {
	ns, ps := ReadFile(path)
	if ns == nil {
		return ps
	}
	c, err := callBeside(path, ns.Slug)
	if err != nil {
		return append(ps, transcript.Problem{Path: path, Severity: transcript.Warning,
			Message: fmt.Sprintf("notes not checked against a transcript: %v", err)})
	}
	return append(ps, ns.Attach(c)...)
}

// callBeside parses the transcript {slug}.* in the notes file's folder.
func callBeside(path, slug string) (*transcript.Call, error) {
	dir := filepath.Dir(path)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, unwrapPath(err))
	}
	var found []string
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || SlugOf(name) != "" || transcript.Slug(name) != slug {
			continue
		}
		switch strings.ToLower(filepath.Ext(name)) {
		case ".yaml", ".yml":
			continue
		}
		found = append(found, filepath.Join(dir, name))
	}
	sort.Strings(found)
	if len(found) == 0 {
		return nil, fmt.Errorf("no transcript %s.* beside it", slug)
	}
	c, cps := transcript.ParseFile(found[0])
	if c == nil {
		return nil, fmt.Errorf("%s has errors (check it first): %w", found[0], cps)
	}
	return c, nil
}

// unwrapPath drops the path from a *fs.PathError, which problems print
// already.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

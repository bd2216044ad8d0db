package library

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"backchannel/internal/durable"

	"backchannel/internal/store"
	"backchannel/internal/transcript"
)

// versionsFile is, in each build, every version of every call the archive
// has held: carried from build to build, so that no ingest (a rebuild, a
// new schema) ever loses one, and swapped in with the build, so that a
// killed ingest never leaves one half-recorded.
const versionsFile = "versions.json"

// versionLog is what versionsFile holds.
type versionLog struct {
	// Calls are the versions of each call, by slug, oldest first.
	Calls map[string][]transcript.Version `json:"calls"`
	// GitHead is the last commit of the transcripts folder's history
	// whose versions were imported (git.go).
	GitHead string `json:"git_head,omitempty"`
}

// readVersions reads the version log of the build in dir; a build without
// one (made before versions were kept) has none.
func readVersions(dir string) (versionLog, error) {
	log := versionLog{Calls: map[string][]transcript.Version{}}
	b, err := os.ReadFile(filepath.Join(dir, versionsFile))
	if errors.Is(err, os.ErrNotExist) {
		return log, nil
	}
	if err != nil {
		return log, err
	}
	if err := json.Unmarshal(b, &log); err != nil {
		return log, fmt.Errorf("%s: %w (remove the build folder %s and ingest again; the versions of the build before it are kept)", filepath.Join(dir, versionsFile), err, dir)
	}
	if log.Calls == nil {
		log.Calls = map[string][]transcript.Version{}
	}
	return log, nil
}

// priorVersions is the version log to carry into a new build: the current
// build's, or, when the current build cannot be opened, that of the newest
// build folder that has a readable one, so that a damaged build loses no
// history.
func priorVersions(dataDir string, prior *Build) versionLog {
	if prior != nil && prior.VersionsProblem == nil {
		return prior.versions
	}
	dirs, _ := filepath.Glob(filepath.Join(dataDir, buildPrefix+"*"))
	sort.Sort(sort.Reverse(sort.StringSlice(dirs))) // IDs start with the time
	for _, d := range dirs {
		if log, err := readVersions(d); err == nil && len(log.Calls) > 0 {
			return log
		}
	}
	return versionLog{Calls: map[string][]transcript.Version{}}
}

// record adds to log the version each call of cat holds, first indexed at
// now, unless the log has it: the log keeps every version, of calls
// removed too. When the file of a call's current version is parsed into
// other lines (its sidecar changed, or the parsers did), that version's
// lines are those of the current build: a version's words are the file's,
// and its lines follow the file while it is current, and are fixed once
// another version replaces it.
func (log versionLog) record(cat *transcript.Catalog, a *transcript.Archive, now time.Time) versionLog {
	out := versionLog{Calls: make(map[string][]transcript.Version, len(log.Calls)), GitHead: log.GitHead}
	for slug, vs := range log.Calls {
		out.Calls[slug] = slices.Clone(vs)
	}
	objects := cat.Objects()
	for i, c := range a.Calls {
		vs := out.Calls[c.Slug]
		j := slices.IndexFunc(vs, func(v transcript.Version) bool { return v.SHA256 == c.SHA256 })
		switch {
		case j < 0:
			vs = append(vs, transcript.Version{Name: transcript.VersionName(c.SHA256), SHA256: c.SHA256,
				FirstIndexed: now, Lines: a.LineCount(c), Object: objects[i]})
		case vs[j].Object != objects[i] && j == len(vs)-1:
			vs[j].Object, vs[j].Lines = objects[i], a.LineCount(c)
		}
		sort.SliceStable(vs, func(x, y int) bool { return vs[x].FirstIndexed.Before(vs[y].FirstIndexed) })
		out.Calls[c.Slug] = vs
	}
	return out
}

// write saves the log in the build folder dir.
func (log versionLog) write(dir string) error {
	b, err := json.Marshal(log)
	if err != nil {
		return err
	}
	return durable.Create(filepath.Join(dir, versionsFile), b)
}

// History returns the versions of the call with the given slug that the
// build holds, oldest first.
func (b *Build) History(slug string) []transcript.Version {
	return b.versions.Calls[slug]
}

// CurrentVersion returns the version of c (a call of the build's archive)
// that the build serves.
func (b *Build) CurrentVersion(c *transcript.Call) (transcript.Version, bool) {
	for _, v := range b.versions.Calls[c.Slug] {
		if v.SHA256 == c.SHA256 {
			return v, true
		}
	}
	return transcript.Version{}, false
}

// Version returns the call with the given slug as version name holds it
// (its header and lines as that version's file gave them), and the
// version. name is a version's name or a unique prefix of at least
// transcript.MinVersionDigits hex digits. It returns an error wrapping
// transcript.ErrNoVersion or transcript.ErrAmbiguousVersion when name
// names none or several.
func (b *Build) Version(slug, name string) (*transcript.Call, transcript.Version, error) {
	v, err := b.findVersion(slug, name)
	if err != nil {
		return nil, v, err
	}
	c, err := b.Store.Call(v.Object)
	if err != nil {
		return nil, v, fmt.Errorf("version %s of %s: %w", v.Name, slug, err)
	}
	c.Slug = slug
	return c, v, nil
}

func (b *Build) findVersion(slug, name string) (transcript.Version, error) {
	name = strings.ToLower(name)
	if len(name) < transcript.MinVersionDigits || len(name) > 64 {
		return transcript.Version{}, fmt.Errorf("%q: %w", name, transcript.ErrNoVersion)
	}
	if _, err := hex.DecodeString(name + strings.Repeat("0", len(name)%2)); err != nil {
		return transcript.Version{}, fmt.Errorf("%q: %w", name, transcript.ErrNoVersion)
	}
	var found []transcript.Version
	for _, v := range b.versions.Calls[slug] {
		if strings.HasPrefix(v.SHA256, name) {
			found = append(found, v)
		}
	}
	switch len(found) {
	case 0:
		return transcript.Version{}, fmt.Errorf("%s@%s: %w", slug, name, transcript.ErrNoVersion)
	case 1:
		return found[0], nil
	}
	return transcript.Version{}, fmt.Errorf("%s@%s: %w", slug, name, transcript.ErrAmbiguousVersion)
}

// storeSource keeps the bytes of c's file, read now and checked against
// the digest it was read with.
func storeSource(st *store.Store, c *transcript.Call) error {
	if st.HasSource(c.SHA256) {
		return nil
	}
	data, err := os.ReadFile(c.Path)
	if err != nil {
		return err
	}
	if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != c.SHA256 {
		return fmt.Errorf("%s changed since it was read: %w", c.Path, transcript.ErrChanged)
	}
	return st.PutSource(c.SHA256, data)
}

// Check reports what is wrong with the data folder's current build and
// its versions, each naming the file to remove or rebuild: a build that
// does not open, a damaged version log, or a version whose lines or file
// the line store cannot give back. The archive keeps serving the current
// versions whatever Check finds.
func Check(dataDir string) transcript.Problems {
	var ps transcript.Problems
	add := func(path, msg string) {
		ps = append(ps, transcript.Problem{Path: path, Severity: transcript.Error, Message: msg})
	}
	b, err := OpenCurrent(dataDir)
	if err != nil {
		add(dataDir, fmt.Sprintf("the current build does not open (%v): run 'backchannel ingest' to make a new one", err))
		return ps
	}
	defer b.Close()
	if b.VersionsProblem != nil {
		add(filepath.Join(b.Dir, versionsFile), fmt.Sprintf("damaged version log: %v", b.VersionsProblem))
	}
	slugs := make([]string, 0, len(b.versions.Calls))
	for slug := range b.versions.Calls {
		slugs = append(slugs, slug)
	}
	sort.Strings(slugs)
	for _, slug := range slugs {
		for _, v := range b.versions.Calls[slug] {
			if _, err := b.Store.Call(v.Object); err != nil {
				add(filepath.Join(b.Store.Dir(), v.Object[:min(2, len(v.Object))]), fmt.Sprintf("version %s of %s: %v: remove the damaged object and ingest again (a version only in git history comes back from it; one that is not is lost)", v.Name, slug, err))
			}
		}
	}
	return ps
}

package transcript

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
)

// catalogVersion changes whenever the catalog's layout or meaning does; a
// catalog of another version is not trusted.
// (2: the binary format of catalog_codec.go instead of gob; 3: each call's
// Order; 4: participants' aliases and the call's Record; 5: each call's
// line-store object.)
const catalogVersion = 5

// ErrStale means a catalog no longer describes its transcripts folder.
var ErrStale = errors.New("catalog is stale")

// Catalog is an archive without its lines: every call's header, line count
// and turns per speaker, the archive's Hash, the warnings the folder gave,
// and the state (size, times, inode) of every file it was read from.
//
// A server needs the lines of only the few calls it is showing. Reading
// and hashing every file at start-up costs seconds for a million lines and
// keeps hundreds of megabytes of text in memory; a catalog that is still
// Fresh gives the same archive, with each call's lines read from its file
// when asked for (Archive.WithLines).
//
// Fresh trusts a file whose state is unchanged, as make, rsync and git
// do. A file written within RacyMargin before the catalog was made is not
// trusted (its state may not have changed with its content), unless it
// was read again after that margin and still had the content loaded.
type Catalog struct {
	Version  int
	Snapshot snapshot
	Racy     []string // files whose state does not prove their content
	Hash     string
	Calls    []catalogCall // in archive order
	Warnings Problems      // what LoadDir reported; never errors
}

// catalogCall is a Call without its lines.
type catalogCall struct {
	Slug         string
	Title        string
	Date         string
	Language     string
	Completeness Completeness
	Order        Order
	Source       Source
	Participants []Participant
	Summary      string
	Media        string
	Record       Record
	Path         string
	SHA256       string
	Format       string
	Lines        int
	Turns        map[string]int // turns by speaker ID
	// Sidecar is the metadata file read with the call, and its digest.
	Sidecar       string
	SidecarSHA256 string
	// Object is the key of the call's lines in the line store (SetObjects).
	Object string
}

// catalogCallOf is c's header as the catalog keeps it (lines are counted
// by the caller). Every field of a Call but its Lines is kept: a field
// added to Call, Participant or Source must be added here, in call and in
// the codec (catalog_codec.go, with a new catalogVersion);
// TestCatalogCodec_EveryCallField fails until it is.
func catalogCallOf(c *Call) catalogCall {
	return catalogCall{
		Slug: c.Slug, Title: c.Title, Date: c.Date, Language: c.Language, Completeness: c.Completeness,
		Order: c.Order, Source: c.Source, Participants: c.Participants, Summary: c.Summary, Media: c.Media, Record: c.Record,
		Path: c.Path, SHA256: c.SHA256, Format: c.Format,
	}
}

// call is the Call cc describes, without its lines.
func (cc *catalogCall) call() Call {
	return Call{
		Slug: cc.Slug, Title: cc.Title, Date: cc.Date, Language: cc.Language, Completeness: cc.Completeness,
		Order: cc.Order, Source: cc.Source, Participants: cc.Participants, Summary: cc.Summary, Media: cc.Media, Record: cc.Record,
		Path: cc.Path, SHA256: cc.SHA256, Format: cc.Format,
	}
}

// Snapshot records the state of the files of the transcripts folder dir.
// Take it before LoadDir reads the folder and pass it to NewCatalog.
type Snapshot struct {
	s snapshot
	// margin is how recent a change may be before NewCatalog does not
	// trust a file's state (RacyMargin unless set).
	margin time.Duration
}

// TakeSnapshot stats every file LoadDir reads in dir.
func TakeSnapshot(dir string) *Snapshot { return &Snapshot{s: takeSnapshot(dir), margin: RacyMargin} }

// WithMargin returns the snapshot with another racy margin: a file changed
// within margin before it is not trusted by a catalog made from it. Only
// tests, whose files are always new, set a smaller one than RacyMargin
// (instead of waiting it out); 0 trusts every file's state.
func (s *Snapshot) WithMargin(margin time.Duration) *Snapshot {
	cp := *s
	cp.margin = margin
	return &cp
}

// NewCatalog describes a, which LoadDir or LoadDirLazy read from the
// folder of before with the given warnings, once every file is checked to
// be as it was when before was taken. It fails when a has errors or when
// a file changed while the folder was read.
func NewCatalog(before *Snapshot, a *Archive, warnings Problems) (*Catalog, error) {
	if warnings.HasErrors() {
		return nil, errors.New("catalog: the archive has errors")
	}
	b := before.s
	after := takeSnapshot(b.Dir)
	if err := sameFiles(b, after); err != nil {
		return nil, fmt.Errorf("catalog: the transcripts changed while they were read: %w", err)
	}
	byPath := make(map[string]*Call, len(a.Calls))
	for _, c := range a.Calls {
		byPath[c.Path] = c
	}
	cat := &Catalog{Version: catalogVersion, Snapshot: b, Hash: a.Hash, Warnings: warnings}
	for _, f := range b.Files {
		if !f.racy(b.Taken, before.margin) {
			continue
		}
		// Written just before it was read: trusted only if its content,
		// read again once the clock has moved past the margin, is the
		// content loaded.
		c, ok := byPath[f.Path]
		if !ok || f.racy(after.Taken, before.margin) || fileSHA256(f.Path) != c.SHA256 {
			cat.Racy = append(cat.Racy, f.Path)
		}
	}
	for _, c := range a.Calls {
		cc := catalogCallOf(c)
		cc.Lines, cc.Turns = len(c.Lines), turnCounts(c.Lines)
		if st := a.stored(c); st != nil {
			// Read lazily: the counts and the sidecar are those read.
			cc.Lines, cc.Turns, cc.Sidecar, cc.SidecarSHA256 = st.lines, st.turns, st.sidecar, st.sidecarSHA256
		} else if sp, data, _ := readSidecar(c.Path, c.Format); data != nil {
			cc.Sidecar, cc.SidecarSHA256 = sp, digest(data)
		}
		cat.Calls = append(cat.Calls, cc)
	}
	// A sidecar read again here may differ from the one LoadDir read only
	// if it changed, which sameFiles ruled out (racy ones are in Racy).
	if err := sameFiles(b, takeSnapshot(b.Dir)); err != nil {
		return nil, fmt.Errorf("catalog: the transcripts changed while they were read: %w", err)
	}
	return cat, nil
}

// sameFiles returns nil when two snapshots list the same files in the
// same state, or an error naming the first difference.
func sameFiles(a, b snapshot) error {
	if a.Dir != b.Dir || a.Abs != b.Abs {
		return fmt.Errorf("folder %s (%s) is now %s (%s)", a.Dir, a.Abs, b.Dir, b.Abs)
	}
	for i := range max(len(a.Files), len(b.Files)) {
		switch {
		case i >= len(a.Files):
			return fmt.Errorf("%s is new", b.Files[i].Path)
		case i >= len(b.Files):
			return fmt.Errorf("%s is gone", a.Files[i].Path)
		case a.Files[i].Path != b.Files[i].Path:
			return fmt.Errorf("%s or %s was added or removed", a.Files[i].Path, b.Files[i].Path)
		case !a.Files[i].sameFile(b.Files[i]):
			return fmt.Errorf("%s changed", a.Files[i].Path)
		}
	}
	return nil
}

// Changed returns an error naming the first file that was added, removed
// or written since the catalog was made, as far as its state tells, or nil.
// Unlike FreshAt it trusts files written as the catalog was made: it says
// whether the folder changed, not whether the catalog can stand for it.
// The same folder named another way (relative from another working
// directory) is the same folder.
func (cat *Catalog) Changed(now *Snapshot) error {
	return sameFiles(cat.Snapshot, now.s.as(cat.Snapshot))
}

// Fresh returns nil when the catalog still describes the transcripts
// folder dir: the same files, each in the state recorded, none of them
// racy. Otherwise it returns an error wrapping ErrStale that says why.
func (cat *Catalog) Fresh(dir string) error {
	return cat.FreshAt(TakeSnapshot(dir))
}

// FreshAt is Fresh with the folder's state taken already (a snapshot does
// not depend on the catalog: a server takes it while the catalog is read).
func (cat *Catalog) FreshAt(now *Snapshot) error {
	if cat.Version != catalogVersion {
		return fmt.Errorf("catalog version %d, want %d: %w", cat.Version, catalogVersion, ErrStale)
	}
	if len(cat.Racy) > 0 {
		return fmt.Errorf("%s was written as the catalog was made: %w", cat.Racy[0], ErrStale)
	}
	if err := sameFiles(cat.Snapshot, now.s); err != nil {
		return fmt.Errorf("%w: %w", err, ErrStale)
	}
	return nil
}

// SetObjects records for every call the key of the object that holds its
// lines in a line store, as key gives it for the call's format, file
// digest and sidecar digest ("" without a sidecar).
func (cat *Catalog) SetObjects(key func(format, sha256, sidecarSHA256 string) string) {
	for i := range cat.Calls {
		c := &cat.Calls[i]
		c.Object = key(c.Format, c.SHA256, c.SidecarSHA256)
	}
}

// Distrust marks files the catalog must not vouch for (for example bad
// files left out of a build): while any is marked, the catalog is never
// Fresh, so the folder is read again.
func (cat *Catalog) Distrust(paths ...string) {
	cat.Racy = append(cat.Racy, paths...)
}

// Settle trusts again the files the catalog did not trust because they
// were written just before they were read (Racy), once the clock has moved
// margin past them: a file whose state is still the one recorded and whose
// content is still the one loaded (its call's digest, or its sidecar's) is
// trusted, as git trusts a racily clean entry it has hashed again. A file
// distrusted for another reason (a bad file, Distrust, Keep) has no
// matching digest and stays. A build calls it as late as it can, so that
// the next one need not read the folder again.
func (cat *Catalog) Settle(margin time.Duration) {
	if len(cat.Racy) == 0 {
		return
	}
	state := make(map[string]fileState, len(cat.Snapshot.Files))
	for _, f := range cat.Snapshot.Files {
		state[f.Path] = f
	}
	loaded := make(map[string]string, 2*len(cat.Calls))
	for i := range cat.Calls {
		c := &cat.Calls[i]
		loaded[c.Path] = c.SHA256
		if c.Sidecar != "" {
			loaded[c.Sidecar] = c.SidecarSHA256
		}
	}
	now := time.Now()
	var racy []string
	seen := make(map[string]bool, len(cat.Racy))
	for _, p := range cat.Racy {
		if seen[p] {
			continue
		}
		seen[p] = true
		f, ok := state[p]
		sum, known := loaded[p]
		if ok && known && f.Err == "" && !f.racy(now, margin) && statFile(p) == f && fileSHA256(p) == sum {
			continue
		}
		racy = append(racy, p)
	}
	cat.Racy = racy
}

// Keep puts back, for each of paths (files of cat's folder that could not
// be read this time: bad files left out), the call prior made of the same
// file, lines and line-store object included, in its place in archive
// order, and returns the paths kept. A path prior has no call for (a new
// file), or whose slug another call of cat now has, is not kept. prior's
// folder may be named another way; files are matched by their place in
// it. Kept files are distrusted, so the next build reads them again.
func (cat *Catalog) Keep(prior *Catalog, paths []string) (kept []string) {
	if prior == nil || len(paths) == 0 {
		return nil
	}
	old := make(map[string]*catalogCall, len(prior.Calls))
	for i := range prior.Calls {
		c := &prior.Calls[i]
		if rel, err := filepath.Rel(prior.Snapshot.Dir, c.Path); err == nil {
			old[filepath.ToSlash(rel)] = c
		}
	}
	slugs := make(map[string]bool, len(cat.Calls))
	for i := range cat.Calls {
		slugs[cat.Calls[i].Slug] = true
	}
	for _, p := range paths {
		rel, err := filepath.Rel(cat.Snapshot.Dir, p)
		if err != nil {
			continue
		}
		rel = filepath.ToSlash(rel)
		c, ok := old[rel]
		if !ok || slugs[c.Slug] {
			continue
		}
		cc := *c
		cc.Path = filepath.Join(cat.Snapshot.Dir, filepath.FromSlash(rel))
		at := sort.Search(len(cat.Calls), func(i int) bool { return walkOrder(cat.relPath(cat.Calls[i].Path), rel) > 0 })
		cat.Calls = slices.Insert(cat.Calls, at, cc)
		slugs[cc.Slug] = true
		kept = append(kept, p)
	}
	cat.Distrust(kept...)
	return kept
}

// relPath is path relative to the catalog's folder, with forward slashes.
func (cat *Catalog) relPath(path string) string {
	rel, err := filepath.Rel(cat.Snapshot.Dir, path)
	if err != nil {
		return filepath.ToSlash(path)
	}
	return filepath.ToSlash(rel)
}

// walkOrder compares two slash-separated paths in the order
// filepath.WalkDir visits them (names sorted within each folder), which is
// archive order.
func walkOrder(a, b string) int {
	as, bs := strings.Split(a, "/"), strings.Split(b, "/")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if c := strings.Compare(as[i], bs[i]); c != 0 {
			return c
		}
	}
	return len(as) - len(bs)
}

// Objects lists the object key of every call, in archive order.
func (cat *Catalog) Objects() []string {
	out := make([]string, len(cat.Calls))
	for i := range cat.Calls {
		out[i] = cat.Calls[i].Object
	}
	return out
}

// Archive returns the catalog's archive. Its calls have no lines in
// memory: Archive.WithLines reads them with src, by the object keys that
// SetObjects recorded, keeping about cacheBytes of the most recently read
// ones. With a nil src they are read again from their files (and a file
// that changed since is an error wrapping ErrChanged).
func (cat *Catalog) Archive(src LineReader, cacheBytes int64) *Archive {
	a := &Archive{Dir: cat.Snapshot.Dir, Hash: cat.Hash, Calls: make([]*Call, len(cat.Calls))}
	st := &callStore{info: make(map[*Call]*storedCall, len(cat.Calls)), cache: newLineCache(cacheBytes), src: src}
	// Two allocations for all calls instead of two per call.
	calls, stored := make([]Call, len(cat.Calls)), make([]storedCall, len(cat.Calls))
	for i := range cat.Calls {
		cc, c := &cat.Calls[i], &calls[i]
		*c = cc.call()
		a.Calls[i] = c
		stored[i] = storedCall{lines: cc.Lines, turns: cc.Turns, sidecar: cc.Sidecar, sidecarSHA256: cc.SidecarSHA256, object: cc.Object}
		st.info[c] = &stored[i]
	}
	a.store = st
	return a
}

// WriteFile saves the catalog at path atomically: a reader sees the old
// catalog or the new one, never a part.
func (cat *Catalog) WriteFile(path string) error {
	// Not JSON (5 MB at a million lines, 60 ms to decode) nor gob (20
	// ms): see catalog_codec.go.
	b := encodeCatalog(cat)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return fmt.Errorf("write catalog: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write catalog: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	return nil
}

// ReadCatalog reads a catalog written by WriteFile. A file that is not
// one, a damaged one, and one written in another format (such as the gob
// of older versions) are refused with an error.
func ReadCatalog(path string) (*Catalog, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read catalog: %w", err)
	}
	cat, err := decodeCatalog(b)
	if err != nil {
		return nil, fmt.Errorf("read catalog %s: %w", path, err)
	}
	return cat, nil
}

// turnCounts counts the turns of each speaker.
func turnCounts(lines []Line) map[string]int {
	m := map[string]int{}
	for _, l := range lines {
		if l.Kind == Turn {
			m[l.Speaker]++
		}
	}
	return m
}

func digest(data []byte) string {
	h := sha256.Sum256(data)
	return hex.EncodeToString(h[:])
}

// fileSHA256 is the digest of a transcript file as LoadDir reads it, or
// "" when it cannot be read.
func fileSHA256(path string) string {
	data, p := readFile(path, MaxFileSize)
	if p != nil {
		return ""
	}
	return digest(data)
}

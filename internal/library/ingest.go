package library

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"backchannel/internal/durable"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/store"
	"backchannel/internal/transcript"
)

// IngestOptions tunes Ingest.
type IngestOptions struct {
	Logger   *slog.Logger          // nil: discard
	Progress func(done, total int) // lines indexed so far; may be nil
	// Rebuild reads every transcript and indexes every call again, even
	// when the current build could be reused.
	Rebuild bool
	// SkipBad builds the good files instead of refusing them all: a bad
	// file that the current build holds keeps the version it holds (Kept),
	// so nothing archived goes offline; a new bad file is left out
	// (Skipped). Watch builds this way.
	SkipBad bool
	// RacyMargin is how recent a change to a file may be before the
	// build's catalog does not trust its state (the next build reads it
	// again): 0 means transcript.RacyMargin; below 0, none (only for tests,
	// whose files are always new).
	RacyMargin time.Duration

	// failAt, when set, is asked before each step of the build (tests):
	// an error it returns is that step's failure.
	failAt func(step string) error
}

// fault is the failure a test injects at a step of the build, or nil.
func (o IngestOptions) fault(step string) error {
	if o.failAt == nil {
		return nil
	}
	return o.failAt(step)
}

// step runs do, the step of the build named step, unless a test injects
// its failure.
func (o IngestOptions) step(step string, do func() error) error {
	if err := o.fault(step); err != nil {
		return err
	}
	return do()
}

// margin is the racy margin the options ask for.
func (o IngestOptions) margin() time.Duration {
	switch {
	case o.RacyMargin < 0:
		return 0
	case o.RacyMargin > 0:
		return o.RacyMargin
	}
	return transcript.RacyMargin
}

// snapshot takes the state of the transcripts folder with the options'
// racy margin.
func (o IngestOptions) snapshot(dir string) *transcript.Snapshot {
	return transcript.TakeSnapshot(dir).WithMargin(o.margin())
}

// IngestResult says what Ingest did.
type IngestResult struct {
	// ID is the build made, or the current one when Unchanged.
	ID string
	// Unchanged is true when the transcripts and notes are those of the
	// current build: no build was made.
	Unchanged bool
	// Read is true when the transcripts were read (not trusted from the
	// current build's catalog).
	Read bool
	// Archive is what was built (lines read from the line store).
	Archive *transcript.Archive
	// Build is the current build, open, when Unchanged (it was opened to
	// compare): the caller serves or closes it. Nil otherwise.
	Build *Build
	// Index says what the index build did (zero when Unchanged).
	Index index.BuildStats
	// Problems are every problem found in the transcripts and notes:
	// warnings, and with SkipBad the errors of the files left out.
	Problems transcript.Problems
	// Kept are the bad files served at the version the previous build
	// holds, and Skipped the bad files left out (SkipBad).
	Kept, Skipped []string
	Duration      time.Duration
}

// BadArchiveError means the transcripts have errors: nothing was built.
type BadArchiveError struct {
	Dir      string
	Problems transcript.Problems // every problem found, errors and warnings
	Files    []string            // the files with errors
}

func (e *BadArchiveError) Error() string {
	n := "1 bad file"
	if len(e.Files) != 1 {
		n = fmt.Sprintf("%d bad files", len(e.Files))
	}
	return fmt.Sprintf("%s in %s: fix them (or use --skip-bad to leave those files out)", n, e.Dir)
}

// ErrNoTranscripts means the transcripts folder holds no transcript.
var ErrNoTranscripts = errors.New("no transcripts found")

// readAttempts is how often Ingest reads a folder whose files change while
// it is read before giving up.
const readAttempts = 3

// Ingest builds the transcripts folder into a new build in dataDir,
// verifies it and makes it current. The current build is never written:
// a failed, interrupted or cancelled ingest leaves it exactly as it was,
// and every server keeps answering from it.
//
// When the current build's catalog still describes every transcript (no
// file changed since), the transcripts are not read again; when the notes
// did not change either, no build is made (Unchanged). Only calls whose
// content changed are written to the line store and indexed again.
//
// Ingest returns an error wrapping ErrLocked when another process is
// making a build, a *BadArchiveError when the transcripts have errors
// (unless opts.SkipBad), and an error wrapping ErrNoTranscripts when there
// are none.
func Ingest(ctx context.Context, transcripts, dataDir string, opts IngestOptions) (res *IngestResult, err error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, fmt.Errorf("build in %s: %w", dataDir, err)
	}
	unlock, err := lockDir(filepath.Join(dataDir, lockFile))
	if err != nil {
		return nil, fmt.Errorf("build in %s: %w", dataDir, err)
	}
	defer unlock()
	removeLeftovers(dataDir, log)

	st := store.Open(filepath.Join(dataDir, objectsDir)).KeepOpen(openObjects) // served when nothing changed
	prior := openPrior(dataDir, st, log)
	defer func() { prior.Close() }()

	res = &IngestResult{}
	in, err := readInput(ctx, transcripts, st, prior, opts, log, res)
	if err != nil {
		return res, err
	}
	if prior != nil && !opts.Rebuild && !res.Read && sameNotes(prior.Info.Notes, in.notes) {
		res.ID, res.Unchanged, res.Archive, res.Build = prior.ID(), true, prior.Archive, prior
		res.Duration = time.Since(start)
		prior = nil // the caller's now
		return res, nil
	}

	id, err := newID()
	if err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	tmp := filepath.Join(dataDir, tmpPrefix+id)
	defer func() {
		if err != nil {
			if rmErr := os.RemoveAll(tmp); rmErr != nil {
				log.Warn("remove failed build", "dir", tmp, "err", rmErr)
			}
		}
	}()
	if err := os.Mkdir(tmp, 0o755); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	archive := in.catalog.Archive(st, lineCacheBytes)
	iopts := index.BuildOptions{Logger: log, Progress: opts.Progress, Rebuild: opts.Rebuild}
	if prior != nil {
		iopts.From = filepath.Join(prior.Dir, indexDir)
	}
	if err := opts.fault("index"); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if res.Index, err = index.Build(ctx, filepath.Join(tmp, indexDir), archive, iopts); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if res.Read {
		// Files written just before they were read are trusted once they
		// still hold what was read, so the next start need not read them.
		in.catalog.Settle(opts.margin())
	}
	if err := opts.step("catalog", func() error { return in.catalog.WriteFile(filepath.Join(tmp, catalogFile)) }); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	versions, err := importGit(transcripts, archive, st, priorVersions(dataDir, prior), log)
	if err != nil {
		// The history is a bonus: the files as they are still build.
		log.Warn("the transcripts' git history was not imported", "err", err)
	}
	versions = versions.record(in.catalog, archive, time.Now().UTC())
	if err := opts.step("versions", func() error { return versions.write(tmp) }); err != nil {
		return res, fmt.Errorf("build: versions: %w", err)
	}
	if err := opts.step("notes", func() error { return writeNotes(filepath.Join(tmp, notesDir), in.notes) }); err != nil {
		return res, fmt.Errorf("build: notes: %w", err)
	}
	abs, _ := filepath.Abs(transcripts)
	info := Info{Layout: layoutVersion, ID: id, Built: time.Now().UTC(), Transcripts: abs, ArchiveHash: archive.Hash,
		Calls: len(archive.Calls), Lines: res.Index.Lines, Notes: in.notes.files}
	b, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if err := opts.step("info", func() error { return durable.Create(filepath.Join(tmp, infoFile), b) }); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	if err := opts.step("sync", func() error { return durable.SyncTree(tmp) }); err != nil {
		return res, fmt.Errorf("build: sync: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	if err := opts.step("verify", func() error { return verifyBuild(tmp, st) }); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}

	name := buildPrefix + id
	if err := opts.step("rename", func() error { return os.Rename(tmp, filepath.Join(dataDir, name)) }); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	tmp = filepath.Join(dataDir, name) // removed if the swap fails
	if err := opts.fault("swap"); err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	previous, err := swapCurrent(dataDir, name)
	if err != nil {
		return res, fmt.Errorf("build: %w", err)
	}
	removeOld(dataDir, name, previous, log)
	res.ID, res.Archive, res.Duration = id, archive, time.Since(start)
	log.Info("build made", "id", id, "calls", len(archive.Calls), "lines", res.Index.Lines, "read", res.Read,
		"incremental", res.Index.Incremental, "seconds", res.Duration.Seconds())
	return res, nil
}

// openPrior opens the current build of dataDir for Ingest to start from,
// or returns nil (saying why in the log) when there is none that opens.
func openPrior(dataDir string, st *store.Store, log *slog.Logger) *Build {
	dir, err := currentBuild(dataDir)
	if err != nil {
		return nil
	}
	b, err := openBuild(dir, st)
	if err != nil {
		log.Warn("the current build cannot be opened: building it again from the transcripts", "err", err)
		return nil
	}
	return b
}

// input is what a build is made of: the catalog of the transcripts (whose
// calls' lines are in the line store) and the notes.
type input struct {
	catalog *transcript.Catalog
	notes   notesInput
}

// readInput returns what the build of transcripts is made of. When the
// catalog of prior still describes every file, the transcripts are not
// read; otherwise they are read and checked, and the lines of each new
// content are written to the line store. It fills res's Read, Problems
// and Skipped.
func readInput(ctx context.Context, transcripts string, st *store.Store, prior *Build, opts IngestOptions, log *slog.Logger, res *IngestResult) (*input, error) {
	if _, err := os.Stat(transcripts); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoTranscripts, err)
	}
	snap := opts.snapshot(transcripts)
	in := &input{}
	if prior != nil && !opts.Rebuild {
		if err := prior.Catalog.FreshAt(snap); err == nil {
			in.catalog = prior.Catalog
			res.Problems = append(res.Problems, prior.Catalog.Warnings...)
		} else {
			log.Info("reading the transcripts", "why", err.Error())
		}
	}
	if in.catalog == nil {
		res.Read = true
		var err error
		for attempt := 1; ; attempt++ {
			in.catalog, err = readCatalog(ctx, transcripts, snap, st, prior, opts, res)
			if err == nil || !errors.Is(err, errChangedWhileRead) || attempt == readAttempts {
				break
			}
			log.Info("the transcripts changed while they were read; reading them again", "err", err)
			snap = opts.snapshot(transcripts)
		}
		if err != nil {
			return nil, err
		}
	}
	notes, ps, err := readNotes(transcripts, in.catalog.Archive(st, lineCacheBytes))
	if err != nil {
		return nil, err
	}
	in.notes = notes
	res.Problems = append(res.Problems, ps...)
	res.Problems.Sort()
	return in, nil
}

var errChangedWhileRead = errors.New("the transcripts changed while they were read")

// readCatalog reads and checks every transcript of the folder whose state
// is snap, writes the lines of each content the store does not have, and
// returns the folder's catalog with each call's object.
func readCatalog(ctx context.Context, transcripts string, snap *transcript.Snapshot, st *store.Store, prior *Build, opts IngestOptions, res *IngestResult) (*transcript.Catalog, error) {
	a, problems := transcript.LoadDirLazy(transcripts, lineCacheBytes)
	res.Problems, res.Kept, res.Skipped = problems, nil, nil
	var bad []string
	if problems.HasErrors() {
		bad = badFiles(problems)
		if !opts.SkipBad || a == nil {
			return nil, &BadArchiveError{Dir: transcripts, Problems: problems, Files: bad}
		}
		res.Skipped = bad
	}
	if a == nil || len(a.Calls) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoTranscripts, transcripts)
	}
	var warnings transcript.Problems
	for _, p := range problems {
		if p.Severity == transcript.Warning {
			warnings = append(warnings, p)
		}
	}
	cat, err := transcript.NewCatalog(snap, a, warnings)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errChangedWhileRead, err)
	}
	// The bad files left out are read again by the next build.
	cat.Distrust(bad...)
	cat.SetObjects(store.Key)
	if err := opts.step("objects", func() error { return storeLines(ctx, a, cat.Objects(), st, prior) }); err != nil {
		return nil, err
	}
	if prior != nil && len(bad) > 0 {
		// Their lines are in the store already: prior's objects.
		res.Kept = cat.Keep(prior.Catalog, bad)
		res.Skipped = slices.DeleteFunc(slices.Clone(bad), func(p string) bool { return slices.Contains(res.Kept, p) })
	}
	return cat, nil
}

// storeLines writes the lines of each call of a whose object (keys, in
// a's order) is not in the store, and makes them durable. An object that a
// killed build left unreferenced is checked before it is trusted.
func storeLines(ctx context.Context, a *transcript.Archive, keys []string, st *store.Store, prior *Build) error {
	trusted := map[string]bool{}
	if prior != nil {
		for _, k := range prior.Catalog.Objects() {
			trusted[k] = true
		}
	}
	var (
		mu       sync.Mutex
		firstErr error
		wg       sync.WaitGroup
		next     = make(chan int)
	)
	for range 2 {
		wg.Go(func() {
			for i := range next {
				if err := storeCall(a, a.Calls[i], keys[i], st, trusted[keys[i]]); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
				}
			}
		})
	}
feed:
	for i := range a.Calls {
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed {
			break
		}
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return fmt.Errorf("line store: %w", firstErr)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return st.Sync()
}

// storeCall writes the lines of c as object key unless the store has it
// (checked whole unless trusted).
func storeCall(a *transcript.Archive, c *transcript.Call, key string, st *store.Store, trusted bool) error {
	if st.Has(key) {
		if trusted {
			return nil
		}
		if _, err := st.Call(key); err == nil {
			return storeSource(st, c)
		}
		if err := st.Remove(key); err != nil {
			return err
		}
	}
	full, err := a.WithLines(c)
	if err != nil {
		return err
	}
	if err := st.Put(key, full); err != nil {
		return err
	}
	return storeSource(st, c)
}

// badFiles lists the files with errors, once each.
func badFiles(ps transcript.Problems) []string {
	seen := map[string]bool{}
	var out []string
	for _, p := range ps {
		if p.Severity == transcript.Error && !seen[p.Path] {
			seen[p.Path] = true
			out = append(out, p.Path)
		}
	}
	return out
}

// notesInput is the notes files a build holds, with their content.
type notesInput struct {
	files []NotesFile
	data  [][]byte
}

// readNotes reads every notes file of the transcripts folder and attaches
// them to a (for their problems, reported with their paths).
func readNotes(transcripts string, a *transcript.Archive) (notesInput, transcript.Problems, error) {
	var in notesInput
	paths, ps := annotate.Find(transcripts)
	noted := map[string]bool{}
	for _, p := range paths {
		slug := annotate.SlugOf(filepath.Base(p))
		if noted[slug] {
			continue // two files for one slug: LoadDir reports it
		}
		fi, err := os.Stat(p)
		if err != nil {
			return in, nil, fmt.Errorf("notes: %w", err)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return in, nil, fmt.Errorf("notes: %w", err)
		}
		sum := sha256.Sum256(b)
		noted[slug] = true
		in.files = append(in.files, NotesFile{Slug: slug, Source: p, Size: fi.Size(), Mtime: fi.ModTime().UnixNano(), SHA256: hex.EncodeToString(sum[:])})
		in.data = append(in.data, b)
	}
	if len(paths) > 0 {
		_, lps := annotate.LoadDir(transcripts, withLinesOf(a, noted))
		ps = append(ps, lps...)
	}
	return in, ps, nil
}

// writeNotes writes the notes files of in into dir, as {slug}.notes.md.
func writeNotes(dir string, in notesInput) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	for i, f := range in.files {
		if err := durable.Create(filepath.Join(dir, f.Slug+annotate.Suffix), in.data[i]); err != nil {
			return err
		}
	}
	return nil
}

// sameNotes reports whether two builds hold the same notes files, as far
// as their state and digests tell.
func sameNotes(a []NotesFile, b notesInput) bool {
	if len(a) != len(b.files) {
		return false
	}
	for i := range a {
		if a[i] != b.files[i] {
			return false
		}
	}
	return true
}

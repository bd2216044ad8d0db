package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"backchannel/internal/annotate"
	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// Library is what a server reads from: the build it has open, swapped for
// a newer one while requests are answered. A build that is swapped out is
// closed once the searches using it have finished. It is safe for
// concurrent use.
type Library struct {
	dataDir string
	logger  *slog.Logger

	// openMu is held while a new build is opened to be served.
	openMu sync.Mutex

	mu  sync.RWMutex
	cur *servedBuild
	// retired are builds swapped out, kept open for retireAfter so that a
	// request that began on one reads all of it from that build.
	retired []*servedBuild
	// notReady, when set, keeps Health failing (for example until
	// --watch is watching).
	notReady error
	// lastErr is the last failed build or reload, reported in the health
	// details while the last good build keeps serving; cleared by the
	// next success.
	lastErr error
	// stale, when set, says why the build served is behind the data
	// folder or the transcripts, since when.
	stale      error
	staleSince time.Time
	// staleGrace is how long the build served may lag before Health
	// says so.
	staleGrace time.Duration
}

// servedBuild is a build with a count of the searches using it.
type servedBuild struct {
	*Build
	refs sync.WaitGroup
}

// retireAfter is how long a build swapped out stays open: longer than any
// request takes (searches time out in seconds).
const retireAfter = 30 * time.Second

// New returns a library over dataDir with no build open yet.
func New(dataDir string, logger *slog.Logger) *Library {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Library{dataDir: dataDir, logger: logger, staleGrace: defaultStaleGrace}
}

// defaultStaleGrace is how long the build served may lag behind the data
// folder or the transcripts before /healthz says so.
const defaultStaleGrace = 5 * time.Second

// SetStaleGrace sets how long the build served may lag behind the data
// folder (or the data folder be unreadable) before Health says so; d <= 0
// means at once.
func (l *Library) SetStaleGrace(d time.Duration) {
	l.mu.Lock()
	l.staleGrace = d
	l.mu.Unlock()
}

// DataDir is the library's data folder.
func (l *Library) DataDir() string { return l.dataDir }

// Open opens the current build of the data folder and serves it.
func (l *Library) Open() error {
	b, err := OpenCurrent(l.dataDir)
	if err != nil {
		return err
	}
	l.Swap(b)
	return nil
}

// Swap serves b from now on. The build it replaces is closed in the
// background once the searches using it have finished.
func (l *Library) Swap(b *Build) {
	nb := &servedBuild{Build: b}
	l.mu.Lock()
	old := l.cur
	l.cur, l.lastErr, l.stale = nb, nil, nil
	if old != nil {
		l.retired = append(l.retired, old)
	}
	l.mu.Unlock()
	for _, p := range b.NotesProblems {
		l.logger.Warn("notes problem (run backchannel check)", "problem", p.String())
	}
	if b.VersionsProblem != nil {
		l.logger.Error("the version log is damaged: serving the current versions only", "err", b.VersionsProblem)
	}
	if old != nil {
		time.AfterFunc(retireAfter, func() { l.retire(old) })
	}
}

// retire closes a build swapped out, once no search uses it.
func (l *Library) retire(old *servedBuild) {
	l.mu.Lock()
	l.retired = slices.DeleteFunc(l.retired, func(b *servedBuild) bool { return b == old })
	l.mu.Unlock()
	old.refs.Wait()
	old.Close()
}

// buildOf returns the served or retired build whose archive is a, or nil.
// The caller holds l.mu.
func (l *Library) buildOf(a *transcript.Archive) *servedBuild {
	if l.cur != nil && l.cur.Archive == a {
		return l.cur
	}
	for _, b := range l.retired {
		if b.Archive == a {
			return b
		}
	}
	return nil
}

// Current returns the build being served, or nil.
func (l *Library) Current() *Build {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if l.cur == nil {
		return nil
	}
	return l.cur.Build
}

// Archive returns the archive of the build being served, or nil.
func (l *Library) Archive() *transcript.Archive {
	if b := l.Current(); b != nil {
		return b.Archive
	}
	return nil
}

// Notes returns the editorial notes on the call with the given slug in the
// build of archive a (one that Archive returned), or nil.
func (l *Library) Notes(a *transcript.Archive, slug string) *annotate.Notes {
	l.mu.RLock()
	defer l.mu.RUnlock()
	if b := l.buildOf(a); b != nil {
		return b.Notes[slug]
	}
	return nil
}

// Annotated lists the calls of archive a's build that have notes, in
// archive order (web.AnnotatedLister): a search asks for these calls'
// notes only, not for every call's.
func (l *Library) Annotated(a *transcript.Archive) []string {
	slugs := []string{}
	l.mu.RLock()
	if b := l.buildOf(a); b != nil {
		for slug := range b.Notes {
			if _, ok := a.Call(slug); ok {
				slugs = append(slugs, slug)
			}
		}
	}
	l.mu.RUnlock()
	// Archive order: by date, then slug (transcript.Archive.Calls).
	slices.SortFunc(slugs, func(x, y string) int {
		cx, _ := a.Call(x)
		cy, _ := a.Call(y)
		if cx.Date != cy.Date {
			return strings.Compare(cx.Date, cy.Date)
		}
		return strings.Compare(x, y)
	})
	return slugs
}

// History returns the versions of the call with the given slug in the
// build of archive a, oldest first.
func (l *Library) History(a *transcript.Archive, slug string) []transcript.Version {
	l.mu.RLock()
	b := l.buildOf(a)
	l.mu.RUnlock()
	if b == nil {
		return nil
	}
	return b.History(slug)
}

// Version returns the call with the given slug as version name of it holds
// it, in the build of archive a (see Build.Version).
func (l *Library) Version(a *transcript.Archive, slug, name string) (*transcript.Call, transcript.Version, error) {
	l.mu.RLock()
	b := l.buildOf(a)
	l.mu.RUnlock()
	if b == nil {
		return nil, transcript.Version{}, errGone
	}
	return b.Version(slug, name)
}

// Search runs q on the index of the build of archive a (one that Archive
// returned): a request's hits are always lines of the archive it shows,
// even when a new build was swapped in since it began.
func (l *Library) Search(ctx context.Context, a *transcript.Archive, q index.Query) (*index.Result, error) {
	l.mu.RLock()
	b := l.buildOf(a)
	if b != nil {
		b.refs.Add(1)
	}
	l.mu.RUnlock()
	if b == nil {
		return nil, errGone
	}
	defer b.refs.Done()
	return b.Index.Search(ctx, q)
}

// errGone means a request outlived the build it began on.
var errGone = errors.New("the archive was replaced while the request ran; try again")

// Health is nil once a build is open (and, with Watch, once watching)
// and, past a short grace, while the build served is not behind the
// data folder or the transcripts.
func (l *Library) Health() error {
	l.mu.RLock()
	defer l.mu.RUnlock()
	switch {
	case l.cur == nil:
		return errNotOpen
	case l.notReady != nil:
		return l.notReady
	case l.stale != nil && time.Since(l.staleSince) > l.staleGrace:
		return fmt.Errorf("stale since %s: %w", l.staleSince.UTC().Format(time.RFC3339), l.stale)
	}
	return nil
}

// HealthDetails describes the library for /healthz.
func (l *Library) HealthDetails() map[string]any {
	l.mu.RLock()
	defer l.mu.RUnlock()
	d := map[string]any{}
	if l.cur != nil {
		a := l.cur.Archive
		lines := 0
		for _, c := range a.Calls {
			lines += a.LineCount(c)
		}
		d["calls"], d["lines"], d["archive_hash"], d["build"] = len(a.Calls), lines, a.Hash, l.cur.ID()
	}
	if l.lastErr != nil {
		d["last_reload_error"] = l.lastErr.Error()
	}
	if l.cur != nil && l.cur.VersionsProblem != nil {
		d["versions_problem"] = l.cur.VersionsProblem.Error()
	}
	if l.stale != nil {
		d["stale_since"] = l.staleSince.UTC().Format(time.RFC3339)
		d["stale_reason"] = l.stale.Error()
	}
	return d
}

// SetReady sets what keeps Health failing (nil: nothing).
func (l *Library) SetReady(err error) {
	l.mu.Lock()
	l.notReady = err
	l.mu.Unlock()
}

// setLastErr records the last failed build or reload (nil: none).
func (l *Library) setLastErr(err error) {
	l.mu.Lock()
	l.lastErr = err
	l.mu.Unlock()
}

// setStale records that the build served is behind, and why (nil: it is
// not). The time it became stale is kept while it stays stale.
func (l *Library) setStale(why error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if why == nil {
		l.stale = nil
		return
	}
	if l.stale == nil {
		l.staleSince = time.Now()
	}
	l.stale = why
}

// clearStale clears the staleness why, unless another has been reported
// since.
func (l *Library) clearStale(why error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stale == why {
		l.stale = nil
	}
}

// IndexBytes is the size on disk of the build served.
func (l *Library) IndexBytes() int64 {
	if b := l.Current(); b != nil {
		return b.Bytes
	}
	return 0
}

// LastIngest is when the build served was made.
func (l *Library) LastIngest() time.Time {
	if b := l.Current(); b != nil {
		return b.builtAt()
	}
	return time.Time{}
}

// Close closes the build served, and those retired, after in-flight
// searches finish.
func (l *Library) Close() error {
	l.mu.Lock()
	cur, retired := l.cur, l.retired
	l.cur, l.retired = nil, nil
	l.mu.Unlock()
	for _, b := range retired {
		b.refs.Wait()
		b.Close()
	}
	if cur == nil {
		return nil
	}
	cur.refs.Wait()
	return cur.Close()
}

// Failed records a build that failed while the current build kept
// serving: /healthz names it, and says the library is stale.
func (l *Library) Failed(err error) {
	l.setLastErr(err)
	l.setStale(fmt.Errorf("the last build failed: %w", err))
}

// Transient reports whether a failed build may succeed if tried again
// without anything changing in the transcripts: another build held the
// lock, the disk was full, an I/O error; not a broken transcript.
func Transient(err error) bool { return isTransient(err) }

// isTransient is Transient.
func isTransient(err error) bool {
	var bad *BadArchiveError
	return err != nil && !errors.As(err, &bad) && !errors.Is(err, ErrNoTranscripts) && !errors.Is(err, context.Canceled)
}

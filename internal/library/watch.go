package library

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"backchannel/internal/transcript"
)

// watchDelay is how long Watch waits after the last change to a file
// before building, so that an editor's save (often several events)
// causes one build.
const watchDelay = 150 * time.Millisecond

// Retry bounds for a build that failed for a reason that may pass.
const (
	retryFirst = 500 * time.Millisecond
	retryMax   = 30 * time.Second
)

// Watch builds the transcripts folder whenever a file in it changes and
// serves each new build. A broken edit is logged and recorded in the
// health details, and the broken file keeps the version the last build
// holds (a new broken file is left out), so an edit to another call is
// served all the same (opts.SkipBad is always set). A build that failed
// for a reason that may pass (another build held the lock, a full disk)
// is tried again with backoff until it succeeds, and meanwhile Health says
// the library is stale. Watch marks the library ready once it is watching
// and returns when ctx is done.
func (l *Library) Watch(ctx context.Context, transcripts string, opts IngestOptions) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", transcripts, err)
	}
	defer w.Close()
	if err := addTree(w, transcripts); err != nil {
		return fmt.Errorf("watch %s: %w", transcripts, err)
	}
	l.SetReady(nil)
	l.logger.Info("watching for changes", "transcripts", transcripts)
	opts.SkipBad = true

	timer := time.NewTimer(time.Hour)
	timer.Stop()
	retry := retryFirst
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ev.Has(fsnotify.Create) {
				if fi, err := os.Stat(ev.Name); err == nil && fi.IsDir() {
					addTree(w, ev.Name)
				}
			}
			timer.Reset(watchDelay)
			retry = retryFirst
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			l.logger.Warn("watcher error", "err", err)
		case <-timer.C:
			err := l.Reload(ctx, transcripts, opts)
			switch {
			case err == nil:
			case ctx.Err() != nil:
				return nil
			case isTransient(err):
				l.setLastErr(err)
				l.setStale(fmt.Errorf("the transcripts changed and the build failed (trying again in %s): %w", retry, err))
				l.logger.Error("build failed; trying again", "err", err, "in", retry)
				timer.Reset(retry)
				retry = min(2*retry, retryMax)
			default:
				l.setLastErr(err)
				l.logger.Error("build failed; still serving the last good build", "err", err)
			}
		}
	}
}

// Reload builds the transcripts folder (unless it is what the current
// build holds) and serves the result. A success clears the last error.
func (l *Library) Reload(ctx context.Context, transcripts string, opts IngestOptions) error {
	if opts.Logger == nil {
		opts.Logger = l.logger
	}
	res, err := Ingest(ctx, transcripts, l.dataDir, opts)
	if err != nil {
		var bad *BadArchiveError
		if errors.As(err, &bad) {
			return fmt.Errorf("reload %s: %w:\n%w", transcripts, err, bad.Problems)
		}
		return fmt.Errorf("reload %s: %w", transcripts, err)
	}
	for _, p := range res.Problems {
		if p.Severity == transcript.Error {
			l.logger.Error("bad transcript", "problem", p.String())
		} else {
			l.logger.Warn("transcript warning", "problem", p.String())
		}
	}
	if res.Build != nil { // unchanged: the current build, opened to compare
		l.openMu.Lock()
		if cur := l.Current(); cur != nil && cur.ID() == res.ID {
			res.Build.Close()
		} else {
			l.Swap(res.Build)
		}
		l.openMu.Unlock()
	}
	if err := l.serveCurrent(); err != nil {
		return fmt.Errorf("reload %s: %w", transcripts, err)
	}
	l.setLastErr(badFilesError(transcripts, res))
	l.setStale(nil)
	if !res.Unchanged {
		l.logger.Info("reloaded", "build", res.ID, "calls", len(res.Archive.Calls), "seconds", res.Duration.Seconds())
	}
	return nil
}

// addTree watches dir and every folder below it.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(transcript.WalkRoot(dir), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return w.Add(p)
		}
		return nil
	})
}

// badFilesError says which bad files a build kept at their previous
// version and which it left out, with every error found in them, or
// returns nil when there were none.
func badFilesError(transcripts string, res *IngestResult) error {
	if len(res.Kept) == 0 && len(res.Skipped) == 0 {
		return nil
	}
	var errs transcript.Problems
	for _, p := range res.Problems {
		if p.Severity == transcript.Error {
			errs = append(errs, p)
		}
	}
	var parts []string
	if len(res.Kept) > 0 {
		parts = append(parts, fmt.Sprintf("serving the previous version of %s", strings.Join(res.Kept, ", ")))
	}
	if len(res.Skipped) > 0 {
		parts = append(parts, fmt.Sprintf("left out %s", strings.Join(res.Skipped, ", ")))
	}
	return fmt.Errorf("reload %s: bad files: %s; fix them:\n%w", transcripts, strings.Join(parts, "; "), errs)
}

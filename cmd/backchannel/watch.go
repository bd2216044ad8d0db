package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"

	"backchannel/internal/index"
	"backchannel/internal/transcript"
)

// watchDelay is how long the watcher waits after the last change to a file
// before re-ingesting, so that an editor's save (often several events) causes
// one reload.
const watchDelay = 150 * time.Millisecond

// watch re-ingests dir whenever a file in it changes and swaps the new index
// into lib. A broken edit is logged and recorded in lib's health details; the
// last good version keeps serving. watch marks lib ready once it is watching
// and returns when ctx is done.
func watch(ctx context.Context, dir, dataDir string, lib *library, logger *slog.Logger) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	defer w.Close()
	if err := addTree(w, dir); err != nil {
		return fmt.Errorf("watch %s: %w", dir, err)
	}
	lib.setReady(nil)
	logger.Info("watching for changes", "transcripts", dir)

	timer := time.NewTimer(time.Hour)
	timer.Stop()
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
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			logger.Warn("watcher error", "err", err)
		case <-timer.C:
			if err := reload(ctx, dir, dataDir, lib, logger); err != nil {
				lib.setLastErr(err)
				logger.Error("reload failed; still serving the last good version", "err", err)
			}
		}
	}
}

// reload re-reads the transcripts, rebuilds the index when they changed and
// swaps both into lib.
func reload(ctx context.Context, dir, dataDir string, lib *library, logger *slog.Logger) error {
	start := time.Now()
	if cat := lib.currentCatalog(); cat != nil && cat.Fresh(dir) == nil {
		lib.reloadNotes() // no transcript changed: a notes file did, or nothing
		return nil
	}
	snap := transcript.TakeSnapshot(dir)
	a, problems := transcript.LoadDirLazy(dir, lineCacheBytes)
	if problems.HasErrors() {
		return fmt.Errorf("reload %s: %w", dir, problems)
	}
	for _, p := range problems {
		logger.Warn("transcript warning", "problem", p.String())
	}
	if cur := lib.Archive(); cur != nil && cur.Hash == a.Hash {
		// The same content (a file was saved unchanged, or only touched):
		// a new catalog, so that the next check is cheap again.
		if _, cat := catalogue(snap, a, problems, dataDir, logger); cat != nil {
			lib.setCatalog(cur, cat)
		}
		lib.reloadNotes() // notes files are not in the hash
		return nil
	}
	if _, err := index.Build(ctx, dataDir, a, index.BuildOptions{Logger: logger}); err != nil {
		return fmt.Errorf("reload: build index: %w", err)
	}
	idx, err := index.Open(dataDir)
	if err != nil {
		return fmt.Errorf("reload: open index: %w", err)
	}
	light, cat := catalogue(snap, a, problems, dataDir, logger)
	lib.swap(light, cat, idx)
	logger.Info("reloaded", "calls", len(light.Calls), "seconds", time.Since(start).Seconds())
	releaseParsed(cat)
	return nil
}

// addTree watches dir and every folder below it.
func addTree(w *fsnotify.Watcher, dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return w.Add(p)
		}
		return nil
	})
}

package main

import (
	"io/fs"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// loadNotes reads the editorial notes ({slug}.notes.md) beside the
// archive's transcripts and attaches them to its calls. Problems do not
// stop serving: check reports them, and a detached note is shown as such.
func loadNotes(a *transcript.Archive) (map[string]*annotate.Notes, transcript.Problems) {
	if a == nil || a.Dir == "" {
		return nil, nil
	}
	return annotate.LoadDir(a.Dir, withNotedLines(a))
}

// withNotedLines returns a, or, when a keeps its lines on disk (it was read
// from a catalog), a copy of a in which the calls that have a notes file
// have their lines, which attaching notes reads. A call whose file changed
// keeps none, and its notes show as detached until it is read again.
func withNotedLines(a *transcript.Archive) *transcript.Archive {
	noted := map[string]bool{}
	filepath.WalkDir(a.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == a.Dir {
			return nil
		}
		if name := d.Name(); strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() {
			if slug := annotate.SlugOf(d.Name()); slug != "" {
				noted[slug] = true
			}
		}
		return nil
	})
	var out *transcript.Archive
	for i, c := range a.Calls {
		if !noted[c.Slug] || a.LineCount(c) == len(c.Lines) {
			continue
		}
		full, err := a.WithLines(c)
		if err != nil {
			continue
		}
		if out == nil {
			out = &transcript.Archive{Dir: a.Dir, Hash: a.Hash, Calls: slices.Clone(a.Calls)}
		}
		out.Calls[i] = full
	}
	if out == nil {
		return a
	}
	return out
}

// Notes returns the editorial notes on a call, or nil (web.NotesProvider).
func (l *library) Notes(slug string) *annotate.Notes {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.notes[slug]
}

// logNotesProblems logs the problems found in the notes last loaded.
func logNotesProblems(logger *slog.Logger, l *library) {
	l.mu.RLock()
	ps := l.notesProblems
	l.mu.RUnlock()
	for _, p := range ps {
		logger.Warn("notes problem (run backchannel check)", "problem", p.String())
	}
}

// reloadNotes re-reads the notes of the current archive, for when a notes
// file changed but no transcript did (so the index is not rebuilt).
func (l *library) reloadNotes() {
	a := l.Archive()
	notes, nps := loadNotes(a)
	l.mu.Lock()
	if l.archive == a {
		l.notes, l.notesProblems = notes, nps
	}
	l.mu.Unlock()
}

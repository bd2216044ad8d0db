package main

import (
	"log/slog"

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
	return annotate.LoadDir(a.Dir, a)
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

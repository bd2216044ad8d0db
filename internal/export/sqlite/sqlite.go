// Package sqlite writes the SQLite form of an export (package export): the
// tables calls, participants, lines and notes with foreign keys, and
// lines_fts, an FTS5 index over the lines, through the pure-Go
// modernc.org/sqlite. It is a package of its own so that only the programs
// that write the file link an SQL engine.
package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"backchannel/internal/annotate"
	"backchannel/internal/export"
	"backchannel/internal/transcript"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// sqliteSchema is the SQLite export. Text columns hold the text exactly as
// in the transcripts (and notes files); a missing value is NULL.
// lines.id is the rowid lines_fts indexes. labels and corrections are JSON
// arrays. The tokenizer of lines_fts folds case and diacritics, as the
// site's search does.
var sqliteSchema = []string{
	`CREATE TABLE calls (
	slug TEXT PRIMARY KEY,
	title TEXT NOT NULL,
	date TEXT,
	language TEXT,
	completeness TEXT,
	publisher TEXT,
	source_url TEXT,
	published TEXT,
	source_note TEXT,
	summary TEXT,
	media TEXT,
	format TEXT,
	sha256 TEXT,
	line_count INTEGER NOT NULL,
	headnote TEXT,
	fidelity TEXT,
	corrections TEXT,
	url TEXT NOT NULL
)`,
	`CREATE TABLE participants (
	call TEXT NOT NULL REFERENCES calls(slug),
	id TEXT NOT NULL,
	name TEXT NOT NULL,
	role TEXT,
	labels TEXT NOT NULL,
	position INTEGER NOT NULL,
	PRIMARY KEY (call, id)
)`,
	`CREATE TABLE lines (
	id INTEGER PRIMARY KEY,
	call TEXT NOT NULL REFERENCES calls(slug),
	n INTEGER NOT NULL,
	kind TEXT NOT NULL,
	speaker TEXT,
	text TEXT NOT NULL,
	time REAL,
	UNIQUE (call, n),
	FOREIGN KEY (call, speaker) REFERENCES participants(call, id)
)`,
	`CREATE TABLE notes (
	call TEXT NOT NULL REFERENCES calls(slug),
	n INTEGER NOT NULL,
	first INTEGER NOT NULL,
	last INTEGER NOT NULL,
	quote TEXT,
	text TEXT NOT NULL,
	detached TEXT,
	url TEXT NOT NULL,
	PRIMARY KEY (call, n)
)`,
	`CREATE INDEX lines_speaker ON lines(speaker)`,
	`CREATE VIRTUAL TABLE lines_fts USING fts5(text, content='lines', content_rowid='id',
	tokenize = 'unicode61 remove_diacritics 2')`,
}

// Write writes the archive into a new SQLite database at path (an empty or
// missing file); export.ToFile gives it a temporary path. Rows go in one transaction, a call at a time,
// with the foreign keys checked as they are inserted; lines_fts is built
// at the end from the lines table and merged into one segment.
func Write(ctx context.Context, path string, src export.Source) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("export sqlite: %w", err)
		}
	}()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := db.Close(); err == nil {
			err = cerr
		}
	}()
	db.SetMaxOpenConns(1) // the pragmas below are per connection
	for _, s := range append([]string{
		// A new file, renamed into place only when complete (ToFile):
		// a crash loses nothing that was there, so no journal and no
		// fsync until the end.
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA foreign_keys = ON",
		"PRAGMA cache_size = -16384", // 16 MB: bounds memory, whatever the archive's size
	}, sqliteSchema...) {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%.40s: %w", s, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	ins := map[string]*sql.Stmt{}
	for name, q := range map[string]string{
		"call":        `INSERT INTO calls VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		"participant": `INSERT INTO participants(call, id, name, role, labels, position) VALUES (?, ?, ?, ?, ?, ?)`,
		"line":        `INSERT INTO lines(call, n, kind, speaker, text, time) VALUES (?, ?, ?, ?, ?, ?)`,
		"note":        `INSERT INTO notes VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
	} {
		st, err := tx.PrepareContext(ctx, q)
		if err != nil {
			return err
		}
		defer st.Close()
		ins[name] = st
	}
	err = src.Each(ctx, func(c *transcript.Call, ns *annotate.Notes) error {
		var headnote, fidelity, corrections any
		if ns != nil {
			headnote, fidelity = null(ns.Headnote), null(ns.Fidelity)
			if len(ns.Corrections) > 0 {
				type correction struct {
					Date string `json:"date"`
					Note string `json:"note"`
				}
				var cs []correction
				for _, cr := range ns.Corrections {
					cs = append(cs, correction{cr.Date, cr.Text})
				}
				b, _ := json.Marshal(cs)
				corrections = string(b)
			}
		}
		if _, err := ins["call"].ExecContext(ctx, c.Slug, c.Title, null(c.Date), null(c.Language), null(string(c.Completeness)),
			null(c.Source.Publisher), null(c.Source.URL), null(c.Source.Published), null(c.Source.Note),
			null(c.Summary), null(c.Media), null(c.Format), null(c.SHA256), len(c.Lines),
			headnote, fidelity, corrections, export.CallURL(c.Slug)); err != nil {
			return fmt.Errorf("call %s: %w", c.Slug, err)
		}
		for i, p := range c.Participants {
			labels, _ := json.Marshal(append([]string{}, p.Labels...))
			if _, err := ins["participant"].ExecContext(ctx, c.Slug, p.ID, p.Name, null(p.Role), string(labels), i+1); err != nil {
				return fmt.Errorf("%s participant %s: %w", c.Slug, p.ID, err)
			}
		}
		for _, l := range c.Lines {
			var speaker, t any
			if l.Kind == transcript.Turn && l.Speaker != "" {
				speaker = l.Speaker
			}
			if l.Time >= 0 {
				t = l.Time
			}
			if _, err := ins["line"].ExecContext(ctx, c.Slug, l.N, string(l.Kind), speaker, l.Text, t); err != nil {
				return fmt.Errorf("%s line %d: %w", c.Slug, l.N, err)
			}
		}
		if ns == nil {
			return nil
		}
		for _, n := range ns.Notes {
			if _, err := ins["note"].ExecContext(ctx, c.Slug, n.N, n.First, n.Last, null(n.Quote), n.Body, null(n.Detached),
				export.CallURL(c.Slug)+"#"+n.ID()); err != nil {
				return fmt.Errorf("%s note %d: %w", c.Slug, n.N, err)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, s := range []string{
		"INSERT INTO lines_fts(lines_fts) VALUES ('rebuild')",
		"INSERT INTO lines_fts(lines_fts) VALUES ('optimize')",
		"PRAGMA optimize",
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// null is s, or nil (NULL) when s is empty.
func null(s string) any {
	if s == "" {
		return nil
	}
	return s
}

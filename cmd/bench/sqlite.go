package main

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"backchannel/internal/transcript"

	_ "modernc.org/sqlite" // registers the pure-Go "sqlite" driver
)

// The SQLite schema: one FTS5 row per line, like one Backchannel document
// per line. speaker is indexed (as its id's words) so that a speaker filter
// is a column filter inside MATCH, the fast way in FTS5; call and line are
// stored only, and so is the call's date (for after:, before: and
// sort=date). The unicode61 tokenizer folds case and diacritics and splits
// on apostrophes of both kinds.
const sqliteSchema = `CREATE VIRTUAL TABLE lines USING fts5(
	text, speaker, call UNINDEXED, line UNINDEXED, date UNINDEXED,
	tokenize = 'unicode61 remove_diacritics 2'
)`

// sqliteBuild loads the transcripts with the product's parser and writes
// them into a new FTS5 database at dbPath, then merges its segments (the
// equivalent of merging a Bleve index to one segment). It is run in a child
// process so that its peak RSS can be read.
func sqliteBuild(ctx context.Context, transcripts, dbPath string) error {
	a, problems := transcript.LoadDir(transcripts)
	if problems.HasErrors() {
		return fmt.Errorf("sqlite build: %w", problems)
	}
	db, err := sql.Open("sqlite", dbPath)
	if err != nil {
		return fmt.Errorf("sqlite build: %w", err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, s := range []string{
		"PRAGMA journal_mode = OFF", // bulk build: durability comes from rebuilding, as for Backchannel
		"PRAGMA synchronous = OFF",
		"PRAGMA cache_size = -65536", // 64 MB page cache
		sqliteSchema,
	} {
		if _, err := db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("sqlite build: %s: %w", s, err)
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite build: %w", err)
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, "INSERT INTO lines(text, speaker, call, line, date) VALUES (?, ?, ?, ?, ?)")
	if err != nil {
		return fmt.Errorf("sqlite build: %w", err)
	}
	for _, c := range a.Calls {
		for _, l := range c.Lines {
			if _, err := st.ExecContext(ctx, l.Text, l.Speaker, c.Slug, l.N, c.Date); err != nil {
				return fmt.Errorf("sqlite build: insert %s:%d: %w", c.Slug, l.N, err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite build: %w", err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO lines(lines) VALUES('optimize')"); err != nil {
		return fmt.Errorf("sqlite build: optimize: %w", err)
	}
	return nil
}

// ftsString quotes s as an FTS5 string.
func ftsString(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

// sqliteMatch is q as an FTS5 MATCH expression: words ANDed or one phrase
// in the text column, and the speaker as a phrase in the speaker column.
func sqliteMatch(q benchQuery) string {
	var m string
	if q.Phrase != "" {
		m = "text : " + ftsString(q.Phrase)
	} else {
		parts := make([]string, len(q.Words))
		for i, w := range q.Words {
			parts[i] = ftsString(w)
		}
		m = "text : (" + strings.Join(parts, " AND ") + ")"
	}
	if q.Speaker.ID != "" {
		m += " AND speaker : " + ftsString(strings.ReplaceAll(q.Speaker.ID, "-", " "))
	}
	return m
}

// sqliteSearcher answers benchQueries the way a Datasette-style app would:
// a ranked page of hits and the total, plus snippet() for the highlighted
// class and a GROUP BY for the facet class.
type sqliteSearcher struct {
	db                             *sql.DB
	top, count, snippet, facetStmt *sql.Stmt
	stmts                          map[string]*sql.Stmt // searchUser's, by SQL text
}

// stmt returns the prepared statement for query, preparing it once.
func (s *sqliteSearcher) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts[query]; ok {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("sqlite prepare: %w", err)
	}
	if s.stmts == nil {
		s.stmts = map[string]*sql.Stmt{}
	}
	s.stmts[query] = st
	return st, nil
}

func openSQLite(ctx context.Context, path string) (*sqliteSearcher, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	s := &sqliteSearcher{db: db}
	for _, p := range []struct {
		st  **sql.Stmt
		sql string
	}{
		{&s.top, "SELECT call, line, speaker FROM lines WHERE lines MATCH ? ORDER BY rank LIMIT ? OFFSET ?"},
		{&s.count, "SELECT count(*) FROM lines WHERE lines MATCH ?"},
		{&s.snippet, "SELECT call, line, speaker, snippet(lines, 0, '<mark>', '</mark>', '…', 16) FROM lines WHERE lines MATCH ? ORDER BY rank LIMIT ?"},
		{&s.facetStmt, "SELECT speaker, count(*) AS n FROM lines WHERE lines MATCH ? GROUP BY speaker ORDER BY n DESC LIMIT 20"},
	} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			db.Close()
			return nil, fmt.Errorf("open sqlite: prepare: %w", err)
		}
		*p.st = st
	}
	return s, nil
}

func (s *sqliteSearcher) Close() error { return s.db.Close() }

func (s *sqliteSearcher) search(ctx context.Context, q benchQuery) (int, error) {
	m := sqliteMatch(q)
	var rows *sql.Rows
	var err error
	if q.Class == classHighlight {
		rows, err = s.snippet.QueryContext(ctx, m, q.Size)
	} else {
		rows, err = s.top.QueryContext(ctx, m, q.Size, q.From)
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", m, err)
	}
	for rows.Next() {
		var call, speaker string
		var line int
		if q.Class == classHighlight {
			var snip string
			err = rows.Scan(&call, &line, &speaker, &snip)
		} else {
			err = rows.Scan(&call, &line, &speaker)
		}
		if err != nil {
			rows.Close()
			return 0, fmt.Errorf("sqlite %s: %w", m, err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", m, err)
	}
	var total int
	if err := s.count.QueryRowContext(ctx, m).Scan(&total); err != nil {
		return 0, fmt.Errorf("sqlite count %s: %w", m, err)
	}
	if q.Class == classFacet {
		rows, err := s.facetStmt.QueryContext(ctx, m)
		if err != nil {
			return 0, fmt.Errorf("sqlite facet %s: %w", m, err)
		}
		for rows.Next() {
			var sp string
			var n int
			if err := rows.Scan(&sp, &n); err != nil {
				rows.Close()
				return 0, fmt.Errorf("sqlite facet %s: %w", m, err)
			}
		}
		rows.Close()
	}
	return total, nil
}

// sqliteColdStart opens the database in this process and answers one query.
func sqliteColdStart(ctx context.Context, path string, q benchQuery) (time.Duration, error) {
	start := time.Now()
	s, err := openSQLite(ctx, path)
	if err != nil {
		return 0, err
	}
	defer s.Close()
	if _, err := s.search(ctx, q); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// searchUser answers a userQuery as a Datasette-style app would: one page
// of 20 hits (ranked, or by date for sort=date) and the total, with the
// call and date filters as WHERE clauses on the stored columns.
func (s *sqliteSearcher) searchUser(ctx context.Context, q userQuery) (int, error) {
	where := "lines MATCH ?"
	args := []any{q.Match}
	if q.Call != "" {
		where += " AND call = ?"
		args = append(args, q.Call)
	}
	if q.After != "" {
		where += " AND date >= ?"
		args = append(args, q.After)
	}
	if q.Before != "" {
		where += " AND date <= ?"
		args = append(args, q.Before)
	}
	order := "rank"
	switch q.Sort {
	case "date":
		order = "date, rowid"
	case "-date":
		order = "date DESC, rowid"
	}
	top, err := s.stmt(ctx, "SELECT call, line, speaker FROM lines WHERE "+where+" ORDER BY "+order+" LIMIT ? OFFSET ?")
	if err != nil {
		return 0, err
	}
	count, err := s.stmt(ctx, "SELECT count(*) FROM lines WHERE "+where)
	if err != nil {
		return 0, err
	}
	rows, err := top.QueryContext(ctx, append(slices.Clone(args), pageSize, (q.Page-1)*pageSize)...)
	if err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", q.Match, err)
	}
	for rows.Next() {
		var call, speaker string
		var line int
		if err := rows.Scan(&call, &line, &speaker); err != nil {
			rows.Close()
			return 0, fmt.Errorf("sqlite %s: %w", q.Match, err)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("sqlite %s: %w", q.Match, err)
	}
	var total int
	if err := count.QueryRowContext(ctx, args...).Scan(&total); err != nil {
		return 0, fmt.Errorf("sqlite count %s: %w", q.Match, err)
	}
	return total, nil
}

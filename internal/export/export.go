package export

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// Format is a kind of export file.
type Format string

// The formats of an export file.
const (
	SQLite Format = "sqlite"
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
	// Site is a static mirror of the site: a folder, which package
	// mirror writes, not ToFile.
	Site Format = "site"
)

// Formats lists the formats ToFile writes.
var Formats = []Format{SQLite, NDJSON, CSV}

// ParseFormat returns the format named s (one of Formats, or Site), or an
// error listing them.
func ParseFormat(s string) (Format, error) {
	for _, f := range append(Formats, Site) {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("unknown format %q: use sqlite, ndjson, csv or site", s)
}

// ErrExists is returned by ToFile when the output file exists and force is
// not set.
var ErrExists = errors.New("file exists")

// Source is what an export reads.
type Source struct {
	Archive *transcript.Archive
	// Notes returns the editorial notes on a call, or nil; Notes itself
	// may be nil when the archive has none.
	Notes func(slug string) *annotate.Notes
	// Lines returns a call with its lines; nil means Archive.WithLines.
	Lines func(c *transcript.Call) (*transcript.Call, error)
	// Record is the JSON object of a call (with its lines and notes) in
	// NDJSON: the one the API gives at /api/v1/calls/{slug}. Only
	// WriteNDJSON needs it.
	Record func(c *transcript.Call, ns *annotate.Notes) any
}

func (s Source) notes(slug string) *annotate.Notes {
	if s.Notes == nil {
		return nil
	}
	return s.Notes(slug)
}

// Each calls f with every call of the archive, in archive order, with its
// lines and notes. It stops at the first error, or when ctx is done.
func (s Source) Each(ctx context.Context, f func(c *transcript.Call, ns *annotate.Notes) error) error {
	lines := s.Lines
	if lines == nil {
		lines = s.Archive.WithLines
	}
	for _, c := range s.Archive.Calls {
		if err := ctx.Err(); err != nil {
			return err
		}
		full, err := lines(c)
		if err != nil {
			return fmt.Errorf("read %s: %w", c.Slug, err)
		}
		if err := f(full, s.notes(c.Slug)); err != nil {
			return err
		}
	}
	return nil
}

// FileWriter writes an export into a new file at path.
type FileWriter func(ctx context.Context, path string, src Source) error

// Stream makes a FileWriter of a writer of a byte stream (WriteNDJSON,
// WriteCSV).
func Stream(write func(ctx context.Context, w io.Writer, src Source) error) FileWriter {
	return func(ctx context.Context, path string, src Source) error {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
		if err != nil {
			return fmt.Errorf("export: %w", err)
		}
		if err := write(ctx, f, src); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// ToFile writes the archive to path with write. write writes to a
// temporary file in the same folder, which is renamed to path only when
// the export is complete and on disk; on any error the temporary file (and
// an SQLite journal beside it) is removed and path is untouched. Without
// force ToFile fails with an error wrapping ErrExists when path exists,
// checked again at the moment of the rename.
func ToFile(ctx context.Context, path string, force bool, src Source, write FileWriter) (err error) {
	if !force {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s: %w (use --force to replace it)", path, ErrExists)
		}
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".partial-*")
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	tmpPath := tmp.Name()
	tmp.Close() // the writer opens it by name (SQLite does)
	defer func() {
		if err != nil {
			os.Remove(tmpPath)
			os.Remove(tmpPath + "-journal")
		}
	}()
	if err = write(ctx, tmpPath, src); err != nil {
		return err
	}
	if tmp, err = os.OpenFile(tmpPath, os.O_RDWR, 0); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	defer tmp.Close()
	if err = tmp.Chmod(0o644); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if force {
		err = os.Rename(tmpPath, path)
	} else {
		// link(2) fails when path exists: a file that appeared during
		// the export is not replaced either.
		if err = os.Link(tmpPath, path); err == nil {
			os.Remove(tmpPath)
		} else if errors.Is(err, os.ErrExist) {
			err = fmt.Errorf("%s: %w (use --force to replace it)", path, ErrExists)
		}
	}
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	return syncDir(dir)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil // not every system lets a folder be opened; the rename is done
	}
	defer d.Close()
	_ = d.Sync()
	return nil
}

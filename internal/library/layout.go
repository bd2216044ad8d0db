package library

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"backchannel/internal/durable"
)

// Names in the data folder.
const (
	currentLink = "current"
	buildPrefix = "build-"       // a complete, verified build
	tmpPrefix   = "tmp-"         // a build being made
	linkPrefix  = "current.tmp-" // a symlink about to replace current
	objectsDir  = "objects"
	lockFile    = "build.lock"

	indexDir    = "index"
	catalogFile = "catalog"
	notesDir    = "notes"
	infoFile    = "build.json"
)

// layoutVersion changes whenever what a build folder holds changes; a
// build of another layout is not opened (a new build replaces it).
const layoutVersion = 1

// Errors callers branch on.
var (
	// ErrNoBuild means the data folder has no build to serve.
	ErrNoBuild = errors.New("no build in the data folder")
	// ErrLocked means another process is making a build.
	ErrLocked = errors.New("another build is running")
)

// Info is what a build is, saved in its build.json.
type Info struct {
	Layout int       `json:"layout"`
	ID     string    `json:"id"`
	Built  time.Time `json:"built"`
	// Transcripts is the folder the build was read from.
	Transcripts string `json:"transcripts"`
	// ArchiveHash is transcript.Archive.Hash of what was built.
	ArchiveHash string `json:"archive_hash"`
	Calls       int    `json:"calls"`
	Lines       int    `json:"lines"`
	// Notes are the notes files the build holds, as they were found.
	Notes []NotesFile `json:"notes"`
}

// NotesFile is one notes file of a build: where it was found, its state
// then, and its digest.
type NotesFile struct {
	Slug   string `json:"slug"`
	Source string `json:"source"`
	Size   int64  `json:"size"`
	Mtime  int64  `json:"mtime"` // nanoseconds since the epoch
	SHA256 string `json:"sha256"`
}

// newID names a build: when it was started, and a random part.
func newID() (string, error) {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return time.Now().UTC().Format("20060102T150405.000000000") + "-" + hex.EncodeToString(b), nil
}

// currentBuild returns the folder of the current build of dataDir, or an
// error wrapping ErrNoBuild when there is none (or current names something
// that is not a build of this layout's naming).
func currentBuild(dataDir string) (string, error) {
	target, err := os.Readlink(filepath.Join(dataDir, currentLink))
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", dataDir, ErrNoBuild)
	}
	if err != nil {
		return "", fmt.Errorf("%s: %w", dataDir, err)
	}
	if filepath.Base(target) != target || !strings.HasPrefix(target, buildPrefix) {
		// An index of an earlier layout, or something else: not a build.
		return "", fmt.Errorf("%s: current names %q, not a build: %w", dataDir, target, ErrNoBuild)
	}
	return filepath.Join(dataDir, target), nil
}

// CurrentID returns the ID of the current build of dataDir, or "" when it
// has none.
func CurrentID(dataDir string) string {
	dir, err := currentBuild(dataDir)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(filepath.Base(dir), buildPrefix)
}

func readInfo(dir string) (Info, error) {
	var in Info
	b, err := os.ReadFile(filepath.Join(dir, infoFile))
	if errors.Is(err, fs.ErrNotExist) {
		return in, fmt.Errorf("%s has no %s (an unfinished build): %w", dir, infoFile, ErrNoBuild)
	}
	if err != nil {
		return in, err
	}
	if err := json.Unmarshal(b, &in); err != nil {
		return in, fmt.Errorf("%s: %w", filepath.Join(dir, infoFile), err)
	}
	if in.Layout > layoutVersion {
		return in, fmt.Errorf("%s: a build of layout %d, made by a newer backchannel (this one reads layout %d): %w", dir, in.Layout, layoutVersion, ErrNoBuild)
	}
	if in.Layout != layoutVersion {
		return in, fmt.Errorf("%s: a build of layout %d, want %d: %w", dir, in.Layout, layoutVersion, ErrNoBuild)
	}
	return in, nil
}

// swapCurrent makes build folder name (in dataDir) current with one
// rename, and syncs the folder. It returns the build it replaced ("" when
// none).
func swapCurrent(dataDir, name string) (previous string, err error) {
	previous, _ = os.Readlink(filepath.Join(dataDir, currentLink))
	tmpLink := filepath.Join(dataDir, linkPrefix+strings.TrimPrefix(name, buildPrefix))
	_ = os.Remove(tmpLink)
	if err := os.Symlink(name, tmpLink); err != nil {
		return "", fmt.Errorf("swap: %w", err)
	}
	if err := os.Rename(tmpLink, filepath.Join(dataDir, currentLink)); err != nil {
		_ = os.Remove(tmpLink)
		return "", fmt.Errorf("swap: %w", err)
	}
	if err := durable.SyncDir(dataDir); err != nil {
		return previous, fmt.Errorf("swap: sync %s: %w", dataDir, err)
	}
	return previous, nil
}

// removeLeftovers removes what interrupted builds left: their folders,
// temporary links and temporary objects, and what earlier layouts of the
// data folder kept there. The caller holds the build lock.
func removeLeftovers(dataDir string, log *slog.Logger) {
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		old := strings.HasPrefix(name, "index-") || name == "catalog.gob" || strings.HasPrefix(name, ".catalog.gob.tmp-")
		if strings.HasPrefix(name, tmpPrefix) || strings.HasPrefix(name, linkPrefix) || old {
			if err := os.RemoveAll(filepath.Join(dataDir, name)); err != nil {
				log.Warn("remove leftover of an interrupted build", "path", name, "err", err)
			}
		}
	}
	// Objects and sources half-written by a killed build.
	tmps, _ := filepath.Glob(filepath.Join(dataDir, objectsDir, "*", ".tmp-*"))
	srcs, _ := filepath.Glob(filepath.Join(dataDir, objectsDir, "source", "*", ".tmp-*"))
	for _, p := range append(tmps, srcs...) {
		_ = os.Remove(p)
	}
}

// removeOld removes builds other than current and previous (kept: a
// server may still be reading it). On Linux a server that has a removed
// build open keeps reading its unlinked files.
func removeOld(dataDir, current, previous string, log *slog.Logger) {
	entries, err := os.ReadDir(dataDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, buildPrefix) || name == current || name == previous {
			continue
		}
		if err := os.RemoveAll(filepath.Join(dataDir, name)); err != nil {
			log.Warn("remove old build", "path", name, "err", err)
		}
	}
}

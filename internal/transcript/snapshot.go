package transcript

import (
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// RacyMargin is how close to a snapshot a file's modification may be
// before its size and times no longer prove that its content is the one
// read: a second write within one tick of the file system's clock (a few
// milliseconds on Linux, two seconds on FAT) can leave both unchanged.
// Git calls such entries "racily clean" and re-reads them; a catalog
// (catalog.go) does not trust them.
const RacyMargin = 2 * time.Second

// fileState is what stat says about one file a transcripts folder is read
// from: enough to notice that it was written, replaced or retargeted.
type fileState struct {
	Path  string
	Size  int64
	Mode  uint32
	Mtime int64 // nanoseconds since the epoch
	Ctime int64 // status change, which no one can set back; 0 where unknown
	Ino   uint64
	Err   string // why it could not be stat'ed
}

// sameFile reports whether two states of a path are the same as far as
// stat can tell.
func (f fileState) sameFile(g fileState) bool { return f == g }

// racy reports whether the file changed within margin of t: too close for
// its state to prove its content.
func (f fileState) racy(t time.Time, margin time.Duration) bool {
	limit := t.Add(-margin).UnixNano()
	return f.Mtime >= limit || f.Ctime >= limit
}

// snapshot is the state of every file LoadDir would read in a folder,
// taken at a time.
type snapshot struct {
	Dir   string // as given
	Abs   string // absolute, symlinks resolved
	Taken time.Time
	Files []fileState
}

// as returns s with its folder and file paths spelled as in ref when both
// name the same folder (the same absolute, symlink-resolved path), so that
// a folder given relative from one working directory compares equal to
// itself given another way. Otherwise s is returned unchanged.
func (s snapshot) as(ref snapshot) snapshot {
	if s.Dir == ref.Dir || s.Abs == "" || s.Abs != ref.Abs {
		return s
	}
	out := s
	out.Dir = ref.Dir
	out.Files = make([]fileState, len(s.Files))
	for i, f := range s.Files {
		if rel, err := filepath.Rel(s.Dir, f.Path); err == nil {
			f.Path = filepath.Join(ref.Dir, rel)
		}
		out.Files[i] = f
	}
	return out
}

// WalkRoot is dir as filepath.WalkDir should be given it: a transcripts
// folder that is a symbolic link (to a checkout kept elsewhere, say) is
// walked through the link, which WalkDir alone does not do for its root;
// the paths it reports still begin with dir.
func WalkRoot(dir string) string {
	if fi, err := os.Lstat(dir); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return dir + string(filepath.Separator)
	}
	return dir
}

// takeSnapshot stats every file that LoadDir reads in dir: transcripts
// (and anything else it would look at: unknown formats, symlinks) and
// metadata sidecars, in walk order. Skipped names (README, hidden, "_",
// notes) are left out: they change nothing LoadDir returns. A symlink is
// followed, so a change to its target or a new target shows.
func takeSnapshot(dir string) snapshot {
	s := snapshot{Dir: dir, Taken: time.Now()}
	if root, err := filepath.EvalSymlinks(dir); err == nil {
		s.Abs, _ = filepath.Abs(root)
	}
	root := WalkRoot(dir)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			s.Files = append(s.Files, fileState{Path: path, Err: err.Error()})
			if d != nil && d.IsDir() && path != root {
				return fs.SkipDir
			}
			return nil
		}
		if path == root {
			return nil
		}
		why := skipReason(d.Name())
		switch {
		case d.IsDir() && why != "":
			return fs.SkipDir
		case d.IsDir():
			return nil
		case why != "" && why != reasonSidecar:
			return nil
		}
		s.Files = append(s.Files, statFile(path))
		return nil
	})
	if err != nil {
		s.Files = append(s.Files, fileState{Path: dir, Err: err.Error()})
	}
	return s
}

// statFile returns the state of path, following symlinks.
func statFile(path string) fileState {
	st := fileState{Path: path}
	fi, err := os.Stat(path)
	if err != nil {
		st.Err = err.Error()
		return st
	}
	st.Size, st.Mode, st.Mtime = fi.Size(), uint32(fi.Mode()), fi.ModTime().UnixNano()
	st.Ctime, st.Ino = sysStat(fi)
	return st
}

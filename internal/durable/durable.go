// Package durable writes files so that they survive a crash: a file is on
// disk when its write returns, a replaced file is either the old one or
// the new one, never a part, and a folder's new names are synced.
//
// It is the one place for fsync: builds (index, line store, library),
// catalogs and exports use it rather than each repeating the dance.
package durable

import (
	"io/fs"
	"os"
	"path/filepath"
)

// Create writes b to a new file at path (which must not exist) and syncs
// it before closing.
func Create(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(b); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// Replace writes b at path through a synced temporary file in the same
// folder and a rename: a reader sees the old file or the new one, whole.
// The folder itself is not synced (SyncDir it once after many).
func Replace(path string, b []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // after a successful rename, a no-op
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SyncDir syncs a folder: the names created, renamed or removed in it.
func SyncDir(path string) error { return syncPath(path) }

// syncPath syncs the file or folder at path.
func syncPath(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// SyncTree syncs every regular file and folder under root, root included.
func SyncTree(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return SyncDir(path)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		return syncPath(path)
	})
}

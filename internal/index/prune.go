package index

import (
	"os"
	"path/filepath"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// pruneSegments removes the segment files of the closed scorch index in
// dir that its latest snapshot does not refer to. Scorch removes a
// merged-away segment only some persists after the merge, in the
// background, so a build may close with them still there (a 100k-line
// build once left 210 MB where 91 MB were live). The names are read the
// way scorch's own loadZapFileNames reads them.
func pruneSegments(dir string) error {
	store := filepath.Join(dir, "store")
	db, err := bolt.Open(filepath.Join(store, "root.bolt"), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return err
	}
	live := map[string]bool{}
	err = db.View(func(tx *bolt.Tx) error {
		snapshots := tx.Bucket([]byte{'s'})
		if snapshots == nil {
			return nil
		}
		// The latest snapshot is the one scorch loads (loadFromBolt);
		// older ones are kept only for rollbacks, which Backchannel
		// never does.
		c := snapshots.Cursor()
		for sk, v := c.Last(); sk != nil; sk, v = c.Prev() {
			snapshot := snapshots.Bucket(sk)
			if v != nil || snapshot == nil {
				continue
			}
			err := snapshot.ForEachBucket(func(segk []byte) error {
				if len(segk) == 0 || segk[0] == 'i' || segk[0] == 'm' {
					return nil
				}
				if p := snapshot.Bucket(segk).Get([]byte{'p'}); p != nil {
					live[string(p)] = true
				}
				return nil
			})
			if err != nil || len(live) > 0 {
				return err
			}
		}
		return nil
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if len(live) == 0 {
		return nil // an empty index, or a layout this code does not know: leave it
	}
	entries, err := os.ReadDir(store)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if name := e.Name(); strings.HasSuffix(name, ".zap") && !live[name] {
			if err := os.Remove(filepath.Join(store, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

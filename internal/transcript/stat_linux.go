package transcript

import (
	"io/fs"
	"syscall"
)

// sysStat returns a file's status-change time (ns) and inode number.
func sysStat(fi fs.FileInfo) (ctime int64, ino uint64) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0
	}
	return st.Ctim.Nano(), st.Ino
}

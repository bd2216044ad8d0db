package main

import (
	"io"
	"os"
	"sync"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// newProgress returns a progress callback that draws a bar on w when w is a
// terminal, or nil (no bar; ingest prints a one-line summary instead).
func newProgress(w io.Writer) func(done, total int) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	var (
		once sync.Once
		bar  *progressbar.ProgressBar
	)
	return func(done, total int) {
		once.Do(func() {
			bar = progressbar.NewOptions(total,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription("indexing lines"),
				progressbar.OptionShowCount(),
				progressbar.OptionShowIts(),
				progressbar.OptionSetItsString("lines"),
				progressbar.OptionThrottle(100_000_000), // 0.1 s
				progressbar.OptionClearOnFinish(),
			)
		})
		bar.Set(done)
	}
}

package index

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
)

// Scorch persists and merges segments on goroutines of its own, and when
// one of them fails (a full disk, an I/O error) it retries forever and
// reports the error only to a callback named in the index's config and
// registered, like all of Bleve's plug-ins, in a package registry. A build
// must fail fast instead, naming the error: every index written by a build
// names the callback below, which hands the error to that build.
const asyncErrorCallback = "backchannel-build"

// buildErrs maps the store folder of each index being written to the
// channel its build reads errors from.
var buildErrs sync.Map // string -> chan error

func init() {
	scorch.RegistryAsyncErrorCallbacks[asyncErrorCallback] = func(err error, path string) {
		if ch, ok := buildErrs.Load(filepath.Clean(path)); ok {
			err = cause(err)
			select {
			case ch.(chan error) <- err:
			default: // the build has one already
			}
		}
	}
}

// cause is the failure a scorch error reports, without the layers of
// where it was seen: "write /data/…/000000000004.zap: no space left on
// device" rather than "source: persister, persist error: got err
// persisting snapshot: segment: … persist err: write …". Scorch keeps only
// the message of what failed, not the error.
func cause(err error) error {
	var se *scorch.ScorchError
	if !errors.As(err, &se) {
		return err
	}
	msg := se.ErrMsg
	for _, sep := range []string{" err: ", " error: ", "merging err: "} {
		if i := strings.LastIndex(msg, sep); i >= 0 {
			msg = msg[i+len(sep):]
		}
	}
	return fmt.Errorf("%s (%s)", msg, se.Source)
}

// writer is an index open for writing during a build, with the first
// error that scorch's background work reported.
type writer struct {
	bleve.Index
	errs  chan error
	store string
}

// openWriter opens (or creates, with open) the index in dir for writing,
// with its background errors routed to the writer.
func openWriter(dir string, open func(config map[string]any) (bleve.Index, error)) (*writer, error) {
	w := &writer{errs: make(chan error, 1), store: filepath.Clean(filepath.Join(dir, "store"))}
	buildErrs.Store(w.store, w.errs)
	idx, err := open(map[string]any{
		// A batch returns before it is persisted: durability comes from
		// Close, the fsyncs and the verify-then-swap instead.
		"unsafe_batch":           true,
		"bolt_timeout":           openTimeout,
		"asyncErrorCallbackName": asyncErrorCallback,
	})
	if err != nil {
		buildErrs.Delete(w.store)
		return nil, err
	}
	w.Index = idx
	return w, nil
}

// wait waits for done, a background error or the end of ctx, whichever
// comes first.
func (w *writer) wait(ctx context.Context, done <-chan error) error {
	select {
	case err := <-done:
		return err
	case err := <-w.errs:
		w.errs <- err
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close closes the index and stops routing its errors.
func (w *writer) Close() error {
	defer buildErrs.Delete(w.store)
	return w.Index.Close()
}

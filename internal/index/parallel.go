package index

import (
	"context"
	"errors"
	"runtime"
	"sync"
)

// parallel calls f(i) for every i in [0, n) on as many goroutines as
// there are cores, but at least perWorker calls each, and returns the
// errors it returned, in order. It stops early once ctx is done.
func parallel(ctx context.Context, n, perWorker int, f func(i int) error) error {
	errs := make([]error, n)
	workers := max(1, min(runtime.GOMAXPROCS(0), (n+perWorker-1)/max(1, perWorker)))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				if errs[i] = ctx.Err(); errs[i] != nil {
					return
				}
				errs[i] = f(i)
			}
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

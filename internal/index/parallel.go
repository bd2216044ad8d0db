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

// parallelWith is parallel with a value of type S that each worker makes
// once (newState) and passes to all its calls of f, such as scratch memory.
// With workers 1 it calls f on the calling goroutine; with 0, on as many
// goroutines as there are cores, as many as there are calls at most.
func parallelWith[S any](ctx context.Context, n, workers int, newState func() S, f func(s S, i int) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = max(1, min(workers, n))
	errs := make([]error, n)
	work := func(w int) {
		s := newState()
		for i := w; i < n; i += workers {
			if errs[i] = ctx.Err(); errs[i] != nil {
				return
			}
			errs[i] = f(s, i)
		}
	}
	if workers == 1 {
		work(0)
		return errors.Join(errs...)
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() { work(w) })
	}
	wg.Wait()
	return errors.Join(errs...)
}

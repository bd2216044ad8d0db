package library

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// FollowInterval is how often Follow looks at the data folder's current
// link: a swap by any process is served within about this long.
const FollowInterval = 250 * time.Millisecond

// Follow serves the data folder's current build whenever it changes,
// whichever process swapped it in (an ingest beside the server, another
// server's watch), until ctx is done. A build that cannot be opened is
// tried again at the next look; meanwhile the last good build keeps
// serving and Health says the library is stale.
func (l *Library) Follow(ctx context.Context) {
	t := time.NewTicker(FollowInterval)
	defer t.Stop()
	// reported is the staleness this loop last reported, cleared when
	// current names the build served again (a link put back, a copy of
	// the data folder completed by hand) and nothing else reported since.
	var reported error
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			switch err := l.serveCurrent(); {
			case err != nil:
				l.setStale(err)
				reported = err
			case reported != nil:
				l.clearStale(reported)
				reported = nil
			}
		}
	}
}

// serveCurrent opens and serves the data folder's current build when it
// is not the one served. It returns why it could not.
func (l *Library) serveCurrent() error {
	l.openMu.Lock()
	defer l.openMu.Unlock()
	id := CurrentID(l.dataDir)
	if cur := l.Current(); cur != nil && cur.ID() == id {
		return nil
	}
	if id == "" {
		return fmt.Errorf("the data folder %s has no current build", l.dataDir)
	}
	b, err := OpenCurrent(l.dataDir)
	if err != nil {
		if errors.Is(err, ErrNoBuild) && CurrentID(l.dataDir) != id {
			return nil // swapped again meanwhile: the next look opens it
		}
		return fmt.Errorf("cannot open build %s: %w", id, err)
	}
	l.Swap(b)
	l.logger.Info("serving a new build", "build", b.ID(), "calls", len(b.Archive.Calls))
	return nil
}

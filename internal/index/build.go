package index

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	bq "github.com/blevesearch/bleve/v2/search/query"

	"backchannel/internal/durable"
	"backchannel/internal/transcript"
)

// BuildOptions tunes Build.
type BuildOptions struct {
	Logger   *slog.Logger          // nil: discard
	Progress func(done, total int) // called after each batch; may be nil
	// From is the folder of an earlier index to make the new one from
	// (incremental.go); "" makes a full build.
	From string
	// Rebuild makes a full build even when From could be updated
	// incrementally.
	Rebuild bool

	batchSize  int // lines per batch; 0 means defaultBatchSize (tests set it small)
	hotMinDocs int // hot-word threshold; 0 means hotMinDocs (tests set it small)
	// denseMinDocs is the dense-word threshold; 0 means denseMinDocs
	// (tests set it small).
	denseMinDocs int
}

// BuildStats says what Build did.
type BuildStats struct {
	Calls, Lines int
	Duration     time.Duration
	// Incremental is true when the new index was made from the current
	// one; Indexed lines were (re-)indexed, Deleted lines removed.
	Incremental      bool
	Indexed, Deleted int
}

// defaultBatchSize is the number of lines per Bleve batch. Large batches make
// fewer, bigger segments; scorch analyses a batch's documents in parallel.
// Each batch in flight holds every token of its lines: at 100k lines peak
// RSS was 859 MB with 5,000, 428 MB with 2,000 and 306 MB with 1,000 lines
// a batch, for 9% and 15% more CPU (issue 6).
const defaultBatchSize = 2000

// buildWorkers is how many batches are indexed at once.
func buildWorkers() int { return max(1, min(runtime.GOMAXPROCS(0), 4)) }

// Build writes the index of archive a into dir, which must not exist yet,
// makes it durable and verifies it. Nothing else is written: the data
// folder's layout (where builds go, which one is current, the build lock)
// belongs to the caller (package library). A failed, interrupted or
// cancelled build removes dir.
//
// With opts.From naming the folder of an earlier index (of the same
// SchemaVersion), the new index is made from it when most of the archive
// is unchanged (incremental.go): its segments are linked and only the
// calls whose indexed content changed are indexed again. opts.Rebuild, or
// an earlier index that cannot be used, makes a full build.
func Build(ctx context.Context, dir string, a *transcript.Archive, opts BuildOptions) (stats BuildStats, err error) {
	start := time.Now()
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if a == nil {
		return stats, errors.New("build index: no archive")
	}
	if _, err := os.Lstat(dir); err == nil {
		return stats, fmt.Errorf("build index: %s already exists", dir)
	}
	defer func() {
		if err != nil {
			if rmErr := os.RemoveAll(dir); rmErr != nil {
				log.Warn("remove failed build", "dir", dir, "err", rmErr)
			}
		}
	}()

	p, err := planBuild(ctx, a, opts, log)
	if err != nil {
		return stats, fmt.Errorf("build index: %w", err)
	}
	err = makeIndex(ctx, dir, a, p, opts)
	if err != nil && p.from != nil && ctx.Err() == nil {
		// The earlier index could not be updated (a file system without
		// hard links, a damaged index): the transcripts are the source of
		// truth, so build it all.
		log.Warn("incremental build failed; making a full build", "err", err)
		if err := os.RemoveAll(dir); err != nil {
			return stats, fmt.Errorf("build index: %w", err)
		}
		p = fullPlan(p.archive, p.ordered, p.sums, p.sample)
		err = makeIndex(ctx, dir, a, p, opts)
	}
	if err != nil {
		return stats, fmt.Errorf("build index: %w", err)
	}
	stats = BuildStats{Calls: len(a.Calls), Lines: p.lines, Duration: time.Since(start),
		Incremental: p.from != nil, Indexed: p.indexed, Deleted: len(p.deletes)}
	log.Info("index built", "dir", dir, "calls", stats.Calls, "lines", stats.Lines, "incremental", stats.Incremental,
		"indexed", stats.Indexed, "deleted", stats.Deleted, "duration", stats.Duration)
	return stats, nil
}

// makeIndex writes the index of plan p in buildDir, makes it durable and
// verifies it.
func makeIndex(ctx context.Context, buildDir string, a *transcript.Archive, p *buildPlan, opts BuildOptions) error {
	var err error
	if p.from != nil {
		err = updateIndex(ctx, p.from.dir, buildDir, p, opts)
	} else {
		err = writeIndex(ctx, buildDir, p, opts)
	}
	if err != nil {
		return err
	}
	if err := pruneSegments(buildDir); err != nil {
		return fmt.Errorf("prune segments: %w", err)
	}
	meta := buildMeta{Schema: SchemaVersion, Hash: a.Hash, Calls: len(a.Calls), Lines: p.lines, Built: time.Now().UTC(), Facets: p.codes, Dates: p.dates(), PairWords: p.words, SelfStems: p.self}
	if err := writeFileSync(filepath.Join(buildDir, metaFile), meta); err != nil {
		return err
	}
	if err := writeFileSync(filepath.Join(buildDir, callsFile), p.callsMeta()); err != nil {
		return err
	}
	if err := computeColumns(ctx, buildDir, p); err != nil {
		return err
	}
	if err := computeDense(ctx, buildDir, cmp.Or(opts.denseMinDocs, denseMinDocs)); err != nil {
		return fmt.Errorf("dense words: %w", err)
	}
	if err := computeHot(ctx, buildDir, cmp.Or(opts.hotMinDocs, hotMinDocs)); err != nil {
		return err
	}
	if err := computeTokens(ctx, buildDir); err != nil {
		return fmt.Errorf("line tokens: %w", err)
	}
	if err := durable.SyncTree(buildDir); err != nil {
		return fmt.Errorf("sync: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := verify(buildDir, p); err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return nil
}

// planBuild decides between an incremental and a full build.
func planBuild(ctx context.Context, a *transcript.Archive, opts BuildOptions, log *slog.Logger) (*buildPlan, error) {
	ordered := archiveOrder(a.Calls)
	total := 0
	for _, c := range ordered {
		total += a.LineCount(c)
	}
	sums, sample, err := summarise(ctx, a, ordered, max(1, total/pairSample))
	if err != nil {
		return nil, err
	}
	if opts.Rebuild || opts.From == "" {
		return fullPlan(a, ordered, sums, sample), nil
	}
	pr, err := loadPrior(opts.From)
	if err != nil {
		if !errors.Is(err, ErrNoIndex) {
			log.Info("full build: the current index cannot be updated", "reason", err)
		}
		return fullPlan(a, ordered, sums, sample), nil
	}
	p, err := incrementalPlan(pr, a, ordered, sums)
	if err != nil {
		log.Info("full build", "reason", err)
		return fullPlan(a, ordered, sums, sample), nil
	}
	p.sample = sample
	return p, nil
}

// writeIndex creates a Bleve index in dir and fills it with every call of
// the plan.
func writeIndex(ctx context.Context, dir string, p *buildPlan, opts BuildOptions) error {
	m, err := newMapping(p.words, p.self)
	if err != nil {
		return err
	}
	idx, err := openWriter(dir, func(cfg map[string]any) (bleve.Index, error) {
		return bleve.NewUsing(dir, m, scorch.Name, scorch.Name, cfg)
	})
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			_ = idx.Close()
		}
	}()
	if err := fill(ctx, idx, p, opts); err != nil {
		return err
	}
	// One segment makes rare-word queries and a cold open faster
	// (issue 6). ForceMerge waits for the merge to finish.
	// One task for all segments: the default of ten per task left a
	// 100k-line build with two segments.
	mo := mergeplan.SingleSegmentMergePlanOptions
	mo.SegmentsPerMergeTask = 1 << 20
	if err := forceMerge(ctx, idx, &mo); err != nil {
		return err
	}
	if err := dropOldSnapshots(ctx, idx); err != nil {
		return err
	}
	closed = true
	return idx.Close()
}

// updateIndex makes the index of plan p in dir from the current index in
// src: links, then the changes.
func updateIndex(ctx context.Context, src, dir string, p *buildPlan, opts BuildOptions) error {
	if err := linkIndex(src, dir); err != nil {
		return fmt.Errorf("link current index: %w", err)
	}
	if p.indexed == 0 && len(p.deletes) == 0 {
		return nil // the same documents: the links are the index
	}
	idx, err := openWriter(dir, func(cfg map[string]any) (bleve.Index, error) {
		return bleve.OpenUsing(dir, cfg)
	})
	if err != nil {
		return err
	}
	closed := false
	defer func() {
		if !closed {
			_ = idx.Close()
		}
	}()
	if err := fill(ctx, idx, p, opts); err != nil {
		return err
	}
	// Each incremental build adds a segment. Past a few, the small ones
	// are merged, never the large one a full build made (rewriting it
	// would cost a full build's time): only segments below a quarter of
	// the lines take part.
	if n, err := segmentCount(dir); err == nil && n > maxSegments {
		mo := mergeplan.SingleSegmentMergePlanOptions
		mo.SegmentsPerMergeTask = 1 << 20
		mo.MaxSegmentSize = int64(max(p.lines/2, 2))
		mo.FloorSegmentSize = mo.MaxSegmentSize
		if err := forceMerge(ctx, idx, &mo); err != nil {
			return err
		}
	}
	if err := dropOldSnapshots(ctx, idx); err != nil {
		return err
	}
	closed = true
	return idx.Close()
}

// segmentCount is the number of segment files in the index in dir.
func segmentCount(dir string) (int, error) {
	zaps, err := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
	return len(zaps), err
}

// forceMerge merges segments by plan mo and waits until the merge is
// done, or failed: scorch retries a failed forced merge forever unless its
// context carries a channel to report the failure on (merge.go, under the
// key "mergeDone"), and then never says it finished.
func forceMerge(ctx context.Context, idx *writer, mo *mergeplan.MergePlanOptions) error {
	adv, err := idx.Advanced()
	if err != nil {
		return nil
	}
	s, ok := adv.(*scorch.Scorch)
	if !ok {
		return nil
	}
	failed := make(chan error, 1)
	//lint:ignore SA1029 the key is scorch's own, a string (merge.go: mergeDoneKey)
	mctx := context.WithValue(ctx, "mergeDone", failed)
	merged := make(chan error, 1)
	go func() { merged <- s.ForceMerge(mctx, mo) }()
	for {
		select {
		case err := <-failed:
			if err != nil {
				return fmt.Errorf("merge segments: %w", err)
			}
			// A merge step succeeded; wait for the end.
		case err := <-merged:
			if err != nil {
				return fmt.Errorf("merge segments: %w", err)
			}
			return ctx.Err()
		case err := <-idx.errs:
			idx.errs <- err
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// dropOldSnapshots persists two small internal updates: scorch keeps the
// snapshot before a merge or an update (and so the segment files it no
// longer needs) until two more snapshots are persisted, and the folder
// should hold only what the root needs.
func dropOldSnapshots(ctx context.Context, idx *writer) error {
	persisted := make(chan error, 1)
	for i := range 2 {
		b := idx.NewBatch()
		b.SetInternal([]byte("backchannel-build"), []byte(strconv.Itoa(i)))
		b.SetPersistedCallback(func(err error) { persisted <- err })
		if err := idx.Batch(b); err != nil {
			return err
		}
		if err := idx.wait(ctx, persisted); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// fill deletes the plan's stale documents and indexes the lines of the
// calls it marks, in large batches indexed by a few workers at once, and
// waits until every batch is persisted.
func fill(ctx context.Context, idx *writer, p *buildPlan, opts BuildOptions) error {
	progress, batchSize := opts.Progress, opts.batchSize
	if batchSize <= 0 {
		batchSize = defaultBatchSize
	}
	total := p.indexed
	// Batches are filled here and indexed by a few workers at once: each
	// idx.Batch analyses its documents in parallel and then builds a
	// segment on its own goroutine, so two batches in flight keep the
	// cores busy. Unsafe batches return before they are persisted; each
	// one's persisted callback reports when it is on disk. No document ID
	// is in two batches (deletes are only of IDs not indexed again), so
	// their order does not matter.
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nBatches := (total+len(p.deletes))/batchSize + 2
	persisted := make(chan error, nBatches+1)
	jobs := make(chan *bleve.Batch)
	var (
		mu       sync.Mutex
		done     int
		firstErr error
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		if firstErr == nil {
			firstErr = err
		}
		mu.Unlock()
		cancel()
	}
	for range buildWorkers() {
		wg.Go(func() {
			for b := range jobs {
				n := b.Size()
				if err := idx.Batch(b); err != nil {
					fail(err)
					continue
				}
				mu.Lock()
				done += n
				if progress != nil {
					progress(min(done, total), total)
				}
				mu.Unlock()
			}
		})
	}
	sent := 0
	produce := func() error {
		defer close(jobs)
		b := idx.NewBatch()
		send := func() error {
			b.SetPersistedCallback(func(err error) { persisted <- err })
			select {
			case jobs <- b:
				sent++
				b = idx.NewBatch()
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for _, id := range p.deletes {
			b.Delete(id)
			if b.Size() >= batchSize {
				if err := send(); err != nil {
					return err
				}
			}
		}
		for i, c := range p.ordered {
			if !p.reindex[i] {
				continue
			}
			c, err := p.archive.WithLines(c)
			if err != nil {
				return fmt.Errorf("read %s: %w", p.ordered[i].Slug, err)
			}
			lines := slices.Clone(c.Lines)
			slices.SortStableFunc(lines, func(x, y transcript.Line) int { return x.N - y.N })
			for _, l := range lines {
				if err := b.Index(docID(c.Slug, l.N), newLineDoc(c, l)); err != nil {
					return fmt.Errorf("index %s line %d: %w", c.Slug, l.N, err)
				}
				if b.Size() >= batchSize {
					if err := send(); err != nil {
						return err
					}
				}
			}
		}
		if b.Size() > 0 {
			return send()
		}
		return nil
	}
	if err := produce(); err != nil {
		fail(err)
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	for range sent {
		if err := idx.wait(ctx, persisted); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// verify opens the new index read-only and checks it: every line is
// there, and a word of a known line finds that line (of the first call,
// and of a few of the calls this build indexed).
func verify(dir string, p *buildPlan) error {
	x, err := openDir(dir)
	if err != nil {
		return err
	}
	defer x.Close()
	n, err := x.DocCount()
	if err != nil {
		return err
	}
	if n != uint64(p.lines) {
		return fmt.Errorf("%d documents, want %d", n, p.lines)
	}
	// The first call with a word, and a few of the calls indexed.
	for i, c := range p.ordered {
		found, err := x.selfTest(p.archive, c)
		if err != nil {
			return err
		}
		if found || i >= maxSelfTests {
			break
		}
	}
	checked := 0
	for i, c := range p.ordered {
		if p.reindex[i] && checked < maxSelfTests {
			checked++
			if _, err := x.selfTest(p.archive, c); err != nil {
				return err
			}
		}
	}
	return nil
}

// maxSelfTests bounds the calls verify searches for.
const maxSelfTests = 8

func writeFileSync(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return durable.Create(path, b)
}

// selfTest checks that the first word of the first line of c with words
// finds that line. It reports whether c has such a line.
func (x *Index) selfTest(a *transcript.Archive, c *transcript.Call) (bool, error) {
	c, err := a.WithLines(c)
	if err != nil {
		return false, fmt.Errorf("read %s: %w", c.Slug, err)
	}
	{
		for _, l := range c.Lines {
			toks := x.tokens(l.Text)
			if len(toks) == 0 {
				continue
			}
			id := docID(c.Slug, l.N)
			b := bq.NewBooleanQuery(nil, nil, nil)
			b.AddMust(bq.NewDocIDQuery([]string{id}), term(fieldText, toks[0].exact, 0))
			res, err := x.idx.Search(bleve.NewSearchRequestOptions(b, 1, 0, false))
			if err != nil {
				return true, err
			}
			if res.Total != 1 {
				return true, fmt.Errorf("searching %q does not find %s", toks[0].exact, id)
			}
			return true, nil
		}
	}
	return false, nil
}

package index

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	bolterrors "go.etcd.io/bbolt/errors"

	"backchannel/internal/transcript"
)

// Errors callers branch on.
var (
	// ErrNoIndex means no index has been built under the data folder.
	ErrNoIndex = errors.New("no index")
	// ErrSchemaChanged means the index was built by a version of
	// Backchannel that indexes differently; it must be rebuilt.
	ErrSchemaChanged = errors.New("index schema changed: rebuild it (backchannel ingest)")
	// ErrLocked means another process holds the index (or the build) lock.
	ErrLocked = errors.New("index is locked by another process")
)

// metaFile holds buildMeta, inside an index's folder.
const metaFile = "backchannel.json"

// openTimeout bounds how long Open waits for another process's lock.
const openTimeout = "1s"

// maxClauses is Bleve's backstop on disjunction size (prefix, fuzzy); the
// query builder keeps well below it.
const maxClauses = 4096

func init() {
	// Bleve's clause cap is a package variable; it is set once, here,
	// like the registry entries bleve requires.
	searcher.DisjunctionMaxClauseCount = maxClauses
}

// buildMeta is written beside the Bleve files of every index.
type buildMeta struct {
	Schema int        `json:"schema"`
	Hash   string     `json:"hash"`
	Calls  int        `json:"calls"`
	Lines  int        `json:"lines"`
	Built  time.Time  `json:"built"`
	Facets facetCodes `json:"facets"`
	// PairWords are the common words whose adjacent pairs the text field
	// also indexes as one term ("of the"; analysis.go), fixed by the full
	// build and kept by incremental ones.
	PairWords []string `json:"pair_words"`
	// Dates are the archive's call dates, sorted, once each: the
	// columns give a call's date as its place here.
	Dates []string `json:"dates"`
	// SelfStems are the common words the text field also marks as a stem
	// (selfStemsOf), fixed by the full build and kept by incremental ones.
	SelfStems []string `json:"self_stems"`
}

// Index is an open, read-only index. It is safe for concurrent use.
type Index struct {
	idx  bleve.Index
	dir  string
	meta buildMeta
	cols *columns
	// pairWords is meta.PairWords as a set; selfStems meta.SelfStems.
	pairWords, selfStems map[string]bool
	// names are the terms of the speaker-name field.
	names map[string]bool
	// reader reads the index for term lookups; a read-only index never
	// changes, so one reader serves for its lifetime.
	reader index.IndexReader
	// hot are the precomputed outcomes of the commonest words (hot.go),
	// read from hotF.
	hot  hotWords
	hotF *os.File
	// dense are the positions of the densest words (dense.go); nil
	// when the build kept none.
	dense *denseWords
	// toks are the words of every line as term numbers (tokens.go); nil
	// when the build kept none.
	toks *lineTokens
	// parts is how many parts a costly search runs in (rank): 0 for one
	// per core on a large archive. Tests set it.
	parts int
	// replicaMisses counts the rankings whose replica scores disagreed
	// with Bleve's (replica.go), ranked the usual way instead.
	replicaMisses atomic.Int64
	// counts are call-count arrays for reuse (getCounts).
	counts sync.Pool
}

// Open opens the index that Build wrote in dir, read-only. It returns
// ErrNoIndex when dir holds none, ErrSchemaChanged when it was built with
// another SchemaVersion, and ErrLocked when another process holds it for
// writing.
func Open(dir string) (*Index, error) { return openDir(dir) }

// openDir opens the index in dir read-only with its columns.
func openDir(dir string) (*Index, error) {
	x, err := openBleve(dir)
	if err != nil {
		return nil, err
	}
	x.cols, err = readColumns(filepath.Join(dir, columnsFile))
	if err != nil {
		_ = x.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	x.hot, x.hotF, err = openHot(dir)
	if err != nil {
		_ = x.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	x.dense, err = openDense(dir)
	if err != nil {
		_ = x.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	x.toks, err = openTokens(dir)
	if err != nil {
		_ = x.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	return x, nil
}

func readMeta(dir string) (buildMeta, error) {
	var m buildMeta
	b, err := os.ReadFile(filepath.Join(dir, metaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return m, fmt.Errorf("open index %s: %w", dir, ErrNoIndex)
	}
	if err != nil {
		return m, fmt.Errorf("open index: %w", err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("open index %s: %s: %w", dir, metaFile, err)
	}
	return m, nil
}

// openBleve opens the Bleve index in dir read-only, without its columns.
func openBleve(dir string) (*Index, error) {
	meta, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	if meta.Schema != SchemaVersion {
		return nil, fmt.Errorf("open index %s: schema %d, want %d: %w", dir, meta.Schema, SchemaVersion, ErrSchemaChanged)
	}
	idx, err := bleve.OpenUsing(dir, map[string]any{"read_only": true, "bolt_timeout": openTimeout})
	switch {
	case errors.Is(err, bolterrors.ErrTimeout):
		return nil, fmt.Errorf("open index %s: %w", dir, ErrLocked)
	case errors.Is(err, bleve.ErrorIndexPathDoesNotExist), errors.Is(err, bleve.ErrorIndexMetaMissing):
		return nil, fmt.Errorf("open index %s: %w", dir, ErrNoIndex)
	case err != nil:
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	set := func(ws []string) map[string]bool {
		m := make(map[string]bool, len(ws))
		for _, w := range ws {
			m[w] = true
		}
		return m
	}
	names, err := fieldTerms(idx, fieldName)
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	adv, err := idx.Advanced()
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	rd, err := adv.Reader()
	if err != nil {
		_ = idx.Close()
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	return &Index{idx: idx, dir: dir, meta: meta, pairWords: set(meta.PairWords), selfStems: set(meta.SelfStems),
		names: names, reader: rd}, nil
}

// hasTerm reports whether some line has term t in the text field.
func (x *Index) hasTerm(t string) bool {
	tfr, err := x.reader.TermFieldReader(context.Background(), []byte(t), fieldText, false, false, false)
	if err != nil {
		return false
	}
	defer tfr.Close()
	return tfr.Count() > 0
}

// fieldTerms returns every term of a field (names: a few per speaker).
func fieldTerms(idx bleve.Index, field string) (map[string]bool, error) {
	dict, err := idx.FieldDict(field)
	if err != nil {
		return nil, err
	}
	defer dict.Close()
	out := map[string]bool{}
	for {
		e, err := dict.Next()
		if err != nil {
			return nil, err
		}
		if e == nil {
			return out, nil
		}
		out[e.Term] = true
	}
}

// Matches reports whether x was built from exactly this archive with the
// current SchemaVersion.
func (x *Index) Matches(a *transcript.Archive) bool {
	return a != nil && x.meta.Schema == SchemaVersion && x.meta.Hash == a.Hash
}

// DocCount returns the number of lines indexed.
func (x *Index) DocCount() (uint64, error) {
	n, err := x.idx.DocCount()
	if err != nil {
		return 0, fmt.Errorf("count index documents: %w", err)
	}
	return n, nil
}

// Close closes the index.
func (x *Index) Close() error {
	if x.reader != nil {
		_ = x.reader.Close()
	}
	if x.hotF != nil {
		_ = x.hotF.Close()
	}
	_ = x.dense.close()
	_ = x.toks.close()
	_ = x.cols.close()
	if err := x.idx.Close(); err != nil {
		return fmt.Errorf("close index: %w", err)
	}
	return nil
}

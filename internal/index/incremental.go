package index

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"

	"backchannel/internal/transcript"
)

// An incremental build makes the new index from the current one instead
// of from nothing. Scorch never rewrites a segment file once written
// (segments are opened read-only and mmapped; deletions live in the root
// bolt file as bitmaps; merges write new files), so the build folder
// gets hard links to the current index's segments and a copy of its small
// root.bolt and index_meta.json. It is then opened as a writer: the lines
// of calls that changed are indexed again (same document IDs, so Bleve
// replaces them), lines that no longer exist are deleted, new calls are
// added. The live index is never opened for writing, and everything after
// the links happens in the build folder, verified and swapped in as a full
// build is.
//
// A call's identity is a hash of exactly what its documents are made of
// (callHash), kept per call in calls.json beside the index, so that an edit
// of a sidecar .yaml (a participant's name, the date) re-indexes the call
// even though the transcript file's SHA-256 did not change.

// callsFile lists the calls of an index: their hashes and line counts.
const callsFile = "calls.json"

// Limits past which an incremental build gives way to a full one.
const (
	// maxReindexShare: when more than this share of the lines must be
	// indexed anyway, a full build is about as fast and leaves one segment.
	maxReindexShare = 0.5
	// maxStaleShare: lines replaced or deleted since the last full build
	// still take space and skew term statistics until a full build.
	maxStaleShare = 0.25
	// maxSegments: an incremental build adds a segment; past this many it
	// merges the small ones (never the large segment of the full build).
	maxSegments = 4
)

// callsMeta is the content of callsFile.
type callsMeta struct {
	// Stale counts lines replaced or deleted since the last full build.
	Stale int        `json:"stale"`
	Calls []callMeta `json:"calls"`
}

// callMeta is what an incremental build needs to know of an indexed call.
type callMeta struct {
	Slug  string `json:"slug"`
	Hash  string `json:"hash"`  // callHash
	Lines int    `json:"lines"` // documents indexed for it
	// Odd is set when the lines are not numbered 1..Lines: their document
	// IDs are then unknown, and a change to the call means a full build.
	Odd bool `json:"odd,omitempty"`
}

// callHash is a digest of every field of c that newLineDoc indexes: the
// slug, date and language, each participant's ID, name, labels and
// aliases, and each line's number, kind, speaker, text, time and marking. Fields the index does
// not hold (title, summary, source, role, the file's path) are left out,
// so that editing them re-indexes nothing.
func callHash(c *transcript.Call) string {
	h := sha256.New()
	w := hashWriter{h: h}
	w.str("backchannel call v2")
	w.str(c.Slug)
	w.str(c.Date)
	w.str(lineLang(c))
	w.int(len(c.Participants))
	for _, p := range c.Participants {
		w.str(p.ID)
		w.str(p.Name)
		w.int(len(p.Labels))
		for _, l := range p.Labels {
			w.str(l)
		}
		w.int(len(p.Aliases))
		for _, a := range p.Aliases {
			w.str(a)
		}
	}
	w.int(len(c.Lines))
	for _, l := range c.Lines {
		w.int(l.N)
		w.str(string(l.Kind))
		w.str(l.Speaker)
		w.str(l.Text)
		w.u64(math.Float64bits(l.Time))
		w.str(l.Marking)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// hashWriter writes length-prefixed values, so that no two different
// sequences of fields hash the same bytes.
type hashWriter struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func (w *hashWriter) u64(v uint64) {
	binary.LittleEndian.PutUint64(w.buf[:8], v)
	w.h.Write(w.buf[:8])
}

func (w *hashWriter) int(v int) { w.u64(uint64(v)) }

func (w *hashWriter) str(s string) {
	w.int(len(s))
	_, _ = io.WriteString(w.h, s)
}

// prior is the current index, as an incremental build sees it.
type prior struct {
	dir   string
	meta  buildMeta
	calls callsMeta
}

// loadPrior reads the metadata of the earlier index in dir. It returns an
// error saying why an incremental build from it is not possible.
func loadPrior(dir string) (*prior, error) {
	meta, err := readMeta(dir)
	if err != nil {
		return nil, err
	}
	if meta.Schema != SchemaVersion {
		return nil, fmt.Errorf("schema %d, want %d: %w", meta.Schema, SchemaVersion, ErrSchemaChanged)
	}
	b, err := os.ReadFile(filepath.Join(dir, callsFile))
	if err != nil {
		return nil, err
	}
	p := &prior{dir: dir, meta: meta}
	if err := json.Unmarshal(b, &p.calls); err != nil {
		return nil, fmt.Errorf("%s: %w", callsFile, err)
	}
	if len(p.calls.Calls) != meta.Calls {
		return nil, fmt.Errorf("%s lists %d calls, the index %d", callsFile, len(p.calls.Calls), meta.Calls)
	}
	return p, nil
}

// buildPlan is what a build indexes: every call in archive order with its
// key and hash, and which of them are (re-)indexed.
type buildPlan struct {
	archive *transcript.Archive // reads a call's lines (WithLines)
	ordered []*transcript.Call
	sums    []callSum // what the build knows of ordered[i]'s lines
	sample  []string  // a sample of the lines' text (pairWordsOf)
	reindex []bool    // ordered[i] is indexed by this build
	lines   int       // lines in the archive
	indexed int       // lines indexed by this build
	deletes []string
	stale   int // for callsMeta.Stale
	codes   facetCodes
	words   []string // buildMeta.PairWords
	self    []string // buildMeta.SelfStems
	from    *prior   // nil for a full build
}

// fullPlan indexes every call.
func fullPlan(a *transcript.Archive, ordered []*transcript.Call, sums []callSum, sample []string) *buildPlan {
	p := &buildPlan{archive: a, ordered: ordered, sums: sums, sample: sample, reindex: make([]bool, len(ordered))}
	for i := range ordered {
		p.reindex[i] = true
		p.lines += sums[i].lines
	}
	p.indexed = p.lines
	p.codes = newFacetCodes(ordered, sums)
	if m, err := newMapping(nil, nil); err == nil {
		if a := m.AnalyzerNamed(analyzerPlain); a != nil {
			var vocab []string
			p.words, vocab = pairWordsOf(sample, a)
			var stemmers []analysis.Analyzer
			for _, name := range []string{analyzerEN, analyzerRU} {
				if st := m.AnalyzerNamed(name); st != nil {
					stemmers = append(stemmers, st)
				}
			}
			p.self = selfStemsOf(p.words, vocab, stemmers)
		}
	}
	return p
}

// incrementalPlan compares the archive with the current index. It
// returns an error saying why a full build is better.
func incrementalPlan(pr *prior, a *transcript.Archive, ordered []*transcript.Call, sums []callSum) (*buildPlan, error) {
	old := make(map[string]callMeta, len(pr.calls.Calls))
	for _, cm := range pr.calls.Calls {
		old[cm.Slug] = cm
	}
	p := &buildPlan{archive: a, ordered: ordered, sums: sums, reindex: make([]bool, len(ordered)), from: pr}
	p.stale = pr.calls.Stale
	seen := make(map[string]bool, len(ordered))
	for i, c := range ordered {
		if seen[c.Slug] {
			return nil, fmt.Errorf("two calls are named %s", c.Slug)
		}
		seen[c.Slug] = true
		p.lines += sums[i].lines
		// A call whose indexed fields are the same keeps its documents: its
		// place in archive order is in the columns, made anew by each
		// build, not in the documents.
		if cm, ok := old[c.Slug]; ok && cm.Hash == sums[i].hash {
			continue
		}
		p.reindex[i] = true
		p.indexed += sums[i].lines
	}
	if float64(p.indexed) > maxReindexShare*float64(p.lines) {
		return nil, fmt.Errorf("%d of %d lines changed", p.indexed, p.lines)
	}

	// Lines of the old index that are gone or replaced: deleted unless
	// this build indexes the same document ID again.
	bySlug := make(map[string]int, len(ordered))
	for i, c := range ordered {
		bySlug[c.Slug] = i
	}
	for _, cm := range pr.calls.Calls {
		i, ok := bySlug[cm.Slug]
		if ok && !p.reindex[i] {
			continue
		}
		if cm.Odd {
			return nil, fmt.Errorf("call %s has lines not numbered from 1", cm.Slug)
		}
		p.stale += cm.Lines
		var keep map[string]bool
		if ok {
			keep = make(map[string]bool, len(sums[i].ns))
			for _, n := range sums[i].ns {
				keep[docID(cm.Slug, int(n))] = true
			}
		}
		for n := 1; n <= cm.Lines; n++ {
			if id := docID(cm.Slug, n); !keep[id] {
				p.deletes = append(p.deletes, id)
			}
		}
	}
	if float64(p.stale) > maxStaleShare*float64(p.lines) {
		return nil, fmt.Errorf("%d lines replaced since the last full build", p.stale)
	}

	p.codes = pr.meta.Facets.extend(ordered, sums, p.reindex)
	p.words, p.self = pr.meta.PairWords, pr.meta.SelfStems
	return p, nil
}

// numberedFromOne reports whether c's lines are numbered 1, 2, … in
// order, so that its document IDs are known from its line count.
func numberedFromOne(c *transcript.Call) bool {
	for i, l := range c.Lines {
		if l.N != i+1 {
			return false
		}
	}
	return true
}

// callsMeta returns what calls.json records for the index p builds.
func (p *buildPlan) callsMeta() callsMeta {
	cm := callsMeta{Stale: p.stale, Calls: make([]callMeta, len(p.ordered))}
	for i, c := range p.ordered {
		s := &p.sums[i]
		cm.Calls[i] = callMeta{Slug: c.Slug, Hash: s.hash, Lines: s.lines, Odd: s.odd}
	}
	return cm
}

// linkIndex makes dst a writable copy of the index in src: hard links to
// its segment files, copies of everything else. Files other than
// segments are small (root.bolt, index_meta.json); backchannel.json and
// calls.json are written anew by the build.
func linkIndex(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case !d.Type().IsRegular():
			return fmt.Errorf("%s: not a regular file", path)
		case rel == metaFile || rel == callsFile || rel == columnsFile || rel == hotFile || rel == hotIndex || rel == denseFile || rel == tokensFile:
			return nil
		case strings.HasSuffix(rel, ".zap"):
			return os.Link(path, target)
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

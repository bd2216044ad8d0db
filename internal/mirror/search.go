package mirror

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"backchannel/internal/bagit"
	"backchannel/internal/fold"
	"backchannel/internal/transcript"
)

// The mirror's search index, built at export time and read in the
// browser by mirror.js, from a static server or file:// alike: every file
// is a script that hands its data to window.bcSearch, because a script
// tag loads from file:// where fetch does not.
//
//	search/calls.js      bcSearch.calls({shards, chunk, calls: [[slug, title, date, lines]], speakers: [[id, name]]})
//	search/t/{xx}.js     bcSearch.terms("xx", {term: "postings"}): the terms whose hash is xx
//	search/d/{i}-{k}.js  bcSearch.docs(i, k, [[speaker, kind, text]]): lines k*chunk+1… of call i
//
// A line is a document numbered across the archive in its order (call i's
// line n is the lines of the calls before it plus n-1). A term is a word
// as words() folds it, or "@" and a speaker's id for the lines that
// speaker says. Postings are the documents of a term, ascending, as
// base-36 gaps joined by commas. A term's shard is the FNV-1a hash of its
// UTF-8 bytes modulo shardCount, as two hex digits.
//
// Postings are appended to one temporary file per shard while the calls
// are written, and each shard is read back, sorted and written alone at
// the end: memory holds one shard's postings, not the archive's.
const (
	shardCount = 256
	chunkLines = 256
)

// searchIndex builds the mirror's search index.
type searchIndex struct {
	dir   string
	a     *transcript.Archive
	first []int // each call's first document

	mu    sync.Mutex
	files [shardCount]*os.File
	bufs  [shardCount]*bufio.Writer
}

func newSearchIndex(dir string, a *transcript.Archive) (*searchIndex, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("mirror: search index: %w", err)
	}
	x := &searchIndex{dir: dir, a: a}
	doc := 0
	for _, c := range a.Calls {
		x.first = append(x.first, doc)
		doc += a.LineCount(c)
	}
	for i := range x.files {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("%02x", i)))
		if err != nil {
			x.close()
			return nil, fmt.Errorf("mirror: search index: %w", err)
		}
		x.files[i], x.bufs[i] = f, bufio.NewWriterSize(f, 16<<10)
	}
	return x, nil
}

// close removes the temporary postings.
func (x *searchIndex) close() {
	for _, f := range x.files {
		if f != nil {
			f.Close()
		}
	}
	os.RemoveAll(x.dir)
}

// shardOf is a term's shard: FNV-1a (32 bits) of its bytes.
func shardOf(term string) int {
	h := uint32(2166136261)
	for i := 0; i < len(term); i++ {
		h ^= uint32(term[i])
		h *= 16777619
	}
	return int(h % shardCount)
}

// words splits text into the words the mirror's search finds: letters
// and digits, compatibility-decomposed with their combining marks
// dropped (é is e), lower-cased, with apostrophes of every kind removed
// (don’t, don't and dont are one word). mirror.js folds a query the same
// way.
func words(text string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFKD.String(text) {
		switch {
		case unicode.Is(unicode.Mn, r), fold.IsApostrophe(r):
			continue
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			b.WriteRune(unicode.ToLower(r))
		default:
			flush()
		}
	}
	flush()
	return out
}

// addCall writes call i's lines for the search page and appends their
// postings.
func (x *searchIndex) addCall(bag *bagit.Writer, i int, c *transcript.Call) error {
	for k := 0; k*chunkLines < len(c.Lines); k++ {
		lines := c.Lines[k*chunkLines : min(len(c.Lines), (k+1)*chunkLines)]
		docs := make([][3]string, len(lines))
		for j, l := range lines {
			kind := "t"
			if l.Kind == transcript.Direction {
				kind = "d"
			}
			docs[j] = [3]string{l.Speaker, kind, l.Text}
		}
		data, err := json.Marshal(docs)
		if err != nil {
			return fmt.Errorf("mirror: search index: %w", err)
		}
		js := fmt.Sprintf("bcSearch.docs(%d,%d,%s);\n", i, k, data)
		if err := bag.WriteFile(fmt.Sprintf("search/d/%d-%d.js", i, k), []byte(js)); err != nil {
			return err
		}
	}
	var shards [shardCount][]byte
	seen := map[string]bool{}
	for j, l := range c.Lines {
		doc := strconv.Itoa(x.first[i] + j)
		clear(seen)
		terms := words(l.Text)
		if l.Kind != transcript.Direction && l.Speaker != "" {
			terms = append(terms, "@"+l.Speaker)
		}
		for _, t := range terms {
			if seen[t] {
				continue
			}
			seen[t] = true
			s := shardOf(t)
			shards[s] = append(append(append(append(shards[s], t...), '\t'), doc...), '\n')
		}
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	for s, b := range shards {
		if _, err := x.bufs[s].Write(b); err != nil {
			return fmt.Errorf("mirror: search index: %w", err)
		}
	}
	return nil
}

// finish writes the shards and calls.js.
func (x *searchIndex) finish(bag *bagit.Writer) error {
	for s := range x.files {
		if err := x.bufs[s].Flush(); err != nil {
			return fmt.Errorf("mirror: search index: %w", err)
		}
		if err := x.writeShard(bag, s); err != nil {
			return err
		}
	}
	type meta struct {
		Shards   int         `json:"shards"`
		Chunk    int         `json:"chunk"`
		Calls    [][4]any    `json:"calls"`
		Speakers [][2]string `json:"speakers"`
	}
	m := meta{Shards: shardCount, Chunk: chunkLines, Calls: [][4]any{}, Speakers: [][2]string{}}
	for _, c := range x.a.Calls {
		m.Calls = append(m.Calls, [4]any{c.Slug, c.Title, c.Date, x.a.LineCount(c)})
	}
	for _, sp := range x.a.Speakers() {
		m.Speakers = append(m.Speakers, [2]string{sp.ID, sp.Name})
	}
	data, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("mirror: search index: %w", err)
	}
	return bag.WriteFile("search/calls.js", []byte("bcSearch.calls("+string(data)+");\n"))
}

// writeShard reads one shard's postings back and writes its script.
func (x *searchIndex) writeShard(bag *bagit.Writer, s int) error {
	if _, err := x.files[s].Seek(0, 0); err != nil {
		return fmt.Errorf("mirror: search index: %w", err)
	}
	postings := map[string][]int{}
	sc := bufio.NewScanner(x.files[s])
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		term, doc, ok := strings.Cut(sc.Text(), "\t")
		n, err := strconv.Atoi(doc)
		if !ok || err != nil {
			return fmt.Errorf("mirror: search index: bad posting %q", sc.Text())
		}
		postings[term] = append(postings[term], n)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("mirror: search index: %w", err)
	}
	enc := make(map[string]string, len(postings))
	var b strings.Builder
	for term, docs := range postings {
		slices.Sort(docs)
		b.Reset()
		prev := 0
		for i, d := range docs {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.FormatInt(int64(d-prev), 36))
			prev = d
		}
		enc[term] = b.String()
	}
	data, err := json.Marshal(enc) // keys sorted: the same archive gives the same bytes
	if err != nil {
		return fmt.Errorf("mirror: search index: %w", err)
	}
	name := fmt.Sprintf("%02x", s)
	return bag.WriteFile("search/t/"+name+".js", []byte(fmt.Sprintf("bcSearch.terms(%q,%s);\n", name, data)))
}

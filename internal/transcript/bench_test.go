package transcript

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchFiles parses every file once per iteration and reports lines per
// second and bytes per second (MB/s).
func benchFiles(b *testing.B, files map[string][]byte) {
	b.Helper()
	total := 0
	var size int64
	for path, data := range files {
		c, ps := parse(input{path: path, data: data, sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
		if c == nil {
			b.Logf("left out, does not parse: %v", ps)
			delete(files, path)
			continue
		}
		total += len(c.Lines)
		size += int64(len(data))
	}
	b.SetBytes(size)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for path, data := range files {
			parse(input{path: path, data: data, sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
		}
	}
	b.ReportMetric(float64(total)*float64(b.N)/b.Elapsed().Seconds(), "lines/s")
	b.ReportMetric(float64(total), "lines/op")
}

func readGlob(b *testing.B, pattern string, skip func(string) bool) map[string][]byte {
	b.Helper()
	paths, err := filepath.Glob(pattern)
	if err != nil {
		b.Fatal(err)
	}
	files := map[string][]byte{}
	for _, p := range paths {
		if skip != nil && skip(p) {
			continue
		}
		files[p] = mustRead(b, p)
	}
	if len(files) == 0 {
		b.Fatalf("no files match %s", pattern)
	}
	return files
}

// BenchmarkParse_Spacelog: radio logs, the whole NASA corpus (5 MB).
func BenchmarkParse_Spacelog(b *testing.B) {
	dir := corpus(b, "nasa-spacelog")
	benchFiles(b, readGlob(b, filepath.Join(dir, "*", "*.txt"), func(p string) bool {
		return strings.Contains(p, "format-spec") || strings.HasSuffix(p, "MEDIA.txt")
	}))
}

// BenchmarkParse_OyezRaw: Oyez JSON as the API serves it.
func BenchmarkParse_OyezRaw(b *testing.B) {
	dir := corpus(b, "scotus-oyez")
	benchFiles(b, readGlob(b, filepath.Join(dir, "raw", "*-t0*.json"), func(p string) bool {
		data, err := os.ReadFile(p)
		return err != nil || bytes.Contains(data, []byte(`"transcript": null`))
	}))
}

// BenchmarkParse_WhisperX: the 212,046 Oyez turns of 2012-2025, one
// WhisperX-style JSON file per argument, built in memory.
func BenchmarkParse_WhisperX(b *testing.B) {
	dir := corpus(b, "scotus-oyez")
	paths, err := filepath.Glob(filepath.Join(dir, "turns", "*.jsonl"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no turns: %v", err)
	}
	type seg struct {
		Start   float64 `json:"start"`
		End     float64 `json:"end"`
		Text    string  `json:"text"`
		Speaker string  `json:"speaker,omitempty"`
	}
	byID := map[string][]seg{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			b.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			var t struct {
				ID      string  `json:"transcript_id"`
				Speaker *string `json:"speaker_id"`
				Start   float64 `json:"start"`
				Stop    float64 `json:"stop"`
				Text    string  `json:"text"`
			}
			if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
				b.Fatal(err)
			}
			s := seg{Start: t.Start, End: t.Stop, Text: t.Text}
			if t.Speaker != nil {
				s.Speaker = *t.Speaker
			}
			byID[t.ID] = append(byID[t.ID], s)
		}
		f.Close()
	}
	files := map[string][]byte{}
	for id, segs := range byID {
		data, err := json.MarshalIndent(map[string]any{"segments": segs}, "", " ")
		if err != nil {
			b.Fatal(err)
		}
		files[fmt.Sprintf("%s.json", id)] = data
	}
	benchFiles(b, files)
}

// BenchmarkParse_FRUS: TEI XML.
func BenchmarkParse_FRUS(b *testing.B) {
	benchFiles(b, readGlob(b, filepath.Join(corpus(b, "frus-conversations"), "*.xml"), nil))
}

// BenchmarkParse_VTT: the Mozilla vtt.js integration files with voices.
func BenchmarkParse_VTT(b *testing.B) {
	dir := corpus(b, "webvtt-tests")
	benchFiles(b, readGlob(b, filepath.Join(dir, "mozilla-vtt.js", "tests", "integration", "*.vtt"), nil))
}

// BenchmarkParse_MD: a fictional 20,000-turn call in the .md format,
// generated in memory.
func BenchmarkParse_MD(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("---\ntitle: Generated\ndate: 2024-01-01\n---\n\nAna Lima (AL): Hello.\n\nBo Chen (BC): Hi.\n\n")
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "[%02d:%02d:%02d] AL: Turn %d, it’s about the ferry at 10:30 and the fees.\n\nNote: a second paragraph.\n\nBC: (laughs) Agreed, number %d.\n\n", i/3600, i/60%60, i%60, i, i)
	}
	benchFiles(b, map[string][]byte{"gen.md": buf.Bytes()})
}

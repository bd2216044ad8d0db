package transcript

import (
	"path/filepath"
	"strings"
	"testing"
)

const sidecarTD = "title: T\ndate: 2024-01-01\n"

func TestParse_JSON(t *testing.T) {
	tests := []struct {
		name string
		data string
		want string // lines as kind:speaker:text, or the errors
	}{
		{"whisper without speakers", `{"text": "a b", "segments": [{"start": 0, "end": 1, "text": " a"}, {"start": 1, "end": 2, "text": " b"}]}`, "turn::a|turn::b"},
		{"segments array alone", `[{"start": 0, "end": 1, "text": "a", "speaker": "S1"}]`, "turn:s1:a"},
		{"syntax error", "{\"segments\": [\n  {\"start\": 0,, \"text\": \"a\"}\n]}", "x.json:2:15: not valid JSON: invalid character ',' looking for beginning of object key string"},
		{"truncated", "{\"segments\": [\n  {\"start\": 0", "x.json:2: not valid JSON: the file ends too early"},
		{"wrong type", "{\"segments\": [\n  {\"start\": \"zero\", \"text\": \"a\"}\n]}", `x.json:2: "start" must be a number, not a JSON string`},
		{"segments not a list", `{"segments": {"text": "a"}}`, "x.json:1: segments must be a list of {\"start\", \"end\", \"text\", \"speaker\"}"},
		{"unrecognised", `{"utterances": []}`, "x.json:1: JSON transcript not recognised: expected Whisper or WhisperX output, {\"segments\": [{\"start\": 0.0, \"end\": 2.5, \"text\": \"...\", \"speaker\": \"SPEAKER_00\"}]}"},
		{"two documents", "{\"segments\": []}\n{}", "x.json:2:1: text after the JSON value: a file holds one JSON document"},
		{"no text", `{"segments": [{"start": 0, "text": "  "}]}`, "x.json:1: no segments with text"},
		{"oyez null transcript", `{"id": 1, "title": "Oral argument", "media_file": null, "transcript": null, "unavailable": true, "public_note": "Lost."}`, "x.json:1: Oyez file has no transcript (\"transcript\": null): Lost."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linesOrErrors(parse(input{path: "x.json", data: []byte(tt.data), sidePath: "x.yaml", sidecar: []byte(sidecarTD)}))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParse_JSONSidecarNamesSpeakers(t *testing.T) {
	side := sidecarTD + "participants:\n  - name: Ana Lima\n    labels: [SPEAKER_00]\n"
	c, ps := parse(input{path: "x.json", data: mustRead(t, "testdata/2024-05-09-whisperx-call.json"), sidePath: "x.yaml", sidecar: []byte(side)})
	if c == nil {
		t.Fatal(ps)
	}
	if c.Lines[0].Speaker != "ana-lima" || c.Lines[3].Speaker != "ana-lima" || c.Lines[1].Speaker != "speaker-01" {
		t.Errorf("speakers = %q %q %q", c.Lines[0].Speaker, c.Lines[1].Speaker, c.Lines[3].Speaker)
	}
	if len(ps) != 1 || !strings.Contains(ps[0].String(), `speaker "SPEAKER_01" is not among the sidecar's participants`) {
		t.Errorf("problems = %v", ps)
	}
}

// TestParse_OyezCorpus reads the raw Oyez files: each with a transcript
// parses into turns with speakers and times; each without one is refused
// with a message that says so.
func TestParse_OyezCorpus(t *testing.T) {
	dir := filepath.Join(corpus(t, "scotus-oyez"), "raw")
	files, err := filepath.Glob(filepath.Join(dir, "*-t0*.json"))
	if err != nil || len(files) < 5 {
		t.Fatalf("raw Oyez files: %v, %v", files, err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data := mustRead(t, f)
			c, ps := parse(input{path: f, data: data, sidePath: "x.yaml", sidecar: []byte(sidecarTD)})
			hasTranscript := !strings.Contains(string(data), `"transcript": null`) && !strings.Contains(string(data), `"transcript":null`)
			if !hasTranscript {
				if c != nil || len(ps) != 1 || !strings.Contains(ps[0].Message, "Oyez file has no transcript") {
					t.Errorf("got %v, %v: want the missing transcript reported", c != nil, ps)
				}
				return
			}
			if c == nil {
				t.Fatalf("parse failed: %v", ps)
			}
			if len(c.Lines) < 50 {
				t.Errorf("only %d lines", len(c.Lines))
			}
			named, timed := 0, 0
			raw := string(data)
			for _, l := range c.Lines {
				if l.Speaker != "" {
					named++
				}
				if l.Time >= 0 {
					timed++
				}
				if l.N <= 50 && !strings.Contains(raw, jsonQuoteless(l.Paragraphs()[0])) {
					t.Errorf("line %d text %q not in the file", l.N, l.Paragraphs()[0])
					break
				}
			}
			if named < len(c.Lines)/2 || timed != len(c.Lines) {
				t.Errorf("%d lines, %d with a speaker, %d with a time", len(c.Lines), named, timed)
			}
		})
	}
}

// jsonQuoteless returns a prefix of s that needs no JSON escaping, to look
// for in the raw file.
func jsonQuoteless(s string) string {
	if i := strings.IndexAny(s, "\"\\\n\t/<>&\u2028\u2029"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		s = s[:40]
	}
	return s
}

func TestParse_AmazonTranscribe(t *testing.T) {
	words := `"items": [
	  {"start_time": "0.1", "end_time": "0.4", "alternatives": [{"confidence": "0.9", "content": "Hello"}], "type": "pronunciation"},
	  {"alternatives": [{"confidence": "0.0", "content": ","}], "type": "punctuation"},
	  {"start_time": "0.5", "end_time": "0.9", "alternatives": [{"content": "Ana"}], "type": "pronunciation"},
	  {"alternatives": [{"content": "."}], "type": "punctuation"},
	  {"start_time": "1.5", "end_time": "1.9", "alternatives": [{"content": "Hi"}], "type": "pronunciation"},
	  {"start_time": "2.0", "end_time": "2.2", "alternatives": [{"content": "Bo"}], "type": "pronunciation"}]`
	tests := []struct{ name, data, want string }{
		{"speaker segments and items", `{"jobName": "fictional", "results": {"transcripts": [{"transcript": "Hello, Ana. Hi Bo"}],
		  "speaker_labels": {"speakers": 2, "segments": [{"start_time": "0.1", "end_time": "0.9", "speaker_label": "spk_0"}, {"start_time": "1.5", "end_time": "2.2", "speaker_label": "spk_1"}]},
		  ` + words + `}}`, "turn:spk-0:Hello, Ana.|turn:spk-1:Hi Bo"},
		{"audio segments", `{"jobName": "fictional", "results": {"audio_segments": [{"id": 0, "transcript": "Hello, Ana.", "start_time": "0.1", "speaker_label": "spk_0"}, {"id": 1, "transcript": "Hi Bo", "start_time": "1.5", "speaker_label": "spk_1"}], ` + words + `}}`,
			"turn:spk-0:Hello, Ana.|turn:spk-1:Hi Bo"},
		{"no speaker labels", `{"jobName": "fictional", "results": {` + words + `}}`,
			"x.json:1: Amazon Transcribe output without speaker labels: run the job with speaker identification, or convert it to segments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := linesOrErrors(parse(input{path: "x.json", data: []byte(tt.data), sidePath: "x.yaml", sidecar: []byte(sidecarTD)}))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

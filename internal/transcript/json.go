package transcript

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// errNotThere says a JSON path leads to null or to a value of another kind.
var errNotThere = errors.New("not there")

// jsonEach calls f for every value at path in data, with the byte offset
// where the value starts. A path step is an object key, or "*" for every
// element of an array.
func jsonEach(data []byte, path []string, f func(off int64, raw json.RawMessage) error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	return jsonWalk(dec, data, path, f)
}

func jsonWalk(dec *json.Decoder, data []byte, path []string, f func(int64, json.RawMessage) error) error {
	if len(path) == 0 {
		off := dec.InputOffset()
		for off < int64(len(data)) && strings.IndexByte(" \t\r\n,:", data[off]) >= 0 {
			off++
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return err
		}
		return f(off, raw)
	}
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	want := json.Delim('{')
	if path[0] == "*" {
		want = '['
	}
	if tok != want {
		if d, ok := tok.(json.Delim); ok && (d == '{' || d == '[') {
			skipRest(dec)
		}
		return errNotThere
	}
	found := false
	for dec.More() {
		if path[0] == "*" {
			if err := jsonWalk(dec, data, path[1:], f); err != nil {
				return err
			}
			found = true
			continue
		}
		key, err := dec.Token()
		if err != nil {
			return err
		}
		if key == path[0] && !found {
			found = true
			if err := jsonWalk(dec, data, path[1:], f); err != nil {
				return err
			}
			continue
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	if _, err := dec.Token(); err != nil { // the closing ] or }
		return err
	}
	if !found && path[0] != "*" {
		return errNotThere
	}
	return nil
}

// skipRest reads to the end of the object or array just opened.
func skipRest(dec *json.Decoder) {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
	}
}

// jsonProblem turns a decoding error into a problem at its place.
func jsonProblem(path string, data []byte, err error) Problem {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read, the bad one included.
		line, col := position(data, int(min(max(se.Offset-1, 0), int64(len(data)))))
		return Problem{Path: path, Line: line, Col: col, Severity: Error, Message: "not valid JSON: " + se.Error()}
	case errors.As(err, &te):
		line, col := position(data, int(min(te.Offset, int64(len(data)))))
		field := te.Field
		if i := strings.LastIndexByte(field, '.'); i >= 0 {
			field = field[i+1:]
		}
		want := "a " + te.Type.Kind().String()
		switch te.Type.Kind().String() {
		case "float64", "int":
			want = "a number"
		case "string":
			want = "text"
		case "struct", "map":
			want = "an object"
		case "slice":
			want = "a list"
		}
		return Problem{Path: path, Line: line, Col: col, Severity: Error,
			Message: fmt.Sprintf("%q must be %s, not a JSON %s", field, want, te.Value)}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return Problem{Path: path, Line: 1 + bytes.Count(data, []byte{'\n'}), Severity: Error, Message: "not valid JSON: the file ends too early"}
	}
	return Problem{Path: path, Severity: Error, Message: "not valid JSON: " + err.Error()}
}

// parseJSON reads speech-to-text JSON: Whisper and WhisperX
// ({"segments": [{"start", "end", "text", "speaker"}]}, or the segments
// array alone), Amazon Transcribe with speaker labels
// ({"jobName", "results": {"audio_segments" | "speaker_labels", "items"}})
// and Oyez oral-argument transcripts
// ({"transcript": {"sections": [{"turns": [...]}]}}).
func parseJSON(in input) (*Call, Problems) {
	if bytes.HasPrefix(in.data, []byte{0xFE, 0xFF}) || bytes.HasPrefix(in.data, []byte{0xFF, 0xFE}) {
		return nil, Problems{{Path: in.path, Line: 1, Severity: Error, Message: "JSON must be UTF-8, not UTF-16: save it as UTF-8"}}
	}
	// The text checks (UTF-8, NUL, BOM) apply to JSON as to any text.
	_, ps, ok := decodeText(in.path, in.data)
	if !ok || ps.HasErrors() {
		return nil, ps
	}
	data := bytes.TrimPrefix(in.data, []byte("\xEF\xBB\xBF"))
	// Only the top level is decoded here (values stay raw), so that the
	// segments are decoded once, each with its line.
	var obj map[string]json.RawMessage
	var top any = &obj
	isList := false
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '[' {
		top, isList = new([]json.RawMessage), true
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(top); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, append(ps, Problem{Path: in.path, Line: 1, Severity: Error, Message: "JSON transcript must be an object with \"segments\", or a list of segments"})
		}
		return nil, append(ps, jsonProblem(in.path, data, err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		off := dec.InputOffset()
		line, col := position(data, int(off)-1)
		return nil, append(ps, Problem{Path: in.path, Line: line, Col: col, Severity: Error, Message: "text after the JSON value: a file holds one JSON document"})
	}
	h, hps := metaFor(in)
	ps = append(ps, hps...)
	b := newBody(in.path, h.Participants)
	switch {
	case isList:
		readWhisper(b, data, []string{"*"})
	case obj["segments"] != nil:
		readWhisper(b, data, []string{"segments", "*"})
	case obj["results"] != nil && obj["jobName"] != nil:
		readTranscribe(b, data, obj["results"])
	case obj["transcript"] != nil && (obj["media_file"] != nil || obj["unavailable"] != nil):
		var title string
		if json.Unmarshal(obj["title"], &title) == nil && title != "" && in.sidecar == nil {
			h.Title = title
		}
		readOyez(b, data, obj)
	default:
		b.errorf(1, "JSON transcript not recognised: expected Whisper or WhisperX output, {\"segments\": [{\"start\": 0.0, \"end\": 2.5, \"text\": \"...\", \"speaker\": \"SPEAKER_00\"}]}")
	}
	return b.call(h, ps, 1, "no segments with text")
}

// whisperSegment is one segment of Whisper or WhisperX output.
type whisperSegment struct {
	Start   *float64 `json:"start"`
	Text    string   `json:"text"`
	Speaker string   `json:"speaker"`
}

func readWhisper(b *body, data []byte, path []string) {
	lc := &lineCounter{data: data}
	err := jsonEach(data, path, func(off int64, raw json.RawMessage) error {
		line := lc.lineAt(int(off))
		var s whisperSegment
		if err := json.Unmarshal(raw, &s); err != nil {
			p := jsonProblem(b.path, raw, err)
			p.Line, p.Col = line, 0
			b.ps = append(b.ps, p)
			return nil
		}
		text := strings.TrimSpace(s.Text)
		if text == "" {
			return nil
		}
		t := -1.0
		if s.Start != nil && *s.Start >= 0 && !math.IsInf(*s.Start, 0) {
			t = *s.Start
		}
		l := Line{Kind: Turn, Text: text, Time: t, SourceLine: line}
		if s.Speaker != "" {
			l.Speaker = b.speaker(s.Speaker, line)
		}
		b.add(l)
		return nil
	})
	if err != nil && !errors.Is(err, errNotThere) {
		b.ps = append(b.ps, jsonProblem(b.path, data, err))
	} else if errors.Is(err, errNotThere) {
		b.errorf(1, "segments must be a list of {\"start\", \"end\", \"text\", \"speaker\"}")
	}
}

// oyezTurn is one turn of an Oyez transcript.
type oyezTurn struct {
	Start   *float64 `json:"start"`
	Speaker *struct {
		Name       string `json:"name"`
		Identifier string `json:"identifier"`
		Roles      []struct {
			RoleTitle string `json:"role_title"`
		} `json:"roles"`
	} `json:"speaker"`
	TextBlocks []struct {
		Text string `json:"text"`
	} `json:"text_blocks"`
}

func readOyez(b *body, data []byte, obj map[string]json.RawMessage) {
	if string(obj["transcript"]) == "null" {
		msg := "Oyez file has no transcript (\"transcript\": null)"
		var note string
		if json.Unmarshal(obj["public_note"], &note) == nil && note != "" {
			msg += ": " + note
		}
		b.errorf(1, "%s", msg)
		return
	}
	lc := &lineCounter{data: data}
	err := jsonEach(data, []string{"transcript", "sections", "*", "turns", "*"}, func(off int64, raw json.RawMessage) error {
		line := lc.lineAt(int(off))
		var t oyezTurn
		if err := json.Unmarshal(raw, &t); err != nil {
			p := jsonProblem(b.path, raw, err)
			p.Line, p.Col = line, 0
			b.ps = append(b.ps, p)
			return nil
		}
		var paras []string
		for _, tb := range t.TextBlocks {
			if s := strings.TrimSpace(tb.Text); s != "" {
				paras = append(paras, s)
			}
		}
		if len(paras) == 0 {
			return nil
		}
		l := Line{Kind: Turn, Text: strings.Join(paras, "\n\n"), Time: -1, SourceLine: line}
		if t.Start != nil && *t.Start >= 0 {
			l.Time = *t.Start
		}
		if sp := t.Speaker; sp != nil && sp.Name != "" {
			l.Speaker = b.oyezSpeaker(sp.Identifier, sp.Name, sp.Roles, line)
		}
		b.add(l)
		return nil
	})
	if errors.Is(err, errNotThere) {
		b.errorf(1, "Oyez transcript has no sections with turns")
	} else if err != nil {
		b.ps = append(b.ps, jsonProblem(b.path, data, err))
	}
}

// oyezSpeaker finds or adds the participant of an Oyez speaker, keeping
// Oyez's identifier as the id so that a person has one id across calls.
func (b *body) oyezSpeaker(ident, name string, roles []struct {
	RoleTitle string `json:"role_title"`
}, line int) string {
	if m := b.sp.byName(name); len(m) == 1 {
		return b.sp.list[m[0]].ID
	}
	id := idFromName(ident)
	if id == "" {
		return b.speaker(name, line)
	}
	if b.sp.hasID(id) {
		return id
	}
	p := Participant{ID: id, Name: name}
	if len(roles) > 0 {
		p.Role = roles[0].RoleTitle
	}
	b.sp.list = append(b.sp.list, p)
	return id
}

// transcribeResults is the part of Amazon Transcribe output that holds the
// words and who said them.
type transcribeResults struct {
	AudioSegments []struct {
		Transcript   string `json:"transcript"`
		StartTime    string `json:"start_time"`
		SpeakerLabel string `json:"speaker_label"`
	} `json:"audio_segments"`
	SpeakerLabels *struct {
		Segments []struct {
			StartTime    string `json:"start_time"`
			EndTime      string `json:"end_time"`
			SpeakerLabel string `json:"speaker_label"`
		} `json:"segments"`
	} `json:"speaker_labels"`
	Items []struct {
		StartTime    string `json:"start_time"`
		Type         string `json:"type"`
		SpeakerLabel string `json:"speaker_label"`
		Alternatives []struct {
			Content string `json:"content"`
		} `json:"alternatives"`
	} `json:"items"`
}

// readTranscribe reads Amazon Transcribe output: its audio segments when
// there are some, else its words grouped by the speaker segments they fall
// in (punctuation joins the word before it). Transcribe's times are text.
func readTranscribe(b *body, data []byte, raw json.RawMessage) {
	var r transcribeResults
	if err := json.Unmarshal(raw, &r); err != nil {
		b.ps = append(b.ps, Problem{Path: b.path, Line: 1, Severity: Error, Message: "Amazon Transcribe results: " + err.Error()})
		return
	}
	seconds := func(s string) float64 {
		var f float64
		if _, err := fmt.Sscan(s, &f); err != nil || f < 0 {
			return -1
		}
		return f
	}
	if len(r.AudioSegments) > 0 {
		for _, s := range r.AudioSegments {
			if text := strings.TrimSpace(s.Transcript); text != "" {
				l := Line{Kind: Turn, Text: text, Time: seconds(s.StartTime), SourceLine: 1}
				if s.SpeakerLabel != "" {
					l.Speaker = b.speaker(s.SpeakerLabel, 1)
				}
				b.add(l)
			}
		}
		return
	}
	if r.SpeakerLabels == nil || len(r.SpeakerLabels.Segments) == 0 {
		b.errorf(1, "Amazon Transcribe output without speaker labels: run the job with speaker identification, or convert it to segments")
		return
	}
	segs := r.SpeakerLabels.Segments
	var cur *Line
	curSeg := -1
	flush := func() {
		if cur != nil && cur.Text != "" {
			b.add(*cur)
		}
		cur = nil
	}
	for _, it := range r.Items {
		if len(it.Alternatives) == 0 {
			continue
		}
		word := it.Alternatives[0].Content
		if it.Type == "punctuation" {
			if cur != nil {
				cur.Text += word
			}
			continue
		}
		t := seconds(it.StartTime)
		seg := curSeg
		for seg+1 < len(segs) && t >= seconds(segs[seg+1].StartTime) {
			seg++
		}
		if seg < 0 {
			seg = 0
		}
		if cur == nil || seg != curSeg && segs[seg].SpeakerLabel != segs[curSeg].SpeakerLabel {
			flush()
			cur = &Line{Kind: Turn, Speaker: b.speaker(segs[seg].SpeakerLabel, 1), Time: t, SourceLine: 1}
		}
		curSeg = seg
		if cur.Text != "" {
			cur.Text += " "
		}
		cur.Text += word
	}
	flush()
}

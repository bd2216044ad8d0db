package web

import (
	"context"
	"strings"
	"testing"

	"backchannel/internal/index"
)

func TestAPISearch(t *testing.T) {
	var got index.Query
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(_ context.Context, q index.Query) (*index.Result, error) {
		got = q
		r := sampleResult()
		r.Fallback = true
		return r, nil
	}})
	rec := get(t, s, "/api/v1/search?q=word&speaker=OB&call="+slugHarbour+"&after=2024-01-01&before=2024-12-31&sort=-date&page=2&size=5")
	if rec.Code != 200 {
		t.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	want := index.Query{Text: "word", Speaker: "OB", Call: slugHarbour, After: "2024-01-01", Before: "2024-12-31", Sort: "-date", Page: 2, Size: 5}
	if got != want {
		t.Errorf("Search got %+v, want %+v", got, want)
	}
	m := mustJSON(t, rec)
	if k := strings.Join(keys(t, m), ","); k != "facets,fallback,hits,next,notes,previous,query,total" {
		t.Errorf("top-level keys %s", k)
	}
	if m["total"] != 3.0 || m["query"] != "word" || m["fallback"] != true {
		t.Errorf("total/query/fallback = %v %v %v", m["total"], m["query"], m["fallback"])
	}
	hits := m["hits"].([]any)
	if len(hits) != 3 {
		t.Fatalf("%d hits", len(hits))
	}
	h0 := hits[0].(map[string]any)
	if k := strings.Join(keys(t, h0), ","); k != "call,call_title,completeness,date,fragments,highlight_url,line,permalink,source,speaker,text,time,url" {
		t.Errorf("hit keys %s", k)
	}
	if h0["call"] != slugHarbour || h0["line"] != 3.0 || h0["date"] != "2024-03-02" || h0["time"] != 75.0 {
		t.Errorf("hit 0 = %v", h0)
	}
	if h0["url"] != "/calls/"+slugHarbour+"#L3" {
		t.Errorf("url = %v", h0["url"])
	}
	if h0["highlight_url"] != "/calls/"+slugHarbour+"?hl=word#L3" {
		t.Errorf("highlight_url = %v", h0["highlight_url"])
	}
	sp := h0["speaker"].(map[string]any)
	if strings.Join(keys(t, sp), ",") != "id,name" || sp["id"] != "otto-brandt" || sp["name"] != "Otto Brandt" {
		t.Errorf("speaker = %v", sp)
	}
	if fr := h0["fragments"].([]any); len(fr) != 1 || fr[0] != "But I’ll check it, <mark>word</mark> for <mark>word</mark>." {
		t.Errorf("fragments = %v", fr)
	}
	h1 := hits[1].(map[string]any)
	if v, ok := h1["speaker"]; !ok || v != nil {
		t.Errorf("direction speaker = %v (present %v), want null", v, ok)
	}
	if _, ok := h1["time"]; ok {
		t.Error("time present when unknown")
	}
	h2 := hits[2].(map[string]any)
	if fr, ok := h2["fragments"].([]any); !ok || len(fr) != 0 {
		t.Errorf("name-only fragments = %#v, want []", h2["fragments"])
	}
	if h2["highlight_url"] != "/calls/"+slugHarbour+"#L4" {
		t.Errorf("highlight_url without terms = %v", h2["highlight_url"])
	}

	f := m["facets"].(map[string]any)
	if k := strings.Join(keys(t, f), ","); k != "call,language,speaker" {
		t.Errorf("facet keys %s", k)
	}
	spf := f["speaker"].([]any)[0].(map[string]any)
	if strings.Join(keys(t, spf), ",") != "count,id,name" || spf["name"] != "Otto Brandt" || spf["count"] != 1.0 {
		t.Errorf("speaker facet = %v", spf)
	}
	cf := f["call"].([]any)[0].(map[string]any)
	if strings.Join(keys(t, cf), ",") != "count,slug,title" || cf["title"] != "Call between Mara Harlow and Otto Brandt" {
		t.Errorf("call facet = %v", cf)
	}
	lf := f["language"].([]any)[0].(map[string]any)
	if strings.Join(keys(t, lf), ",") != "code,count" || lf["code"] != "en" {
		t.Errorf("language facet = %v", lf)
	}
}

func TestAPISearch_EmptyLists(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return &index.Result{}, nil
	}})
	body := get(t, s, "/api/v1/search?q=nothing").Body.String()
	for _, want := range []string{`"hits":[]`, `"speaker":[]`, `"call":[]`, `"language":[]`, `"total":0`} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
}

func TestAPISearch_FragmentsEscaped(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{SearchFunc: func(context.Context, index.Query) (*index.Result, error) {
		return &index.Result{Total: 1, Hits: []index.Hit{{Call: slugHarbour, Line: 1, Speaker: "mara-harlow",
			Fragments: []index.Fragment{marked(`<mark>a</mark> <script>x</script> <b> <img src=x onerror=y>`)}}}}, nil
	}})
	m := mustJSON(t, get(t, s, "/api/v1/search?q=a"))
	fr := m["hits"].([]any)[0].(map[string]any)["fragments"].([]any)[0].(string)
	want := `<mark>a</mark> &lt;script&gt;x&lt;/script&gt; &lt;b&gt; &lt;img src=x onerror=y&gt;`
	if fr != want {
		t.Errorf("fragment = %q, want %q", fr, want)
	}
}

func TestAPICalls(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	m := mustJSON(t, get(t, s, "/api/v1/calls"))
	if k := strings.Join(keys(t, m), ","); k != "calls" {
		t.Errorf("keys %s", k)
	}
	calls := m["calls"].([]any)
	if len(calls) != 2 {
		t.Fatalf("%d calls", len(calls))
	}
	c0 := calls[0].(map[string]any)
	if k := strings.Join(keys(t, c0), ","); k != "completeness,date,line_count,participants,slug,title" {
		t.Errorf("call keys %s", k)
	}
	if c0["slug"] != slugHarbour || c0["completeness"] != "excerpt" || c0["line_count"] != 4.0 || c0["date"] != "2024-03-02" {
		t.Errorf("call = %v", c0)
	}
	p0 := c0["participants"].([]any)[0].(map[string]any)
	if strings.Join(keys(t, p0), ",") != "id,name,role" || p0["id"] != "mara-harlow" || p0["role"] != "Harbour commissioner" {
		t.Errorf("participant = %v", p0)
	}
	if v, ok := calls[1].(map[string]any)["completeness"]; !ok || v != nil {
		t.Errorf("completeness not stated = %v, want null", v)
	}
}

func TestAPICall(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	m := mustJSON(t, get(t, s, "/api/v1/calls/"+slugHarbour))
	if k := strings.Join(keys(t, m), ","); k != "completeness,date,line_count,lines,participants,slug,source,title" {
		t.Errorf("keys %s", k)
	}
	src := m["source"].(map[string]any)
	if strings.Join(keys(t, src), ",") != "note,published,publisher,url" || src["publisher"] != "The Fictional Ledger" {
		t.Errorf("source = %v", src)
	}
	lines := m["lines"].([]any)
	if len(lines) != 4 {
		t.Fatalf("%d lines", len(lines))
	}
	l1 := lines[0].(map[string]any)
	if strings.Join(keys(t, l1), ",") != "kind,n,speaker,text" || l1["speaker"] != "mara-harlow" || l1["kind"] != "turn" || l1["n"] != 1.0 {
		t.Errorf("line 1 = %v", l1)
	}
	l2 := lines[1].(map[string]any)
	if v, ok := l2["speaker"]; !ok || v != nil || l2["kind"] != "direction" {
		t.Errorf("direction = %v", l2)
	}
	l3 := lines[2].(map[string]any)
	if l3["time"] != 75.0 || l3["text"] != "I don't know yet.\n\nBut I’ll check it, word for word." {
		t.Errorf("line 3 = %v", l3)
	}
}

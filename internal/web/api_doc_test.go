package web

import (
	"strings"
	"testing"
)

// TestAPIDocPage: /api documents every route of the API with a curl
// example, using a call and a speaker of the archive and the server's own
// address.
func TestAPIDocPage(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	rec := get(t, s, "/api")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	doc := mustDoc(t, rec)
	if got := doc.Find("h1").Text(); got != "The API" {
		t.Errorf("h1 %q", got)
	}
	if doc.Find(`nav a[href="/api"][aria-current="page"]`).Length() != 1 {
		t.Error("the nav does not mark the API page as current")
	}
	examples := doc.Find("pre code").Text()
	for _, want := range []string{
		"curl 'http://example.com/api/v1/search?q=harbour&size=5'",
		"curl 'http://example.com/api/v1/calls/" + slugHarbour + "'",
		"curl 'http://example.com/api/v1/speakers/mara-harlow?size=50'",
		"curl -OJ 'http://example.com/api/v1/search.csv?q=harbour'",
		"curl -OJ 'http://example.com/api/v1/calls.csv'",
		"curl -OJ 'http://example.com/api/v1/speakers.csv'",
		"curl -OJ 'http://example.com/calls/" + slugHarbour + ".csv'",
		"curl -o archive.ndjson 'http://example.com/api/v1/export.ndjson'",
	} {
		if !strings.Contains(examples, want) {
			t.Errorf("no example %q", want)
		}
	}
	if doc.Find(`a[href="/api/v1/openapi.json"]`).Length() == 0 {
		t.Error("no link to the OpenAPI description")
	}
	// Every field of a search hit is explained.
	text := doc.Find("main").Text()
	for _, f := range []string{"call_title", "completeness", "source", "permalink", "highlight_url", "fragments", "next", "previous", "notes", "X-Truncated", "If-None-Match", "Access-Control-Allow-Origin"} {
		if !strings.Contains(text, f) {
			t.Errorf("/api does not mention %s", f)
		}
	}
}

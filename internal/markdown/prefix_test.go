package markdown

import (
	"strings"
	"testing"
)

func TestRenderPrefixed(t *testing.T) {
	src := []byte("A claim.[^1] Text with id=\"fn:1\" in it.\n\n[^1]: A source.\n")
	h, err := RenderPrefixed(src, "note-3-")
	if err != nil {
		t.Fatal(err)
	}
	got := string(h)
	for _, want := range []string{`id="note-3-fnref:1"`, `href="#note-3-fn:1"`, `id="note-3-fn:1"`, `href="#note-3-fnref:1"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %s in %s", want, got)
		}
	}
	if strings.Contains(got, `"fn:1"`) || strings.Contains(got, `"#fn:1"`) {
		t.Errorf("an unprefixed footnote id is left: %s", got)
	}
	if !strings.Contains(got, "id=&#34;fn:1&#34;") {
		t.Errorf("text was rewritten: %s", got)
	}
	for _, bad := range []string{"", "Note", `x" onclick="a`, "1abc"} {
		if _, err := RenderPrefixed(src, bad); err == nil {
			t.Errorf("prefix %q accepted", bad)
		}
	}
}

package index

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"backchannel/internal/transcript"
)

// TestBuild_LinesOnDemand: an archive that keeps no lines in memory (read
// from a catalog; lines read again from the files when needed) builds the
// same index as the archive LoadDir read, fully and incrementally.
func TestBuild_LinesOnDemand(t *testing.T) {
	dir := t.TempDir()
	for i := range 6 {
		var b []byte
		b = fmt.Appendf(b, "---\ntitle: Harbour call %d\ndate: 2031-02-%02d\nparticipants:\n", i, i+1)
		b = fmt.Appendf(b, "  - id: ines-varga\n    name: Ines Varga\n    labels: [IV]\n")
		b = fmt.Appendf(b, "  - id: tomas-reyes\n    name: Tomas Reyes\n    labels: [TR]\n---\n\n")
		for n := range 30 {
			who := []string{"IV", "TR"}[n%2]
			b = fmt.Appendf(b, "%s: The lighthouse keeper counted %d crates on pier %d before the ferry left.\n\n", who, n+i, i)
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("2031-02-%02d-harbour-%d.md", i+1, i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	snap := transcript.TakeSnapshot(dir)
	full, ps := transcript.LoadDir(dir)
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	cat, err := transcript.NewCatalog(snap, full, ps)
	if err != nil {
		t.Fatal(err)
	}
	light := cat.Archive(nil, 1<<10) // a cache too small for even one call
	for _, c := range light.Calls {
		if len(c.Lines) != 0 {
			t.Fatalf("catalog archive holds the lines of %s", c.Slug)
		}
	}

	queries := []Query{{Text: "lighthouse"}, {Text: "crates", Speaker: "tomas-reyes"}, {Text: `"pier 3"`}, {Text: "counted", Page: 2, Size: 7}}
	search := func(x *Index) [][]string {
		var out [][]string
		for _, q := range queries {
			r := mustSearch(t, x, q)
			out = append(out, append(ids(r), fmt.Sprint(r.Total, r.Facets.Speaker)))
		}
		return out
	}
	want := search(func() *Index { x, _ := buildOpen(t, full); return x }())
	x, data := buildOpen(t, light)
	if got := search(x); !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("built from the catalog: %v\nfrom LoadDir: %v", got, want)
	}

	// An edit re-indexes one call; the rest stays as indexed.
	p := light.Calls[2].Path
	b, _ := os.ReadFile(p)
	if err := os.WriteFile(p, append(b, "IV: The lighthouse went dark.\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	snap = transcript.TakeSnapshot(dir)
	full, ps = transcript.LoadDir(dir)
	cat, err = transcript.NewCatalog(snap, full, ps)
	if err != nil {
		t.Fatal(err)
	}
	st, err := testBuild(t.Context(), data, cat.Archive(nil, 0), BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Incremental || st.Indexed != 31 {
		t.Errorf("edit of one call: %+v, want an incremental build of its 31 lines", st)
	}
	y, err := testOpen(data)
	if err != nil {
		t.Fatal(err)
	}
	defer y.Close()
	if r := mustSearch(t, y, Query{Text: "went dark"}); r.Total != 1 || r.Hits[0].Call != light.Calls[2].Slug {
		t.Errorf("the added line: %v", ids(r))
	}

	// A file changed after the catalog was made is not indexed from
	// stale knowledge: the build fails and says which call.
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := testBuild(t.Context(), t.TempDir(), cat.Archive(nil, 0), BuildOptions{}); err == nil {
		t.Error("build from a stale catalog succeeded")
	} else if !slices.ContainsFunc(light.Calls, func(c *transcript.Call) bool { return c.Slug != "" && strings.Contains(err.Error(), c.Slug) }) {
		t.Errorf("error does not name the call: %v", err)
	}
}

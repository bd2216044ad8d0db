package index

import (
	"fmt"
	"testing"

	"backchannel/internal/transcript"
)

func TestSmoke(t *testing.T) {
	a, ps := transcript.LoadDir("../../transcripts")
	if ps.HasErrors() {
		t.Fatal(ps)
	}
	dir := t.TempDir()
	st, err := Build(t.Context(), dir, a, BuildOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println(st)
	x, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	for _, q := range []Query{
		{Text: "word for word", Speaker: "dmitriev"},
		{Text: "dmitriev word for word"},
		{Text: "“They might not take”"},
		{Text: "I'll informally pass it along"},
		{Text: "informally passed"},
		{Text: "man of peace"},
		{Text: "Russia Ukraine thing"},
		{Text: "Ill"},
		{Text: "thats what im afraid"},
		{Text: "informaly"},
		{Text: "pea*"},
		{Text: "zzz peace"},
		{Text: "", Speaker: "KD"},
	} {
		r, err := x.Search(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("%q sp=%q total=%d fb=%v parsed=%q sugg=%v facets=%v\n", q.Text, q.Speaker, r.Total, r.Fallback, r.Parsed, r.Suggestions, r.Facets)
		for _, h := range r.Hits {
			fmt.Printf("   %s#%d %.3f %q %q\n", h.Call, h.Line, h.Score, h.Fragments, h.Terms)
		}
	}
}

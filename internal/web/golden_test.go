package web

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// assetVersion hides the static files' content hashes, which change with
// every CSS or JS edit, from the golden comparison.
var assetVersion = regexp.MustCompile(`\?v=[0-9a-f]+`)

// TestGolden compares stable pages of the fictional archive with
// testdata/*.golden. Run with -update after an intended template change and
// review the diff.
func TestGolden(t *testing.T) {
	s := newTestServer(t, &fakeLibrary{})
	for _, tt := range []struct{ name, path string }{
		{"call", "/calls/" + slugHarbour},
		{"line-range", "/calls/" + slugHarbour + "/L2-L3"},
		{"calls-json", "/api/v1/calls/" + slugHarbour},
		{"calls-txt", "/calls/" + slugHarbour + ".txt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := assetVersion.ReplaceAll(get(t, s, tt.path).Body.Bytes(), []byte("?v=VERSION"))
			file := filepath.Join("testdata", tt.name+".golden")
			if *update {
				if err := os.MkdirAll("testdata", 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("GET %s differs from %s (run go test -run TestGolden -update and review the diff)\ngot:\n%s", tt.path, file, got)
			}
		})
	}
}

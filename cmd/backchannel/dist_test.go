package main

import (
	"bytes"
	"debug/elf"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestDist: `make dist` for one target, run twice from two copies of the
// source at different paths, gives the same bytes and the same
// SHA256SUMS; the binary is static, carries no path of the machine that
// built it, and says the version it was stamped with.
func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("make dist compiles the program for another configuration; not with -short")
	}
	for _, tool := range []string{"make", "sha256sum", "git"} {
		if _, err := exec.LookPath(tool); err != nil {
			missingTool(t, "no %s on $PATH", tool)
		}
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	// The second copy: the files git knows, as they are in the worktree.
	copyDir := filepath.Join(t.TempDir(), "elsewhere", "backchannel")
	files, err := exec.Command("git", "-C", root, "ls-files", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, f := range strings.Split(strings.TrimSpace(string(files)), "\n") {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			continue // deleted in the worktree
		}
		if err := os.MkdirAll(filepath.Dir(filepath.Join(copyDir, f)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	const version = "v0.0.0-disttest"
	target, name := "linux/amd64", "backchannel-linux-amd64"
	dist := func(dir string) (bin, sums []byte) {
		t.Helper()
		out := filepath.Join(t.TempDir(), "dist")
		cmd := exec.Command("make", "-C", dir, "dist", "DIST="+out, "DIST_TARGETS="+target, "VERSION="+version)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("make dist in %s: %v\n%s", dir, err, b)
		}
		bin, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			t.Fatal(err)
		}
		sums, err = os.ReadFile(filepath.Join(out, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		return bin, sums
	}
	bin1, sums1 := dist(root)
	bin2, sums2 := dist(copyDir)
	if !bytes.Equal(bin1, bin2) {
		t.Errorf("two builds of %s differ: %d and %d bytes", target, len(bin1), len(bin2))
	}
	if !bytes.Equal(sums1, sums2) {
		t.Errorf("SHA256SUMS differ:\n%s\n%s", sums1, sums2)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}  ` + name + `\n$`).Match(sums1) {
		t.Errorf("SHA256SUMS = %q, want one line: digest, two spaces, %s", sums1, name)
	}
	for _, dir := range []string{root, copyDir} {
		if bytes.Contains(bin1, []byte(dir)) {
			t.Errorf("the binary holds the path it was built in, %s", dir)
		}
	}

	f, err := elf.NewFile(bytes.NewReader(bin1))
	if err != nil {
		t.Fatalf("%s is not ELF: %v", name, err)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a dynamic loader: not static", name)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs %v: not static", name, libs)
	}
	if runtime.GOOS+"/"+runtime.GOARCH == target {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, bin1, 0o755); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(p, "version").Output()
		if err != nil || strings.TrimSpace(string(out)) != "backchannel "+version {
			t.Errorf("%s version = %q, %v; want %q", name, out, err, "backchannel "+version)
		}
	}
}

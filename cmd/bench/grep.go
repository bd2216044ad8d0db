package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// grepper scans the raw transcript files for a fixed string, case-insensitive:
// the physical limit for a phrase search without an index.
type grepper struct {
	name string // how the scan is done, for the report
	run  func(ctx context.Context, phrase string) (int, error)
}

// newGrepper prefers ripgrep, then GNU grep, then an in-process scan.
func newGrepper(dir string) grepper {
	if p, err := exec.LookPath("rg"); err == nil {
		return grepper{name: "rg -F -i -c", run: func(ctx context.Context, phrase string) (int, error) {
			return countOutput(exec.CommandContext(ctx, p, "-F", "-i", "-c", "--no-messages", "--", phrase, dir))
		}}
	}
	if p, err := exec.LookPath("grep"); err == nil {
		return grepper{name: "grep -r -F -i -c", run: func(ctx context.Context, phrase string) (int, error) {
			return countOutput(exec.CommandContext(ctx, p, "-r", "-F", "-i", "-c", "--", phrase, dir))
		}}
	}
	return grepper{name: "in-process bytes.Index scan (case-sensitive; no rg or grep found)", run: func(_ context.Context, phrase string) (int, error) {
		return scanDir(dir, []byte(phrase))
	}}
}

// countOutput runs a grep-like command with -c and sums its per-file counts.
// Exit status 1 means no match.
func countOutput(cmd *exec.Cmd) (int, error) {
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
			return 0, nil
		}
		return 0, fmt.Errorf("%s: %w", strings.Join(cmd.Args[:2], " "), err)
	}
	n := 0
	for _, line := range bytes.Split(out, []byte("\n")) {
		i := bytes.LastIndexByte(line, ':')
		if i < 0 {
			continue
		}
		k, err := strconv.Atoi(string(line[i+1:]))
		if err == nil {
			n += k
		}
	}
	return n, nil
}

// scanDir counts the lines of the .md files in dir that contain phrase.
func scanDir(dir string, phrase []byte) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return 0, fmt.Errorf("scan: %w", err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return 0, fmt.Errorf("scan: %w", err)
		}
		for {
			i := bytes.Index(b, phrase)
			if i < 0 {
				break
			}
			n++
			j := bytes.IndexByte(b[i:], '\n')
			if j < 0 {
				break
			}
			b = b[i+j:]
		}
	}
	return n, nil
}

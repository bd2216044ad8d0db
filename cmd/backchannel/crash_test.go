package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// writeSyntheticArchive writes calls fictional transcripts of lines turns
// each into dir. Every line contains the word marker, so a search for it
// counts the lines of the index that answers.
func writeSyntheticArchive(t *testing.T, dir string, calls, lines int, marker string, seed uint64) int {
	t.Helper()
	words := strings.Fields("harbour ledger quay lighthouse tide cargo manifest signal pilot anchor " +
		"morning evening copy board meeting office north south channel rope lantern")
	r := rand.New(rand.NewPCG(seed, 7))
	total := 0
	for c := 0; c < calls; c++ {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Synthetic call %d\ndate: 2024-01-%02d\ncompleteness: complete\n---\n\n", c, c%28+1)
		for n := 0; n < lines; n++ {
			speaker := "Ada Quill (AQ)"
			if n > 0 {
				speaker = []string{"AQ", "BR"}[n%2]
			}
			if n == 1 {
				speaker = "Bo Reyes (BR)"
			}
			fmt.Fprintf(&b, "%s: %s", speaker, marker)
			for w := 0; w < 12; w++ {
				b.WriteString(" " + words[r.IntN(len(words))])
			}
			b.WriteString(".\n\n")
			total++
		}
		name := filepath.Join(dir, fmt.Sprintf("synthetic-%03d.md", c))
		if err := os.WriteFile(name, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return total
}

// countHits runs `backchannel search --json marker` and returns the total.
func countHits(t *testing.T, transcripts, data, marker string) (int, string) {
	t.Helper()
	out, errOut, code := runCLI(t, "search", "--transcripts", transcripts, "--data", data, "--json", marker)
	if code != 0 {
		return -1, out + errOut
	}
	var res struct {
		Total int `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return -1, out + errOut
	}
	return res.Total, ""
}

// TestIngestKilled kills `ingest` with SIGKILL at random moments and checks
// each time that the data folder still answers from a complete index: the
// old one or the new one, never a half-built one.
func TestIngestKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("kill loop skipped in -short mode")
	}
	oldDir, newDir, data := t.TempDir(), t.TempDir(), t.TempDir()
	oldLines := writeSyntheticArchive(t, oldDir, 4, 50, "zephyr", 1)
	newLines := writeSyntheticArchive(t, newDir, 20, 100, "zephyr", 2)

	if out, errOut, code := runCLI(t, "ingest", "--transcripts", oldDir, "--data", data); code != 0 {
		t.Fatalf("first ingest exit %d: %s %s", code, out, errOut)
	}
	// How long a whole ingest of the new archive takes, to spread the kills
	// over it.
	probe := t.TempDir()
	start := time.Now()
	if out, errOut, code := runCLI(t, "ingest", "--transcripts", newDir, "--data", probe); code != 0 {
		t.Fatalf("probe ingest exit %d: %s %s", code, out, errOut)
	}
	full := time.Since(start)

	const kills = 50
	deadline := time.Now().Add(3 * time.Minute)
	r := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 1))
	sawOld, sawNew := 0, 0
	for i := 0; i < kills; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("only %d kills in 3 minutes", i)
		}
		delay := time.Duration(r.Int64N(int64(full) * 6 / 5))
		cmd := exec.Command(binPath, "ingest", "--transcripts", newDir, "--data", data)
		cmd.Env = append(os.Environ(), "BACKCHANNEL_DATA=", "BACKCHANNEL_TRANSCRIPTS=")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(delay) // the kill moment, not a wait for an outcome
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()

		// Which transcripts does the index in data answer for? The search
		// command reads the archive from --transcripts only for names; the
		// count comes from the index.
		got, msg := countHits(t, newDir, data, "zephyr")
		switch got {
		case oldLines:
			sawOld++
		case newLines:
			sawNew++
		default:
			t.Fatalf("kill %d after %v: index answers %d hits for the marker, want %d (old) or %d (new); %s",
				i, delay, got, oldLines, newLines, msg)
		}
		// Go back to the old index now and then, so later kills can land
		// in a build that replaces something.
		if got == newLines && i%3 == 0 {
			if out, errOut, code := runCLI(t, "ingest", "--transcripts", oldDir, "--data", data); code != 0 {
				t.Fatalf("re-ingest old exit %d: %s %s", code, out, errOut)
			}
		}
	}
	t.Logf("%d kills over a %v ingest: %d left the old index, %d the new one", kills, full, sawOld, sawNew)

	// serve starts on what the loop left behind and answers.
	srv := startServe(t, newDir, data)
	resp, body := srv.get(t, "/api/v1/search?q=zephyr")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"total":`) {
		t.Fatalf("serve after the kill loop: %d %s", resp.StatusCode, body)
	}
	// The versions survived: a call in both archives has its old and new
	// content recorded once each, and every version's page shows its lines.
	var hist struct {
		Versions []struct {
			Version   string `json:"version"`
			LineCount int    `json:"line_count"`
			URL       string `json:"url"`
		} `json:"versions"`
	}
	_, body = srv.get(t, "/api/v1/calls/synthetic-000/versions")
	if err := json.Unmarshal(body, &hist); err != nil || len(hist.Versions) != 2 {
		t.Fatalf("versions of a call changed by the loop: %v: %s", err, body)
	}
	for _, v := range hist.Versions {
		resp, body := srv.get(t, v.URL+".json")
		var call struct {
			Lines []struct{} `json:"lines"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &call) != nil || len(call.Lines) != v.LineCount {
			t.Errorf("version %s after the kill loop: %d, %d lines (want %d)", v.Version, resp.StatusCode, len(call.Lines), v.LineCount)
		}
	}
}

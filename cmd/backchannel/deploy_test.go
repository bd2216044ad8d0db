package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// unitFile is a systemd unit of deploy/: its settings of [Service] by
// key, and its ExecStart as words.
type unitFile struct {
	name     string
	text     string
	settings map[string][]string
	exec     []string
}

func readUnit(t *testing.T, name string) unitFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "deploy", name))
	if err != nil {
		t.Fatal(err)
	}
	u := unitFile{name: name, text: string(b), settings: map[string][]string{}}
	joined := strings.ReplaceAll(u.text, "\\\n", " ")
	section := ""
	for _, l := range strings.Split(joined, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if l[0] == '[' {
			section = l
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok || section != "[Service]" {
			continue
		}
		u.settings[k] = append(u.settings[k], v)
		if k == "ExecStart" {
			u.exec = strings.Fields(v)
		}
	}
	return u
}

// TestDeployUnits: the systemd units of deploy/ have the hardening the
// README promises (a dedicated user, ProtectSystem=strict, the
// transcripts read-only and the data folder the only writable path, or
// none for a replica, NoNewPrivileges), pass `systemd-analyze verify`
// and are rated OK by `systemd-analyze security`, and their ExecStart
// lines are commands backchannel accepts.
func TestDeployUnits(t *testing.T) {
	writer, replica := readUnit(t, "backchannel.service"), readUnit(t, "backchannel-replica@.service")
	tests := []struct {
		unit unitFile
		want map[string][]string
		args []string // the ExecStart flags that must be there
	}{
		{writer, map[string][]string{
			"User": {"backchannel"}, "Group": {"backchannel"}, "ProtectSystem": {"strict"}, "NoNewPrivileges": {"yes"},
			"ReadOnlyPaths": {"/srv/backchannel/transcripts"}, "ReadWritePaths": {"/var/lib/backchannel/data"},
			"CapabilityBoundingSet": {""}, "PrivateTmp": {"yes"}, "ProtectHome": {"yes"},
		}, []string{"serve", "--watch", "--metrics-addr"}},
		{replica, map[string][]string{
			"User": {"backchannel"}, "Group": {"backchannel"}, "ProtectSystem": {"strict"}, "NoNewPrivileges": {"yes"},
			"ReadOnlyPaths": {"/var/lib/backchannel/data"}, "ReadWritePaths": nil,
			"CapabilityBoundingSet": {""}, "PrivateTmp": {"yes"}, "ProtectHome": {"yes"},
		}, []string{"serve", "--read-only", "--metrics-addr"}},
	}
	for _, tt := range tests {
		for k, want := range tt.want {
			if diff := cmp.Diff(want, tt.unit.settings[k]); diff != "" {
				t.Errorf("%s: %s (-want +got):\n%s", tt.unit.name, k, diff)
			}
		}
		for _, a := range tt.args {
			if !strings.Contains(" "+strings.Join(tt.unit.exec, " ")+" ", " "+a+" ") {
				t.Errorf("%s: ExecStart %q lacks %s", tt.unit.name, tt.unit.exec, a)
			}
		}
		// The flags parse: with --help last, backchannel stops at it
		// (exit 0) once every flag before it is known.
		args := append(tt.unit.exec[1:], "--help")
		for i, a := range args {
			args[i] = strings.ReplaceAll(a, "%i", "1")
		}
		if _, stderr, code := runCLI(t, args...); code != 0 {
			t.Errorf("%s: backchannel %s: exit %d\n%s", tt.unit.name, strings.Join(args, " "), code, stderr)
		}
	}

	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		missingTool(t, "no systemd-analyze on $PATH (Debian: apt-get install systemd)")
	}
	// verify wants the ExecStart binary to exist, and a template's
	// instance to check.
	dir := t.TempDir()
	var paths []string
	for _, u := range []struct{ from, to string }{{"backchannel.service", "backchannel.service"}, {"backchannel-replica@.service", "backchannel-replica@1.service"}} {
		text := strings.ReplaceAll(readUnit(t, u.from).text, "/usr/local/bin/backchannel", binPath)
		p := filepath.Join(dir, u.to)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	out, err := exec.Command(analyze, append([]string{"verify"}, paths...)...).CombinedOutput()
	if err != nil || len(strings.TrimSpace(string(out))) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	levelRE := regexp.MustCompile(`Overall exposure level for \S+: ([\d.]+) (\S+)`)
	for _, p := range paths {
		out, err := exec.Command(analyze, "security", "--offline=yes", p).CombinedOutput()
		m := levelRE.FindStringSubmatch(string(out))
		if m == nil {
			t.Errorf("systemd-analyze security %s: %v, no exposure level:\n%s", filepath.Base(p), err, out)
			continue
		}
		level, _ := strconv.ParseFloat(m[1], 64)
		t.Logf("systemd-analyze security %s: %s %s", filepath.Base(p), m[1], m[2])
		if level > 2 {
			t.Errorf("systemd-analyze security %s: exposure %s %s, want at most 2.0:\n%s", filepath.Base(p), m[1], m[2], out)
		}
	}
}

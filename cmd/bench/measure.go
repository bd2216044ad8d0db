package main

import (
	"bufio"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// latencies summarises a set of timings.
type latencies struct {
	N             int
	P50, P99, Max time.Duration
	MeanHits      float64 // mean total hits reported, as a sanity check across engines
	Errors        int
	Err           string // first error, if any
}

func summarize(ds []time.Duration) latencies {
	if len(ds) == 0 {
		return latencies{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return latencies{N: len(s), P50: pct(s, 50), P99: pct(s, 99), Max: s[len(s)-1]}
}

// pct returns the p-th percentile of sorted s (nearest rank).
func pct(s []time.Duration, p float64) time.Duration {
	if len(s) == 0 {
		return 0
	}
	i := int(float64(len(s))*p/100+0.5) - 1
	return s[max(0, min(i, len(s)-1))]
}

// timeQueries runs each query of qs reps times in rotation (after one warm-up
// pass) and returns the timings. run returns the total hits. It stops early
// after budget.
func timeQueries(qs []benchQuery, reps int, budget time.Duration, run func(benchQuery) (int, error)) latencies {
	var ds []time.Duration
	var hits, nhits int
	var errs int
	var first string
	warm := time.Now().Add(budget / 4)
	for _, q := range qs { // warm-up, bounded
		if _, err := run(q); err != nil && first == "" {
			first = err.Error()
		}
		if time.Now().After(warm) {
			break
		}
	}
	deadline := time.Now().Add(budget)
	for rep := 0; rep < reps && time.Now().Before(deadline); rep++ {
		for _, q := range qs {
			start := time.Now()
			n, err := run(q)
			d := time.Since(start)
			if err != nil {
				errs++
				if first == "" {
					first = err.Error()
				}
				continue
			}
			ds = append(ds, d)
			hits += n
			nhits++
		}
	}
	l := summarize(ds)
	l.Errors, l.Err = errs, first
	if nhits > 0 {
		l.MeanHits = float64(hits) / float64(nhits)
	}
	return l
}

// childRun is a finished child process's cost.
type childRun struct {
	Wall   time.Duration
	CPU    time.Duration // user + system, from rusage: less sensitive to other load than Wall
	MaxRSS int64         // bytes
	Output string
}

// runChild runs cmd to completion and reads its peak RSS from rusage.
func runChild(cmd *exec.Cmd) (childRun, error) {
	var out strings.Builder
	cmd.Stdout = &out
	cmd.Stderr = &out
	start := time.Now()
	err := cmd.Run()
	res := childRun{Wall: time.Since(start), Output: out.String()}
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			res.MaxRSS = ru.Maxrss * 1024 // kilobytes on Linux
			res.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
		}
	}
	if err != nil {
		return res, fmt.Errorf("%s: %w\n%s", strings.Join(cmd.Args, " "), err, tail(res.Output, 2000))
	}
	return res, nil
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// clockTicks is the unit of /proc/PID/stat's CPU times (USER_HZ, 100 on
// Linux on every architecture Go supports).
const clockTicks = 100

// procCPU is the CPU time (user + system) a running process has used so
// far, or 0 when it cannot be read (not Linux, the process gone).
func procCPU(pid int) time.Duration {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64) // field 14 of stat
	stime, _ := strconv.ParseInt(f[12], 10, 64) // field 15
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// procMem is a running process's resident memory from /proc/PID/status.
type procMem struct {
	RSS, HWM int64 // resident now, and at most
	// Anon is the resident anonymous memory (the Go heap, stacks); File
	// the resident file-backed pages, mostly the index's memory-mapped
	// segments, which the kernel can drop and read again.
	Anon, File int64
}

// procRSS reads the resident memory of a running process.
func procRSS(pid int) (procMem, error) {
	var m procMem
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m, fmt.Errorf("read rss: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseInt(f[0], 10, 64)
		switch k {
		case "VmRSS":
			m.RSS = n * 1024
		case "VmHWM":
			m.HWM = n * 1024
		case "RssAnon":
			m.Anon = n * 1024
		case "RssFile":
			m.File = n * 1024
		}
	}
	return m, sc.Err()
}

// dataSizes splits a data folder's bytes into the current build's Bleve
// index (current/index) and the rest: the line store (objects/), the
// catalog, the notes and the build's small files.
func dataSizes(data string) (index, rest int64, err error) {
	cur, err := filepath.EvalSymlinks(filepath.Join(data, "current"))
	if err != nil {
		return 0, 0, fmt.Errorf("data folder: %w", err)
	}
	if index, err = dirSize(filepath.Join(cur, "index")); err != nil {
		return 0, 0, err
	}
	all, err := dirSize(data)
	if err != nil {
		return 0, 0, err
	}
	return index, all - index, nil
}

// dirSize is the total size of the regular files under dir.
func dirSize(dir string) (int64, error) {
	var n int64
	err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			n += info.Size()
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("size of %s: %w", dir, err)
	}
	return n, nil
}

func mb(n int64) string { return fmt.Sprintf("%.0f MB", float64(n)/1e6) }

func ms(d time.Duration) string {
	switch {
	case d == 0:
		return "–"
	case d < 10*time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/1e6)
	case d < 10*time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
}

// loadAvg returns the 1, 5 and 15 minute load averages, or "?".
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

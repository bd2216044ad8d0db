package library

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"

	"backchannel/internal/store"
	"backchannel/internal/transcript"
)

// maxGitCommits bounds how much of a history one ingest reads.
const maxGitCommits = 10000

// importGit adds to log the versions of a's calls that the git history of
// the transcripts folder holds and the log does not: every content a
// call's file had in a commit reachable from HEAD, parsed as the file is
// now parsed, kept in the store, and first indexed at the time of the
// earliest commit that has it. It reads the history with go-git (no git
// command needed) and only what is new since the last import (GitHead).
// A folder that is not in a git work tree has no history to import.
func importGit(transcripts string, a *transcript.Archive, st *store.Store, log versionLog, logger *slog.Logger) (versionLog, error) {
	repo, err := git.PlainOpenWithOptions(transcripts, &git.PlainOpenOptions{DetectDotGit: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return log, nil
	}
	if err != nil {
		return log, fmt.Errorf("git history of %s: %w", transcripts, err)
	}
	head, err := repo.Head()
	if err != nil {
		return log, nil // an empty repository: no history yet
	}
	if head.Hash().String() == log.GitHead {
		return log, nil
	}
	wt, err := repo.Worktree()
	if err != nil {
		return log, fmt.Errorf("git history of %s: %w", transcripts, err)
	}
	root, _ := filepath.EvalSymlinks(wt.Filesystem.Root())
	// Each call's file (and sidecar) as a path in the repository.
	type tracked struct {
		call      *transcript.Call
		path      string // slash-separated, from the repository's root
		sidecars  []string
		seen      map[string]bool // file digests the log has
		earliest  map[string]time.Time
		commitOf  map[string]string
		sidecarOf map[string][]byte
		dataOf    map[string][]byte
	}
	var files []*tracked
	for _, c := range a.Calls {
		abs, err := filepath.Abs(c.Path)
		if err != nil {
			continue
		}
		if real, err := filepath.EvalSymlinks(abs); err == nil {
			abs = real
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || strings.HasPrefix(rel, "..") {
			continue
		}
		tr := &tracked{call: c, path: filepath.ToSlash(rel), seen: map[string]bool{}, earliest: map[string]time.Time{},
			commitOf: map[string]string{}, sidecarOf: map[string][]byte{}, dataOf: map[string][]byte{}}
		base := strings.TrimSuffix(tr.path, filepath.Ext(tr.path))
		tr.sidecars = []string{base + ".yaml", base + ".yml"}
		for _, v := range log.Calls[c.Slug] {
			tr.seen[v.SHA256] = true
		}
		files = append(files, tr)
	}
	commits, err := repo.Log(&git.LogOptions{From: head.Hash()})
	if err != nil {
		return log, fmt.Errorf("git history of %s: %w", transcripts, err)
	}
	n := 0
	err = commits.ForEach(func(cm *object.Commit) error {
		if n++; n > maxGitCommits {
			return errStopGit
		}
		tree, err := cm.Tree()
		if err != nil {
			return err
		}
		for _, tr := range files {
			f, err := tree.File(tr.path)
			if err != nil {
				continue // not in this commit
			}
			data, err := f.Contents()
			if err != nil {
				return err
			}
			sum := sha256.Sum256([]byte(data))
			sha := hex.EncodeToString(sum[:])
			if tr.seen[sha] {
				continue
			}
			when := cm.Committer.When.UTC()
			if t, ok := tr.earliest[sha]; !ok || when.Before(t) {
				tr.earliest[sha], tr.commitOf[sha], tr.dataOf[sha] = when, cm.Hash.String(), []byte(data)
				for _, sp := range tr.sidecars {
					if sf, err := tree.File(sp); err == nil {
						if sd, err := sf.Contents(); err == nil {
							tr.sidecarOf[sha] = []byte(sd)
						}
						break
					}
				}
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStopGit) {
		return log, fmt.Errorf("git history of %s: %w", transcripts, err)
	}
	if errors.Is(err, errStopGit) {
		logger.Warn("git history: only the newest commits were read", "commits", maxGitCommits)
	}
	out := versionLog{Calls: make(map[string][]transcript.Version, len(log.Calls)), GitHead: head.Hash().String()}
	for slug, vs := range log.Calls {
		out.Calls[slug] = vs
	}
	for _, tr := range files {
		added := false
		vs := append([]transcript.Version(nil), out.Calls[tr.call.Slug]...)
		for sha, when := range tr.earliest {
			c, ps := transcript.ParseWithSidecar(tr.call.Path, tr.dataOf[sha], "", tr.sidecarOf[sha])
			if c == nil {
				logger.Warn("git history: a version of the file does not parse; left out", "file", tr.path, "commit", tr.commitOf[sha], "problems", ps.Error())
				continue
			}
			c.Slug = tr.call.Slug
			sideSHA := ""
			if sd := tr.sidecarOf[sha]; sd != nil {
				s := sha256.Sum256(sd)
				sideSHA = hex.EncodeToString(s[:])
			}
			key := store.Key(c.Format, sha, sideSHA)
			if err := st.Put(key, c); err != nil {
				return log, err
			}
			if err := st.PutSource(sha, tr.dataOf[sha]); err != nil {
				return log, err
			}
			vs = append(vs, transcript.Version{Name: transcript.VersionName(sha), SHA256: sha, FirstIndexed: when,
				Lines: len(c.Lines), Object: key, Commit: tr.commitOf[sha][:12]})
			added = true
		}
		if added {
			sort.SliceStable(vs, func(i, j int) bool { return vs[i].FirstIndexed.Before(vs[j].FirstIndexed) })
			out.Calls[tr.call.Slug] = vs
		}
	}
	return out, nil
}

var errStopGit = errors.New("enough commits")

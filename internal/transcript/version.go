package transcript

import (
	"errors"
	"time"
)

// Errors of looking up a version by name.
var (
	// ErrNoVersion means no version of the call has that name.
	ErrNoVersion = errors.New("no such version")
	// ErrAmbiguousVersion means the name is a prefix of several versions.
	ErrAmbiguousVersion = errors.New("several versions start with that name")
)

// VersionDigits is how many hex digits of a file's SHA-256 name a version
// of its call; a unique prefix of MinVersionDigits or more names it too.
const (
	VersionDigits    = 12
	MinVersionDigits = 7
)

// Version is one content of a call's file that the archive has indexed:
// its lines are kept for good, so that a link to a line of it keeps its
// words whatever the file becomes.
type Version struct {
	// Name is the first VersionDigits hex digits of SHA256.
	Name   string `json:"version"`
	SHA256 string `json:"sha256"`
	// FirstIndexed is when a build first held it (for a version found in
	// the transcripts' git history, the time of its commit).
	FirstIndexed time.Time `json:"first_indexed"`
	// Lines is how many lines it has.
	Lines int `json:"line_count"`
	// Object is the key of its lines in the line store.
	Object string `json:"object"`
	// Commit is the git commit it was found in, when it was imported from
	// the transcripts folder's history rather than indexed from the file.
	Commit string `json:"commit,omitempty"`
}

// VersionName is the name of the version of a file with this SHA-256.
func VersionName(sha256 string) string {
	if len(sha256) < VersionDigits {
		return sha256
	}
	return sha256[:VersionDigits]
}

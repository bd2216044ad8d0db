package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"backchannel/internal/bagit"
)

func runVerify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("verify", "DIR",
		"Checks the BagIt bag (RFC 8493) in DIR, such as a mirror written by\n"+
			"'backchannel export --format site': every file the manifests list is\n"+
			"there with its checksum, and no payload file is unlisted. Names every\n"+
			"missing, extra or altered file and exits 1 when there is any. Works on\n"+
			"any bag with MD5, SHA-1, SHA-256 or SHA-512 manifests; it does not fetch\n"+
			"the files a fetch.txt lists.", stderr)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("verify takes one folder, got %d arguments", fs.NArg())
	}
	dir := fs.Arg(0)
	r, err := bagit.Verify(ctx, dir)
	if err != nil {
		return err
	}
	for _, w := range r.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", show(dir, w))
	}
	if !r.Valid() {
		for _, p := range r.Problems {
			fmt.Fprintln(stdout, show(dir, p))
		}
		fmt.Fprintf(stderr, "backchannel: verify: %s is not a valid bag: %s\n", dir, plural(len(r.Problems), "problem"))
		return errReported
	}
	fmt.Fprintf(stdout, "%s is a valid bag (BagIt %s, %s): %s, %s\n", dir, r.Version, strings.Join(r.Manifests, ", "),
		plural(int(r.PayloadFiles), "payload file"), plural(int(r.PayloadBytes), "byte"))
	return nil
}

// show is a problem with its path in dir, as a shell user would type it.
func show(dir string, p bagit.Problem) string {
	p.Path = filepath.Join(dir, filepath.FromSlash(p.Path))
	return p.String()
}

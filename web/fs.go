// Package web holds Backchannel's templates and static assets, embedded in
// the binary. Only cmd/backchannel imports it; internal/web receives the
// files as an fs.FS.
package web

import "embed"

// FS holds templates/ and static/.
//
//go:embed templates/*.html static
var FS embed.FS

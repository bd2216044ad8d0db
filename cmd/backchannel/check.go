package main

import (
	"context"
	"fmt"
	"io"

	"backchannel/internal/annotate"
	"backchannel/internal/library"
	"backchannel/internal/transcript"
)

func runCheck(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("check", "[--data DIR] PATH...",
		"Validates transcript files or folders without indexing. Prints every problem\n"+
			"as path:line: message and exits 1 if there is any error (0 with warnings only).\n"+
			"With --data, also checks the data folder's current build and the versions it\n"+
			"keeps, naming any damaged file to remove.", stderr)
	data := fs.String("data", "", "also check this data folder's build and versions")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 && *data == "" {
		return usageError("check needs at least one file or folder, or --data")
	}
	var problems transcript.Problems
	if fs.NArg() > 0 {
		problems = annotate.Check(fs.Args()...) // transcript.Check plus editorial notes
	}
	if *data != "" {
		problems = append(problems, library.Check(*data)...)
	}
	errs, warns := 0, 0
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
		if p.Severity == transcript.Error {
			errs++
		} else {
			warns++
		}
	}
	fmt.Fprintf(stdout, "%s, %s\n", plural(errs, "error"), plural(warns, "warning"))
	if errs > 0 {
		return errReported
	}
	return nil
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// Package history follows a call's lines from one version of its file to
// another, as git blame follows lines: which line of the newer version
// holds each line of the older one (the same words, changed words, or
// none), and what changed, word by word.
//
// Lines are matched by a diff of their speaker and text (go-difflib's
// SequenceMatcher, the algorithm of Python's difflib); a line the diff
// leaves unpaired is matched by similarity to an unpaired line of the
// other version, so that a line that moved and was corrected is still
// followed.
package history

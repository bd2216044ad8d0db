// Package fold is the one table of the characters that people write in
// different ways for the same text: apostrophes, double quotation marks
// and dashes. A word typed with a straight apostrophe must find the same
// word written with a curly one, in a line (package index), in an
// editorial note and its quote (package annotate), and in the words a
// page highlights (package web); each of them folds with this table.
//
// It imports only the standard library.
package fold

// IsApostrophe reports whether r is written for an apostrophe: the ASCII
// apostrophe ', the grave accent `, the acute accent ´, the single
// quotation marks ‘ ’ and ‛, the modifier letters apostrophe ʼ and prime
// ʹ, the prime ′ and the fullwidth apostrophe ＇.
func IsApostrophe(r rune) bool {
	switch r {
	case '\'', '`', '\u00B4', '\u2018', '\u2019', '\u201B', '\u02BC', '\u02B9', '\u2032', '\uFF07':
		return true
	}
	return false
}

// IsDoubleQuote reports whether r is written for a double quotation
// mark: the ASCII ", the quotation marks “ ” „ ‟, the guillemets « » and
// the fullwidth ＂.
func IsDoubleQuote(r rune) bool {
	switch r {
	case '"', '\u201C', '\u201D', '\u201E', '\u201F', '\u00AB', '\u00BB', '\uFF02':
		return true
	}
	return false
}

// IsDash reports whether r is a hyphen or a dash: the ASCII hyphen-minus,
// the soft hyphen, the hyphens ‐ ‑, the figure, en and em dashes ‒ – —,
// the horizontal bar ―, the minus sign −, and the small and fullwidth
// forms ﹘ ﹣ －.
func IsDash(r rune) bool {
	switch r {
	case '-', '\u00AD', '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2015', '\u2212', '\uFE58', '\uFE63', '\uFF0D':
		return true
	}
	return false
}

// Quotes maps every apostrophe to ' and every double quotation mark to
// ", and leaves any other rune as it is. It suits strings.Map.
func Quotes(r rune) rune {
	switch {
	case r < 0x80 && r != '`':
		return r
	case IsApostrophe(r):
		return '\''
	case IsDoubleQuote(r):
		return '"'
	}
	return r
}

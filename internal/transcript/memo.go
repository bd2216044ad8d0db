package transcript

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// A memorandum of conversation, as governments and newsrooms publish it,
// is text pulled out of a PDF: a heading (banners, the document's name,
// SUBJECT, PARTICIPANTS, DATE, TIME AND PLACE, a CAUTION paragraph), then
// paragraphs that open with a speaker, often behind a portion mark such as
// "(S/NF)", broken by page breaks (a banner, a page number, a running
// head) that may fall inside a sentence, and closed by boilerplate ("--
// End of Memorandum --", "Classified By: ..."). Only the paragraphs after
// the heading are lines; everything else the record says about itself is
// kept in Call.Record, and the page furniture is dropped.

var (
	// bannerRE is a classification banner line, possibly followed by the
	// page number: "SECRET//ORCON/NOFORN", "UNCLASSIFIED", "TOP SECRET//SI  3".
	bannerRE = regexp.MustCompile(`^(?:TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED|RESTRICTED|CUI)(?:[ \t]*//?[ \t]*[A-Z0-9][A-Z0-9 ,/\-]*?)?(?:[ \t]+[0-9]{1,4})?$`)
	// pageRE is a page number or page marker alone on its line: "2",
	// "- 2 -", "Page 2", "Page 2 of 5", "2 of 5", FRUS's "[Page 345]".
	pageRE = regexp.MustCompile(`^(?:-[ \t]*)?[0-9]{1,4}(?:[ \t]*-)?$|^(?i:page)[ \t]+[0-9]{1,4}(?:[ \t]+(?i:of)[ \t]+[0-9]{1,4})?$|^[0-9]{1,4}[ \t]+(?i:of)[ \t]+[0-9]{1,4}$|^\[(?i:page)[ \t]+[0-9IVXLCivxlc]{1,6}\]$`)
	// portionRE is a portion mark opening a paragraph: "(U)", "(S/NF)",
	// "(TS//SI)", "(C//REL TO USA, FVEY)"; group 1 is the mark.
	portionRE = regexp.MustCompile(`^\(((?:TS|S|C|U|R|CUI)(?:/{1,2}[A-Z0-9][A-Z0-9 ,.\-]*)*)\)(?:[ \t]+|$)`)
	// endRE is the line that closes a memorandum: "-- End of Memorandum --".
	endRE = regexp.MustCompile(`^-+[ \t]*(?i:end[ \t]+of[ \t]+(?:memorandum|memcon|telcon|conversation|document|transcript))[ \t]*-*$`)
	// authorityRE is a line of the classification authority block.
	authorityRE = regexp.MustCompile(`^(?i:classified[ \t]+by|derived[ \t]+from|declassify[ \t]+on|downgrade[ \t]+to|reason)[ \t]*:`)
	// authorityStartRE are the lines that can start that block ("Reason:"
	// only continues one).
	authorityStartRE = regexp.MustCompile(`^(?i:classified[ \t]+by|derived[ \t]+from|declassify[ \t]+on)[ \t]*:`)
	// declassifiedRE opens a line that says the document was declassified.
	declassifiedRE = regexp.MustCompile(`^(?i:declassified|approved for release)\b`)
	// cautionRE opens the record's statement of its own fidelity.
	cautionRE = regexp.MustCompile(`^CAUTION[ \t]*:`)
	// omissionRE is a paragraph that only marks words left out: "…",
	// "...", "[…]", "[...]".
	omissionRE = regexp.MustCompile(`^(?:…|\.\.\.|\[…\]|\[\.\.\.\])$`)
	// splitDateRE is the first line of a DATE, TIME AND PLACE label
	// printed in two columns: "DATE, TIME    July 25, ..." (its second line
	// starts with "AND PLACE:").
	splitDateRE  = regexp.MustCompile(`^(?i:date,?[ \t]+time)(?:[ \t]+|$)`)
	splitDate2RE = regexp.MustCompile(`^(?i:and[ \t]+place)[ \t]*:`)

	// kindRE is the document's name for itself, in capitals:
	// "MEMORANDUM OF TELEPHONE CONVERSATION", "TELCON", "ЗАПИСЬ БЕСЕДЫ"
	// (a masthead in capitals is not one).
	kindRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:\p{Lu}[\p{Lu}'’\-]*[ \t]+){0,6}(?:MEMORANDUM|MEMCON|TELCON|CONVERSATION|TRANSCRIPT|RECORD|ЗАПИСЬ|СТЕНОГРАММА)(?:[ \t]+\p{Lu}[\p{Lu}'’\-]*){0,6}$`)
	})
	// headingKeyRE is a heading field's label before its colon.
	headingKeyRE = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?i:participants|present|date|time|date and time|date, time and place|date, time, and place|date and place|time and place|date & time|place|location|subject|subjects|topic|topics|memorandum for|from|to|classification|drafted by|prepared by|cleared by|copies|distribution|approved|ref|reference|notetakers?|note ?takers?|interpreters?|участники|присутствовали|дата|время|место|тема|записал|записала)$`)
	})
)

// participantsKeyRE finds a PARTICIPANTS field in a paragraph.
var participantsKeyRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?im)^[ \t]*(?:participants|present|участники|присутствовали)[ \t]*:`)
})

// memoDoc is a memorandum as scanned before its body is read.
type memoDoc struct {
	record              Record
	title, date         string
	titleFrom, dateFrom string
	participants        []Participant // from the PARTICIPANTS field
	body                []memoPara    // the paragraphs after the heading
	// uses counts the paragraphs that open with each label, for
	// speakerLike.
	uses map[string]int
}

// memoPara is a paragraph of the body, its portion mark taken off.
type memoPara struct {
	paragraph
	marking string
	end     bool // the closing line: ends the turn before it
}

// parseMemo reads a plain-text memorandum of conversation (see the comment
// at the top of this file, and transcripts/README.md).
func parseMemo(in input) (*Call, Problems) {
	lines, ps, ok := decodeText(in.path, in.data)
	if !ok {
		return nil, ps
	}
	var h header
	var hps Problems
	if in.sidecar != nil {
		h, hps = metaFor(in)
	}
	doc := scanMemo(lines, h.Participants)
	if in.sidecar == nil {
		h, hps = metaFrom(in, fileMeta{title: doc.title, titleFrom: doc.titleFrom, date: doc.date, dateFrom: doc.dateFrom})
	}
	ps = append(ps, hps...)
	parts := h.Participants
	if len(parts) == 0 {
		parts = doc.participants
	}
	b := newBody(in.path, parts)
	b.listed = len(parts) > 0
	b.settleIn = "the sidecar " + Slug(in.path) + ".yaml"
	for _, p := range doc.body {
		if p.end {
			b.open = false
			continue
		}
		m := speakerSplit(firstLine(p.text), maxPrefix, false)
		turn := m != nil && speakerLike(m[1], b.sp, doc.uses)
		b.memoParagraph(p, m, turn, "paragraph after a bracketed note has no speaker: start it with `Name:`")
	}
	c, ps := b.call(h, ps, 1, noTXTTurns)
	if c != nil {
		c.Record = doc.record
	}
	return c, ps
}

// scanMemo reads the heading, the record's boilerplate and the body's
// paragraphs of a memorandum's lines, dropping page furniture and joining
// paragraphs that a page break cut. known are the participants the
// sidecar lists, if any.
func scanMemo(lines []string, known []Participant) *memoDoc {
	doc := &memoDoc{uses: map[string]int{}}
	junk := pageFurniture(lines)
	paras := memoParagraphs(lines, junk, func(i int) {
		if t := strings.TrimSpace(lines[i]); authorityRE.MatchString(t) {
			doc.record.Boilerplate = append(doc.record.Boilerplate, collapse(t))
		}
	})
	for _, p := range paras {
		_, rest := portionMark(p.text)
		if m := speakerSplit(firstLine(rest), maxPrefix, false); m != nil {
			doc.uses[m[1]]++
		}
	}
	// The heading ends where the first turn, direction or omission starts;
	// whether a label is a speaker depends on the participants the
	// heading lists before it.
	sp := newSpeakers(known)
	started := false
	var heading []paragraph
	for _, p := range paras {
		switch t := p.text; {
		case endRE.MatchString(t):
			doc.record.Boilerplate = append(doc.record.Boilerplate, collapse(t))
			if started {
				doc.body = append(doc.body, memoPara{paragraph: p, end: true})
			}
			continue
		case cautionRE.MatchString(t) && len(sp.lookup("CAUTION")) == 0:
			doc.record.Statement = collapse(t)
			continue
		}
		mark, rest := portionMark(p.text)
		if !started && !memoBodyStarts(rest, sp, doc.uses) {
			heading = append(heading, p)
			if len(known) == 0 {
				for _, hp := range headingParticipants(p) {
					if !sp.hasID(hp.ID) {
						sp.list = append(sp.list, hp)
					}
				}
			}
			continue
		}
		started = true
		p.text = rest
		doc.body = append(doc.body, memoPara{paragraph: p, marking: mark})
	}
	doc.readHeading(heading)
	// The banners printed before the body are the record's classification.
	end := len(lines)
	if len(doc.body) > 0 {
		end = doc.body[0].line - 1
	}
	var banners []string
	for i, l := range lines[:end] {
		if t := strings.TrimSpace(l); junk[i] && bannerRE.MatchString(t) {
			b := strings.TrimRight(strings.TrimRightFunc(t, func(r rune) bool { return r >= '0' && r <= '9' }), " \t")
			if !slices.Contains(banners, b) {
				banners = append(banners, b)
			}
		}
	}
	for _, b := range banners {
		switch {
		case b != "UNCLASSIFIED" && doc.record.Classification == "":
			doc.record.Classification = b
		case b == "UNCLASSIFIED" && len(banners) > 1:
			// A declassified copy: UNCLASSIFIED is stamped beside the
			// original banner.
			doc.record.Declassification = append([]string{b}, doc.record.Declassification...)
		}
	}
	if doc.record.Classification == "" && slices.Contains(banners, "UNCLASSIFIED") {
		doc.record.Classification = "UNCLASSIFIED"
	}
	return doc
}

// headingParticipants are the participants the PARTICIPANTS field of a
// heading paragraph lists, if it has one.
func headingParticipants(p paragraph) []Participant {
	if !participantsKeyRE().MatchString(p.text) {
		return nil // most paragraphs: no need to read the fields
	}
	var d memoDoc
	d.readHeading([]paragraph{p})
	return d.participants
}

// memoBodyStarts reports whether a paragraph (its portion mark taken off)
// is the first of the body: a bracketed direction, an omission, or a turn
// (a label that is a speaker to speakerLike, and no heading field such as
// "SUBJECT:").
func memoBodyStarts(t string, sp *speakers, uses map[string]int) bool {
	if omissionRE.MatchString(t) || isDirection(t) && !pageRE.MatchString(t) {
		return true
	}
	first := firstLine(t)
	m := speakerSplit(first, maxPrefix, false)
	if m == nil || splitDateRE.MatchString(first) {
		return false
	}
	if _, _, ok := headingKey(first); ok {
		return false
	}
	return speakerLike(m[1], sp, uses)
}

// pageFurniture marks the lines that belong to the page, not the text:
// banners, page numbers standing alone, form feeds, the classification
// authority block, and running heads (a line repeated next to two or more
// page breaks).
func pageFurniture(lines []string) []bool {
	junk := make([]bool, len(lines))
	blank := func(i int) bool { return i < 0 || i >= len(lines) || strings.Trim(lines[i], " \t\f\v") == "" }
	for i, l := range lines {
		t := strings.Trim(l, " \t\f\v")
		switch {
		case t == "" && strings.ContainsRune(l, '\f'):
			junk[i] = true
		case t == "":
		case bannerRE.MatchString(t):
			junk[i] = true
		case authorityStartRE.MatchString(t):
			junk[i] = true
		case authorityRE.MatchString(t) && i > 0 && junk[i-1] && authorityRE.MatchString(strings.TrimSpace(lines[i-1])):
			junk[i] = true
		}
	}
	// A page number stands alone: blank or furniture on both sides.
	nearBreak := func(i int) bool {
		for _, j := range []int{i - 1, i + 1} {
			if !blank(j) && !(j >= 0 && j < len(lines) && junk[j]) {
				return false
			}
		}
		return true
	}
	for i, l := range lines {
		if t := strings.Trim(l, " \t\f\v"); !junk[i] && pageRE.MatchString(t) && nearBreak(i) {
			junk[i] = true
		}
	}
	// Running heads: text next to a break (only blank lines between),
	// repeated at two breaks or more.
	adjacent := map[string][]int{}
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if junk[i] || t == "" {
			continue
		}
		for _, dir := range []int{-1, 1} {
			j := i + dir
			for j >= 0 && j < len(lines) && blank(j) && !junk[j] {
				j += dir
			}
			if j >= 0 && j < len(lines) && junk[j] {
				adjacent[t] = append(adjacent[t], i)
				break
			}
		}
	}
	count := map[string]int{}
	for t, at := range adjacent {
		if len(at) >= 2 {
			count[t] = 0
		}
	}
	if len(count) == 0 {
		return junk
	}
	for _, l := range lines {
		if n, ok := count[strings.TrimSpace(l)]; ok {
			count[strings.TrimSpace(l)] = n + 1
		}
	}
	alone := func(i int) bool { // a paragraph of one line
		return (blank(i-1) || junk[i-1]) && (blank(i+1) || junk[i+1])
	}
	for t, at := range adjacent {
		if len(at) < 2 || len(t) > 200 || portionRE.MatchString(t) || !hasLetterOrDigit(t) {
			continue
		}
		// A head is a title, not a sentence: a short paragraph ending
		// with a full stop ("Yes.") is someone's words.
		if r, _ := utf8.DecodeLastRuneInString(t); strings.ContainsRune(".?!…\"”", r) || slices.ContainsFunc(at, func(i int) bool { return !alone(i) }) {
			continue
		}
		if m := speakerSplit(t, maxPrefix, false); m != nil && !headingKeyRE().MatchString(m[1]) {
			continue // a turn, however short, is never furniture
		}
		if count[t] != len(at) {
			continue // also elsewhere in the text: words, not a head
		}
		for _, i := range at {
			junk[i] = true
		}
	}
	return junk
}

// memoParagraphs splits lines into paragraphs, leaving out the furniture
// lines (onJunk is called with each) and joining the two halves of a
// paragraph that a page break cut: the text before the break does not end
// a sentence, or the text after it starts in lower case.
func memoParagraphs(lines []string, junk []bool, onJunk func(i int)) []paragraph {
	var out []paragraph
	var cur []string
	start := 0
	flush := func() {
		if len(cur) > 0 {
			out = append(out, paragraph{line: start + 1, text: strings.Trim(strings.Join(cur, "\n"), " \t")})
			cur = nil
		}
	}
	for i := 0; i < len(lines); i++ {
		if junk[i] {
			onJunk(i)
			continue
		}
		l := strings.Trim(lines[i], "\f\v")
		if strings.TrimSpace(l) != "" {
			if len(cur) == 0 {
				start = i
			}
			cur = append(cur, strings.TrimRight(l, " \t"))
			continue
		}
		// A blank line: the end of the paragraph, unless a page break
		// follows and the paragraph goes on after it.
		j, banners, broken := i, 0, false
		for j < len(lines) && (strings.Trim(lines[j], " \t\f\v") == "" || junk[j]) {
			if junk[j] {
				onJunk(j)
				switch t := strings.Trim(lines[j], " \t\f\v"); {
				case t == "", pageRE.MatchString(t), bannerRE.MatchString(t) && strings.ContainsAny(t[len(t)-1:], "0123456789"):
					broken = true // a form feed or a page number
				case bannerRE.MatchString(t):
					banners++
				}
			}
			j++
		}
		// A page ends with a banner and the next starts with one; a lone
		// banner (the top of the first page) breaks nothing.
		broken = broken || banners >= 2
		if broken && len(cur) > 0 && j < len(lines) && continuesAfterBreak(cur[len(cur)-1], strings.TrimSpace(lines[j])) {
			i = j - 1
			continue
		}
		flush()
		i = j - 1
	}
	flush()
	return out
}

// continuesAfterBreak reports whether the text after a page break, next,
// goes on with the sentence that prev (the last line before it) leaves
// open.
func continuesAfterBreak(prev, next string) bool {
	if _, rest := portionMark(next); rest != next {
		return false // a marked paragraph starts afresh
	}
	if r, _ := utf8.DecodeRuneInString(next); unicode.IsLower(r) {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(strings.TrimSpace(prev))
	return !strings.ContainsRune(".?!:;\"”'’)]…", r)
}

// portionMark splits a paragraph's portion mark ("(S/NF) ") from its text.
func portionMark(t string) (mark, rest string) {
	if len(t) < 3 || t[0] != '(' {
		return "", t
	}
	m := portionRE.FindStringSubmatch(t)
	if m == nil {
		return "", t
	}
	return m[1], strings.TrimLeft(t[len(m[0]):], " \t\n")
}

// readHeading reads the heading's fields into the document: title, date,
// time and place, participants, authors, the document's own name and the
// declassification lines.
func (doc *memoDoc) readHeading(paras []paragraph) {
	type field struct {
		key   string
		lines []string
	}
	var fields []field
	var free [][]string // paragraphs of text that is no field
	for _, p := range paras {
		ls := strings.Split(p.text, "\n")
		var freePara []string
		for k := 0; k < len(ls); k++ {
			t := strings.TrimSpace(ls[k])
			switch {
			case splitDateRE.MatchString(t) && !strings.Contains(t[:min(len(t), 12)], ":") && k+1 < len(ls) && splitDate2RE.MatchString(strings.TrimSpace(ls[k+1])):
				// "DATE, TIME   July 25, ..." over "AND PLACE:   Residence".
				v1 := strings.TrimSpace(splitDateRE.ReplaceAllString(t, ""))
				v2 := strings.TrimSpace(splitDate2RE.ReplaceAllString(strings.TrimSpace(ls[k+1]), ""))
				fields = append(fields, field{key: "date, time and place", lines: []string{v1, v2}})
				k++
				continue
			case declassifiedRE.MatchString(t):
				doc.record.Declassification = append(doc.record.Declassification, collapse(t))
				// A date or an authority on the lines under it belong to it.
				for k+1 < len(ls) && declassDetail(strings.TrimSpace(ls[k+1])) {
					k++
					doc.record.Declassification = append(doc.record.Declassification, collapse(ls[k]))
				}
				continue
			}
			if key, v, ok := headingKey(t); ok {
				fields = append(fields, field{key: key, lines: []string{v}})
				continue
			}
			if len(fields) > 0 && len(freePara) == 0 && k > 0 {
				// A value wrapped onto the next line.
				f := &fields[len(fields)-1]
				f.lines = append(f.lines, t)
				continue
			}
			if doc.record.Kind == "" && kindRE().MatchString(t) && len(free) == 0 && len(freePara) == 0 {
				doc.record.Kind = t
				continue
			}
			freePara = append(freePara, t)
		}
		if len(freePara) > 0 {
			free = append(free, freePara)
		}
	}
	for _, f := range fields {
		var vals []string
		for _, l := range f.lines {
			if l = strings.TrimSpace(l); l != "" {
				vals = append(vals, l)
			}
		}
		if len(vals) == 0 {
			continue
		}
		switch f.key {
		case "subject", "subjects", "topic", "topics", "тема":
			if doc.title == "" {
				doc.title = collapse(strings.Join(vals, " "))
				doc.titleFrom = "the memorandum's " + strings.ToUpper(f.key)
			}
		case "participants", "present", "участники", "присутствовали":
			doc.participants = append(doc.participants, memoParticipants(vals)...)
		case "notetaker", "notetakers", "note taker", "note takers", "drafted by", "prepared by", "записал", "записала":
			doc.record.Authors = append(doc.record.Authors, splitList(vals)...)
		case "place", "location", "место":
			doc.record.Place = collapse(strings.Join(vals, " "))
		case "time", "время":
			doc.record.Time = collapse(strings.Join(vals, " "))
		case "date", "дата", "date and time", "date & time", "date and place", "time and place",
			"date, time and place", "date, time, and place":
			doc.readDate(f.key, vals)
		}
	}
	// Without fields, the first free paragraph names the document (a
	// FRUS heading, a newspaper's headline) and a dateline gives the date.
	// Both are at the top: only the first few paragraphs are read, and
	// only short lines.
	for _, fp := range free[:min(len(free), 5)] {
		size := 0
		for _, l := range fp {
			size += len(l) + 1
		}
		if doc.title == "" && size <= 200 {
			if t := collapse(strings.Join(fp, " ")); dateIn(t) == nil {
				doc.title = t
				doc.titleFrom = "the memorandum's first line"
				continue
			}
		}
		if doc.date == "" {
			for _, l := range fp {
				if len(l) > 200 {
					continue
				}
				if m := dateIn(l); m != nil {
					doc.readDate("dateline", []string{l})
					break
				}
			}
		}
	}
	if doc.title == "" && doc.record.Kind != "" {
		doc.title = doc.record.Kind
		doc.titleFrom = "the memorandum's name for itself"
	}
}

// declassDetail reports whether a line under a "Declassified ..." line
// goes on with it: a date, or who and under what authority.
func declassDetail(t string) bool {
	if _, _, ok := headingKey(t); ok || t == "" {
		return false
	}
	lower := strings.ToLower(t)
	return dateIn(t) != nil || strings.HasPrefix(lower, "e.o.") || strings.HasPrefix(lower, "authority") ||
		strings.HasPrefix(lower, "by ") || strings.HasPrefix(lower, "per ") || strings.HasPrefix(lower, "on ")
}

// headingKey splits "SUBJECT:   text" into the lower-cased key and value.
func headingKey(t string) (key, value string, ok bool) {
	i := strings.IndexByte(t[:min(len(t), 40)], ':')
	if i <= 0 {
		return "", "", false
	}
	key = strings.ToLower(strings.Join(strings.Fields(t[:i]), " "))
	if !headingKeyRE().MatchString(key) {
		return "", "", false
	}
	return key, strings.TrimSpace(t[i+1:]), true
}

// readDate reads a date field's lines: the date; on its line, the time
// after it (and, in a dateline, the place before it); the lines under it,
// the place.
func (doc *memoDoc) readDate(key string, vals []string) {
	for i, v := range vals {
		m := dateIn(v)
		if m == nil {
			continue
		}
		doc.date = m.date
		doc.dateFrom = "the memorandum's " + strings.ToUpper(key)
		if key == "dateline" {
			doc.dateFrom = "the memorandum's dateline"
		}
		before := strings.Trim(v[:m.start], " ,;")
		after := strings.Trim(v[m.end:], " ,;")
		if after != "" {
			switch key {
			case "date, time and place", "date, time, and place", "date and time", "date & time", "dateline", "date", "дата":
				doc.record.Time = collapse(after)
			case "date and place":
				doc.record.Place = collapse(after)
			}
		}
		if before != "" && !isWeekday(before) && key == "dateline" {
			doc.record.Place = collapse(before)
		}
		if rest := vals[i+1:]; len(rest) > 0 && key != "date and time" && key != "date & time" {
			doc.record.Place = collapse(strings.Join(rest, " "))
		}
		return
	}
}

// memoParticipants reads the entries of a PARTICIPANTS field: one per
// line, or separated by semicolons when the field is one line. An entry
// is "Name, role", "Title Name of Country" ("President Marek Aldana of
// Fictionland"), "Title Name", a declaration with a label ("Henrik
// Kessel (K)"), or a role written as the record's label ("The President").
func memoParticipants(vals []string) []Participant {
	items := vals
	if len(vals) == 1 {
		items = strings.Split(vals[0], ";")
	}
	var out []Participant
	ids := map[string]bool{}
	for _, item := range items {
		p, ok := memoParticipant(collapse(item))
		if !ok || ids[p.ID] {
			continue
		}
		ids[p.ID] = true
		out = append(out, p)
	}
	return out
}

// memoParticipant reads one PARTICIPANTS entry (see memoParticipants).
func memoParticipant(item string) (Participant, bool) {
	item = strings.TrimRight(item, " .,;")
	if item == "" || strings.HasSuffix(item, ":") || strings.HasSuffix(strings.ToLower(item), " side") {
		return Participant{}, false // "U.S. Side", "Fictionland:": a group's heading
	}
	var p Participant
	if m := declTail().FindStringSubmatch(item); m != nil {
		item, p.Labels = strings.TrimSpace(m[1]), []string{m[2]}
	}
	name, role, hasRole := strings.Cut(item, ",")
	name, role = strings.TrimSpace(name), strings.TrimSpace(role)
	if isPrincipalLabel(name) {
		// "The President": the record's principal, by the label the
		// record uses for them.
		p.Name = name
		if !slices.ContainsFunc(p.Labels, func(l string) bool { return strings.EqualFold(l, name) }) {
			p.Labels = append(p.Labels, name)
		}
	} else {
		title, rest := splitTitle(name)
		if title != "" && !hasRole {
			if n, of, ok := strings.Cut(rest, " of "); ok && n != "" {
				rest, role = n, title+" of "+of
			} else {
				role = title
			}
		} else if title != "" && role == "" {
			role = title
		}
		p.Name, p.Role = rest, role
	}
	p.ID = idFromName(p.Name)
	if p.ID == "" || !hasLetterOrDigit(p.Name) {
		return Participant{}, false
	}
	return p, true
}

// declTail is an entry that ends with a label in parentheses: "Henrik
// Kessel (K)".
var declTail = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(.*\pL.*?)[ \t]*\(([\pL\pN][\pL\pN.]{0,11})\)$`)
})

// titles are the words before a name that say what the person is:
// "President Marek Aldana", "Secretary of State Henrik Kessel". Longer
// titles come before the shorter ones they start with.
var titles = []string{
	"first deputy prime minister", "deputy prime minister", "prime minister",
	"vice president", "president-elect", "president",
	"secretary of state", "secretary of defense", "secretary of the treasury", "secretary general", "secretary-general",
	"deputy secretary", "under secretary", "assistant secretary", "general secretary", "secretary",
	"deputy foreign minister", "foreign minister", "deputy minister", "minister",
	"chancellor", "premier", "chairman", "ambassador", "general", "admiral", "senator", "governor",
	"king", "queen", "crown prince", "prince", "emir", "sultan", "sheikh",
	"mr.", "mrs.", "ms.", "dr.", "mr", "mrs", "ms", "dr",
}

// splitTitle splits a leading title off a name: "President Marek Aldana"
// gives "President", "Marek Aldana". A name without one gives "", name.
func splitTitle(name string) (title, rest string) {
	lower := strings.ToLower(name)
	for _, t := range titles {
		if strings.HasPrefix(lower, t+" ") {
			rest = strings.TrimSpace(name[len(t):])
			if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsUpper(r) {
				continue // "President of ...": a role, not a title before a name
			}
			return name[:len(t)], rest
		}
	}
	return "", name
}

// splitList splits field values into items: one per line, or separated by
// semicolons.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, it := range strings.Split(v, ";") {
			if it = collapse(it); it != "" {
				out = append(out, it)
			}
		}
	}
	return out
}

// dateMatch is a date found in text: YYYY-MM-DD, and where it is.
type dateMatch struct {
	date       string
	start, end int
}

var (
	monthNames = map[string]int{
		"january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
		"august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
		"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
		"oct": 10, "nov": 11, "dec": 12,
		"января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
		"августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
	}
	// dateRes find "2019-07-25", "July 25, 2019" and "25 July 2019" (and
	// the Russian "25 июля 2019 г.").
	dateRes = sync.OnceValue(func() []*regexp.Regexp {
		return []*regexp.Regexp{
			regexp.MustCompile(`\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b`),
			regexp.MustCompile(`\b(\pL+)\.?[ \t]+([0-9]{1,2}),?[ \t]+([0-9]{4})\b`),
			regexp.MustCompile(`\b([0-9]{1,2})[ \t]+(\pL+)\.?,?[ \t]+([0-9]{4})(?:[ \t]*(?:г\.|года))?`),
		}
	})
)

// dateIn returns the first date written in s, or nil.
func dateIn(s string) *dateMatch {
	if !hasYear(s) {
		return nil // most lines: no need to run the expressions
	}
	var best *dateMatch
	for k, re := range dateRes() {
		for _, m := range re.FindAllStringSubmatchIndex(s, 4) {
			g := func(i int) string { return s[m[2*i]:m[2*i+1]] }
			var y, mo, d int
			switch k {
			case 0:
				y, mo, d = atoi(g(1)), atoi(g(2)), atoi(g(3))
			case 1:
				mo, d, y = monthNames[strings.ToLower(g(1))], atoi(g(2)), atoi(g(3))
			case 2:
				d, mo, y = atoi(g(1)), monthNames[strings.ToLower(g(2))], atoi(g(3))
			}
			date := fmt.Sprintf("%04d-%02d-%02d", y, mo, d)
			if mo == 0 || !validDate(date) {
				continue
			}
			if best == nil || m[0] < best.start {
				best = &dateMatch{date: date, start: m[0], end: m[1]}
			}
			break
		}
	}
	return best
}

// hasYear reports whether s holds four digits in a row, as every date
// dateIn reads does.
func hasYear(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run == 4 {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

func isWeekday(s string) bool {
	switch strings.ToLower(strings.Trim(s, " ,.")) {
	case "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
		"понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье":
		return true
	}
	return false
}

// memoParagraph adds one paragraph of a record (a plain-text memorandum or
// TEI) whose first line split as m (nil when it has no label): a turn when
// turn is true, a direction when it is bracketed or an editor's note, an
// omission when it only marks words left out, otherwise a continuation of
// the open turn; orphan is the error when no turn is open. The paragraph's
// portion mark becomes its line's marking; a continuation marked
// otherwise than its turn starts a line of its own, by the same speaker.
func (b *body) memoParagraph(p memoPara, m []string, turn bool, orphan string) {
	switch {
	case omissionRE.MatchString(p.text):
		if b.gap {
			b.warnf(p.line, "two omission markers in a row: one is enough")
		}
		b.gap, b.open = true, false
	case turn:
		rest := strings.TrimLeft(p.text[strings.IndexByte(p.text, ':')+1:], " \t\n")
		b.add(Line{Kind: Turn, Speaker: b.recordSpeaker(m[1], p.line), Text: rest, Time: -1, SourceLine: p.line, Marking: p.marking})
		b.open = true
	case isDirection(p.text) || m != nil && isEditorial(m[1], b.sp):
		// "[pause]", "[Omitted here ...]", or an editor's "Note: ...".
		b.add(Line{Kind: Direction, Text: p.text, Time: -1, SourceLine: p.line, Marking: p.marking})
		b.open = false
	case !b.open:
		b.errorf(p.line, "%s", orphan)
	default:
		last := &b.lines[len(b.lines)-1]
		if p.marking != "" && p.marking != last.Marking {
			b.add(Line{Kind: Turn, Speaker: last.Speaker, Text: p.text, Time: -1, SourceLine: p.line, Marking: p.marking})
			return
		}
		last.Text += "\n\n" + p.text
	}
}

// recordSpeaker returns the participant a label names in a record. A
// speaker is never guessed: when participants are listed (by the record
// or its sidecar), a label that names none of them, or several, is an
// error that says which lines of the sidecar would settle it; a role
// label such as "The President" is the record's own principal (see
// speakers.role). Without a list, a label is a speaker of its own.
func (b *body) recordSpeaker(label string, line int) string {
	label = strings.Join(strings.Fields(label), " ")
	if !hasLetterOrDigit(label) && len(b.sp.lookup(label)) == 0 {
		return "" // "...: text": the record does not know who spoke
	}
	if m := b.sp.lookup(label); len(m) == 1 {
		return b.sp.list[m[0]].ID
	}
	cands, role := b.sp.roleCandidates(label)
	if !role {
		cands = b.sp.byName(label)
	}
	// Without a list of participants, a label is a speaker of its own; in
	// TEI (b.listed false), only a role label must name a listed one.
	strict := b.listed || role && len(b.sp.list) > 0
	if !strict {
		id, _ := b.sp.code(label)
		return id
	}
	if !b.unsettledSeen[label] { // once, at its first line
		if b.unsettledSeen == nil {
			b.unsettledSeen = map[string]bool{}
		}
		b.unsettledSeen[label] = true
		b.errorf(line, "%s", b.unsettled(label, cands, role))
	}
	return ""
}

// unsettled says why label names no one participant, and what in the
// sidecar would settle it.
func (b *body) unsettled(label string, cands []int, role bool) string {
	var sb strings.Builder
	switch {
	case len(cands) > 1:
		fmt.Fprintf(&sb, "speaker %q could be %s: the record does not say which.", label, b.sp.describe(cands, " or "))
	case role:
		fmt.Fprintf(&sb, "speaker %q names none of the participants (%s): in a record it means the record's own principal, who is not listed.",
			label, b.sp.describe(allIndexes(len(b.sp.list)), ", "))
	default:
		fmt.Fprintf(&sb, "speaker %q names none of the participants (%s).", label, b.sp.describe(allIndexes(len(b.sp.list)), ", "))
	}
	fmt.Fprintf(&sb, " Settle it in %s, giving the label to the one who speaks here:\n    participants:\n", b.settleIn)
	named := false
	for i, p := range b.sp.list {
		fmt.Fprintf(&sb, "      - name: %s\n", p.Name)
		if slices.Contains(cands, i) && !named {
			fmt.Fprintf(&sb, "        labels: [%q]   # if %s is the one who speaks\n", label, p.Name)
			named = len(cands) == 1
		}
	}
	if len(cands) == 0 {
		fmt.Fprintf(&sb, "      - name: Full Name of the speaker\n        labels: [%q]\n", label)
	}
	return strings.TrimRight(sb.String(), "\n")
}

func allIndexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

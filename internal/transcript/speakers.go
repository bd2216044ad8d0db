package transcript

import (
	"fmt"
	"slices"
	"strings"
)

// speakers is the cast of one call while its body is read: the header's
// participants, then speakers declared in the body.
type speakers struct {
	list []Participant
}

func newSpeakers(ps []Participant) *speakers {
	s := &speakers{list: make([]Participant, len(ps))}
	for i, p := range ps {
		p.Labels = append([]string(nil), p.Labels...)
		s.list[i] = p
	}
	return s
}

// byLabel returns the index of the participant with label l, or -1.
func (s *speakers) byLabel(l string) int {
	for i, p := range s.list {
		if contains(p.Labels, l) {
			return i
		}
	}
	return -1
}

// byName returns the indexes of the participants whose full name, or else
// whose surname, equals name, ignoring case and repeated spaces.
func (s *speakers) byName(name string) []int {
	key := normName(name)
	if key == "" {
		return nil
	}
	var full, sur []int
	for i, p := range s.list {
		switch {
		case normName(p.Name) == key:
			full = append(full, i)
		case strings.ToLower(p.Surname()) == key:
			sur = append(sur, i)
		}
	}
	if len(full) > 0 {
		return full
	}
	return sur
}

// lookup resolves a prefix written before a colon: a label (exact), a
// full name or a surname (any case), or else a role ("The President" for
// the one participant whose role is President). It returns every match by
// label or name; a role resolves only when one participant has it, and the
// prefix then becomes one of that participant's labels.
func (s *speakers) lookup(prefix string) []int {
	if i := s.byLabel(prefix); i >= 0 {
		return []int{i}
	}
	if m := s.byName(prefix); len(m) > 0 {
		return m
	}
	if i := s.byRole(prefix); i >= 0 {
		l := strings.Join(strings.Fields(prefix), " ")
		if !slices.ContainsFunc(s.list[i].Labels, func(x string) bool { return strings.EqualFold(x, l) }) {
			s.list[i].Labels = append(s.list[i].Labels, l)
		}
		return []int{i}
	}
	return nil
}

// byRole returns the one participant that a role-style label such as "The
// President", "The Vice President" or "The Secretary" names, or -1 when no
// participant or several do. A participant is named when a part of its
// role (the role split at commas and semicolons), or after "The" the start
// of its name ("President Alder"), is the label without "The", followed by
// nothing or by more words: "Secretary of Labor" is a Secretary, "Vice President" is
// no President, and neither is "Counsellor to the President".
func (s *speakers) byRole(label string) int {
	key, the := strings.CutPrefix(normName(label), "the ")
	if key == "" || !hasLetterOrDigit(key) {
		return -1
	}
	is := func(text string) bool {
		text = normName(text)
		return text == key || strings.HasPrefix(text, key+" ")
	}
	found := -1
	for i, p := range s.list {
		// A name starts with a title only after "The": "Ana" is not Ana Lima.
		match := the && is(p.Name) && normName(p.Name) != key
		for _, part := range strings.FieldsFunc(p.Role, func(r rune) bool { return r == ',' || r == ';' }) {
			match = match || is(part)
		}
		if !match {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = i
	}
	return found
}

// declare handles `Full Name (XX):`. The label joins the participant of
// that name (full name, or a unique surname) or a new participant whose id
// is made from the name. It fails when the label already belongs to
// someone else or the name is ambiguous.
func (s *speakers) declare(name, label string) (int, error) {
	name = strings.Join(strings.Fields(name), " ")
	owner := s.byLabel(label)
	idx := -1
	switch m := s.byName(name); len(m) {
	case 0:
	case 1:
		idx = m[0]
	default:
		return -1, fmt.Errorf("%q matches several participants (%s): use the full name", name, s.names(m))
	}
	if owner >= 0 && owner != idx {
		return -1, fmt.Errorf("label %q already belongs to %s: give %s another label", label, s.list[owner].Name, name)
	}
	if idx >= 0 {
		if !contains(s.list[idx].Labels, label) {
			s.list[idx].Labels = append(s.list[idx].Labels, label)
		}
		return idx, nil
	}
	id := idFromName(name)
	for _, p := range s.list {
		if p.ID == id {
			return -1, fmt.Errorf("%q would get the id %q, which %s already has: add the speaker to the header's participants with another id", name, id, p.Name)
		}
	}
	if id == "" {
		return -1, fmt.Errorf("%q is not a name", name)
	}
	s.list = append(s.list, Participant{ID: id, Name: name, Labels: []string{label}})
	return len(s.list) - 1, nil
}

func (s *speakers) names(idx []int) string {
	n := make([]string, len(idx))
	for i, j := range idx {
		n[i] = s.list[j].Name
	}
	return strings.Join(n, ", ")
}

func normName(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// code returns the participant a speaker code or name written in a file
// stands for (a label, full name or surname), adding a participant named
// after the code when none matches. known is false for such a new one.
func (s *speakers) code(code string) (id string, known bool) {
	code = strings.Join(strings.Fields(code), " ")
	// When several participants match (a shared surname), the code
	// becomes a speaker of its own rather than a guess.
	if m := s.lookup(code); len(m) == 1 {
		return s.list[m[0]].ID, true
	}
	id = idFromName(code)
	if id == "" {
		id = "speaker"
	}
	base := id
	for n := 2; s.hasID(id); n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	p := Participant{ID: id, Name: code}
	if labelRE.MatchString(code) {
		p.Labels = []string{code}
	}
	s.list = append(s.list, p)
	return id, false
}

func (s *speakers) hasID(id string) bool {
	for _, p := range s.list {
		if p.ID == id {
			return true
		}
	}
	return false
}

package transcript

import (
	"fmt"
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
// full name or a surname (any case). It returns every match.
func (s *speakers) lookup(prefix string) []int {
	if i := s.byLabel(prefix); i >= 0 {
		return []int{i}
	}
	return s.byName(prefix)
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

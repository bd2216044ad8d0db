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

// lookup resolves a prefix written before a colon: a label (exact, or
// any case for a label of several words such as "The President"), a full
// name or a surname (any case), a title and a name ("President Aldana"),
// or else a role ("The President", see role). It returns every match by
// label or name; a role resolves only to one participant, and the prefix
// then becomes one of that participant's labels.
func (s *speakers) lookup(prefix string) []int {
	if i := s.byLabel(prefix); i >= 0 {
		return []int{i}
	}
	if strings.Contains(prefix, " ") {
		for i, p := range s.list {
			if slices.ContainsFunc(p.Labels, func(l string) bool { return normName(l) == normName(prefix) }) {
				return []int{i}
			}
		}
	}
	if m := s.byName(prefix); len(m) > 0 {
		return m
	}
	if title, rest := splitTitle(strings.Join(strings.Fields(prefix), " ")); title != "" {
		if m := s.byName(rest); len(m) == 1 {
			return m
		}
	}
	if i := s.role(prefix); i >= 0 {
		l := strings.Join(strings.Fields(prefix), " ")
		if !slices.ContainsFunc(s.list[i].Labels, func(x string) bool { return strings.EqualFold(x, l) }) {
			s.list[i].Labels = append(s.list[i].Labels, l)
		}
		return []int{i}
	}
	return nil
}

// principalLabels are the role labels by which a record names its own
// principal: in a US memorandum "The President" is the US president, even
// when the foreign head of state is the only participant whose role says
// President.
var principalLabels = []string{"the president", "the secretary", "the prime minister"}

// isPrincipalLabel reports whether label is one of principalLabels.
func isPrincipalLabel(label string) bool { return slices.Contains(principalLabels, normName(label)) }

// role returns the one participant a role label such as "The President"
// or "The Vice President" names, or -1 (see roleCandidates).
func (s *speakers) role(label string) int {
	if c, ok := s.roleCandidates(label); ok && len(c) == 1 {
		return c[0]
	}
	return -1
}

// roleCandidates returns the participants a role label ("The" and a
// title) could name; isRole is false for any other label.
//
// A participant is a candidate when a part of its role (split at commas
// and semicolons) is the title followed by nothing or by more words
// ("Secretary of Labor" is a Secretary, "Vice President" is no
// President, and neither is "Counsellor to the President"), or when its
// name starts with the title ("President Alder"). For the labels by which
// a record names its principal (principalLabels), a role with more words
// is another's: "President of Fictionland" is not "The President" of the
// record, whose role is President alone.
func (s *speakers) roleCandidates(label string) (cands []int, isRole bool) {
	key, the := strings.CutPrefix(normName(label), "the ")
	if !the || key == "" || !hasLetterOrDigit(key) {
		return nil, false
	}
	principal := isPrincipalLabel(label)
	is := func(text string) bool {
		text = normName(text)
		return text == key || !principal && strings.HasPrefix(text, key+" ")
	}
	for i, p := range s.list {
		match := is(p.Name) && normName(p.Name) != key || strings.HasPrefix(normName(p.Name), key+" ")
		for _, part := range strings.FieldsFunc(p.Role, func(r rune) bool { return r == ',' || r == ';' }) {
			match = match || is(part)
		}
		if match {
			cands = append(cands, i)
		}
	}
	return cands, true
}

// describe names the participants idx, with their roles, joined by sep.
func (s *speakers) describe(idx []int, sep string) string {
	n := make([]string, len(idx))
	for i, j := range idx {
		n[i] = s.list[j].Name
		if r := s.list[j].Role; r != "" {
			n[i] += " (" + r + ")"
		}
	}
	if len(n) == 0 {
		return "none"
	}
	return strings.Join(n, sep)
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

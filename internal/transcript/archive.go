package transcript

import (
	"slices"
	"sort"
	"strings"
)

// Archive is every call read from a transcripts folder.
type Archive struct {
	Dir   string
	Calls []*Call // sorted by date, then slug
	// Hash is a digest over every file's SHA256 and slug: it changes when
	// any transcript's content changes, or a file is added or removed.
	Hash string

	// store is set for an archive read from a Catalog, whose calls have
	// no lines in memory (see lines.go).
	store *callStore
}

// Call returns the call with the given slug.
func (a *Archive) Call(slug string) (*Call, bool) {
	for _, c := range a.Calls {
		if c.Slug == slug {
			return c, true
		}
	}
	return nil, false
}

// Speaker is a participant as seen across the whole archive.
type Speaker struct {
	Participant
	Calls []string // slugs of the calls the speaker takes part in, in archive order
	Lines int      // number of turns spoken across the archive
}

// Speakers lists every participant across calls, merged by ID, sorted by name.
// The first call that names a participant supplies its name and role.
func (a *Archive) Speakers() []Speaker {
	byID := map[string]*Speaker{}
	var order []string
	for _, c := range a.Calls {
		for _, p := range c.Participants {
			s, ok := byID[p.ID]
			if !ok {
				// Merging appends to the lists: they must not be the call's.
				p.Labels, p.Aliases = slices.Clone(p.Labels), slices.Clone(p.Aliases)
				s = &Speaker{Participant: p}
				byID[p.ID] = s
				order = append(order, p.ID)
			} else {
				s.Labels = mergeLabels(s.Labels, p.Labels)
				s.Aliases = mergeLabels(s.Aliases, p.Aliases)
				if s.Role == "" {
					s.Role = p.Role
				}
			}
			s.Calls = append(s.Calls, c.Slug)
		}
		if st := a.stored(c); st != nil {
			for id, n := range st.turns {
				if s, ok := byID[id]; ok {
					s.Lines += n
				}
			}
			continue
		}
		for _, l := range c.Lines {
			if s, ok := byID[l.Speaker]; ok && l.Kind == Turn {
				s.Lines++
			}
		}
	}
	out := make([]Speaker, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	sort.SliceStable(out, func(i, j int) bool {
		return strings.ToLower(out[i].Name) < strings.ToLower(out[j].Name)
	})
	return out
}

// Speaker returns the archive-wide speaker with the given ID.
func (a *Archive) Speaker(id string) (Speaker, bool) {
	for _, s := range a.Speakers() {
		if s.ID == id {
			return s, true
		}
	}
	return Speaker{}, false
}

// ResolveSpeaker returns the IDs of every participant whose id, label, full
// name, surname or alias equals s, ignoring case and the transliteration
// variants SpellingKey writes one way. It returns nil when none does.
func (a *Archive) ResolveSpeaker(s string) []string {
	key := SpellingKey(s)
	if key == "" {
		return nil
	}
	var ids []string
	for _, sp := range a.Speakers() {
		for _, k := range sp.Keys() {
			if SpellingKey(k) == key {
				ids = append(ids, sp.ID)
				break
			}
		}
	}
	return ids
}

func mergeLabels(a, b []string) []string {
	for _, l := range b {
		found := false
		for _, m := range a {
			if m == l {
				found = true
				break
			}
		}
		if !found {
			a = append(a, l)
		}
	}
	return a
}

package transcript

import (
	"slices"
	"sort"
	"strings"
	"sync/atomic"
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

	// bySlug holds a map[string]int indexing Calls by slug, made on the
	// first Call; see Call. (An atomic.Value, not an atomic.Pointer, so
	// that an Archive can still be copied, as an incremental build's
	// tests do: a copy shares the index, which Call checks.)
	bySlug atomic.Value
	// names holds SpeakerNames' map once made.
	names atomic.Value
}

// SpeakerNames maps every participant ID in the archive to the first
// non-empty name a call gives it. It is made once per archive (a search
// answer names its hits' speakers, and walking every call's participants
// per request grew with the archive); callers must not change the map.
func (a *Archive) SpeakerNames() map[string]string {
	if m, ok := a.names.Load().(map[string]string); ok {
		return m
	}
	m := map[string]string{}
	for _, c := range a.Calls {
		for _, p := range c.Participants {
			if _, ok := m[p.ID]; !ok && p.Name != "" {
				m[p.ID] = p.Name
			}
		}
	}
	a.names.Store(m)
	return m
}

// Call returns the call with the given slug.
//
// A page or a search answer looks up every hit's call, and a scan of
// Calls cost O(calls) each (4,445 calls at 1M lines, 44k at 10M); the
// index by slug is made once. Calls is not meant to change once the
// archive is read, but if it did, an entry that no longer names its call
// is ignored and the slice scanned, so the answer stays right.
func (a *Archive) Call(slug string) (*Call, bool) {
	m, _ := a.bySlug.Load().(map[string]int)
	if m == nil {
		m = make(map[string]int, len(a.Calls))
		for i, c := range a.Calls {
			if _, dup := m[c.Slug]; !dup {
				m[c.Slug] = i
			}
		}
		a.bySlug.Store(m) // two first lookups at once build it twice: harmless
	}
	if i, ok := m[slug]; ok && i < len(a.Calls) && a.Calls[i].Slug == slug {
		return a.Calls[i], true
	}
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

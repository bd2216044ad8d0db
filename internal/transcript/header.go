package transcript

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// maxHeaderSize bounds the YAML header (or sidecar): metadata never needs
// more, and YAML decoding of huge documents is slow.
const maxHeaderSize = 1 << 20

var (
	// labelRE is a speaker label: a capital letter, then up to five capitals or digits.
	labelRE = regexp.MustCompile(`^[A-Z][A-Z0-9]{0,5}$`)
	dateRE  = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
	langRE  = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$`)
	// yamlLineRE finds the line number in yaml.v3's error messages.
	yamlLineRE = regexp.MustCompile(`^yaml: line ([0-9]+): `)
)

// header is the metadata of a call, from a .md file's front matter or a sidecar.
type header struct {
	Title        string
	Date         string
	Language     string
	Completeness Completeness
	Order        Order
	Source       Source
	Participants []Participant
	Summary      string
	Media        string
}

// apply copies the header into c.
func (h header) apply(c *Call) {
	c.Title, c.Date, c.Language = h.Title, h.Date, h.Language
	c.Completeness, c.Source, c.Summary, c.Media = h.Completeness, h.Source, h.Summary, h.Media
	c.Order = h.Order
	c.Participants = h.Participants
}

// headerKeys are the keys a header may have, in documentation order.
var headerKeys = []string{"title", "date", "language", "completeness", "order", "source", "participants", "summary", "media"}

var (
	sourceKeys      = []string{"publisher", "url", "published", "note"}
	participantKeys = []string{"id", "name", "role", "labels", "aliases"}
)

// headerDecoder collects problems while reading a YAML header; offset is
// added to yaml's 1-based line numbers to give lines in the file.
type headerDecoder struct {
	path   string
	offset int
	ps     Problems
}

func (d *headerDecoder) errorf(n *yaml.Node, format string, args ...any) {
	d.ps = append(d.ps, Problem{Path: d.path, Line: d.line(n), Severity: Error, Message: fmt.Sprintf(format, args...)})
}

func (d *headerDecoder) warnf(n *yaml.Node, format string, args ...any) {
	d.ps = append(d.ps, Problem{Path: d.path, Line: d.line(n), Severity: Warning, Message: fmt.Sprintf(format, args...)})
}

func (d *headerDecoder) line(n *yaml.Node) int {
	if n == nil || n.Line == 0 {
		return d.offset + 1
	}
	return d.offset + n.Line
}

// decodeHeader reads YAML metadata. text is the YAML; offset is the number of
// file lines before it; at is the line to name when a required key is
// missing (the header's opening line). It checks every key and reports every
// problem it finds.
func decodeHeader(path, text string, offset, at int) (header, Problems) {
	d := &headerDecoder{path: path, offset: offset}
	h := header{Language: "en"}
	if len(text) > maxHeaderSize {
		d.ps = append(d.ps, Problem{Path: path, Line: at, Severity: Error,
			Message: fmt.Sprintf("header is larger than %s: metadata never needs that much", humanSize(maxHeaderSize))})
		return h, d.ps
	}
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		d.ps = append(d.ps, d.yamlError(err))
		return h, d.ps
	}
	missing := func(key, example string) {
		d.ps = append(d.ps, Problem{Path: path, Line: at, Severity: Error,
			Message: fmt.Sprintf("header has no %s: add a line such as `%s: %s`", key, key, example)})
	}
	if doc.Kind == 0 || len(doc.Content) == 0 { // empty header
		missing("title", `"Call between Maria Keller and Tom Brandt"`)
		missing("date", "2025-10-14")
		return h, d.ps
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "header must be `key: value` lines (title, date, ...), not %s", kindName(root))
		return h, d.ps
	}
	seen := map[string]bool{}
	d.eachKey(root, headerKeys, "header", func(key string, k, v *yaml.Node) {
		seen[key] = true
		switch key {
		case "title":
			h.Title = strings.TrimSpace(d.str(key, v))
			if h.Title == "" {
				d.errorf(v, "title is empty: give the call a title")
			}
		case "date":
			h.Date = d.date(key, v)
		case "language":
			if s := strings.TrimSpace(d.str(key, v)); s != "" {
				if !langRE.MatchString(s) {
					d.errorf(v, "language %q is not a language tag: use e.g. en, ru or pt-BR", s)
				}
				h.Language = s
			}
		case "completeness":
			s := strings.ToLower(strings.TrimSpace(d.str(key, v)))
			switch Completeness(s) {
			case Excerpt, Complete, NotStated:
				h.Completeness = Completeness(s)
			default:
				d.errorf(v, "completeness %q must be excerpt or complete (or left out when not known)", s)
			}
		case "order":
			switch s := strings.ToLower(strings.TrimSpace(d.str(key, v))); Order(s) {
			case OrderUnknown, Spoken:
				h.Order = Order(s)
			default:
				d.errorf(v, "order %q: the only value is unknown, for lines whose order in the call is not known (leave order out when they are in the order spoken)", s)
			}
		case "source":
			h.Source = d.source(v)
		case "participants":
			h.Participants = d.participants(v)
		case "summary":
			h.Summary = d.str(key, v)
		case "media":
			h.Media = d.url(key, v)
		}
	})
	if !seen["title"] {
		missing("title", `"Call between Maria Keller and Tom Brandt"`)
	}
	if !seen["date"] {
		missing("date", "2025-10-14")
	}
	return h, d.ps
}

// yamlError turns a yaml.v3 error into a problem at its line.
func (d *headerDecoder) yamlError(err error) Problem {
	msg := err.Error()
	// yaml.v3 leaves the line out of errors on its first line.
	line := d.offset + 1
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		if n, err := strconv.Atoi(m[1]); err == nil {
			line = d.offset + n
		}
		msg = msg[len(m[0]):]
	} else {
		msg = strings.TrimPrefix(msg, "yaml: ")
	}
	hint := ""
	if strings.Contains(msg, "mapping values are not allowed") {
		hint = " (put a value that contains a colon in quotes)"
	}
	return Problem{Path: d.path, Line: line, Severity: Error, Message: "header is not valid YAML: " + msg + hint}
}

// eachKey calls f for every key of mapping m that is in known, and reports
// unknown and repeated keys.
func (d *headerDecoder) eachKey(m *yaml.Node, known []string, where string, f func(key string, k, v *yaml.Node)) {
	seen := map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := resolve(m.Content[i]), resolve(m.Content[i+1])
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s key must be a word, not %s", where, kindName(k))
			continue
		}
		key := k.Value
		if first, ok := seen[key]; ok {
			d.errorf(k, "%s key %q appears twice (first on line %d): keep one", where, key, first)
			continue
		}
		seen[key] = d.line(k)
		if !contains(known, key) {
			msg := fmt.Sprintf("unknown %s key %q (known: %s)", where, key, strings.Join(known, ", "))
			if s := closest(key, known); s != "" {
				msg = fmt.Sprintf("unknown %s key %q: did you mean %q?", where, key, s)
			}
			d.warnf(k, "%s", msg)
			continue
		}
		f(key, k, v)
	}
}

// str reads a scalar as text; null gives "".
func (d *headerDecoder) str(key string, v *yaml.Node) string {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, "%s must be text, not %s", key, kindName(v))
		return ""
	}
	if v.ShortTag() == "!!null" {
		return ""
	}
	return v.Value
}

// date reads a YYYY-MM-DD date; yaml's own timestamp decoding is bypassed
// by reading the scalar's text, so quoted and unquoted dates read alike.
func (d *headerDecoder) date(key string, v *yaml.Node) string {
	s := strings.TrimSpace(d.str(key, v))
	if s == "" {
		d.errorf(v, "%s is empty: write it as YYYY-MM-DD, e.g. 2025-10-14", key)
		return ""
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil || !dateRE.MatchString(s) {
		d.errorf(v, "%s %q is not a date: write it as YYYY-MM-DD, e.g. 2025-10-14", key, s)
		return ""
	}
	return s
}

// url reads an optional http or https URL.
func (d *headerDecoder) url(key string, v *yaml.Node) string {
	s := strings.TrimSpace(d.str(key, v))
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		d.errorf(v, "%s %q is not an http or https URL", key, s)
		return ""
	}
	return s
}

func (d *headerDecoder) source(v *yaml.Node) Source {
	var s Source
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return s
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, "source must be keys (publisher, url, published, note), not %s", kindName(v))
		return s
	}
	d.eachKey(v, sourceKeys, "source", func(key string, _, v *yaml.Node) {
		switch key {
		case "publisher":
			s.Publisher = strings.TrimSpace(d.str("source publisher", v))
		case "url":
			s.URL = d.url("source url", v)
		case "published":
			if strings.TrimSpace(d.str("source published", v)) != "" {
				s.Published = d.date("source published", v)
			}
		case "note":
			s.Note = d.str("source note", v)
		}
	})
	return s
}

func (d *headerDecoder) participants(v *yaml.Node) []Participant {
	if v.Kind == yaml.ScalarNode && v.ShortTag() == "!!null" {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, "participants must be a list (lines starting with `- id:`), not %s", kindName(v))
		return nil
	}
	var out []Participant
	ids := map[string]int{}    // id → line
	labels := map[string]int{} // label → index in out
	for _, item := range v.Content {
		item = resolve(item)
		if item.Kind != yaml.MappingNode {
			d.errorf(item, "each participant must have keys id, name, role, labels, aliases; not %s", kindName(item))
			continue
		}
		var p Participant
		d.eachKey(item, participantKeys, "participant", func(key string, _, v *yaml.Node) {
			switch key {
			case "id":
				p.ID = strings.TrimSpace(d.str("participant id", v))
				if p.ID != "" && !validID(p.ID) {
					d.errorf(v, "participant id %q must be lower-case letters, digits and hyphens, e.g. %q", p.ID, idFromName(p.ID))
				}
			case "name":
				p.Name = strings.Join(strings.Fields(d.str("participant name", v)), " ")
			case "role":
				p.Role = strings.TrimSpace(d.str("participant role", v))
			case "labels":
				p.Labels = d.labels(v)
			case "aliases":
				p.Aliases = d.aliases(v)
			}
		})
		if p.Name == "" {
			d.errorf(item, "participant has no name: add `name: Full Name`")
			continue
		}
		if p.ID == "" {
			p.ID = idFromName(p.Name)
		}
		if first, ok := ids[p.ID]; ok {
			d.errorf(item, "participant id %q is used twice (first on line %d): give each person one entry", p.ID, first)
			continue
		}
		ids[p.ID] = d.line(item)
		for _, l := range p.Labels {
			if j, ok := labels[l]; ok {
				d.errorf(item, "label %q is used by both %s and %s: give each person their own label", l, out[j].Name, p.Name)
				continue
			}
			labels[l] = len(out)
		}
		out = append(out, p)
	}
	return out
}

// labels reads `labels: [SW]`, a list, or a single label.
func (d *headerDecoder) labels(v *yaml.Node) []string {
	var items []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		if v.ShortTag() == "!!null" {
			return nil
		}
		items = []*yaml.Node{v}
	case yaml.SequenceNode:
		items = v.Content
	default:
		d.errorf(v, "labels must be a list such as [SW], not %s", kindName(v))
		return nil
	}
	var out []string
	for _, it := range items {
		it = resolve(it)
		l := strings.TrimSpace(d.str("label", it))
		if l == "" || len(l) > 40 || strings.ContainsAny(l, ":\n") {
			d.errorf(it, "label %q must be a short code without a colon, e.g. SW or CDR", l)
			continue
		}
		if !contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// aliases reads `aliases: [Zelensky, Zelenskiy]`, a list, or a single name.
func (d *headerDecoder) aliases(v *yaml.Node) []string {
	var items []*yaml.Node
	switch v.Kind {
	case yaml.ScalarNode:
		if v.ShortTag() == "!!null" {
			return nil
		}
		items = []*yaml.Node{v}
	case yaml.SequenceNode:
		items = v.Content
	default:
		d.errorf(v, "aliases must be a list of names such as [Zelensky, Zelenskiy], not %s", kindName(v))
		return nil
	}
	var out []string
	for _, it := range items {
		it = resolve(it)
		a := strings.Join(strings.Fields(d.str("alias", it)), " ")
		if a == "" || len(a) > 120 || !hasLetterOrDigit(a) {
			d.errorf(it, "alias %q must be a name, e.g. Zelensky", a)
			continue
		}
		if !contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// resolve follows an alias (`*name`) to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < 10; i++ {
		n = n.Alias
	}
	return n
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "keys and values"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "this"
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// closest returns the known word within edit distance 2 of s, if exactly
// one is nearest.
func closest(s string, known []string) string {
	type cand struct {
		word string
		dist int
	}
	var cs []cand
	for _, k := range known {
		if dd := editDistance(strings.ToLower(s), k); dd <= 2 {
			cs = append(cs, cand{k, dd})
		}
	}
	sort.Slice(cs, func(i, j int) bool { return cs[i].dist < cs[j].dist })
	if len(cs) == 0 || (len(cs) > 1 && cs[0].dist == cs[1].dist) {
		return ""
	}
	return cs[0].word
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// idFromName makes a participant id from a name: lower case, apostrophes
// and dots dropped, every other run of non-letters and non-digits a single
// hyphen ("Maria Keller" → "maria-keller", "Seán O'Neill" → "seán-oneill").
func idFromName(name string) string {
	var b strings.Builder
	hyphen := false
	for _, r := range name {
		switch {
		case r == '\'' || r == '’' || r == '.':
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if hyphen && b.Len() > 0 {
				b.WriteByte('-')
			}
			hyphen = false
			b.WriteRune(unicode.ToLower(r))
		default:
			hyphen = true
		}
	}
	return b.String()
}

// validID reports whether id is lower-case letters and digits separated by
// single hyphens.
func validID(id string) bool {
	return id != "" && idFromName(id) == id
}

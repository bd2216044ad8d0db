package transcript

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"time"
)

// teiPara is a <p> of a TEI document: its text (layout white space
// collapsed, footnotes left out) and, when it opens with
// <persName corresp="...">Name</persName>:, the speaker.
type teiPara struct {
	line    int
	text    string
	corresp string // the speaker's persName corresp, if marked up
	name    string // the speaker's persName text
}

// teiDoc is what parseXML reads from a TEI document.
type teiDoc struct {
	title        string
	date         string
	paras        []teiPara
	participants []Participant
	corresp      map[string]string // persName corresp → participant id
}

// parseXML reads a TEI document such as the State Department's FRUS
// conversation records: <p> paragraphs that open with a speaker, either
// marked up (<persName corresp="#p_NRM_1">Nixon</persName>: ...) or as
// text (The President: ...); unlabelled paragraphs continue the turn
// before; bracketed paragraphs are stage directions; a
// <list type="participants"> gives the participants and their roles.
// Without a sidecar, the title comes from <head> and the date from <date>.
func parseXML(in input) (*Call, Problems) {
	_, ps, ok := decodeText(in.path, in.data)
	if !ok || ps.HasErrors() {
		return nil, ps
	}
	doc, err := readTEI(in.data)
	if err != nil {
		var se *xml.SyntaxError
		p := Problem{Path: in.path, Line: 1, Severity: Error, Message: "not well-formed XML: " + err.Error()}
		if errors.As(err, &se) {
			p.Line, p.Message = se.Line, "not well-formed XML: "+se.Msg
		}
		return nil, append(ps, p)
	}
	// Without a sidecar, the title and date are the document's own.
	var fm fileMeta
	if doc.title != "" {
		fm.title, fm.titleFrom = doc.title, "the document's <head>"
	}
	if doc.date != "" {
		fm.date, fm.dateFrom = doc.date, "the document's <date>"
	}
	h, hps := metaFrom(in, fm)
	ps = append(ps, hps...)
	parts := h.Participants
	if len(parts) == 0 {
		parts = doc.participants
	}
	b := newBody(in.path, parts)
	b.declared = len(h.Participants)
	ids := map[string]string{} // corresp → id, for speakers marked up
	for _, p := range doc.paras {
		switch {
		case p.corresp != "" || p.name != "":
			id, ok := ids[p.corresp]
			if !ok || p.corresp == "" {
				if pid, ok := doc.corresp[p.corresp]; ok && len(h.Participants) == 0 {
					id = pid
				} else {
					id = b.speaker(p.name, p.line)
				}
				ids[p.corresp] = id
			}
			b.add(Line{Kind: Turn, Speaker: id, Text: p.text, Time: -1, SourceLine: p.line})
			b.open = true
			continue
		}
		mark, rest := portionMark(p.text)
		m := speakerSplit(firstLine(rest), 40, false)
		b.memoParagraph(memoPara{paragraph: paragraph{line: p.line, text: rest}, marking: mark}, m, m != nil && speakerLike(m[1], b.sp, nil),
			"paragraph has no speaker: it does not start with <persName>Name</persName>: or Name:, and no turn comes before it")
	}
	return b.call(h, ps, 1, "no paragraphs with speakers: expected TEI <p> elements that start with <persName>Name</persName>: or Name:")
}

// readTEI collects the paragraphs, head, date and participants list of a
// TEI document.
func readTEI(data []byte) (*teiDoc, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	doc := &teiDoc{corresp: map[string]string{}}
	var (
		stack []string // element names
		para  *teiPara
		buf   strings.Builder
		// inNote counts open <note> elements: footnotes are not spoken.
		inNote, inHead, inItem int
		head, item             strings.Builder
		itemPers, itemCorresp  string
		persCorresp            string
		persText               strings.Builder
		inPers                 bool
	)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			stack = append(stack, t.Name.Local)
			switch t.Name.Local {
			case "note":
				inNote++
			case "head":
				if len(doc.paras) == 0 && doc.title == "" && inItem == 0 {
					inHead++
				}
			case "date":
				if doc.date == "" {
					for _, a := range t.Attr {
						if (a.Name.Local == "when" || a.Name.Local == "from") && len(a.Value) >= 10 {
							if _, err := time.Parse(time.DateOnly, a.Value[:10]); err == nil {
								doc.date = a.Value[:10]
							}
						}
					}
				}
			case "item":
				inItem++
				item.Reset()
				itemPers, itemCorresp = "", ""
			case "persName":
				inPers = true
				persText.Reset()
				persCorresp = attr(t, "corresp")
			case "p":
				if para == nil && inNote == 0 {
					line, _ := dec.InputPos()
					para = &teiPara{line: line}
					buf.Reset()
				}
			}
		case xml.EndElement:
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
			switch t.Name.Local {
			case "note":
				inNote--
			case "head":
				if inHead > 0 {
					inHead = 0
					doc.title = collapse(head.String())
				}
			case "persName":
				inPers = false
				name := collapse(persText.String())
				if inItem > 0 && itemPers == "" {
					itemPers, itemCorresp = name, persCorresp
				}
				if para != nil && inNote == 0 && para.name == "" && strings.TrimSpace(buf.String()) == name {
					// The paragraph opens with this name: a speaker, if a
					// colon follows.
					para.name, para.corresp = name, persCorresp
				}
			case "item":
				inItem--
				if itemPers != "" {
					id := idFromName(itemPers)
					if _, dup := doc.corresp[itemCorresp]; id != "" && !dup {
						role := collapse(strings.Replace(collapse(item.String()), itemPers, "", 1))
						role = strings.Trim(strings.ReplaceAll(role, " ,", ","), " ,")
						doc.participants = append(doc.participants, Participant{ID: id, Name: itemPers, Role: role})
						if itemCorresp != "" {
							doc.corresp[itemCorresp] = id
						}
					}
				}
			case "p":
				if para != nil && inNote == 0 {
					text := collapse(buf.String())
					if para.name != "" {
						if rest, ok := strings.CutPrefix(text, para.name+":"); ok {
							text = strings.TrimSpace(rest)
						} else {
							para.name, para.corresp = "", ""
						}
					}
					if text != "" {
						para.text = text
						doc.paras = append(doc.paras, *para)
					}
					para = nil
				}
			}
		case xml.CharData:
			if inNote > 0 {
				continue
			}
			if inHead > 0 {
				head.Write(t)
			}
			if inItem > 0 {
				item.Write(t)
			}
			if inPers {
				persText.Write(t)
			}
			if para != nil {
				buf.Write(t)
			}
		}
	}
	return doc, nil
}

func attr(e xml.StartElement, name string) string {
	for _, a := range e.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// collapse turns XML layout white space (line breaks and indentation
// inside an element) into single spaces.
func collapse(s string) string { return strings.Join(strings.Fields(s), " ") }

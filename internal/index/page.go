package index

import (
	"context"
	"fmt"

	index "github.com/blevesearch/bleve_index_api"
)

// page is the second phase: for the page of ranked hits only, load the
// stored fields and highlight what marks match.
func (x *Index) page(ctx context.Context, sr *ranking, marks []mark) ([]Hit, error) {
	// Each hit's stored fields are read by its ID and its line
	// highlighted, the cores sharing the page (a search for the page's
	// IDs cost as much as the reading).
	hits := make([]Hit, len(sr.Hits))
	found := make([]bool, len(hits))
	err := parallel(ctx, len(hits), 4, func(i int) error {
		var err error
		found[i], err = x.load(&hits[i], sr.Hits[i])
		if found[i] {
			x.highlight(&hits[i], sr.Hits[i].ID, marks)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("search: load hits: %w", err)
	}
	out := hits[:0]
	for i, h := range hits {
		if found[i] { // a document deleted between the phases: cannot happen read-only
			out = append(out, h)
		}
	}
	return out, nil
}

// load fills h with the stored fields of the ranked hit rh.
func (x *Index) load(h *Hit, rh rankedHit) (bool, error) {
	d, err := x.reader.Document(rh.ID)
	if err != nil || d == nil {
		return false, err
	}
	*h = Hit{Score: rh.Score, Fragments: []string{}, Terms: []string{}}
	d.VisitFields(func(f index.Field) {
		switch f.Name() {
		case fieldSlug:
			h.Call = string(f.Value())
		case fieldN:
			h.Line = int(number(f))
		case fieldSpeaker:
			h.Speaker = string(f.Value())
		case fieldText:
			h.Text = string(f.Value())
		case fieldDate:
			h.Date = string(f.Value())
		case fieldLang:
			h.Language = string(f.Value())
		case fieldTime:
			h.Time = number(f)
		}
	})
	return true, nil
}

// number is the value of a stored numeric field.
func number(f index.Field) float64 {
	if nf, ok := f.(interface{ Number() (float64, error) }); ok {
		if v, err := nf.Number(); err == nil {
			return v
		}
	}
	return 0
}

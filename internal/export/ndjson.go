package export

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"backchannel/internal/annotate"
	"backchannel/internal/transcript"
)

// WriteNDJSON writes one line per call: the call's JSON object
// (src.Record), in archive order. It writes as it goes, so the caller sees
// a prefix of the export when it fails.
func WriteNDJSON(ctx context.Context, w io.Writer, src Source) error {
	if src.Record == nil {
		return errors.New("export ndjson: no record function")
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw) // Encode ends each value with "\n"
	err := src.Each(ctx, func(c *transcript.Call, ns *annotate.Notes) error {
		if err := enc.Encode(src.Record(c, ns)); err != nil {
			return fmt.Errorf("export ndjson: %s: %w", c.Slug, err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export ndjson: %w", err)
	}
	return nil
}

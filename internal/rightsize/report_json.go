package rightsize

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the suggestion as indented JSON, the schema of docs/rightsizing.md.
func (s *Suggestion) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("writing the suggestion as JSON: %w", err)
	}
	return nil
}

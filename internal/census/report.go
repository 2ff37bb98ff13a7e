package census

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"portrea/internal/export"
)

// ErrorReport writes the rows in error and the duplicates as CSV for
// French spreadsheets (UTF-8 with BOM, ";"): the line, what happened, the
// reasons, then the row's original cells, so that the person can fix the
// rows and import the report itself again. It returns nil when every row
// went through.
func (pl *Plan) ErrorReport() []byte {
	n := pl.Counts[ActionError] + pl.Counts[ActionDuplicate]
	if n == 0 {
		return nil
	}
	var buf bytes.Buffer
	buf.Write(utf8BOM)
	w := csv.NewWriter(&buf)
	w.Comma = ';'
	w.UseCRLF = true
	safe := func(cells []string) []string {
		out := make([]string, len(cells))
		for i, c := range cells {
			out[i] = export.SafeCell(c)
		}
		return out
	}
	w.Write(safe(append([]string{"Ligne du fichier", "Résultat", "Raisons"}, pl.File.Header...)))
	for _, rp := range pl.Rows {
		if rp.Action != ActionError && rp.Action != ActionDuplicate {
			continue
		}
		w.Write(safe(append([]string{fmt.Sprint(rp.Line), ActionLabels[rp.Action], strings.Join(rp.Messages, " ; ")}, pl.File.Row(rp.Index)...)))
	}
	w.Flush()
	return buf.Bytes()
}

// WriteText writes the per-row report for a terminal: one line per row
// that needs a look (errors, duplicates, notes), then the counts.
func (pl *Plan) WriteText(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "Fichier « %s » : %s, format %s.\n", pl.File.Name, pl.File.Describe(), FormatLabels[pl.Detected.Format])
	for _, rp := range pl.Rows {
		show := rp.Action == ActionError || rp.Action == ActionDuplicate || verbose
		if !show && len(rp.Notes) == 0 {
			continue
		}
		name := rp.Name
		if name == "" {
			name = "sans nom"
		}
		fmt.Fprintf(w, "ligne %d (%s) : %s", rp.Line, name, strings.ToLower(ActionLabels[rp.Action][:1])+ActionLabels[rp.Action][1:])
		if rp.TargetName != "" && rp.Action != ActionDuplicate {
			fmt.Fprintf(w, " « %s »", rp.TargetName)
		}
		for _, m := range rp.Messages {
			fmt.Fprintf(w, "\n    - %s", m)
		}
		for _, m := range rp.Notes {
			if m != "" {
				fmt.Fprintf(w, "\n    · %s", m)
			}
		}
		fmt.Fprintln(w)
	}
	if pl.Geocoded+pl.NotGeocoded > 0 {
		fmt.Fprintf(w, "Géocodage : %d adresses placées, %d sans position.\n", pl.Geocoded, pl.NotGeocoded)
	}
	fmt.Fprintln(w, pl.Summary()+".")
}

package census

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"sort"
	"strings"

	"portrea/internal/export"
	"portrea/internal/place"
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

// NoteCount is a remark and the number of rows it was made on.
type NoteCount struct {
	Note string
	Rows int
}

// CommonNotes gathers the remarks made on several rows (a legacy value
// mapped on every row, hours to review…), most frequent first, so that a
// person reads them once.
func (pl *Plan) CommonNotes(limit int) []NoteCount {
	counts := map[string]int{}
	for _, rp := range pl.Rows {
		for _, n := range rp.Notes {
			if n != "" && !strings.HasPrefix(n, "même ") {
				counts[n]++
			}
		}
	}
	var out []NoteCount
	for n, c := range counts {
		if c > 1 {
			out = append(out, NoteCount{n, c})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Rows != out[j].Rows {
			return out[i].Rows > out[j].Rows
		}
		return out[i].Note < out[j].Note
	})
	if len(out) > limit {
		out = out[:limit]
	}
	return out
}

// WriteText writes the report for a terminal: the rows in error or in
// duplicate with their reasons, the updates, the remarks (gathered when
// they repeat), then the counts. verbose writes every row.
func (pl *Plan) WriteText(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "Fichier « %s » : %s, format %s.\n", pl.File.Name, pl.File.Describe(), FormatLabels[pl.Detected.Format])
	common := map[string]bool{}
	notes := pl.CommonNotes(20)
	if !verbose {
		for _, n := range notes {
			common[n.Note] = true
		}
	}
	for _, rp := range pl.Rows {
		var own []string
		for _, n := range rp.Notes {
			if n != "" && !common[n] && !strings.HasPrefix(n, "même ") {
				own = append(own, n)
			}
		}
		show := verbose || rp.Action == ActionError || rp.Action == ActionDuplicate || rp.Action == ActionUpdate || len(own) > 0
		if !show {
			continue
		}
		name := rp.Name
		if name == "" {
			name = "sans nom"
		}
		label := ActionLabels[rp.Action]
		fmt.Fprintf(w, "ligne %d (%s) : %s", rp.Line, name, strings.ToLower(label[:1])+label[1:])
		if rp.TargetName != "" && rp.Action != ActionDuplicate {
			fmt.Fprintf(w, " « %s »", rp.TargetName)
		}
		for _, m := range rp.Messages {
			fmt.Fprintf(w, "\n    - %s", m)
		}
		for _, c := range rp.Changes {
			fmt.Fprintf(w, "\n    ~ %s : « %s » → « %s »", place.FieldLabel(c.Field), c.Old, c.New)
		}
		for _, m := range own {
			fmt.Fprintf(w, "\n    · %s", m)
		}
		fmt.Fprintln(w)
	}
	if !verbose && len(notes) > 0 {
		fmt.Fprintln(w, "Remarques fréquentes :")
		for _, n := range notes {
			fmt.Fprintf(w, "    · %s (%d lignes)\n", n.Note, n.Rows)
		}
	}
	if pl.Geocoded+pl.NotGeocoded > 0 {
		fmt.Fprintf(w, "Géocodage : %d adresses placées, %d sans position.\n", pl.Geocoded, pl.NotGeocoded)
	}
	fmt.Fprintln(w, pl.Summary()+".")
}

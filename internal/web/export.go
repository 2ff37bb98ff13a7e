package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"portrea/internal/place"
)

// exportFilter reads the optional ?epci= of the export URLs.
// It returns the EPCI code ("" for all) and the territory's name.
func (s *Server) exportFilter(r *http.Request) (string, string, error) {
	epci := strings.TrimSpace(r.URL.Query().Get("epci"))
	if epci == "" {
		return "", "France", nil
	}
	e, ok := s.ref.EPCI(epci)
	if !ok {
		return "", "", badRequest{fmt.Sprintf("epci : SIREN « %s » inconnu", epci)}
	}
	return epci, e.Nom, nil
}

// exportName follows the standard's recommended file name:
// YYYY-MM-DD_<producer>_lieux-de-mediation-numerique_<territory>.<ext>
func (s *Server) exportName(territoryName, ext string) string {
	var b strings.Builder
	for _, w := range place.SearchWords(territoryName) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return fmt.Sprintf("%s_portrea_lieux-de-mediation-numerique_%s.%s", s.now().In(place.Paris).Format("2006-01-02"), b.String(), ext)
}

// exportStandardCSV writes the national standard CSV: the 32 columns in
// schema order, UTF-8, comma-separated, every cell double-quoted as the
// national export does, "|" between list values.
func (s *Server) exportStandardCSV(w http.ResponseWriter, r *http.Request) {
	f, name, err := s.exportFilter(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName(name, "csv")+`"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	writeCSVRow(bw, place.Columns)
	err = s.st.EachPublicPlace(r.Context(), f, func(p *place.Place) error {
		writeCSVRow(bw, p.StandardRecord())
		return nil
	})
	if err != nil {
		// Headers are gone; the truncated file is the best signal left.
		s.log.Error("export csv", "err", err)
		return
	}
	bw.Flush()
}

func writeCSVRow(w *bufio.Writer, cells []string) {
	for i, c := range cells {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		w.WriteString(strings.ReplaceAll(c, `"`, `""`))
		w.WriteByte('"')
	}
	w.WriteString("\r\n")
}

// exportStandardJSON writes the same records as a JSON array of objects
// keyed by the standard's column names.
func (s *Server) exportStandardJSON(w http.ResponseWriter, r *http.Request) {
	f, name, err := s.exportFilter(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName(name, "json")+`"`)
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bw.WriteString("[\n")
	first := true
	err = s.st.EachPublicPlace(r.Context(), f, func(p *place.Place) error {
		if !first {
			bw.WriteString(",")
		}
		first = false
		return enc.Encode(p.StandardJSON())
	})
	if err != nil {
		s.log.Error("export json", "err", err)
		return
	}
	bw.WriteString("]\n")
	bw.Flush()
}

package web

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"portrea/internal/export"
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
	return export.FileName(export.Producer, territoryName, ext, s.now())
}

// exportWriter is one of the streaming writers of package export.
type exportWriter func(io.Writer, export.Places) (int, error)

// exportPublic streams the public places (active places, public fields),
// of one EPCI with ?epci=, to a downloadable file.
func (s *Server) exportPublic(w http.ResponseWriter, r *http.Request, contentType, ext string, write exportWriter) {
	epci, name, err := s.exportFilter(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName(name, ext)+`"`)
	out := &sentWriter{w: w}
	_, err = write(out, func(yield func(*place.Place) error) error {
		return s.st.EachPublicPlace(r.Context(), epci, yield)
	})
	if err == nil {
		return
	}
	if !out.sent {
		// Nothing left yet: a clean error instead of an empty file.
		w.Header().Del("Content-Disposition")
		s.apiError(w, r, err)
		return
	}
	// Headers are gone; the truncated file is the best signal left.
	s.log.Error("export", "path", r.URL.Path, "err", err)
}

// sentWriter records whether anything reached the response.
type sentWriter struct {
	w    io.Writer
	sent bool
}

func (s *sentWriter) Write(b []byte) (int, error) {
	s.sent = true
	return s.w.Write(b)
}

// exportStandardCSV writes the national standard CSV: the 32 columns in
// schema order, UTF-8, comma-separated, every cell double-quoted as the
// national export does, "|" between list values, formulas neutralised.
func (s *Server) exportStandardCSV(w http.ResponseWriter, r *http.Request) {
	s.exportPublic(w, r, "text/csv; charset=utf-8", "csv", export.StandardCSV)
}

// exportStandardJSON writes the same records as a JSON array of objects
// keyed by the standard's column names.
func (s *Server) exportStandardJSON(w http.ResponseWriter, r *http.Request) {
	s.exportPublic(w, r, "application/json; charset=utf-8", "json", export.StandardJSON)
}

// exportGeoJSON writes the same records with a position as a GeoJSON
// FeatureCollection, for GIS tools.
func (s *Server) exportGeoJSON(w http.ResponseWriter, r *http.Request) {
	s.exportPublic(w, r, "application/geo+json; charset=utf-8", "geojson", export.GeoJSON)
}

// exportDataInclusion writes the places as data·inclusion structures and
// services (schema v1.0.8).
func (s *Server) exportDataInclusion(w http.ResponseWriter, r *http.Request) {
	s.exportPublic(w, r, "application/json; charset=utf-8", "data-inclusion.json", func(w io.Writer, p export.Places) (int, error) {
		return export.DataInclusion(w, p, s.cfg.BaseURL)
	})
}

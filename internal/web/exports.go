package web

import (
	"bytes"
	"net/http"
	"net/url"

	"portrea/internal/account"
	"portrea/internal/census"
	"portrea/internal/place"
)

// exportLink is one download of the exports page.
type exportLink struct {
	Label, Format, URL string
}

// exportTerritory is a territory of the exports page and its downloads.
type exportTerritory struct {
	EPCI, Name string
	Public     []exportLink // open data, public fields of active places
	Workbook   string       // full census workbook, private fields included
}

type exportsView struct {
	layoutView
	Territories []exportTerritory
	France      []exportLink // the hub: every territory at once
}

// publicExportLinks are the open-data files of a territory ("" = all).
func publicExportLinks(epci string) []exportLink {
	q := ""
	if epci != "" {
		q = "?" + url.Values{"epci": {epci}}.Encode()
	}
	const base = "/api/v1/export/"
	return []exportLink{
		{"Standard national", "CSV", base + "lieux-de-mediation-numerique.csv" + q},
		{"Standard national", "JSON", base + "lieux-de-mediation-numerique.json" + q},
		{"Carte (SIG)", "GeoJSON", base + "lieux-de-mediation-numerique.geojson" + q},
		{"data·inclusion", "JSON", base + "data-inclusion.json" + q},
	}
}

// exportsPage lists, for each territory of the user, the files to download.
func (s *Server) exportsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := exportsView{layoutView: s.bo(sess, "Exports", "exports")}
	for _, c := range codes {
		v.Territories = append(v.Territories, exportTerritory{EPCI: c, Name: s.epciName(c), Public: publicExportLinks(c),
			Workbook: "/gestion/exports/" + url.PathEscape(c) + "/xlsx"})
	}
	if sess.User.Role == account.RoleHub {
		v.France = publicExportLinks("")
	}
	s.render(w, r, http.StatusOK, "bo_exports", v)
}

// exportWorkbook sends a territory's full census workbook: every place,
// whatever its status, with its private contacts, notes and complementary
// fields, in the layout of the census template so that it can be filled
// in and imported back. Only a user in charge of the territory gets it;
// for anyone else the territory does not exist (404).
func (s *Server) exportWorkbook(w http.ResponseWriter, r *http.Request, sess *session) {
	epci := r.PathValue("epci")
	e, known := s.ref.EPCI(epci)
	if !known || !sess.User.CanSee(epci) {
		s.render(w, r, http.StatusNotFound, "error", errorView{s.bo(sess, "Territoire introuvable", "exports"),
			"Ce territoire n'existe pas ou ne fait pas partie de vos territoires."})
		return
	}
	fields, err := s.st.ExtraFields(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var communes []string
	for _, c := range s.ref.CommunesOfEPCI(epci) {
		communes = append(communes, census.CommuneChoice(c.Nom, c.Code))
	}
	// The workbook is built in memory (a spreadsheet is a zip written at
	// the end), so a failure still gets a clean error page.
	var buf bytes.Buffer
	err = census.WriteWorkbook(&buf, census.Workbook{
		Territory: e.Nom,
		Columns:   census.Layout(fields, communes),
		Places: func(yield func(*place.Place) error) error {
			return s.st.EachPlaceOfTerritory(r.Context(), epci, yield)
		},
		Private:   true,
		Generated: s.now(),
	})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	// Private contacts leave the application: keep a trace.
	s.audit(r, sess.User.Email, "export du recensement complet", epci, e.Nom)
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName(e.Nom, "xlsx")+`"`)
	buf.WriteTo(w)
}

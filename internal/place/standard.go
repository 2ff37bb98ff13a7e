package place

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Columns are the 32 columns of the national standard v1.0.2, in schema order.
var Columns = []string{
	"id", "pivot", "nom", "commune", "code_postal", "code_insee", "adresse", "complement_adresse",
	"latitude", "longitude", "typologie", "telephone", "courriels", "site_web", "horaires",
	"presentation_resume", "presentation_detail", "source", "itinerance", "structure_parente", "date_maj",
	"services", "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
	"dispositif_programmes_nationaux", "formations_labels", "autres_formations_labels",
	"modalites_acces", "modalites_accompagnement", "fiche_acces_libre", "prise_rdv",
}

// Sep joins the values of list fields in the standard since v1.0.0.
const Sep = "|"

// StandardRecord renders the place as one row of the national standard, in
// Columns order. Only public fields appear: the standard has no column for
// private ones, and this is the only way records leave for files.
func (p *Place) StandardRecord() []string {
	pivot := p.Pivot
	if p.PivotMissing() {
		pivot = PivotPlaceholder
	}
	lat, lon := "", ""
	if p.HasCoords {
		lat = strconv.FormatFloat(p.Latitude, 'f', -1, 64)
		lon = strconv.FormatFloat(p.Longitude, 'f', -1, 64)
	}
	date := ""
	if !p.DateMaj.IsZero() {
		date = p.DateMaj.Format(time.DateOnly)
	}
	return []string{
		p.ID, pivot, p.Nom, p.Commune, p.CodePostal, p.CodeInsee, p.Adresse, p.ComplementAdresse,
		lat, lon, strings.Join(p.Typologies, Sep), p.Telephone, strings.Join(p.Courriels, Sep),
		strings.Join(p.SitesWeb, Sep), p.Horaires, p.Resume, p.Detail, p.Source,
		join(Itinerance, p.Itinerance), p.StructureParente, date,
		join(Services, p.Services), join(Publics, p.Publics), join(PriseEnCharge, p.PriseEnCharge),
		join(Frais, p.Frais), join(Dispositifs, p.Dispositifs), join(FormationsLabels, p.FormationsLabels),
		strings.Join(p.AutresLabels, Sep), join(ModalitesAcces, p.ModalitesAcces),
		join(ModalitesAccompagnement, p.ModalitesAccompagnement), p.FicheAccesLibre, p.PriseRdv,
	}
}

func join(v *Vocab, s Set) string { return strings.Join(v.ExportLabels(s), Sep) }

// StandardJSON renders the place as a JSON object of the standard's
// columns: numbers for coordinates, strings otherwise, empty fields left out.
func (p *Place) StandardJSON() map[string]any {
	rec := p.StandardRecord()
	out := make(map[string]any, len(Columns))
	for i, col := range Columns {
		if rec[i] == "" {
			continue
		}
		switch col {
		case "latitude":
			out[col] = p.Latitude
		case "longitude":
			out[col] = p.Longitude
		default:
			out[col] = rec[i]
		}
	}
	return out
}

// FromStandard reads one row of a standard file. get returns the cell of a
// column ("" when the column is absent). It returns the place and the
// problems of cells it could not read; values are not yet normalised or
// validated (call Normalize then Validate).
func FromStandard(get func(column string) string) (*Place, Errors) {
	var e Errors
	p := &Place{
		ID:                strings.TrimSpace(get("id")),
		Pivot:             get("pivot"),
		Nom:               get("nom"),
		Commune:           get("commune"),
		CodePostal:        get("code_postal"),
		CodeInsee:         get("code_insee"),
		Adresse:           get("adresse"),
		ComplementAdresse: get("complement_adresse"),
		Typologies:        splitList(get("typologie")),
		Telephone:         get("telephone"),
		Courriels:         splitList(get("courriels")),
		SitesWeb:          splitList(get("site_web")),
		Horaires:          get("horaires"),
		Resume:            get("presentation_resume"),
		Detail:            get("presentation_detail"),
		Source:            get("source"),
		StructureParente:  get("structure_parente"),
		AutresLabels:      splitList(get("autres_formations_labels")),
		FicheAccesLibre:   get("fiche_acces_libre"),
		PriseRdv:          get("prise_rdv"),
		Status:            StatusActive,
	}
	if p.Pivot == PivotPlaceholder {
		p.Pivot = ""
	}
	lat, lon := strings.TrimSpace(get("latitude")), strings.TrimSpace(get("longitude"))
	if lat != "" || lon != "" {
		la, err1 := parseCoord(lat)
		lo, err2 := parseCoord(lon)
		switch {
		case err1 != nil:
			e.add("latitude", "« %s » n'est pas un nombre", lat)
		case err2 != nil:
			e.add("longitude", "« %s » n'est pas un nombre", lon)
		default:
			p.Latitude, p.Longitude, p.HasCoords = la, lo, true
		}
	}
	if d := strings.TrimSpace(get("date_maj")); d != "" {
		t, err := ParseDate(d)
		if err != nil {
			e.add("date_maj", "%s", err)
		}
		p.DateMaj = t
	}
	for _, v := range SetVocabs {
		s, unknown := v.ParseList(splitList(get(v.Field)))
		*v.field(p) = s
		for _, u := range unknown {
			e.add(v.Field, "« %s » n'est pas une valeur de la liste officielle", u)
		}
	}
	return p, e
}

// splitList splits a multi-valued cell on "|", trimming the items.
func splitList(s string) []string {
	if strings.TrimSpace(s) == "" {
		return nil
	}
	var out []string
	for _, part := range strings.Split(s, Sep) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func parseCoord(s string) (float64, error) {
	// A decimal comma is common in French spreadsheets.
	return strconv.ParseFloat(strings.Replace(s, ",", ".", 1), 64)
}

// ParseDate reads a date as ISO (2024-04-02) or French (02/04/2024).
func ParseDate(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2/1/2006", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC), nil
		}
	}
	return time.Time{}, fmt.Errorf("date « %s » illisible (attendu AAAA-MM-JJ)", s)
}

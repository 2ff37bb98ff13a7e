package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portrea/internal/place"
	"portrea/internal/store"
)

// listFilter is a filter parameter of the public pages and API that takes
// official values of a vocabulary, comma-separated (labels or codes).
type listFilter struct {
	param string
	vocab *place.Vocab
	field func(*store.PlaceFilter) *place.Set
}

var listFilters = []listFilter{
	{"services", place.Services, func(f *store.PlaceFilter) *place.Set { return &f.Services }},
	{"publics", place.Publics, func(f *store.PlaceFilter) *place.Set { return &f.Publics }},
	{"prise_en_charge", place.PriseEnCharge, func(f *store.PlaceFilter) *place.Set { return &f.PriseEnCharge }},
	{"frais", place.Frais, func(f *store.PlaceFilter) *place.Set { return &f.Frais }},
	{"modalites_acces", place.ModalitesAcces, func(f *store.PlaceFilter) *place.Set { return &f.Acces }},
	{"modalites_accompagnement", place.ModalitesAccompagnement, func(f *store.PlaceFilter) *place.Set { return &f.Accomp }},
	{"dispositifs", place.Dispositifs, func(f *store.PlaceFilter) *place.Set { return &f.Dispositifs }},
}

// Saturday is the slot of "ouvert le samedi".
var saturday = store.Slot{Day: 5, From: 0, To: 1440}

// values splits a parameter given once comma-separated or repeated
// (?services=a,b or ?services=a&services=b, as HTML forms send).
func values(q url.Values, key string) []string {
	var out []string
	for _, v := range q[key] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// filterFromQuery reads the filters shared by the API and the public
// pages. Bad values give a French message naming the parameter.
func (s *Server) filterFromQuery(q url.Values) (store.PlaceFilter, error) {
	f := store.PlaceFilter{
		Q:           strings.TrimSpace(q.Get("q")),
		EPCI:        strings.TrimSpace(q.Get("epci")),
		Departement: strings.ToUpper(strings.TrimSpace(q.Get("departement"))),
		Communes:    values(q, "commune"),
	}
	for _, lf := range listFilters {
		set, unknown := lf.vocab.ParseList(values(q, lf.param))
		if len(unknown) > 0 {
			return f, badRequest{fmt.Sprintf("%s : « %s » n'est pas une valeur de la liste officielle « %s »", lf.param, unknown[0], lf.vocab.Title)}
		}
		*lf.field(&f) = set
	}
	for _, c := range f.Communes {
		if _, ok := s.ref.Commune(c); !ok {
			return f, badRequest{fmt.Sprintf("commune : code INSEE « %s » inconnu", c)}
		}
	}
	if f.EPCI != "" {
		if _, ok := s.ref.EPCI(f.EPCI); !ok {
			return f, badRequest{fmt.Sprintf("epci : SIREN « %s » inconnu", f.EPCI)}
		}
	}
	if f.Departement != "" {
		_, dep := s.ref.Departement(f.Departement)
		_, com := s.ref.Collectivite(f.Departement)
		if !dep && !com {
			return f, badRequest{fmt.Sprintf("departement : code « %s » inconnu", f.Departement)}
		}
	}
	if v := q.Get("bbox"); v != "" {
		n, ok := floats(v, 4)
		if !ok || n[0] > n[2] || n[1] > n[3] || n[1] < -90 || n[3] > 90 || n[0] < -180 || n[2] > 180 {
			return f, badRequest{"bbox : attendu minLon,minLat,maxLon,maxLat en degrés, par exemple -2.2,47.9,-1.8,48.1"}
		}
		f.BBox = &store.BBox{MinLon: n[0], MinLat: n[1], MaxLon: n[2], MaxLat: n[3]}
	}
	for _, v := range values(q, "ouvert") {
		switch v {
		case "maintenant":
			f.OpenAt = s.now()
		case "samedi":
			f.Slots = append(f.Slots, saturday)
		default:
			return f, badRequest{fmt.Sprintf("ouvert : « %s » non pris en charge (valeurs possibles : maintenant, samedi)", v)}
		}
	}
	switch q.Get("rdv") {
	case "", "0":
	case "1", "oui":
		f.Rdv = true
	default:
		return f, badRequest{"rdv : attendu 1 (prise de rendez-vous en ligne)"}
	}
	if v := q.Get("autour"); v != "" {
		n, ok := floats(v, 2)
		if !ok || n[0] < -90 || n[0] > 90 || n[1] < -180 || n[1] > 180 {
			return f, badRequest{"autour : attendu latitude,longitude, par exemple 48.0,-2.08"}
		}
		f.Near = &store.LatLon{Lat: n[0], Lon: n[1]}
		f.ByDistance = true
		if r := q.Get("rayon"); r != "" {
			km, err := strconv.ParseFloat(r, 64)
			if err != nil || km <= 0 || km > 500 {
				return f, badRequest{"rayon : distance en kilomètres entre 0 et 500 attendue"}
			}
			f.MaxKm = km
		}
	}
	return f, nil
}

// floats parses n comma-separated numbers.
func floats(s string, n int) ([]float64, bool) {
	parts := strings.Split(s, ",")
	if len(parts) != n {
		return nil, false
	}
	out := make([]float64, n)
	for i, p := range parts {
		x, err := strconv.ParseFloat(strings.TrimSpace(p), 64)
		if err != nil {
			return nil, false
		}
		out[i] = x
	}
	return out, true
}

// parseFilter reads the filters and the paging of an API request.
func (s *Server) parseFilter(r *http.Request, defLimit, maxLim int) (store.PlaceFilter, error) {
	q := r.URL.Query()
	f, err := s.filterFromQuery(q)
	if err != nil {
		return f, err
	}
	f.Limit = defLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > maxLim {
			return f, badRequest{fmt.Sprintf("limit : entier entre 0 et %d attendu", maxLim)}
		}
		f.Limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, badRequest{"offset : entier positif attendu"}
		}
		f.Offset = n
	}
	if v := q.Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return f, badRequest{"page : entier à partir de 1 attendu"}
		}
		f.Offset = (n - 1) * f.Limit
	}
	return f, nil
}

// choice is a checkbox of the filter form.
type choice struct {
	Param, Value, Label string
	Checked             bool
}

// choiceGroup is a fieldset of the filter form.
type choiceGroup struct {
	Title   string
	Choices []choice
}

// filterForm describes the filter form of the map, the embed and the
// orientation pages, with the boxes the query ticks.
type filterForm struct {
	Q         string
	Services  []choiceGroup // the 9 services, grouped by need as on the national map
	Others    []choiceGroup
	Practical choiceGroup // open now, open on Saturday, online booking
	EPCI      string
	Commune   string
	EPCIs     []option
	Active    int // number of boxes ticked, for the summary
}

type option struct {
	Value, Label string
	Selected     bool
}

func checked(q url.Values, param, value string, v *place.Vocab) bool {
	for _, x := range values(q, param) {
		if x == value {
			return true
		}
		if v != nil {
			if i, ok := v.Lookup(x); ok && v.Items[i].Code == value {
				return true
			}
		}
	}
	return false
}

func (s *Server) filterForm(q url.Values) filterForm {
	ff := filterForm{Q: q.Get("q"), EPCI: q.Get("epci"), Commune: q.Get("commune")}
	for _, g := range place.ServiceGroups {
		cg := choiceGroup{Title: g.Title}
		for _, code := range g.Services {
			i := place.Services.IndexOf(code)
			cg.Choices = append(cg.Choices, choice{"services", code, place.Services.Items[i].Label, checked(q, "services", code, place.Services)})
		}
		ff.Services = append(ff.Services, cg)
	}
	for _, lf := range listFilters[1:] {
		cg := choiceGroup{Title: lf.vocab.Title}
		for _, it := range lf.vocab.Items {
			if lf.vocab == place.ModalitesAcces && it.Code == "pas-de-public" {
				continue // not something a person looks for
			}
			cg.Choices = append(cg.Choices, choice{lf.param, it.Code, it.Label, checked(q, lf.param, it.Code, lf.vocab)})
		}
		ff.Others = append(ff.Others, cg)
	}
	ff.Practical = choiceGroup{Title: "Disponibilité", Choices: []choice{
		{"ouvert", "maintenant", "Ouvert maintenant", checked(q, "ouvert", "maintenant", nil)},
		{"ouvert", "samedi", "Ouvert le samedi", checked(q, "ouvert", "samedi", nil)},
		{"rdv", "1", "Prise de rendez-vous en ligne", q.Get("rdv") == "1"},
	}}
	for _, g := range append(append([]choiceGroup{ff.Practical}, ff.Services...), ff.Others...) {
		for _, c := range g.Choices {
			if c.Checked {
				ff.Active++
			}
		}
	}
	return ff
}

package web

import (
	_ "embed"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
)

// apiPlace is a place as the public API shows it: the public fields of the
// national standard (lists as arrays of labels) and the territory codes.
// It has no field for private data, so none can be serialised by mistake.
type apiPlace struct {
	ID                      string   `json:"id"`
	Nom                     string   `json:"nom"`
	Pivot                   string   `json:"pivot,omitempty"`
	Adresse                 string   `json:"adresse"`
	ComplementAdresse       string   `json:"complement_adresse,omitempty"`
	CodePostal              string   `json:"code_postal"`
	Commune                 string   `json:"commune"`
	CodeInsee               string   `json:"code_insee"`
	EPCI                    string   `json:"epci,omitempty"`
	Departement             string   `json:"departement,omitempty"`
	Region                  string   `json:"region,omitempty"`
	Latitude                *float64 `json:"latitude"`
	Longitude               *float64 `json:"longitude"`
	Typologie               []string `json:"typologie"`
	Telephone               string   `json:"telephone,omitempty"`
	Courriels               []string `json:"courriels"`
	SiteWeb                 []string `json:"site_web"`
	Horaires                string   `json:"horaires,omitempty"`
	PresentationResume      string   `json:"presentation_resume,omitempty"`
	PresentationDetail      string   `json:"presentation_detail,omitempty"`
	Source                  string   `json:"source,omitempty"`
	Itinerance              []string `json:"itinerance"`
	StructureParente        string   `json:"structure_parente,omitempty"`
	DateMaj                 string   `json:"date_maj"`
	Services                []string `json:"services"`
	Publics                 []string `json:"publics_specifiquement_adresses"`
	PriseEnCharge           []string `json:"prise_en_charge_specifique"`
	Frais                   []string `json:"frais_a_charge"`
	Dispositifs             []string `json:"dispositif_programmes_nationaux"`
	FormationsLabels        []string `json:"formations_labels"`
	AutresFormationsLabels  []string `json:"autres_formations_labels"`
	ModalitesAcces          []string `json:"modalites_acces"`
	ModalitesAccompagnement []string `json:"modalites_accompagnement"`
	FicheAccesLibre         string   `json:"fiche_acces_libre,omitempty"`
	PriseRdv                string   `json:"prise_rdv,omitempty"`
	URL                     string   `json:"url"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) toAPI(p *place.Place) apiPlace {
	a := apiPlace{
		ID: p.ID, Nom: p.Nom, Adresse: p.Adresse, ComplementAdresse: p.ComplementAdresse,
		CodePostal: p.CodePostal, Commune: p.Commune, CodeInsee: p.CodeInsee,
		EPCI: p.EPCI, Departement: p.Departement, Region: p.Region,
		Typologie: nonNil(p.Typologies), Telephone: p.Telephone, Courriels: nonNil(p.Courriels),
		SiteWeb: nonNil(p.SitesWeb), Horaires: p.Horaires, PresentationResume: p.Resume,
		PresentationDetail: p.Detail, Source: p.Source, StructureParente: p.StructureParente,
		DateMaj:                 p.DateMaj.Format(time.DateOnly),
		Itinerance:              nonNil(place.Itinerance.Labels(p.Itinerance)),
		Services:                nonNil(place.Services.Labels(p.Services)),
		Publics:                 nonNil(place.Publics.Labels(p.Publics)),
		PriseEnCharge:           nonNil(place.PriseEnCharge.Labels(p.PriseEnCharge)),
		Frais:                   nonNil(place.Frais.Labels(p.Frais)),
		Dispositifs:             nonNil(place.Dispositifs.Labels(p.Dispositifs)),
		FormationsLabels:        nonNil(place.FormationsLabels.Labels(p.FormationsLabels)),
		AutresFormationsLabels:  nonNil(p.AutresLabels),
		ModalitesAcces:          nonNil(place.ModalitesAcces.Labels(p.ModalitesAcces)),
		ModalitesAccompagnement: nonNil(place.ModalitesAccompagnement.Labels(p.ModalitesAccompagnement)),
		FicheAccesLibre:         p.FicheAccesLibre, PriseRdv: p.PriseRdv,
		URL: s.cfg.BaseURL + "/lieux/" + p.ID,
	}
	if !p.PivotMissing() {
		a.Pivot = p.Pivot
	}
	if p.HasCoords {
		lat, lon := p.Latitude, p.Longitude
		a.Latitude, a.Longitude = &lat, &lon
	}
	return a
}

// badRequest is an invalid query parameter, explained in French.
type badRequest struct{ msg string }

func (e badRequest) Error() string { return e.msg }

// Paging limits of the API.
const (
	defaultLimit        = 50
	maxLimit            = 1000
	defaultGeoJSONLimit = 10000
	maxGeoJSONLimit     = 50000
)

func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	var br badRequest
	switch {
	case errors.As(err, &br):
		writeJSON(w, http.StatusBadRequest, map[string]string{"erreur": br.msg})
	case errors.Is(err, store.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"erreur": "lieu introuvable"})
	default:
		s.log.Error("api", "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"erreur": "erreur interne, réessayez plus tard"})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// publicAPI marks a response readable from any site, as open data is.
func publicAPI(w http.ResponseWriter) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=60")
}

func (s *Server) apiPlaces(w http.ResponseWriter, r *http.Request) {
	publicAPI(w)
	f, err := s.parseFilter(r, defaultLimit, maxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	page, err := s.st.ListPublicPlaces(r.Context(), f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items := make([]apiPlace, len(page.Places))
	for i, p := range page.Places {
		items[i] = s.toAPI(p)
	}
	writeJSON(w, http.StatusOK, struct {
		Total  int        `json:"total"`
		Limit  int        `json:"limit"`
		Offset int        `json:"offset"`
		Items  []apiPlace `json:"items"`
	}{page.Total, f.Limit, f.Offset, items})
}

func (s *Server) apiPlace(w http.ResponseWriter, r *http.Request) {
	publicAPI(w)
	p, err := s.st.GetPublicPlace(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.toAPI(p))
}

func (s *Server) apiPlacesGeoJSON(w http.ResponseWriter, r *http.Request) {
	publicAPI(w)
	f, err := s.parseFilter(r, defaultGeoJSONLimit, maxGeoJSONLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	buf := geoBuffers.Get().(*[]byte)
	defer geoBuffers.Put(buf)
	features := (*buf)[:0]
	total, err := s.st.PublicPoints(r.Context(), f, func(p *store.Point) {
		features = appendFeature(features, p, len(features) == 0)
	})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/geo+json; charset=utf-8")
	var head [96]byte
	w.Write(appendCollectionHead(head[:0], total))
	w.Write(features)
	w.Write([]byte("]}\n"))
	*buf = features
}

// geoBuffers recycles the buffers of GeoJSON answers: the map asks for
// thousands of points at a time, and megabytes of garbage per request
// would make the collector, not the query, the slow part.
var geoBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1<<20); return &b }}

func appendCollectionHead(b []byte, total int) []byte {
	b = append(b, `{"type":"FeatureCollection","total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	return append(b, `,"features":[`...)
}

// appendFeatureCollection writes a whole FeatureCollection.
func appendFeatureCollection(b []byte, total int, points []store.Point) []byte {
	b = appendCollectionHead(b, total)
	for i := range points {
		b = appendFeature(b, &points[i], i == 0)
	}
	return append(b, "]}\n"...)
}

// appendFeature writes one map point as a GeoJSON feature, by hand:
// encoding/json's reflection would be most of the response time. The
// properties are the short form of a place (the full record is at
// /api/v1/lieux/{id}). Features after the first start with a comma.
func appendFeature(b []byte, p *store.Point, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	{
		b = append(b, `{"type":"Feature","id":`...)
		b = appendJSONString(b, p.ID)
		b = append(b, `,"geometry":{"type":"Point","coordinates":[`...)
		b = strconv.AppendFloat(b, p.Longitude, 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p.Latitude, 'f', -1, 64)
		b = append(b, `]},"properties":{"id":`...)
		b = appendJSONString(b, p.ID)
		for _, kv := range [...]struct{ k, v string }{{"nom", p.Nom}, {"adresse", p.Adresse}, {"code_postal", p.CodePostal},
			{"commune", p.Commune}, {"code_insee", p.CodeInsee}} {
			b = append(b, ',', '"')
			b = append(b, kv.k...)
			b = append(b, '"', ':')
			b = appendJSONString(b, kv.v)
		}
		b = append(b, `,"date_maj":"`...)
		b = p.DateMaj.AppendFormat(b, time.DateOnly)
		b = append(b, `","services":`...)
		b = append(b, servicesJSON(p.Services)...)
		b = append(b, "}}"...)
	}
	return b
}

// appendJSONString writes s as a JSON string, copying the runs that need
// no escaping in one go.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		if c < 0x20 {
			b = append(b, `\u00`...)
			b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
		} else {
			b = append(b, '\\', c)
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// servicesJSONCache holds the JSON array of labels of every set of
// services (9 services: 512 sets), built once.
var servicesJSONCache = func() [][]byte {
	out := make([][]byte, 1<<len(place.Services.Items))
	for set := range out {
		b := []byte{'['}
		for j, l := range place.Services.Labels(place.Set(set)) {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, l)
		}
		out[set] = append(b, ']')
	}
	return out
}()

func servicesJSON(s place.Set) []byte {
	if int(s) < len(servicesJSONCache) {
		return servicesJSONCache[s]
	}
	return servicesJSONCache[s&place.Services.All()]
}

//go:embed openapi.json
var openAPIDoc []byte

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) {
	publicAPI(w)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDoc)
}

package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portrea/internal/place"
	"portrea/internal/store"
)

// embed is the chrome-less map a partner frames in its site, filtered by
// the URL: epci, commune (comma-separated INSEE codes), services…
func (s *Server) embed(w http.ResponseWriter, r *http.Request) {
	s.mapPage(w, r, true)
}

type integrerView struct {
	layoutView
	EPCIs    []option
	Communes []option
	Services []choice
	Height   int
	URL      string
	Code     string
}

// integrer is the generator of the embed code: choose a territory and
// services, copy the <iframe>.
func (s *Server) integrer(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := integrerView{layoutView: layoutView{Title: "Intégrer la carte à votre site"}}
	v.EPCIs, v.Communes = s.territoryOptions(r.Context(), q.Get("epci"), "")
	chosen := map[string]bool{}
	for _, c := range values(q, "commune") {
		chosen[c] = true
	}
	for i := range v.Communes {
		v.Communes[i].Selected = chosen[v.Communes[i].Value]
	}
	for _, it := range place.Services.Items {
		v.Services = append(v.Services, choice{"services", it.Code, it.Label, checked(q, "services", it.Code, place.Services)})
	}
	v.Height, _ = strconv.Atoi(q.Get("hauteur"))
	if v.Height < 300 || v.Height > 1200 {
		v.Height = 600
	}
	// Invalid choices (tampered URL) are left out of the code.
	f, err := s.filterFromQuery(url.Values{"epci": {q.Get("epci")}, "commune": values(q, "commune"), "services": values(q, "services")})
	if err != nil {
		f = store.PlaceFilter{}
	}
	u := url.Values{}
	if f.EPCI != "" {
		u.Set("epci", f.EPCI)
	}
	if len(f.Communes) > 0 {
		u.Set("commune", strings.Join(f.Communes, ","))
	}
	if codes := place.Services.Codes(f.Services); len(codes) > 0 {
		u.Set("services", strings.Join(codes, ","))
	}
	v.URL = s.cfg.BaseURL + "/embed"
	if len(u) > 0 {
		v.URL += "?" + u.Encode()
	}
	v.Code = fmt.Sprintf(`<iframe src="%s" title="Carte des lieux d'inclusion numérique" width="100%%" height="%d" style="border:0" loading="lazy"></iframe>`,
		html.EscapeString(v.URL), v.Height)
	s.render(w, r, http.StatusOK, "integrer", v)
}

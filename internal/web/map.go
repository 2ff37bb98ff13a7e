package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portrea/internal/geocode"
	"portrea/internal/place"
	"portrea/internal/store"
)

// Map settings an administrator can change (settings table).
const (
	settingTiles       = "carte.tuiles"
	settingAttribution = "carte.attribution"
	defaultTiles       = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	defaultAttribution = "© les contributeurs d'OpenStreetMap"
)

// mapConfig is what the map script needs, passed as data attributes.
type mapConfig struct {
	Tiles, Attribution string
	Bounds             string // "minLat,minLon,maxLat,maxLon" of the places shown
	Embed              bool
}

// tileConfig reads the tile server settings.
func (s *Server) tileConfig(ctx context.Context) (mapConfig, error) {
	tiles, err := s.st.Setting(ctx, settingTiles, defaultTiles)
	if err != nil {
		return mapConfig{}, err
	}
	attr, err := s.st.Setting(ctx, settingAttribution, defaultAttribution)
	if err != nil {
		return mapConfig{}, err
	}
	return mapConfig{Tiles: tiles, Attribution: attr, Bounds: "41.3,-5.2,51.1,9.6"}, nil // metropolitan France
}

// mapConfig is tileConfig with the bounds of the places f selects.
func (s *Server) mapConfig(ctx context.Context, f store.PlaceFilter) (mapConfig, error) {
	mc, err := s.tileConfig(ctx)
	if err != nil {
		return mc, err
	}
	if b, ok, err := s.st.PublicBounds(ctx, f); err != nil {
		return mc, err
	} else if ok {
		mc.Bounds = fmt.Sprintf("%.5f,%.5f,%.5f,%.5f", b.MinLat, b.MinLon, b.MaxLat, b.MaxLon)
	}
	return mc, nil
}

// allowTiles widens the page's Content-Security-Policy to the tile server
// (its {s} subdomains become a wildcard) and, for the embed page, lets
// any site frame it.
func allowTiles(w http.ResponseWriter, tiles string, embed bool) {
	origin := ""
	if u, err := url.Parse(strings.ReplaceAll(tiles, "{s}", "a")); err == nil && u.Host != "" {
		host := u.Host
		if strings.Contains(tiles, "{s}") {
			host = "*." + strings.SplitN(u.Host, ".", 2)[1]
		}
		origin = " " + u.Scheme + "://" + host
	}
	frame := "'none'"
	if embed {
		frame = "*"
		w.Header().Del("X-Frame-Options")
	}
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:"+origin+
		"; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors "+frame)
}

// listPageSize is the length of the list beside the map.
const listPageSize = 20

type mapView struct {
	layoutView
	Filters  filterForm
	Communes []option
	Error    string
	Total    int
	Places   []*place.Place
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Map      mapConfig
	Query    string // the filters as a query string, for links
}

// home is the public map and directory. Without JavaScript it is a
// filterable, paged list (the accessible alternative to the map); the map
// script then follows the map's view.
func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	s.mapPage(w, r, false)
}

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request, embed bool) {
	q := r.URL.Query()
	v := mapView{layoutView: layoutView{Title: "Lieux d'inclusion numérique", Embed: embed}, Filters: s.filterForm(q)}
	v.Filters.EPCIs, v.Communes = s.territoryOptions(r.Context(), q.Get("epci"), q.Get("commune"))
	f, err := s.filterFromQuery(q)
	var br badRequest
	if errors.As(err, &br) {
		v.Error = br.msg
		f = store.PlaceFilter{}
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Page, _ = strconv.Atoi(q.Get("page"))
	v.Page = max(v.Page, 1)
	f.Limit, f.Offset = listPageSize, (v.Page-1)*listPageSize
	res, err := s.st.ListPublicPlaces(r.Context(), f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Total, v.Places = res.Total, res.Places
	v.Pages = (res.Total + listPageSize - 1) / listPageSize
	keep := url.Values{}
	for k, vals := range q {
		if k != "page" {
			keep[k] = vals
		}
	}
	v.Query = keep.Encode()
	link := func(n int) string {
		u := url.Values{}
		for k, vals := range keep {
			u[k] = vals
		}
		if n > 1 {
			u.Set("page", strconv.Itoa(n))
		}
		return r.URL.Path + "?" + u.Encode()
	}
	if v.Page > 1 {
		v.PrevURL = link(v.Page - 1)
	}
	if v.Page < v.Pages {
		v.NextURL = link(v.Page + 1)
	}
	if v.Map, err = s.mapConfig(r.Context(), f); err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Map.Embed = embed
	allowTiles(w, v.Map.Tiles, embed)
	page := "home"
	if embed {
		page = "embed"
	}
	s.render(w, r, http.StatusOK, page, v)
}

// territoryOptions lists the EPCI followed by the hub, then the communes of
// the chosen one, for the territory filter.
func (s *Server) territoryOptions(ctx context.Context, epci, commune string) ([]option, []option) {
	deps, err := s.st.Deployments(ctx)
	if err != nil {
		s.log.Error("territory options", "err", err)
	}
	var epcis []option
	for _, d := range deps {
		if e, ok := s.ref.EPCI(d.EPCI); ok {
			epcis = append(epcis, option{e.SIREN, e.Nom, e.SIREN == epci})
		}
	}
	sortOptions(epcis)
	var communes []option
	for _, c := range s.ref.CommunesOfEPCI(epci) {
		communes = append(communes, option{c.Code, c.Nom, c.Code == commune})
	}
	return epcis, communes
}

func sortOptions(o []option) {
	for i := 1; i < len(o); i++ {
		for j := i; j > 0 && place.Fold(o[j].Label) < place.Fold(o[j-1].Label); j-- {
			o[j], o[j-1] = o[j-1], o[j]
		}
	}
}

// apiMap answers the map: clusters of places for the view (bbox) at the
// zoom level, so that a région view weighs a few kilobytes whatever the
// number of places.
func (s *Server) apiMap(w http.ResponseWriter, r *http.Request) {
	publicAPI(w)
	f, err := s.filterFromQuery(r.URL.Query())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	zoom, err := strconv.Atoi(r.URL.Query().Get("zoom"))
	if err != nil || zoom < 0 || zoom > 22 || f.BBox == nil {
		s.apiError(w, r, badRequest{"zoom (0 à 22) et bbox sont obligatoires"})
		return
	}
	total, clusters, err := s.st.PublicClusters(r.Context(), f, zoom)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	b := make([]byte, 0, 64+48*len(clusters))
	b = append(b, `{"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"clusters":[`...)
	first := true
	for _, c := range clusters {
		if c.Count == 1 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"lat":`...)
		b = strconv.AppendFloat(b, round5(c.Lat), 'f', -1, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, round5(c.Lon), 'f', -1, 64)
		b = append(b, `,"n":`...)
		b = strconv.AppendInt(b, int64(c.Count), 10)
		b = append(b, '}')
	}
	b = append(b, `],"lieux":[`...)
	first = true
	for _, c := range clusters {
		if c.Count != 1 {
			continue
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = append(b, `{"id":`...)
		b = appendJSONString(b, c.ID)
		b = append(b, `,"nom":`...)
		b = appendJSONString(b, c.Nom)
		b = append(b, `,"lat":`...)
		b = strconv.AppendFloat(b, round5(c.Lat), 'f', -1, 64)
		b = append(b, `,"lon":`...)
		b = strconv.AppendFloat(b, round5(c.Lon), 'f', -1, 64)
		b = append(b, '}')
	}
	b = append(b, "]}\n"...)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(b)
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

// apiAddresses looks an address up through the national geocoder, for
// the address search of the map and the orientation. When the geocoder is
// down the page says so and the rest keeps working.
func (s *Server) apiAddresses(w http.ResponseWriter, r *http.Request) {
	ok, err := s.st.Allow(r.Context(), "adresses:"+s.clientKey(r), 60, minute)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"erreur": "trop de recherches d'adresse, réessayez dans une minute"})
		return
	}
	res, err := s.geo.Search(r.Context(), r.URL.Query().Get("q"), 5)
	if errors.Is(err, geocode.ErrUnavailable) {
		s.log.Warn("geocoder unavailable", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"erreur": geocoderDown})
		return
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	type result struct {
		Label     string  `json:"label"`
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		CodeInsee string  `json:"code_insee"`
		Commune   string  `json:"commune"`
	}
	out := make([]result, len(res))
	for i, x := range res {
		out[i] = result{x.Label, x.Lat, x.Lon, x.CityCode, x.City}
	}
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, map[string]any{"resultats": out})
}

const geocoderDown = "La recherche d'adresse est indisponible pour le moment : cherchez par nom de lieu ou choisissez une commune."

// clientKey identifies the client for rate limits without keeping its IP
// address: a keyed hash, the same on every instance.
func (s *Server) clientKey(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(ip))
	return hex.EncodeToString(m.Sum(nil)[:12])
}

// Package geoapitest is a local fake of geo.api.gouv.fr that speaks its
// real format, for tests: no external service is reachable from the
// machines that run them.
package geoapitest

import (
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"portrea/internal/territory"
)

// Broceliande is the SIREN of CC Brocéliande Communauté (8 communes), the
// territory the tests use.
const Broceliande = "243500618"

// MultiPolygonCommune is the commune the fake outlines as a MultiPolygon
// (Paimpont: its outline and a small detached part), as the service does
// for communes in several pieces; the others are Polygons.
const MultiPolygonCommune = "35211"

// Fake is a running fake of the service.
type Fake struct {
	URL   string
	Calls atomic.Int64 // every request
	// Down makes every request fail with 503, like an outage.
	Down atomic.Bool
}

// Start runs the fake until the test ends. It serves
// GET /epcis/{code}/communes for every EPCI of the built-in territory
// reference, as the service does: with format=geojson a FeatureCollection
// whose features carry the asked non-geometry fields (code, nom) as
// properties and, with geometry=contour, the commune's outline; otherwise
// a JSON array of the asked fields. An unknown EPCI is a 404. Outlines are
// squares of about 4 × 4 km around each commune's centre.
func Start(t testing.TB) *Fake {
	f := &Fake{}
	ref := territory.Default()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /epcis/{code}/communes", func(w http.ResponseWriter, r *http.Request) {
		code := r.PathValue("code")
		if _, ok := ref.EPCI(code); !ok {
			http.Error(w, "Not Found", http.StatusNotFound)
			return
		}
		q := r.URL.Query()
		fields := []string{"nom", "code", "codesPostaux", "population"}
		if q.Get("fields") != "" {
			fields = strings.Split(q.Get("fields"), ",")
		}
		geojson := q.Get("format") == "geojson"
		var items []any
		for _, c := range ref.CommunesOfEPCI(code) {
			all := map[string]any{"nom": c.Nom, "code": c.Code, "codesPostaux": c.CodesPostaux, "population": c.Population,
				"codeDepartement": c.Departement, "codeRegion": c.Region, "codeEpci": c.EPCI,
				"centre":  map[string]any{"type": "Point", "coordinates": []float64{c.Lon, c.Lat}},
				"contour": Outline(c)}
			props := map[string]any{}
			for _, k := range fields {
				if geojson && (k == "centre" || k == "contour" || k == "mairie" || k == "bbox") {
					continue // the service takes geometries out of the properties
				}
				if v, ok := all[k]; ok {
					props[k] = v
				}
			}
			if !geojson {
				items = append(items, props)
				continue
			}
			geom := all["centre"]
			if q.Get("geometry") == "contour" {
				geom = all["contour"]
			}
			items = append(items, map[string]any{"type": "Feature", "properties": props, "geometry": geom})
		}
		if items == nil {
			items = []any{}
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		if geojson {
			json.NewEncoder(w).Encode(map[string]any{"type": "FeatureCollection", "features": items})
			return
		}
		json.NewEncoder(w).Encode(items)
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Calls.Add(1)
		if f.Down.Load() {
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
			return
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Outline is the GeoJSON geometry the fake gives a commune: a square of
// about 4 × 4 km around its centre, slightly irregular, with coordinates
// at the service's 6 decimals; MultiPolygonCommune also gets a small
// square to the south-west.
func Outline(c territory.Commune) map[string]any {
	k := math.Cos(c.Lat * math.Pi / 180)
	dLat, dLon := 0.018, 0.018/k
	round := func(v float64) float64 { return math.Round(v*1e6) / 1e6 }
	square := func(lon, lat, dLon, dLat float64) [][][]float64 {
		pts := [][2]float64{{-1, -1}, {0.1, -1.1}, {1, -1}, {1.05, 0}, {1, 1}, {-0.1, 1.08}, {-1, 1}, {-1.04, 0}, {-1, -1}}
		ring := make([][]float64, len(pts))
		for i, p := range pts {
			ring[i] = []float64{round(lon + p[0]*dLon), round(lat + p[1]*dLat)}
		}
		return [][][]float64{ring}
	}
	main := square(c.Lon, c.Lat, dLon, dLat)
	if c.Code != MultiPolygonCommune {
		return map[string]any{"type": "Polygon", "coordinates": main}
	}
	part := square(c.Lon-1.6*dLon, c.Lat-1.6*dLat, dLon/4, dLat/4)
	return map[string]any{"type": "MultiPolygon", "coordinates": [][][][]float64{main, part}}
}

// Package geocodetest is a local fake of the national address geocoder
// that speaks its real format, for tests: no external service is reachable
// from the machines that run them.
package geocodetest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// Address is an address the fake knows.
type Address struct {
	Label, Type, Postcode, CityCode, City string
	Lat, Lon                              float64
}

// Fake is a running fake geocoder.
type Fake struct {
	URL   string
	Calls atomic.Int64
	// Down makes every request fail with 503, like an outage.
	Down atomic.Bool
}

// Known are the addresses of the demo territory the fake answers with.
var Known = []Address{
	{"1 Rue des Korrigans 35380 Plélan-le-Grand", "housenumber", "35380", "35223", "Plélan-le-Grand", 47.9987, -2.0839},
	{"Place de l'Église 35310 Bréal-sous-Montfort", "street", "35310", "35037", "Bréal-sous-Montfort", 48.0495, -1.8660},
	{"Paimpont", "municipality", "35380", "35211", "Paimpont", 48.0183, -2.1713},
	{"12 Rue de Rennes 35380 Plélan-le-Grand", "housenumber", "35380", "35223", "Plélan-le-Grand", 48.0008, -2.0794},
}

// Start runs the fake until the test ends. A query matches the known
// addresses whose label contains all its words (case-insensitive).
func Start(t testing.TB) *Fake {
	f := &Fake{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.Calls.Add(1)
		if f.Down.Load() {
			http.Error(w, `{"code":503,"message":"Service Unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		if r.URL.Path != "/search" {
			http.NotFound(w, r)
			return
		}
		q := strings.ToLower(r.URL.Query().Get("q"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if limit <= 0 {
			limit = 5
		}
		type feature struct {
			Type       string         `json:"type"`
			Geometry   map[string]any `json:"geometry"`
			Properties map[string]any `json:"properties"`
		}
		fc := struct {
			Type     string    `json:"type"`
			Features []feature `json:"features"`
			Query    string    `json:"query"`
		}{Type: "FeatureCollection", Features: []feature{}, Query: q}
		for _, a := range Known {
			ok := true
			for _, word := range strings.Fields(q) {
				ok = ok && strings.Contains(strings.ToLower(a.Label), word)
			}
			if !ok || len(fc.Features) >= limit {
				continue
			}
			fc.Features = append(fc.Features, feature{
				Type:     "Feature",
				Geometry: map[string]any{"type": "Point", "coordinates": []float64{a.Lon, a.Lat}},
				Properties: map[string]any{"label": a.Label, "score": 0.95, "type": a.Type, "postcode": a.Postcode,
					"citycode": a.CityCode, "city": a.City, "name": strings.SplitN(a.Label, " 35", 2)[0],
					"context": "35, Ille-et-Vilaine, Bretagne", "importance": 0.6, "x": 0, "y": 0},
			})
		}
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		json.NewEncoder(w).Encode(fc)
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

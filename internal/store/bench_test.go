package store_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// benchPlaces is the size of the benchmark database: the contract's
// "whole country's worth" of places.
const benchPlaces = 100_000

// benchStore opens a store of the engine holding benchPlaces synthetic
// places. The caller is the parent benchmark, run once, so the database is
// built once and dropped when all sub-benchmarks are done.
func benchStore(b *testing.B, e storetest.Engine) *store.Store {
	st := e.Open(b)
	start := time.Now()
	places := demo.Synthetic(territory.Default(), benchPlaces, 42)
	if _, err := st.InsertPlaces(ctx, places, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "bench"}}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d places inserted in %s", e.Name, benchPlaces, time.Since(start).Round(time.Millisecond))
	return st
}

// benchFilters are the queries the map and directory send most.
var benchFilters = []struct {
	name string
	f    store.PlaceFilter
}{
	{"list_departement_service", store.PlaceFilter{Departement: "35", Services: place.Services.Bit("aide-demarches"), Limit: 50}},
	{"list_epci", store.PlaceFilter{EPCI: "243500139", Limit: 50}}, // Rennes Métropole
	{"list_search", store.PlaceFilter{Q: "mediatheque rennes", Limit: 50}},
	{"list_all_page_10", store.PlaceFilter{Limit: 50, Offset: 450}},
	{"list_open_now", store.PlaceFilter{Departement: "35", OpenAt: time.Date(2026, 11, 26, 10, 30, 0, 0, place.Paris), Limit: 50}},
	// A city-wide map view (Rennes and its suburbs) as GeoJSON: every point.
	{"points_bbox_city", store.PlaceFilter{BBox: &store.BBox{MinLon: -1.78, MinLat: 48.07, MaxLon: -1.6, MaxLat: 48.15}, Limit: 10000}},
	// A département-wide view (Ille-et-Vilaine).
	{"points_bbox_departement", store.PlaceFilter{BBox: &store.BBox{MinLon: -2.3, MinLat: 47.6, MaxLon: -1.0, MaxLat: 48.7}, Limit: 10000}},
}

func BenchmarkPublicQueries(b *testing.B) {
	for _, e := range storetest.Engines() {
		st := benchStore(b, e)
		for _, bf := range benchFilters {
			b.Run(e.Name+"/"+bf.name, func(b *testing.B) {
				var lat []time.Duration
				for i := 0; i < b.N; i++ {
					start := time.Now()
					var total int
					var err error
					if strings.HasPrefix(bf.name, "points_") {
						// The map's GeoJSON reads points from memory only.
						total, err = st.PublicPoints(ctx, bf.f, func(*store.Point) {})
					} else {
						var page store.PlacePage
						page, err = st.ListPublicPlaces(ctx, bf.f)
						total = page.Total
					}
					if err != nil {
						b.Fatal(err)
					}
					if total == 0 {
						b.Fatal("no result: the benchmark measures nothing")
					}
					lat = append(lat, time.Since(start))
				}
				reportPercentiles(b, lat)
			})
		}
	}
}

// reportPercentiles adds p50 and p99 latencies to the benchmark output.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	sorted := slices.Clone(lat)
	slices.Sort(sorted)
	p := func(q float64) float64 {
		return float64(sorted[int(q*float64(len(sorted)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.99), "p99-ms")
}

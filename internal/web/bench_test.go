package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// BenchmarkAPI measures the public API end to end (query, JSON encoding)
// over 100,000 synthetic places, on both engines. Latency percentiles are
// reported as p50-ms and p99-ms.
func BenchmarkAPI(b *testing.B) {
	queries := []struct{ name, target string }{
		{"list_filtered", "/api/v1/lieux?departement=35&services=Aide%20aux%20d%C3%A9marches%20administratives&limit=50"},
		{"list_search", "/api/v1/lieux?q=mediatheque&limit=50"},
		{"list_open_now", "/api/v1/lieux?departement=35&ouvert=maintenant&limit=50"},
		{"geojson_bbox_city", "/api/v1/lieux.geojson?bbox=-1.78,48.07,-1.6,48.15"},
		{"geojson_bbox_departement", "/api/v1/lieux.geojson?bbox=-2.3,47.6,-1.0,48.7"},
		{"map_clusters_departement", "/api/v1/carte?bbox=-2.3,47.6,-1.0,48.7&zoom=10"},
		{"map_clusters_region_service", "/api/v1/carte?bbox=-5.6,46.9,-0.9,49.1&zoom=8&services=aide-demarches"},
		{"list_bbox_search", "/api/v1/lieux?q=mediatheque&bbox=-2.3,47.6,-1.0,48.7&limit=20"},
	}
	for _, e := range storetest.Engines() {
		st := e.Open(b)
		places := demo.Synthetic(territory.Default(), 100_000, 42)
		if _, err := st.InsertPlaces(context.Background(), places, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "bench"}}); err != nil {
			b.Fatal(err)
		}
		h := newHandler(b, st)
		for _, q := range queries {
			b.Run(e.Name+"/"+q.name, func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				var size int
				for i := 0; i < b.N; i++ {
					start := time.Now()
					rec := httptest.NewRecorder()
					h.ServeHTTP(rec, httptest.NewRequest("GET", q.target, nil))
					lat = append(lat, time.Since(start))
					if rec.Code != 200 {
						b.Fatalf("%s: %d %s", q.target, rec.Code, rec.Body)
					}
					size = rec.Body.Len()
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(size)/1024, "KiB")
			})
		}
	}
}

// BenchmarkBackOffice measures the referent's pages over 100,000 synthetic
// places, on the territory holding the most of them, on both engines.
func BenchmarkBackOffice(b *testing.B) {
	for _, e := range storetest.Engines() {
		st := e.Open(b)
		ctx := context.Background()
		places := demo.Synthetic(territory.Default(), 100_000, 42)
		if _, err := st.InsertPlaces(ctx, places, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "bench"}}); err != nil {
			b.Fatal(err)
		}
		count := map[string]int{}
		for _, p := range places {
			count[p.EPCI]++
		}
		epci, some := "", ""
		for k, n := range count {
			if n > count[epci] {
				epci = k
			}
		}
		for _, p := range places {
			if p.EPCI == epci {
				some = p.ID
				break
			}
		}
		if err := demo.SeedAccounts(ctx, st); err != nil {
			b.Fatal(err)
		}
		hub, _ := st.UserByEmail(ctx, demo.Accounts[0].Email)
		secret, _, err := st.CreateSession(ctx, hub.ID)
		if err != nil {
			b.Fatal(err)
		}
		h := newHandler(b, st)
		b.Logf("%s: territory %s holds %d places", e.Name, epci, count[epci])
		for _, q := range []struct{ name, target string }{
			{"list", "/gestion/lieux?epci=" + epci},
			{"list_stale_sorted", "/gestion/lieux?epci=" + epci + "&fraicheur=stale&tri=completude"},
			{"editor", "/gestion/lieux/" + some},
			{"duplicates", "/gestion/doublons?epci=" + epci},
			{"dashboard", "/gestion"},
		} {
			b.Run(e.Name+"/"+q.name, func(b *testing.B) {
				lat := make([]time.Duration, 0, b.N)
				for i := 0; i < b.N; i++ {
					start := time.Now()
					rec := httptest.NewRecorder()
					req := httptest.NewRequest("GET", q.target, nil)
					req.AddCookie(&http.Cookie{Name: sessionCookie, Value: secret})
					h.ServeHTTP(rec, req)
					lat = append(lat, time.Since(start))
					if rec.Code != 200 {
						b.Fatalf("%s: %d", q.target, rec.Code)
					}
				}
				slices.Sort(lat)
				b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
			})
		}
	}
}

package store_test

import (
	"reflect"
	"sort"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

// filterPlaces are four places with distinct offers, in Brocéliande.
func filterPlaces(t *testing.T) []*place.Place {
	a := newPlace(t, "35223", "A France Services") // Plélan
	a.Dispositifs = place.Dispositifs.Bit("france-services")
	a.Publics = place.Publics.Bit("seniors")
	a.Horaires = "Mo-Fr 09:00-12:00; Sa 09:00-12:00"
	a.PriseRdv = "https://rdv.example.org/a"
	b := newPlace(t, "35211", "B Médiathèque") // Paimpont
	b.Services = place.Services.Bit("acces-materiel")
	b.Frais = place.Frais.Bit("payant")
	b.Horaires = "We 14:00-18:00"
	b.ModalitesAccompagnement = place.ModalitesAccompagnement.Bit("atelier-collectif")
	c := newPlace(t, "35037", "C Centre social") // Bréal
	c.PriseEnCharge = place.PriseEnCharge.Bit("surdite")
	c.ModalitesAcces = place.ModalitesAcces.Bit("rdv-en-ligne")
	c.Horaires = "Jul-Aug off; Sa 10:00-12:00"
	d := newPlace(t, "35238", "D Rennes") // outside the EPCI
	return []*place.Place{a, b, c, d}
}

func names(page store.PlacePage) []string {
	var out []string
	for _, p := range page.Places {
		out = append(out, p.Nom[:1])
	}
	return out
}

func TestPublicFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
		if _, err := st.InsertPlaces(ctx, filterPlaces(t), store.Write{Actor: place.Actor{Kind: place.ActorImport}}); err != nil {
			t.Fatal(err)
		}
		paimpont, _ := st.ListPublicPlaces(ctx, store.PlaceFilter{Communes: []string{"35211"}, Limit: 1})
		near := &store.LatLon{Lat: paimpont.Places[0].Latitude, Lon: paimpont.Places[0].Longitude}
		tests := []struct {
			name string
			f    store.PlaceFilter
			want []string
		}{
			{"all", store.PlaceFilter{}, []string{"A", "B", "C", "D"}},
			{"services any of", store.PlaceFilter{Services: place.Services.Bit("acces-materiel") | place.Services.Bit("parentalite")}, []string{"B"}},
			{"publics", store.PlaceFilter{Publics: place.Publics.Bit("seniors")}, []string{"A"}},
			{"prise en charge", store.PlaceFilter{PriseEnCharge: place.PriseEnCharge.Bit("surdite")}, []string{"C"}},
			{"frais", store.PlaceFilter{Frais: place.Frais.Bit("payant")}, []string{"B"}},
			{"accompagnement", store.PlaceFilter{Accomp: place.ModalitesAccompagnement.Bit("atelier-collectif")}, []string{"B"}},
			{"dispositifs", store.PlaceFilter{Dispositifs: place.Dispositifs.Bit("france-services")}, []string{"A"}},
			{"two fields: all must match", store.PlaceFilter{Publics: place.Publics.Bit("seniors"), Frais: place.Frais.Bit("payant")}, nil},
			{"online booking (link or modality)", store.PlaceFilter{Rdv: true}, []string{"A", "C"}},
			{"saturday (C is closed in summer only)", store.PlaceFilter{Slots: []store.Slot{{Day: 5, From: 0, To: 1440}}}, []string{"A", "C"}},
			{"wednesday afternoon (D keeps the default hours)", store.PlaceFilter{Slots: []store.Slot{{Day: 2, From: 12 * 60, To: 18 * 60}}}, []string{"B", "D"}},
			{"epci", store.PlaceFilter{EPCI: "243500618"}, []string{"A", "B", "C"}},
			{"communes", store.PlaceFilter{Communes: []string{"35211", "35037"}}, []string{"B", "C"}},
			{"unknown commune", store.PlaceFilter{Communes: []string{"01001"}}, nil},
			{"within 10 km of Paimpont, nearest first", store.PlaceFilter{Near: near, MaxKm: 10, ByDistance: true}, []string{"B", "A"}},
			{"within 30 km, nearest first", store.PlaceFilter{Near: near, MaxKm: 30, ByDistance: true}, []string{"B", "A", "C"}},
		}
		for _, tt := range tests {
			tt.f.Limit = 10
			page, err := st.ListPublicPlaces(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := names(page); !reflect.DeepEqual(got, tt.want) || page.Total != len(tt.want) {
				t.Errorf("%s: %v (total %d), want %v", tt.name, got, page.Total, tt.want)
			}
			if tt.f.Near != nil && (len(page.Distances) != len(page.Places) || !sort.Float64sAreSorted(page.Distances) || page.Distances[0] > 0.5) {
				t.Errorf("%s: distances %v", tt.name, page.Distances)
			}
		}
	})
}

func TestPublicClusters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		if _, err := st.InsertPlaces(ctx, filterPlaces(t), store.Write{Actor: place.Actor{Kind: place.ActorImport}}); err != nil {
			t.Fatal(err)
		}
		france := &store.BBox{MinLon: -5, MinLat: 42, MaxLon: 8, MaxLat: 51}
		total, cl, err := st.PublicClusters(ctx, store.PlaceFilter{BBox: france}, 5)
		if err != nil || total != 4 || len(cl) != 1 || cl[0].Count != 4 || cl[0].ID != "" {
			t.Fatalf("country view: %d %+v %v", total, cl, err)
		}
		total, cl, _ = st.PublicClusters(ctx, store.PlaceFilter{BBox: france}, 16)
		if total != 4 || len(cl) != 4 {
			t.Fatalf("street view: %d %+v", total, cl)
		}
		for _, c := range cl {
			if c.Count != 1 || c.ID == "" || c.Nom == "" {
				t.Errorf("single place cluster %+v", c)
			}
		}
		total, cl, _ = st.PublicClusters(ctx, store.PlaceFilter{BBox: france, EPCI: "243500618"}, 5)
		if total != 3 || cl[0].Count != 3 {
			t.Errorf("filtered clusters %d %+v", total, cl)
		}
		b, ok, err := st.PublicBounds(ctx, store.PlaceFilter{EPCI: "243500618"})
		if err != nil || !ok || b.MinLat < 47.9 || b.MaxLat > 48.1 || b.MinLon < -2.2 || b.MaxLon > -1.8 {
			t.Errorf("bounds %+v %v %v", b, ok, err)
		}
	})
}

func TestReportsLimitsSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
		clock(st, now)
		p := newPlace(t, "35211", "Médiathèque")
		if err := st.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson}}); err != nil {
			t.Fatal(err)
		}
		r := &report.Report{PlaceID: p.ID, Categories: []string{"horaires", "n-existe-plus"}, Message: "Fermé", Email: "a@example.org"}
		if err := st.CreateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateReport(ctx, &report.Report{PlaceID: "inconnu"}); err == nil {
			t.Error("a report on an unknown place was stored")
		}
		got, err := st.Reports(ctx, "243500618")
		if err != nil || len(got) != 1 || !reflect.DeepEqual(got[0].Categories, r.Categories) || got[0].Status != report.StatusNew || got[0].EPCI != "243500618" {
			t.Fatalf("reports = %+v, %v", got, err)
		}
		if other, _ := st.Reports(ctx, "243500550"); len(other) != 0 {
			t.Error("another territory sees the report")
		}

		for i := 1; i <= 4; i++ {
			ok, err := st.Allow(ctx, "k", 3, time.Minute)
			if err != nil || ok != (i <= 3) {
				t.Fatalf("hit %d: %v %v", i, ok, err)
			}
		}
		clock(st, now.Add(time.Minute))
		if ok, _ := st.Allow(ctx, "k", 3, time.Minute); !ok {
			t.Error("a new window starts afresh")
		}

		if v, _ := st.Setting(ctx, "carte.tuiles", "défaut"); v != "défaut" {
			t.Errorf("unset setting = %q", v)
		}
		st.SetSetting(ctx, "carte.tuiles", "https://a")
		st.SetSetting(ctx, "carte.tuiles", "https://b")
		if v, _ := st.Setting(ctx, "carte.tuiles", ""); v != "https://b" {
			t.Errorf("setting = %q", v)
		}
		s1, err1 := st.Secret(ctx, "x")
		s2, err2 := st.Secret(ctx, "x")
		s3, _ := st.Secret(ctx, "y")
		if err1 != nil || err2 != nil || len(s1) != 32 || !reflect.DeepEqual(s1, s2) || reflect.DeepEqual(s1, s3) {
			t.Errorf("secrets: %x %x %x %v %v", s1, s2, s3, err1, err2)
		}
	})
}

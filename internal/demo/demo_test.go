package demo

import (
	"context"
	"math"
	"reflect"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

var now = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func TestSeed(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ref := territory.Default()
		seeded, err := Seed(ctx, st, ref, now)
		if err != nil || !seeded {
			t.Fatalf("Seed = %v, %v", seeded, err)
		}
		again, err := Seed(ctx, st, ref, now)
		if err != nil || again {
			t.Fatalf("second Seed = %v, %v: it must leave a non-empty database alone", again, err)
		}
		page, err := st.ListPublicPlaces(ctx, store.PlaceFilter{EPCI: BroceliandeSIREN, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if page.Total < 30 || page.Total > 60 {
			t.Errorf("Brocéliande has %d public places, want 30–60", page.Total)
		}
		var stale, noHours, noPivot, noCoords int
		for _, p := range page.Places {
			full, _ := st.GetPlace(ctx, p.ID)
			if err := full.Validate(ref, now); err != nil {
				t.Errorf("%s invalid: %v", p.Nom, err)
			}
			if p.DateMaj.Before(now.AddDate(-2, 0, 0)) {
				stale++
			}
			if p.Horaires == "" {
				noHours++
			}
			if p.PivotMissing() {
				noPivot++
			}
			if !p.HasCoords {
				noCoords++
				continue
			}
			c, _ := ref.Commune(p.CodeInsee)
			if d := distanceKm(p.Latitude, p.Longitude, c.Lat, c.Lon); d > 0.5 {
				t.Errorf("%s is %.1f km from the centre of %s", p.Nom, d, c.Nom)
			}
		}
		if stale == 0 || noHours == 0 || noPivot == 0 || noCoords == 0 {
			t.Errorf("the demo needs gaps to show: %d stale, %d without hours, %d without pivot, %d without position", stale, noHours, noPivot, noCoords)
		}
		deps, _ := st.Deployments(ctx)
		phases := map[string]territory.Phase{}
		for _, d := range deps {
			phases[d.EPCI] = d.Phase
		}
		if phases[BroceliandeSIREN] != territory.PhaseExploitation || phases[MontfortSIREN] != territory.PhaseDeploiement {
			t.Errorf("demo phases: %v", phases)
		}
		if n := len(ref.EPCIsInRegion("53")); len(deps) != n || phases["243500139"] != territory.PhaseContact {
			t.Errorf("%d territories in the pipeline, Brittany has %d EPCI; Rennes is %q", len(deps), n, phases["243500139"])
		}
		fields, _ := st.ExtraFields(ctx, BroceliandeSIREN)
		if len(fields) == 0 {
			t.Error("Brocéliande has no complementary fields")
		}
	})
}

func TestSyntheticDeterministic(t *testing.T) {
	ref := territory.Default()
	a := Synthetic(ref, 500, 3)
	b := Synthetic(ref, 500, 3)
	c := Synthetic(ref, 500, 4)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed, different places")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("different seeds, same places")
	}
	departements := map[string]bool{}
	for _, p := range a {
		departements[p.Departement] = true
		if err := p.Validate(ref, now); err != nil {
			t.Errorf("%s invalid: %v", p.Nom, err)
		}
		c, _ := ref.Commune(p.CodeInsee)
		if d := distanceKm(p.Latitude, p.Longitude, c.Lat, c.Lon); d > 0.9 {
			t.Errorf("%s is %.1f km from its commune centre", p.Nom, d)
		}
	}
	if len(departements) < 50 {
		t.Errorf("500 places spread over only %d départements", len(departements))
	}
}

func TestFrenchOf(t *testing.T) {
	for in, want := range map[string]string{"Rennes": "de Rennes", "Angers": "d'Angers", "Le Mans": "du Mans",
		"Les Sables-d'Olonne": "des Sables-d'Olonne", "L'Haÿ-les-Roses": "de L'Haÿ-les-Roses", "Évry-Courcouronnes": "d'Évry-Courcouronnes"} {
		if got := of(in); got != want {
			t.Errorf("of(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSiretValid(t *testing.T) {
	for i := 0; i < 200; i++ {
		s := siret(hash("x", string(rune(i))))
		if err := place.CheckPivot(s); err != nil || len(s) != 14 {
			t.Fatalf("siret %q: %v", s, err)
		}
	}
}

// distanceKm is the great-circle distance between two points.
func distanceKm(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 6371.0
	dLat := (lat2 - lat1) * math.Pi / 180
	dLon := (lon2 - lon1) * math.Pi / 180
	a := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(lat1*math.Pi/180)*math.Cos(lat2*math.Pi/180)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

package web

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"portrea/internal/place"
)

// TestSweepPairsFindsWhatBruteForceFinds checks that skipping far-apart
// pairs never loses a duplicate the full comparison would report.
func TestSweepPairsFindsWhatBruteForceFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	names := []string{"Médiathèque", "Mediatheque", "Mairie", "Espace France Services", "Centre social"}
	var g []*place.Place
	for i := range 400 {
		p := &place.Place{ID: fmt.Sprint(i), Nom: names[rng.IntN(len(names))], Adresse: fmt.Sprintf("%d rue de Rennes", rng.IntN(4)), CodeInsee: "35223"}
		if rng.IntN(10) > 0 {
			p.Latitude, p.Longitude, p.HasCoords = 48+rng.Float64()*0.01, -2+rng.Float64()*0.01, true
		}
		g = append(g, p)
	}
	want := map[string]bool{}
	for i, a := range g {
		for _, b := range g[i+1:] {
			if s, ok := place.DuplicateScore(a, b); ok && s > place.DuplicateThreshold {
				want[pairKey(a.ID, b.ID)] = true
			}
		}
	}
	got := map[string]bool{}
	sweepPairs(g, func(a, b *place.Place) {
		if s, ok := place.DuplicateScore(a, b); ok && s > place.DuplicateThreshold {
			got[pairKey(a.ID, b.ID)] = true
		}
	})
	if len(want) < 20 {
		t.Fatalf("the sample should hold duplicates, found %d", len(want))
	}
	for k := range want {
		if !got[k] {
			t.Errorf("pair %s missed", k)
		}
	}
	if len(got) != len(want) {
		t.Errorf("found %d pairs, brute force %d", len(got), len(want))
	}
}

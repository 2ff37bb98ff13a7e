package store_test

import (
	"reflect"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/portrait"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestSnapshots(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		const epci = "243500618"
		if got, err := st.Snapshots(ctx, epci); err != nil || len(got) != 0 {
			t.Fatalf("no snapshot yet: %v, %v", got, err)
		}
		oct := portrait.Snapshot{Month: "2026-10", Places: 6, PerTenThousand: 3.1586, CoveredCommunes: 3, CoveredPopulation: 61.5, ConfirmedLastYear: 50}
		nov := portrait.Snapshot{Month: "2026-11", Places: 7, PerTenThousand: 3.685, CoveredCommunes: 4, CoveredPopulation: 75.93, ConfirmedLastYear: 71.43}
		// Saved out of order, and November twice: the second replaces the first.
		for _, s := range []portrait.Snapshot{{Month: "2026-11", Places: 1}, oct, nov} {
			if err := st.SaveSnapshot(ctx, epci, s); err != nil {
				t.Fatal(err)
			}
		}
		if err := st.SaveSnapshot(ctx, "200000000", portrait.Snapshot{Month: "2026-11", Places: 99}); err != nil {
			t.Fatal(err)
		}
		got, err := st.Snapshots(ctx, epci)
		if err != nil {
			t.Fatal(err)
		}
		if want := []portrait.Snapshot{oct, nov}; !reflect.DeepEqual(got, want) {
			t.Errorf("snapshots:\n got %+v\nwant %+v", got, want)
		}
	})
}

func TestCommuneStats(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		since := time.Date(2025, 11, 26, 0, 0, 0, 0, time.UTC)
		fs := place.Dispositifs.Bit("france-services")
		mk := func(insee, nom string, status place.Status, dateMaj time.Time, disp place.Set) {
			t.Helper()
			p := newPlace(t, insee, nom)
			p.Status, p.DateMaj, p.Dispositifs = status, dateMaj, disp
			if err := st.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: "test"}}); err != nil {
				t.Fatal(err)
			}
		}
		// Plélan: 3 active (2 confirmed, one on the cut-off day; 1 France
		// Services among others) + 1 closed France Services, confirmed.
		mk("35223", "France Services de Plélan", place.StatusActive, time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			fs|place.Dispositifs.Bit("conseillers-numeriques"))
		mk("35223", "CCAS de Plélan", place.StatusActive, since, 0)
		mk("35223", "Bus numérique", place.StatusActive, since.AddDate(0, 0, -1), place.Dispositifs.Bit("aidants-connect"))
		mk("35223", "Ancien EPN", place.StatusClosed, testNow, fs)
		// Paimpont: 1 active, old.
		mk("35211", "Médiathèque de Paimpont", place.StatusActive, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 0)
		// Rennes: 1 active France Services, not asked for below.
		mk("35238", "France Services de Rennes", place.StatusActive, testNow, fs)
		// Maxent: only a duplicate.
		mk("35169", "Doublon de Maxent", place.StatusDuplicate, testNow, 0)

		got, err := st.CommuneStats(ctx, []string{"35223", "35211", "35169", "35340"}, since)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]portrait.CommuneStats{
			"35223": {Places: 3, Confirmed: 2, FranceServices: 1},
			"35211": {Places: 1, Confirmed: 0, FranceServices: 0},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("commune stats:\n got %+v\nwant %+v", got, want)
		}
		// A later time on the cut-off day counts the whole day.
		got, err = st.CommuneStats(ctx, []string{"35223"}, since.Add(15*time.Hour))
		if err != nil || got["35223"].Confirmed != 2 {
			t.Errorf("cut-off by day: %+v, %v", got, err)
		}
		if got, err := st.CommuneStats(ctx, nil, since); err != nil || len(got) != 0 {
			t.Errorf("no code: %v, %v", got, err)
		}
	})
}

func TestForeword(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		const epci = "243500618"
		if got, err := st.Foreword(ctx, epci); err != nil || got != "" {
			t.Fatalf("no foreword: %q, %v", got, err)
		}
		if err := st.SetForeword(ctx, epci, "Premier mot.", "anne@example.org"); err != nil {
			t.Fatal(err)
		}
		if err := st.SetForeword(ctx, epci, "Le mot de la référente,\nsur deux lignes.", "paul@example.org"); err != nil {
			t.Fatal(err)
		}
		if got, err := st.Foreword(ctx, epci); err != nil || got != "Le mot de la référente,\nsur deux lignes." {
			t.Errorf("foreword: %q, %v", got, err)
		}
		if got, err := st.Foreword(ctx, "200000000"); err != nil || got != "" {
			t.Errorf("other territory: %q, %v", got, err)
		}
	})
}

package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

func TestAssessmentProposeAndDecide(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		const epci, fresh = "243500618", "243500550"
		if _, err := st.Assessment(ctx, epci); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no assessment yet: %v", err)
		}
		if err := st.SaveDeployment(ctx, &territory.Deployment{EPCI: epci, Phase: territory.PhaseEngagement}); err != nil {
			t.Fatal(err)
		}
		factors := territory.Assessment{
			territory.FactorGovernance: {Level: territory.LevelSolid, Comment: "Vice-présidente « inclusion numérique »"},
			territory.FactorNetwork:    {Level: territory.LevelPresent},
			territory.FactorTools:      {Level: territory.LevelAbsent, Comment: "Aucune cartographie"},
		}
		// A referent proposes: no decision, the territory's strategy is untouched.
		prop := &store.Assessment{EPCI: epci, Factors: factors, Recommended: territory.StrategyOutil}
		if err := st.ProposeAssessment(ctx, prop); err != nil {
			t.Fatal(err)
		}
		got, err := st.Assessment(ctx, epci)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got.Factors, factors) || got.Recommended != territory.StrategyOutil || got.Chosen != "" || !got.UpdatedAt.Equal(testNow.UTC()) {
			t.Fatalf("proposal: %+v", got)
		}
		if d, _ := st.Deployment(ctx, epci); d.Strategy != territory.StrategyNone {
			t.Fatalf("a proposal changed the strategy: %+v", d)
		}

		// The hub decides otherwise, with a reason: the territory follows, its phase stays.
		clock(st, testNow.Add(time.Hour))
		dec := &store.Assessment{EPCI: epci, Factors: factors, Recommended: territory.StrategyOutil, Chosen: territory.StrategyReseau,
			Reasons: "Le réseau est à relancer après le départ de la coordinatrice.", DecidedBy: "hub@demo.portrea.fr"}
		if err := st.DecideStrategy(ctx, dec); err != nil {
			t.Fatal(err)
		}
		d, err := st.Deployment(ctx, epci)
		if err != nil {
			t.Fatal(err)
		}
		if d.Strategy != territory.StrategyReseau || d.Phase != territory.PhaseEngagement || !d.PhaseSince.Equal(testNow.UTC()) {
			t.Errorf("territory after the decision: %+v", d)
		}
		// A later proposal keeps the decision.
		if err := st.ProposeAssessment(ctx, &store.Assessment{EPCI: epci, Factors: factors, Recommended: territory.StrategyOutil}); err != nil {
			t.Fatal(err)
		}
		got, _ = st.Assessment(ctx, epci)
		if got.Chosen != territory.StrategyReseau || got.Reasons != dec.Reasons || got.DecidedBy != dec.DecidedBy {
			t.Errorf("decision lost: %+v", got)
		}

		// A territory not followed yet enters the pipeline in engagement.
		if err := st.DecideStrategy(ctx, &store.Assessment{EPCI: fresh, Factors: territory.Assessment{}, Recommended: territory.StrategyReseau, Chosen: territory.StrategyReseau, DecidedBy: "hub"}); err != nil {
			t.Fatal(err)
		}
		if d, err := st.Deployment(ctx, fresh); err != nil || d.Phase != territory.PhaseEngagement || d.Strategy != territory.StrategyReseau {
			t.Errorf("new territory: %+v, %v", d, err)
		}
		if err := st.DecideStrategy(ctx, &store.Assessment{EPCI: fresh, Chosen: "autre"}); err == nil {
			t.Error("an unknown strategy was accepted")
		}
	})
}

func TestNextEvent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		const epci = "243500618"
		if _, err := st.NextEvent(ctx, epci); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("no event: %v", err)
		}
		day := func(title string, at time.Time) {
			if err := st.CreateEvent(ctx, &store.Event{EPCI: epci, Title: title, StartsAt: at, EndsAt: at.Add(6 * time.Hour), Place: "Salle des fêtes"}); err != nil {
				t.Fatal(err)
			}
		}
		day("Passée", testNow.AddDate(0, -2, 0))
		if e, err := st.NextEvent(ctx, epci); err != nil || e.Title != "Passée" {
			t.Fatalf("only a past day: %+v, %v", e, err)
		}
		day("Lointaine", testNow.AddDate(0, 3, 0))
		day("Prochaine", testNow.AddDate(0, 1, 0))
		e, err := st.NextEvent(ctx, epci)
		if err != nil || e.Title != "Prochaine" || e.Place != "Salle des fêtes" || !e.StartsAt.Equal(testNow.AddDate(0, 1, 0).UTC()) {
			t.Fatalf("next: %+v, %v", e, err)
		}
		if _, err := st.NextEvent(ctx, "243500550"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another territory's day: %v", err)
		}
	})
}

package store_test

import (
	"errors"
	"testing"
	"time"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

func TestJournalPhaseChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		if err := st.SaveDeployment(ctx, &territory.Deployment{EPCI: broceliande, Phase: territory.PhaseContact, Strategy: territory.StrategyOutil}); err != nil {
			t.Fatal(err)
		}
		later := testNow.Add(48 * time.Hour)
		clock(st, later)
		d, err := st.ChangePhase(ctx, broceliande, territory.PhaseEngagement, "hub@example.org", "l'EPCI s'engage")
		if err != nil {
			t.Fatal(err)
		}
		if d.Phase != territory.PhaseEngagement || !d.PhaseSince.Equal(later) || d.Strategy != territory.StrategyOutil {
			t.Errorf("ChangePhase returned %+v", d)
		}
		got, err := st.Deployment(ctx, broceliande)
		if err != nil || got.Phase != territory.PhaseEngagement || !got.PhaseSince.Equal(later) || got.Strategy != territory.StrategyOutil {
			t.Errorf("after the change: %+v, %v", got, err)
		}
		if _, err := st.ChangePhase(ctx, broceliande, territory.PhaseEngagement, "hub@example.org", ""); !errors.Is(err, store.ErrSamePhase) {
			t.Errorf("same phase again: %v", err)
		}
		if _, err := st.ChangePhase(ctx, broceliande, "nope", "hub@example.org", ""); err == nil {
			t.Error("an unknown phase was accepted")
		}
		if err := st.AddJournal(ctx, &territory.JournalEntry{EPCI: broceliande, Kind: territory.JournalMeeting, At: testNow.Add(time.Hour), By: "hub@example.org", Note: "Présentation aux élus"}); err != nil {
			t.Fatal(err)
		}
		// A territory not followed yet enters the pipeline.
		if _, err := st.ChangePhase(ctx, rennesMetro, territory.PhaseEngagement, "hub@example.org", ""); err != nil {
			t.Fatal(err)
		}
		es, err := st.Journal(ctx, broceliande)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != 2 || es[0].Kind != territory.JournalMeeting || es[1].Kind != territory.JournalPhase || es[1].Phase != territory.PhaseEngagement ||
			!es[1].At.Equal(later) || es[1].By != "hub@example.org" || es[1].Note != "l'EPCI s'engage" {
			t.Errorf("journal of Brocéliande: %+v", es)
		}
		all, err := st.Journal(ctx, "")
		if err != nil || len(all) != 3 {
			t.Errorf("whole journal: %d entries, %v", len(all), err)
		}
	})
}

func TestJournalInterests(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		if err := st.SaveDeployment(ctx, &territory.Deployment{EPCI: broceliande, Phase: territory.PhaseExploitation}); err != nil {
			t.Fatal(err)
		}
		i := &territory.Interest{EPCI: broceliande, Name: "Anne", Organisation: "Commune de Paimpont", OrgKind: "commune", Email: "anne@example.org"}
		created, err := st.DeclareInterest(ctx, i)
		if err != nil || created {
			t.Fatalf("interest for a followed territory: created %v, %v", created, err)
		}
		if d, _ := st.Deployment(ctx, broceliande); d.Phase != territory.PhaseExploitation {
			t.Errorf("an interest moved an exploitation territory to %s", d.Phase)
		}
		created, err = st.DeclareInterest(ctx, &territory.Interest{EPCI: rennesMetro, Name: "Jean", Organisation: "Rennes Métropole", OrgKind: "epci",
			Email: "jean@example.org", Phone: "+33299000000", Hopes: "Une carte à jour"})
		if err != nil || !created {
			t.Fatalf("interest for a new territory: created %v, %v", created, err)
		}
		if d, err := st.Deployment(ctx, rennesMetro); err != nil || d.Phase != territory.PhaseContact || !d.PhaseSince.Equal(testNow) {
			t.Errorf("new territory: %+v, %v", d, err)
		}
		if es, _ := st.Journal(ctx, rennesMetro); len(es) != 1 || es[0].Phase != territory.PhaseContact {
			t.Errorf("journal of the new territory: %+v", es)
		}
		is, err := st.Interests(ctx, "")
		if err != nil || len(is) != 2 {
			t.Fatalf("interests: %d, %v", len(is), err)
		}
		is, _ = st.Interests(ctx, rennesMetro)
		if len(is) != 1 || is[0].Hopes != "Une carte à jour" || is[0].Phone != "+33299000000" || !is[0].CreatedAt.Equal(testNow) || !is[0].HandledAt.IsZero() {
			t.Errorf("interest of Rennes: %+v", is)
		}
	})
}

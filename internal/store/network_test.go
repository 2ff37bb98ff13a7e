package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestAnimations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		const epci, other = "243500618", "243500550"
		older := &store.Animation{EPCI: epci, At: time.Date(2026, 9, 15, 14, 0, 0, 0, time.UTC), Theme: "Atelier accueil", Participants: []string{"a", "b"}, Notes: "Bilan", CreatedBy: "ref@example.org"}
		newer := &store.Animation{EPCI: epci, At: time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC), Theme: "Réunion de réseau"}
		elsewhere := &store.Animation{EPCI: other, At: testNow, Theme: "Ailleurs"}
		for _, a := range []*store.Animation{older, newer, elsewhere} {
			if err := st.CreateAnimation(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		list, err := st.Animations(ctx, epci)
		if err != nil || len(list) != 2 || list[0].ID != newer.ID || list[1].ID != older.ID {
			t.Fatalf("Animations = %+v, %v", list, err)
		}
		if !list[1].At.Equal(older.At) || !reflect.DeepEqual(list[1].Participants, []string{"a", "b"}) || list[1].Notes != "Bilan" || list[1].CreatedBy != "ref@example.org" || !list[1].CreatedAt.Equal(testNow) {
			t.Errorf("animation read back = %+v", list[1])
		}
		older.Theme, older.Participants, older.Notes = "Atelier accueil des publics", []string{"b"}, ""
		if err := st.UpdateAnimation(ctx, older); err != nil {
			t.Fatal(err)
		}
		got, err := st.Animation(ctx, epci, older.ID)
		if err != nil || got.Theme != "Atelier accueil des publics" || !reflect.DeepEqual(got.Participants, []string{"b"}) || got.Notes != "" {
			t.Errorf("updated animation = %+v, %v", got, err)
		}
		// Another territory's id is not found, neither to read, edit nor delete.
		if _, err := st.Animation(ctx, epci, elsewhere.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("read across territories: %v", err)
		}
		moved := *elsewhere
		moved.EPCI = epci
		if err := st.UpdateAnimation(ctx, &moved); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update across territories: %v", err)
		}
		if err := st.DeleteAnimation(ctx, epci, elsewhere.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete across territories: %v", err)
		}
		if err := st.DeleteAnimation(ctx, epci, newer.ID); err != nil {
			t.Fatal(err)
		}
		list, _ = st.Animations(ctx, epci)
		if len(list) != 1 || list[0].ID != older.ID {
			t.Errorf("after delete = %+v", list)
		}
	})
}

func TestNetworkDirectory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		w := store.Write{Actor: place.Actor{Kind: place.ActorPerson}}
		a := newPlace(t, "35211", "Médiathèque")
		b := newPlace(t, "35211", "Centre social")
		gone := newPlace(t, "35211", "Ancien espace")
		gone.Status = place.StatusGone
		rennes := newPlace(t, "35238", "Mairie de Rennes")
		for _, p := range []*place.Place{a, b, gone, rennes} {
			if err := st.CreatePlace(ctx, p, w); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []*place.Place{a, gone, rennes} {
			if err := st.SetDirectoryConsent(ctx, p.ID, true, "ref@example.org"); err != nil {
				t.Fatal(err)
			}
		}
		// Recording it again keeps the first date.
		clock(st, testNow.Add(time.Hour))
		if err := st.SetDirectoryConsent(ctx, a.ID, true, "autre@example.org"); err != nil {
			t.Fatal(err)
		}
		dir, err := st.Directory(ctx, a.EPCI)
		if err != nil || len(dir) != 1 {
			t.Fatalf("Directory = %+v, %v", dir, err)
		}
		e := dir[0]
		if e.PlaceID != a.ID || e.Nom != "Médiathèque" || e.ContactNom != "Anne Privée" || e.ContactEmail != "anne.privee@example.org" ||
			!reflect.DeepEqual(e.Courriels, []string{"mairie@example.org"}) || e.Telephone == "" || !e.ConsentAt.Equal(testNow) || e.ByUser != "ref@example.org" {
			t.Errorf("directory entry = %+v", e)
		}
		consents, err := st.DirectoryConsents(ctx, a.EPCI)
		if err != nil || !consents[a.ID] || !consents[gone.ID] || consents[b.ID] || consents[rennes.ID] {
			t.Errorf("consents = %v, %v", consents, err)
		}
		if err := st.SetDirectoryConsent(ctx, a.ID, false, ""); err != nil {
			t.Fatal(err)
		}
		if dir, _ := st.Directory(ctx, a.EPCI); len(dir) != 0 {
			t.Errorf("withdrawn consent still listed: %+v", dir)
		}
	})
}

package store_test

import (
	"errors"
	"reflect"
	"testing"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

// EachPlaceOfTerritory streams every place of a territory, whatever its
// status, with private fields and every complementary value, by name; ""
// streams all territories; an error of fn stops it.
func TestEachPlaceOfTerritory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		for i, f := range []place.ExtraField{
			{EPCI: broceliande, Key: "wifi", Label: "Wifi", Kind: place.ExtraBool},
			{EPCI: broceliande, Key: "nb-postes", Label: "Postes", Kind: place.ExtraNumber},
			{EPCI: broceliande, Key: "journee", Label: "Journée", Kind: place.ExtraChoice, Options: []string{"Oui", "Non"}},
		} {
			f.Position = i
			if err := st.CreateExtraField(ctx, &f); err != nil {
				t.Fatal(err)
			}
		}
		want := map[string]struct {
			status place.Status
			extra  map[string]string
		}{
			"Médiathèque de Paimpont": {place.StatusActive, map[string]string{"wifi": "oui", "nb-postes": "4", "journee": "Oui"}},
			"Atelier numérique":       {place.StatusActive, nil},
			"Bibliothèque fermée":     {place.StatusClosed, map[string]string{"wifi": "non"}},
			"Centre social disparu":   {place.StatusGone, map[string]string{"nb-postes": "2", "journee": "Non"}},
		}
		for _, nom := range []string{"Médiathèque de Paimpont", "Atelier numérique", "Bibliothèque fermée", "Centre social disparu"} {
			p := newPlace(t, "35211", nom)
			p.Status, p.Extra = want[nom].status, want[nom].extra
			mustCreatePlace(t, st, p)
		}
		mustCreatePlace(t, st, newPlace(t, "35238", "Mairie de Rennes"))

		collect := func(epci string) []*place.Place {
			t.Helper()
			var got []*place.Place
			if err := st.EachPlaceOfTerritory(ctx, epci, func(p *place.Place) error {
				got = append(got, p)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			return got
		}
		got := collect(broceliande)
		var names []string
		for _, p := range got {
			names = append(names, p.Nom)
			w := want[p.Nom]
			if p.Status != w.status {
				t.Errorf("%s: status %q, want %q", p.Nom, p.Status, w.status)
			}
			if !reflect.DeepEqual(p.Extra, w.extra) {
				t.Errorf("%s: extra %v, want %v", p.Nom, p.Extra, w.extra)
			}
			if p.ContactNom != "Anne Privée" || p.ContactEmail != "anne.privee@example.org" || p.Notes != "note du référent" {
				t.Errorf("%s: private fields missing: %q %q %q", p.Nom, p.ContactNom, p.ContactEmail, p.Notes)
			}
			// The same record as the editor reads, field for field.
			if full := mustGetPlace(t, st, p.ID); !reflect.DeepEqual(full, p) {
				t.Errorf("%s: streamed record differs from GetPlace:\n%+v\n%+v", p.Nom, p, full)
			}
		}
		wantNames := []string{"Atelier numérique", "Bibliothèque fermée", "Centre social disparu", "Médiathèque de Paimpont"}
		if !reflect.DeepEqual(names, wantNames) {
			t.Errorf("order %v, want %v", names, wantNames)
		}
		var allNames []string
		for _, p := range collect("") {
			allNames = append(allNames, p.Nom)
		}
		if w := []string{"Atelier numérique", "Bibliothèque fermée", "Centre social disparu", "Mairie de Rennes", "Médiathèque de Paimpont"}; !reflect.DeepEqual(allNames, w) {
			t.Errorf("all territories: %v, want %v", allNames, w)
		}
		if none := collect("200054781"); len(none) != 0 {
			t.Errorf("another territory streams %d places", len(none))
		}
		stop := errors.New("stop")
		n := 0
		err := st.EachPlaceOfTerritory(ctx, "", func(*place.Place) error { n++; return stop })
		if !errors.Is(err, stop) || n != 1 {
			t.Errorf("fn error: %v after %d places", err, n)
		}
	})
}

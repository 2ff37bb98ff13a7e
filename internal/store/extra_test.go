package store_test

import (
	"errors"
	"reflect"
	"testing"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestExtraFieldsManaged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		const epci = "243500618"
		wifi := &place.ExtraField{EPCI: epci, Key: "wifi", Label: "Wifi", Kind: place.ExtraBool, Position: 1}
		postes := &place.ExtraField{EPCI: epci, Key: "nb-postes", Label: "Postes", Kind: place.ExtraNumber, Position: 2}
		public := &place.ExtraField{EPCI: epci, Key: "public", Label: "Public", Kind: place.ExtraChoice, Options: []string{"Jeunes", "Seniors"}, Position: 3}
		for _, f := range []*place.ExtraField{wifi, postes, public} {
			if err := st.CreateExtraField(ctx, f); err != nil {
				t.Fatal(err)
			}
		}
		p := newPlace(t, "35211", "Tiers-lieu")
		p.Extra = map[string]string{"wifi": "oui", "nb-postes": "4"}
		w := store.Write{Actor: place.Actor{Kind: place.ActorPerson}}
		if err := st.CreatePlace(ctx, p, w); err != nil {
			t.Fatal(err)
		}

		// Edit: label, help and choices; the key and kind stay.
		public.Label, public.Help, public.Options = "Publics accueillis", "Le public principal", []string{"Jeunes", "Seniors", "Familles"}
		public.Kind = place.ExtraText
		if err := st.UpdateExtraField(ctx, public); err != nil {
			t.Fatal(err)
		}
		bad := *public
		bad.Label = " "
		if err := st.UpdateExtraField(ctx, &bad); err == nil {
			t.Error("empty label accepted")
		}
		if err := st.UpdateExtraField(ctx, &place.ExtraField{ID: public.ID, EPCI: "243500550", Key: "public", Label: "x", Kind: place.ExtraText}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("another territory's field updated: %v", err)
		}

		// Reorder: "Publics accueillis" up twice, "Wifi" down once.
		st.MoveExtraField(ctx, epci, public.ID, -1)
		st.MoveExtraField(ctx, epci, public.ID, -1)
		st.MoveExtraField(ctx, epci, public.ID, -1) // already first
		if err := st.MoveExtraField(ctx, "243500550", wifi.ID, 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("moved through another territory: %v", err)
		}
		all, err := st.AllExtraFields(ctx, epci)
		if err != nil {
			t.Fatal(err)
		}
		keys := func(fs []place.ExtraField) []string {
			var out []string
			for _, f := range fs {
				out = append(out, f.Key)
			}
			return out
		}
		var allKeys []string
		for _, f := range all {
			allKeys = append(allKeys, f.Key)
		}
		if !reflect.DeepEqual(allKeys, []string{"public", "wifi", "nb-postes"}) || all[0].Kind != place.ExtraChoice || len(all[0].Options) != 3 {
			t.Fatalf("order after moves = %v %+v", allKeys, all[0])
		}

		// Retire: no longer asked, its values kept through later writes.
		if err := st.RetireExtraField(ctx, epci, wifi.ID, true); err != nil {
			t.Fatal(err)
		}
		fields, _ := st.ExtraFields(ctx, epci)
		if got := keys(fields); !reflect.DeepEqual(got, []string{"public", "nb-postes"}) {
			t.Errorf("ExtraFields after retiring wifi = %v", got)
		}
		all, _ = st.AllExtraFields(ctx, epci)
		if !all[1].Retired() || !all[1].RetiredAt.Equal(testNow) {
			t.Errorf("retired field = %+v", all[1])
		}
		got, _ := st.GetPlace(ctx, p.ID)
		if got.Extra["wifi"] != "oui" {
			t.Errorf("retired value not readable: %v", got.Extra)
		}
		// A form without the retired field (the editor's) keeps its value
		// and records no change of it; a value sent for it is ignored.
		got.Extra = map[string]string{"nb-postes": "5", "public": "familles"}
		if err := st.UpdatePlace(ctx, got, w); err != nil {
			t.Fatal(err)
		}
		got, _ = st.GetPlace(ctx, p.ID)
		if !reflect.DeepEqual(got.Extra, map[string]string{"wifi": "oui", "nb-postes": "5", "public": "Familles"}) {
			t.Errorf("extra after an edit = %v", got.Extra)
		}
		hist, err := st.PlaceHistory(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hist {
			for _, c := range h.Changes {
				if c.Field == "extra.wifi" && c.Old == "oui" {
					t.Errorf("the retired value's history moved: %+v", c)
				}
			}
		}
		got.Extra["wifi"] = "non"
		if err := st.UpdatePlace(ctx, got, w); err != nil {
			t.Fatal(err)
		}
		got, _ = st.GetPlace(ctx, p.ID)
		if got.Extra["wifi"] != "oui" {
			t.Errorf("a retired value was overwritten: %v", got.Extra)
		}
		n, err := st.ExtraFieldValues(ctx, epci)
		if err != nil || n[wifi.ID] != 1 || n[postes.ID] != 1 {
			t.Errorf("values count = %v, %v", n, err)
		}
		// The key stays taken while retired.
		if err := st.CreateExtraField(ctx, &place.ExtraField{EPCI: epci, Key: "wifi", Label: "Wifi 2", Kind: place.ExtraBool}); !errors.Is(err, store.ErrExtraFieldExists) {
			t.Errorf("retired key reused: %v", err)
		}

		// Restore: asked again, with its values.
		if err := st.RetireExtraField(ctx, epci, wifi.ID, false); err != nil {
			t.Fatal(err)
		}
		fields, _ = st.ExtraFields(ctx, epci)
		if got := keys(fields); !reflect.DeepEqual(got, []string{"public", "wifi", "nb-postes"}) {
			t.Errorf("ExtraFields after restoring = %v", got)
		}
		got, _ = st.GetPlace(ctx, p.ID)
		got.Extra["wifi"] = "non"
		if err := st.UpdatePlace(ctx, got, w); err != nil {
			t.Fatal(err)
		}
		got, _ = st.GetPlace(ctx, p.ID)
		if got.Extra["wifi"] != "non" {
			t.Errorf("a restored field cannot be written: %v", got.Extra)
		}
	})
}

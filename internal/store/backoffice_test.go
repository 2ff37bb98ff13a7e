package store_test

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

var person = store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: "referente@example.org"}}

func mustCreatePlace(t *testing.T, st *store.Store, p *place.Place) *place.Place {
	t.Helper()
	if err := st.CreatePlace(ctx, p, person); err != nil {
		t.Fatalf("CreatePlace(%s): %v", p.Nom, err)
	}
	return p
}

func mustGetPlace(t *testing.T, st *store.Store, id string) *place.Place {
	t.Helper()
	p, err := st.GetPlace(ctx, id)
	if err != nil {
		t.Fatalf("GetPlace(%s): %v", id, err)
	}
	return p
}

func history(t *testing.T, st *store.Store, id string) []place.HistoryEntry {
	t.Helper()
	h, err := st.PlaceHistory(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func changedFields(cs []place.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Field)
	}
	return out
}

func TestTerritoryPlaces(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		wifi := &place.ExtraField{EPCI: broceliande, Key: "wifi", Label: "Wifi", Kind: place.ExtraBool, Position: 1}
		if err := st.CreateExtraField(ctx, wifi); err != nil {
			t.Fatal(err)
		}
		statuses := map[string]place.Status{
			"Atelier numérique":         place.StatusActive,
			"Bibliothèque fermée":       place.StatusClosed,
			"Centre social disparu":     place.StatusGone,
			"Doublon de la médiathèque": place.StatusDuplicate,
			"Médiathèque de Paimpont":   place.StatusActive,
		}
		ids := map[string]string{}
		for _, nom := range []string{"Médiathèque de Paimpont", "Atelier numérique", "Bibliothèque fermée", "Centre social disparu"} {
			p := newPlace(t, "35211", nom)
			p.Status = statuses[nom]
			p.Extra = map[string]string{"wifi": "oui"}
			ids[nom] = mustCreatePlace(t, st, p).ID
		}
		dup := newPlace(t, "35223", "Doublon de la médiathèque")
		dup.Status, dup.DuplicateOf = place.StatusDuplicate, ids["Médiathèque de Paimpont"]
		ids[dup.Nom] = mustCreatePlace(t, st, dup).ID
		mustCreatePlace(t, st, newPlace(t, "35238", "Mairie de Rennes"))

		got, err := st.TerritoryPlaces(ctx, broceliande)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range got {
			names = append(names, p.Nom)
			if p.Status != statuses[p.Nom] || p.ID != ids[p.Nom] {
				t.Errorf("%s: status %q id %s, want %q %s", p.Nom, p.Status, p.ID, statuses[p.Nom], ids[p.Nom])
			}
			if p.ContactNom != "Anne Privée" || p.ContactEmail != "anne.privee@example.org" || p.Notes != "note du référent" {
				t.Errorf("%s: private fields missing: %q %q %q", p.Nom, p.ContactNom, p.ContactEmail, p.Notes)
			}
			if p.EPCI != broceliande {
				t.Errorf("%s: EPCI %s", p.Nom, p.EPCI)
			}
		}
		want := []string{"Atelier numérique", "Bibliothèque fermée", "Centre social disparu", "Doublon de la médiathèque", "Médiathèque de Paimpont"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("TerritoryPlaces = %v, want %v (every status, by name)", names, want)
		}
		if d := got[3]; d.DuplicateOf != ids["Médiathèque de Paimpont"] {
			t.Errorf("duplicate_of = %q", d.DuplicateOf)
		}
		if other, _ := st.TerritoryPlaces(ctx, "200054781"); len(other) != 0 {
			t.Errorf("another territory lists %d places", len(other))
		}
	})
}

func TestRevertChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		if err := st.CreateExtraField(ctx, &place.ExtraField{EPCI: broceliande, Key: "wifi", Label: "Wifi", Kind: place.ExtraBool}); err != nil {
			t.Fatal(err)
		}
		p := newPlace(t, "35211", "Médiathèque de Paimpont")
		p.Extra = map[string]string{"wifi": "oui"}
		mustCreatePlace(t, st, p)
		orig := mustGetPlace(t, st, p.ID)

		// H changes a text, a set, a private and a complementary field.
		clock(st, testNow.Add(time.Hour))
		v1 := mustGetPlace(t, st, p.ID)
		v1.Nom = "Médiathèque Au fil des mots"
		v1.Services |= place.Services.Bit("acces-materiel")
		v1.ContactEmail = "nouvelle@example.org"
		v1.Extra["wifi"] = "non"
		if err := st.UpdatePlace(ctx, v1, person); err != nil {
			t.Fatal(err)
		}
		h := history(t, st, p.ID)
		H := h[0]
		if want := []string{"nom", "services", "contact_email", "extra.wifi"}; !reflect.DeepEqual(changedFields(H.Changes), want) {
			t.Fatalf("H changes %v, want %v", changedFields(H.Changes), want)
		}

		clock(st, testNow.Add(2*time.Hour))
		revertWrite := store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: "hub@example.org"}}
		conflicts, err := st.RevertChange(ctx, p.ID, H.ID, revertWrite)
		if err != nil || len(conflicts) != 0 {
			t.Fatalf("RevertChange = %v, %v", conflicts, err)
		}
		got := mustGetPlace(t, st, p.ID)
		if d := place.Diff(orig, got); len(d) != 0 {
			t.Errorf("after revert the place still differs from the original: %+v", d)
		}
		if !got.DateMaj.Equal(orig.DateMaj) || !got.UpdatedAt.Equal(testNow.Add(2*time.Hour)) || !got.CreatedAt.Equal(orig.CreatedAt) {
			t.Errorf("dates after revert: date_maj %v updated %v created %v", got.DateMaj, got.UpdatedAt, got.CreatedAt)
		}
		h = history(t, st, p.ID)
		if len(h) != 3 {
			t.Fatalf("history has %d entries, want 3", len(h))
		}
		r := h[0]
		if r.Actor != revertWrite.Actor || !strings.HasPrefix(r.Summary, "annulation de la modification du 26/11/2026") ||
			!reflect.DeepEqual(changedFields(r.Changes), changedFields(H.Changes)) {
			t.Errorf("revert entry = %+v", r)
		}
		for i, c := range r.Changes {
			if c.Old != H.Changes[i].New || c.New != H.Changes[i].Old {
				t.Errorf("revert change %+v is not the inverse of %+v", c, H.Changes[i])
			}
		}

		// Unknown entry, or an entry of another place: not found.
		other := mustCreatePlace(t, st, newPlace(t, "35211", "Autre lieu"))
		otherH := history(t, st, other.ID)[0]
		for _, c := range []struct {
			place string
			id    int64
		}{{p.ID, 999999}, {p.ID, otherH.ID}, {"nope", H.ID}} {
			if _, err := st.RevertChange(ctx, c.place, c.id, person); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("RevertChange(%s, %d) = %v, want ErrNotFound", c.place, c.id, err)
			}
		}
	})
}

// A revert after a confirmation that also changed a field keeps the
// confirmed date: a revert is neither a confirmation nor its undoing.
func TestRevertChangeKeepsDateMaj(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		p := mustCreatePlace(t, st, newPlace(t, "35211", "Médiathèque"))
		clock(st, testNow.Add(24*time.Hour))
		v1 := mustGetPlace(t, st, p.ID)
		v1.Horaires = "Mo 10:00-12:00"
		if err := st.UpdatePlace(ctx, v1, store.Write{Actor: person.Actor, Confirm: true}); err != nil {
			t.Fatal(err)
		}
		H := history(t, st, p.ID)[0]
		if want := []string{"horaires", "date_maj"}; !reflect.DeepEqual(changedFields(H.Changes), want) {
			t.Fatalf("H = %+v", H.Changes)
		}
		confirmed := mustGetPlace(t, st, p.ID).DateMaj
		clock(st, testNow.Add(48*time.Hour))
		if _, err := st.RevertChange(ctx, p.ID, H.ID, person); err != nil {
			t.Fatal(err)
		}
		got := mustGetPlace(t, st, p.ID)
		if got.Horaires != p.Horaires || !got.DateMaj.Equal(confirmed) {
			t.Errorf("after revert: horaires %q date_maj %v, want %q %v", got.Horaires, got.DateMaj, p.Horaires, confirmed)
		}
		if c := history(t, st, p.ID)[0].Changes; !reflect.DeepEqual(changedFields(c), []string{"horaires"}) {
			t.Errorf("revert entry changes %+v", c)
		}
	})
}

func TestRevertChangeConflicts(t *testing.T) {
	tests := []struct {
		name      string
		later     func(p *place.Place) // applied after H
		conflicts []string
		err       error
		wantNom   string
		wantHor   string
	}{
		{"one field changed since", func(p *place.Place) { p.Horaires = "Tu 10:00-12:00" },
			[]string{"horaires"}, nil, "Mairie", "Tu 10:00-12:00"},
		{"unrelated field changed since", func(p *place.Place) { p.Resume = "Nouveau résumé." },
			nil, nil, "Mairie", "Mo-Fr 09:00-12:00,14:00-17:00"},
		{"every field changed since", func(p *place.Place) { p.Nom, p.Horaires = "Mairie 3", "Tu 10:00-12:00" },
			[]string{"nom", "horaires"}, store.ErrConflict, "Mairie 3", "Tu 10:00-12:00"},
	}
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				clock(st, testNow)
				p := mustCreatePlace(t, st, newPlace(t, "35223", "Mairie"))
				clock(st, testNow.Add(time.Hour))
				v1 := mustGetPlace(t, st, p.ID)
				v1.Nom, v1.Horaires = "Mairie 2", "Mo 10:00-12:00"
				if err := st.UpdatePlace(ctx, v1, person); err != nil {
					t.Fatal(err)
				}
				H := history(t, st, p.ID)[0]
				clock(st, testNow.Add(2*time.Hour))
				v2 := mustGetPlace(t, st, p.ID)
				tt.later(v2)
				if err := st.UpdatePlace(ctx, v2, person); err != nil {
					t.Fatal(err)
				}
				before := mustGetPlace(t, st, p.ID)
				nHist := len(history(t, st, p.ID))

				clock(st, testNow.Add(3*time.Hour))
				conflicts, err := st.RevertChange(ctx, p.ID, H.ID, person)
				if !errors.Is(err, tt.err) || (tt.err == nil) != (err == nil) {
					t.Fatalf("RevertChange err = %v, want %v", err, tt.err)
				}
				if !reflect.DeepEqual(conflicts, tt.conflicts) {
					t.Errorf("conflicts = %v, want %v", conflicts, tt.conflicts)
				}
				got := mustGetPlace(t, st, p.ID)
				if got.Nom != tt.wantNom || got.Horaires != tt.wantHor {
					t.Errorf("after revert: nom %q horaires %q, want %q %q", got.Nom, got.Horaires, tt.wantNom, tt.wantHor)
				}
				h := history(t, st, p.ID)
				if tt.err != nil {
					if len(h) != nHist || !reflect.DeepEqual(got, before) {
						t.Errorf("a refused revert wrote: %d → %d history entries, place %+v", nHist, len(h), place.Diff(before, got))
					}
					return
				}
				if len(h) != nHist+1 {
					t.Fatalf("history %d → %d entries", nHist, len(h))
				}
				for _, c := range h[0].Changes {
					for _, f := range tt.conflicts {
						if c.Field == f {
							t.Errorf("conflicting field %s written by the revert: %+v", f, c)
						}
					}
				}
			})
		}
	})
}

// Reverting a move to another commune brings the place back to its
// territory, not only its INSEE code.
func TestRevertChangeOfCommune(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		ref := territory.Default()
		p := mustCreatePlace(t, st, newPlace(t, "35211", "Tiers-lieu"))
		clock(st, testNow.Add(time.Hour))
		moved := newPlace(t, "35238", "Tiers-lieu") // as the editor saves it: normalised
		moved.ID = p.ID
		if err := st.UpdatePlace(ctx, moved, person); err != nil {
			t.Fatal(err)
		}
		if got := mustGetPlace(t, st, p.ID); got.EPCI != rennesMetro {
			t.Fatalf("moved place in EPCI %s", got.EPCI)
		}
		H := history(t, st, p.ID)[0]
		if _, err := st.RevertChange(ctx, p.ID, H.ID, person); err != nil {
			t.Fatal(err)
		}
		got := mustGetPlace(t, st, p.ID)
		c, _ := ref.Commune("35211")
		if got.CodeInsee != "35211" || got.EPCI != c.EPCI || got.Departement != c.Departement || got.Region != c.Region {
			t.Errorf("reverted place: insee %s epci %s dep %s reg %s, want 35211 %s %s %s",
				got.CodeInsee, got.EPCI, got.Departement, got.Region, c.EPCI, c.Departement, c.Region)
		}
		if l, _ := st.TerritoryPlaces(ctx, broceliande); len(l) != 1 {
			t.Errorf("Brocéliande lists %d places after the revert", len(l))
		}
		if l, _ := st.TerritoryPlaces(ctx, rennesMetro); len(l) != 0 {
			t.Errorf("Rennes Métropole still lists the place after the revert")
		}
	})
}

func TestMergePlaces(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		if err := st.CreateExtraField(ctx, &place.ExtraField{EPCI: broceliande, Key: "wifi", Label: "Wifi", Kind: place.ExtraBool}); err != nil {
			t.Fatal(err)
		}
		keep := newPlace(t, "35211", "Médiathèque de Paimpont")
		keep = mustCreatePlace(t, st, keep)
		other := newPlace(t, "35211", "Mediatheque Paimpont")
		other.Telephone = "+33299000001"
		other.Courriels = []string{"accueil@paimpont.example.org"}
		other.Services = place.Services.Bit("acces-materiel")
		other.Notes = "autre note"
		other.Extra = map[string]string{"wifi": "oui"}
		other.DateMaj = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
		other = mustCreatePlace(t, st, other)
		keepBefore := mustGetPlace(t, st, keep.ID)
		otherBefore := mustGetPlace(t, st, other.ID)

		// Failures write nothing.
		clock(st, testNow.Add(time.Hour))
		merged := place.Merge(keepBefore, otherBefore, map[string]bool{"telephone": true})
		if err := st.MergePlaces(ctx, merged, "nope", person); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("MergePlaces with an unknown other = %v, want ErrNotFound", err)
		}
		bad := place.Merge(keepBefore, otherBefore, nil)
		bad.Extra = map[string]string{"inconnu": "x"}
		if err := st.MergePlaces(ctx, bad, other.ID, person); err == nil {
			t.Error("MergePlaces with an invalid merged record succeeded")
		}
		if got := mustGetPlace(t, st, keep.ID); !reflect.DeepEqual(got, keepBefore) || len(history(t, st, keep.ID)) != 1 {
			t.Errorf("failed merges changed the kept place: %+v", place.Diff(keepBefore, got))
		}
		if got := mustGetPlace(t, st, other.ID); !reflect.DeepEqual(got, otherBefore) || len(history(t, st, other.ID)) != 1 {
			t.Errorf("failed merges changed the other place: %+v", place.Diff(otherBefore, got))
		}

		if err := st.MergePlaces(ctx, merged, other.ID, person); err != nil {
			t.Fatal(err)
		}
		k := mustGetPlace(t, st, keep.ID)
		if k.Telephone != "+33299000001" || k.Nom != "Médiathèque de Paimpont" || k.Status != place.StatusActive {
			t.Errorf("kept place: tel %q nom %q status %q", k.Telephone, k.Nom, k.Status)
		}
		if !reflect.DeepEqual(k.Courriels, []string{"mairie@example.org", "accueil@paimpont.example.org"}) ||
			k.Services != place.Services.Bit("aide-demarches")|place.Services.Bit("acces-materiel") ||
			k.Notes != "note du référent\nautre note" || k.Extra["wifi"] != "oui" {
			t.Errorf("kept place lacks merged values: courriels %v services %v notes %q extra %v", k.Courriels, k.Services, k.Notes, k.Extra)
		}
		o := mustGetPlace(t, st, other.ID)
		if o.Status != place.StatusDuplicate || o.DuplicateOf != keep.ID || o.Nom != "Mediatheque Paimpont" {
			t.Errorf("other place: status %q duplicate_of %q nom %q", o.Status, o.DuplicateOf, o.Nom)
		}
		if _, err := st.GetPublicPlace(ctx, other.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("the duplicate is still public: %v", err)
		}
		hk, ho := history(t, st, keep.ID), history(t, st, other.ID)
		if len(hk) != 2 || hk[0].Summary != "fusion avec « Mediatheque Paimpont »" || hk[0].Actor != person.Actor {
			t.Errorf("kept place history: %+v", hk)
		}
		if len(ho) != 2 || ho[0].Summary != "doublon de « Médiathèque de Paimpont »" ||
			!reflect.DeepEqual(changedFields(ho[0].Changes), []string{"doublon_de", "statut"}) {
			t.Errorf("other place history: %+v", ho)
		}
	})
}

func TestNotDuplicates(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		a := mustCreatePlace(t, st, newPlace(t, "35211", "Mairie"))
		b := mustCreatePlace(t, st, newPlace(t, "35211", "Mairie annexe"))
		c := mustCreatePlace(t, st, newPlace(t, "35238", "Mairie de Rennes"))
		lo, hi := a.ID, b.ID
		if hi < lo {
			lo, hi = hi, lo
		}
		if got, err := st.NotDuplicates(ctx, broceliande); err != nil || len(got) != 0 {
			t.Fatalf("NotDuplicates before = %v, %v", got, err)
		}
		// Either order, any number of times: one pair.
		for _, pair := range [][2]string{{hi, lo}, {lo, hi}, {hi, lo}} {
			if err := st.MarkNotDuplicate(ctx, pair[0], pair[1]); err != nil {
				t.Fatalf("MarkNotDuplicate(%s, %s) = %v", pair[0], pair[1], err)
			}
		}
		got, err := st.NotDuplicates(ctx, broceliande)
		if err != nil || !reflect.DeepEqual(got, map[string]bool{lo + "|" + hi: true}) {
			t.Errorf("NotDuplicates = %v, %v, want {%s|%s}", got, err, lo, hi)
		}
		if got, _ := st.NotDuplicates(ctx, rennesMetro); len(got) != 0 {
			t.Errorf("Rennes Métropole sees %v", got)
		}
		if err := st.MarkNotDuplicate(ctx, c.ID, "nope"); err == nil {
			t.Error("a pair with an unknown place was stored")
		}
	})
}

func TestReportStatus(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		p := mustCreatePlace(t, st, newPlace(t, "35211", "Médiathèque"))
		r := &report.Report{PlaceID: p.ID, Categories: []string{"horaires", "telephone"}, Message: "Fermé le lundi", Email: "a@example.org"}
		if err := st.CreateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		got, err := st.Report(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *r
		if !reflect.DeepEqual(*got, want) || got.EPCI != broceliande || got.Status != report.StatusNew || !got.CreatedAt.Equal(testNow) {
			t.Errorf("Report = %+v, want %+v", got, want)
		}
		for _, status := range []string{report.StatusHandled, report.StatusNew, report.StatusRejected} {
			if err := st.SetReportStatus(ctx, r.ID, status); err != nil {
				t.Fatal(err)
			}
			if got, _ := st.Report(ctx, r.ID); got.Status != status {
				t.Errorf("status %q after setting %q", got.Status, status)
			}
		}
		if err := st.SetReportStatus(ctx, "nope", report.StatusHandled); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SetReportStatus(unknown) = %v, want ErrNotFound", err)
		}
		if _, err := st.Report(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Report(unknown) = %v, want ErrNotFound", err)
		}
	})
}

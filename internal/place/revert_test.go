package place

import (
	"reflect"
	"testing"
	"time"
)

// revertBase is a normalised, complete place with a complementary value
// and timestamps, as the store returns it.
func revertBase(t *testing.T) *Place {
	t.Helper()
	p := valid()
	p.Normalize(ref(t))
	p.Extra = map[string]string{"wifi": "oui", "nb-postes": "4"}
	p.CreatedAt = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	p.UpdatedAt = time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC)
	return p
}

// Editing a place then reverting the diff gives back the place exactly.
func TestRevertRoundTrip(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(p *Place)
		fields []string // the fields Diff must see
	}{
		{"text", func(p *Place) { p.Nom = "Médiathèque Au fil des mots" }, []string{"nom"}},
		{"text emptied", func(p *Place) { p.Detail = "" }, []string{"presentation_detail"}},
		{"phone", func(p *Place) { p.Telephone = "+33299000000" }, []string{"telephone"}},
		{"list item added", func(p *Place) { p.Courriels = append(p.Courriels, "accueil@paimpont.example.org") }, []string{"courriels"}},
		{"list reordered", func(p *Place) { p.Typologies = []string{"MUNI", "BIB"} }, []string{"typologie"}},
		{"list emptied", func(p *Place) { p.SitesWeb = nil }, []string{"site_web"}},
		{"set item added", func(p *Place) { p.Services |= Services.Bit("aide-demarches") }, []string{"services"}},
		{"set item removed", func(p *Place) { p.Services &^= Services.Bit("acces-materiel") }, []string{"services"}},
		{"set emptied", func(p *Place) { p.Publics = 0 }, []string{"publics_specifiquement_adresses"}},
		{"coordinates moved", func(p *Place) { p.Latitude, p.Longitude = 48.0212345, -2.1698765 }, []string{"latitude", "longitude"}},
		{"coordinates removed", func(p *Place) { p.Latitude, p.Longitude, p.HasCoords = 0, 0, false }, []string{"latitude", "longitude"}},
		{"pivot removed", func(p *Place) { p.Pivot = "" }, []string{"pivot"}},
		{"private contact", func(p *Place) { p.ContactEmail = "autre@paimpont.example.org" }, []string{"contact_email"}},
		{"private notes", func(p *Place) { p.Notes = "Ne répond plus le lundi." }, []string{"notes"}},
		{"private contact emptied", func(p *Place) { p.ContactNom, p.ContactTelephone = "", "" }, []string{"contact_nom", "contact_telephone"}},
		{"extra changed", func(p *Place) { p.Extra["wifi"] = "non" }, []string{"extra.wifi"}},
		{"extra added", func(p *Place) { p.Extra["horaires-ete"] = "fermé en août" }, []string{"extra.horaires-ete"}},
		{"extra removed", func(p *Place) { delete(p.Extra, "nb-postes") }, []string{"extra.nb-postes"}},
		{"all extras removed", func(p *Place) { p.Extra = nil }, []string{"extra.nb-postes", "extra.wifi"}},
		{"status", func(p *Place) { p.Status = StatusClosed }, []string{"statut"}},
		{"duplicate", func(p *Place) { p.Status, p.DuplicateOf = StatusDuplicate, "f2a5c1de-0000-4000-8000-000000000002" },
			[]string{"statut", "doublon_de"}},
		{"several kinds at once", func(p *Place) {
			p.Nom, p.Horaires = "Autre nom", "Mo 10:00-12:00"
			p.Frais = Frais.Bit("payant")
			p.Notes = ""
			p.Extra["wifi"] = "non"
			p.Status = StatusGone
		}, []string{"nom", "horaires", "frais_a_charge", "notes", "statut", "extra.wifi"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			old := revertBase(t)
			cur := clonePlace(old)
			tt.edit(cur)
			cur.UpdatedAt = old.UpdatedAt.Add(time.Hour)
			changes := Diff(old, cur)
			var fields []string
			for _, c := range changes {
				fields = append(fields, c.Field)
			}
			if !sameSet(fields, tt.fields) {
				t.Fatalf("Diff saw %v, want %v", fields, tt.fields)
			}
			before := clonePlace(cur)
			got, conflicts, errs := Revert(cur, changes)
			if len(errs) > 0 || len(conflicts) > 0 {
				t.Fatalf("Revert: conflicts %v, errors %v", conflicts, errs)
			}
			if !reflect.DeepEqual(cur, before) {
				t.Errorf("Revert modified its input:\n%+v\n%+v", before, cur)
			}
			if d := Diff(old, got); len(d) != 0 {
				t.Errorf("reverted place still differs: %+v", d)
			}
			// Identity, territory and timestamps are the current version's.
			want := clonePlace(old)
			want.UpdatedAt = cur.UpdatedAt
			if !reflect.DeepEqual(got, want) {
				t.Errorf("reverted place differs outside the diff:\ngot  %+v\nwant %+v", got, want)
			}
		})
	}
}

func sameSet(a, b []string) bool {
	m := map[string]int{}
	for _, s := range a {
		m[s]++
	}
	for _, s := range b {
		m[s]--
	}
	for _, n := range m {
		if n != 0 {
			return false
		}
	}
	return len(a) == len(b)
}

// A field changed again since the entry is left as it is and reported;
// the others are reverted.
func TestRevertConflicts(t *testing.T) {
	old := revertBase(t)
	v1 := clonePlace(old)
	v1.Nom, v1.Horaires, v1.ContactEmail = "Nom 1", "Mo 10:00-12:00", "v1@example.org"
	v1.Extra["wifi"] = "non"
	changes := Diff(old, v1)

	tests := []struct {
		name      string
		later     func(p *Place)
		conflicts []string
		check     func(t *testing.T, got *Place)
	}{
		{"none", func(p *Place) {}, nil, func(t *testing.T, got *Place) {
			if len(Diff(old, got)) != 0 {
				t.Errorf("not fully reverted: %+v", Diff(old, got))
			}
		}},
		{"an unrelated field changed since", func(p *Place) { p.Resume = "Autre résumé." }, nil, func(t *testing.T, got *Place) {
			if got.Resume != "Autre résumé." || got.Nom != old.Nom || got.Horaires != old.Horaires {
				t.Errorf("got resume %q nom %q horaires %q", got.Resume, got.Nom, got.Horaires)
			}
		}},
		{"one field changed since", func(p *Place) { p.Nom = "Nom 2" }, []string{"nom"}, func(t *testing.T, got *Place) {
			if got.Nom != "Nom 2" || got.Horaires != old.Horaires || got.ContactEmail != old.ContactEmail || got.Extra["wifi"] != "oui" {
				t.Errorf("got nom %q horaires %q contact %q wifi %q", got.Nom, got.Horaires, got.ContactEmail, got.Extra["wifi"])
			}
		}},
		{"a field changed back to its old value since", func(p *Place) { p.Horaires = old.Horaires }, []string{"horaires"},
			func(t *testing.T, got *Place) {
				if got.Horaires != old.Horaires || got.Nom != old.Nom {
					t.Errorf("got nom %q horaires %q", got.Nom, got.Horaires)
				}
			}},
		{"private and extra changed since", func(p *Place) { p.ContactEmail = "v2@example.org"; p.Extra["wifi"] = "" },
			[]string{"contact_email", "extra.wifi"}, func(t *testing.T, got *Place) {
				if got.ContactEmail != "v2@example.org" || got.Extra["wifi"] != "" || got.Nom != old.Nom {
					t.Errorf("got contact %q wifi %q nom %q", got.ContactEmail, got.Extra["wifi"], got.Nom)
				}
			}},
		{"every field changed since", func(p *Place) {
			p.Nom, p.Horaires, p.ContactEmail = "Nom 2", "Tu 10:00-12:00", "v2@example.org"
			p.Extra["wifi"] = ""
		}, []string{"nom", "horaires", "contact_email", "extra.wifi"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cur := clonePlace(v1)
			cur.Extra = map[string]string{"wifi": "non", "nb-postes": "4"}
			tt.later(cur)
			got, conflicts, errs := Revert(cur, changes)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			if !sameSet(conflicts, tt.conflicts) {
				t.Errorf("conflicts %v, want %v", conflicts, tt.conflicts)
			}
			if tt.check != nil {
				tt.check(t, got)
			} else if d := Diff(cur, got); len(d) != 0 {
				t.Errorf("a revert with only conflicts changed %+v", d)
			}
		})
	}
}

// A revert never moves date_maj, neither back nor forward, and never
// reports it as a conflict.
func TestRevertKeepsDateMaj(t *testing.T) {
	old := revertBase(t)
	v1 := clonePlace(old)
	v1.Nom = "Nom confirmé"
	v1.DateMaj = time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) // a confirmation with a change
	changes := Diff(old, v1)
	if !sameSet(fieldsOf(changes), []string{"nom", "date_maj"}) {
		t.Fatalf("Diff = %+v", changes)
	}
	for _, curDate := range []time.Time{v1.DateMaj, time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)} {
		cur := clonePlace(v1)
		cur.DateMaj = curDate
		got, conflicts, errs := Revert(cur, changes)
		if len(errs) > 0 || len(conflicts) > 0 {
			t.Fatalf("date_maj %v: conflicts %v errors %v", curDate, conflicts, errs)
		}
		if !got.DateMaj.Equal(curDate) || got.Nom != old.Nom {
			t.Errorf("date_maj %v: reverted to date %v, nom %q", curDate, got.DateMaj, got.Nom)
		}
	}
	// Undoing a pure confirmation changes nothing.
	onlyDate := []Change{{Field: "date_maj", Old: "2025-06-01", New: "2026-11-26"}}
	got, conflicts, errs := Revert(v1, onlyDate)
	if len(errs) > 0 || len(conflicts) > 0 || len(Diff(v1, got)) != 0 {
		t.Errorf("revert of a confirmation: diff %+v, conflicts %v, errors %v", Diff(v1, got), conflicts, errs)
	}
}

func fieldsOf(cs []Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Field)
	}
	return out
}

package place

import (
	"math"
	"reflect"
	"testing"
	"time"
)

func TestRatio(t *testing.T) {
	tests := []struct {
		a, b     string
		min, max int
	}{
		{"Mairie", "Mairie", 100, 100},
		{"", "abc", 0, 0},
		{"", "", 0, 0},
		{"!?", "abc", 0, 0}, // nothing left once punctuation goes
		{"fuzzy wuzzy was a bear", "wuzzy fuzzy was a bear", 91, 91}, // fuzzywuzzy's documented value
		{"this is a test", "this is a tests", 97, 97},
		{"abcdefgh", "abcdexyz", 63, 63}, // 62.5 rounds half up, as fuzzball
		{"L'Île-aux-Moines", "l ile aux  moines", 100, 100},
		{"ŒUVRE", "oeuvre", 100, 100},
		{"Médiathèque de Bréal", "mediatheque breal", 85, 100},
		{"12 rue de la Poste", "12 r. de la Poste", 94, 94},
		{"Mairie de Paimpont", "Espace jeunes Plélan", 0, 49},
		{"Point information jeunesse", "Mairie", 0, 49},
	}
	for _, tt := range tests {
		got := Ratio(tt.a, tt.b)
		if got < tt.min || got > tt.max {
			t.Errorf("Ratio(%q, %q) = %d, want %d–%d", tt.a, tt.b, got, tt.min, tt.max)
		}
		if rev := Ratio(tt.b, tt.a); rev != got {
			t.Errorf("Ratio(%q, %q) = %d but %d reversed", tt.a, tt.b, got, rev)
		}
	}
}

func TestDistanceMeters(t *testing.T) {
	tests := []struct {
		lat1, lon1, lat2, lon2, want, tol float64
	}{
		{48.05, -1.86, 48.05, -1.86, 0, 0},
		{0, 0, 1, 0, 111195, 1}, // one degree of meridian
		{48.05, -1.86, 48.05018, -1.86, 20, 0.1},
		{48.1113, -1.6800, 48.8566, 2.3522, 308000, 2000}, // Rennes–Paris
	}
	for _, tt := range tests {
		if got := DistanceMeters(tt.lat1, tt.lon1, tt.lat2, tt.lon2); math.Abs(got-tt.want) > tt.tol {
			t.Errorf("DistanceMeters(%v, %v, %v, %v) = %.1f, want %v ± %v", tt.lat1, tt.lon1, tt.lat2, tt.lon2, got, tt.want, tt.tol)
		}
	}
}

// breal is a place in Bréal-sous-Montfort to compare others with.
func breal() *Place {
	return &Place{
		ID: "a", Nom: "Médiathèque de Bréal", Adresse: "12 rue de la Poste", CodeInsee: "35037",
		Latitude: 48.0500, Longitude: -1.8600, HasCoords: true,
	}
}

func TestDuplicateScore(t *testing.T) {
	tests := []struct {
		name      string
		pivotA    string
		edit      func(b *Place)
		wantScore int // -1: only check the verdict
		wantOK    bool
		wantDup   bool
	}{
		{"20 m apart, close wording", "", func(b *Place) {
			b.Nom, b.Adresse, b.Latitude = "Mediatheque Breal", "12 r. de la Poste", 48.05018
		}, 95, true, true}, // (92 + 94 + 100) / 3, truncated
		{"same name 2 km apart", "", func(b *Place) {
			b.Adresse, b.Latitude = "Place de l'Église", 48.068
		}, -1, true, false},
		{"same name and address 2 km apart", "", func(b *Place) { b.Latitude = 48.068 }, 68, true, false}, // (100+100+5)/3
		{"unrelated neighbour", "", func(b *Place) {
			b.Nom, b.Adresse, b.Latitude = "Mairie", "1 place de la Mairie", 48.0502
		}, -1, true, false},
		{"no coordinates on one side, same name and address", "", func(b *Place) { b.HasCoords = false }, 93, true, true},
		{"no coordinates on one side, other name", "", func(b *Place) { b.HasCoords, b.Nom = false, "Maison France Services" }, -1, true, false},
		{"no coordinates nor address", "", func(b *Place) { b.HasCoords, b.Adresse = false, "" }, 0, false, false},
		{"other commune", "", func(b *Place) { b.CodeInsee = "35211" }, 0, false, false},
		{"same record", "", func(b *Place) { b.ID = "a" }, 0, false, false},
		{"same SIRET across communes", "43493312300029", func(b *Place) {
			b.Nom, b.CodeInsee, b.HasCoords, b.Adresse, b.Pivot = "Autre", "35211", false, "", "434 933 123 00029"
		}, 100, true, true},
		{"placeholder pivots do not match", PivotPlaceholder, func(b *Place) { b.Pivot, b.CodeInsee = PivotPlaceholder, "35211" }, 0, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := breal(), breal()
			b.ID = "b"
			a.Pivot = tt.pivotA
			tt.edit(b)
			for _, pair := range [][2]*Place{{a, b}, {b, a}} {
				score, ok := DuplicateScore(pair[0], pair[1])
				if ok != tt.wantOK || (tt.wantScore >= 0 && score != tt.wantScore) {
					t.Errorf("DuplicateScore = %d, %v; want %d, %v", score, ok, tt.wantScore, tt.wantOK)
				}
				if dup := ok && score > DuplicateThreshold; dup != tt.wantDup {
					t.Errorf("duplicate = %v (score %d), want %v", dup, score, tt.wantDup)
				}
			}
		})
	}
}

// mergeInputs returns two duplicates; called twice it gives equal values,
// to check Merge leaves its inputs alone.
func mergeInputs() (keep, other *Place) {
	keep = &Place{
		ID: "keep", Nom: "Médiathèque", Adresse: "12 rue de la Poste", CodeInsee: "35037", EPCI: "243500618",
		Latitude: 48.05, Longitude: -1.86, HasCoords: true, Telephone: "+33299000001",
		Typologies: []string{"BIB", "MUNI"}, Courriels: []string{"Contact@breal.example.org"},
		Services: Services.Bit("aide-demarches"), Frais: Frais.Bit("gratuit"),
		ContactEmail: "a@breal.example.org", Notes: "Appeler le matin.", Status: StatusActive,
		Extra:   map[string]string{"nb-postes": "4", "wifi": ""},
		DateMaj: time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC),
	}
	other = &Place{
		ID: "other", Nom: "Médiathèque L'Écume", Adresse: "12 r. de la Poste", CodeInsee: "35038", EPCI: "200000000",
		Latitude: 48.0501, Longitude: -1.8601, HasCoords: true, Telephone: "+33299000002",
		Typologies: []string{"MUNI", "TIERS_LIEUX"}, Courriels: []string{"contact@breal.example.org", "ecume@breal.example.org"},
		SitesWeb: []string{"https://breal.example.org"}, AutresLabels: []string{"QPV"},
		Services: Services.Bit("outils-quotidien"), Publics: Publics.Bit("seniors"),
		ContactEmail: "b@breal.example.org", Notes: "Fermé en août.", Status: StatusDuplicate,
		Extra:   map[string]string{"nb-postes": "6", "wifi": "oui", "parking": "non"},
		DateMaj: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
	}
	return keep, other
}

func TestMerge(t *testing.T) {
	keep, other := mergeInputs()
	got := Merge(keep, other, map[string]bool{
		"nom": true, "coordonnees": true, "code_insee": true, "contact_email": true,
		"telephone": false, "inconnu": true,
	})
	want := &Place{
		ID: "keep", Nom: "Médiathèque L'Écume", Adresse: "12 rue de la Poste", CodeInsee: "35038", EPCI: "200000000",
		Latitude: 48.0501, Longitude: -1.8601, HasCoords: true, Telephone: "+33299000001",
		Typologies:   []string{"BIB", "MUNI", "TIERS_LIEUX"},
		Courriels:    []string{"Contact@breal.example.org", "ecume@breal.example.org"},
		SitesWeb:     []string{"https://breal.example.org"},
		AutresLabels: []string{"QPV"},
		Services:     Services.Bit("aide-demarches") | Services.Bit("outils-quotidien"),
		Publics:      Publics.Bit("seniors"), Frais: Frais.Bit("gratuit"),
		ContactEmail: "b@breal.example.org", Notes: "Appeler le matin.\nFermé en août.", Status: StatusActive,
		Extra:   map[string]string{"nb-postes": "4", "wifi": "oui", "parking": "non"},
		DateMaj: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge =\n%+v\nwant\n%+v", got, want)
	}

	// The result shares nothing with its inputs.
	got.Typologies[0], got.Courriels[0], got.SitesWeb[0], got.AutresLabels[0] = "X", "X", "X", "X"
	got.Extra["nb-postes"] = "X"
	wantKeep, wantOther := mergeInputs()
	if !reflect.DeepEqual(keep, wantKeep) || !reflect.DeepEqual(other, wantOther) {
		t.Errorf("Merge changed its inputs:\n%+v\n%+v", keep, other)
	}
}

func TestMergeNotesAndDates(t *testing.T) {
	early, late := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		keepNotes, otherNotes, wantNotes string
		keepDate, otherDate, wantDate    time.Time
	}{
		{"a", "", "a", late, early, late},
		{"", "b", "b", early, late, late},
		{"a", "b", "a\nb", time.Time{}, early, early},
		{"a", "a", "a", early, time.Time{}, early},
	}
	for _, tt := range tests {
		got := Merge(&Place{Notes: tt.keepNotes, DateMaj: tt.keepDate}, &Place{Notes: tt.otherNotes, DateMaj: tt.otherDate}, nil)
		if got.Notes != tt.wantNotes || !got.DateMaj.Equal(tt.wantDate) {
			t.Errorf("Merge(%q, %q) = %q %v, want %q %v", tt.keepNotes, tt.otherNotes, got.Notes, got.DateMaj, tt.wantNotes, tt.wantDate)
		}
		if got.Extra != nil {
			t.Errorf("Merge created an empty Extra map")
		}
	}
}

func TestMergeScalarFields(t *testing.T) {
	keep, other := mergeInputs()
	seen := map[string]bool{}
	for _, f := range MergeScalarFields {
		if seen[f.Key] {
			t.Errorf("%s listed twice", f.Key)
		}
		seen[f.Key] = true
		if f.Label == "" || f.Label == f.Key {
			t.Errorf("%s has no French label", f.Key)
		}
		// Taking a field makes the result show other's value for it.
		if got, want := ScalarValue(Merge(keep, other, map[string]bool{f.Key: true}), f.Key), ScalarValue(other, f.Key); got != want {
			t.Errorf("taking %s gives %q, want %q", f.Key, got, want)
		}
	}
}

func TestScalarValue(t *testing.T) {
	p := &Place{
		Nom: "Mairie", Latitude: 48.1234, Longitude: -2.1234, HasCoords: true,
		Telephone: "+33299078100", ContactTelephone: "0299", Pivot: PivotPlaceholder,
	}
	tests := []struct {
		key, want string
	}{
		{"nom", "Mairie"},
		{"coordonnees", "48,1234 ; -2,1234"},
		{"telephone", "02 99 07 81 00"},
		{"contact_telephone", "0299"},
		{"pivot", ""},
		{"adresse", ""},
		{"inconnu", ""},
	}
	for _, tt := range tests {
		if got := ScalarValue(p, tt.key); got != tt.want {
			t.Errorf("ScalarValue(%s) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := ScalarValue(&Place{}, "coordonnees"); got != "" {
		t.Errorf("no coordinates shown as %q", got)
	}
}

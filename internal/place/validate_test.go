package place

import (
	"encoding/csv"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"portrea/internal/place/schematest"
	"portrea/internal/territory"
)

var testNow = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

func ref(t testing.TB) *territory.Reference {
	t.Helper()
	return territory.Default()
}

// valid returns a complete, valid place in Paimpont.
func valid() *Place {
	return &Place{
		ID: "f2a5c1de-0000-4000-8000-000000000001", Pivot: "43493312300029", Nom: "Médiathèque de Paimpont",
		Adresse: "4 rue du Général de Gaulle", CodePostal: "35380", Commune: "Paimpont", CodeInsee: "35211",
		Latitude: 48.0183, Longitude: -2.1713, HasCoords: true, Typologies: []string{"BIB", "MUNI"},
		Telephone: "02 99 07 81 00", Courriels: []string{"mediatheque@paimpont.example.org"},
		SitesWeb: []string{"www.paimpont.example.org"}, Horaires: "We 14:00-18:00; Sa 10:00-12:00",
		Resume: "Postes en accès libre.", Detail: "Ateliers le samedi.", Source: "Brocéliande Communauté",
		StructureParente: "Commune de Paimpont", DateMaj: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC),
		Services: Services.Bit("acces-materiel") | Services.Bit("outils-quotidien"), Publics: Publics.Bit("seniors"),
		PriseEnCharge: PriseEnCharge.Bit("surdite"), Frais: Frais.Bit("gratuit"), Itinerance: Itinerance.Bit("fixe"),
		Dispositifs: Dispositifs.Bit("conseillers-numeriques"), FormationsLabels: FormationsLabels.Bit("etapes-numeriques"),
		AutresLabels: []string{"Label local"}, ModalitesAcces: ModalitesAcces.Bit("se-presenter"),
		ModalitesAccompagnement: ModalitesAccompagnement.Bit("autonomie") | ModalitesAccompagnement.Bit("a-distance"),
		FicheAccesLibre:         "https://acceslibre.beta.gouv.fr/app/35-paimpont/a/bibliotheque-mediatheque/erp/mediatheque/",
		PriseRdv:                "https://www.rdv-solidarites.fr/", ContactNom: "Erwan Daniel", ContactEmail: "Erwan.Daniel@paimpont.example.org",
		ContactTelephone: "06 39 98 00 01", Notes: "Très réactif.", Status: StatusActive,
	}
}

func TestNormalizeAndValidate(t *testing.T) {
	p := valid()
	p.Normalize(ref(t))
	if err := p.Validate(ref(t), testNow); err != nil {
		t.Fatalf("valid place refused: %v", err)
	}
	if p.Telephone != "+33299078100" || p.ContactTelephone != "+33639980001" {
		t.Errorf("phones not normalised: %q %q", p.Telephone, p.ContactTelephone)
	}
	if p.SitesWeb[0] != "https://www.paimpont.example.org" || p.ContactEmail != "erwan.daniel@paimpont.example.org" {
		t.Errorf("web or email not normalised: %q %q", p.SitesWeb, p.ContactEmail)
	}
	if p.EPCI != "243500618" || p.Departement != "35" || p.Region != "53" {
		t.Errorf("derived territory = %q %q %q", p.EPCI, p.Departement, p.Region)
	}
}

func TestNormalizeFillsFromReference(t *testing.T) {
	p := valid()
	p.Commune, p.CodePostal = "", ""
	p.Normalize(ref(t))
	if p.Commune != "Paimpont" || p.CodePostal != "35380" {
		t.Errorf("commune %q, postcode %q not derived from the INSEE code", p.Commune, p.CodePostal)
	}
	p = valid()
	p.CodeInsee, p.CodePostal, p.Commune = "1053", "1000", "Bourg-en-Bresse"
	p.Normalize(ref(t))
	if p.CodeInsee != "01053" || p.CodePostal != "01000" {
		t.Errorf("leading zeros not restored: %q %q", p.CodeInsee, p.CodePostal)
	}
}

// Each broken field is refused with a French message naming it.
func TestValidateRefuses(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(p *Place)
		field  string
		want   string
	}{
		{"no name", func(p *Place) { p.Nom = " " }, "nom", "obligatoire"},
		{"bad SIRET key", func(p *Place) { p.Pivot = "43493312300028" }, "pivot", "clé de contrôle"},
		{"not a pivot", func(p *Place) { p.Pivot = "ABC" }, "pivot", "ni un SIRET"},
		{"postcode format", func(p *Place) { p.CodePostal = "3538" + "O" }, "code_postal", "5 chiffres"},
		{"postcode of another commune", func(p *Place) { p.CodePostal = "35000" }, "code_postal", "n'est pas un code postal de Paimpont"},
		{"unknown INSEE", func(p *Place) { p.CodeInsee = "35999" }, "code_insee", "n'existe pas"},
		{"missing INSEE", func(p *Place) { p.CodeInsee = "" }, "code_insee", "obligatoire"},
		{"phone", func(p *Place) { p.Telephone = "02 99 07" }, "telephone", "incomplet"},
		{"email", func(p *Place) { p.Courriels = []string{"mairie@paimpont"} }, "courriels", "invalide"},
		{"url", func(p *Place) { p.SitesWeb = []string{"ftp://x.fr"} }, "site_web", "invalide"},
		{"resume", func(p *Place) { p.Resume = strings.Repeat("é", 281) }, "presentation_resume", "281 caractères pour 280"},
		{"hours", func(p *Place) { p.Horaires = "Lu-Ve 9h-12h" }, "horaires", ""},
		{"typology", func(p *Place) { p.Typologies = []string{"MAIRIE"} }, "typologie", "MAIRIE"},
		{"future date", func(p *Place) { p.DateMaj = testNow.AddDate(0, 1, 0) }, "date_maj", "futur"},
		{"no date", func(p *Place) { p.DateMaj = time.Time{} }, "date_maj", "obligatoire"},
		{"latitude", func(p *Place) { p.Latitude = 120 }, "latitude", "hors des bornes"},
		{"set out of list", func(p *Place) { p.Services |= 1 << 20 }, "services", "hors de la liste"},
		{"private email", func(p *Place) { p.ContactEmail = "erwan" }, "contact_email", "invalide"},
		{"duplicate without target", func(p *Place) { p.Status = StatusDuplicate }, "statut", "doublon"},
		{"label with separator", func(p *Place) { p.AutresLabels = []string{"a|b"} }, "autres_formations_labels", "séparateur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := valid()
			tt.break_(p)
			err := p.Validate(ref(t), testNow)
			errs, ok := err.(Errors)
			if !ok {
				t.Fatalf("Validate = %v, want Errors", err)
			}
			msg := errs.For(tt.field)
			if msg == "" || !strings.Contains(msg, tt.want) {
				t.Errorf("message for %s = %q, want it to contain %q (all: %v)", tt.field, msg, tt.want, err)
			}
			if !strings.Contains(err.Error(), FieldLabel(tt.field)) {
				t.Errorf("error %q does not name the field in French", err)
			}
		})
	}
}

// The official example of the standard reads into a record, and the record
// writes back to the same cells (only normalisation may differ).
func TestStandardExampleRoundTrip(t *testing.T) {
	f, err := os.Open(schematest.File(t, "exemple-valide-lieux-mediation-numerique.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(rows[0], Columns) {
		t.Fatalf("columns differ from the official example:\n%v\n%v", rows[0], Columns)
	}
	cell := func(c string) string {
		for i, h := range rows[0] {
			if h == c {
				return rows[1][i]
			}
		}
		return ""
	}
	p, errs := FromStandard(cell)
	if len(errs) > 0 {
		t.Fatalf("official example refused: %v", errs)
	}
	got := p.StandardRecord()
	for i, c := range Columns {
		// List values are sets: their order is not significant.
		if sortedItems(got[i]) != sortedItems(rows[1][i]) {
			t.Errorf("%s: wrote %q, example has %q", c, got[i], rows[1][i])
		}
	}
}

// Record → standard row → record keeps every field the standard carries.
func TestStandardRoundTrip(t *testing.T) {
	p := valid()
	p.Normalize(ref(t))
	rec := p.StandardRecord()
	back, errs := FromStandard(func(c string) string {
		for i, x := range Columns {
			if x == c {
				return rec[i]
			}
		}
		return ""
	})
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	back.Normalize(ref(t))
	// Private and internal fields are not in the standard: copy them over
	// so that what remains compared is exactly what the standard carries.
	back.ContactNom, back.ContactEmail, back.ContactTelephone, back.Notes = p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes
	if !reflect.DeepEqual(p, back) {
		for _, c := range Diff(p, back) {
			t.Errorf("%s: %q became %q", c.Field, c.Old, c.New)
		}
		if len(Diff(p, back)) == 0 {
			t.Errorf("records differ outside the diff:\n%+v\n%+v", p, back)
		}
	}
}

func sortedItems(cell string) string {
	items := strings.Split(cell, Sep)
	sort.Strings(items)
	return strings.Join(items, Sep)
}

func TestPivotPlaceholderExported(t *testing.T) {
	p := valid()
	p.Pivot = ""
	if got := p.StandardRecord()[1]; got != PivotPlaceholder || !p.PivotMissing() {
		t.Errorf("missing pivot exported as %q", got)
	}
}

func TestDiff(t *testing.T) {
	a := valid()
	b := valid()
	b.Nom = "Médiathèque Au fil des mots"
	b.ContactEmail = "autre@paimpont.example.org"
	b.Services |= Services.Bit("aide-demarches")
	b.Extra = map[string]string{"wifi": "oui"}
	got := Diff(a, b)
	want := []string{"nom", "services", "contact_email", "extra.wifi"}
	if len(got) != len(want) {
		t.Fatalf("Diff = %+v", got)
	}
	for i, c := range got {
		if c.Field != want[i] {
			t.Errorf("change %d is %s, want %s", i, c.Field, want[i])
		}
	}
	if got[0].Old != "Médiathèque de Paimpont" || got[0].New != "Médiathèque Au fil des mots" {
		t.Errorf("nom change = %+v", got[0])
	}
	if len(Diff(a, valid())) != 0 {
		t.Error("identical records differ")
	}
}

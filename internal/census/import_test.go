package census_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"portrea/internal/census"
	"portrea/internal/demo"
	"portrea/internal/export"
	"portrea/internal/geocode"
	"portrea/internal/geocode/geocodetest"
	"portrea/internal/place"
	"portrea/internal/place/schematest"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

const broceliande = "243500618"

var testNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func newImporter(st *store.Store) *census.Importer {
	st.SetClock(func() time.Time { return testNow })
	return &census.Importer{Store: st, Ref: territory.Default(), Now: func() time.Time { return testNow }}
}

// importFile runs receive + preview (+ commit) as the CLI and the back
// office do, and fails the test on unexpected errors.
func importFile(t *testing.T, im *census.Importer, name string, data []byte, epci, mode string, commit bool) (*census.Plan, store.ImportResult) {
	t.Helper()
	ctx := context.Background()
	rec, f, err := im.Receive(ctx, name, data, epci, "", mode)
	if err != nil {
		t.Fatalf("receive %s: %v", name, err)
	}
	pl, err := im.Preview(ctx, rec, f, nil, nil)
	if err != nil {
		t.Fatalf("preview %s: %v", name, err)
	}
	var res store.ImportResult
	if commit {
		if res, err = im.Commit(ctx, rec, pl, place.Actor{Kind: place.ActorImport, Name: name}); err != nil {
			t.Fatalf("commit %s: %v", name, err)
		}
	}
	return pl, res
}

func countPlaces(t *testing.T, st *store.Store) int {
	t.Helper()
	n, err := st.CountPlaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func territoryPlaces(t *testing.T, st *store.Store, epci string) []*place.Place {
	t.Helper()
	var out []*place.Place
	if err := st.EachPlaceOfTerritory(context.Background(), epci, func(p *place.Place) error {
		out = append(out, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func rowsWith(pl *census.Plan, a census.Action) []census.RowPlan {
	var out []census.RowPlan
	for _, r := range pl.Rows {
		if r.Action == a {
			out = append(out, r)
		}
	}
	return out
}

func TestImportOfficialExample(t *testing.T) {
	data, err := os.ReadFile(schematest.File(t, "exemple-valide-lieux-mediation-numerique.csv"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		im := newImporter(st)
		pl, res := importFile(t, im, "exemple.csv", data, "", census.ModeImport, true)
		if pl.Detected.Format != census.FormatStandard {
			t.Errorf("format = %s, want standard", pl.Detected.Format)
		}
		if len(pl.Rows) == 0 || pl.Counts[census.ActionCreate] != len(pl.Rows) || res.Created != len(pl.Rows) {
			t.Fatalf("every row of the official example must import: %s, %+v", pl.Summary(), pl.Rows)
		}
		ps := territoryPlaces(t, st, "")
		got := ps[0]
		if got.Nom != "Anonymal" || got.CodeInsee != "51454" || got.Pivot != "43493312300029" || got.Services.Len() == 0 {
			t.Errorf("imported place = %+v", got)
		}
		// The same file again creates nothing.
		again, res := importFile(t, im, "exemple.csv", data, "", census.ModeImport, true)
		if again.Counts[census.ActionSame] != len(pl.Rows) || res.Created != 0 || countPlaces(t, st) != len(pl.Rows) {
			t.Errorf("re-import: %s; %d places", again.Summary(), countPlaces(t, st))
		}
	})
}

func TestImportLegacyV01(t *testing.T) {
	csv := "id,nom,services,pivot,commune,code_postal,adresse,latitude,longitude,publics_accueillis,conditions_acces,modalites_accompagnement,horaires,source,date_maj,telephone,courriel,site_web,labels_nationaux\n" +
		`185,Médiathèque de Paimpont,"Prendre en main un ordinateur;Accéder à une connexion internet;Réaliser des démarches administratives avec un accompagnement",00000000000000,PAIMPONT,35380,5 esplanade de Brocéliande,48.0183,-2.1713,"Seniors (+ 65 ans);Adultes;Surdité","Gratuit : Je peux accéder gratuitement au lieu et à ses services","Avec de l'aide : je suis accompagné seul dans l'usage du numérique",Tu-Sa 10:00-12:00,Hinaura,2022-03-01,+33299078423,mediatheque@paimpont.fr,www.paimpont.fr,CNFS;France Services` + "\n"
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		pl, res := importFile(t, newImporter(st), "ancien.csv", []byte(csv), broceliande, census.ModeImport, true)
		if pl.Detected.Format != census.FormatLegacy || res.Created != 1 {
			t.Fatalf("format %s, %s, rows %+v", pl.Detected.Format, pl.Summary(), pl.Rows)
		}
		p := territoryPlaces(t, st, broceliande)[0]
		want := map[*place.Vocab][]string{
			place.Services:                {"Maîtrise des outils numériques du quotidien", "Accès internet et matériel informatique", "Aide aux démarches administratives"},
			place.Publics:                 {"Seniors"},
			place.PriseEnCharge:           {"Surdité"},
			place.Frais:                   {"Gratuit"},
			place.ModalitesAccompagnement: {"Accompagnement individuel"},
			place.Dispositifs:             {"Conseillers numériques", "France Services"},
		}
		for v, labels := range want {
			for _, l := range labels {
				i, ok := v.Lookup(l)
				if !ok || !v.SetOf(p).Has(i) {
					t.Errorf("%s: %q missing in %v", v.Field, l, v.Labels(v.SetOf(p)))
				}
			}
			if got := v.SetOf(p).Len(); got != len(labels) {
				t.Errorf("%s: %v, want %v", v.Field, v.Labels(v.SetOf(p)), labels)
			}
		}
		if p.CodeInsee != "35211" || p.Commune != "Paimpont" || len(p.Courriels) != 1 || p.SitesWeb[0] != "https://www.paimpont.fr" && p.SitesWeb[0] != "http://www.paimpont.fr" {
			t.Errorf("place = %+v", p)
		}
		if !p.PivotMissing() || p.DateMaj.Format(time.DateOnly) != "2022-03-01" {
			t.Errorf("pivot %q, date %s", p.Pivot, p.DateMaj)
		}
	})
}

func windows1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestImportLatin1SemicolonProseHours(t *testing.T) {
	text := "Nom;Adresse;Code postal;Commune;Téléphone;Horaires;Courriel\r\n" +
		"Médiathèque de Paimpont;5 esplanade de Brocéliande;35380;Paimpont;02 99 07 84 23;du lundi au vendredi de 9h à 12h et de 14h à 17h;contact@paimpont.fr\r\n" +
		"\r\n" + // blank lines are common at the end of Excel exports
		"Espace numérique de Plélan;12 rue de Rennes;35380;Plélan-le-Grand;06 12 34 56 78;sur rendez-vous, se renseigner en mairie;\r\n" +
		";;;;;;\r\n"
	data := windows1252(t, text)
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		pl, res := importFile(t, newImporter(st), "recensement.csv", data, broceliande, census.ModeImport, true)
		if pl.File.Encoding != "Windows-1252" || pl.File.Separator != ";" {
			t.Errorf("read as %s", pl.File.Describe())
		}
		if res.Created != 2 || len(pl.Rows) != 2 {
			t.Fatalf("%s: %+v", pl.Summary(), pl.Rows)
		}
		byName := map[string]*place.Place{}
		for _, p := range territoryPlaces(t, st, broceliande) {
			byName[p.Nom] = p
		}
		m := byName["Médiathèque de Paimpont"]
		if m == nil || m.Telephone != "+33299078423" || m.Horaires != "Mo-Fr 09:00-12:00,14:00-17:00" || m.Adresse != "5 esplanade de Brocéliande" {
			t.Fatalf("Médiathèque = %+v", m)
		}
		e := byName["Espace numérique de Plélan"]
		if e == nil || e.Horaires != "" || !strings.Contains(e.Notes, "sur rendez-vous") || e.Telephone != "+33612345678" {
			t.Fatalf("unreadable hours must be kept aside for the referent: %+v", e)
		}
		if notes := strings.Join(pl.Rows[1].Notes, " "); !strings.Contains(notes, "Horaires à revoir") {
			t.Errorf("the row must flag its hours: %q", notes)
		}
		if notes := strings.Join(pl.Rows[0].Notes, " "); !strings.Contains(notes, "converti") {
			t.Errorf("the conversion must be reported: %q", notes)
		}
	})
}

func TestImportDuplicatesOfExistingPlaces(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, st, territory.Default(), testNow); err != nil {
			t.Fatal(err)
		}
		known := territoryPlaces(t, st, broceliande)
		before := countPlaces(t, st)
		a, b := known[0], known[1]
		// a again, to the letter; b with a slightly different name; a new
		// place, twice.
		csv := "nom,adresse,code_postal,code_insee,latitude,longitude\n" +
			csvLine(a.Nom, a.Adresse, a.CodePostal, a.CodeInsee, a.Latitude, a.Longitude) +
			csvLine(strings.ToUpper(b.Nom)+" (annexe)", b.Adresse, b.CodePostal, b.CodeInsee, b.Latitude, b.Longitude) +
			csvLine("Tiers-lieu des Forges", "3 rue des Forges", a.CodePostal, a.CodeInsee, 0, 0) +
			csvLine("Tiers-lieu des Forges", "3 rue des Forges", a.CodePostal, a.CodeInsee, 0, 0)
		pl, res := importFile(t, newImporter(st), "doublons.csv", []byte(csv), broceliande, census.ModeImport, true)
		want := []census.Action{census.ActionSame, census.ActionDuplicate, census.ActionCreate, census.ActionDuplicate}
		for i, w := range want {
			if pl.Rows[i].Action != w {
				t.Errorf("row %d: %s (%v), want %s", pl.Rows[i].Line, pl.Rows[i].Action, pl.Rows[i].Messages, w)
			}
		}
		if pl.Rows[1].TargetID != b.ID || pl.Rows[3].TargetLine != pl.Rows[2].Line {
			t.Errorf("duplicates must name what they repeat: %+v / %+v", pl.Rows[1], pl.Rows[3])
		}
		if res.Created != 1 || countPlaces(t, st) != before+1 {
			t.Errorf("created %d, places %d → %d", res.Created, before, countPlaces(t, st))
		}
		report := string(pl.ErrorReport())
		if !strings.Contains(report, "Doublon probable") || !strings.Contains(report, "3 rue des Forges") {
			t.Errorf("report:\n%s", report)
		}
	})
}

func csvLine(nom, adresse, cp, insee string, lat, lon float64) string {
	coords := ","
	if lat != 0 {
		coords = strings.Join([]string{ftoa(lat), ftoa(lon)}, ",")
	}
	return `"` + nom + `","` + adresse + `",` + cp + "," + insee + "," + coords + "\n"
}

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func TestImportRefusesUnreadableFiles(t *testing.T) {
	big := bytes.Repeat([]byte("nom,adresse\nx,y\n"), 60<<20/16+1)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"vide.csv", nil, "est vide"},
		{"blanc.csv", []byte("\n\n  \n"), "est vide"},
		{"entete.csv", []byte("nom,adresse,commune\n"), "aucune ligne"},
		{"abime.xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x42}, 500)...), "illisible"},
		{"faux.xlsx", []byte("ceci n'est pas un classeur"), "n'est pas un classeur"},
		{"ancien.xls", append([]byte{0xD0, 0xCF, 0x11, 0xE0}, make([]byte, 100)...), ".xls"},
		{"enorme.csv", big, "limite est de 50,0 Mo"},
		{"tronque.json", []byte(`[{"nom": "a"`), "JSON illisible"},
	}
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		im := newImporter(st)
		for _, c := range cases {
			_, _, err := im.Receive(context.Background(), c.name, c.data, broceliande, "", census.ModeImport)
			var fe *census.FileError
			if !errors.As(err, &fe) || !strings.Contains(fe.Reason, c.want) {
				t.Errorf("%s: %v, want a French reason with %q", c.name, err, c.want)
			}
		}
		ims, err := st.Imports(context.Background(), nil, 10)
		if err != nil || len(ims) != 0 || countPlaces(t, st) != 0 {
			t.Errorf("refused files must leave nothing: %d imports, %d places, %v", len(ims), countPlaces(t, st), err)
		}
	})
}

func TestImportFormulasAndHTML(t *testing.T) {
	csv := "nom,adresse,code_postal,commune,presentation_resume,site_web\n" +
		`"=HYPERLINK(""http://evil.example"",""cliquez"")",1 rue de Rennes,35380,Plélan-le-Grand,,` + "\n" +
		`Médiathèque de Plélan,12 rue de Rennes,35380,Plélan-le-Grand,"<script>alert(1)</script>Bonjour <b>à tous</b>",` + "\n" +
		`Maison des services,2 rue de Montfort,35380,Plélan-le-Grand,"'=1+1 n'est pas une formule ici",` + "\n"
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		pl, res := importFile(t, newImporter(st), "piege.csv", []byte(csv), broceliande, census.ModeImport, true)
		if pl.Rows[0].Action != census.ActionError || !strings.Contains(strings.Join(pl.Rows[0].Messages, " "), "formule refusée") {
			t.Errorf("formula row: %+v", pl.Rows[0])
		}
		if res.Created != 2 {
			t.Fatalf("%s", pl.Summary())
		}
		byName := map[string]*place.Place{}
		for _, p := range territoryPlaces(t, st, broceliande) {
			byName[p.Nom] = p
		}
		if p := byName["Médiathèque de Plélan"]; p == nil || p.Resume != "Bonjour à tous" {
			t.Errorf("markup must be stripped, script content dropped: %+v", p)
		}
		if p := byName["Maison des services"]; p == nil || p.Resume != "=1+1 n'est pas une formule ici" {
			t.Errorf("our own neutralised cell must come back as typed: %+v", p)
		}
		// The report gives the refused row back, neutralised for spreadsheets.
		report := string(pl.ErrorReport())
		if !strings.Contains(report, `'=HYPERLINK(`) || !strings.HasPrefix(report, "\ufeff") {
			t.Errorf("report:\n%s", report)
		}
	})
}

func TestImportOutsideTerritory(t *testing.T) {
	csv := "nom,adresse,code_postal,code_insee\n" +
		"Espace numérique de Rennes,1 place de la Mairie,35000,35238\n" +
		"Médiathèque de Paimpont,5 esplanade de Brocéliande,35380,35211\n"
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		im := newImporter(st)
		pl, _ := importFile(t, im, "a.csv", []byte(csv), broceliande, census.ModeImport, false)
		if pl.Rows[0].Action != census.ActionError || !strings.Contains(pl.Rows[0].Messages[0], "n'appartient pas au territoire CC Brocéliande") {
			t.Errorf("import: %+v", pl.Rows[0])
		}
		pl, _ = importFile(t, im, "a.csv", []byte(csv), broceliande, census.ModePrefill, false)
		if pl.Rows[0].Action != census.ActionSkip || pl.Rows[1].Action != census.ActionCreate {
			t.Errorf("pre-fill: %+v", pl.Rows)
		}
	})
}

func TestImportPrefillOnlyFillsEmptyFields(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, st, territory.Default(), testNow); err != nil {
			t.Fatal(err)
		}
		var target *place.Place
		for _, p := range territoryPlaces(t, st, broceliande) {
			if p.Telephone != "" && p.PriseRdv == "" {
				target = p
				break
			}
		}
		if target == nil {
			t.Fatal("the demo needs a place with a phone and no booking link")
		}
		csv := "nom,adresse,code_postal,code_insee,telephone,prise_rdv\n" +
			`"` + target.Nom + `","` + target.Adresse + `",` + target.CodePostal + "," + target.CodeInsee + ",0102030405,https://rdv.example.fr\n"
		pl, res := importFile(t, newImporter(st), "national.csv", []byte(csv), broceliande, census.ModePrefill, true)
		if pl.Rows[0].Action != census.ActionUpdate || res.Updated != 1 {
			t.Fatalf("%+v", pl.Rows[0])
		}
		got, err := st.GetPlace(ctx, target.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Telephone != target.Telephone || got.PriseRdv != "https://rdv.example.fr" {
			t.Errorf("pre-fill must keep known values and fill empty ones: tel %s, rdv %s", got.Telephone, got.PriseRdv)
		}
		if !got.DateMaj.Equal(target.DateMaj) {
			t.Errorf("pre-fill is not a confirmation: date_maj %s → %s", target.DateMaj, got.DateMaj)
		}
	})
}

func TestImportGeocodesThroughBatch(t *testing.T) {
	fake := geocodetest.Start(t)
	csv := "nom,adresse,code_postal,commune\n" +
		"Espace jeunes,12 Rue de Rennes,35380,Plélan-le-Grand\n" +
		"Espace inconnu,99 chemin perdu,35380,Plélan-le-Grand\n" +
		"Point info,Place de l'Église,35310,Bréal-sous-Montfort\n"
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		im := newImporter(st)
		im.Geocoder = geocode.New(fake.URL)
		fake.TooMany.Store(1) // the service asks to slow down once
		pl, _ := importFile(t, im, "geo.csv", []byte(csv), broceliande, census.ModeImport, false)
		if pl.Geocoded != 2 || pl.NotGeocoded != 1 || pl.GeocoderDown {
			t.Fatalf("geocoded %d, not %d, down %v: %+v", pl.Geocoded, pl.NotGeocoded, pl.GeocoderDown, pl.Rows)
		}
		p := pl.Rows[0].Place
		if !p.HasCoords || p.Latitude < 47.9 || p.Latitude > 48.1 {
			t.Errorf("coordinates: %+v", p)
		}
		if pl.Rows[1].Place.HasCoords || !strings.Contains(strings.Join(pl.Rows[1].Notes, " "), "non trouvée") {
			t.Errorf("unfound address: %+v", pl.Rows[1])
		}
		if fake.BatchCalls.Load() < 2 {
			t.Errorf("the 429 must have been retried: %d calls", fake.BatchCalls.Load())
		}
	})
}

func TestImportColumnMappingSavedForNextTime(t *testing.T) {
	csv := "Structure;Ville;CP;Adresse postale;Tél.;Mail;Colonne maison\n" +
		"France services de Plélan;Plélan-le-Grand;35380;12 rue de Rennes;02 99 06 81 41;fs@plelan.fr;x\n"
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		im := newImporter(st)
		_, f, err := im.Receive(ctx, "nocodb.csv", []byte(csv), broceliande, "", census.ModeImport)
		if err != nil {
			t.Fatal(err)
		}
		d, _, err := im.Detect(ctx, broceliande, f)
		if err != nil {
			t.Fatal(err)
		}
		if d.Format != census.FormatOther || d.Mapping[0] != "nom" || d.Mapping[1] != "commune" || d.Mapping[6] != "" {
			t.Fatalf("detected %s %v", d.Format, d.Mapping)
		}
		// The referent maps the last column to the notes and saves it.
		d.Mapping[6] = "notes"
		if err := st.SaveImportMapping(ctx, broceliande, d.Signature, census.MappingByName(f.Header, d.Mapping)); err != nil {
			t.Fatal(err)
		}
		d2, _, err := im.Detect(ctx, broceliande, f)
		if err != nil || d2.Mapping[6] != "notes" {
			t.Fatalf("saved mapping not offered again: %v %v", d2.Mapping, err)
		}
		pl, err := census.Preview(ctx, f, census.Options{EPCI: broceliande, Mapping: d2.Mapping, Ref: territory.Default(), Now: testNow})
		if err != nil {
			t.Fatal(err)
		}
		p := pl.Rows[0].Place
		if pl.Rows[0].Action != census.ActionCreate || p.Telephone != "+33299068141" || p.Courriels[0] != "fs@plelan.fr" || p.Notes != "x" {
			t.Errorf("%+v %+v", pl.Rows[0], p)
		}
	})
}

// TestImportRoundTripIsLossless exports the demo territory as the full
// census workbook and imports it back: into the same database it changes
// nothing; into an empty one it recreates the same places, field for field.
func TestImportRoundTripIsLossless(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ref := territory.Default()
		if _, err := demo.Seed(ctx, st, ref, testNow); err != nil {
			t.Fatal(err)
		}
		workbook := func(st *store.Store) []byte {
			extra, err := st.ExtraFields(ctx, broceliande)
			if err != nil {
				t.Fatal(err)
			}
			var communes []string
			for _, c := range ref.CommunesOfEPCI(broceliande) {
				communes = append(communes, census.CommuneChoice(c.Nom, c.Code))
			}
			var buf bytes.Buffer
			err = census.WriteWorkbook(&buf, census.Workbook{Territory: "CC Brocéliande Communauté", Columns: census.Layout(extra, communes), Private: true, Generated: testNow,
				Places: func(yield func(*place.Place) error) error { return st.EachPlaceOfTerritory(ctx, broceliande, yield) }})
			if err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		exported := workbook(st)
		original := territoryPlaces(t, st, broceliande)

		pl, res := importFile(t, newImporter(st), "export.xlsx", exported, broceliande, census.ModeImport, true)
		if pl.Detected.Format != census.FormatTemplate || pl.Counts[census.ActionSame] != len(original) || res.Created+res.Updated != 0 {
			t.Fatalf("same database: %s; first rows %+v", pl.Summary(), pl.Rows[:min(3, len(pl.Rows))])
		}

		// The national standard CSV of the same places changes nothing
		// either.
		var std bytes.Buffer
		if _, err := export.StandardCSV(&std, func(yield func(*place.Place) error) error {
			return st.EachPublicPlace(ctx, broceliande, yield)
		}); err != nil {
			t.Fatal(err)
		}
		pl, res = importFile(t, newImporter(st), "standard.csv", std.Bytes(), broceliande, census.ModeImport, true)
		if pl.Detected.Format != census.FormatStandard || pl.Counts[census.ActionSame] != len(pl.Rows) || res.Created+res.Updated != 0 {
			t.Fatalf("standard CSV: %s; %+v", pl.Summary(), rowsWith(pl, census.ActionUpdate))
		}

		fresh := storetest.OpenSQLite(t)
		extra, err := st.ExtraFields(ctx, broceliande)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range extra {
			f.ID = ""
			if err := fresh.CreateExtraField(ctx, &f); err != nil {
				t.Fatal(err)
			}
		}
		pl, res = importFile(t, newImporter(fresh), "export.xlsx", exported, broceliande, census.ModeImport, true)
		if res.Created != len(original) {
			t.Fatalf("empty database: %s; errors %+v", pl.Summary(), rowsWith(pl, census.ActionError))
		}
		copied := territoryPlaces(t, fresh, broceliande)
		for i := range original {
			if changes := place.Diff(original[i], copied[i]); len(changes) > 0 {
				t.Errorf("%s changed on the way: %+v", original[i].Nom, changes)
			}
		}
	})
}

// TestImportCommitRefusesStalePreview edits a place between the preview and
// the commit: the commit writes nothing rather than undo the edit.
func TestImportCommitRefusesStalePreview(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, st, territory.Default(), testNow); err != nil {
			t.Fatal(err)
		}
		p := territoryPlaces(t, st, broceliande)[0]
		csv := "id,nom,adresse,code_postal,code_insee,telephone\n" +
			p.ID + `,"` + p.Nom + `","` + p.Adresse + `",` + p.CodePostal + "," + p.CodeInsee + ",0299999999\n" +
			`,Nouveau lieu,3 rue des Forges,` + p.CodePostal + "," + p.CodeInsee + ",\n"
		im := newImporter(st)
		rec, f, err := im.Receive(ctx, "maj.csv", []byte(csv), broceliande, "", census.ModeImport)
		if err != nil {
			t.Fatal(err)
		}
		pl, err := im.Preview(ctx, rec, f, nil, nil)
		if err != nil || pl.Rows[0].Action != census.ActionUpdate || pl.Rows[1].Action != census.ActionCreate {
			t.Fatalf("%v %+v", err, pl.Rows)
		}
		before := countPlaces(t, st)
		edited, err := st.GetPlace(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		edited.Notes = "modifié pendant l'aperçu"
		st.SetClock(func() time.Time { return testNow.Add(time.Minute) })
		if err := st.UpdatePlace(ctx, edited, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: "referente"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := im.Commit(ctx, rec, pl, place.Actor{Kind: place.ActorImport, Name: "maj.csv"}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("commit over a later edit: %v, want ErrConflict", err)
		}
		got, err := st.GetPlace(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Notes != edited.Notes || got.Telephone != p.Telephone || countPlaces(t, st) != before {
			t.Errorf("a refused commit must write nothing: notes %q, tel %s, %d places", got.Notes, got.Telephone, countPlaces(t, st))
		}
	})
}

// TestImportCannotReachAnotherTerritorysPlace gives the id of a Montfort
// place in a file for Brocéliande: the row is refused, the place untouched.
func TestImportCannotReachAnotherTerritorysPlace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		if _, err := demo.Seed(ctx, st, territory.Default(), testNow); err != nil {
			t.Fatal(err)
		}
		other := territoryPlaces(t, st, "243500550")[0]
		c := territory.Default().CommunesOfEPCI(broceliande)[0]
		csv := "id,nom,adresse,code_postal,code_insee\n" + other.ID + ",Détourné,1 rue de la Gare," + c.CodesPostaux[0] + "," + c.Code + "\n"
		pl, res := importFile(t, newImporter(st), "x.csv", []byte(csv), broceliande, census.ModeImport, true)
		if pl.Rows[0].Action != census.ActionError || !strings.Contains(pl.Rows[0].Messages[0], "autre territoire") || res.Created+res.Updated != 0 {
			t.Fatalf("%+v", pl.Rows[0])
		}
		got, err := st.GetPlace(ctx, other.ID)
		if err != nil || got.Nom != other.Nom {
			t.Errorf("%v %+v", err, got)
		}
	})
}

func TestImportRecognisesCommunesByName(t *testing.T) {
	csv := "nom,adresse,code_postal,commune\n" +
		"Mission locale,10 rue de la République,13002,MARSEILLE 2\n" +
		"Centre social,3 rue de Paris,35042,RENNES CEDEX 9\n" +
		"Espace numérique,1 quai Duguay-Trouin,35400,St Malo\n" +
		"Point info,2 rue Haute,35380,Paimpont\n"
	f, err := census.ReadFile("communes.csv", []byte(csv))
	if err != nil {
		t.Fatal(err)
	}
	pl, err := census.Preview(context.Background(), f, census.Options{Ref: territory.Default(), Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{"13202", "35238", "35288", "35211"} {
		r := pl.Rows[i]
		if r.Action != census.ActionCreate || r.Place.CodeInsee != want {
			t.Errorf("row %d: %s %v, INSEE %v, want %s", r.Line, r.Action, r.Messages, r.Place, want)
		}
	}
	if p := pl.Rows[1].Place; p.CodePostal == "35042" {
		t.Errorf("a CEDEX code is not the place's postcode: %s", p.CodePostal)
	}
}

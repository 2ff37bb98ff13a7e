package export_test

import (
	"bytes"
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/export"
	"portrea/internal/export/exporttest"
	"portrea/internal/place"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

type inclusionFile struct {
	Structures []map[string]any `json:"structures"`
	Services   []map[string]any `json:"services"`
}

// validate checks every object of a data·inclusion file against the
// v1.0.8 schemas and that each service points to a structure.
func validate(t *testing.T, body []byte) inclusionFile {
	t.Helper()
	var f inclusionFile
	if err := json.Unmarshal(body, &f); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	structure := exporttest.LoadSchema(t, "data-inclusion-schema-v1.0.8-structure.json")
	service := exporttest.LoadSchema(t, "data-inclusion-schema-v1.0.8-service.json")
	ids := map[string]bool{}
	for _, s := range f.Structures {
		for _, p := range structure.Problems(s) {
			t.Errorf("structure %v: %s", s["id"], p)
		}
		if ids[s["id"].(string)] {
			t.Errorf("structure %v twice", s["id"])
		}
		ids[s["id"].(string)] = true
	}
	seen := map[string]bool{}
	for _, s := range f.Services {
		for _, p := range service.Problems(s) {
			t.Errorf("service %v: %s", s["id"], p)
		}
		if !ids[s["structure_id"].(string)] {
			t.Errorf("service %v: structure %v not in the file", s["id"], s["structure_id"])
		}
		if seen[s["id"].(string)] {
			t.Errorf("service %v twice", s["id"])
		}
		seen[s["id"].(string)] = true
	}
	return f
}

// The demo territory exported for data·inclusion: every structure and
// service is valid against the v1.0.8 schemas, one service per place.
func TestDataInclusionDemoValid(t *testing.T) {
	st := storetest.OpenSQLite(t)
	now := time.Date(2026, 11, 26, 10, 30, 0, 0, place.Paris)
	if _, err := demo.Seed(context.Background(), st, territory.Default(), now); err != nil {
		t.Fatal(err)
	}
	places := func(yield func(*place.Place) error) error {
		return st.EachPublicPlace(context.Background(), "", yield)
	}
	var b bytes.Buffer
	n, err := export.DataInclusion(&b, places, "https://portrea.example.fr/")
	if err != nil {
		t.Fatal(err)
	}
	f := validate(t, b.Bytes())
	if n < 30 || len(f.Structures) != n || len(f.Services) != n {
		t.Errorf("%d places: %d structures, %d services", n, len(f.Structures), len(f.Services))
	}
	s := f.Structures[0]
	if s["source"] != "portrea" || !strings.HasPrefix(s["id"].(string), "portrea--") ||
		!strings.HasPrefix(s["lien_source"].(string), "https://portrea.example.fr/lieux/") {
		t.Errorf("structure %v", s)
	}
	// Every field of the schemas the demo can fill is filled somewhere.
	for _, c := range []struct {
		list   []map[string]any
		fields []string
	}{
		{f.Structures, []string{"siret", "description", "site_web", "telephone", "courriel", "adresse", "code_insee", "latitude", "horaires_accueil", "reseaux_porteurs"}},
		{f.Services, []string{"thematiques", "publics", "modes_accueil", "modes_mobilisation", "zone_eligibilite", "frais"}},
	} {
		for _, k := range c.fields {
			found := false
			for _, o := range c.list {
				if _, ok := o[k]; ok {
					found = true
				}
			}
			if !found {
				t.Errorf("no object has %s", k)
			}
		}
	}
}

// Odd values are left out or fixed rather than making a record invalid.
func TestDataInclusionEdgeCases(t *testing.T) {
	odd := samplePlace("e", "AB.")
	odd.Pivot = "W123456789" // an RNA: data·inclusion v1 has no field for it
	odd.Courriels = []string{"pas une adresse"}
	odd.SitesWeb = []string{"www.sans-schema.example.org", "https://ok.example.org/a b"}
	odd.FicheAccesLibre = "javascript:alert(1)"
	odd.PriseRdv = "https://rdv.example.org/lieu"
	odd.CodeInsee, odd.CodePostal, odd.Departement = "", "", ""
	odd.Resume = "Ok"
	odd.Services = 0
	odd.ModalitesAcces = place.ModalitesAcces.Bit("rdv-en-ligne") | place.ModalitesAcces.Bit("contacter-par-mail")
	odd.Frais = place.Frais.Bit("payant")
	odd.Publics = place.Publics.Bit("seniors")
	odd.PriseEnCharge = place.PriseEnCharge.Bit("surdite") | place.PriseEnCharge.Bit("illettrisme")
	odd.ModalitesAccompagnement = place.ModalitesAccompagnement.Bit("a-distance") | place.ModalitesAccompagnement.Bit("individuel")
	long := samplePlace("f", strings.Repeat("Médiathèque ", 20)+"...")
	long.Resume = strings.Repeat("é", 12000)
	long.Frais = place.Frais.Bit("gratuit-sous-condition")
	long.PriseEnCharge = place.PriseEnCharge.Bit("surdite")
	long.ModalitesAcces = place.ModalitesAcces.Bit("rdv-en-ligne") // no link: the mode is dropped
	long.Telephone, long.Courriels = "", nil

	var b bytes.Buffer
	if _, err := export.DataInclusion(&b, each(samplePlace("a", "Mairie"), odd, long), "http://localhost:8080"); err != nil {
		t.Fatal(err)
	}
	f := validate(t, b.Bytes())
	so, vo := f.Structures[1], f.Services[1]
	for _, k := range []string{"siret", "courriel", "accessibilite_lieu", "description", "code_insee", "code_postal"} {
		if _, ok := so[k]; ok {
			t.Errorf("odd structure: %s = %v kept", k, so[k])
		}
	}
	if so["nom"] != "AB (Paimpont)" || so["site_web"] != nil {
		t.Errorf("odd structure %v", so)
	}
	if vo["description"] != "AB (Paimpont) propose un accompagnement au numérique." || vo["frais"] != "payant" ||
		!reflect.DeepEqual(vo["publics"], []any{"seniors", "personnes-en-situation-de-handicap"}) ||
		!reflect.DeepEqual(vo["modes_accueil"], []any{"en-presentiel", "a-distance"}) ||
		!reflect.DeepEqual(vo["modes_mobilisation"], []any{"envoyer-un-courriel", "utiliser-lien-mobilisation"}) ||
		vo["lien_mobilisation"] != "https://rdv.example.org/lieu" || vo["zone_eligibilite"] != nil || vo["thematiques"] != nil {
		t.Errorf("odd service %v", vo)
	}
	sl, vl := f.Structures[2], f.Services[2]
	if n := len([]rune(sl["nom"].(string))); n > 150 || strings.HasSuffix(sl["nom"].(string), ".") {
		t.Errorf("long name kept: %d characters %q", n, sl["nom"])
	}
	if !reflect.DeepEqual(vl["publics"], []any{"tous-publics"}) || vl["publics_precisions"] != "Prise en charge spécifique : Surdité." ||
		vl["frais"] != "gratuit" || vl["frais_precisions"] != "Gratuit sous condition" || vl["modes_mobilisation"] != nil {
		t.Errorf("long service %v", vl)
	}
	// The ordinary place: services become thématiques, programmes réseaux.
	st, sv := export.ToDataInclusion(samplePlace("a", "Mairie"), "http://localhost:8080")
	if st.ID != "portrea--a" || sv.StructureID != st.ID || sv.ID != "portrea--a--numerique" || sv.Nom != export.ServiceName ||
		!reflect.DeepEqual(st.ReseauxPorteurs, []string{"france-service"}) || st.Siret != "43493312300029" ||
		!reflect.DeepEqual(sv.Thematiques, []string{
			"difficultes-administratives-ou-juridiques--accompagnement-aux-demarches-administratives",
			"numerique--acceder-a-des-services-en-ligne",
			"numerique--acceder-a-une-connexion-internet", "numerique--acquerir-un-equipement"}) ||
		!reflect.DeepEqual(sv.ModesMobilisation, []string{"se-presenter"}) || !reflect.DeepEqual(sv.ZoneEligibilite, []string{"35"}) ||
		!reflect.DeepEqual(sv.Publics, []string{"tous-publics"}) || sv.Type != "accompagnement" {
		t.Errorf("structure %+v\nservice %+v", st, sv)
	}
	if strings.Contains(b.String(), "Anne Privée") || strings.Contains(b.String(), "anne.privee") || strings.Contains(b.String(), "note privée") {
		t.Error("private fields in the data·inclusion file")
	}
}

// The validator must catch what the schemas forbid.
func TestSchemaValidatorCatchesErrors(t *testing.T) {
	service := exporttest.LoadSchema(t, "data-inclusion-schema-v1.0.8-service.json")
	good := map[string]any{"source": "portrea", "id": "portrea--a--numerique", "structure_id": "portrea--a", "nom": "Service",
		"description": "Une description.", "date_maj": "2026-10-01", "publics": []any{"tous-publics"}}
	if p := service.Problems(good); len(p) > 0 {
		t.Fatalf("good service: %v", p)
	}
	for name, change := range map[string]func(map[string]any){
		"missing id":       func(m map[string]any) { delete(m, "id") },
		"short name":       func(m map[string]any) { m["nom"] = "ab" },
		"bad date":         func(m map[string]any) { m["date_maj"] = "01/10/2026" },
		"unknown public":   func(m map[string]any) { m["publics"] = []any{"tout-le-monde"} },
		"repeated public":  func(m map[string]any) { m["publics"] = []any{"jeunes", "jeunes"} },
		"bad email":        func(m map[string]any) { m["courriel"] = "x@" },
		"relative uri":     func(m map[string]any) { m["lien_mobilisation"] = "/rdv" },
		"bad zone":         func(m map[string]any) { m["zone_eligibilite"] = []any{"35-"} },
		"empty mobilisers": func(m map[string]any) { m["mobilisable_par"] = []any{} },
		"unknown field":    func(m map[string]any) { m["typologie"] = "MUNI" },
		"number as string": func(m map[string]any) { m["latitude"] = "48.1" },
	} {
		m := map[string]any{}
		for k, v := range good {
			m[k] = v
		}
		change(m)
		if p := service.Problems(m); len(p) == 0 {
			t.Errorf("%s: accepted", name)
		}
	}
}

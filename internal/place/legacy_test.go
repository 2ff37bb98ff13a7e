package place

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"portrea/internal/place/schematest"
	"portrea/internal/territory"
)

// row returns a get function over a map of cells.
func row(cells map[string]string) func(string) string {
	return func(c string) string { return cells[c] }
}

// cell is the v1 cell the place writes for a column.
func cell(p *Place, column string) string {
	rec := p.StandardRecord()
	for i, c := range Columns {
		if c == column {
			return rec[i]
		}
	}
	panic("no column " + column)
}

func TestReadRecordMappings(t *testing.T) {
	const (
		gratuitSousCondition = "Gratuit sous condition : La gratuité est conditionnée à des critères (situation familiale, convention avec un organisme social...)"
		passNumerique        = "Accepte le Pass numérique : Il est possible d'utiliser un Pass numérique pour accéder au lieu"
	)
	cases := []struct {
		name  string
		cells map[string]string
		want  map[string]string // v1 column → cell written by StandardRecord
		notes []string
		nNote int      // the number of notes, when they are not listed
		errs  []string // "field: message"
	}{
		{
			name:  "v0.1 services to v1",
			cells: map[string]string{"services": "Prendre en main un ordinateur;Accéder à du matériel;S'équiper en matériel informatique"},
			want:  map[string]string{"services": "Maîtrise des outils numériques du quotidien|Accès internet et matériel informatique|Acquisition de matériel informatique à prix solidaire"},
			notes: []string{
				`"Prendre en main un ordinateur" (services, v0.1) devient "Maîtrise des outils numériques du quotidien" (services)`,
				`"Accéder à du matériel" (services, v0.1) devient "Accès internet et matériel informatique" (services)`,
				`"S'équiper en matériel informatique" (services, v0.1) devient "Acquisition de matériel informatique à prix solidaire" (services)`,
			},
		},
		{
			name: "services: several v0.1 values, one v1 value",
			cells: map[string]string{"services": "Devenir autonome dans les démarches administratives;Réaliser des démarches administratives avec un accompagnement;" +
				"Accompagner les démarches de santé;Créer et développer mon entreprise;Favoriser mon insertion professionnelle;Créer avec le numérique;" +
				"Soutenir la parentalité et l'éducation avec le numérique;Approfondir ma culture numérique;Promouvoir la citoyenneté numérique"},
			want: map[string]string{"services": "Aide aux démarches administratives|Insertion professionnelle via le numérique|Parentalité et éducation avec le numérique|" +
				"Loisirs et créations numériques|Compréhension du monde numérique"},
			nNote: 9,
		},
		{
			name: "modalités d'accompagnement",
			cells: map[string]string{"modalites_accompagnement": "Seul : j'ai accès à du matériel et une connexion;A ma place : une personne habilitée fait les démarches à ma place;" +
				"Avec de l'aide : je suis accompagné seul dans l'usage du numérique;Dans un atelier : j'apprends collectivement à utiliser le numérique"},
			want: map[string]string{"modalites_accompagnement": "En autonomie|Accompagnement individuel|Dans un atelier collectif"},
			notes: []string{
				`"Seul" (modalites_accompagnement, v0.1) devient "En autonomie" (modalites_accompagnement)`,
				`"A ma place" (modalites_accompagnement, v0.1) devient "Accompagnement individuel" (modalites_accompagnement)`,
				`"Avec de l'aide" (modalites_accompagnement, v0.1) devient "Accompagnement individuel" (modalites_accompagnement)`,
				`"Dans un atelier" (modalites_accompagnement, v0.1) devient "Dans un atelier collectif" (modalites_accompagnement)`,
			},
		},
		{
			name:  "short, accentless and differently cased legacy values",
			cells: map[string]string{"modalites_accompagnement": "À ma place;seul : J'AI ACCÈS", "services": "prendre en main un ORDINATEUR", "publics_accueillis": "SENIORS (+ 65 ANS)"},
			want:  map[string]string{"modalites_accompagnement": "En autonomie|Accompagnement individuel", "services": "Maîtrise des outils numériques du quotidien", "publics_specifiquement_adresses": "Seniors"},
			notes: []string{
				`"Prendre en main un ordinateur" (services, v0.1) devient "Maîtrise des outils numériques du quotidien" (services)`,
				`"A ma place" (modalites_accompagnement, v0.1) devient "Accompagnement individuel" (modalites_accompagnement)`,
				`"Seul" (modalites_accompagnement, v0.1) devient "En autonomie" (modalites_accompagnement)`,
				`"Seniors (+ 65 ans)" (publics_accueillis, v0.1) devient "Seniors" (publics_specifiquement_adresses)`,
			},
		},
		{
			name:  "frais: a value containing commas is not split, Adhésion is paid, Pass numérique has no v1 value",
			cells: map[string]string{"conditions_acces": gratuitSousCondition + ";Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer;" + passNumerique},
			want:  map[string]string{"frais_a_charge": "Gratuit sous condition|Payant"},
			notes: []string{
				`"Adhésion" (conditions_acces, v0.1) devient "Payant" (frais_a_charge)`,
				`"Accepte le Pass numérique" (conditions_acces, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`,
			},
		},
		{
			name:  "frais: one glossed value alone, in the v1 column",
			cells: map[string]string{"frais_a_charge": gratuitSousCondition},
			want:  map[string]string{"frais_a_charge": "Gratuit sous condition"},
		},
		{
			name:  "frais: glossed values joined with ; are two values, not a gloss",
			cells: map[string]string{"conditions_acces": "Gratuit : Je peux accéder gratuitement au lieu et à ses services;" + passNumerique},
			want:  map[string]string{"frais_a_charge": "Gratuit"},
			notes: []string{`"Accepte le Pass numérique" (conditions_acces, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`},
		},
		{
			name:  "frais: a gloss with its own wording still matches by its head",
			cells: map[string]string{"conditions_acces": "Gratuit sous condition : selon les revenus, sur rendez-vous"},
			want:  map[string]string{"frais_a_charge": "Gratuit sous condition"},
		},
		{
			name: "publics accueillis split into publics and prise en charge",
			cells: map[string]string{"publics_accueillis": "Adultes;Familles/enfants;Jeunes (16-26 ans);Seniors (+ 65 ans);Uniquement femmes;Public langues étrangères;" +
				"Déficience visuelle;Surdité;Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales;" +
				"Handicaps mentaux : déficiences limitant les activités d'une personne;Personnes en situation d'illettrisme"},
			want: map[string]string{
				"publics_specifiquement_adresses": "Jeunes|Familles et/ou enfants|Seniors|Femmes",
				"prise_en_charge_specifique":      "Surdité|Handicaps mentaux|Illettrisme|Langues étrangères (autres)|Déficience visuelle",
			},
			notes: []string{
				`"Adultes" (publics_accueillis, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`,
				`"Familles/enfants" (publics_accueillis, v0.1) devient "Familles et/ou enfants" (publics_specifiquement_adresses)`,
				`"Jeunes (16-26 ans)" (publics_accueillis, v0.1) devient "Jeunes" (publics_specifiquement_adresses)`,
				`"Seniors (+ 65 ans)" (publics_accueillis, v0.1) devient "Seniors" (publics_specifiquement_adresses)`,
				`"Uniquement femmes" (publics_accueillis, v0.1) devient "Femmes" (publics_specifiquement_adresses)`,
				`"Public langues étrangères" (publics_accueillis, v0.1) devient "Langues étrangères (autres)" (prise_en_charge_specifique)`,
				`"Handicaps psychiques" (publics_accueillis, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`,
				`"Personnes en situation d'illettrisme" (publics_accueillis, v0.1) devient "Illettrisme" (prise_en_charge_specifique)`,
			},
		},
		{
			name:  "a legacy public in a v1 column goes to its v1 field",
			cells: map[string]string{"publics_specifiquement_adresses": "Jeunes|Surdité"},
			want:  map[string]string{"publics_specifiquement_adresses": "Jeunes", "prise_en_charge_specifique": "Surdité"},
			notes: []string{`"Surdité" (publics_specifiquement_adresses, v0.1) passe dans prise_en_charge_specifique`},
		},
		{
			name: "labels nationaux split into dispositifs, formations and other labels",
			cells: map[string]string{"labels_nationaux": "France Services;CNFS;APTIC;Aidants Connect;Fabriques de Territoire;Grandes écoles du numérique;" +
				"Point relais CAF;Point numérique CAF;Relais pôle emploi;French Tech;Campus connecté"},
			want: map[string]string{
				"dispositif_programmes_nationaux": "Aidants Connect|Conseillers numériques|France Services|Grande école du numérique|Point d'accès numérique CAF",
				"formations_labels":               "Fabriques de Territoire",
				"autres_formations_labels":        "APTIC|Relais pôle emploi|French Tech|Campus connecté",
			},
			notes: []string{
				`"CNFS" (labels_nationaux, v0.1) devient "Conseillers numériques" (dispositif_programmes_nationaux)`,
				`"APTIC" (labels_nationaux, v0.1) n'a pas d'équivalent dans le standard v1 : gardé dans autres_formations_labels`,
				`"Grandes écoles du numérique" (labels_nationaux, v0.1) devient "Grande école du numérique" (dispositif_programmes_nationaux)`,
				`"Point relais CAF" (labels_nationaux, v0.1) devient "Point d'accès numérique CAF" (dispositif_programmes_nationaux)`,
				`"Point numérique CAF" (labels_nationaux, v0.1) devient "Point d'accès numérique CAF" (dispositif_programmes_nationaux)`,
				`"Relais pôle emploi" (labels_nationaux, v0.1) n'a pas d'équivalent dans le standard v1 : gardé dans autres_formations_labels`,
				`"French Tech" (labels_nationaux, v0.1) n'a pas d'équivalent dans le standard v1 : gardé dans autres_formations_labels`,
				`"Campus connecté" (labels_nationaux, v0.1) n'a pas d'équivalent dans le standard v1 : gardé dans autres_formations_labels`,
			},
		},
		{
			name: "the 2022 CNFS draft joined values with commas",
			cells: map[string]string{
				"services":          "Prendre en main un smartphone ou une tablette, Prendre en main un ordinateur, Approfondir ma culture numérique",
				"labels_nationaux":  "CNFS, Aidants Connect, France Services",
				"conditions_access": "Gratuit",
			},
			want: map[string]string{
				"services":                        "Maîtrise des outils numériques du quotidien|Compréhension du monde numérique",
				"dispositif_programmes_nationaux": "Aidants Connect|Conseillers numériques|France Services",
				"frais_a_charge":                  "Gratuit",
			},
			notes: []string{
				`"Prendre en main un smartphone ou une tablette" (services, v0.1) devient "Maîtrise des outils numériques du quotidien" (services)`,
				`"Prendre en main un ordinateur" (services, v0.1) devient "Maîtrise des outils numériques du quotidien" (services)`,
				`"Approfondir ma culture numérique" (services, v0.1) devient "Compréhension du monde numérique" (services)`,
				`"CNFS" (labels_nationaux, v0.1) devient "Conseillers numériques" (dispositif_programmes_nationaux)`,
			},
		},
		{
			name:  "glossed values joined with commas",
			cells: map[string]string{"conditions_acces": "Gratuit : Je peux accéder gratuitement au lieu et à ses services, Payant : L'accès au lieu et/ou à ses services est payant"},
			want:  map[string]string{"frais_a_charge": "Gratuit|Payant"},
		},
		{
			name:  "unknown values are errors, a comma never splits them",
			cells: map[string]string{"services": "Réparer des vélos, des trottinettes|Accès internet et matériel informatique", "publics_accueillis": "Adultes;Retraités"},
			want:  map[string]string{"services": "Accès internet et matériel informatique", "publics_specifiquement_adresses": ""},
			notes: []string{`"Adultes" (publics_accueillis, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`},
			errs: []string{
				"services: « Réparer des vélos, des trottinettes » n'est pas une valeur de la liste officielle",
				"publics_accueillis: « Retraités » n'est pas une valeur de la liste officielle",
			},
		},
		{
			name:  "a known value beside an unknown one joined with commas stays one unknown value",
			cells: map[string]string{"services": "Prendre en main un ordinateur, réparer son vélo"},
			want:  map[string]string{"services": ""},
			errs:  []string{"services: « Prendre en main un ordinateur, réparer son vélo » n'est pas une valeur de la liste officielle"},
		},
		{
			name: "hybrid row: v1 and v0.1 columns merge",
			cells: map[string]string{
				"services":                        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
				"publics_specifiquement_adresses": "Jeunes",
				"publics_accueillis":              "Adultes;Jeunes (16-26 ans);Seniors (+ 65 ans)",
				"dispositif_programmes_nationaux": "Aidants Connect",
				"labels_nationaux":                "CNFS;France Services",
				"frais_a_charge":                  "Gratuit",
				"conditions_acces":                "Payant : L'accès au lieu et/ou à ses services est payant",
				"courriels":                       "accueil@mairie.fr|cnfs@mairie.fr",
				"courriel":                        "CNFS@mairie.fr;autre@mairie.fr",
				"autres_formations_labels":        "SUD LABS|Nièvre médiation numérique",
				"labels_autres":                   "Nièvre médiation numérique;ZRR",
				"fiche_acces_libre":               "https://acceslibre.beta.gouv.fr/app/v1",
				"accessibilite":                   "https://acceslibre.beta.gouv.fr/app/v0",
				"cle_ban":                         "13201_1234_00012",
			},
			want: map[string]string{
				"services":                        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
				"publics_specifiquement_adresses": "Jeunes|Seniors",
				"dispositif_programmes_nationaux": "Aidants Connect|Conseillers numériques|France Services",
				"frais_a_charge":                  "Gratuit|Payant",
				"courriels":                       "accueil@mairie.fr|cnfs@mairie.fr|autre@mairie.fr",
				"autres_formations_labels":        "SUD LABS|Nièvre médiation numérique|ZRR",
				"fiche_acces_libre":               "https://acceslibre.beta.gouv.fr/app/v1",
			},
			notes: []string{
				`"Adultes" (publics_accueillis, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`,
				`"Jeunes (16-26 ans)" (publics_accueillis, v0.1) devient "Jeunes" (publics_specifiquement_adresses)`,
				`"Seniors (+ 65 ans)" (publics_accueillis, v0.1) devient "Seniors" (publics_specifiquement_adresses)`,
				`"CNFS" (labels_nationaux, v0.1) devient "Conseillers numériques" (dispositif_programmes_nationaux)`,
			},
		},
		{
			name:  "legacy columns alone fill the v1 fields",
			cells: map[string]string{"courriel": "contact@lieu.fr", "accessibilite": "https://acceslibre.beta.gouv.fr/app/x", "labels_autres": "ZRR"},
			want:  map[string]string{"courriels": "contact@lieu.fr", "fiche_acces_libre": "https://acceslibre.beta.gouv.fr/app/x", "autres_formations_labels": "ZRR"},
		},
		{
			name:  "free lists: ; separates, a stray comma in an e-mail stays for validation",
			cells: map[string]string{"courriel": "aubiet@france-service.gouv,fr", "typologie": "BIB;ASSO", "labels_autres": "Structure d'information jeunesse, Case numérique"},
			want:  map[string]string{"courriels": "aubiet@france-service.gouv,fr", "typologie": "BIB|ASSO", "autres_formations_labels": "Structure d'information jeunesse, Case numérique"},
		},
		{
			name:  "site web: v0.1 commas between addresses, ; and |",
			cells: map[string]string{"site_web": "https://a.fr,https://b.fr;https://c.fr/page,2|www.d.fr"},
			want:  map[string]string{"site_web": "https://a.fr|https://b.fr|https://c.fr/page,2|www.d.fr"},
		},
		{
			name:  "epoch date of an old tool is no date",
			cells: map[string]string{"date_maj": "1970-01-01"},
			want:  map[string]string{"date_maj": ""},
			notes: []string{`"1970-01-01" (date_maj) est la date nulle d'un ancien outil, pas une vraie date : date de mise à jour laissée vide`},
		},
		{
			name:  "epoch date shifted by a time zone",
			cells: map[string]string{"date_maj": "1969-12-31"},
			want:  map[string]string{"date_maj": ""},
			notes: []string{`"1969-12-31" (date_maj) est la date nulle d'un ancien outil, pas une vraie date : date de mise à jour laissée vide`},
		},
		{
			name:  "scalars as FromStandard reads them",
			cells: map[string]string{"date_maj": "2022-09-30", "pivot": "00000000000000", "latitude": "46.27947045", "longitude": "4.9", "id": "185"},
			want:  map[string]string{"date_maj": "2022-09-30", "pivot": PivotPlaceholder, "latitude": "46.27947045", "longitude": "4.9", "id": "185"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, errs, notes := ReadRecord(row(tc.cells))
			for col, want := range tc.want {
				if got := cell(p, col); got != want {
					t.Errorf("%s = %q, want %q", col, got, want)
				}
			}
			var gotErrs []string
			for _, e := range errs {
				gotErrs = append(gotErrs, e.Field+": "+e.Message)
			}
			if !reflect.DeepEqual(gotErrs, tc.errs) {
				t.Errorf("errors:\n got %q\nwant %q", gotErrs, tc.errs)
			}
			if tc.nNote > 0 {
				if len(notes) != tc.nNote {
					t.Errorf("%d notes, want %d: %q", len(notes), tc.nNote, notes)
				}
			} else if !reflect.DeepEqual(notes, tc.notes) {
				t.Errorf("notes:\n got %q\nwant %q", notes, tc.notes)
			}
		})
	}
}

func TestReadRecordPivotPlaceholderIsEmpty(t *testing.T) {
	p, _, _ := ReadRecord(row(map[string]string{"pivot": PivotPlaceholder}))
	if p.Pivot != "" {
		t.Errorf("pivot = %q, want empty", p.Pivot)
	}
}

// A v1 row reads exactly as FromStandard reads it, without notes.
func TestReadRecordV1AsFromStandard(t *testing.T) {
	p := valid()
	p.Normalize(ref(t))
	rec := p.StandardRecord()
	get := func(c string) string {
		for i, x := range Columns {
			if x == c {
				return rec[i]
			}
		}
		return ""
	}
	want, wantErrs := FromStandard(get)
	got, errs, notes := ReadRecord(get)
	if len(wantErrs) > 0 || len(errs) > 0 || len(notes) > 0 {
		t.Fatalf("errors %v / %v, notes %q", wantErrs, errs, notes)
	}
	if !reflect.DeepEqual(got, want) {
		for _, c := range Diff(want, got) {
			t.Errorf("%s: FromStandard %q, ReadRecord %q", c.Field, c.Old, c.New)
		}
	}
}

// Every value the v0.1 schema allows reads without error, alone and all
// together joined as the schema joins them.
func TestReadRecordLegacySchemaValues(t *testing.T) {
	b, err := os.ReadFile(schematest.File(t, "schema-lieux-mediation-numerique-v0.1.1.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Fields []struct {
			Name        string
			Constraints struct{ Pattern string }
		}
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	unescape := regexp.MustCompile(`\\(.)`)
	checked := 0
	for _, f := range s.Fields {
		p := f.Constraints.Pattern
		if !strings.HasPrefix(p, "(?:(?:^|;)(") {
			continue
		}
		inner := p[len("(?:(?:^|;)("):strings.LastIndex(p, "))+$")]
		var values []string
		for _, alt := range strings.Split(inner, "|") {
			values = append(values, unescape.ReplaceAllString(alt, "$1"))
		}
		for _, v := range append(values, strings.Join(values, ";")) {
			if _, errs, _ := ReadRecord(row(map[string]string{f.Name: v})); len(errs) > 0 {
				t.Errorf("%s: %q: %v", f.Name, v, errs)
			}
		}
		checked++
	}
	if checked != 5 {
		t.Errorf("checked %d enumerated v0.1 fields, want 5", checked)
	}
}

// The real files of hubs read without errors; their notes are counted by
// kind, and a few rows are checked value by value.
func TestReadRecordRealFiles(t *testing.T) {
	ter := territory.Default()
	files := []struct {
		name  string
		rows  int
		notes map[string]int // kind → count over the file
		check map[string]func(t *testing.T, p *Place, notes []string)
	}{
		{
			name:  "anct-client-application_source.json",
			rows:  687,
			notes: map[string]int{"devient": 7333, "ignoré": 728},
			check: map[string]func(*testing.T, *Place, []string){
				"127": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{
						"services":                        "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien|Compréhension du monde numérique",
						"publics_specifiquement_adresses": "Jeunes|Seniors",
						"prise_en_charge_specifique":      "Surdité|Handicaps mentaux|Illettrisme|Langues étrangères (autres)|Déficience visuelle",
						"frais_a_charge":                  "Payant",
						"modalites_accompagnement":        "Accompagnement individuel|Dans un atelier collectif",
						"pivot":                           PivotPlaceholder,
						"latitude":                        "45.75529676601393",
						"date_maj":                        "2021-10-05",
						"code_postal":                     "73410",
					})
					wantNote(t, notes, `"Accepte le Pass numérique" (conditions_acces, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré`)
				},
			},
		},
		{
			name:  "anct-client-application_20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.json",
			rows:  646,
			notes: map[string]int{"devient": 692, "ignoré": 125, "date nulle": 99},
			check: map[string]func(*testing.T, *Place, []string){
				"mediation-numerique-france-services-19": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{
						"services":                        "Aide aux démarches administratives|Insertion professionnelle via le numérique",
						"publics_specifiquement_adresses": "Jeunes|Familles et/ou enfants|Seniors",
						"dispositif_programmes_nationaux": "France Services",
						"frais_a_charge":                  "Gratuit",
						"courriels":                       "tende@france-services.gouv.fr",
						"date_maj":                        "2020-01-01",
					})
				},
				"mediation-numerique-cr93-93": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{"date_maj": "", "services": "Accès internet et matériel informatique", "code_postal": "04380"})
				},
				"dora-59ed8095-3d64-4cbd-a77f-64978439bdef": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{
						"modalites_accompagnement": "En autonomie|Accompagnement individuel|Dans un atelier collectif",
						"code_insee":               "06004",
					})
					if p.Departement != "06" {
						t.Errorf("département = %q, want 06", p.Departement)
					}
				},
			},
		},
		{
			name:  "anct-client-application_lieux-de-mediation-numerique.cnfs.json",
			rows:  2733,
			notes: map[string]int{"devient": 2733 * 5},
			check: map[string]func(*testing.T, *Place, []string){
				"62ac67578255a806e299d653": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{
						"services":                        "Maîtrise des outils numériques du quotidien|Compréhension du monde numérique",
						"dispositif_programmes_nationaux": "Aidants Connect|Conseillers numériques|France Services",
						"frais_a_charge":                  "Gratuit",
						"telephone":                       "+33298686760",
						"commune":                         "Landivisiau",
					})
				},
			},
		},
		{
			name:  "anct-client-application_20240320-nouvelle-caledonie-lieux-de-mediation-numeriques-nouvelle-caledonie.json",
			rows:  90,
			notes: map[string]int{"date nulle": 6},
			check: map[string]func(*testing.T, *Place, []string){
				"12": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{
						"publics_specifiquement_adresses": "Jeunes|Familles et/ou enfants|Seniors",
						"courriels":                       "drehu.cybertribu@gmail.com",
						"autres_formations_labels":        "Structure d'information jeunesse, Case numérique",
						"typologie":                       "ASSO",
						"code_insee":                      "98814",
						"telephone":                       "+687450700",
					})
				},
				"66": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{"autres_formations_labels": "ZRR|Case numérique", "typologie": "BIB"})
				},
				"21": func(t *testing.T, p *Place, notes []string) {
					want(t, p, map[string]string{"date_maj": ""})
				},
			},
		},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			rows := readRealFile(t, f.name)
			if len(rows) != f.rows {
				t.Fatalf("%d rows, want %d", len(rows), f.rows)
			}
			kinds := map[string]int{}
			seen := map[string]bool{}
			for n, r := range rows {
				get := func(c string) string { return r[c] }
				p, errs, notes := ReadRecord(get)
				if len(errs) > 0 {
					t.Errorf("row %d (id %s): %v", n+1, r["id"], errs)
				}
				for _, s := range notes {
					kinds[noteKind(s)]++
				}
				p.Normalize(ter)
				if p.HasCoords != (r["latitude"] != "") {
					t.Errorf("row %d: coordinates %q,%q not read", n+1, r["latitude"], r["longitude"])
				}
				if !p.DateMaj.IsZero() && p.DateMaj.Before(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)) {
					t.Errorf("row %d: date_maj %v kept", n+1, p.DateMaj)
				}
				if check, ok := f.check[r["id"]]; ok && !seen[r["id"]] {
					seen[r["id"]] = true
					t.Run("id "+r["id"], func(t *testing.T) { check(t, p, notes) })
				}
			}
			for id := range f.check {
				if !seen[id] {
					t.Errorf("no row with id %s", id)
				}
			}
			if !reflect.DeepEqual(kinds, f.notes) && !(len(kinds) == 0 && len(f.notes) == 0) {
				t.Errorf("notes by kind = %v, want %v", kinds, f.notes)
			}
		})
	}
}

// readRealFile reads a JSON array of objects whose values are strings,
// numbers or null into rows of text cells, as an import would.
func readRealFile(t *testing.T, name string) []map[string]string {
	t.Helper()
	b, err := os.ReadFile(schematest.File(t, "real-data/"+name))
	if err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	rows := make([]map[string]string, len(raw))
	for i, r := range raw {
		rows[i] = map[string]string{}
		for k, v := range r {
			switch v := v.(type) {
			case string:
				rows[i][k] = v
			case float64:
				rows[i][k] = strconv.FormatFloat(v, 'f', -1, 64)
			case nil:
			default:
				t.Fatalf("row %d: %s has a %T", i+1, k, v)
			}
		}
	}
	return rows
}

// noteKind classifies a note: a value mapped to another, dropped, kept as
// a free label, moved to another field, or an epoch date.
func noteKind(s string) string {
	for _, k := range []string{"devient", "ignoré", "gardé dans", "passe dans", "date nulle"} {
		if strings.Contains(s, k) {
			return k
		}
	}
	return s
}

func want(t *testing.T, p *Place, cells map[string]string) {
	t.Helper()
	cols := make([]string, 0, len(cells))
	for c := range cells {
		cols = append(cols, c)
	}
	sort.Strings(cols)
	for _, c := range cols {
		if got := cell(p, c); got != cells[c] {
			t.Errorf("%s = %q, want %q", c, got, cells[c])
		}
	}
}

func wantNote(t *testing.T, notes []string, note string) {
	t.Helper()
	for _, n := range notes {
		if n == note {
			return
		}
	}
	t.Errorf("no note %q in %q", note, notes)
}

package place

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"portrea/internal/place/schematest"
)

// schemaPatterns reads the enumeration patterns of the official schema.
func schemaPatterns(t *testing.T) map[string]*regexp.Regexp {
	t.Helper()
	b, err := os.ReadFile(schematest.File(t, "schema-lieux-mediation-numerique.json"))
	if err != nil {
		t.Fatalf("official schema: %v", err)
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
	out := map[string]*regexp.Regexp{}
	for _, f := range s.Fields {
		if f.Constraints.Pattern != "" {
			out[f.Name] = regexp.MustCompile("^(?:" + f.Constraints.Pattern + ")$")
		}
	}
	return out
}

// Every value we export must validate against the schema's own pattern,
// and every value the pattern names must be one of ours.
func TestVocabsMatchSchema(t *testing.T) {
	patterns := schemaPatterns(t)
	for _, v := range SetVocabs {
		re, ok := patterns[v.Field]
		if !ok {
			t.Fatalf("%s: no pattern in the schema", v.Field)
		}
		for _, it := range v.Items {
			if !re.MatchString(it.ExportLabel()) {
				t.Errorf("%s: %q does not validate", v.Field, it.ExportLabel())
			}
		}
		if all := strings.Join(v.ExportLabels(v.All()), Sep); !re.MatchString(all) {
			t.Errorf("%s: the full list does not validate", v.Field)
		}
		// The alternatives of the pattern, unescaped, are the official values.
		inner := re.String()
		inner = inner[strings.Index(inner, "|)(")+3 : strings.LastIndex(inner, "))+")]
		for _, alt := range strings.Split(inner, "|") {
			alt = strings.NewReplacer(`\(`, "(", `\)`, ")").Replace(alt)
			if _, ok := v.Lookup(alt); !ok {
				t.Errorf("%s: official value %q unknown to us", v.Field, alt)
			}
		}
		if len(v.Items) > 64 {
			t.Errorf("%s: %d items do not fit a Set", v.Field, len(v.Items))
		}
	}
}

func TestVocabTraps(t *testing.T) {
	tests := []struct {
		v    *Vocab
		in   string
		code string
	}{
		{Services, "Comprehension du monde numérique", "comprehension"},
		{Services, "aide aux demarches administratives", "aide-demarches"},
		{ModalitesAcces, "Ce lieu n’accueille pas de public", "pas-de-public"},
		{ModalitesAccompagnement, "À distance (par téléphone ou en visioconférence)", "a-distance"},
		{ModalitesAccompagnement, "A distance", "a-distance"},
		{FormationsLabels, "Étapes numériques (La Poste)", "etapes-numeriques"},
		{FormationsLabels, "Étapes numériques(La Poste)", "etapes-numeriques"},
		{Dispositifs, "france-services", "france-services"},
	}
	for _, tt := range tests {
		i, ok := tt.v.Lookup(tt.in)
		if !ok || tt.v.Items[i].Code != tt.code {
			t.Errorf("%s.Lookup(%q) = %v, %v; want %s", tt.v.Field, tt.in, i, ok, tt.code)
		}
	}
	if _, ok := Services.Lookup("Accompagner les démarches de santé"); ok {
		t.Error("a legacy v0.1 service must not pass as a v1 value")
	}
	set, unknown := Publics.ParseList([]string{"Seniors", " Jeunes ", "Adultes", ""})
	if got := Publics.Labels(set); strings.Join(got, "|") != "Jeunes|Seniors" || len(unknown) != 1 || unknown[0] != "Adultes" {
		t.Errorf("ParseList = %v, %v", got, unknown)
	}
}

func TestTypologies(t *testing.T) {
	for _, in := range []string{"autre", "AUTRE", "Autre"} {
		if ty, ok := LookupTypology(in); !ok || ty.Code != "Autre" {
			t.Errorf("LookupTypology(%q) = %v, %v", in, ty, ok)
		}
	}
	if _, ok := LookupTypology("MAIRIE"); ok {
		t.Error("MAIRIE is not an official typology")
	}
	seen := map[string]bool{}
	for _, ty := range Typologies {
		if seen[ty.Code] || ty.Label == "" {
			t.Errorf("typology %q duplicated or unlabelled", ty.Code)
		}
		seen[ty.Code] = true
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Médiathèque de l’Île":         "mediatheque de l'ile",
		"  ŒUVRE   Été ":               "oeuvre ete",
		"Formé à « Mon Espace Santé »": "forme a \" mon espace sante \"",
	}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	if got := SearchText("Médiathèque L'Arbre", "Plélan-le-Grand"); got != " mediatheque l arbre plelan le grand " {
		t.Errorf("SearchText = %q", got)
	}
}

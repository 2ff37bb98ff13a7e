package place

import (
	"strings"
)

// Item is one value of an official list: a stable code for storage, the
// label people read, and the exact spelling the national schema validates.
type Item struct {
	Code  string
	Label string
	// Export is the value written to the national standard when it differs
	// from Label (see EtapesNumeriques below); empty means Label.
	Export string
}

// ExportLabel is the value written in the national standard files.
func (it Item) ExportLabel() string {
	if it.Export != "" {
		return it.Export
	}
	return it.Label
}

// Vocab is an official value list. The position of an item is its bit in a
// Set and is stored in the database: append new items, never reorder.
type Vocab struct {
	Field string // column name in the national standard
	Title string // French title shown to people
	Items []Item
	index map[string]int
}

// Set holds the chosen items of a Vocab as bits.
type Set uint64

// Has reports whether item i is in the set.
func (s Set) Has(i int) bool { return s&(1<<uint(i)) != 0 }

// With returns the set with item i added.
func (s Set) With(i int) Set { return s | 1<<uint(i) }

// Len is the number of chosen items.
func (s Set) Len() int {
	n := 0
	for ; s != 0; s &= s - 1 {
		n++
	}
	return n
}

func newVocab(field, title string, items ...Item) *Vocab {
	v := &Vocab{Field: field, Title: title, Items: items, index: map[string]int{}}
	for i, it := range items {
		for _, k := range []string{it.Code, it.Label, it.Export} {
			if k != "" {
				v.index[vocabKey(k)] = i
			}
		}
	}
	return v
}

// alias makes an extra spelling resolve to the item with the given code.
func (v *Vocab) alias(code string, spellings ...string) *Vocab {
	i := v.indexOf(code)
	if i < 0 {
		panic("place: unknown code " + code + " in " + v.Field)
	}
	for _, s := range spellings {
		v.index[vocabKey(s)] = i
	}
	return v
}

// IndexOf returns the position of the item with that code, or -1.
func (v *Vocab) IndexOf(code string) int { return v.indexOf(code) }

func (v *Vocab) indexOf(code string) int {
	for i, it := range v.Items {
		if it.Code == code {
			return i
		}
	}
	return -1
}

// Lookup finds the item for a label, its export spelling, its code or a
// known variant (typographic apostrophe, missing accent, glossed label).
func (v *Vocab) Lookup(s string) (int, bool) {
	i, ok := v.index[vocabKey(s)]
	return i, ok
}

// Bit returns the set holding only the item with that code; it panics on an
// unknown code because codes are compile-time constants of the program.
func (v *Vocab) Bit(code string) Set {
	i := v.indexOf(code)
	if i < 0 {
		panic("place: unknown code " + code + " in " + v.Field)
	}
	return Set(0).With(i)
}

// Labels lists the French labels of the set, in list order.
func (v *Vocab) Labels(s Set) []string {
	var out []string
	for i, it := range v.Items {
		if s.Has(i) {
			out = append(out, it.Label)
		}
	}
	return out
}

// Codes lists the codes of the set, in list order.
func (v *Vocab) Codes(s Set) []string {
	var out []string
	for i, it := range v.Items {
		if s.Has(i) {
			out = append(out, it.Code)
		}
	}
	return out
}

// ExportLabels lists the set as the national standard spells it.
func (v *Vocab) ExportLabels(s Set) []string {
	var out []string
	for i, it := range v.Items {
		if s.Has(i) {
			out = append(out, it.ExportLabel())
		}
	}
	return out
}

// ParseList reads values (labels, codes or variants) into a set and returns
// the values it did not recognise.
func (v *Vocab) ParseList(values []string) (Set, []string) {
	var s Set
	var unknown []string
	for _, val := range values {
		if strings.TrimSpace(val) == "" {
			continue
		}
		if i, ok := v.Lookup(val); ok {
			s = s.With(i)
		} else {
			unknown = append(unknown, strings.TrimSpace(val))
		}
	}
	return s, unknown
}

// All is the set of every item.
func (v *Vocab) All() Set { return Set(1)<<uint(len(v.Items)) - 1 }

// vocabKey folds the variants found in real files onto one key: case,
// accents, typographic apostrophes and quotes, and spacing before brackets.
func vocabKey(s string) string {
	s = Fold(s)
	s = bracketSpaces.Replace(s)
	return s
}

var bracketSpaces = strings.NewReplacer(" (", "(", "( ", "(", " )", ")")

// Official lists of the national standard v1.0.2 (exact labels from the
// patterns of schema-lieux-mediation-numerique.json).
var (
	Services = newVocab("services", "Services",
		Item{Code: "aide-demarches", Label: "Aide aux démarches administratives"},
		Item{Code: "outils-quotidien", Label: "Maîtrise des outils numériques du quotidien"},
		Item{Code: "insertion-pro", Label: "Insertion professionnelle via le numérique"},
		Item{Code: "usage-securise", Label: "Utilisation sécurisée du numérique"},
		Item{Code: "parentalite", Label: "Parentalité et éducation avec le numérique"},
		Item{Code: "loisirs-creations", Label: "Loisirs et créations numériques"},
		Item{Code: "comprehension", Label: "Compréhension du monde numérique"},
		Item{Code: "acces-materiel", Label: "Accès internet et matériel informatique"},
		Item{Code: "materiel-solidaire", Label: "Acquisition de matériel informatique à prix solidaire"},
	)

	Publics = newVocab("publics_specifiquement_adresses", "Publics spécifiquement adressés",
		Item{Code: "jeunes", Label: "Jeunes"},
		Item{Code: "etudiants", Label: "Étudiants"},
		Item{Code: "familles", Label: "Familles et/ou enfants"},
		Item{Code: "seniors", Label: "Seniors"},
		Item{Code: "femmes", Label: "Femmes"},
	)

	PriseEnCharge = newVocab("prise_en_charge_specifique", "Prise en charge spécifique",
		Item{Code: "surdite", Label: "Surdité"},
		Item{Code: "handicaps-moteurs", Label: "Handicaps moteurs"},
		Item{Code: "handicaps-mentaux", Label: "Handicaps mentaux"},
		Item{Code: "illettrisme", Label: "Illettrisme"},
		Item{Code: "langues-anglais", Label: "Langues étrangères (anglais)"},
		Item{Code: "langues-autres", Label: "Langues étrangères (autres)"},
		Item{Code: "deficience-visuelle", Label: "Déficience visuelle"},
	)

	Frais = newVocab("frais_a_charge", "Frais à charge",
		Item{Code: "gratuit", Label: "Gratuit"},
		Item{Code: "gratuit-sous-condition", Label: "Gratuit sous condition"},
		Item{Code: "payant", Label: "Payant"},
	)

	Itinerance = newVocab("itinerance", "Itinérance",
		Item{Code: "itinerant", Label: "Itinérant"},
		Item{Code: "fixe", Label: "Fixe"},
	)

	ModalitesAcces = newVocab("modalites_acces", "Modalités d'accès",
		Item{Code: "se-presenter", Label: "Se présenter"},
		Item{Code: "telephoner", Label: "Téléphoner"},
		Item{Code: "contacter-par-mail", Label: "Contacter par mail"},
		Item{Code: "rdv-en-ligne", Label: "Prendre un RDV en ligne"},
		Item{Code: "pas-de-public", Label: "Ce lieu n'accueille pas de public"},
		Item{Code: "fiche-prescription", Label: "Envoyer un mail avec une fiche de prescription"},
	)

	ModalitesAccompagnement = newVocab("modalites_accompagnement", "Modalités d'accompagnement",
		Item{Code: "autonomie", Label: "En autonomie"},
		Item{Code: "individuel", Label: "Accompagnement individuel"},
		Item{Code: "atelier-collectif", Label: "Dans un atelier collectif"},
		Item{Code: "a-distance", Label: "À distance"},
	).alias("atelier-collectif", "Dans un atelier collectif : j'apprends collectivement à utiliser le numérique").
		alias("a-distance", "À distance (par téléphone ou en visioconférence)")

	Dispositifs = newVocab("dispositif_programmes_nationaux", "Dispositifs et programmes nationaux",
		Item{Code: "aidants-connect", Label: "Aidants Connect"},
		Item{Code: "bnr", Label: "Bibliothèques numérique de référence"},
		Item{Code: "pix", Label: "Certification PIX"},
		Item{Code: "conseillers-numeriques", Label: "Conseillers numériques"},
		Item{Code: "emmaus-connect", Label: "Emmaüs Connect"},
		Item{Code: "france-services", Label: "France Services"},
		Item{Code: "gen", Label: "Grande école du numérique"},
		Item{Code: "croix-rouge", Label: "La Croix Rouge"},
		Item{Code: "caf", Label: "Point d'accès numérique CAF"},
		Item{Code: "promeneurs-du-net", Label: "Promeneurs du net"},
		Item{Code: "relais-emmaus", Label: "Relais numérique (Emmaüs Connect)"},
	)

	// FormationsLabels: the v1.0.2 pattern spells "Étapes numériques(La
	// Poste)" without the space the description and the national library use.
	// We show the spaced label, accept both, and export the spelling the
	// schema validates, since the contract requires schema-valid files.
	FormationsLabels = newVocab("formations_labels", "Formations et labels",
		Item{Code: "mon-espace-sante", Label: "Formé à « Mon Espace Santé »"},
		Item{Code: "duplex", Label: "Formé à « DUPLEX » (illettrisme)"},
		Item{Code: "arnia", Label: "Arnia/MedNum BFC (Bourgogne-Franche-Comté)"},
		Item{Code: "reemploi-normandie", Label: "Collectif ressources et acteurs réemploi (Normandie)"},
		Item{Code: "etapes-numeriques", Label: "Étapes numériques (La Poste)", Export: "Étapes numériques(La Poste)"},
		Item{Code: "fabriques-de-territoire", Label: "Fabriques de Territoire"},
		Item{Code: "eclaireurs-drome", Label: "Les Éclaireurs du numérique (Drôme)"},
		Item{Code: "mes-papiers", Label: "Mes Papiers (Métropole de Lyon)"},
		Item{Code: "ordi-3", Label: "ORDI 3.0"},
		Item{Code: "sud-labs", Label: "SUD LABS (PACA)"},
	)
)

// SetVocabs lists every code-set field of the record in standard column order.
var SetVocabs = []*Vocab{Itinerance, Services, Publics, PriseEnCharge, Frais, Dispositifs, FormationsLabels, ModalitesAcces, ModalitesAccompagnement}

// ServiceGroups groups the 9 services by need, as the national map does.
var ServiceGroups = []struct {
	Title    string
	Services []string // codes
}{
	{"Démarches", []string{"aide-demarches"}},
	{"Compétences de base", []string{"outils-quotidien", "usage-securise", "insertion-pro"}},
	{"Culture numérique", []string{"comprehension", "parentalite", "loisirs-creations"}},
	{"Matériel", []string{"acces-materiel", "materiel-solidaire"}},
}

// SetOf returns the place's set for this list.
func (v *Vocab) SetOf(p *Place) Set { return v.setOf(p) }

// SetIn replaces the place's set for this list.
func (v *Vocab) SetIn(p *Place, s Set) { *v.field(p) = s }

package census

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"

	"portrea/internal/place"
)

// Format is what kind of file an import reads.
type Format string

const (
	FormatTemplate Format = "modele"   // PORTREA's census sheet
	FormatStandard Format = "standard" // national standard v1
	FormatLegacy   Format = "v0.1"     // national standard v0.1, or half-migrated to v1
	FormatOther    Format = "autre"    // any other table: its columns must be mapped
)

// FormatLabels are the French names of the formats.
var FormatLabels = map[Format]string{
	FormatTemplate: "modèle de recensement PORTREA",
	FormatStandard: "standard national des lieux de médiation numérique (v1)",
	FormatLegacy:   "ancien standard national (v0.1)",
	FormatOther:    "autre tableau (correspondance des colonnes)",
}

// legacyColumns are the v0.1 columns that place.ReadRecord understands.
var legacyColumns = place.LegacyColumns

// ownColumns are PORTREA's fields beside the standard.
var ownColumns = []string{"statut", "contact_nom", "contact_courriel", "contact_telephone", "notes"}

// Target is a field a column can be mapped to.
type Target struct {
	Key   string
	Label string
}

// Targets lists what a column of another table can be mapped to, for the
// mapping step: the standard's fields (a list field takes values separated
// by "|" or ";"), PORTREA's own fields and the territory's complementary
// fields.
func Targets(extra []place.ExtraField) []Target {
	var out []Target
	for _, c := range place.Columns {
		out = append(out, Target{c, place.FieldLabel(c)})
	}
	out = append(out,
		Target{"statut", "Statut"},
		Target{"contact_nom", "Contact privé : nom"},
		Target{"contact_courriel", "Contact privé : courriel"},
		Target{"contact_telephone", "Contact privé : téléphone"},
		Target{"notes", "Notes du référent"},
	)
	for _, f := range extra {
		out = append(out, Target{"extra:" + f.Key, "Complémentaire : " + f.Label})
	}
	return out
}

// synonyms are headers seen in hubs' own tables (NocoDB, Airtable, Excel
// lists), folded, and the field they hold.
var synonyms = map[string]string{
	"nom de la structure": "nom", "structure": "nom", "nom du lieu": "nom", "lieu": "nom", "raison sociale": "nom", "name": "nom",
	"siret": "pivot", "rna": "pivot", "siret ou rna": "pivot", "n siret": "pivot", "numero siret": "pivot",
	"adresse postale": "adresse", "rue": "adresse", "voie": "adresse", "address": "adresse",
	"complement": "complement_adresse",
	"cp":         "code_postal", "code postal": "code_postal", "postcode": "code_postal",
	"ville": "commune", "localite": "commune", "city": "commune",
	"code commune": "code_insee", "insee": "code_insee", "code insee": "code_insee", "citycode": "code_insee",
	"lat": "latitude", "lng": "longitude", "lon": "longitude", "long": "longitude",
	"tel": "telephone", "telephone": "telephone", "tel.": "telephone", "numero de telephone": "telephone", "phone": "telephone",
	"email": "courriels", "e-mail": "courriels", "mail": "courriels", "adresse mail": "courriels", "adresse e-mail": "courriels", "courriel": "courriels",
	"site internet": "site_web", "site": "site_web", "url": "site_web", "site web": "site_web", "website": "site_web",
	"horaires d'ouverture": "horaires", "heures d'ouverture": "horaires", "horaires": "horaires", "ouverture": "horaires",
	"description": "presentation_resume", "presentation": "presentation_resume", "resume": "presentation_resume",
	"type": "typologie", "type de structure": "typologie", "typologie": "typologie",
	"services proposes": "services", "services": "services", "thematiques": "services",
	"publics": "publics_specifiquement_adresses", "public": "publics_specifiquement_adresses",
	"tarif": "frais_a_charge", "tarifs": "frais_a_charge", "cout": "frais_a_charge", "gratuit / payant": "frais_a_charge",
	"labels": "dispositif_programmes_nationaux", "dispositifs": "dispositif_programmes_nationaux",
	"date de mise a jour": "date_maj", "mise a jour": "date_maj", "derniere mise a jour": "date_maj", "updated_at": "date_maj",
	"contact": "contact_nom", "referent": "contact_nom", "personne a contacter": "contact_nom", "nom du contact": "contact_nom",
	"email du contact": "contact_courriel", "mail du contact": "contact_courriel", "courriel du contact": "contact_courriel",
	"telephone du contact": "contact_telephone", "tel du contact": "contact_telephone",
	"commentaire": "notes", "commentaires": "notes", "remarques": "notes",
	"rendez-vous": "prise_rdv", "prise de rendez-vous": "prise_rdv",
	"accessibilite": "fiche_acces_libre",
}

// Detected is what the import recognised in a table's header.
type Detected struct {
	Format Format
	// Mapping gives, for each column of the header, the key it is read
	// into ("" when the column is ignored).
	Mapping []string
	// Signature identifies the header, to find a saved mapping again.
	Signature string
	// Unmapped are the columns nothing was recognised for.
	Unmapped []string
	// Saved is true when a mapping a person confirmed earlier was applied.
	Saved bool
}

// Detect recognises the format of a table from its header and proposes a
// column mapping. extra are the territory's complementary fields.
func Detect(header []string, extra []place.ExtraField) Detected {
	d := Detected{Mapping: make([]string, len(header)), Signature: Signature(header)}
	byLabel := map[string]string{}
	for _, c := range Layout(extra, nil) {
		byLabel[place.Fold(c.Label)] = c.Key
	}
	standard := map[string]bool{}
	for _, c := range place.Columns {
		standard[c] = true
	}
	legacy := map[string]bool{}
	for _, c := range legacyColumns {
		legacy[c] = true
	}
	own := map[string]bool{}
	for _, c := range ownColumns {
		own[c] = true
	}
	extraKeys := map[string]bool{}
	for _, f := range extra {
		extraKeys["extra:"+f.Key] = true
	}
	var labels, stdCols, distinctive int
	used := map[string]bool{}
	for i, h := range header {
		raw := strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		folded := place.Fold(raw)
		key := ""
		switch {
		case standard[raw] || standard[folded]:
			key = folded
			stdCols++
		case legacy[folded]:
			key = folded
			// "courriel" and "accessibilite" are also what anyone calls
			// those columns: they alone do not make a v0.1 file.
			if folded != "courriel" && folded != "accessibilite" {
				distinctive++
			}
		case own[folded] || extraKeys[folded]:
			key = folded
		case byLabel[folded] != "":
			key = byLabel[folded]
			labels++
		case synonyms[folded] != "":
			key = synonyms[folded]
		}
		if key != "" && used[key] && !ListKey(key) {
			key = "" // a second column for the same scalar field is left to the person
		}
		if key == "" && raw != "" {
			d.Unmapped = append(d.Unmapped, raw)
		}
		if key != "" {
			used[key] = true
		}
		d.Mapping[i] = key
	}
	switch {
	case labels >= 3 && used["nom"]:
		d.Format = FormatTemplate
	case distinctive > 0 && stdCols >= 4 && used["nom"]:
		d.Format = FormatLegacy
	case stdCols >= 5 && used["nom"] && used["adresse"]:
		d.Format = FormatStandard
	default:
		d.Format = FormatOther
	}
	return d
}

// ListKey reports keys that several columns may fill: tick columns and
// list fields (values are united).
func ListKey(key string) bool {
	if strings.Contains(key, ":") && !strings.HasPrefix(key, "extra:") {
		return true
	}
	switch key {
	case "courriels", "site_web", "typologie", "autres_formations_labels", "notes":
		return true
	}
	return vocabOf(key) != nil
}

// Signature identifies a header whatever the order of its columns, the
// case and accents of their names.
func Signature(header []string) string {
	cols := make([]string, 0, len(header))
	for _, h := range header {
		if f := place.Fold(strings.TrimSpace(h)); f != "" {
			cols = append(cols, f)
		}
	}
	sort.Strings(cols)
	sum := sha256.Sum256([]byte(strings.Join(cols, "\x00")))
	return hex.EncodeToString(sum[:12])
}

// ApplySaved replaces the proposed mapping by a saved one (header name →
// key), for the columns it names.
func (d *Detected) ApplySaved(header []string, saved map[string]string) {
	for i, h := range header {
		if k, ok := saved[place.Fold(strings.TrimSpace(h))]; ok {
			d.Mapping[i] = k
		}
	}
	d.Saved = true
	d.Unmapped = nil
	for i, k := range d.Mapping {
		if k == "" && strings.TrimSpace(header[i]) != "" {
			d.Unmapped = append(d.Unmapped, header[i])
		}
	}
}

// MappingByName turns a mapping into header name → key, the form saved for
// next time.
func MappingByName(header, mapping []string) map[string]string {
	out := map[string]string{}
	for i, h := range header {
		if i < len(mapping) {
			out[place.Fold(strings.TrimSpace(h))] = mapping[i]
		}
	}
	return out
}

// ValidKey reports whether key is something a column can be read into.
func ValidKey(key string, extra []place.ExtraField) bool {
	if key == "" {
		return true
	}
	for _, t := range Targets(extra) {
		if t.Key == key {
			return true
		}
	}
	for _, c := range legacyColumns {
		if c == key {
			return true
		}
	}
	for _, c := range Layout(extra, nil) {
		if c.Key == key {
			return true
		}
	}
	return false
}

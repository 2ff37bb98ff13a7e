// Package census is PORTREA's census of a territory's places: the
// spreadsheet a territory fills in ("modèle de recensement des acteurs"),
// and the import of that spreadsheet and of the other files hubs hold
// (national standard v1, legacy v0.1, any CSV or XLSX through a column
// mapping), previewed row by row before one transaction commits them.
package census

import (
	"strings"

	"portrea/internal/place"
)

// Kind says how a census column is filled in.
type Kind int

const (
	KindText   Kind = iota // free text
	KindChoice             // one value from Choices (a dropdown)
	KindTick               // one item of a multi-valued list: "x" when it applies
	KindNumber             // a decimal number (coordinates, extra numbers)
	KindDate               // a date (JJ/MM/AAAA)
)

// Column is one column of the census sheet "Lieux".
type Column struct {
	// Key identifies the column whatever its French header:
	//   - a national standard column ("nom", "horaires", "typologie"…);
	//   - "liste:ITEM" for a tick column, where liste is the standard column
	//     of the list and ITEM the item's code ("services:aide-demarches");
	//   - "contact_nom", "contact_courriel", "contact_telephone", "notes",
	//     "statut" for PORTREA's own fields;
	//   - "extra:KEY" for a complementary field of the territory.
	Key     string
	Label   string // French header, unique in the sheet
	Group   string // French group title, shown above the headers
	Help    string // French explanation, shown in the instructions and as the header's comment
	Kind    Kind
	Choices []string // the values offered by a KindChoice column
	// Required columns must be filled in for the row to be imported.
	Required bool
	// Private columns hold personal or internal data, never published.
	Private bool
	Width   float64 // column width in characters
}

// Tick is what the template writes in a ticked list column. Reading
// accepts more (see Ticked).
const Tick = "x"

// Ticked reports whether a tick cell says yes: "x", "X", "oui", "1",
// "vrai", "✓"…
func Ticked(cell string) bool {
	switch place.Fold(strings.TrimSpace(cell)) {
	case "x", "oui", "o", "1", "vrai", "true", "yes", "✓", "✔", "ok":
		return true
	}
	return false
}

// ExampleID marks the template's example row: the import skips rows whose
// id is this word.
const ExampleID = "EXEMPLE"

// Itinerance choices of the census sheet (the standard's list has two
// values; a place can be both).
const (
	ItineranceFixe   = "Fixe"
	ItineranceMobile = "Itinérant"
	ItineranceBoth   = "Fixe et itinérant"
)

// Layout returns the columns of the census sheet in order: the national
// standard's fields grouped as a person fills them in, one tick column per
// item of every multi-valued list, PORTREA's private fields, then the
// territory's complementary fields (extra, in their order). communes are
// the choices of the commune column ("Nom (code INSEE)").
func Layout(extra []place.ExtraField, communes []string) []Column {
	cols := []Column{
		{Key: "id", Label: "Identifiant PORTREA", Group: "Identification", Width: 38,
			Help: "Laisser vide pour un nouveau lieu. Rempli dans les exports de PORTREA : ne pas le modifier, il permet de mettre à jour le lieu au lieu d'en créer un autre."},
		{Key: "nom", Label: "Nom du lieu", Group: "Identification", Required: true, Width: 32,
			Help: "Le nom sous lequel le public connaît le lieu (3 caractères au moins)."},
		{Key: "pivot", Label: "SIRET ou RNA", Group: "Identification", Width: 18,
			Help: "SIRET à 14 chiffres de la structure, ou numéro RNA (W suivi de 9 chiffres) pour une association."},
		{Key: "typologie", Label: "Type de structure", Group: "Identification", Kind: KindChoice, Choices: typologyChoices(), Width: 28,
			Help: "Le type de la structure, dans la liste officielle."},
		{Key: "structure_parente", Label: "Structure parente", Group: "Identification", Width: 22,
			Help: "La structure dont dépend le lieu, s'il y en a une (par exemple la commune d'une médiathèque)."},
		{Key: "adresse", Label: "Adresse", Group: "Adresse", Required: true, Width: 30,
			Help: "Numéro et voie, sans le code postal ni la commune."},
		{Key: "complement_adresse", Label: "Complément d'adresse", Group: "Adresse", Width: 20,
			Help: "Bâtiment, étage, porte…"},
		{Key: "code_postal", Label: "Code postal", Group: "Adresse", Required: true, Width: 11,
			Help: "5 chiffres."},
		{Key: "commune", Label: "Commune", Group: "Adresse", Required: true, Kind: KindChoice, Choices: communes, Width: 28,
			Help: "Choisir la commune dans la liste du territoire."},
		{Key: "code_insee", Label: "Code INSEE", Group: "Adresse", Width: 11,
			Help: "Facultatif : déduit de la commune à l'import."},
		{Key: "latitude", Label: "Latitude", Group: "Adresse", Kind: KindNumber, Width: 11,
			Help: "Facultatif : l'adresse est géolocalisée à l'import. Nombre décimal (48.0183)."},
		{Key: "longitude", Label: "Longitude", Group: "Adresse", Kind: KindNumber, Width: 11,
			Help: "Facultatif, avec la latitude. Nombre décimal (-2.1713)."},
		{Key: "telephone", Label: "Téléphone", Group: "Contact public", Width: 16,
			Help: "Le numéro que le public peut appeler, par exemple 02 99 12 34 56."},
		{Key: "courriels", Label: "Courriels", Group: "Contact public", Width: 26,
			Help: "Adresse électronique publique ; plusieurs adresses séparées par « | »."},
		{Key: "site_web", Label: "Site web", Group: "Contact public", Width: 26,
			Help: "Adresse du site ; plusieurs adresses séparées par « | »."},
		{Key: "horaires", Label: "Horaires", Group: "Accueil", Width: 36,
			Help: "En clair (« du lundi au vendredi de 9h à 12h et de 14h à 17h ») ou au format OpenStreetMap (Mo-Fr 09:00-12:00,14:00-17:00)."},
		{Key: "itinerance", Label: "Lieu fixe ou itinérant", Group: "Accueil", Kind: KindChoice, Choices: []string{ItineranceFixe, ItineranceMobile, ItineranceBoth}, Width: 16,
			Help: "Un lieu itinérant se déplace (bus, permanences dans plusieurs communes)."},
		{Key: "prise_rdv", Label: "Lien de prise de rendez-vous", Group: "Accueil", Width: 26,
			Help: "Adresse web où le public prend rendez-vous."},
		{Key: "fiche_acces_libre", Label: "Fiche Acceslibre", Group: "Accueil", Width: 26,
			Help: "Adresse de la fiche d'accessibilité du lieu sur acceslibre.beta.gouv.fr."},
	}
	cols = append(cols, tickColumns(place.ModalitesAcces, "Accueil", "Modalités d'accès")...)
	cols = append(cols, tickColumns(place.Frais, "Accueil", "Frais à charge")...)
	cols = append(cols, tickColumns(place.Services, "Services", "Service")...)
	cols = append(cols, tickColumns(place.ModalitesAccompagnement, "Accompagnement", "Accompagnement")...)
	cols = append(cols, tickColumns(place.Publics, "Publics", "Public")...)
	cols = append(cols, tickColumns(place.PriseEnCharge, "Publics", "Prise en charge")...)
	cols = append(cols, tickColumns(place.Dispositifs, "Dispositifs et labels", "Dispositif")...)
	cols = append(cols, tickColumns(place.FormationsLabels, "Dispositifs et labels", "Label")...)
	cols = append(cols,
		Column{Key: "autres_formations_labels", Label: "Autres formations ou labels", Group: "Dispositifs et labels", Width: 24,
			Help: "Labels hors de la liste officielle, séparés par « | »."},
		Column{Key: "presentation_resume", Label: "Présentation courte", Group: "Présentation", Width: 40,
			Help: "280 caractères au plus : ce que le lieu propose, en une ou deux phrases."},
		Column{Key: "presentation_detail", Label: "Présentation détaillée", Group: "Présentation", Width: 40,
			Help: "Facultatif : description plus longue."},
		Column{Key: "source", Label: "Source", Group: "Suivi", Width: 16,
			Help: "Qui a fourni l'information (laisser vide : PORTREA l'indique)."},
		Column{Key: "date_maj", Label: "Date de mise à jour", Group: "Suivi", Kind: KindDate, Width: 14,
			Help: "Date à laquelle les informations ont été vérifiées (JJ/MM/AAAA). Vide : la date de l'import."},
		Column{Key: "statut", Label: "Statut", Group: "Suivi", Kind: KindChoice, Choices: statusChoices(), Width: 14,
			Help: "Vide ou « Actif » pour un lieu ouvert."},
		Column{Key: "contact_nom", Label: "Contact privé : nom", Group: "Contact privé (jamais publié)", Private: true, Width: 22,
			Help: "La personne à joindre pour les mises à jour. Jamais publié."},
		Column{Key: "contact_courriel", Label: "Contact privé : courriel", Group: "Contact privé (jamais publié)", Private: true, Width: 26,
			Help: "Reçoit les campagnes de mise à jour. Jamais publié."},
		Column{Key: "contact_telephone", Label: "Contact privé : téléphone", Group: "Contact privé (jamais publié)", Private: true, Width: 18,
			Help: "Pour les relances téléphoniques. Jamais publié."},
		Column{Key: "notes", Label: "Notes du référent", Group: "Contact privé (jamais publié)", Private: true, Width: 30,
			Help: "Notes internes du ou de la référente. Jamais publiées."},
	)
	for _, f := range extra {
		c := Column{Key: "extra:" + f.Key, Label: "Complémentaire : " + f.Label, Group: "Données complémentaires du territoire", Help: f.Help, Width: 20}
		switch f.Kind {
		case place.ExtraChoice:
			c.Kind, c.Choices = KindChoice, f.Options
		case place.ExtraBool:
			c.Kind, c.Choices = KindChoice, []string{"oui", "non"}
		case place.ExtraNumber:
			c.Kind = KindNumber
		case place.ExtraDate:
			c.Kind = KindDate
		}
		cols = append(cols, c)
	}
	return cols
}

// tickColumns gives one tick column per item of a list.
func tickColumns(v *place.Vocab, group, prefix string) []Column {
	cols := make([]Column, len(v.Items))
	for i, it := range v.Items {
		cols[i] = Column{Key: v.Field + ":" + it.Code, Label: prefix + " : " + it.Label, Group: group, Kind: KindTick, Width: 12,
			Help: v.Title + " : mettre « x » si « " + it.Label + " » s'applique au lieu, laisser vide sinon."}
	}
	return cols
}

func typologyChoices() []string {
	out := make([]string, len(place.Typologies))
	for i, t := range place.Typologies {
		out[i] = t.Label
	}
	return out
}

func statusChoices() []string {
	return []string{place.StatusLabels[place.StatusActive], place.StatusLabels[place.StatusClosed], place.StatusLabels[place.StatusGone]}
}

// CommuneChoice is how the template lists a commune: "Paimpont (35211)".
func CommuneChoice(nom, code string) string { return nom + " (" + code + ")" }

// Values renders a place as one row of the census sheet, in cols order.
// Private columns are left empty unless private is true.
func Values(cols []Column, p *place.Place, private bool) []string {
	rec := p.StandardRecord()
	out := make([]string, len(cols))
	for i, c := range cols {
		if c.Private && !private {
			continue
		}
		key, item, isTick := strings.Cut(c.Key, ":")
		switch {
		case key == "extra":
			out[i] = p.Extra[item]
		case isTick:
			v := vocabOf(key)
			if v != nil && v.SetOf(p).Has(v.IndexOf(item)) {
				out[i] = Tick
			}
		case key == "pivot":
			if !p.PivotMissing() {
				out[i] = p.Pivot
			}
		case key == "typologie":
			labels := make([]string, 0, len(p.Typologies))
			for _, code := range p.Typologies {
				if t, ok := place.LookupTypology(code); ok {
					labels = append(labels, t.Label)
				} else {
					labels = append(labels, code)
				}
			}
			out[i] = strings.Join(labels, place.Sep)
		case key == "commune":
			if p.CodeInsee != "" {
				out[i] = CommuneChoice(p.Commune, p.CodeInsee)
			} else {
				out[i] = p.Commune
			}
		case key == "itinerance":
			fixe, mobile := p.Itinerance.Has(place.Itinerance.IndexOf("fixe")), p.Itinerance.Has(place.Itinerance.IndexOf("itinerant"))
			switch {
			case fixe && mobile:
				out[i] = ItineranceBoth
			case mobile:
				out[i] = ItineranceMobile
			case fixe:
				out[i] = ItineranceFixe
			}
		case key == "date_maj":
			if !p.DateMaj.IsZero() {
				out[i] = p.DateMaj.Format("02/01/2006")
			}
		case key == "statut":
			out[i] = place.StatusLabels[p.Status]
		case key == "contact_nom":
			out[i] = p.ContactNom
		case key == "contact_courriel":
			out[i] = p.ContactEmail
		case key == "contact_telephone":
			out[i] = p.ContactTelephone
		case key == "notes":
			out[i] = p.Notes
		default:
			if j, ok := standardIndex[key]; ok {
				out[i] = rec[j]
			}
		}
	}
	return out
}

// standardIndex is the position of each standard column in a record.
var standardIndex = func() map[string]int {
	m := make(map[string]int, len(place.Columns))
	for i, c := range place.Columns {
		m[c] = i
	}
	return m
}()

// vocabOf returns the official list stored in a standard column.
func vocabOf(field string) *place.Vocab {
	for _, v := range place.SetVocabs {
		if v.Field == field {
			return v
		}
	}
	return nil
}

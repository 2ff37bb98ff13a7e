package place

import (
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"portrea/internal/openinghours"
	"portrea/internal/territory"
)

// FieldError is a problem with one field, in French, for the person who
// typed or imported it. Field is the national standard column name, or the
// name of the private field.
type FieldError struct {
	Field   string
	Message string
}

// Errors lists every problem found in a record.
type Errors []FieldError

func (e Errors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = FieldLabel(fe.Field) + " : " + fe.Message
	}
	return strings.Join(parts, " ; ")
}

// For returns the message for one field, or "".
func (e Errors) For(field string) string {
	for _, fe := range e {
		if fe.Field == field {
			return fe.Message
		}
	}
	return ""
}

func (e *Errors) add(field, format string, args ...any) {
	*e = append(*e, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
}

// MaxResume is the standard's limit for presentation_resume, in characters.
const MaxResume = 280

// Normalize cleans what people and files usually get slightly wrong, before
// validation: spaces, phone and URL forms, a postcode that lost its leading
// zero, an old INSEE code, and derives the commune name, EPCI, département
// and région from the INSEE code. It never discards a value it cannot fix:
// Validate reports those.
func (p *Place) Normalize(ref *territory.Reference) {
	for _, s := range []*string{&p.Nom, &p.Adresse, &p.ComplementAdresse, &p.CodePostal, &p.Commune, &p.CodeInsee,
		&p.Horaires, &p.Resume, &p.Detail, &p.Source, &p.StructureParente, &p.FicheAccesLibre, &p.PriseRdv,
		&p.ContactNom, &p.ContactEmail, &p.Telephone, &p.ContactTelephone} {
		*s = strings.TrimSpace(*s)
	}
	p.Pivot = NormalizePivot(p.Pivot)
	if len(p.CodePostal) == 4 && allDigits(p.CodePostal) {
		p.CodePostal = "0" + p.CodePostal
	}
	if len(p.CodeInsee) == 4 && allDigits(p.CodeInsee) {
		p.CodeInsee = "0" + p.CodeInsee
	}
	p.CodeInsee = strings.ToUpper(p.CodeInsee)
	if c, ok := ref.Resolve(p.CodeInsee); ok {
		p.CodeInsee = c.Code
		if p.Commune == "" {
			p.Commune = c.Nom
		}
		if p.CodePostal == "" && len(c.CodesPostaux) == 1 {
			p.CodePostal = c.CodesPostaux[0]
		}
	}
	p.Derive(ref)
	if tel, err := NormalizePhone(p.Telephone, p.CodePostal); err == nil {
		p.Telephone = tel
	}
	if tel, err := NormalizePhone(p.ContactTelephone, p.CodePostal); err == nil {
		p.ContactTelephone = tel
	}
	p.Courriels = cleanList(p.Courriels, strings.ToLower)
	p.ContactEmail = strings.ToLower(p.ContactEmail)
	p.SitesWeb = cleanList(p.SitesWeb, func(s string) string {
		if u, err := NormalizeURL(s); err == nil {
			return u
		}
		return s
	})
	for _, s := range []*string{&p.FicheAccesLibre, &p.PriseRdv} {
		if u, err := NormalizeURL(*s); err == nil {
			*s = u
		}
	}
	p.AutresLabels = cleanList(p.AutresLabels, nil)
	var typ []string
	for _, c := range cleanList(p.Typologies, nil) {
		if t, ok := LookupTypology(c); ok {
			c = t.Code
		}
		typ = append(typ, c)
	}
	p.Typologies = typ
	if p.Status == "" {
		p.Status = StatusActive
	}
}

// Derive sets the EPCI, département and région from the INSEE code.
func (p *Place) Derive(ref *territory.Reference) {
	p.EPCI, p.Departement, p.Region = "", "", ""
	if c, ok := ref.Commune(p.CodeInsee); ok {
		p.EPCI, p.Departement, p.Region = c.EPCI, c.Departement, c.Region
	}
}

func cleanList(in []string, f func(string) string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if f != nil {
			s = f(s)
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// Validate checks the record against the national standard and PORTREA's
// own rules and returns every problem, or nil. now is used to refuse a
// date_maj in the future.
func (p *Place) Validate(ref *territory.Reference, now time.Time) error {
	var e Errors
	required := func(field, v string) bool {
		if strings.TrimSpace(v) == "" {
			e.add(field, "obligatoire")
			return false
		}
		return true
	}
	if required("nom", p.Nom) && utf8.RuneCountInString(p.Nom) > 250 {
		e.add("nom", "trop long (%d caractères, 250 au plus)", utf8.RuneCountInString(p.Nom))
	}
	if err := CheckPivot(p.Pivot); err != nil {
		e.add("pivot", "%s", err)
	}
	required("adresse", p.Adresse)
	postcodeOK := false
	if required("code_postal", p.CodePostal) {
		if len(p.CodePostal) != 5 || !allDigits(p.CodePostal) {
			e.add("code_postal", "« %s » invalide (attendu 5 chiffres)", p.CodePostal)
		} else {
			postcodeOK = true
		}
	}
	required("commune", p.Commune)
	if required("code_insee", p.CodeInsee) {
		c, ok := ref.Commune(p.CodeInsee)
		switch {
		case !ok:
			e.add("code_insee", "« %s » n'existe pas dans le code officiel géographique (%s)", p.CodeInsee, ref.Vintage())
		case postcodeOK && len(c.CodesPostaux) > 0 && !contains(c.CodesPostaux, p.CodePostal):
			e.add("code_postal", "%s n'est pas un code postal de %s (%s) : attendu %s", p.CodePostal, c.Nom, c.Code, strings.Join(c.CodesPostaux, ", "))
		}
	}
	if p.HasCoords {
		if math.IsNaN(p.Latitude) || p.Latitude < -90 || p.Latitude > 90 {
			e.add("latitude", "%v hors des bornes (-90 à 90)", p.Latitude)
		}
		if math.IsNaN(p.Longitude) || p.Longitude < -180 || p.Longitude > 180 {
			e.add("longitude", "%v hors des bornes (-180 à 180)", p.Longitude)
		}
	}
	for _, t := range p.Typologies {
		if _, ok := LookupTypology(t); !ok {
			e.add("typologie", "« %s » n'est pas une typologie de la liste officielle", t)
		}
	}
	if p.Telephone != "" {
		if _, err := NormalizePhone(p.Telephone, p.CodePostal); err != nil {
			e.add("telephone", "%s", err)
		}
	}
	for _, m := range p.Courriels {
		if err := CheckEmail(m); err != nil {
			e.add("courriels", "%s", err)
		}
	}
	for _, u := range p.SitesWeb {
		if _, err := NormalizeURL(u); err != nil {
			e.add("site_web", "%s", err)
		}
	}
	for field, u := range map[string]string{"fiche_acces_libre": p.FicheAccesLibre, "prise_rdv": p.PriseRdv} {
		if _, err := NormalizeURL(u); err != nil {
			e.add(field, "%s", err)
		}
	}
	if p.Horaires != "" {
		if _, err := openinghours.Parse(p.Horaires); err != nil {
			e.add("horaires", "%s", strings.TrimPrefix(err.Error(), "horaires : "))
		}
	}
	if n := utf8.RuneCountInString(p.Resume); n > MaxResume {
		e.add("presentation_resume", "trop long : %d caractères pour %d au plus", n, MaxResume)
	}
	if p.DateMaj.IsZero() {
		e.add("date_maj", "obligatoire")
	} else if p.DateMaj.After(Date(now)) {
		e.add("date_maj", "le %s est dans le futur", p.DateMaj.Format("02/01/2006"))
	}
	for _, l := range p.AutresLabels {
		if strings.Contains(l, "|") {
			e.add("autres_formations_labels", "« %s » contient le séparateur « | »", l)
		}
	}
	for _, v := range SetVocabs {
		if s := v.setOf(p); s&^v.All() != 0 {
			e.add(v.Field, "valeur hors de la liste officielle")
		}
	}
	if p.ContactEmail != "" {
		if err := CheckEmail(p.ContactEmail); err != nil {
			e.add("contact_email", "%s", err)
		}
	}
	if p.ContactTelephone != "" {
		if _, err := NormalizePhone(p.ContactTelephone, p.CodePostal); err != nil {
			e.add("contact_telephone", "%s", err)
		}
	}
	switch p.Status {
	case StatusActive, StatusClosed, StatusGone:
	case StatusDuplicate:
		if p.DuplicateOf == "" || p.DuplicateOf == p.ID {
			e.add("statut", "un doublon doit désigner le lieu qu'il double")
		}
	default:
		e.add("statut", "« %s » inconnu", p.Status)
	}
	if len(e) == 0 {
		return nil
	}
	return e
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// setOf returns the field of p that holds this vocabulary.
func (v *Vocab) setOf(p *Place) Set {
	return *v.field(p)
}

func (v *Vocab) field(p *Place) *Set {
	switch v {
	case Itinerance:
		return &p.Itinerance
	case Services:
		return &p.Services
	case Publics:
		return &p.Publics
	case PriseEnCharge:
		return &p.PriseEnCharge
	case Frais:
		return &p.Frais
	case Dispositifs:
		return &p.Dispositifs
	case FormationsLabels:
		return &p.FormationsLabels
	case ModalitesAcces:
		return &p.ModalitesAcces
	case ModalitesAccompagnement:
		return &p.ModalitesAccompagnement
	}
	panic("place: unknown vocabulary " + v.Field)
}

// fieldLabels are the French names of the record's fields.
var fieldLabels = map[string]string{
	"id": "Identifiant", "pivot": "SIRET ou RNA", "nom": "Nom", "commune": "Commune", "code_postal": "Code postal",
	"code_insee": "Code INSEE", "adresse": "Adresse", "complement_adresse": "Complément d'adresse",
	"latitude": "Latitude", "longitude": "Longitude", "typologie": "Typologie", "telephone": "Téléphone",
	"courriels": "Courriel(s)", "site_web": "Site web", "horaires": "Horaires",
	"presentation_resume": "Présentation résumée", "presentation_detail": "Présentation détaillée",
	"source": "Structure collectant la donnée", "itinerance": "Itinérance", "structure_parente": "Structure parente",
	"date_maj": "Date de mise à jour", "services": "Services",
	"publics_specifiquement_adresses": "Publics spécifiquement adressés",
	"prise_en_charge_specifique":      "Prise en charge spécifique", "frais_a_charge": "Frais à charge",
	"dispositif_programmes_nationaux": "Dispositifs et programmes nationaux",
	"formations_labels":               "Formations et labels", "autres_formations_labels": "Autres formations et labels",
	"modalites_acces": "Modalités d'accès", "modalites_accompagnement": "Modalités d'accompagnement",
	"fiche_acces_libre": "Fiche Accès libre", "prise_rdv": "Prise de rendez-vous en ligne",
	"contact_nom": "Nom du contact (privé)", "contact_email": "Courriel du contact (privé)",
	"contact_telephone": "Téléphone du contact (privé)", "notes": "Notes du référent (privé)", "statut": "Statut",
}

// FieldLabel gives the French name of a field, for messages.
func FieldLabel(field string) string {
	if l, ok := fieldLabels[field]; ok {
		return l
	}
	return field
}

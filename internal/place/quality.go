package place

import (
	"math"
	"strings"
	"time"
)

// completenessField is one field of the completeness score: its weight, the
// French label shown when it is missing, and whether a place fills it.
type completenessField struct {
	weight  int
	label   string
	present func(p *Place) bool
}

func hasText(s string) bool { return strings.TrimSpace(s) != "" }

func hasItem(list []string) bool {
	for _, s := range list {
		if hasText(s) {
			return true
		}
	}
	return false
}

// completenessFields mirror the national map's score (weight 2 for the
// fields a visitor needs, 1 for the rest), in the order a referent fills
// the form, so that MissingFields reads naturally.
var completenessFields = []completenessField{
	{2, FieldLabel("nom"), func(p *Place) bool { return hasText(p.Nom) }},
	{2, FieldLabel("adresse"), func(p *Place) bool { return hasText(p.Adresse) }},
	{2, FieldLabel("code_postal"), func(p *Place) bool { return hasText(p.CodePostal) }},
	{2, FieldLabel("commune"), func(p *Place) bool { return hasText(p.Commune) }},
	{2, FieldLabel("typologie"), func(p *Place) bool { return hasItem(p.Typologies) }},
	{2, FieldLabel("telephone"), func(p *Place) bool { return hasText(p.Telephone) }},
	{2, FieldLabel("courriels"), func(p *Place) bool { return hasItem(p.Courriels) }},
	{2, FieldLabel("site_web"), func(p *Place) bool { return hasItem(p.SitesWeb) }},
	{2, FieldLabel("horaires"), func(p *Place) bool { return hasText(p.Horaires) }},
	{2, "Présentation", func(p *Place) bool { return hasText(p.Resume) || hasText(p.Detail) }},
	{2, FieldLabel("services"), func(p *Place) bool { return p.Services != 0 }},
	{2, FieldLabel("publics_specifiquement_adresses"), func(p *Place) bool { return p.Publics != 0 }},
	{2, FieldLabel("prise_en_charge_specifique"), func(p *Place) bool { return p.PriseEnCharge != 0 }},
	{2, FieldLabel("frais_a_charge"), func(p *Place) bool { return p.Frais != 0 }},
	{2, FieldLabel("modalites_accompagnement"), func(p *Place) bool { return p.ModalitesAccompagnement != 0 }},
	{2, FieldLabel("dispositif_programmes_nationaux"), func(p *Place) bool { return p.Dispositifs != 0 }},
	{2, FieldLabel("autres_formations_labels"), func(p *Place) bool { return hasItem(p.AutresLabels) }},
	{2, FieldLabel("date_maj"), func(p *Place) bool { return !p.DateMaj.IsZero() }},
	// Latitude and longitude weigh 1 each and come together.
	{2, "Géolocalisation", func(p *Place) bool { return p.HasCoords }},
	{1, FieldLabel("fiche_acces_libre"), func(p *Place) bool { return hasText(p.FicheAccesLibre) }},
	{1, FieldLabel("prise_rdv"), func(p *Place) bool { return hasText(p.PriseRdv) }},
	{1, FieldLabel("source"), func(p *Place) bool { return hasText(p.Source) }},
}

var completenessTotal = func() int {
	n := 0
	for _, f := range completenessFields {
		n += f.weight
	}
	return n
}()

// Completeness is the weighted share, 0 to 100, of the fields the national
// map counts in its completeness score.
func Completeness(p *Place) int {
	got := 0
	for _, f := range completenessFields {
		if f.present(p) {
			got += f.weight
		}
	}
	return int(math.Round(100 * float64(got) / float64(completenessTotal)))
}

// MissingFields lists the French labels of the scored fields the place
// leaves empty, in form order: what to ask the referent to fill.
func MissingFields(p *Place) []string {
	var out []string
	for _, f := range completenessFields {
		if !f.present(p) {
			out = append(out, f.label)
		}
	}
	return out
}

// Freshness says how recently a place's information was confirmed, from
// its date_maj, with data·inclusion's bands.
type Freshness int

const (
	FreshUnknown Freshness = iota // no date_maj
	Fresh                         // under 6 months
	Aging                         // 6 to 24 months
	Stale                         // over 24 months
)

// FreshnessOf rates dateMaj on now's calendar day in France, counting in
// calendar months: confirmed on 15 March, a place turns Aging on 15
// September and Stale the day after 15 March two years later.
func FreshnessOf(dateMaj, now time.Time) Freshness {
	if dateMaj.IsZero() {
		return FreshUnknown
	}
	d := time.Date(dateMaj.Year(), dateMaj.Month(), dateMaj.Day(), 0, 0, 0, 0, time.UTC)
	today := Date(now)
	switch {
	case today.Before(d.AddDate(0, 6, 0)):
		return Fresh
	case today.After(d.AddDate(0, 24, 0)):
		return Stale
	}
	return Aging
}

// Label is the French badge text.
func (f Freshness) Label() string {
	switch f {
	case Fresh:
		return "À jour"
	case Aging:
		return "À vérifier"
	case Stale:
		return "Ancienne"
	}
	return "Jamais confirmée"
}

// Class is the CSS class of the badge.
func (f Freshness) Class() string {
	switch f {
	case Fresh:
		return "fresh"
	case Aging:
		return "aging"
	case Stale:
		return "stale"
	}
	return "unknown"
}

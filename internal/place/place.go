// Package place owns the record of a digital-inclusion place ("lieu"): the
// fields of the national standard for digital-mediation places v1.0.2, what
// PORTREA keeps beside them (private contacts, referent notes, status,
// complementary fields), their validation and their mapping to the standard.
package place

import (
	"crypto/rand"
	"fmt"
	"time"
	_ "time/tzdata" // French times must work on machines without a zoneinfo database
)

// Status says whether a place still exists and is shown to the public.
type Status string

const (
	StatusActive    Status = "actif"
	StatusClosed    Status = "ferme"         // temporarily or permanently closed
	StatusGone      Status = "n-existe-plus" // the place no longer exists
	StatusDuplicate Status = "doublon"       // duplicate of DuplicateOf
)

// StatusLabels are the French labels of the statuses.
var StatusLabels = map[Status]string{
	StatusActive:    "Actif",
	StatusClosed:    "Fermé",
	StatusGone:      "N'existe plus",
	StatusDuplicate: "Doublon",
}

// Place is one digital-inclusion place. Field comments give the national
// standard column they map to.
type Place struct {
	ID                string  // id: our stable identifier, a UUID
	Pivot             string  // pivot: SIRET or RNA; empty when unknown
	Nom               string  // nom
	Adresse           string  // adresse
	ComplementAdresse string  // complement_adresse
	CodePostal        string  // code_postal
	Commune           string  // commune
	CodeInsee         string  // code_insee
	Latitude          float64 // latitude (valid only when HasCoords)
	Longitude         float64 // longitude
	HasCoords         bool
	Typologies        []string // typologie: codes of Typologies
	Telephone         string   // telephone, compact international form
	Courriels         []string // courriels
	SitesWeb          []string // site_web
	Horaires          string   // horaires, OpenStreetMap opening_hours
	Resume            string   // presentation_resume, ≤ 280 characters
	Detail            string   // presentation_detail
	Source            string   // source
	StructureParente  string   // structure_parente
	DateMaj           time.Time
	AutresLabels      []string // autres_formations_labels
	FicheAccesLibre   string   // fiche_acces_libre
	PriseRdv          string   // prise_rdv

	Itinerance              Set
	Services                Set
	Publics                 Set
	PriseEnCharge           Set
	Frais                   Set
	Dispositifs             Set
	FormationsLabels        Set
	ModalitesAcces          Set
	ModalitesAccompagnement Set

	// Derived from CodeInsee through the territory reference.
	EPCI        string
	Departement string
	Region      string

	// Private: never shown on public pages, the API or exports.
	ContactNom       string
	ContactEmail     string
	ContactTelephone string
	Notes            string // the referent's notes

	Status      Status
	DuplicateOf string

	// Extra holds the territory's complementary fields, by field key.
	Extra map[string]string

	CreatedAt time.Time
	UpdatedAt time.Time
}

// NewID returns a random UUID (version 4), the form the standard suggests
// for `id`.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return FormatUUID(b)
}

// FormatUUID writes 16 bytes as a version 4 UUID.
func FormatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ReceivesPublic is false when the place says it does not receive the
// public, or offers no service (the national library reads a place
// without services that way).
func (p *Place) ReceivesPublic() bool {
	return !p.ModalitesAcces.Has(ModalitesAcces.indexOf("pas-de-public")) && p.Services != 0
}

// PivotMissing reports a place with no SIRET or RNA: exported with the
// all-zero placeholder and flagged "pivot manquant".
func (p *Place) PivotMissing() bool {
	return p.Pivot == "" || p.Pivot == PivotPlaceholder
}

// PivotPlaceholder is what the national chain writes when the SIRET is unknown.
const PivotPlaceholder = "00000000000000"

// Public reports whether the place is shown on public pages and exports.
func (p *Place) Public() bool { return p.Status == StatusActive || p.Status == "" }

// Date truncates t to its calendar day in the French time zone, the unit of
// date_maj.
func Date(t time.Time) time.Time {
	t = t.In(Paris)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Paris is the time zone every French date and opening hour is read in.
var Paris = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err) // time/tzdata is embedded by the binary
	}
	return loc
}()

// Package demo makes the demonstration data of PORTREA: the demo territory
// seeded by `portrea serve --demo`, and synthetic places for load tests
// (`portrea demo --places N`).
//
// Positions: a demo place sits at its commune's centre point (from the
// built-in territory reference, which takes it from geo.api.gouv.fr)
// moved by a deterministic offset of at most a few hundred metres, so it
// falls inside the commune without pretending to be a real building.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// Demo territories of the contract.
const (
	BroceliandeSIREN = "243500618"
	MontfortSIREN    = "243500550"
	brittany         = "53"
)

// Seed fills an empty database with the demo territory and returns false,
// doing nothing, when the database already holds places.
func Seed(ctx context.Context, st *store.Store, ref *territory.Reference, now time.Time) (bool, error) {
	n, err := st.CountPlaces(ctx)
	if err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	for _, e := range ref.EPCIsInRegion(brittany) {
		d := &territory.Deployment{EPCI: e.SIREN, Phase: territory.PhaseContact}
		switch e.SIREN {
		case BroceliandeSIREN:
			d.Phase, d.Strategy, d.PhaseSince = territory.PhaseExploitation, territory.StrategyGeneraliste, now.AddDate(0, -8, 0)
		case MontfortSIREN:
			d.Phase, d.Strategy, d.PhaseSince = territory.PhaseDeploiement, territory.StrategyOutil, now.AddDate(0, 0, -18)
		}
		if err := st.SaveDeployment(ctx, d); err != nil {
			return false, err
		}
	}
	for _, f := range broceliandeFields {
		f := f
		f.EPCI = BroceliandeSIREN
		if err := st.CreateExtraField(ctx, &f); err != nil {
			return false, fmt.Errorf("demo: field %s: %w", f.Key, err)
		}
	}
	actor := store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "données de démonstration"}}
	for _, set := range []struct {
		source string
		places []seedPlace
	}{{"Brocéliande Communauté (PORTREA)", broceliande}, {"Montfort Communauté (PORTREA)", montfort}} {
		for i, sp := range set.places {
			p, err := sp.build(ref, now, set.source, i)
			if err != nil {
				return false, err
			}
			if err := st.CreatePlace(ctx, p, actor); err != nil {
				return false, fmt.Errorf("demo: %s: %w", sp.nom, err)
			}
		}
	}
	return true, nil
}

// broceliandeFields are the complementary fields Brocéliande chose to
// collect beyond the national standard.
var broceliandeFields = []place.ExtraField{
	{Key: "wifi", Label: "Wifi en accès libre", Kind: place.ExtraBool, Position: 1},
	{Key: "nb-postes", Label: "Nombre de postes en accès libre", Kind: place.ExtraNumber, Position: 2},
	{Key: "breton", Label: "Accueil possible en breton", Kind: place.ExtraBool, Position: 3},
	{Key: "journee", Label: "Présent à la journée collaborative", Kind: place.ExtraChoice, Options: []string{"Oui", "Non", "Excusé"}, Position: 4},
}

func (sp seedPlace) build(ref *territory.Reference, now time.Time, source string, i int) (*place.Place, error) {
	c, ok := ref.Commune(sp.insee)
	if !ok {
		return nil, fmt.Errorf("demo: unknown commune %s", sp.insee)
	}
	h := hash("demo", sp.insee, sp.nom)
	p := &place.Place{
		ID:                      place.FormatUUID(h),
		Nom:                     sp.nom,
		Adresse:                 sp.adresse,
		ComplementAdresse:       sp.complement,
		CodeInsee:               sp.insee,
		Commune:                 c.Nom,
		CodePostal:              c.CodesPostaux[0],
		Typologies:              strings.Fields(sp.typ),
		Horaires:                sp.hours,
		Resume:                  sp.resume,
		Source:                  source,
		DateMaj:                 place.Date(now.AddDate(0, -sp.ageMonths, -int(h[3]%20))),
		Services:                codes(place.Services, sp.services),
		Publics:                 codes(place.Publics, sp.publics),
		PriseEnCharge:           codes(place.PriseEnCharge, sp.pec),
		Frais:                   codes(place.Frais, sp.frais),
		ModalitesAcces:          codes(place.ModalitesAcces, sp.acces),
		ModalitesAccompagnement: codes(place.ModalitesAccompagnement, sp.accomp),
		Dispositifs:             codes(place.Dispositifs, sp.dispositifs),
		FormationsLabels:        codes(place.FormationsLabels, sp.labels),
		Itinerance:              place.Itinerance.Bit("fixe"),
		Telephone:               fmt.Sprintf("+332619100%02d", i%100),
		Status:                  place.StatusActive,
	}
	if sp.itinerant {
		p.Itinerance = place.Itinerance.Bit("itinerant")
	}
	if sp.closed {
		p.Status = place.StatusClosed
	}
	if !sp.noPivot {
		p.Pivot = siret(h)
	}
	slug := strings.Join(place.SearchWords(c.Nom), "-")
	if !sp.noEmail {
		p.Courriels = []string{strings.Join(place.SearchWords(firstWords(sp.nom, 2)), ".") + "@" + slug + ".example.org"}
	}
	if strings.Contains(sp.typ, "MUNI") || strings.Contains(sp.typ, "BIB") {
		p.SitesWeb = []string{"https://www." + slug + ".example.org"}
	}
	if sp.contact != "" {
		p.ContactNom = sp.contact
		p.ContactEmail = strings.Join(place.SearchWords(sp.contact), ".") + "@" + slug + ".example.org"
		p.ContactTelephone = fmt.Sprintf("+336399800%02d", i%100)
	}
	if sp.ageMonths >= 24 {
		p.Notes = "Ne répond plus aux courriels : relancer par téléphone avant la prochaine campagne."
	}
	if !sp.noPosition {
		p.Latitude, p.Longitude = jitter(c.Lat, c.Lon, h, 400)
		p.HasCoords = true
	}
	if strings.HasPrefix(source, "Brocéliande") {
		p.Extra = demoExtra(h, p, now)
	}
	p.Normalize(ref)
	if err := p.Validate(ref, now); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", sp.nom, err)
	}
	return p, nil
}

func demoExtra(h [16]byte, p *place.Place, now time.Time) map[string]string {
	x := map[string]string{}
	if p.Services&place.Services.Bit("acces-materiel") != 0 {
		x["wifi"] = "oui"
		x["nb-postes"] = fmt.Sprint(2 + int(h[4]%6))
	}
	if h[5]%5 == 0 {
		x["breton"] = "oui"
	}
	if p.DateMaj.After(now.AddDate(-1, 0, 0)) {
		x["journee"] = []string{"Oui", "Oui", "Non", "Excusé"}[h[6]%4]
	}
	return x
}

func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) > n {
		w = w[:n]
	}
	return strings.Join(w, " ")
}

// codes turns space-separated vocabulary codes into a set.
func codes(v *place.Vocab, s string) place.Set {
	var set place.Set
	for _, c := range strings.Fields(s) {
		set |= v.Bit(c)
	}
	return set
}

// hash derives 16 stable bytes from its parts.
func hash(parts ...string) [16]byte {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	var b [16]byte
	copy(b[:], sum[:16])
	return b
}

// siret builds a SIRET with a valid Luhn key from hash bytes: 8 digits, a
// SIREN key, NIC 0001 and the SIRET key. Invented, but checks pass.
func siret(h [16]byte) string {
	n := binary.BigEndian.Uint64(h[8:]) % 90_000_000
	siren := luhnComplete(fmt.Sprintf("%08d", 10_000_000+n))
	return luhnComplete(siren + "0001")
}

// luhnComplete appends the digit that makes s pass the Luhn check.
func luhnComplete(s string) string {
	for d := 0; d <= 9; d++ {
		c := s + string(rune('0'+d))
		sum := 0
		for i := 0; i < len(c); i++ {
			x := int(c[len(c)-1-i] - '0')
			if i%2 == 1 {
				x *= 2
				if x > 9 {
					x -= 9
				}
			}
			sum += x
		}
		if sum%10 == 0 {
			return c
		}
	}
	panic("unreachable")
}

// jitter moves a point by up to maxMeters in a direction and distance
// taken from the hash, rounding to about a metre.
func jitter(lat, lon float64, h [16]byte, maxMeters float64) (float64, float64) {
	angle := float64(binary.BigEndian.Uint16(h[0:2])) / 65536 * 2 * math.Pi
	dist := math.Sqrt(float64(binary.BigEndian.Uint16(h[2:4]))/65536) * maxMeters
	dLat := dist * math.Cos(angle) / 111_320
	dLon := dist * math.Sin(angle) / (111_320 * math.Cos(lat*math.Pi/180))
	return round5(lat + dLat), round5(lon + dLon)
}

func round5(x float64) float64 { return math.Round(x*1e5) / 1e5 }

package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"portrea/internal/place"
	"portrea/internal/territory"
)

// kind is a family of synthetic places: its name, typology and usual offer.
type kind struct {
	name     string // "Médiathèque" → "Médiathèque de Rennes"
	typ      string
	services string
	acces    string
	accomp   string
	weight   int
}

var kinds = []kind{
	{"Médiathèque", "BIB", "outils-quotidien acces-materiel", "se-presenter", "autonomie atelier-collectif", 24},
	{"Mairie", "MUNI", "aide-demarches", "se-presenter telephoner", "individuel", 20},
	{"France Services", "RFS", "aide-demarches outils-quotidien", "se-presenter telephoner rdv-en-ligne", "individuel", 10},
	{"Centre social", "CS", "outils-quotidien parentalite aide-demarches", "se-presenter telephoner", "atelier-collectif individuel", 9},
	{"CCAS", "CCAS", "aide-demarches", "telephoner", "individuel", 8},
	{"Espace public numérique", "EPN", "outils-quotidien usage-securise comprehension acces-materiel", "se-presenter", "autonomie atelier-collectif", 8},
	{"Association numérique", "ASSO", "outils-quotidien loisirs-creations", "telephoner contacter-par-mail", "atelier-collectif", 8},
	{"Tiers-lieu", "TIERS_LIEUX", "loisirs-creations comprehension", "se-presenter contacter-par-mail", "autonomie atelier-collectif", 4},
	{"Mission locale", "ML", "insertion-pro aide-demarches", "telephoner rdv-en-ligne", "individuel", 4},
	{"Point information jeunesse", "PIJ_BIJ", "usage-securise insertion-pro", "se-presenter", "autonomie individuel", 3},
	{"Ressourcerie", "RESSOURCERIE", "materiel-solidaire", "se-presenter", "autonomie", 2},
}

var hourTemplates = []string{
	"Mo-Fr 09:00-12:00,14:00-17:30",
	"Mo-Fr 08:30-12:00,13:30-17:00; Sa 09:00-12:00",
	"Tu 16:00-18:30; We 10:00-12:30,14:00-18:30; Fr 16:00-18:30; Sa 10:00-12:30,14:00-17:00",
	"Mo-Fr 09:00-12:30,13:30-17:30; PH off",
	"We 14:00-18:00; Sa 10:00-12:00",
	"Tu,Th 14:00-17:00",
	"Mo-Th 09:00-12:00,14:00-17:00; Fr 09:00-12:00",
	"Tu-Sa 10:00-18:00",
	"",
}

var streets = []string{"rue de la Mairie", "place de l'Église", "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo",
	"rue des Écoles", "place du Marché", "rue de la Gare", "allée des Tilleuls", "rue Pasteur", "boulevard de la Liberté",
	"rue du Général de Gaulle", "rue des Forges", "impasse des Lilas", "rue Jules Ferry"}

// fiction holds phone number prefixes reserved for fiction by the French
// regulator (ARCEP), by first digit: synthetic numbers never ring anyone.
var fiction = map[byte]string{'1': "+33199000", '2': "+33261910", '3': "+33353010", '4': "+33465710", '5': "+33536490"}

// zone maps a région to the first digit of its landline numbers.
func zone(region string) byte {
	switch region {
	case "11":
		return '1'
	case "53", "52", "28", "24", "01", "02", "03", "04", "06":
		return '2'
	case "32", "44", "27":
		return '3'
	case "84", "93", "94":
		return '4'
	}
	return '5'
}

// syntheticEpoch anchors the update dates of synthetic places, so that a
// seed gives the same places whatever the day.
var syntheticEpoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// Synthetic makes n plausible places spread over the communes of France,
// more in populous ones, updated over the three years before 1 November
// 2026. The same seed gives the same places and ids, so running it twice
// adds nothing the second time.
func Synthetic(ref *territory.Reference, n int, seed uint64) []*place.Place {
	rng := rand.New(rand.NewPCG(seed, 0x9071ea))
	communes := ref.Communes()
	type cum struct {
		c     territory.Commune
		total int
	}
	var cs []cum
	total := 0
	for _, c := range communes {
		if c.Lat == 0 && c.Lon == 0 || len(c.CodesPostaux) == 0 {
			continue
		}
		total += c.Population + 50 // small villages still get places
		cs = append(cs, cum{c, total})
	}
	kindTotal := 0
	for _, k := range kinds {
		kindTotal += k.weight
	}
	out := make([]*place.Place, 0, n)
	for i := 0; i < n; i++ {
		x := rng.IntN(total)
		c := cs[sort.Search(len(cs), func(j int) bool { return cs[j].total > x })].c
		kx := rng.IntN(kindTotal)
		var k kind
		for _, k = range kinds {
			if kx < k.weight {
				break
			}
			kx -= k.weight
		}
		h := hash("synthetic", fmt.Sprint(seed), fmt.Sprint(i))
		// Each other service is added with probability 1/4: the AND of
		// two random draws.
		extra := place.Set(rng.IntN(1 << 9))
		extra &= place.Set(rng.IntN(1 << 9))
		p := &place.Place{
			ID:                      place.FormatUUID(h),
			Nom:                     k.name + " " + of(c.Nom),
			Adresse:                 fmt.Sprintf("%d %s", 1+rng.IntN(40), streets[rng.IntN(len(streets))]),
			CodeInsee:               c.Code,
			Commune:                 c.Nom,
			CodePostal:              c.CodesPostaux[rng.IntN(len(c.CodesPostaux))],
			Typologies:              []string{k.typ},
			Horaires:                hourTemplates[rng.IntN(len(hourTemplates))],
			Services:                codes(place.Services, k.services) | extra,
			ModalitesAcces:          codes(place.ModalitesAcces, k.acces),
			ModalitesAccompagnement: codes(place.ModalitesAccompagnement, k.accomp),
			Frais:                   place.Frais.Bit([]string{"gratuit", "gratuit", "gratuit", "gratuit-sous-condition", "payant"}[rng.IntN(5)]),
			Itinerance:              place.Itinerance.Bit("fixe"),
			Source:                  "Données synthétiques PORTREA",
			DateMaj:                 syntheticEpoch.AddDate(0, 0, -rng.IntN(3*365)),
			Status:                  place.StatusActive,
		}
		if rng.IntN(10) < 8 {
			p.Pivot = siret(h)
		}
		if rng.IntN(10) < 6 {
			p.Courriels = []string{"contact@" + strings.Join(place.SearchWords(c.Nom), "-") + ".example.org"}
		}
		if rng.IntN(10) < 7 {
			p.Telephone = fmt.Sprintf("%s%03d", fiction[zone(c.Region)], rng.IntN(1000))
		}
		if rng.IntN(8) == 0 {
			p.Dispositifs = place.Dispositifs.Bit("conseillers-numeriques")
		}
		if k.typ == "RFS" {
			p.Dispositifs |= place.Dispositifs.Bit("france-services")
		}
		p.Latitude, p.Longitude = jitter(c.Lat, c.Lon, h, 800)
		p.HasCoords = true
		p.Derive(ref)
		out = append(out, p)
	}
	return out
}

// of writes "de Rennes", "d'Angers", "du Mans", "des Sables-d'Olonne".
func of(nom string) string {
	switch {
	case strings.HasPrefix(nom, "Le "):
		return "du " + nom[3:]
	case strings.HasPrefix(nom, "Les "):
		return "des " + nom[4:]
	case strings.HasPrefix(nom, "L'"):
		return "de " + nom
	}
	if strings.ContainsRune("AEIOUYÉÈÊÎÔH", []rune(nom)[0]) {
		return "d'" + nom
	}
	return "de " + nom
}

package portrait_test

import (
	"math"
	"reflect"
	"testing"
	"time"

	"portrea/internal/place"
	"portrea/internal/portrait"
	"portrea/internal/territory"
)

// The fixture is CC Brocéliande Communauté (243500618) as the embedded COG
// 2026 describes it: 8 communes, 18,996 inhabitants.
//
//	35037 Bréal-sous-Montfort 6391   48.0496 -1.8761
//	35169 Maxent              1450   47.9842 -2.0188
//	35187 Monterfil           1366   48.0612 -1.9857
//	35211 Paimpont            1772   48.0242 -2.1662
//	35223 Plélan-le-Grand     4076   47.9973 -2.0842
//	35305 Saint-Péran          407   48.0569 -2.0661
//	35319 Saint-Thurial       2184   48.0345 -1.9387
//	35340 Treffendel          1350   48.0324 -2.0106
const broceliande = "243500618"

// now is a Thursday; a year before, the confirmation cut-off, is
// 2025-11-26.
var now = time.Date(2026, 11, 26, 10, 30, 0, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func bits(v *place.Vocab, codes ...string) place.Set {
	var s place.Set
	for _, c := range codes {
		s |= v.Bit(c)
	}
	return s
}

// fixture builds seven active places (A B C D E F I) and two that must not
// count (G closed, H duplicate).
func fixture() []*place.Place {
	return []*place.Place{
		{ // A: the France Services, fixed, 30 h a week.
			Nom: "France Services de Plélan", CodeInsee: "35223", Latitude: 47.9980, Longitude: -2.0850, HasCoords: true,
			Typologies: []string{"RFS"}, Horaires: "Mo-Fr 09:00-12:00,14:00-17:00", DateMaj: day(2026, 6, 1),
			Services:    bits(place.Services, "aide-demarches", "outils-quotidien"),
			Dispositifs: bits(place.Dispositifs, "france-services", "conseillers-numeriques"),
			Itinerance:  bits(place.Itinerance, "fixe"), Frais: bits(place.Frais, "gratuit"),
			ModalitesAcces: bits(place.ModalitesAcces, "se-presenter", "telephoner"),
			Status:         place.StatusActive,
		},
		{ // B: library, evening and Saturday, itinérance unsaid (fixed).
			Nom: "Médiathèque de Paimpont", CodeInsee: "35211", Latitude: 48.0242, Longitude: -2.1662, HasCoords: true,
			Typologies: []string{"BIB"}, Horaires: "Tu 18:00-20:00; Sa 10:00-12:00", DateMaj: day(2025, 12, 1),
			Services:    bits(place.Services, "acces-materiel", "loisirs-creations"),
			Dispositifs: bits(place.Dispositifs, "conseillers-numeriques"),
			Frais:       bits(place.Frais, "gratuit"), Publics: bits(place.Publics, "jeunes", "familles"),
			ModalitesAcces: bits(place.ModalitesAcces, "se-presenter"),
			Status:         place.StatusActive,
		},
		{ // C: two typologies, confirmed exactly on the cut-off day.
			Nom: "Espace numérique de Bréal", CodeInsee: "35037", Latitude: 48.0500, Longitude: -1.8770, HasCoords: true,
			Typologies: []string{"EPN", "MUNI"}, Horaires: "Mo-Sa 09:00-12:00", DateMaj: day(2025, 11, 26),
			Services:    bits(place.Services, "aide-demarches", "usage-securise", "parentalite"),
			Dispositifs: bits(place.Dispositifs, "aidants-connect"),
			Frais:       bits(place.Frais, "gratuit-sous-condition"),
			Status:      place.StatusActive,
		},
		{ // D: itinerant bus, no typology, confirmed the day before the cut-off.
			Nom: "Bus numérique", CodeInsee: "35223", Latitude: 48.0000, Longitude: -2.0700, HasCoords: true,
			Horaires: "We 14:00-18:00", DateMaj: day(2025, 11, 25),
			Services:   bits(place.Services, "outils-quotidien", "comprehension"),
			Itinerance: bits(place.Itinerance, "itinerant"),
			Status:     place.StatusActive,
		},
		{ // E: town hall, no hours, no coordinates, both fixed and itinerant.
			Nom: "Mairie de Saint-Thurial", CodeInsee: "35319", Typologies: []string{"MUNI"}, DateMaj: day(2024, 1, 10),
			Services:   bits(place.Services, "aide-demarches"),
			Itinerance: bits(place.Itinerance, "fixe", "itinerant"),
			Status:     place.StatusActive,
		},
		{ // F: unparsable hours.
			Nom: "Association Clic", CodeInsee: "35037", Latitude: 48.0480, Longitude: -1.8800, HasCoords: true,
			Typologies: []string{"ASSO"}, Horaires: "le mardi matin", DateMaj: day(2026, 11, 1),
			Services: bits(place.Services, "outils-quotidien"), Publics: bits(place.Publics, "seniors"),
			Frais:  bits(place.Frais, "payant"),
			Status: place.StatusActive,
		},
		{ // G: closed France Services in Maxent, open around the clock: must not count anywhere.
			Nom: "Ancien EPN de Maxent", CodeInsee: "35169", Latitude: 47.9842, Longitude: -2.0188, HasCoords: true,
			Typologies: []string{"EPN"}, Horaires: "Mo-Su 00:00-24:00", DateMaj: day(2026, 11, 1),
			Services:    bits(place.Services, "materiel-solidaire"),
			Dispositifs: bits(place.Dispositifs, "france-services", "aidants-connect"),
			Frais:       bits(place.Frais, "gratuit"),
			Status:      place.StatusClosed,
		},
		{ // H: duplicate in Treffendel: must not count anywhere.
			Nom: "Doublon de Treffendel", CodeInsee: "35340", Latitude: 48.0324, Longitude: -2.0106, HasCoords: true,
			Horaires: "Mo-Sa 08:00-20:00", DateMaj: day(2026, 11, 1),
			Services: bits(place.Services, "insertion-pro"),
			Status:   place.StatusDuplicate,
		},
		{ // I: CCAS, Tuesday split at lunch, Thursday morning: 7.5 + 4 = 11.5 h.
			Nom: "CCAS de Plélan", CodeInsee: "35223", Latitude: 47.9960, Longitude: -2.0830, HasCoords: true,
			Typologies: []string{"CCAS"}, Horaires: "Tu 08:30-12:30,13:30-17:00; Th 08:30-12:30", DateMaj: day(2026, 1, 15),
			Services:   bits(place.Services, "aide-demarches"),
			Itinerance: bits(place.Itinerance, "fixe"),
			Status:     place.StatusActive,
		},
	}
}

// region is what the store would count for the communes with a place in
// Ille-et-Vilaine (35) and Bretagne (53); every other commune has none.
// Brocéliande's rows agree with the fixture: Plélan A, D, I (D not
// confirmed); Paimpont B; Bréal C, F; Saint-Thurial E (not confirmed).
var region = map[string]portrait.CommuneStats{
	"35223": {Places: 3, Confirmed: 2, FranceServices: 1},
	"35211": {Places: 1, Confirmed: 1},
	"35037": {Places: 2, Confirmed: 2},
	"35319": {Places: 1, Confirmed: 0},
	"35238": {Places: 10, Confirmed: 8, FranceServices: 1}, // Rennes, 230,890 inhabitants, Rennes Métropole
	"56260": {Places: 5, Confirmed: 5, FranceServices: 2},  // Vannes, 55,790, Golfe du Morbihan - Vannes Agglomération
}

var paimpontRing = [][][2]float64{{{-2.20, 48.00}, {-2.10, 48.00}, {-2.10, 48.05}, {-2.20, 48.00}}}

func input() portrait.Input {
	return portrait.Input{
		Ref:        territory.Default(),
		EPCI:       broceliande,
		Places:     fixture(),
		Deployment: &territory.Deployment{EPCI: broceliande, Phase: territory.PhaseDeploiement, Strategy: territory.StrategyReseau, PhaseSince: day(2026, 9, 1)},
		Referents:  []portrait.Referent{{Name: "Anne Référente", Email: "anne@example.org", Kind: "référente"}},
		Foreword:   "Un mot de la référente.",
		Region:     region,
		Outlines:   map[string][][][2]float64{"35211": paimpontRing},
		OutlinesAt: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC),
		Snapshots: []portrait.Snapshot{
			{Month: "2026-09", Places: 5},
			{Month: "2026-10", Places: 6},
			{Month: "2026-11", Places: 99}, // taken earlier this month: replaced
		},
		Now: now,
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestComputeIdentityAndKey(t *testing.T) {
	p := portrait.Compute(input())
	id := p.Identity
	want := portrait.Identity{
		SIREN: broceliande, Name: "CC Brocéliande Communauté", Type: "CC", TypeLabel: "Communauté de communes",
		Departements: []portrait.NamedCode{{"35", "Ille-et-Vilaine"}}, Region: portrait.NamedCode{"53", "Bretagne"},
		Communes: 8, Population: 18996, PopulationVintage: "populations légales 2023 (INSEE)",
		Referents: []portrait.Referent{{Name: "Anne Référente", Email: "anne@example.org", Kind: "référente"}},
		Strategy:  "Réseau", Phase: "Déploiement de la journée collaborative", PhaseSince: day(2026, 9, 1),
	}
	if !reflect.DeepEqual(id, want) {
		t.Errorf("identity:\n got %+v\nwant %+v", id, want)
	}
	if p.Foreword != "Un mot de la référente." || !p.Generated.Equal(now) {
		t.Errorf("foreword %q generated %v", p.Foreword, p.Generated)
	}

	k := p.Key
	// Active: A B C D E F I = 7 (G closed, H duplicate).
	// Covered: Plélan (A D I), Paimpont (B), Bréal (C F), Saint-Thurial (E)
	// = 4 of 8; 4076 + 1772 + 6391 + 2184 = 14,423 inhabitants.
	// France Services: A (G is closed). Conseillers numériques: A, B.
	// Aidants Connect: C. Itinerant: D, E. Fixed: A, I (fixe), B C F
	// (nothing said), E (both) = 6.
	// Confirmed since 2025-11-26: A, B, C (that very day), F, I = 5; not
	// D (2025-11-25) nor E (2024).
	if k.Places != 7 || k.Communes != 8 || k.CoveredCommunes != 4 || k.FranceServices != 1 ||
		k.ConseillersNum != 2 || k.AidantsConnect != 1 || k.Itinerant != 2 || k.Fixed != 6 {
		t.Errorf("key counts: %+v", k)
	}
	if !near(k.PerTenThousand, 7*10000.0/18996) { // 3.685
		t.Errorf("per 10,000 = %v", k.PerTenThousand)
	}
	if !near(k.CoveredPopulation, 14423*100.0/18996) { // 75.93 %
		t.Errorf("covered population = %v", k.CoveredPopulation)
	}
	if !near(k.ConfirmedLastYear, 5*100.0/7) { // 71.43 %
		t.Errorf("confirmed = %v", k.ConfirmedLastYear)
	}
}

func TestComputeOffer(t *testing.T) {
	o := portrait.Compute(input()).Offer
	// Services of A B C D E F I, G and H left out.
	wantServices := []portrait.Count{
		{"Aide aux démarches administratives", 4},                    // A C E I
		{"Maîtrise des outils numériques du quotidien", 3},           // A D F
		{"Insertion professionnelle via le numérique", 0},            // only H
		{"Utilisation sécurisée du numérique", 1},                    // C
		{"Parentalité et éducation avec le numérique", 1},            // C
		{"Loisirs et créations numériques", 1},                       // B
		{"Compréhension du monde numérique", 1},                      // D
		{"Accès internet et matériel informatique", 1},               // B
		{"Acquisition de matériel informatique à prix solidaire", 0}, // only G
	}
	if !reflect.DeepEqual(o.Services, wantServices) {
		t.Errorf("services:\n got %v\nwant %v", o.Services, wantServices)
	}
	wantPublics := []portrait.Count{{"Jeunes", 1}, {"Étudiants", 0}, {"Familles et/ou enfants", 1}, {"Seniors", 1}, {"Femmes", 0}}
	if !reflect.DeepEqual(o.Publics, wantPublics) {
		t.Errorf("publics: %v", o.Publics)
	}
	wantFrais := []portrait.Count{{"Gratuit", 2}, {"Gratuit sous condition", 1}, {"Payant", 1}} // A B; C; F (G closed)
	if !reflect.DeepEqual(o.Frais, wantFrais) {
		t.Errorf("frais: %v", o.Frais)
	}
	if len(o.Access) != len(place.ModalitesAcces.Items) || o.Access[0] != (portrait.Count{"Se présenter", 2}) ||
		o.Access[1] != (portrait.Count{"Téléphoner", 1}) {
		t.Errorf("access: %v", o.Access)
	}
	if len(o.Accompaniment) != 4 || len(o.PriseEnCharge) != 7 {
		t.Errorf("zeros not kept: %v %v", o.Accompaniment, o.PriseEnCharge)
	}
	// MUNI: C and E. Then the ones, alphabetically; « Non renseigné » (D)
	// last.
	wantTypes := []portrait.Count{
		{"Municipalité", 2},
		{"Association", 1},
		{"Bibliothèque / Médiathèque", 1},
		{"Centre communal d'action sociale (CCAS)", 1},
		{"Espace public numérique (EPN)", 1},
		{"Réseau France Services", 1},
		{"Non renseigné", 1},
	}
	if !reflect.DeepEqual(o.Typologies, wantTypes) {
		t.Errorf("typologies:\n got %v\nwant %v", o.Typologies, wantTypes)
	}
}

func TestComputeHours(t *testing.T) {
	h := portrait.Compute(input()).Hours
	// Weekly: A 5 × 6 h = 30; B 2 + 2 = 4; C 6 × 3 = 18; D 4; I 7.5 + 4 =
	// 11.5. Sum 67.5; median of 4, 4, 11.5, 18, 30 is 11.5.
	if !near(h.WeeklyHours, 67.5) || !near(h.MedianWeekly, 11.5) {
		t.Errorf("weekly %v median %v", h.WeeklyHours, h.MedianWeekly)
	}
	// Evenings: B (until 20:00); D closes at 18:00 exactly, which is not
	// after. Saturdays: B, C.
	if h.Evenings != 1 || h.Saturdays != 2 {
		t.Errorf("evenings %d saturdays %d", h.Evenings, h.Saturdays)
	}
	// Tuesday at h:30: A 9–12, 14–17; B 18–20; C 9–12; I 8:30–12:30,
	// 13:30–17. 8:30 I; 9:30–11:30 A C I; 12:30 none (I closes at 12:30);
	// 13:30 I; 14:30–16:30 A I; 17:30 none; 18:30, 19:30 B.
	wantTue := [24]int{8: 1, 9: 3, 10: 3, 11: 3, 13: 1, 14: 2, 15: 2, 16: 2, 18: 1, 19: 1}
	if h.Weekday != "mardi" || h.ByHour != wantTue {
		t.Errorf("%s by hour = %v, want %v", h.Weekday, h.ByHour, wantTue)
	}
	if want := []string{"Association Clic", "Mairie de Saint-Thurial"}; !reflect.DeepEqual(h.WithoutHours, want) {
		t.Errorf("without hours = %q", h.WithoutHours)
	}
	// Union per day, then its complement within 8–20 h:
	// Mo: A C → 9–12, 14–17. Tu: + I, B → 8:30–12:30, 13:30–17, 18–20.
	// We: A C D → 9–12, 14–18. Th: A C I → 8:30–12:30, 14–17.
	// Fr: A C → 9–12, 14–17. Sa: B C → 9–12.
	wantClosed := []string{
		"lundi de 8 h à 9 h, de 12 h à 14 h et de 17 h à 20 h",
		"mardi de 8 h à 8 h 30, de 12 h 30 à 13 h 30 et de 17 h à 18 h",
		"mercredi de 8 h à 9 h, de 12 h à 14 h et de 18 h à 20 h",
		"jeudi de 8 h à 8 h 30, de 12 h 30 à 14 h et de 17 h à 20 h",
		"vendredi de 8 h à 9 h, de 12 h à 14 h et de 17 h à 20 h",
		"samedi de 8 h à 9 h et de 12 h à 20 h",
	}
	if !reflect.DeepEqual(h.ClosedHours, wantClosed) {
		t.Errorf("closed hours:\n got %q\nwant %q", h.ClosedHours, wantClosed)
	}

	// Another day: Saturday, B 10–12 and C 9–12.
	in := input()
	in.Weekday = time.Saturday
	h = portrait.Compute(in).Hours
	if want := ([24]int{9: 1, 10: 2, 11: 2}); h.Weekday != "samedi" || h.ByHour != want {
		t.Errorf("%s by hour = %v, want %v", h.Weekday, h.ByHour, want)
	}

	// No hours known at all: nothing is said to be closed.
	in = input()
	for _, p := range in.Places {
		p.Horaires = ""
	}
	h = portrait.Compute(in).Hours
	if h.ClosedHours != nil || h.WeeklyHours != 0 || h.MedianWeekly != 0 || len(h.WithoutHours) != 7 {
		t.Errorf("no hours: %+v", h)
	}
}

// haversineKm is written here apart from the code under test: the
// spherical law of cosines, equivalent at these distances.
func haversineKm(lat1, lon1, lat2, lon2 float64) float64 {
	r := math.Pi / 180
	c := math.Sin(lat1*r)*math.Sin(lat2*r) + math.Cos(lat1*r)*math.Cos(lat2*r)*math.Cos((lon2-lon1)*r)
	return 6371 * math.Acos(math.Min(1, c))
}

func TestComputeGaps(t *testing.T) {
	g := portrait.Compute(input()).Gaps
	// Uncovered: Maxent 1450, Monterfil 1366, Treffendel 1350, Saint-Péran
	// 407 (G in Maxent and H in Treffendel do not count). Nearest places
	// (from the distances to A B C D F I; E has no coordinates, G is
	// closed): Maxent → D 4.20 km, Monterfil → F 7.99 km, Treffendel → D
	// 5.70 km, Saint-Péran → D 6.33 km. The only France Services is A:
	// 5.16, 10.19, 6.73, 6.70 km.
	type gapWant struct {
		code, name string
		pop        int
		lat, lon   float64 // the commune's centre
		nearest    string
		plat, plon float64
		km         float64 // rounded, by hand
		fsKm       float64
	}
	wants := []gapWant{
		{"35169", "Maxent", 1450, 47.9842, -2.0188, "Bus numérique", 48.0000, -2.0700, 4.20, 5.16},
		{"35187", "Monterfil", 1366, 48.0612, -1.9857, "Association Clic", 48.0480, -1.8800, 7.99, 10.19},
		{"35340", "Treffendel", 1350, 48.0324, -2.0106, "Bus numérique", 48.0000, -2.0700, 5.70, 6.73},
		{"35305", "Saint-Péran", 407, 48.0569, -2.0661, "Bus numérique", 48.0000, -2.0700, 6.33, 6.70},
	}
	if len(g.CommunesWithout) != len(wants) {
		t.Fatalf("communes without: %+v", g.CommunesWithout)
	}
	for i, w := range wants {
		got := g.CommunesWithout[i]
		if got.Code != w.code || got.Name != w.name || got.Population != w.pop ||
			got.NearestName != w.nearest || got.NearestFSName != "France Services de Plélan" {
			t.Errorf("gap %d = %+v, want %s %s %d near %s", i, got, w.code, w.name, w.pop, w.nearest)
		}
		exact := haversineKm(w.lat, w.lon, w.plat, w.plon)
		fs := haversineKm(w.lat, w.lon, 47.9980, -2.0850)
		if math.Abs(got.NearestKm-exact) > 0.1 || math.Abs(got.NearestKm-w.km) > 0.1 {
			t.Errorf("%s: nearest %.3f km, want %.3f (≈ %.2f)", w.name, got.NearestKm, exact, w.km)
		}
		if math.Abs(got.NearestFranceServicesKm-fs) > 0.1 || math.Abs(got.NearestFranceServicesKm-w.fsKm) > 0.1 {
			t.Errorf("%s: France Services %.3f km, want %.3f (≈ %.2f)", w.name, got.NearestFranceServicesKm, fs, w.fsKm)
		}
	}
	want := []string{"Insertion professionnelle via le numérique", "Acquisition de matériel informatique à prix solidaire"}
	if !reflect.DeepEqual(g.ServicesNowhere, want) {
		t.Errorf("services nowhere = %q", g.ServicesNowhere)
	}

	// Without a France Services (A closed too), distances to it are -1.
	in := input()
	in.Places[0].Status = place.StatusClosed
	for _, gap := range portrait.Compute(in).Gaps.CommunesWithout {
		if gap.NearestFranceServicesKm != -1 || gap.NearestFSName != "" || gap.NearestKm < 0 {
			t.Errorf("no France Services: %+v", gap)
		}
	}
}

func TestComputeMap(t *testing.T) {
	m := portrait.Compute(input()).Map
	if !m.HasOutlines || !m.OutlinesAt.Equal(time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)) || len(m.Communes) != 8 {
		t.Fatalf("map: outlines %v at %v, %d communes", m.HasOutlines, m.OutlinesAt, len(m.Communes))
	}
	// By name; covered: Bréal, Paimpont, Plélan, Saint-Thurial.
	wantNames := []string{"Bréal-sous-Montfort", "Maxent", "Monterfil", "Paimpont", "Plélan-le-Grand", "Saint-Péran", "Saint-Thurial", "Treffendel"}
	wantCovered := []bool{true, false, false, true, true, false, true, false}
	for i, c := range m.Communes {
		if c.Name != wantNames[i] || c.Covered != wantCovered[i] {
			t.Errorf("commune %d = %s covered %v", i, c.Name, c.Covered)
		}
		if (c.Code == "35211") != (c.Rings != nil) {
			t.Errorf("%s rings %v", c.Name, c.Rings)
		}
	}
	if pm := m.Communes[3]; pm.Centre != [2]float64{-2.1662, 48.0242} || !reflect.DeepEqual(pm.Rings, paimpontRing) {
		t.Errorf("Paimpont: %+v", pm)
	}
	// Active with coordinates: A B C D F I (E has none).
	wantPlaces := []portrait.MapPlace{
		{Name: "France Services de Plélan", Lon: -2.0850, Lat: 47.9980, FranceServices: true},
		{Name: "Médiathèque de Paimpont", Lon: -2.1662, Lat: 48.0242},
		{Name: "Espace numérique de Bréal", Lon: -1.8770, Lat: 48.0500},
		{Name: "Bus numérique", Lon: -2.0700, Lat: 48.0000, Itinerant: true},
		{Name: "Association Clic", Lon: -1.8800, Lat: 48.0480},
		{Name: "CCAS de Plélan", Lon: -2.0830, Lat: 47.9960},
	}
	if !reflect.DeepEqual(m.Places, wantPlaces) {
		t.Errorf("map places:\n got %+v\nwant %+v", m.Places, wantPlaces)
	}

	in := input()
	in.Outlines, in.OutlinesAt = nil, time.Time{}
	if m := portrait.Compute(in).Map; m.HasOutlines || len(m.Communes) != 8 {
		t.Errorf("without outlines: %+v", m)
	}
}

func TestComputeCompare(t *testing.T) {
	rows := portrait.Compute(input()).Compare
	if len(rows) != 4 {
		t.Fatalf("%d rows", len(rows))
	}
	check := func(got, want portrait.Comparison) {
		t.Helper()
		if got.Label != want.Label || got.Places != want.Places || !near(got.PerTenThousand, want.PerTenThousand) ||
			!near(got.CoveredCommunes, want.CoveredCommunes) || !near(got.CoveredPopulation, want.CoveredPopulation) ||
			!near(got.ConfirmedLastYear, want.ConfirmedLastYear) {
			t.Errorf("row:\n got %+v\nwant %+v", got, want)
		}
	}
	// The territory: its key figures, 4 of 8 communes = 50 %.
	check(rows[0], portrait.Comparison{Label: "CC Brocéliande Communauté", Places: 7, PerTenThousand: 7 * 10000.0 / 18996,
		CoveredCommunes: 50, CoveredPopulation: 14423 * 100.0 / 18996, ConfirmedLastYear: 5 * 100.0 / 7})
	// Ille-et-Vilaine (COG 2026: 332 communes, 1,120,666 inhabitants):
	// Brocéliande's 7 places and Rennes's 10 = 17, 13 confirmed; 5 covered
	// communes, 14,423 + 230,890 = 245,313 inhabitants.
	check(rows[1], portrait.Comparison{Label: "Ille-et-Vilaine", Places: 17, PerTenThousand: 17 * 10000.0 / 1120666,
		CoveredCommunes: 5 * 100.0 / 332, CoveredPopulation: 245313 * 100.0 / 1120666, ConfirmedLastYear: 13 * 100.0 / 17})
	// Bretagne (1,202 communes, 3,449,370 inhabitants): + Vannes's 5 = 22,
	// 18 confirmed; 6 covered communes, 245,313 + 55,790 = 301,103.
	check(rows[2], portrait.Comparison{Label: "Bretagne", Places: 22, PerTenThousand: 22 * 10000.0 / 3449370,
		CoveredCommunes: 6 * 100.0 / 1202, CoveredPopulation: 301103 * 100.0 / 3449370, ConfirmedLastYear: 18 * 100.0 / 22})
	// 61 EPCI in Bretagne, only 3 with places: every median is 0 but the
	// confirmed share's, taken over those 3 (71.4 %, 80 %, 100 %): 80 %.
	check(rows[3], portrait.Comparison{Label: "EPCI médian de Bretagne", ConfirmedLastYear: 80})
}

func TestComputeTrendAndSnapshot(t *testing.T) {
	p := portrait.Compute(input())
	cur := portrait.Snapshot{Month: "2026-11", Places: 7, PerTenThousand: 7 * 10000.0 / 18996, CoveredCommunes: 4,
		CoveredPopulation: 14423 * 100.0 / 18996, ConfirmedLastYear: 5 * 100.0 / 7}
	if got := p.Snapshot(); !reflect.DeepEqual(got, cur) {
		t.Errorf("snapshot:\n got %+v\nwant %+v", got, cur)
	}
	want := []portrait.Snapshot{{Month: "2026-09", Places: 5}, {Month: "2026-10", Places: 6}, cur}
	if !reflect.DeepEqual(p.Trend, want) {
		t.Errorf("trend (replaced):\n got %+v\nwant %+v", p.Trend, want)
	}

	in := input()
	in.Snapshots = in.Snapshots[:2]
	if got := portrait.Compute(in).Trend; !reflect.DeepEqual(got, want) {
		t.Errorf("trend (added):\n got %+v\nwant %+v", got, want)
	}
	in.Snapshots = nil
	if got := portrait.Compute(in).Trend; !reflect.DeepEqual(got, []portrait.Snapshot{cur}) {
		t.Errorf("trend (first) = %+v", got)
	}

	// 23:30 UTC on 30 November is 1 December in France.
	in.Now = time.Date(2026, 11, 30, 23, 30, 0, 0, time.UTC)
	if m := portrait.Compute(in).Snapshot().Month; m != "2026-12" {
		t.Errorf("month in France = %s", m)
	}
}

func TestComputeSources(t *testing.T) {
	in := input()
	vintage := in.Ref.Vintage()
	want := []portrait.Source{
		{What: "Lieux (nombre, offre, labels, mise à jour)", From: "Base PORTREA du territoire", Date: "26/11/2026"},
		{What: "Population", From: vintage, Date: "2023"},
		{What: "Communes et EPCI", From: vintage, Date: "2026"},
		{What: "Contours des communes", From: "geo.api.gouv.fr", Date: "01/10/2026"},
		{What: "Horaires d'ouverture", From: "horaires déclarés par les lieux (format OpenStreetMap)", Date: "26/11/2026"},
	}
	if got := portrait.Compute(in).Sources; !reflect.DeepEqual(got, want) {
		t.Errorf("sources:\n got %+v\nwant %+v", got, want)
	}
	in.OutlinesAt = time.Time{}
	if got := portrait.Compute(in).Sources[3].Date; got != "non récupérés" {
		t.Errorf("outlines source date = %q", got)
	}
}

func TestComputeWithoutDeploymentOrPlaces(t *testing.T) {
	p := portrait.Compute(portrait.Input{EPCI: broceliande, Now: now})
	if p.Identity.Strategy != "" || p.Identity.Phase != "" || p.Key.Places != 0 || p.Key.ConfirmedLastYear != 0 {
		t.Errorf("empty: %+v %+v", p.Identity, p.Key)
	}
	if len(p.Gaps.CommunesWithout) != 8 || len(p.Gaps.ServicesNowhere) != 9 || p.Gaps.CommunesWithout[0].NearestKm != -1 {
		t.Errorf("empty gaps: %+v", p.Gaps)
	}
	if len(p.Compare) != 4 || len(p.Trend) != 1 {
		t.Errorf("empty compare %v trend %v", p.Compare, p.Trend)
	}
	// An EPCI the reference does not know: no panic, its code as name.
	p = portrait.Compute(portrait.Input{EPCI: "999999999", Now: now})
	if p.Identity.Name != "999999999" || len(p.Compare) != 1 || p.Key.Communes != 0 {
		t.Errorf("unknown EPCI: %+v %+v", p.Identity, p.Compare)
	}
}

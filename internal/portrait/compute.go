package portrait

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/territory"
)

// Input is what a portrait is computed from.
type Input struct {
	Ref  *territory.Reference // nil: territory.Default()
	EPCI string
	// Places are the territory's places, every status: only active ones
	// count (see Compute).
	Places     []*place.Place
	Deployment *territory.Deployment // nil if none
	Referents  []Referent
	Foreword   string
	// Region holds, for every commune of the territory's région(s) and
	// département(s), its active places' counts, to compare. Communes
	// missing from it have no place.
	Region     map[string]CommuneStats   // by INSEE code
	Outlines   map[string][][][2]float64 // commune outlines by INSEE code (nil/missing: none)
	OutlinesAt time.Time
	Snapshots  []Snapshot // stored monthly snapshots, oldest first
	Now        time.Time
	// Weekday is the day of the hours chart. Its zero value, time.Sunday,
	// means the default, Tuesday: few places open on Sundays, so a Sunday
	// chart would say little.
	Weekday time.Weekday
}

// CommuneStats are a commune's active places: how many, how many were
// confirmed in the last 12 months, how many are France Services.
type CommuneStats struct{ Places, Confirmed, FranceServices int }

// NotStated is the typology of places that give none.
const NotStated = "Non renseigné"

// Dispositif codes the key figures count.
var (
	bitFranceServices = place.Dispositifs.Bit("france-services")
	bitConseillers    = place.Dispositifs.Bit("conseillers-numeriques")
	bitAidantsConnect = place.Dispositifs.Bit("aidants-connect")
	bitItinerant      = place.Itinerance.Bit("itinerant")
	bitFixe           = place.Itinerance.Bit("fixe")
)

// ConfirmedSince is the oldest date_maj that counts as confirmed in the
// last 12 months at now: the same calendar day a year before, in France.
// Callers asking the store for CommuneStats pass it, so that both sides
// agree.
func ConfirmedSince(now time.Time) time.Time { return place.Date(now).AddDate(-1, 0, 0) }

// Compute builds the portrait of in.EPCI. It never fails: an EPCI unknown
// to the reference gives a portrait with its code as name and no commune.
//
// Rules common to every section:
//   - only active places (status place.StatusActive) count, everywhere;
//   - a place belongs to the commune of its code_insee; an arrondissement
//     municipal counts for its commune, an old or delegated code for the
//     current commune that holds it;
//   - populations and communes are the reference's (its vintage is in
//     Sources).
func Compute(in Input) *Portrait {
	ref := in.Ref
	if ref == nil {
		ref = territory.Default()
	}
	c := &computation{in: in, ref: ref, since: ConfirmedSince(in.Now)}
	c.epci, _ = ref.EPCI(in.EPCI)
	c.members = ref.CommunesOfEPCI(in.EPCI)
	for _, p := range in.Places {
		if p.Status == place.StatusActive {
			c.active = append(c.active, p)
		}
	}
	c.covered = map[string]bool{}
	member := make(map[string]bool, len(c.members))
	for _, m := range c.members {
		member[m.Code] = true
	}
	for _, p := range c.active {
		if code := c.communeOf(p.CodeInsee); member[code] {
			c.covered[code] = true
		}
	}

	p := &Portrait{Generated: in.Now, Foreword: in.Foreword}
	p.Identity = c.identity()
	p.Key = c.key()
	p.Offer = c.offer()
	p.Hours = c.hours()
	p.Gaps = c.gaps(p.Offer.Services)
	p.Map = c.mapData()
	p.Compare = c.compare(p.Key)
	p.Trend = trend(in.Snapshots, p.Snapshot())
	p.Sources = c.sources()
	return p
}

// Snapshot returns this month's snapshot of a portrait's key figures (the
// month of Generated, in France).
func (p *Portrait) Snapshot() Snapshot {
	return Snapshot{
		Month:             p.Generated.In(place.Paris).Format("2006-01"),
		Places:            p.Key.Places,
		PerTenThousand:    p.Key.PerTenThousand,
		CoveredCommunes:   p.Key.CoveredCommunes,
		CoveredPopulation: p.Key.CoveredPopulation,
		ConfirmedLastYear: p.Key.ConfirmedLastYear,
	}
}

type computation struct {
	in      Input
	ref     *territory.Reference
	since   time.Time
	epci    territory.EPCI
	members []territory.Commune // by name
	active  []*place.Place
	covered map[string]bool // member communes with an active place
}

// communeOf is the current commune a code counts for.
func (c *computation) communeOf(code string) string {
	com, ok := c.ref.Resolve(code)
	if !ok {
		return code
	}
	if com.Parent != "" {
		return com.Parent
	}
	return com.Code
}

func (c *computation) confirmed(p *place.Place) bool { return !p.DateMaj.Before(c.since) }

var (
	populationYear = regexp.MustCompile(`populations légales[^;,()]*?(\d{4})`)
	cogYear        = regexp.MustCompile(`COG (\d{4})`)
)

// identity is the territory's identity card; strategy and phase stay empty
// without a deployment.
func (c *computation) identity() Identity {
	e := c.epci
	id := Identity{SIREN: c.in.EPCI, Name: e.Nom, Type: e.Type, Communes: len(e.Communes), Population: e.Population,
		PopulationVintage: c.ref.Vintage(), Referents: slices.Clone(c.in.Referents)}
	if e.SIREN == "" {
		id.Name = c.in.EPCI
	} else {
		id.TypeLabel = e.TypeLabel()
	}
	if m := populationYear.FindStringSubmatch(c.ref.Vintage()); m != nil {
		id.PopulationVintage = "populations légales " + m[1] + " (INSEE)"
	}
	for _, code := range e.Departements {
		d, _ := c.ref.Departement(code)
		id.Departements = append(id.Departements, NamedCode{code, d.Nom})
	}
	if len(e.Regions) > 0 {
		r, _ := c.ref.Region(e.Regions[0])
		id.Region = NamedCode{r.Code, r.Nom}
	}
	if d := c.in.Deployment; d != nil {
		id.Strategy, id.Phase, id.PhaseSince = d.Strategy.Label(), d.Phase.Label(), d.PhaseSince
	}
	return id
}

// key computes the headline figures:
//   - PerTenThousand = places × 10,000 / population of the EPCI;
//   - a commune is covered when at least one active place has its code;
//     CoveredPopulation = population of the covered communes / population
//     of the EPCI, in %;
//   - France Services, Conseillers numériques and Aidants Connect count the
//     places with that dispositif;
//   - Itinerant counts the places whose itinérance has "itinerant"; Fixed
//     those with "fixe" or with neither (a place saying nothing is taken
//     as fixed): a place saying both counts in both;
//   - ConfirmedLastYear = % of places whose date_maj is on or after
//     ConfirmedSince(Now).
func (c *computation) key() KeyFigures {
	k := KeyFigures{Places: len(c.active), Communes: len(c.members), CoveredCommunes: len(c.covered)}
	coveredPop, confirmed := 0, 0
	for _, m := range c.members {
		if c.covered[m.Code] {
			coveredPop += m.Population
		}
	}
	for _, p := range c.active {
		k.FranceServices += has(p.Dispositifs, bitFranceServices)
		k.ConseillersNum += has(p.Dispositifs, bitConseillers)
		k.AidantsConnect += has(p.Dispositifs, bitAidantsConnect)
		k.Itinerant += has(p.Itinerance, bitItinerant)
		if p.Itinerance&bitFixe != 0 || p.Itinerance&(bitFixe|bitItinerant) == 0 {
			k.Fixed++
		}
		if c.confirmed(p) {
			confirmed++
		}
	}
	k.PerTenThousand = perTenThousand(k.Places, c.epci.Population)
	k.CoveredPopulation = percent(coveredPop, c.epci.Population)
	k.ConfirmedLastYear = percent(confirmed, k.Places)
	return k
}

func has(s, bit place.Set) int {
	if s&bit != 0 {
		return 1
	}
	return 0
}

func perTenThousand(n, population int) float64 {
	if population == 0 {
		return 0
	}
	return float64(n) * 10000 / float64(population)
}

func percent(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return float64(n) * 100 / float64(total)
}

// offer counts the places per item of each official list, in the list's
// order, zeros included. Typologies are sorted by count, largest first,
// then by label; a place with several typologies counts under each, and
// places with none count under NotStated, always last.
func (c *computation) offer() Offer {
	o := Offer{
		Services:      c.countVocab(place.Services),
		Publics:       c.countVocab(place.Publics),
		PriseEnCharge: c.countVocab(place.PriseEnCharge),
		Frais:         c.countVocab(place.Frais),
		Access:        c.countVocab(place.ModalitesAcces),
		Accompaniment: c.countVocab(place.ModalitesAccompagnement),
	}
	byLabel := map[string]int{}
	notStated := 0
	for _, p := range c.active {
		labels := place.TypologyLabels(p.Typologies)
		slices.Sort(labels)
		labels = slices.Compact(labels)
		if len(labels) == 0 {
			notStated++
		}
		for _, l := range labels {
			byLabel[l]++
		}
	}
	for l, n := range byLabel {
		o.Typologies = append(o.Typologies, Count{l, n})
	}
	slices.SortFunc(o.Typologies, func(a, b Count) int {
		return cmp.Or(b.N-a.N, compareFrench(a.Label, b.Label))
	})
	if notStated > 0 {
		o.Typologies = append(o.Typologies, Count{NotStated, notStated})
	}
	return o
}

func (c *computation) countVocab(v *place.Vocab) []Count {
	out := make([]Count, len(v.Items))
	for i, it := range v.Items {
		out[i].Label = it.Label
		for _, p := range c.active {
			if v.SetOf(p).Has(i) {
				out[i].N++
			}
		}
	}
	return out
}

// compareFrench orders labels alphabetically, ignoring case and accents.
func compareFrench(a, b string) int {
	return cmp.Or(strings.Compare(place.Fold(a), place.Fold(b)), strings.Compare(a, b))
}

// Daytime bounds of ClosedHours, in minutes.
const (
	dayStart = 8 * 60
	dayEnd   = 20 * 60
)

// hours reads each active place's opening_hours as an ordinary week
// (openinghours.RegularWeek: no holiday; seasonal and n-th weekday rules
// ignored):
//   - a place's weekly hours are the sum of its week's interval lengths;
//     WeeklyHours sums them; MedianWeekly is the median over the places
//     open at least once in that week (a place whose value parses but
//     gives no regular opening — a comment only, seasonal rules — is in
//     neither the median nor WithoutHours);
//   - Evenings counts places with an interval ending after 18:00 on some
//     day; Saturdays those with an interval on Saturday;
//   - ByHour[h] counts places open at h:30 on the chart's weekday;
//   - WithoutHours lists, by name, places with empty or unparsable hours;
//   - ClosedHours lists, per day from Monday to Saturday, the spans between
//     8:00 and 20:00 when no place is open ("samedi de 12 h à 20 h"); it
//     is empty when no place has hours, since then nothing is known.
func (c *computation) hours() HoursFigures {
	day := 1 // Tuesday, Monday being 0
	if c.in.Weekday != time.Sunday {
		day = (int(c.in.Weekday) + 6) % 7
	}
	h := HoursFigures{Weekday: openinghours.DayNamesFR[day]}
	var union [7][]openinghours.Interval
	var weekly []float64
	for _, p := range c.active {
		oh, err := openinghours.Parse(p.Horaires)
		if err != nil {
			h.WithoutHours = append(h.WithoutHours, p.Nom)
			continue
		}
		week := oh.RegularWeek()
		minutes := 0
		evening, saturday := false, len(week[5]) > 0
		for d, ivs := range week {
			for _, iv := range ivs {
				minutes += iv.End - iv.Start
				evening = evening || iv.End > 18*60
			}
			union[d] = mergeIntervals(union[d], ivs)
		}
		for hr := range h.ByHour {
			m := hr*60 + 30
			if slices.ContainsFunc(week[day], func(iv openinghours.Interval) bool { return iv.Start <= m && m < iv.End }) {
				h.ByHour[hr]++
			}
		}
		if minutes == 0 {
			continue
		}
		weekly = append(weekly, float64(minutes)/60)
		h.WeeklyHours += float64(minutes) / 60
		h.Evenings += boolInt(evening)
		h.Saturdays += boolInt(saturday)
	}
	h.MedianWeekly = median(weekly)
	slices.SortFunc(h.WithoutHours, compareFrench)
	if len(weekly) > 0 {
		for d := range 6 {
			if s := closedSpans(union[d]); s != "" {
				h.ClosedHours = append(h.ClosedHours, openinghours.DayNamesFR[d]+" "+s)
			}
		}
	}
	return h
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// mergeIntervals returns the sorted union of two interval lists.
func mergeIntervals(a, b []openinghours.Interval) []openinghours.Interval {
	all := slices.Concat(a, b)
	slices.SortFunc(all, func(x, y openinghours.Interval) int { return x.Start - y.Start })
	var out []openinghours.Interval
	for _, iv := range all {
		if n := len(out); n > 0 && iv.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, iv.End)
		} else {
			out = append(out, iv)
		}
	}
	return out
}

// closedSpans describes the daytime spans outside open: "de 8 h à 9 h et
// de 12 h à 14 h"; "" when open all daytime.
func closedSpans(open []openinghours.Interval) string {
	var spans []string
	at := dayStart
	for _, iv := range open {
		if iv.Start > at && at < dayEnd {
			spans = append(spans, "de "+frenchHour(at)+" à "+frenchHour(min(iv.Start, dayEnd)))
		}
		at = max(at, iv.End)
	}
	if at < dayEnd {
		spans = append(spans, "de "+frenchHour(at)+" à "+frenchHour(dayEnd))
	}
	switch len(spans) {
	case 0:
		return ""
	case 1:
		return spans[0]
	}
	return strings.Join(spans[:len(spans)-1], ", ") + " et " + spans[len(spans)-1]
}

func frenchHour(m int) string {
	if m%60 == 0 {
		return fmt.Sprintf("%d h", m/60)
	}
	return fmt.Sprintf("%d h %02d", m/60, m%60)
}

// median is the middle value, or the mean of the two middle ones; 0 for
// none.
func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// gaps lists the EPCI's communes without an active place, largest
// population first, with the straight-line distance from the commune's
// centre to the nearest active place with coordinates — among the
// territory's places only (a place across the EPCI's border is not
// known here) — and to the nearest France Services (-1 when there is
// none, or the commune's centre is unknown). ServicesNowhere lists the
// services no active place offers, in the official order.
func (c *computation) gaps(services []Count) Gaps {
	var g Gaps
	var located, fs []*place.Place
	for _, p := range c.active {
		if p.HasCoords {
			located = append(located, p)
			if p.Dispositifs&bitFranceServices != 0 {
				fs = append(fs, p)
			}
		}
	}
	for _, m := range c.members {
		if c.covered[m.Code] {
			continue
		}
		gap := CommuneGap{Code: m.Code, Name: m.Nom, Population: m.Population, NearestKm: -1, NearestFranceServicesKm: -1}
		if m.Lat != 0 || m.Lon != 0 {
			gap.NearestKm, gap.NearestName = nearest(m, located)
			gap.NearestFranceServicesKm, gap.NearestFSName = nearest(m, fs)
		}
		g.CommunesWithout = append(g.CommunesWithout, gap)
	}
	slices.SortStableFunc(g.CommunesWithout, func(a, b CommuneGap) int { return b.Population - a.Population })
	for _, s := range services {
		if s.N == 0 {
			g.ServicesNowhere = append(g.ServicesNowhere, s.Label)
		}
	}
	return g
}

// nearest returns the distance in km from the commune's centre to the
// nearest of places, and its name; -1 and "" when places is empty.
func nearest(m territory.Commune, places []*place.Place) (float64, string) {
	best, name := -1.0, ""
	for _, p := range places {
		d := place.DistanceMeters(m.Lat, m.Lon, p.Latitude, p.Longitude) / 1000
		if best < 0 || d < best {
			best, name = d, p.Nom
		}
	}
	return best, name
}

// mapData gives one shape per commune of the EPCI, by name (outline when
// stored, centre from the reference), and the active places with
// coordinates.
func (c *computation) mapData() MapData {
	md := MapData{OutlinesAt: c.in.OutlinesAt}
	for _, m := range c.members {
		rings := c.in.Outlines[m.Code]
		md.HasOutlines = md.HasOutlines || len(rings) > 0
		md.Communes = append(md.Communes, CommuneShape{Code: m.Code, Name: m.Nom, Rings: rings,
			Centre: [2]float64{m.Lon, m.Lat}, Covered: c.covered[m.Code]})
	}
	for _, p := range c.active {
		if p.HasCoords {
			md.Places = append(md.Places, MapPlace{Name: p.Nom, Lon: p.Longitude, Lat: p.Latitude,
				FranceServices: p.Dispositifs&bitFranceServices != 0, Itinerant: p.Itinerance&bitItinerant != 0})
		}
	}
	return md
}

// area accumulates an area's figures for a comparison row.
type area struct {
	places, confirmed, communes, covered, population, coveredPop int
}

func (a *area) add(com territory.Commune, s CommuneStats) {
	a.places += s.Places
	a.confirmed += s.Confirmed
	a.communes++
	a.population += com.Population
	if s.Places > 0 {
		a.covered++
		a.coveredPop += com.Population
	}
}

func (a area) row(label string) Comparison {
	return Comparison{Label: label, Places: a.places, PerTenThousand: perTenThousand(a.places, a.population),
		CoveredCommunes: percent(a.covered, a.communes), CoveredPopulation: percent(a.coveredPop, a.population),
		ConfirmedLastYear: percent(a.confirmed, a.places)}
}

// compare gives four rows: the territory (its key figures), its first
// département and first région (from in.Region over every current commune
// of the reference there, arrondissements counted for their commune), and
// the région's median EPCI: each ratio is the median over the région's
// EPCI of that ratio, separately (so the row is no single EPCI), Places is
// the median count rounded down, and ConfirmedLastYear's median leaves out
// EPCI without a place (they have no share). An EPCI straddling régions
// counts its members missing from in.Region as having no place.
func (c *computation) compare(k KeyFigures) []Comparison {
	confirmed := 0
	for _, p := range c.active {
		confirmed += boolInt(c.confirmed(p))
	}
	rows := []Comparison{{Label: cmp.Or(c.epci.Nom, c.in.EPCI), Places: k.Places, PerTenThousand: k.PerTenThousand,
		CoveredCommunes: percent(k.CoveredCommunes, k.Communes), CoveredPopulation: k.CoveredPopulation,
		ConfirmedLastYear: k.ConfirmedLastYear}}
	if len(c.epci.Departements) == 0 || len(c.epci.Regions) == 0 {
		return rows
	}
	stats := map[string]CommuneStats{}
	for code, s := range c.in.Region {
		code = c.communeOf(code)
		t := stats[code]
		t.Places += s.Places
		t.Confirmed += s.Confirmed
		t.FranceServices += s.FranceServices
		stats[code] = t
	}
	dep, reg := c.epci.Departements[0], c.epci.Regions[0]
	var depArea, regArea area
	for _, com := range c.ref.Communes() {
		if com.Region != reg && com.Departement != dep {
			continue
		}
		if com.Departement == dep {
			depArea.add(com, stats[com.Code])
		}
		if com.Region == reg {
			regArea.add(com, stats[com.Code])
		}
	}
	d, _ := c.ref.Departement(dep)
	r, _ := c.ref.Region(reg)
	rows = append(rows, depArea.row(d.Nom), regArea.row(r.Nom))

	var places, per, covC, covP, conf []float64
	for _, e := range c.ref.EPCIsInRegion(reg) {
		var a area
		for _, code := range e.Communes {
			com, _ := c.ref.Commune(code)
			a.add(com, stats[code])
		}
		row := a.row("")
		places = append(places, float64(a.places))
		per = append(per, row.PerTenThousand)
		covC = append(covC, row.CoveredCommunes)
		covP = append(covP, row.CoveredPopulation)
		if a.places > 0 {
			conf = append(conf, row.ConfirmedLastYear)
		}
	}
	rows = append(rows, Comparison{Label: "EPCI médian de " + r.Nom, Places: int(median(places)),
		PerTenThousand: median(per), CoveredCommunes: median(covC), CoveredPopulation: median(covP),
		ConfirmedLastYear: median(conf)})
	return rows
}

// trend is the stored snapshots with the current month's replaced by (or
// added as) the current figures, oldest first.
func trend(stored []Snapshot, cur Snapshot) []Snapshot {
	out := make([]Snapshot, 0, len(stored)+1)
	for _, s := range stored {
		if s.Month != cur.Month {
			out = append(out, s)
		}
	}
	out = append(out, cur)
	slices.SortStableFunc(out, func(a, b Snapshot) int { return strings.Compare(a.Month, b.Month) })
	return out
}

// sources gives one entry per family of figures: places (the base, as of
// now), population and communes (the reference, with its millésime), commune
// outlines (geo.api.gouv.fr, when fetched) and hours (as the places declare
// them).
func (c *computation) sources() []Source {
	today := c.in.Now.In(place.Paris).Format("02/01/2006")
	vintage := c.ref.Vintage()
	popDate, cogDate := vintage, vintage
	if m := populationYear.FindStringSubmatch(vintage); m != nil {
		popDate = m[1]
	}
	if m := cogYear.FindStringSubmatch(vintage); m != nil {
		cogDate = m[1]
	}
	outlines := "non récupérés"
	if !c.in.OutlinesAt.IsZero() {
		outlines = c.in.OutlinesAt.In(place.Paris).Format("02/01/2006")
	}
	return []Source{
		{What: "Lieux (nombre, offre, labels, mise à jour)", From: "Base PORTREA du territoire", Date: today},
		{What: "Population", From: vintage, Date: popDate},
		{What: "Communes et EPCI", From: vintage, Date: cogDate},
		{What: "Contours des communes", From: "geo.api.gouv.fr", Date: outlines},
		{What: "Horaires d'ouverture", From: "horaires déclarés par les lieux (format OpenStreetMap)", Date: today},
	}
}

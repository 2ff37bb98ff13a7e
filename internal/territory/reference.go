// Package territory holds the French administrative territory: the built-in
// reference of régions, départements, EPCI and communes (see SOURCE.md), and
// the territories the hub follows.
package territory

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// cog is the reference built by ./gen from the npm packages pinned in the
// repository's package-lock.json; see SOURCE.md. It is small enough to
// embed, so the product needs no network or database to know the
// territory.
//
//go:embed cog.gz
var cog []byte

// Region is a région (the 13 of metropolitan France and the 5 DROM).
type Region struct{ Code, Nom string }

// Departement is a département and the région it belongs to.
type Departement struct{ Code, Nom, Region string }

// Collectivite is a collectivité d'outre-mer, or the TAAF or Clipperton:
// communes there carry its code as their Departement, but it is neither a
// département nor a région.
type Collectivite struct{ Code, Nom string }

// EPCI is an établissement public de coopération intercommunale à fiscalité
// propre. Its slices are shared by every caller: read them, do not modify
// them.
type EPCI struct {
	SIREN, Nom, Type string // Type as in the source: CC, CA, CU, METRO, MET69
	// Population is the sum of the members' Population, so that commune
	// and EPCI figures agree (the source's own EPCI figures come from an
	// older DGCL vintage).
	Population int
	Communes   []string // member INSEE codes, sorted
	// An EPCI may straddle départements and even régions (CA Redon
	// Agglomération: 35, 44, 56; régions 52, 53).
	Departements, Regions []string // sorted, usually one each
}

var typeLabels = map[string]string{
	"CC":    "Communauté de communes",
	"CA":    "Communauté d'agglomération",
	"CU":    "Communauté urbaine",
	"METRO": "Métropole",
	"MET69": "Métropole de Lyon",
}

// TypeLabel is the French name of the EPCI's legal form.
func (e EPCI) TypeLabel() string {
	if l, ok := typeLabels[e.Type]; ok {
		return l
	}
	return e.Type // not reached with the embedded data: Load checks types
}

// Commune kinds.
const (
	KindCommune        = "commune"
	KindArrondissement = "arrondissement" // arrondissement municipal of Paris, Lyon or Marseille
)

// Commune is a current commune or an arrondissement municipal. Its
// CodesPostaux slice is shared by every caller: read it, do not modify it.
type Commune struct {
	Code, Nom    string
	Kind         string // KindCommune or KindArrondissement
	Parent       string // for arrondissements: the commune code (75056, 69123, 13055)
	CodesPostaux []string
	Population   int // population municipale; 0 if unknown (TAAF, Clipperton)
	// Departement is the département code, or for the collectivités
	// d'outre-mer the collectivité code (975…989), as INSEE writes it.
	// Region is "" there. EPCI is "" for the communes in no EPCI (islands
	// such as Ouessant, and the collectivités d'outre-mer). Arrondissements
	// take all three from their commune.
	Departement, Region, EPCI string
	// Lat, Lon is the commune's centre (0,0 if unknown). Arrondissements
	// have their commune's centre: the source has none of their own.
	Lat, Lon float64
}

// Reference is the French territory: régions, départements, EPCI and
// communes of one COG vintage. It is read-only once loaded and safe for
// concurrent use.
type Reference struct {
	vintage       string
	regions       []Region       // by code
	departements  []Departement  // INSEE order (2A, 2B between 19 and 21)
	collectivites []Collectivite // by code
	epcis         []EPCI         // by name
	communes      []Commune      // communes and arrondissements, INSEE code order
	nCurrent      int            // communes of kind KindCommune

	regionIdx       map[string]int
	departementIdx  map[string]int
	collectiviteIdx map[string]int
	epciIdx         map[string]int
	communeIdx      map[string]int32
	aliasIdx        map[string]int32   // old or delegated code → current commune
	byPostcode      map[string][]int32 // communes by name
	epciMembers     [][]int32          // per epcis index, communes by name
	epcisByRegion   map[string][]int32 // epcis indexes, by name
}

var loadDefault = sync.OnceValue(func() *Reference {
	r, err := Load()
	if err != nil {
		// Only a broken build can get here; TestLoad guards against it.
		panic("territory: embedded reference is broken: " + err.Error())
	}
	return r
})

// Default returns the embedded reference, loaded once for the process.
func Default() *Reference { return loadDefault() }

// Load parses the embedded reference. Each call builds a new Reference;
// most callers want Default.
func Load() (*Reference, error) {
	text, err := gunzip(cog)
	if err != nil {
		return nil, err
	}
	return parse(text)
}

// gunzip decompresses into a string sized from the gzip trailer, so the
// text is read in one allocation and records can be sliced from it without
// copying.
func gunzip(data []byte) (string, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("territory: %w", err)
	}
	var b strings.Builder
	if len(data) >= 4 {
		// The trailer holds the size modulo 4 GiB; the cap keeps a damaged
		// trailer from asking for gigabytes.
		b.Grow(min(int(binary.LittleEndian.Uint32(data[len(data)-4:])), 64<<20))
	}
	if _, err := io.Copy(&b, zr); err != nil {
		return "", fmt.Errorf("territory: %w", err)
	}
	return b.String(), nil
}

// Record layout of the decompressed file, one record a line, tab-separated:
//
//	PORTREA-COG  format  vintage          header, first line
//	R  code  nom                          région
//	D  code  région  nom                  département
//	O  code  nom                          collectivité d'outre-mer
//	E  siren  type  nom                   EPCI
//	C  code  nom  dép  epci  population  postcodes  lat  lon  parent  rank
//	A  old code  current code             alias followed by Resolve
//
// Records come grouped in that order. EPCI come in name order, communes in
// code order with their rank in name order: the generator sorts names the
// French way once, so that loading does not. EPCI membership and figures are
// derived from the C records.
const (
	magic         = "PORTREA-COG"
	formatVersion = "1"
)

func parse(text string) (*Reference, error) {
	// Sizes are counted up front: letting the large slices and maps grow
	// cost as much as the parsing itself. Commas overcount postcodes, which
	// is harmless.
	nCommunes := strings.Count(text, "\nC\t")
	r := &Reference{
		regionIdx:       map[string]int{},
		departementIdx:  map[string]int{},
		collectiviteIdx: map[string]int{},
		epciIdx:         map[string]int{},
		communes:        make([]Commune, 0, nCommunes),
		communeIdx:      make(map[string]int32, nCommunes),
		aliasIdx:        make(map[string]int32, strings.Count(text, "\nA\t")),
	}
	var (
		f       [11]string
		lineNo  int
		parents []int32                                                 // communes indexes of arrondissements, checked at the end
		cpPool  = make([]string, 0, nCommunes+strings.Count(text, ",")) // backing store of all CodesPostaux slices
		byName  = make([]int32, nCommunes)                              // communes indexes by rank
		ranked  = make([]bool, nCommunes)
	)
	fail := func(format string, args ...any) (*Reference, error) {
		return nil, fmt.Errorf("territory: line %d: %s", lineNo, fmt.Sprintf(format, args...))
	}
	for len(text) > 0 {
		var line string
		line, text, _ = strings.Cut(text, "\n")
		lineNo++
		n := split(line, f[:])
		if lineNo == 1 {
			if n != 3 || f[0] != magic || f[1] != formatVersion {
				return fail("not a %s %s file", magic, formatVersion)
			}
			r.vintage = f[2]
			continue
		}
		if want := fieldCount(f[0]); want == 0 || n != want {
			return fail("bad record %q", line)
		}
		switch f[0] {
		case "R":
			if !unique(r.regionIdx, f[1], len(r.regions)) {
				return fail("duplicate région %s", f[1])
			}
			r.regions = append(r.regions, Region{Code: f[1], Nom: f[2]})
		case "D":
			if _, ok := r.regionIdx[f[2]]; !ok {
				return fail("département %s: unknown région %s", f[1], f[2])
			}
			if !unique(r.departementIdx, f[1], len(r.departements)) {
				return fail("duplicate département %s", f[1])
			}
			r.departements = append(r.departements, Departement{Code: f[1], Region: f[2], Nom: f[3]})
		case "O":
			if !unique(r.collectiviteIdx, f[1], len(r.collectivites)) {
				return fail("duplicate collectivité %s", f[1])
			}
			r.collectivites = append(r.collectivites, Collectivite{Code: f[1], Nom: f[2]})
		case "E":
			if _, ok := typeLabels[f[2]]; !ok {
				return fail("EPCI %s: unknown type %q", f[1], f[2])
			}
			if !unique(r.epciIdx, f[1], len(r.epcis)) {
				return fail("duplicate EPCI %s", f[1])
			}
			r.epcis = append(r.epcis, EPCI{SIREN: f[1], Type: f[2], Nom: f[3]})
		case "C":
			c := Commune{Code: f[1], Nom: f[2], Kind: KindCommune, Departement: f[3], EPCI: f[4], Parent: f[9]}
			if d, ok := r.departementIdx[c.Departement]; ok {
				c.Region = r.departements[d].Region
			} else if _, ok := r.collectiviteIdx[c.Departement]; !ok {
				return fail("commune %s: unknown département %s", c.Code, c.Departement)
			}
			if _, ok := r.epciIdx[c.EPCI]; c.EPCI != "" && !ok {
				return fail("commune %s: unknown EPCI %s", c.Code, c.EPCI)
			}
			var err error
			if c.Population, err = optInt(f[5]); err != nil {
				return fail("commune %s: population: %v", c.Code, err)
			}
			if c.Lat, err = optFloat(f[7]); err != nil {
				return fail("commune %s: latitude: %v", c.Code, err)
			}
			if c.Lon, err = optFloat(f[8]); err != nil {
				return fail("commune %s: longitude: %v", c.Code, err)
			}
			if f[6] != "" {
				start := len(cpPool)
				for cp := range strings.SplitSeq(f[6], ",") {
					cpPool = append(cpPool, cp)
				}
				c.CodesPostaux = cpPool[start:len(cpPool):len(cpPool)]
			}
			i := int32(len(r.communes))
			if _, dup := r.communeIdx[c.Code]; dup {
				return fail("duplicate commune %s", c.Code)
			}
			rank, err := strconv.Atoi(f[10])
			if err != nil || rank < 0 || rank >= nCommunes || ranked[rank] {
				return fail("commune %s: bad rank %q", c.Code, f[10])
			}
			byName[rank], ranked[rank] = i, true
			r.communeIdx[c.Code] = i
			if c.Parent != "" {
				c.Kind = KindArrondissement
				parents = append(parents, i)
			} else {
				r.nCurrent++
			}
			r.communes = append(r.communes, c)
		case "A":
			to, ok := r.communeIdx[f[2]]
			if !ok || r.communes[to].Kind != KindCommune {
				return fail("old code %s: %s is not a current commune", f[1], f[2])
			}
			if _, clash := r.communeIdx[f[1]]; clash {
				return fail("old code %s is a current code", f[1])
			}
			r.aliasIdx[f[1]] = to
		}
	}
	for _, i := range parents {
		c := &r.communes[i]
		p, ok := r.communeIdx[c.Parent]
		if !ok || r.communes[p].Kind != KindCommune {
			return nil, fmt.Errorf("territory: arrondissement %s: parent %s is not a commune", c.Code, c.Parent)
		}
	}
	if len(r.regions) == 0 || len(r.epcis) == 0 || r.nCurrent == 0 {
		return nil, fmt.Errorf("territory: reference is incomplete")
	}
	r.index(byName)
	for _, e := range r.epcis {
		if len(e.Communes) == 0 {
			return nil, fmt.Errorf("territory: EPCI %s has no commune", e.SIREN)
		}
	}
	return r, nil
}

// index derives the EPCI figures and the name-ordered lookups from the
// communes; byName lists the communes indexes in name order.
func (r *Reference) index(byName []int32) {
	// Members, départements and régions, walking communes in code order so
	// that EPCI.Communes comes out sorted.
	for i := range r.communes {
		c := &r.communes[i]
		if c.Kind != KindCommune || c.EPCI == "" {
			continue
		}
		e := &r.epcis[r.epciIdx[c.EPCI]]
		e.Communes = append(e.Communes, c.Code)
		e.Population += c.Population
		if !slices.Contains(e.Departements, c.Departement) {
			e.Departements = append(e.Departements, c.Departement)
		}
		if !slices.Contains(e.Regions, c.Region) {
			e.Regions = append(e.Regions, c.Region)
		}
	}
	r.epcisByRegion = map[string][]int32{}
	for i := range r.epcis {
		e := &r.epcis[i]
		slices.Sort(e.Departements)
		slices.Sort(e.Regions)
		// Capacity clipped: a caller's append cannot write into the shared
		// arrays.
		e.Communes = slices.Clip(e.Communes)
		e.Departements = slices.Clip(e.Departements)
		e.Regions = slices.Clip(e.Regions)
		for _, reg := range e.Regions {
			r.epcisByRegion[reg] = append(r.epcisByRegion[reg], int32(i))
		}
	}

	// Postcode lists share one array: counted in a first pass, then filled
	// walking communes in name order, so that each comes out sorted with no
	// sorting and no growing slices.
	cpIdx := make(map[string]int32, 6400)
	var cpEnd []int32 // per postcode: end of its list in cpList, once filled
	for i := range r.communes {
		for _, cp := range r.communes[i].CodesPostaux {
			id, ok := cpIdx[cp]
			if !ok {
				id = int32(len(cpEnd))
				cpIdx[cp] = id
				cpEnd = append(cpEnd, 0)
			}
			cpEnd[id]++
		}
	}
	var total int32
	for id, n := range cpEnd {
		cpEnd[id] = total // start, until filled
		total += n
	}
	cpList := make([]int32, total)
	r.epciMembers = make([][]int32, len(r.epcis))
	for _, i := range byName {
		c := &r.communes[i]
		for _, cp := range c.CodesPostaux {
			id := cpIdx[cp]
			cpList[cpEnd[id]] = i
			cpEnd[id]++
		}
		if c.Kind == KindCommune && c.EPCI != "" {
			e := r.epciIdx[c.EPCI]
			r.epciMembers[e] = append(r.epciMembers[e], i)
		}
	}
	r.byPostcode = make(map[string][]int32, len(cpIdx))
	for cp, id := range cpIdx {
		start := int32(0)
		if id > 0 {
			start = cpEnd[id-1]
		}
		r.byPostcode[cp] = cpList[start:cpEnd[id]]
	}
}

// fieldCount is the number of fields of a record type, 0 for an unknown
// type.
func fieldCount(typ string) int {
	switch typ {
	case "R", "O", "A":
		return 3
	case "D", "E":
		return 4
	case "C":
		return 11
	}
	return 0
}

// split cuts line at tabs into f and returns the number of fields, or
// len(f)+1 if there are more than f can hold.
func split(line string, f []string) int {
	for n := range f {
		var ok bool
		f[n], line, ok = strings.Cut(line, "\t")
		if !ok {
			return n + 1
		}
	}
	return len(f) + 1
}

// unique records code → i in idx unless code is already there.
func unique(idx map[string]int, code string, i int) bool {
	if _, dup := idx[code]; dup {
		return false
	}
	idx[code] = i
	return true
}

func optInt(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.Atoi(s)
}

func optFloat(s string) (float64, error) {
	if s == "" {
		return 0, nil
	}
	return strconv.ParseFloat(s, 64)
}

// Vintage says which COG and sources the reference comes from, in French,
// for display next to data checked against it.
func (r *Reference) Vintage() string { return r.vintage }

// Commune returns the current commune or arrondissement municipal with this
// INSEE code. Old and delegated codes are not found: see Resolve.
func (r *Reference) Commune(code string) (Commune, bool) {
	if i, ok := r.communeIdx[code]; ok {
		return r.communes[i], true
	}
	return Commune{}, false
}

// Resolve is Commune, but also follows the code of a former commune, or of a
// commune déléguée or associée, to the current commune that holds it now.
func (r *Reference) Resolve(code string) (Commune, bool) {
	if i, ok := r.communeIdx[code]; ok {
		return r.communes[i], true
	}
	if i, ok := r.aliasIdx[code]; ok {
		return r.communes[i], true
	}
	return Commune{}, false
}

// CommunesByPostcode returns the communes, and the arrondissements
// municipaux, that La Poste serves under this postcode, sorted by name.
func (r *Reference) CommunesByPostcode(cp string) []Commune {
	return r.pick(r.byPostcode[cp])
}

func (r *Reference) pick(idx []int32) []Commune {
	if len(idx) == 0 {
		return nil
	}
	out := make([]Commune, len(idx))
	for j, i := range idx {
		out[j] = r.communes[i]
	}
	return out
}

// EPCI returns the EPCI with this SIREN.
func (r *Reference) EPCI(siren string) (EPCI, bool) {
	if i, ok := r.epciIdx[siren]; ok {
		return r.epcis[i], true
	}
	return EPCI{}, false
}

// EPCIs returns every EPCI, sorted by name.
func (r *Reference) EPCIs() []EPCI { return slices.Clone(r.epcis) }

// EPCIsInRegion returns the EPCI with at least one commune in the région,
// sorted by name; an EPCI straddling two régions is in both lists.
func (r *Reference) EPCIsInRegion(region string) []EPCI {
	idx := r.epcisByRegion[region]
	if len(idx) == 0 {
		return nil
	}
	out := make([]EPCI, len(idx))
	for j, i := range idx {
		out[j] = r.epcis[i]
	}
	return out
}

// CommunesOfEPCI returns the member communes of the EPCI, sorted by name.
func (r *Reference) CommunesOfEPCI(siren string) []Commune {
	if i, ok := r.epciIdx[siren]; ok {
		return r.pick(r.epciMembers[i])
	}
	return nil
}

// EPCIOfCommune returns the EPCI of the commune or arrondissement with this
// code; false if the code is unknown or the commune is in no EPCI.
func (r *Reference) EPCIOfCommune(code string) (EPCI, bool) {
	c, ok := r.Commune(code)
	if !ok || c.EPCI == "" {
		return EPCI{}, false
	}
	return r.EPCI(c.EPCI)
}

// Departement returns the département with this code (01…95, 2A, 2B,
// 971…976). Collectivités d'outre-mer are not départements: see
// Collectivite.
func (r *Reference) Departement(code string) (Departement, bool) {
	if i, ok := r.departementIdx[code]; ok {
		return r.departements[i], true
	}
	return Departement{}, false
}

// Departements returns the 101 départements in INSEE order (2A and 2B
// between 19 and 21).
func (r *Reference) Departements() []Departement { return slices.Clone(r.departements) }

// Region returns the région with this code.
func (r *Reference) Region(code string) (Region, bool) {
	if i, ok := r.regionIdx[code]; ok {
		return r.regions[i], true
	}
	return Region{}, false
}

// Regions returns the 18 régions, sorted by code.
func (r *Reference) Regions() []Region { return slices.Clone(r.regions) }

// Collectivite returns the collectivité d'outre-mer with this code (975,
// 977, 978, 984, 986, 987, 988, 989).
func (r *Reference) Collectivite(code string) (Collectivite, bool) {
	if i, ok := r.collectiviteIdx[code]; ok {
		return r.collectivites[i], true
	}
	return Collectivite{}, false
}

// Collectivites returns the collectivités d'outre-mer, sorted by code.
func (r *Reference) Collectivites() []Collectivite { return slices.Clone(r.collectivites) }

// Communes returns every current commune, without the arrondissements
// municipaux, in INSEE code order (2A, 2B between 19 and 21).
func (r *Reference) Communes() []Commune {
	out := make([]Commune, 0, r.nCurrent)
	for _, c := range r.communes {
		if c.Kind == KindCommune {
			out = append(out, c)
		}
	}
	return out
}

// EPCIName returns the name of an EPCI, or its SIREN when unknown.
func (r *Reference) EPCIName(siren string) string {
	if e, ok := r.EPCI(siren); ok {
		return e.Nom
	}
	return siren
}

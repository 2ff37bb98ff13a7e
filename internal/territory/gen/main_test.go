package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// nodeModules returns the repository's node_modules, or skips the test when
// npm has not installed it.
func nodeModules(t *testing.T) (root, src string) {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test directory")
		}
		dir = parent
	}
	src = filepath.Join(dir, "node_modules")
	if _, err := os.Stat(filepath.Join(src, decoupagePkg, "package.json")); err != nil {
		t.Skip("node_modules absent: run `npm ci --ignore-scripts` at the repository root to test the generator")
	}
	return dir, src
}

// TestGenerateDeterministic regenerates the reference twice and compares
// both runs with each other and with the committed cog.gz.
func TestGenerateDeterministic(t *testing.T) {
	root, src := nodeModules(t)
	first, rep, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	second, _, err := generate(src)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Fatal("two runs of the generator differ")
	}
	committed, err := os.ReadFile(filepath.Join(root, "internal", "territory", "cog.gz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, committed) {
		t.Error("internal/territory/cog.gz is stale: run go run ./internal/territory/gen -src node_modules -out internal/territory/cog.gz")
	}
	zr, err := gzip.NewReader(bytes.NewReader(first))
	if err != nil {
		t.Fatal(err)
	}
	if zr.Name != "" || !zr.ModTime.IsZero() {
		t.Errorf("gzip header carries name %q, mtime %v", zr.Name, zr.ModTime)
	}
	if len(first) > 1500*1024 {
		t.Errorf("cog.gz is %d bytes, over the 1.5 MB budget", len(first))
	}

	// The gaps the report prints, pinned so that a new package version
	// that changes them is noticed.
	codes := func(items []string) []string {
		var out []string
		for _, s := range items {
			if code, _, _ := strings.Cut(s, " "); !strings.HasPrefix(code, "97") && !strings.HasPrefix(code, "98") {
				out = append(out, code)
			}
		}
		return out
	}
	for _, tc := range []struct {
		what      string
		got, want []string
	}{
		{"metropolitan communes in no EPCI", codes(rep.noEPCI), []string{"22016", "29083", "29155", "85113"}},
		{"centres from anciensCodes", codes(rep.centreFromOld), []string{"12218", "14581", "49126", "69114"}},
		{"metropolitan communes without centre", codes(rep.noCentre), []string{"14666", "15031", "15035", "15047", "15171", "60694", "85165", "85212"}},
		{"old codes not of their anciensCodes owner", rep.aliasConflicts, []string{
			"55273 → 55386 (chef-lieu), not 55245 (anciensCodes)",
			"60455 → 60694 (chef-lieu), not 60054 (anciensCodes)",
		}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.what, tc.got, tc.want)
		}
	}
	if len(rep.noEPCI) != 98 || len(rep.noCentre) != 94+8 || len(rep.noPopulation) != 6 || len(rep.noPostcode) != 5 {
		t.Errorf("no EPCI %d, no centre %d, no population %d, no postcode %d; want 98, 102, 6, 5",
			len(rep.noEPCI), len(rep.noCentre), len(rep.noPopulation), len(rep.noPostcode))
	}
	checkNameOrder(t, zr)
}

// checkNameOrder reads the generated records and checks that EPCI come in
// name order and that commune ranks follow names.
func checkNameOrder(t *testing.T, zr io.Reader) {
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var epcis, communes []sortName
	byRank := map[int]sortName{}
	for line := range strings.Lines(string(text)) {
		f := strings.Split(strings.TrimSuffix(line, "\n"), "\t")
		switch f[0] {
		case "E":
			epcis = append(epcis, newSortName(f[3], f[1]))
		case "C":
			rank, err := strconv.Atoi(f[10])
			if err != nil {
				t.Fatalf("bad rank in %q", line)
			}
			n := newSortName(f[2], f[1])
			byRank[rank] = n
			communes = append(communes, n)
		}
	}
	if !slices.IsSortedFunc(epcis, compareNames) {
		t.Error("EPCI records not in name order")
	}
	for rank := 1; rank < len(communes); rank++ {
		if compareNames(byRank[rank-1], byRank[rank]) >= 0 {
			t.Fatalf("rank %d %q is not after %q", rank, byRank[rank].name, byRank[rank-1].name)
		}
	}
}

func TestNameKey(t *testing.T) {
	for _, tc := range []struct{ a, b string }{ // a sorts before b
		{"Paris 2e Arrondissement", "Paris 10e Arrondissement"},
		{"Lyon 9e Arrondissement", "Lyon 10e"},
		{"L'Oie", "La Roche-sur-Yon"},
		{"Saint-Malo", "Saintes"},
		{"Écouen", "Ermont"},
		{"CC du Warndt", "CC Écueillé-Valençay"},
		{"Œting", "Offendorf"},
		{"CA de l'Albigeois", "CC Aunis Sud"},
		{"Île-de-Bréhat", "Ille-et-Vilaine"},
	} {
		if ka, kb := nameKey(tc.a), nameKey(tc.b); ka >= kb {
			t.Errorf("%q (%q) does not sort before %q (%q)", tc.a, ka, tc.b, kb)
		}
	}
	for in, want := range map[string]string{
		"Plélan-le-Grand":          "plelan le grand",
		"  L'Île-d'Yeu ":           "l ile d yeu",
		"Œuilly":                   "oeuilly",
		"Paris 11e Arrondissement": "paris 000011e arrondissement",
		"Saint-Denis (La Réunion)": "saint denis la reunion",
		"Mañé 97":                  "mane 000097",
	} {
		if got := nameKey(in); got != want {
			t.Errorf("nameKey(%q) = %q, want %q", in, got, want)
		}
	}
	// Same key: the exact name, then the code decide.
	a, b := newSortName("Saint-Martin", "05155"), newSortName("Saint-Martin", "32397")
	if compareNames(a, b) >= 0 || compareNames(newSortName("Etables", "1"), newSortName("Étables", "0")) >= 0 {
		t.Error("tie-breakers out of order")
	}
}

// TestUnvettedVersion checks that an unknown package version stops the
// generator instead of mislabelling the vintage.
func TestUnvettedVersion(t *testing.T) {
	src := t.TempDir()
	dir := filepath.Join(src, decoupagePkg)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"version":"99.0.0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := generate(src); err == nil || !strings.Contains(err.Error(), "not vetted") {
		t.Errorf("error %v, want one about an unvetted version", err)
	}
}

package census

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"portrea/internal/place"
	"portrea/internal/territory"
)

const xlsxTestEPCI = "243500618" // CC Brocéliande Communauté

var xlsxTestFields = []place.ExtraField{
	{Key: "wifi", Label: "Wifi en accès libre", Kind: place.ExtraBool, Help: "Le lieu offre-t-il un wifi gratuit ?"},
	{Key: "nb-postes", Label: "Nombre de postes en accès libre", Kind: place.ExtraNumber},
}

// xlsxTestColumns is the layout of the test territory.
func xlsxTestColumns(t testing.TB) []Column {
	t.Helper()
	var communes []string
	for _, c := range territory.Default().CommunesOfEPCI(xlsxTestEPCI) {
		communes = append(communes, CommuneChoice(c.Nom, c.Code))
	}
	if len(communes) == 0 {
		t.Fatal("no communes in EPCI " + xlsxTestEPCI)
	}
	return Layout(xlsxTestFields, communes)
}

// xlsxTestPlaces are three places with most fields filled in, private
// ones and complementary fields too, and cells a spreadsheet could take
// for formulas.
func xlsxTestPlaces() []*place.Place {
	return []*place.Place{
		{
			ID: "0b5e3c1e-8a55-4f0c-9d7e-1f2a3b4c5d6e", Pivot: "21350223600018", Nom: "Médiathèque L'Arbre à lire",
			Adresse: "6 place du Gal", CodePostal: "35380", Commune: "Plélan-le-Grand", CodeInsee: "35223",
			Latitude: 48.0012, Longitude: -2.0943, HasCoords: true, Typologies: []string{"BIB", "MUNI"},
			Telephone: "+33261910012", Courriels: []string{"mediatheque@plelan.example.org", "accueil@plelan.example.org"},
			SitesWeb: []string{"https://www.plelan.example.org"},
			Horaires: "Tu 16:00-18:30; We 10:00-12:30,14:00-18:30", Resume: "Postes en accès libre, ateliers tablette le mercredi.",
			Detail: "Ligne 1\nLigne 2 ; « guillemets » & <chevrons>", Source: "Brocéliande Communauté (PORTREA)",
			DateMaj:  time.Date(2026, 9, 14, 0, 0, 0, 0, time.UTC),
			Services: place.Services.Bit("aide-demarches") | place.Services.Bit("acces-materiel"),
			Frais:    place.Frais.Bit("gratuit"), ModalitesAcces: place.ModalitesAcces.Bit("se-presenter"),
			ModalitesAccompagnement: place.ModalitesAccompagnement.Bit("individuel"),
			Dispositifs:             place.Dispositifs.Bit("conseillers-numeriques"),
			Itinerance:              place.Itinerance.Bit("fixe"),
			ContactNom:              "Erwan Daniel", ContactEmail: "erwan.daniel@plelan.example.org", ContactTelephone: "+33639980001",
			Notes: "=1+1", Status: place.StatusActive,
			Extra: map[string]string{"wifi": "oui", "nb-postes": "6"},
		},
		{
			ID: "7c9d2f40-1b2c-4d3e-8f50-61728394a5b6", Nom: "+ Bus numérique", Adresse: "1 rue des Korrigans",
			ComplementAdresse: "@marchés", CodePostal: "35380", Commune: "Plélan-le-Grand", CodeInsee: "35223",
			Typologies: []string{"ENM"}, Itinerance: place.Itinerance.Bit("fixe") | place.Itinerance.Bit("itinerant"),
			Horaires: "-Mo 09:00-12:00", Services: place.Services.Bit("aide-demarches"), Status: place.StatusClosed,
			Resume: "-5 % sur les ateliers", Extra: map[string]string{"nb-postes": "4.5"},
		},
		{
			ID: "c1d2e3f4-0000-4000-8000-000000000003", Pivot: "W353001234", Nom: "Association Ti Lien", Adresse: "3 rue de l'Hermine",
			CodePostal: "35160", Commune: "Iffendic", CodeInsee: "35135", Latitude: 48.13, Longitude: -2.0345, HasCoords: true,
			Typologies: []string{"ASSO"}, Publics: place.Publics.Bit("jeunes"), Status: place.StatusActive,
			ContactNom: "Nolwenn Briand", Notes: "Relancer en janvier", StructureParente: "=HYPERLINK(\"http://x\")",
		},
	}
}

func xlsxTestWrite(t testing.TB, wb Workbook) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, wb); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func xlsxTestOpen(t testing.TB, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func xlsxLabels(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Label
	}
	return out
}

func xlsxColumnOf(t testing.TB, cols []Column, key string) string {
	t.Helper()
	for i, c := range cols {
		if c.Key == key {
			name, _ := excelize.ColumnNumberToName(i + 1)
			return name
		}
	}
	t.Fatalf("no column %s", key)
	return ""
}

func TestWorkbookTemplate(t *testing.T) {
	cols := xlsxTestColumns(t)
	data := xlsxTestWrite(t, Workbook{
		Territory: "CC Brocéliande Communauté", Columns: cols, Example: true,
		Generated: time.Date(2026, 11, 27, 9, 30, 0, 0, place.Paris),
	})
	f := xlsxTestOpen(t, data)

	if got, want := f.GetSheetList(), []string{"Instructions", "Lieux", "Listes"}; !slices.Equal(got, want) {
		t.Fatalf("sheets %q, want %q", got, want)
	}
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want Instructions", f.GetActiveSheetIndex())
	}
	if visible, _ := f.GetSheetVisible("Listes"); visible {
		t.Error("Listes is visible")
	}
	if visible, _ := f.GetSheetVisible("Lieux"); !visible {
		t.Error("Lieux is hidden")
	}

	title, _ := f.GetCellValue("Instructions", "A1")
	if title != "Modèle de recensement des acteurs de l'inclusion numérique — CC Brocéliande Communauté" {
		t.Errorf("title %q", title)
	}
	inst, _ := f.GetRows("Instructions")
	var all strings.Builder
	for _, r := range inst {
		all.WriteString(strings.Join(r, "\t") + "\n")
	}
	for _, want := range []string{"27 novembre 2026", "« x »", "« EXEMPLE »", "jamais publiées", "« Identifiant PORTREA »", "« Recensement »",
		"Nom du lieu\toui\tTexte\t", "Complémentaire : Nombre de postes en accès libre\tnon\tNombre"} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("instructions lack %q", want)
		}
	}

	rows, err := f.GetRows("Lieux")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], xlsxLabels(cols)) {
		t.Errorf("headers differ from the layout:\n got %q\nwant %q", rows[0], xlsxLabels(cols))
	}
	if len(rows) != 2 {
		t.Fatalf("%d rows, want the header and the example", len(rows))
	}
	example := map[string]string{}
	for i, c := range cols {
		if i < len(rows[1]) {
			example[c.Key] = rows[1][i]
		}
	}
	communes := territory.Default().CommunesOfEPCI(xlsxTestEPCI)
	first := CommuneChoice(communes[0].Nom, communes[0].Code)
	for key, want := range map[string]string{
		"id": ExampleID, "commune": first, "code_insee": communes[0].Code, "code_postal": communes[0].CodesPostaux[0],
		"horaires": "du lundi au vendredi de 9h à 12h", "services:aide-demarches": Tick, "date_maj": "27/11/2026",
	} {
		if example[key] != want {
			t.Errorf("example %s = %q, want %q", key, example[key], want)
		}
	}
	if !strings.HasPrefix(example["nom"], "Médiathèque d") || !strings.Contains(example["nom"], communes[0].Nom) {
		t.Errorf("example name %q", example["nom"])
	}

	panes, err := f.GetPanes("Lieux")
	if err != nil {
		t.Fatal(err)
	}
	if !panes.Freeze || panes.XSplit != 2 || panes.YSplit != 1 {
		t.Errorf("panes %+v, want frozen first row and two columns", panes)
	}
	if w, _ := f.GetColWidth("Lieux", "B"); w != cols[1].Width {
		t.Errorf("width of B %v, want %v", w, cols[1].Width)
	}
	comments, err := f.GetComments("Lieux")
	if err != nil {
		t.Fatal(err)
	}
	if len(comments) == 0 || comments[1].Cell != "B1" || !strings.Contains(comments[1].Text, cols[1].Help) {
		t.Errorf("header comments %+v", comments[:min(2, len(comments))])
	}
	if name := f.GetDefinedName(); len(name) == 0 || name[0].Name != "_xlnm._FilterDatabase" {
		t.Errorf("no autofilter: %+v", name)
	}

	dvs, err := f.GetDataValidations("Lieux")
	if err != nil {
		t.Fatal(err)
	}
	find := func(col string) *excelize.DataValidation {
		for _, dv := range dvs {
			for _, ref := range strings.Fields(dv.Sqref) {
				c1, _, c2, r2, ok := xlsxRange(ref)
				n, _ := excelize.ColumnNameToNumber(col)
				if ok && c1 <= n && n <= c2 && r2 == workbookMinRows {
					return dv
				}
			}
		}
		return nil
	}
	commune := find(xlsxColumnOf(t, cols, "commune"))
	if commune == nil || commune.Type != "list" || !strings.HasPrefix(commune.Formula1, "Listes!$") {
		t.Fatalf("commune validation %+v", commune)
	}
	if tick := find(xlsxColumnOf(t, cols, "services:aide-demarches")); tick == nil || tick.Type != "list" || tick.Formula1 != `"x"` {
		t.Errorf("tick validation %+v", tick)
	}
	lat := find(xlsxColumnOf(t, cols, "latitude"))
	if lat == nil || lat.Type != "decimal" || lat.Formula1 != "-90" || lat.Formula2 != "90" || lat.Error == nil || !strings.Contains(*lat.Error, "latitude") {
		t.Errorf("latitude validation %+v", lat)
	}
	if d := find(xlsxColumnOf(t, cols, "date_maj")); d == nil || d.Type != "date" {
		t.Errorf("date validation %+v", d)
	}
	if d := find(xlsxColumnOf(t, cols, "extra:wifi")); d == nil || d.Type != "list" {
		t.Errorf("extra yes/no validation %+v", d)
	}
	// The list behind the commune dropdown.
	ref := strings.TrimPrefix(commune.Formula1, "Listes!")
	c1, r1, _, r2, _ := xlsxRange(ref)
	listCol, _ := excelize.ColumnNumberToName(c1)
	listRows, _ := f.GetCols("Listes")
	if got := listRows[c1-1]; got[0] != "Commune" || !slices.Equal(got[r1-1:r2], xlsxChoices(cols, "commune")) {
		t.Errorf("list %s: %q", listCol, got)
	}
}

func xlsxChoices(cols []Column, key string) []string {
	for _, c := range cols {
		if c.Key == key {
			return c.Choices
		}
	}
	return nil
}

func TestWorkbookRoundTrip(t *testing.T) {
	cols := xlsxTestColumns(t)
	places := xlsxTestPlaces()
	for _, private := range []bool{true, false} {
		data := xlsxTestWrite(t, Workbook{Territory: "CC Brocéliande Communauté", Columns: cols, Private: private,
			Generated: time.Now(), Places: func(yield func(*place.Place) error) error {
				for _, p := range places {
					if err := yield(p); err != nil {
						return err
					}
				}
				return nil
			}})
		tab, err := ReadXLSX(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		if tab.Sheet != "Lieux" {
			t.Errorf("sheet %q", tab.Sheet)
		}
		if !slices.Equal(tab.Header, xlsxLabels(cols)) {
			t.Errorf("header %q", tab.Header)
		}
		if !slices.Equal(tab.Lines, []int{2, 3, 4}) {
			t.Errorf("lines %v", tab.Lines)
		}
		for i, p := range places {
			want := Values(cols, p, private)
			if !slices.Equal(tab.Row(i), want) {
				for j := range want {
					if j >= len(tab.Row(i)) || tab.Row(i)[j] != want[j] {
						t.Errorf("private=%v place %d column %q: %q, want %q", private, i, cols[j].Label, tab.Row(i)[min(j, len(tab.Row(i))-1)], want[j])
					}
				}
			}
		}
		if private {
			// "=1+1" is text, not a formula.
			f := xlsxTestOpen(t, data)
			cell := xlsxColumnOf(t, cols, "notes") + "2"
			if formula, _ := f.GetCellFormula("Lieux", cell); formula != "" {
				t.Errorf("%s has formula %q", cell, formula)
			}
			if v, _ := f.GetCellValue("Lieux", cell); v != "=1+1" {
				t.Errorf("%s = %q", cell, v)
			}
			if typ, _ := f.GetCellType("Lieux", xlsxColumnOf(t, cols, "latitude")+"2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("latitude cell type %v, want a number", typ)
			}
			inst, _ := f.GetRows("Instructions")
			if !strings.Contains(inst[1][0], "3 lieux") {
				t.Errorf("instructions say %q", inst[1][0])
			}
		}
	}
}

func TestReadXLSXMergedAndBlank(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	// A hidden sheet with data and an empty visible one come first: the
	// reader takes the first visible sheet with data.
	f.SetSheetName("Sheet1", "Cachée")
	f.SetCellStr("Cachée", "A1", "secret")
	f.NewSheet("Vide")
	f.NewSheet("Données")
	f.SetActiveSheet(1)
	if err := f.SetSheetVisible("Cachée", false); err != nil {
		t.Fatal(err)
	}
	set := func(cell string, v any) {
		t.Helper()
		if err := f.SetCellValue("Données", cell, v); err != nil {
			t.Fatal(err)
		}
	}
	// Row 1 blank; header on row 2 with "Contact" merged over C2:D2.
	set("A2", "Nom")
	set("B2", "Commune")
	set("C2", "Contact")
	set("E2", "Date")
	set("A3", "Mairie")
	set("B3", "Paimpont")
	set("C3", "a@b.fr")
	set("D3", "02 99")
	set("E3", time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	// Row 4 blank, rows 5-6 share the commune (merged B5:B6).
	set("A5", "Médiathèque")
	set("B5", "Iffendic")
	set("A6", "Espace jeunes")
	set("A8", "  ")
	set("B8", "x")
	for _, m := range [][2]string{{"C2", "D2"}, {"B5", "B6"}} {
		if err := f.MergeCell("Données", m[0], m[1]); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	tab, err := ReadXLSX(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Sheet != "Données" {
		t.Errorf("sheet %q", tab.Sheet)
	}
	if want := []string{"Nom", "Commune", "Contact", "Contact", "Date"}; !slices.Equal(tab.Header, want) {
		t.Errorf("header %q, want %q", tab.Header, want)
	}
	want := [][]string{
		{"Mairie", "Paimpont", "a@b.fr", "02 99", "46082"},
		{"Médiathèque", "Iffendic", "", "", ""},
		{"Espace jeunes", "Iffendic", "", "", ""},
		{"  ", "x", "", "", ""},
	}
	var got [][]string
	for i := range tab.Len() {
		got = append(got, tab.Row(i))
	}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("rows %q, want %q", got, want)
	}
	if !slices.Equal(tab.Lines, []int{3, 5, 6, 8}) {
		t.Errorf("lines %v", tab.Lines)
	}
}

func TestReadXLSXUnreadable(t *testing.T) {
	template := xlsxTestWrite(t, Workbook{Territory: "T", Columns: xlsxTestColumns(t), Example: true})
	random := make([]byte, 4096)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.IntN(256))
	}
	emptyBook := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		var buf bytes.Buffer
		f.Write(&buf)
		return buf.Bytes()
	}()
	protected := func() []byte {
		f := excelize.NewFile()
		defer f.Close()
		f.SetCellStr("Sheet1", "A1", "Nom")
		var buf bytes.Buffer
		if err := f.Write(&buf, excelize.Options{Password: "secret"}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}()
	zipped := func() []byte {
		// A zip archive that is no workbook (an OpenDocument-like file).
		var buf bytes.Buffer
		f := excelize.NewFile()
		defer f.Close()
		f.Write(&buf)
		data := bytes.ReplaceAll(buf.Bytes(), []byte("xl/workbook.xml"), []byte("xl/workbook.xmk"))
		return data
	}()
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"truncated", template[:len(template)/2], "abîmé ou incomplet"},
		{"random bytes", random, "pas un classeur Excel"},
		{"empty file", nil, "vide ou tronqué"},
		{"text", []byte("nom;adresse\nMairie;1 place\n"), "pas un classeur Excel"},
		{"empty workbook", emptyBook, "classeur est vide"},
		{"password", protected, "mot de passe"},
		{"not a workbook", zipped, "pas de classeur Excel"},
		{"xls", append(slices.Clone(xlsxOLE), make([]byte, 512)...), "Excel 97-2003"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ReadXLSX(bytes.NewReader(tt.data), int64(len(tt.data)))
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("got %v, %v; want ErrUnreadable", tab, err)
			}
			if !strings.HasPrefix(err.Error(), "fichier Excel illisible : ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("message %q, want %q", err, tt.want)
			}
		})
	}
}

func TestReadXLSXTooManyColumns(t *testing.T) {
	for _, n := range []int{300, 301} {
		f := excelize.NewFile()
		header := make([]any, n)
		for i := range header {
			header[i] = fmt.Sprintf("Colonne %d", i+1)
		}
		f.SetSheetRow("Sheet1", "A1", &header)
		f.SetSheetRow("Sheet1", "A2", &[]any{"Mairie"})
		var buf bytes.Buffer
		f.Write(&buf)
		f.Close()
		tab, err := ReadXLSX(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if n == 300 {
			if err != nil || len(tab.Header) != 300 || len(tab.Row(0)) != 300 {
				t.Errorf("300 columns: %v", err)
			}
			continue
		}
		if !errors.Is(err, ErrSheetTooLarge) || !strings.Contains(err.Error(), "plus de 300 colonnes") {
			t.Errorf("301 columns: %v", err)
		}
	}
}

func TestXLSXMergeRefsAcrossChunks(t *testing.T) {
	// A merge element straddling the 1 MiB read buffer is still found.
	f := excelize.NewFile()
	defer f.Close()
	filler := strings.Repeat("é", 1000)
	for r := 1; r <= 1100; r++ {
		f.SetCellStr("Sheet1", fmt.Sprintf("A%d", r), filler)
	}
	for r := 2; r < 1100; r += 2 {
		f.MergeCell("Sheet1", fmt.Sprintf("B%d", r), fmt.Sprintf("C%d", r))
	}
	var buf bytes.Buffer
	f.Write(&buf)
	tab, err := ReadXLSX(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if tab.Len() != 1099 {
		t.Errorf("%d rows", tab.Len())
	}
	refs, err := xlsxMergeRefsOf(buf.Bytes())
	if err != nil || len(refs) != 549 {
		t.Errorf("%d merges, %v", len(refs), err)
	}
}

func xlsxMergeRefsOf(data []byte) ([]string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, err
	}
	paths, err := xlsxSheetPaths(zr)
	if err != nil {
		return nil, err
	}
	return xlsxMergeRefs(zr, paths["Sheet1"])
}

// xlsxBenchPlaces makes n varied places from the test ones.
func xlsxBenchPlaces(n int) []*place.Place {
	base := xlsxTestPlaces()
	out := make([]*place.Place, n)
	for i := range out {
		p := *base[i%len(base)]
		p.ID = fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
		p.Nom = fmt.Sprintf("%s n° %d", p.Nom, i)
		p.Notes = ""
		p.Extra = map[string]string{"wifi": "oui", "nb-postes": fmt.Sprint(i % 12), "a": "valeur a", "c": fmt.Sprint("valeur c ", i)}
		out[i] = &p
	}
	return out
}

// xlsxBenchWorkbook exports places with about 90 columns (the layout and
// six complementary fields).
func xlsxBenchWorkbook(b testing.TB, places []*place.Place) Workbook {
	fields := slices.Clone(xlsxTestFields)
	for _, k := range []string{"a", "b", "c", "d"} {
		fields = append(fields, place.ExtraField{Key: k, Label: "Champ " + k, Kind: place.ExtraText})
	}
	var communes []string
	for _, c := range territory.Default().CommunesOfEPCI(xlsxTestEPCI) {
		communes = append(communes, CommuneChoice(c.Nom, c.Code))
	}
	return Workbook{Territory: "France", Columns: Layout(fields, communes), Private: true, Generated: time.Now(),
		Places: func(yield func(*place.Place) error) error {
			for _, p := range places {
				if err := yield(p); err != nil {
					return err
				}
			}
			return nil
		}}
}

type xlsxCountingWriter struct{ n int64 }

func (w *xlsxCountingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func BenchmarkWriteWorkbook100k(b *testing.B) {
	wb := xlsxBenchWorkbook(b, xlsxBenchPlaces(100_000))
	b.ResetTimer()
	for b.Loop() {
		var w xlsxCountingWriter
		if err := WriteWorkbook(&w, wb); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(w.n)/(1<<20), "MB")
	}
}

func BenchmarkReadXLSX50k(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, xlsxBenchWorkbook(b, xlsxBenchPlaces(50_000))); err != nil {
		b.Fatal(err)
	}
	data := buf.Bytes()
	b.ReportMetric(float64(len(data))/(1<<20), "MB")
	b.ResetTimer()
	for b.Loop() {
		tab, err := ReadXLSX(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			b.Fatal(err)
		}
		if tab.Len() != 50_000 || len(tab.Header) != 90 {
			b.Fatalf("%d rows × %d columns", tab.Len(), len(tab.Header))
		}
	}
}

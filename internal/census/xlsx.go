package census

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"portrea/internal/place"
	"portrea/internal/territory"
)

// Workbook describes a census workbook: the blank template of a territory
// (Places nil) or a full export.
type Workbook struct {
	Territory string   // "CC Brocéliande Communauté"
	Columns   []Column // from Layout
	// Places yields the places of an export, in the order of the rows;
	// nil for a blank template.
	Places    func(yield func(*place.Place) error) error
	Private   bool      // fill the private columns (only for authorised users)
	Example   bool      // add the example row (template)
	Generated time.Time // shown in the instructions
}

// Sheet names of the census workbook.
const (
	workbookInstructions = "Instructions"
	workbookPlaces       = "Lieux"
	workbookLists        = "Listes"
)

// workbookMinRows is how far down the data validations reach in a template:
// the rows people add by hand get the dropdowns too.
const workbookMinRows = 1000

// Header fills: the colours tell required and private columns apart,
// because the header text must stay exactly the column label.
const (
	workbookFill         = "DDEBF7" // light blue
	workbookFillRequired = "FCE4D6" // light orange
	workbookFillPrivate  = "E4DFEC" // light purple
)

// WriteWorkbook writes the census workbook as XLSX: the instructions, the
// sheet "Lieux" (streamed, so exports of 100,000 places stay fast and
// small in memory) and the hidden sheet "Listes" behind the dropdowns.
// Cell values are always written as text, never as formulas; only
// coordinates and numeric complementary fields are written as numbers.
func WriteWorkbook(w io.Writer, wb Workbook) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", workbookInstructions); err != nil {
		return fmt.Errorf("census: workbook: %w", err)
	}
	for _, name := range []string{workbookPlaces, workbookLists} {
		if _, err := f.NewSheet(name); err != nil {
			return fmt.Errorf("census: workbook: %w", err)
		}
	}
	// Before the stream writer starts: SetActiveSheet touches every sheet.
	f.SetActiveSheet(0)
	lists, err := workbookWriteLists(f, wb.Columns)
	if err != nil {
		return fmt.Errorf("census: workbook lists: %w", err)
	}
	n, err := workbookWritePlaces(f, wb, lists)
	if err != nil {
		return fmt.Errorf("census: workbook places: %w", err)
	}
	if err := workbookWriteInstructions(f, wb, n); err != nil {
		return fmt.Errorf("census: workbook instructions: %w", err)
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("census: workbook: %w", err)
	}
	return nil
}

// workbookWriteLists fills the hidden sheet "Listes", one column per choice
// list, and returns the range of each list by column index. Inline lists
// are limited to 255 characters, too short for communes or typologies.
func workbookWriteLists(f *excelize.File, cols []Column) (map[int]string, error) {
	refs := map[int]string{}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return nil, err
	}
	n := 0
	for i, c := range cols {
		if c.Kind != KindChoice || len(c.Choices) == 0 {
			continue
		}
		n++
		letter, err := excelize.ColumnNumberToName(n)
		if err != nil {
			return nil, err
		}
		values := make([]any, 0, len(c.Choices)+1)
		values = append(values, c.Label)
		for _, v := range c.Choices {
			values = append(values, v)
		}
		if err := f.SetSheetCol(workbookLists, letter+"1", &values); err != nil {
			return nil, err
		}
		if err := f.SetCellStyle(workbookLists, letter+"1", letter+"1", bold); err != nil {
			return nil, err
		}
		if err := f.SetColWidth(workbookLists, letter, letter, 30); err != nil {
			return nil, err
		}
		refs[i] = fmt.Sprintf("%s!$%s$2:$%s$%d", workbookLists, letter, letter, len(c.Choices)+1)
	}
	return refs, f.SetSheetVisible(workbookLists, false)
}

// workbookStyles are the cell styles of the sheet "Lieux".
type workbookStyles struct {
	header, required, private int
	example, exampleNumber    int
	text, date                int
}

func workbookNewStyles(f *excelize.File) (workbookStyles, error) {
	var s workbookStyles
	border := []excelize.Border{
		{Type: "left", Color: "8EA9C1", Style: 1}, {Type: "right", Color: "8EA9C1", Style: 1},
		{Type: "top", Color: "8EA9C1", Style: 1}, {Type: "bottom", Color: "8EA9C1", Style: 1},
	}
	header := func(fill string) *excelize.Style {
		return &excelize.Style{
			Font:      &excelize.Font{Bold: true},
			Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
			Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"},
			Border:    border,
			NumFmt:    49,
		}
	}
	text := "@"
	date := "dd/mm/yyyy"
	for _, st := range []struct {
		id    *int
		style *excelize.Style
	}{
		{&s.header, header(workbookFill)},
		{&s.required, header(workbookFillRequired)},
		{&s.private, header(workbookFillPrivate)},
		{&s.example, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}, CustomNumFmt: &text}},
		{&s.exampleNumber, &excelize.Style{Font: &excelize.Font{Italic: true, Color: "808080"}}},
		// Text columns keep what people type as typed: the leading zero of
		// a phone number or postcode, a SIRET not turned into 1,23E+13.
		{&s.text, &excelize.Style{CustomNumFmt: &text}},
		{&s.date, &excelize.Style{CustomNumFmt: &date}},
	} {
		id, err := f.NewStyle(st.style)
		if err != nil {
			return s, err
		}
		*st.id = id
	}
	return s, nil
}

// workbookWritePlaces streams the sheet "Lieux" and returns the number of
// places written. The stream writer wants the column widths, styles and
// panes before the first row; validations, the autofilter and the header
// comments are set on the worksheet before Flush, which writes them.
func workbookWritePlaces(f *excelize.File, wb Workbook, lists map[int]string) (int, error) {
	cols := wb.Columns
	if len(cols) == 0 {
		return 0, fmt.Errorf("no columns")
	}
	styles, err := workbookNewStyles(f)
	if err != nil {
		return 0, err
	}
	sw, err := f.NewStreamWriter(workbookPlaces)
	if err != nil {
		return 0, err
	}
	// excelize puts each new column first in <cols>, which Excel wants in
	// ascending order: set them from the last.
	for i := len(cols) - 1; i >= 0; i-- {
		c := cols[i]
		width := c.Width
		if width <= 0 {
			width = 16
		}
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return 0, err
		}
		style := styles.text
		switch c.Kind {
		case KindNumber:
			style = 0
		case KindDate:
			style = styles.date
		}
		if style != 0 {
			if err := sw.SetColStyle(i+1, i+1, style); err != nil {
				return 0, err
			}
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return 0, err
	}

	row := make([]any, len(cols))
	for i, c := range cols {
		st := styles.header
		switch {
		case c.Private:
			st = styles.private
		case c.Required:
			st = styles.required
		}
		row[i] = excelize.Cell{StyleID: st, Value: c.Label}
		if c.Help != "" {
			cell, _ := excelize.CoordinatesToCellName(i+1, 1)
			text := c.Help
			if c.Required {
				text = "Obligatoire. " + text
			}
			if err := f.AddComment(workbookPlaces, excelize.Comment{Cell: cell, Author: "PORTREA", Text: text, Width: 320, Height: 110}); err != nil {
				return 0, err
			}
		}
	}
	if err := sw.SetRow("A1", row, excelize.RowOpts{Height: workbookHeaderHeight(cols)}); err != nil {
		return 0, err
	}

	line := 1
	if wb.Example {
		line++
		for i, v := range workbookExample(cols, wb.Generated) {
			st := styles.example
			val := workbookCellValue(cols[i], v)
			if _, ok := val.(float64); ok {
				st = styles.exampleNumber
			}
			row[i] = excelize.Cell{StyleID: st, Value: val}
		}
		if err := sw.SetRow("A2", row); err != nil {
			return 0, err
		}
	}
	n := 0
	if wb.Places != nil {
		err := wb.Places(func(p *place.Place) error {
			line++
			n++
			for i, v := range Values(cols, p, wb.Private) {
				row[i] = workbookCellValue(cols[i], v)
			}
			cell, err := excelize.CoordinatesToCellName(1, line)
			if err != nil {
				return err
			}
			return sw.SetRow(cell, row)
		})
		if err != nil {
			return n, err
		}
	}

	last, err := excelize.ColumnNumberToName(len(cols))
	if err != nil {
		return n, err
	}
	if err := f.AutoFilter(workbookPlaces, fmt.Sprintf("A1:%s%d", last, max(line, 2)), nil); err != nil {
		return n, err
	}
	if err := workbookValidations(f, cols, lists, max(workbookMinRows, line+500)); err != nil {
		return n, err
	}
	return n, sw.Flush()
}

// workbookHeaderHeight is the height in points of the header row, tall
// enough for the longest label wrapped in its column.
func workbookHeaderHeight(cols []Column) float64 {
	lines := 1
	for _, c := range cols {
		lines = max(lines, workbookLines(c.Label, c.Width))
	}
	return float64(min(lines, 8))*15 + 4
}

// workbookLines estimates how many lines text takes wrapped in a column of
// the given width (in characters).
func workbookLines(text string, width float64) int {
	per := max(int(width*1.1), 4)
	n := 0
	for _, para := range strings.Split(text, "\n") {
		n += max(1, (utf8.RuneCountInString(para)+per-1)/per)
	}
	return n
}

// workbookCellValue is what the stream writer gets for a value: nil for an
// empty cell (nothing written), a number for a numeric column whose value
// reads back identically, otherwise the text itself, which excelize writes
// as an inline string: "=1+1" stays text, never a formula.
func workbookCellValue(c Column, v string) any {
	if v == "" {
		return nil
	}
	if c.Kind == KindNumber {
		if x, ok := workbookNumber(v); ok {
			return x
		}
	}
	return v
}

// workbookNumber parses a decimal number written the way strconv writes
// it, so that reading the cell back gives the same text.
func workbookNumber(v string) (float64, bool) {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsInf(x, 0) || math.IsNaN(x) || strconv.FormatFloat(x, 'f', -1, 64) != v {
		return 0, false
	}
	return x, true
}

// workbookValidations adds the dropdowns and checks of rows 2 to last.
// Neighbouring columns with the same rule share one validation (the tick
// columns are most of the sheet).
func workbookValidations(f *excelize.File, cols []Column, lists map[int]string, last int) error {
	add := func(dv *excelize.DataValidation, from, to int) error {
		a, err := excelize.CoordinatesToCellName(from+1, 2)
		if err != nil {
			return err
		}
		b, err := excelize.CoordinatesToCellName(to+1, last)
		if err != nil {
			return err
		}
		dv.SetSqref(a + ":" + b)
		return f.AddDataValidation(workbookPlaces, dv)
	}
	for i := 0; i < len(cols); i++ {
		c := cols[i]
		switch c.Kind {
		case KindTick:
			j := i
			for j+1 < len(cols) && cols[j+1].Kind == KindTick {
				j++
			}
			dv := excelize.NewDataValidation(true)
			if err := dv.SetDropList([]string{Tick}); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Case à cocher",
				"Mettre « x » si la ligne s'applique au lieu, sinon laisser la case vide.")
			if err := add(dv, i, j); err != nil {
				return err
			}
			i = j
		case KindChoice:
			ref, ok := lists[i]
			if !ok {
				continue
			}
			dv := excelize.NewDataValidation(true)
			dv.SetSqrefDropList(ref)
			// A warning, not a stop: a value outside the list (two types of
			// structure, a commune spelt differently) is checked at import.
			dv.SetError(excelize.DataValidationErrorStyleWarning, "Valeur hors liste",
				workbookTruncate("Cette valeur n'est pas dans la liste de la colonne « "+c.Label+" ». Choisissez-la dans la liste déroulante. Garder quand même cette valeur ?", 225))
			if err := add(dv, i, i); err != nil {
				return err
			}
		case KindNumber:
			dv := excelize.NewDataValidation(true)
			lo, hi, msg := "-1000000000000", "1000000000000", "Saisir un nombre (par exemple 12 ou 4,5)."
			switch c.Key {
			case "latitude":
				lo, hi, msg = "-90", "90", "La latitude est un nombre décimal entre -90 et 90, par exemple 48,0183."
			case "longitude":
				lo, hi, msg = "-180", "180", "La longitude est un nombre décimal entre -180 et 180, par exemple -2,1713."
			}
			if err := dv.SetRange(lo, hi, excelize.DataValidationTypeDecimal, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Nombre attendu", msg)
			if err := add(dv, i, i); err != nil {
				return err
			}
		case KindDate:
			dv := excelize.NewDataValidation(true)
			// Excel serial numbers of 1 January 2000 and 31 December 2100.
			if err := dv.SetRange(36526, 73415, excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
				return err
			}
			dv.SetError(excelize.DataValidationErrorStyleStop, "Date attendue",
				"Saisir une date au format JJ/MM/AAAA, par exemple 27/11/2026.")
			if err := add(dv, i, i); err != nil {
				return err
			}
		}
	}
	return nil
}

// workbookTruncate cuts s to n characters at most (Excel's limits on
// validation messages).
func workbookTruncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// workbookExample is the template's example row: a plausible place in the
// first commune of the territory, marked by ExampleID so the import skips
// it.
func workbookExample(cols []Column, generated time.Time) []string {
	var commune, insee, postcode, lat, lon, phone string
	phone = "02 61 91 00 42"
	for _, c := range cols {
		if c.Key == "commune" && len(c.Choices) > 0 {
			commune = c.Choices[0]
		}
	}
	nom := "Médiathèque municipale"
	if commune != "" {
		name, code, ok := strings.Cut(strings.TrimSuffix(commune, ")"), " (")
		if !ok {
			name = commune
		}
		nom = "Médiathèque " + workbookOf(name)
		if ref, ok := territory.Default().Commune(code); ok {
			insee = ref.Code
			if len(ref.CodesPostaux) > 0 {
				postcode = ref.CodesPostaux[0]
			}
			if ref.Lat != 0 || ref.Lon != 0 {
				lat = strconv.FormatFloat(math.Round(ref.Lat*1e4)/1e4, 'f', -1, 64)
				lon = strconv.FormatFloat(math.Round(ref.Lon*1e4)/1e4, 'f', -1, 64)
			}
			phone = workbookFictionPhone(ref.Region)
		}
	}
	values := map[string]string{
		"id":                                  ExampleID,
		"nom":                                 nom,
		"adresse":                             "2 place de la Mairie",
		"code_postal":                         postcode,
		"commune":                             commune,
		"code_insee":                          insee,
		"latitude":                            lat,
		"longitude":                           lon,
		"telephone":                           phone,
		"courriels":                           "mediatheque@example.org",
		"horaires":                            "du lundi au vendredi de 9h à 12h",
		"itinerance":                          ItineranceFixe,
		"presentation_resume":                 "Postes informatiques en accès libre et aide aux démarches en ligne, avec ou sans rendez-vous.",
		"statut":                              place.StatusLabels[place.StatusActive],
		"contact_nom":                         "Camille Martin",
		"contact_courriel":                    "camille.martin@example.org",
		"services:aide-demarches":             Tick,
		"services:acces-materiel":             Tick,
		"frais_a_charge:gratuit":              Tick,
		"modalites_acces:se-presenter":        Tick,
		"modalites_accompagnement:individuel": Tick,
	}
	if t, ok := place.LookupTypology("BIB"); ok {
		values["typologie"] = t.Label
	}
	if !generated.IsZero() {
		values["date_maj"] = generated.In(place.Paris).Format("02/01/2006")
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = values[c.Key]
	}
	return out
}

// workbookOf joins "de" to a commune name the French way: "de Paimpont",
// "d'Iffendic", "du Verger", "des Fougerêts".
func workbookOf(name string) string {
	switch {
	case strings.HasPrefix(name, "Le "):
		return "du " + name[len("Le "):]
	case strings.HasPrefix(name, "Les "):
		return "des " + name[len("Les "):]
	}
	r, _ := utf8.DecodeRuneInString(name)
	if strings.ContainsRune("AEIOUYÂÉÈÊÎÏÔÛ", r) {
		return "d'" + name
	}
	return "de " + name
}

// workbookFictionPhone is a landline number of the région's zone in the
// ranges the regulator (ARCEP) keeps for fiction: it rings nobody.
func workbookFictionPhone(region string) string {
	switch region {
	case "11":
		return "01 99 00 12 34"
	case "53", "52", "28", "24", "01", "02", "03", "04", "06":
		return "02 61 91 00 42"
	case "32", "44", "27":
		return "03 53 01 00 42"
	case "84", "93", "94":
		return "04 65 71 00 42"
	}
	return "05 36 49 00 42"
}

// workbookMonths are the French month names.
var workbookMonths = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// workbookDate writes a day the French way: "27 novembre 2026", "1er mai 2026".
func workbookDate(t time.Time) string {
	t = t.In(place.Paris)
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return day + " " + workbookMonths[t.Month()-1] + " " + strconv.Itoa(t.Year())
}

// workbookKindLabel says in French how a column is filled in.
func workbookKindLabel(k Kind) string {
	switch k {
	case KindChoice:
		return "Liste déroulante"
	case KindTick:
		return "« x » si oui"
	case KindNumber:
		return "Nombre"
	case KindDate:
		return "Date (JJ/MM/AAAA)"
	}
	return "Texte"
}

// workbookWriteInstructions fills the first sheet: what the file is for,
// how to fill it in and send it back, and a table of every column.
func workbookWriteInstructions(f *excelize.File, wb Workbook, places int) error {
	const sheet = workbookInstructions
	widths := []float64{26, 36, 12, 18, 72}
	total := 0.0
	for i, w := range widths {
		total += w
		letter, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(sheet, letter, letter, w); err != nil {
			return err
		}
	}
	// Printed on A4 landscape, one page wide.
	landscape, fit := "landscape", true
	if err := f.SetPageLayout(sheet, &excelize.PageLayoutOptions{Size: workbookInt(9), Orientation: &landscape, FitToWidth: workbookInt(1), FitToHeight: workbookInt(0)}); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	newStyle := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		if err != nil {
			panic(err) // static styles: only a programming error gets here
		}
		return id
	}
	title := newStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 16, Color: "1F3864"}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	heading := newStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13, Color: "1F3864"}, Alignment: &excelize.Alignment{Vertical: "bottom"}})
	para := newStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	border := []excelize.Border{
		{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1},
	}
	th := newStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{workbookFill}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	td := newStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	tdBold := newStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	tdRequired := newStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{workbookFillRequired}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})
	tdPrivate := newStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{workbookFillPrivate}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}, Border: border})

	row := 0
	// text writes a paragraph over the five columns; Excel does not size
	// merged rows, so the height is estimated.
	text := func(style int, height float64, s string) error {
		row++
		a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row)
		if err := f.MergeCell(sheet, a, b); err != nil {
			return err
		}
		if err := f.SetCellStr(sheet, a, s); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, a, b, style); err != nil {
			return err
		}
		if height == 0 {
			height = float64(workbookLines(s, total))*15 + 3
		}
		return f.SetRowHeight(sheet, row, height)
	}
	skip := func() { row++ }

	territoryName := wb.Territory
	if territoryName == "" {
		territoryName = "territoire"
	}
	var required []string
	for _, c := range wb.Columns {
		if c.Required {
			required = append(required, "« "+c.Label+" »")
		}
	}
	generated := "Fichier produit par PORTREA"
	if !wb.Generated.IsZero() {
		generated += " le " + workbookDate(wb.Generated)
	}
	switch {
	case wb.Places == nil:
		generated += "."
	case places == 0:
		generated += " : aucun lieu enregistré pour l'instant."
	case places == 1:
		generated += " : 1 lieu enregistré dans PORTREA."
	default:
		generated += " : " + workbookThousands(places) + " lieux enregistrés dans PORTREA."
	}

	steps := []string{
		"Remplissez la feuille « Lieux » : une ligne par lieu. Une structure qui accueille le public à deux adresses fait deux lignes.",
		"Les colonnes obligatoires ont un en-tête orange : " + workbookJoin(required) + ". Une ligne où l'une d'elles manque n'est pas importée.",
		"Colonnes à cocher (services, publics, modalités d'accès, dispositifs…) : mettez « x » dans la case quand elle s'applique au lieu, laissez-la vide sinon.",
		"Certaines colonnes proposent une liste déroulante (type de structure, commune, statut…) : choisissez la valeur dans la liste.",
		"Horaires : écrivez-les en clair (« du lundi au vendredi de 9h à 12h et de 14h à 17h ») ou au format OpenStreetMap (Mo-Fr 09:00-12:00,14:00-17:00).",
	}
	if wb.Example {
		steps = append(steps, "La ligne 2, en gris italique, est un exemple (identifiant « "+ExampleID+" ») : elle est ignorée à l'import. Vous pouvez la laisser ou la supprimer.")
	}
	steps = append(steps,
		"Les colonnes à en-tête violet (contact privé, notes) ne sont jamais publiées : elles servent seulement au suivi des lieux par le territoire.",
		"Ne renommez pas les colonnes et ne modifiez pas la colonne « Identifiant PORTREA » : elle permet de mettre à jour un lieu déjà connu au lieu de créer un doublon. Laissez-la vide pour un nouveau lieu.",
		"Passez la souris sur un en-tête pour lire son aide. Le tableau ci-dessous décrit chaque colonne.",
	)

	if err := text(title, 42, "Modèle de recensement des acteurs de l'inclusion numérique — "+territoryName); err != nil {
		return err
	}
	if err := text(para, 0, generated); err != nil {
		return err
	}
	skip()
	if err := text(heading, 22, "À quoi sert ce fichier"); err != nil {
		return err
	}
	if err := text(para, 0, "Ce classeur recense les lieux qui aident les habitants du territoire « "+territoryName+" » dans leurs usages du numérique : démarches en ligne, accès à un ordinateur et à internet, ateliers, accompagnement individuel… Une fois importés dans PORTREA, les lieux actifs apparaissent sur la carte publique du territoire et sont partagés au format du standard national des lieux de médiation numérique."); err != nil {
		return err
	}
	skip()
	if err := text(heading, 22, "Comment le remplir"); err != nil {
		return err
	}
	for i, s := range steps {
		if err := text(para, 0, strconv.Itoa(i+1)+". "+s); err != nil {
			return err
		}
	}
	skip()
	if err := text(heading, 22, "Comment le renvoyer"); err != nil {
		return err
	}
	if err := text(para, 0, "Enregistrez le fichier au format Excel (.xlsx), sans mot de passe, puis renvoyez-le à la personne qui vous l'a transmis. Les référents du territoire l'importent dans PORTREA, page « Recensement » : un aperçu ligne par ligne signale les erreurs à corriger avant que rien ne soit enregistré."); err != nil {
		return err
	}
	skip()
	if err := text(heading, 22, "Les colonnes de la feuille « Lieux »"); err != nil {
		return err
	}

	row++
	if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", row), &[]any{"Groupe", "Colonne", "Obligatoire", "Saisie", "Aide"}); err != nil {
		return err
	}
	if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row), th); err != nil {
		return err
	}
	for _, c := range wb.Columns {
		row++
		required := "non"
		if c.Required {
			required = "oui"
		}
		cells := []any{c.Group, c.Label, required, workbookKindLabel(c.Kind), c.Help}
		if err := f.SetSheetRow(sheet, fmt.Sprintf("A%d", row), &cells); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, fmt.Sprintf("A%d", row), fmt.Sprintf("E%d", row), td); err != nil {
			return err
		}
		label := tdBold
		switch {
		case c.Private:
			label = tdPrivate
		case c.Required:
			label = tdRequired
		}
		if err := f.SetCellStyle(sheet, fmt.Sprintf("B%d", row), fmt.Sprintf("B%d", row), label); err != nil {
			return err
		}
		lines := max(workbookLines(c.Group, widths[0]), workbookLines(c.Label, widths[1]), workbookLines(c.Help, widths[4]))
		if err := f.SetRowHeight(sheet, row, float64(lines)*15+3); err != nil {
			return err
		}
	}
	return nil
}

// workbookJoin lists items the French way: "a, b et c".
func workbookJoin(items []string) string {
	switch len(items) {
	case 0:
		return "aucune"
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " et " + items[len(items)-1]
}

// workbookThousands writes a count with French digit grouping: "12 345".
func workbookThousands(n int) string {
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u00a0')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func workbookInt(n int) *int { return &n }

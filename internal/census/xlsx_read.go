package census

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/xuri/excelize/v2"

	"portrea/internal/place"
)

// Table is a sheet's content as text: the header row and the data rows,
// with their 1-based row numbers in the sheet.
type Table struct {
	Sheet  string
	Header []string
	// rows hold each row's cells joined by cellSep, trailing empty cells
	// dropped: a census row is mostly empty tick columns, and a slice of
	// strings per row would take ten times the memory of its text.
	rows  []string
	Lines []int
}

// cellSep joins the cells of a stored row. It is a control character no
// census cell means: one found in a cell becomes a space.
const cellSep = "\x1f"

// Len is the number of data rows.
func (t *Table) Len() int { return len(t.rows) }

// Row returns the cells of data row i: at least len(Header) of them, more
// when the row has data under no header.
func (t *Table) Row(i int) []string {
	cells := strings.Split(t.rows[i], cellSep)
	if len(cells) < len(t.Header) {
		cells = append(cells, make([]string, len(t.Header)-len(cells))...)
	}
	return cells
}

// AddRow appends a data row read at line.
func (t *Table) AddRow(line int, cells []string) {
	t.rows = append(t.rows, packRow(cells))
	t.Lines = append(t.Lines, line)
}

func packRow(cells []string) string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	cells = cells[:n]
	for i, c := range cells {
		if strings.Contains(c, cellSep) {
			cells[i] = strings.ReplaceAll(c, cellSep, " ")
		}
	}
	return strings.Join(cells, cellSep)
}

// ErrUnreadable: the file is not a readable XLSX. Its message is French
// (« fichier Excel illisible : … »).
var ErrUnreadable = errors.New("fichier Excel illisible")

// ErrSheetTooLarge: the sheet is beyond what a census holds (more than 300
// columns or 200,000 rows, or a huge uncompressed size): a mistaken file or
// a decompression bomb. Its message is French.
var ErrSheetTooLarge = errors.New("fichier Excel trop grand")

// Limits of ReadXLSX.
const (
	xlsxMaxColumns  = 300
	xlsxMaxRows     = 200_000
	xlsxMaxUnzipped = 1 << 30 // all parts of the workbook, uncompressed
	xlsxMaxMerged   = 50_000_000
)

// xlsxOLE starts a Compound File: an encrypted XLSX or an Excel 97-2003
// workbook.
var xlsxOLE = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

func xlsxUnreadable(reason string) error { return fmt.Errorf("%w : %s", ErrUnreadable, reason) }

func xlsxTooLarge(reason string) error { return fmt.Errorf("%w : %s", ErrSheetTooLarge, reason) }

// ReadXLSX reads the census sheet of a workbook: the sheet "Lieux" if it
// has data, else the first visible sheet that has data. The header is the
// first non-empty row; fully blank rows are skipped. Cells are raw values:
// dates stay serial numbers (46082), to be converted by column. A merged
// range gives its value to every cell it covers.
func ReadXLSX(r io.ReaderAt, size int64) (t *Table, err error) {
	// The file comes from outside: a parser panic is an unreadable file,
	// not a crash.
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, xlsxUnreadable(fmt.Sprintf("le contenu du classeur est incohérent (%v).", p))
		}
	}()
	var head [8]byte
	if n, _ := r.ReadAt(head[:], 0); n < len(head) {
		return nil, xlsxUnreadable("le fichier est vide ou tronqué.")
	}
	if bytes.Equal(head[:], xlsxOLE) {
		return nil, xlsxOLEError(r, size)
	}
	if !bytes.HasPrefix(head[:], []byte("PK")) {
		return nil, xlsxUnreadable("ce n'est pas un classeur Excel au format .xlsx.")
	}
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, xlsxUnreadable("le fichier est abîmé ou incomplet. Ouvrez-le dans votre tableur et enregistrez-le à nouveau au format .xlsx.")
	}
	var unzipped uint64
	for _, zf := range zr.File {
		unzipped += zf.UncompressedSize64
	}
	if unzipped > xlsxMaxUnzipped {
		return nil, xlsxTooLarge("une fois décompressé, le classeur dépasse 1 Go, bien plus qu'un recensement de lieux.")
	}
	paths, err := xlsxSheetPaths(zr)
	if err != nil {
		return nil, xlsxUnreadable("l'archive ne contient pas de classeur Excel (est-ce un document Word, PowerPoint ou OpenDocument ?).")
	}

	f, err := excelize.OpenReader(io.NewSectionReader(r, 0, size), excelize.Options{RawCellValue: true, UnzipSizeLimit: xlsxMaxUnzipped})
	if err != nil {
		return nil, xlsxUnreadable("le contenu du classeur est abîmé. Ouvrez-le dans votre tableur et enregistrez-le à nouveau au format .xlsx.")
	}
	defer f.Close()

	sheet, err := xlsxPickSheet(f)
	if err != nil {
		return nil, err
	}
	if sheet == "" {
		return nil, xlsxUnreadable("le classeur est vide : aucune feuille ne contient de données.")
	}

	// The merged ranges come after the cells in the sheet's XML, which
	// excelize's row iterator stops before: read them from the archive
	// meanwhile.
	type mergeResult struct {
		refs []string
		err  error
	}
	merges := make(chan mergeResult, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				merges <- mergeResult{err: fmt.Errorf("merge scan: %v", p)}
			}
		}()
		refs, err := xlsxMergeRefs(zr, paths[sheet])
		merges <- mergeResult{refs, err}
	}()

	t, headerLine, err := xlsxReadSheet(f, sheet)
	m := <-merges
	if err != nil {
		return nil, err
	}
	if m.err != nil {
		return nil, xlsxUnreadable(fmt.Sprintf("la feuille « %s » est abîmée.", sheet))
	}
	xlsxApplyMerges(t, headerLine, m.refs)
	return t, nil
}

// xlsxOLEError explains a Compound File: encrypted workbooks keep an
// "EncryptionInfo" stream, the rest are Excel 97-2003 files.
func xlsxOLEError(r io.ReaderAt, size int64) error {
	data, _ := io.ReadAll(io.NewSectionReader(r, 0, size))
	if bytes.Contains(data, []byte("E\x00n\x00c\x00r\x00y\x00p\x00t\x00i\x00o\x00n\x00I\x00n\x00f\x00o\x00")) {
		return xlsxUnreadable("le classeur est protégé par un mot de passe. Enregistrez-en une copie sans mot de passe (Fichier › Informations › Protéger le classeur) puis importez-la.")
	}
	return xlsxUnreadable("c'est un classeur Excel 97-2003 (.xls). Enregistrez-le au format .xlsx puis importez-le.")
}

// xlsxPickSheet returns the sheet to read: "Lieux" if it has data, else the
// first visible sheet with data, else "".
func xlsxPickSheet(f *excelize.File) (string, error) {
	names := f.GetSheetList()
	for _, name := range names {
		if place.Fold(strings.TrimSpace(name)) == place.Fold(workbookPlaces) {
			ok, err := xlsxHasData(f, name)
			if err != nil {
				return "", err
			}
			if ok {
				return name, nil
			}
		}
	}
	for _, name := range names {
		if visible, err := f.GetSheetVisible(name); err != nil || !visible {
			continue
		}
		ok, err := xlsxHasData(f, name)
		if err != nil {
			return "", err
		}
		if ok {
			return name, nil
		}
	}
	return "", nil
}

// xlsxHasData reports whether a sheet has a non-empty cell.
func xlsxHasData(f *excelize.File, sheet string) (bool, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return false, nil // a chart sheet, or a part excelize cannot read as cells
	}
	defer rows.Close()
	for rows.Next() {
		cells, err := rows.Columns()
		if err != nil {
			return false, xlsxUnreadable(fmt.Sprintf("la feuille « %s » est abîmée.", sheet))
		}
		if len(xlsxTrimRight(cells)) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// xlsxReadSheet reads a sheet's header and non-blank rows, and returns the
// header's line.
func xlsxReadSheet(f *excelize.File, sheet string) (*Table, int, error) {
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, 0, xlsxUnreadable(fmt.Sprintf("la feuille « %s » est illisible.", sheet))
	}
	defer rows.Close()
	t := &Table{Sheet: sheet}
	line, headerLine := 0, 0
	for rows.Next() {
		line++ // Next visits every row number, the absent (blank) ones too
		cells, err := rows.Columns()
		if err != nil {
			return nil, 0, xlsxUnreadable(fmt.Sprintf("la feuille « %s » est abîmée à la ligne %d.", sheet, line))
		}
		cells = xlsxTrimRight(cells)
		if len(cells) == 0 {
			continue
		}
		if len(cells) > xlsxMaxColumns {
			return nil, 0, xlsxTooLarge(fmt.Sprintf("la feuille « %s » a des données dans plus de %d colonnes (ligne %d). Un recensement en a moins : gardez seulement le tableau des lieux.", sheet, xlsxMaxColumns, line))
		}
		if t.Header == nil {
			t.Header, headerLine = cells, line
			continue
		}
		if t.Len() == xlsxMaxRows {
			return nil, 0, xlsxTooLarge(fmt.Sprintf("la feuille « %s » a plus de 200 000 lignes. Découpez le fichier (par département ou par commune) et importez les morceaux un par un.", sheet))
		}
		t.AddRow(line, cells)
	}
	if err := rows.Error(); err != nil {
		return nil, 0, xlsxUnreadable(fmt.Sprintf("la feuille « %s » est abîmée après la ligne %d.", sheet, line))
	}
	return t, headerLine, nil
}

// xlsxTrimRight drops the empty cells at the end of a row (formatted but
// empty cells, spaces left by excelize between cells).
func xlsxTrimRight(cells []string) []string {
	n := len(cells)
	for n > 0 && cells[n-1] == "" {
		n--
	}
	return cells[:n]
}

// xlsxApplyMerges copies the value of each merged range's top-left cell
// into the other cells of the range, on the rows the table kept. A range
// over blank rows does not bring them back.
func xlsxApplyMerges(t *Table, headerLine int, refs []string) {
	budget := xlsxMaxMerged
	// Rows touched by a merge are unpacked once, then packed back.
	open := map[int][]string{}
	row := func(line int) []string {
		if line == headerLine {
			return t.Header
		}
		i, ok := xlsxFindLine(t.Lines, line)
		if !ok {
			return nil
		}
		if cells, ok := open[i]; ok {
			return cells
		}
		open[i] = t.Row(i)
		return open[i]
	}
	set := func(line int, cells []string) {
		if line == headerLine {
			t.Header = cells
			return
		}
		i, _ := xlsxFindLine(t.Lines, line)
		open[i] = cells
	}
	defer func() {
		for i, cells := range open {
			t.rows[i] = packRow(cells)
		}
	}()
	for _, ref := range refs {
		c1, r1, c2, r2, ok := xlsxRange(ref)
		if !ok {
			continue
		}
		c2 = min(c2, xlsxMaxColumns)
		top := row(r1)
		if top == nil || c1 > len(top) || top[c1-1] == "" {
			continue
		}
		v := top[c1-1]
		// The lines of the range the table kept: the header, then rows.
		lines := []int{}
		if headerLine >= r1 && headerLine <= r2 {
			lines = append(lines, headerLine)
		}
		i, _ := xlsxFindLine(t.Lines, r1)
		for ; i < len(t.Lines) && t.Lines[i] <= r2; i++ {
			lines = append(lines, t.Lines[i])
		}
		for _, l := range lines {
			cells := row(l)
			if len(cells) < c2 {
				cells = append(cells, make([]string, c2-len(cells))...)
			}
			for c := c1; c <= c2; c++ {
				cells[c-1] = v
			}
			set(l, cells)
			if budget -= c2 - c1 + 1; budget < 0 {
				return // overlapping ranges of a forged file
			}
		}
	}
}

// xlsxFindLine returns the index of line in the ascending lines, or where
// it would be.
func xlsxFindLine(lines []int, line int) (int, bool) {
	lo, hi := 0, len(lines)
	for lo < hi {
		m := (lo + hi) / 2
		if lines[m] < line {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(lines) && lines[lo] == line
}

// xlsxRange parses "B2:D5" (or "B2") into 1-based corners.
func xlsxRange(ref string) (c1, r1, c2, r2 int, ok bool) {
	a, b, found := strings.Cut(ref, ":")
	if !found {
		b = a
	}
	var err error
	if c1, r1, err = excelize.CellNameToCoordinates(strings.ReplaceAll(a, "$", "")); err != nil {
		return 0, 0, 0, 0, false
	}
	if c2, r2, err = excelize.CellNameToCoordinates(strings.ReplaceAll(b, "$", "")); err != nil {
		return 0, 0, 0, 0, false
	}
	return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2), true
}

// xlsxSheetPaths maps the sheet names of a workbook to their parts in the
// archive, through the package and workbook relationships.
func xlsxSheetPaths(zr *zip.Reader) (map[string]string, error) {
	files := make(map[string]*zip.File, len(zr.File))
	for _, zf := range zr.File {
		files[strings.ReplaceAll(zf.Name, "\\", "/")] = zf
	}
	workbook := "xl/workbook.xml"
	if rels, err := xlsxRels(files, "_rels/.rels"); err == nil {
		for _, r := range rels {
			if strings.HasSuffix(r.typ, "/officeDocument") {
				workbook = xlsxResolve("", r.target)
			}
		}
	}
	zf, ok := files[workbook]
	if !ok {
		return nil, fmt.Errorf("no workbook part %s", workbook)
	}
	rels, err := xlsxRels(files, path.Join(path.Dir(workbook), "_rels", path.Base(workbook)+".rels"))
	if err != nil {
		return nil, err
	}
	targets := map[string]string{}
	for _, r := range rels {
		targets[r.id] = xlsxResolve(path.Dir(workbook), r.target)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	out := map[string]string{}
	dec := xml.NewDecoder(io.LimitReader(rc, 64<<20))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "sheet" {
			continue
		}
		var name, id string
		for _, a := range se.Attr {
			switch {
			case a.Name.Local == "name":
				name = a.Value
			case a.Name.Local == "id" && a.Name.Space != "":
				id = a.Value
			}
		}
		if p, ok := targets[id]; ok {
			out[name] = p
		}
	}
}

type xlsxRel struct{ id, typ, target string }

// xlsxRels reads a relationships part.
func xlsxRels(files map[string]*zip.File, name string) ([]xlsxRel, error) {
	zf, ok := files[name]
	if !ok {
		return nil, fmt.Errorf("no part %s", name)
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var out []xlsxRel
	dec := xml.NewDecoder(io.LimitReader(rc, 16<<20))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var r xlsxRel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				r.id = a.Value
			case "Type":
				r.typ = a.Value
			case "Target":
				r.target = a.Value
			}
		}
		out = append(out, r)
	}
}

// xlsxResolve resolves a relationship target against the directory of
// the part that holds the relationship.
func xlsxResolve(dir, target string) string {
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Join(dir, target), "/")
}

// xlsxMergeRefs returns the ranges of the <mergeCell ref="…"> elements of
// a sheet part. It scans the bytes rather than decoding the XML: the part
// can be hundreds of megabytes, and "<" never appears unescaped in cell
// text.
func xlsxMergeRefs(zr *zip.Reader, name string) ([]string, error) {
	var zf *zip.File
	for _, f := range zr.File {
		if strings.ReplaceAll(f.Name, "\\", "/") == name {
			zf = f
			break
		}
	}
	if zf == nil {
		return nil, nil
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	var refs []string
	buf := make([]byte, 1<<20)
	keep := 0 // bytes carried over from the previous chunk
	for {
		n, err := io.ReadFull(rc, buf[keep:])
		data := buf[:keep+n]
		done := err == io.EOF || err == io.ErrUnexpectedEOF
		if err != nil && !done {
			return nil, err
		}
		pos := 0
		for {
			i := bytes.Index(data[pos:], []byte("mergeCell"))
			if i < 0 {
				// Keep a tail that may hold the start of the next match.
				pos = max(pos, len(data)-len("<mergeCell"))
				break
			}
			start := pos + i
			end := bytes.IndexByte(data[start:], '>')
			if end < 0 {
				if !done && start > 0 {
					pos = start - 1 // with the "<" or ":" before the name
					break
				}
				// An element longer than the buffer: not a merge of ours.
				pos = len(data)
				break
			}
			el := data[start : start+end]
			pos = start + end
			if start == 0 || (data[start-1] != '<' && data[start-1] != ':') {
				continue
			}
			after := el[len("mergeCell"):]
			if len(after) == 0 || (after[0] != ' ' && after[0] != '\t' && after[0] != '\n' && after[0] != '\r') {
				continue // <mergeCells count="…">
			}
			if ref, ok := xlsxAttr(after, "ref"); ok {
				refs = append(refs, ref)
			}
		}
		if done {
			return refs, nil
		}
		keep = copy(buf, data[pos:])
		if keep == len(buf) {
			keep = 0
		}
	}
}

// xlsxAttr finds attr="value" (or 'value') in the bytes of a start tag.
func xlsxAttr(tag []byte, attr string) (string, bool) {
	for _, q := range []byte{'"', '\''} {
		key := []byte(" " + attr + "=" + string(q))
		for _, sp := range []byte{' ', '\t', '\n', '\r'} {
			key[0] = sp
			if i := bytes.Index(tag, key); i >= 0 {
				rest := tag[i+len(key):]
				if j := bytes.IndexByte(rest, q); j >= 0 {
					return string(rest[:j]), true
				}
			}
		}
	}
	return "", false
}

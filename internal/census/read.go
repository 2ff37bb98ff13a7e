package census

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
)

// MaxFileSize is the largest file the census imports: 50 MB holds far more
// places than any territory has, and keeps a mistaken upload (a photo
// archive, a whole national dump) from tying up the server.
const MaxFileSize = 50 << 20

// FileError is a file that cannot be read at all. Its message is French,
// for the person who sent the file; nothing is written.
type FileError struct{ Reason string }

func (e *FileError) Error() string { return e.Reason }

func fileErrorf(format string, args ...any) error {
	return &FileError{Reason: fmt.Sprintf(format, args...)}
}

// File is an imported file read as a table of text cells.
type File struct {
	Name      string
	Kind      string // "csv", "xlsx" or "json"
	Encoding  string // CSV only: "UTF-8", "UTF-8 (avec BOM)" or "Windows-1252"
	Separator string // CSV only: ";", ",", tabulation
	*Table
}

// Describe says in French how the file was read, for the preview.
func (f *File) Describe() string {
	switch f.Kind {
	case "csv":
		sep := f.Separator
		if sep == "\t" {
			sep = "tabulation"
		}
		return fmt.Sprintf("CSV, encodage %s, séparateur « %s »", f.Encoding, sep)
	case "xlsx":
		return fmt.Sprintf("classeur Excel, feuille « %s »", f.Sheet)
	}
	return "JSON"
}

// ReadFile reads an uploaded file whatever its kind: XLSX (by content),
// JSON (an array of objects, as the national map's files), otherwise CSV.
// A file that cannot be read gives a *FileError.
func ReadFile(name string, data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, fileErrorf("le fichier « %s » fait %s : la limite est de %s. Découpez-le en plusieurs fichiers (par commune par exemple).", name, megabytes(len(data)), megabytes(MaxFileSize))
	}
	if len(bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))) == 0 {
		return nil, fileErrorf("le fichier « %s » est vide.", name)
	}
	f := &File{Name: name}
	var err error
	lower := strings.ToLower(name)
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")):
		if bytes.Contains(data[:min(len(data), 200)], []byte("opendocument")) {
			return nil, fileErrorf("le fichier « %s » est au format OpenDocument (.ods) : enregistrez-le au format .xlsx ou CSV avant de l'importer.", name)
		}
		f.Kind = "xlsx"
		f.Table, err = ReadXLSX(bytes.NewReader(data), int64(len(data)))
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}) && strings.HasSuffix(lower, ".xlsx"):
		// A password-protected workbook is wrapped like an old .xls:
		// the XLSX reader tells the two apart.
		f.Kind = "xlsx"
		f.Table, err = ReadXLSX(bytes.NewReader(data), int64(len(data)))
	case bytes.HasPrefix(data, []byte{0xD0, 0xCF, 0x11, 0xE0}):
		return nil, fileErrorf("le fichier « %s » est au format Excel 97-2003 (.xls) : enregistrez-le au format .xlsx ou CSV avant de l'importer.", name)
	case strings.HasSuffix(lower, ".xlsx"):
		return nil, fileErrorf("le fichier « %s » porte l'extension .xlsx mais n'est pas un classeur Excel lisible (fichier abîmé ou tronqué ?).", name)
	case looksJSON(data):
		f.Kind = "json"
		f.Table, err = readJSON(data)
	default:
		f.Kind = "csv"
		f.Table, f.Encoding, f.Separator, err = readCSV(data)
	}
	if err != nil {
		var fe *FileError
		if errors.As(err, &fe) {
			return nil, fileErrorf("« %s » : %s", name, fe.Reason)
		}
		return nil, fileErrorf("« %s » : %s", name, err)
	}
	if len(f.Header) == 0 {
		return nil, fileErrorf("le fichier « %s » est vide.", name)
	}
	if f.Len() == 0 {
		return nil, fileErrorf("le fichier « %s » n'a que des en-têtes : aucune ligne de lieu à importer.", name)
	}
	return f, nil
}

func megabytes(n int) string {
	return strings.Replace(strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64), ".", ",", 1) + " Mo"
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func looksJSON(data []byte) bool {
	t := bytes.TrimSpace(bytes.TrimPrefix(data, utf8BOM))
	return len(t) > 0 && t[0] == '['
}

// decodeText turns the bytes of a text file into UTF-8: UTF-8 with or
// without a byte-order mark, otherwise Windows-1252 (the superset of
// Latin-1 that French Excel writes).
func decodeText(data []byte) (string, string) {
	if bytes.HasPrefix(data, utf8BOM) {
		return string(data[len(utf8BOM):]), "UTF-8 (avec BOM)"
	}
	if utf8.Valid(data) {
		return string(data), "UTF-8"
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil { // every byte has a meaning in Windows-1252; kept for safety
		return string(data), "UTF-8"
	}
	return string(out), "Windows-1252"
}

// detectSeparator picks the separator that splits the header line into
// the most columns, counting only outside double quotes. "|" is never a
// column separator: the standard uses it inside list cells.
func detectSeparator(text string) rune {
	line := text
	for {
		first, rest, found := strings.Cut(line, "\n")
		if strings.TrimSpace(first) != "" || !found {
			line = first
			break
		}
		line = rest
	}
	counts := map[rune]int{}
	quoted := false
	for _, r := range line {
		switch {
		case r == '"':
			quoted = !quoted
		case !quoted && (r == ';' || r == ',' || r == '\t'):
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

func readCSV(data []byte) (*Table, string, string, error) {
	text, enc := decodeText(data)
	sep := detectSeparator(text)
	r := csv.NewReader(strings.NewReader(text))
	r.Comma = sep
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	r.ReuseRecord = false
	t := &Table{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, "", "", fmt.Errorf("ligne %d illisible (%s)", pe.StartLine, csvReason(pe.Err))
			}
			return nil, "", "", err
		}
		if blank(rec) {
			continue
		}
		if t.Header == nil {
			t.Header = rec
			continue
		}
		t.AddRow(line, rec)
	}
	return t, enc, string(sep), nil
}

func csvReason(err error) string {
	switch {
	case errors.Is(err, csv.ErrQuote), errors.Is(err, csv.ErrBareQuote):
		return "guillemets mal fermés"
	}
	return err.Error()
}

func blank(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// readJSON reads an array of flat objects (the national map's files): the
// header is every key in order of first appearance; numbers and booleans
// become their text, null an empty cell.
func readJSON(data []byte) (*Table, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	dec.UseNumber()
	var items []map[string]any
	if err := dec.Decode(&items); err != nil {
		return nil, fmt.Errorf("JSON illisible (%v) : un tableau d'objets est attendu", err)
	}
	// Key order is lost by map decoding: read it again from the tokens.
	order, err := jsonKeyOrder(data)
	if err != nil {
		return nil, fmt.Errorf("JSON illisible (%v)", err)
	}
	t := &Table{Header: order}
	col := map[string]int{}
	for i, k := range order {
		col[k] = i
	}
	for n, it := range items {
		rec := make([]string, len(order))
		for k, v := range it {
			switch v := v.(type) {
			case nil:
			case string:
				rec[col[k]] = v
			case json.Number:
				rec[col[k]] = v.String()
			case bool:
				rec[col[k]] = map[bool]string{true: "oui", false: "non"}[v]
			default:
				return nil, fmt.Errorf("objet n° %d, « %s » : une valeur simple est attendue", n+1, k)
			}
		}
		if blank(rec) {
			continue
		}
		t.AddRow(n+1, rec)
	}
	return t, nil
}

// jsonKeyOrder lists the keys of the objects of a JSON array in order of
// first appearance.
func jsonKeyOrder(data []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(data, utf8BOM)))
	seen := map[string]bool{}
	var order []string
	depth := 0
	expectKey := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return order, nil
		}
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				depth++
			case '}', ']':
				depth--
			}
			expectKey = v == '{' && depth == 2
		default:
			if depth == 2 && expectKey {
				if k, ok := v.(string); ok && !seen[k] {
					seen[k] = true
					order = append(order, k)
				}
				expectKey = false
			} else if depth == 2 {
				expectKey = true
			}
		}
	}
}

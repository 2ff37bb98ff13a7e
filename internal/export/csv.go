package export

import (
	"bufio"
	"io"
	"strings"

	"portrea/internal/place"
)

// SafeCell neutralises spreadsheet formula injection ("CSV injection") in
// a cell of a file people open in Excel or LibreOffice: a cell that the
// spreadsheet would read as a formula gets a leading apostrophe, which
// spreadsheets show as plain text and do not evaluate.
//
// The rule: a cell starting with "=", "@", a tab or a carriage return is
// prefixed; so is a cell starting with "+" or "-" unless the rest is a
// plain number (digits with at most one decimal point), so that phone
// numbers ("+33299123456") and coordinates ("-1.87") stay as they are
// while "-2+3", "+cmd|' /C calc'!A0" or "=HYPERLINK(…)" come out as text.
// Every other cell is returned unchanged, so files of ordinary data are
// byte for byte what they were.
func SafeCell(s string) string {
	if needsPrefix(s) {
		return "'" + s
	}
	return s
}

func needsPrefix(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return !plainNumber(s[1:])
	}
	return false
}

// plainNumber reports whether s is digits with at most one decimal point
// between digits: "33299123456", "1.87".
func plainNumber(s string) bool {
	digits, dot := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && dot < 0 && i > 0:
			dot = i
		default:
			return false
		}
	}
	return digits > 0 && dot != len(s)-1
}

// CSVWriter writes the CSV of PORTREA's files, as the national export
// does: UTF-8, comma-separated, every cell double-quoted (quotes doubled),
// CRLF line ends, each cell passed through SafeCell. Use it for every CSV
// a person may open in a spreadsheet (standard export, selection, import
// error reports).
type CSVWriter struct {
	w   *bufio.Writer
	err error
}

// NewCSVWriter buffers its writes to w; call Flush at the end.
func NewCSVWriter(w io.Writer) *CSVWriter {
	return &CSVWriter{w: bufio.NewWriterSize(w, 64<<10)}
}

// Write writes one row. After a failed write, every call returns the
// first error.
func (c *CSVWriter) Write(cells []string) error {
	if c.err != nil {
		return c.err
	}
	w := c.w
	for i, cell := range cells {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteByte('"')
		if needsPrefix(cell) {
			w.WriteByte('\'')
		}
		for {
			j := strings.IndexByte(cell, '"')
			if j < 0 {
				break
			}
			w.WriteString(cell[:j+1])
			w.WriteByte('"')
			cell = cell[j+1:]
		}
		w.WriteString(cell)
		w.WriteByte('"')
	}
	_, c.err = w.WriteString("\r\n")
	return c.err
}

// Flush writes what is buffered and returns the first error met.
func (c *CSVWriter) Flush() error {
	if c.err != nil {
		return c.err
	}
	c.err = c.w.Flush()
	return c.err
}

// StandardCSV writes the national standard CSV: the header of the 32
// columns in schema order, then one row per place (public fields only,
// see place.StandardRecord). It returns the number of places written.
func StandardCSV(w io.Writer, places Places) (int, error) {
	cw := NewCSVWriter(w)
	n := 0
	if err := cw.Write(place.Columns); err != nil {
		return 0, err
	}
	err := places(func(p *place.Place) error {
		n++
		return cw.Write(p.StandardRecord())
	})
	if err != nil {
		return n, err
	}
	return n, cw.Flush()
}

package export

import (
	"bufio"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"portrea/internal/place"
)

// StandardJSON writes the national standard records as a JSON array of
// objects keyed by the standard's column names (place.StandardJSON:
// numbers for coordinates, strings otherwise, empty fields left out), one
// object a line. It returns the number of places written.
func StandardJSON(w io.Writer, places Places) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	bw.WriteString("[\n")
	n := 0
	err := places(func(p *place.Place) error {
		if n > 0 {
			bw.WriteByte(',')
		}
		n++
		return enc.Encode(p.StandardJSON())
	})
	if err != nil {
		return n, err
	}
	bw.WriteString("]\n")
	return n, bw.Flush()
}

// GeoJSON writes a FeatureCollection of the places that have a position
// (the others are skipped): a Point per place, its id as the feature's
// id, and as properties every column of the national standard except the
// coordinates, always present, as the standard's strings ("|" between
// list values). GIS tools then get the same attribute table for every
// feature. It returns the number of features written.
func GeoJSON(w io.Writer, places Places) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.WriteString(`{"type":"FeatureCollection","features":[` + "\n")
	n := 0
	var b []byte // one feature, reused
	err := places(func(p *place.Place) error {
		if !p.HasCoords {
			return nil
		}
		b = b[:0]
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, `{"type":"Feature","id":`...)
		b = appendString(b, p.ID)
		b = append(b, `,"geometry":{"type":"Point","coordinates":[`...)
		b = strconv.AppendFloat(b, p.Longitude, 'f', -1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, p.Latitude, 'f', -1, 64)
		b = append(b, `]},"properties":{`...)
		first := true
		for i, v := range p.StandardRecord() {
			col := place.Columns[i]
			if col == "latitude" || col == "longitude" {
				continue
			}
			if !first {
				b = append(b, ',')
			}
			first = false
			b = appendString(b, col)
			b = append(b, ':')
			b = appendString(b, v)
		}
		b = append(b, "}}\n"...)
		_, err := bw.Write(b)
		return err
	})
	if err != nil {
		return n, err
	}
	bw.WriteString("]}\n")
	return n, bw.Flush()
}

// appendString writes s as a JSON string, copying the runs that need no
// escaping in one go.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		start = i + 1
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

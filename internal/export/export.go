// Package export writes places out of PORTREA in the formats partners
// read: the national standard for digital-mediation places (CSV, JSON),
// GeoJSON for GIS tools, and data·inclusion's structures and services.
//
// Every writer streams: it reads places one at a time from a Places
// iterator and writes each before asking for the next, so a whole
// country's export holds one row in memory, not the file.
package export

import (
	"fmt"
	"strings"
	"time"

	"portrea/internal/place"
)

// Places is a stream of places: it calls yield for each place in order
// and stops at the first error, which it returns. A writer may call it
// more than once (data·inclusion reads the places twice), so it must
// start over at each call. store.EachPublicPlace and
// store.EachPlaceOfTerritory fit it through a closure.
type Places func(yield func(*place.Place) error) error

// Producer is the producer part of our file names (the standard asks for
// a SIRET or RNA; a PORTREA instance serves several hubs, so it names
// itself).
const Producer = "portrea"

// FileName follows the standard's recommended file name,
// YYYY-MM-DD_<producer>_lieux-de-mediation-numerique_<territory>.<ext>:
// the date of the day in France, the territory's name without accents,
// spaces or punctuation, each word capitalised ("BroceliandeCommunaute").
func FileName(producer, territoryName, ext string, day time.Time) string {
	var b strings.Builder
	for _, w := range place.SearchWords(territoryName) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return fmt.Sprintf("%s_%s_lieux-de-mediation-numerique_%s.%s", day.In(place.Paris).Format("2006-01-02"), producer, b.String(), ext)
}

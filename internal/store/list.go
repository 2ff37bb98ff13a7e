package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"portrea/internal/place"
)

// PlaceFilter selects public places for the map, the directory and the API.
type PlaceFilter struct {
	Q           string    // words to find at the start of words of the name, commune, address (accent-insensitive)
	Services    place.Set // places offering any of these services
	Commune     string    // INSEE code
	EPCI        string    // SIREN
	Departement string
	BBox        *BBox
	WithCoords  bool      // only places with a position
	OpenAt      time.Time // when not zero: only places open at that time
	Limit       int
	Offset      int
}

// BBox is a rectangle in WGS84 degrees.
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// PlacePage is one page of places and the total matching the filter.
type PlacePage struct {
	Total  int
	Places []*place.Place
}

// ListPublicPlaces returns the page of public places matching f, sorted by
// name, with public fields only.
func (s *Store) ListPublicPlaces(ctx context.Context, f PlaceFilter) (PlacePage, error) {
	total, entries, err := s.search(ctx, f)
	if err != nil || len(entries) == 0 {
		return PlacePage{Total: total}, err
	}
	ids := make([]string, len(entries))
	for i, e := range entries {
		ids[i] = e.id
	}
	b, _ := json.Marshal(ids)
	rows, err := s.r.QueryContext(ctx, `SELECT `+placePublicCols+` FROM places WHERE `+s.d.inList("id", 1), string(b))
	if err != nil {
		return PlacePage{}, fmt.Errorf("store: list places: %w", err)
	}
	defer rows.Close()
	byID := make(map[string]*place.Place, len(ids))
	for rows.Next() {
		p, err := scanPlace(rows, false)
		if err != nil {
			return PlacePage{}, fmt.Errorf("store: list places: %w", err)
		}
		byID[p.ID] = p
	}
	if err := rows.Err(); err != nil {
		return PlacePage{}, err
	}
	page := PlacePage{Total: total, Places: make([]*place.Place, 0, len(ids))}
	for _, id := range ids {
		// A place changed between the index and this read keeps its
		// order for this answer; one made private since is left out.
		if p, ok := byID[id]; ok && p.Public() {
			page.Places = append(page.Places, p)
		}
	}
	return page, nil
}

// Point is a public place as a map marker.
type Point struct {
	ID, Nom, Adresse, CodePostal, Commune, CodeInsee string
	Services                                         place.Set
	Latitude, Longitude                              float64
	DateMaj                                          time.Time
}

// PublicPoints returns the number of public places with a position that
// match f, and calls fn, in name order, for those of the asked page,
// straight from memory. fn must not keep the Point beyond the call.
func (s *Store) PublicPoints(ctx context.Context, f PlaceFilter, fn func(*Point)) (int, error) {
	f.WithCoords = true
	total, entries, err := s.search(ctx, f)
	if err != nil {
		return 0, err
	}
	var pt Point
	for _, e := range entries {
		pt = Point{ID: e.id, Nom: e.nom, Adresse: e.adresse, CodePostal: e.codePostal, Commune: e.commune,
			CodeInsee: e.codeInsee, Services: e.services, Latitude: e.lat, Longitude: e.lon, DateMaj: e.dateMaj}
		fn(&pt)
	}
	return total, nil
}

// EachPublicPlace calls fn for every public place, or those of one EPCI
// when epci is not empty, sorted by name, streaming rows instead of
// loading them all: the open-data exports use it.
func (s *Store) EachPublicPlace(ctx context.Context, epci string, fn func(*place.Place) error) error {
	q := `SELECT ` + placePublicCols + ` FROM places WHERE status = $1`
	args := []any{string(place.StatusActive)}
	if epci != "" {
		q += ` AND epci = $2`
		args = append(args, epci)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY sort_key, id`, args...)
	if err != nil {
		return fmt.Errorf("store: export places: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPlace(rows, false)
		if err != nil {
			return fmt.Errorf("store: export places: %w", err)
		}
		if err := fn(p); err != nil {
			return err
		}
	}
	return rows.Err()
}

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"portrea/internal/place"
)

// PlaceFilter selects public places for the map, the directory, the
// orientation of a person and the API. Within a list field, a place
// matches if it has any of the values; all the fields given must match.
type PlaceFilter struct {
	Q             string // words to find at the start of words of the name, commune, address (accent-insensitive)
	Services      place.Set
	Publics       place.Set
	PriseEnCharge place.Set
	Frais         place.Set
	Acces         place.Set // modalités d'accès
	Accomp        place.Set // modalités d'accompagnement
	Dispositifs   place.Set
	Rdv           bool     // online booking possible
	Communes      []string // INSEE codes
	EPCI          string   // SIREN
	Departement   string
	BBox          *BBox
	WithCoords    bool      // only places with a position
	OpenAt        time.Time // when not zero: only places open at that time
	Slots         []Slot    // only places open during one of these weekly slots
	Near          *LatLon   // a point to measure distances from
	MaxKm         float64   // with Near: only places within this distance
	ByDistance    bool      // with Near: nearest first instead of by name
	Limit         int
	Offset        int
}

// BBox is a rectangle in WGS84 degrees.
type BBox struct{ MinLon, MinLat, MaxLon, MaxLat float64 }

// LatLon is a point in WGS84 degrees.
type LatLon struct{ Lat, Lon float64 }

// Slot is a time range of a weekday: Day 0 is Monday, From and To are
// minutes since midnight.
type Slot struct{ Day, From, To int }

// PlacePage is one page of places and the total matching the filter.
// With a Near point, Distances gives each place's distance in km.
type PlacePage struct {
	Total     int
	Places    []*place.Place
	Distances []float64
}

// ListPublicPlaces returns the page of public places matching f, sorted by
// name, with public fields only.
func (s *Store) ListPublicPlaces(ctx context.Context, f PlaceFilter) (PlacePage, error) {
	total, hits, err := s.search(ctx, f)
	if err != nil || len(hits) == 0 {
		return PlacePage{Total: total}, err
	}
	ids := make([]string, len(hits))
	dist := map[string]float64{}
	for i, h := range hits {
		ids[i] = h.e.id
		dist[h.e.id] = h.dist
	}
	b, _ := json.Marshal(ids)
	rows, err := s.byIDsStmt.QueryContext(ctx, string(b))
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
			if f.Near != nil {
				page.Distances = append(page.Distances, dist[id])
			}
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
	total, hits, err := s.search(ctx, f)
	if err != nil {
		return 0, err
	}
	var pt Point
	for _, h := range hits {
		e := h.e
		pt = Point{ID: e.id, Nom: e.nom, Adresse: e.adresse, CodePostal: e.codePostal, Commune: e.commune,
			CodeInsee: e.codeInsee, Services: e.sets.services, Latitude: e.lat, Longitude: e.lon, DateMaj: e.dateMaj}
		fn(&pt)
	}
	return total, nil
}

// Cluster is a group of public places close together on the map at a
// zoom level: its count and mean position; a single place also carries
// its id and name.
type Cluster struct {
	Count    int
	Lat, Lon float64
	ID, Nom  string
	sumLat   float64
	sumLon   float64
}

// clusterCellPx is the size of a clustering cell on screen, in pixels.
const clusterCellPx = 60

// PublicClusters groups the public places matching f (a BBox is expected)
// into cells of about 60 × 60 screen pixels at a Web Mercator zoom level,
// so that a région or a country is a few hundred markers, not thousands
// of places. It returns the number of places and the clusters.
func (s *Store) PublicClusters(ctx context.Context, f PlaceFilter, zoom int) (int, []Cluster, error) {
	f.WithCoords = true
	scale := 256 * math.Exp2(float64(max(0, min(zoom, 22)))) / clusterCellPx
	// Cells of the view are numbered densely when the view is a screen's
	// worth of cells (the usual case), in a map otherwise.
	var x0, y0, w, h int
	var dense []int32 // cluster index + 1 by cell; 0 = none yet
	if b := f.BBox; b != nil {
		ax, ay := mercator(b.MaxLat, b.MinLon)
		bx, by := mercator(b.MinLat, b.MaxLon)
		x0, y0 = int(ax*scale), int(ay*scale)
		w, h = int(bx*scale)-x0+1, int(by*scale)-y0+1
		if w > 0 && h > 0 && w*h <= 1<<20 {
			dense = make([]int32, w*h)
		}
	}
	sparse := map[[2]int]int32{}
	var out []Cluster
	var first []*indexEntry // each cluster's first place
	total := 0
	err := s.scan(ctx, f, func(ht hit) {
		c := &s.idx.cols // read under scan's lock
		total++
		x, y := int(c.mx[ht.i]*scale), int(c.my[ht.i]*scale)
		var slot *int32
		if dense != nil && x >= x0 && x < x0+w && y >= y0 && y < y0+h {
			slot = &dense[(y-y0)*w+(x-x0)]
		} else {
			v := sparse[[2]int{x, y}]
			slot = &v
			defer func() { sparse[[2]int{x, y}] = v }()
		}
		if *slot == 0 {
			out = append(out, Cluster{})
			first = append(first, ht.e)
			*slot = int32(len(out))
		}
		cl := &out[*slot-1]
		cl.Count++
		cl.sumLat += c.lat[ht.i]
		cl.sumLon += c.lon[ht.i]
	})
	if err != nil {
		return 0, nil, err
	}
	for k := range out {
		cl := &out[k]
		cl.Lat, cl.Lon = cl.sumLat/float64(cl.Count), cl.sumLon/float64(cl.Count)
		if cl.Count == 1 {
			cl.ID, cl.Nom = first[k].id, first[k].nom
		}
	}
	return total, out, nil
}

// PublicBounds returns the rectangle around the public places matching f
// (ignoring its BBox), for a map to fit them; false when none has a position.
func (s *Store) PublicBounds(ctx context.Context, f PlaceFilter) (BBox, bool, error) {
	f.BBox, f.WithCoords = nil, true
	b := BBox{MinLon: 180, MinLat: 90, MaxLon: -180, MaxLat: -90}
	found := false
	err := s.scan(ctx, f, func(h hit) {
		found = true
		b.MinLat, b.MaxLat = min(b.MinLat, h.e.lat), max(b.MaxLat, h.e.lat)
		b.MinLon, b.MaxLon = min(b.MinLon, h.e.lon), max(b.MaxLon, h.e.lon)
	})
	return b, found, err
}

// mercator projects a point to Web Mercator coordinates in [0, 1).
func mercator(lat, lon float64) (float64, float64) {
	x := (lon + 180) / 360
	s := math.Sin(lat * math.Pi / 180)
	y := 0.5 - math.Log((1+s)/(1-s))/(4*math.Pi)
	return x, y
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

package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
)

// PlaceFilter selects public places for the map, the directory and the API.
type PlaceFilter struct {
	Q           string    // words to find in name, commune, address (accent-insensitive)
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

// condBuilder accumulates WHERE conditions and their $N arguments.
type condBuilder struct {
	conds []string
	args  []any
}

func (b *condBuilder) add(cond string, args ...any) {
	// Conditions use $? for their own arguments, numbered here.
	for _, a := range args {
		b.args = append(b.args, a)
		cond = strings.Replace(cond, "$?", fmt.Sprintf("$%d", len(b.args)), 1)
	}
	b.conds = append(b.conds, cond)
}

func (b *condBuilder) where() string {
	if len(b.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(b.conds, " AND ")
}

func (s *Store) publicConditions(f PlaceFilter) *condBuilder {
	b := &condBuilder{}
	b.add(`status = $?`, string(place.StatusActive))
	for _, w := range place.SearchWords(f.Q) {
		b.add(`search_text LIKE $?`, "%"+w+"%")
	}
	if f.Services != 0 {
		b.add(`(services & $?) <> 0`, int64(f.Services))
	}
	if f.Commune != "" {
		b.add(`code_insee = $?`, f.Commune)
	}
	if f.EPCI != "" {
		b.add(`epci = $?`, f.EPCI)
	}
	if f.Departement != "" {
		b.add(`departement = $?`, f.Departement)
	}
	if f.WithCoords && f.BBox == nil {
		b.add(`latitude IS NOT NULL AND longitude IS NOT NULL`)
	}
	if f.BBox != nil {
		b.add(`latitude BETWEEN $? AND $?`, f.BBox.MinLat, f.BBox.MaxLat)
		b.add(`longitude BETWEEN $? AND $?`, f.BBox.MinLon, f.BBox.MaxLon)
	}
	return b
}

// ListPublicPlaces returns the page of public places matching f, sorted by
// name, with public fields only.
func (s *Store) ListPublicPlaces(ctx context.Context, f PlaceFilter) (PlacePage, error) {
	b := s.publicConditions(f)
	if !f.OpenAt.IsZero() {
		if err := s.addOpenAt(ctx, b, f.OpenAt); err != nil {
			return PlacePage{}, err
		}
	}
	var page PlacePage
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM places`+b.where(), b.args...).Scan(&page.Total); err != nil {
		return page, fmt.Errorf("store: count places: %w", err)
	}
	if page.Total == 0 || f.Limit <= 0 {
		return page, nil
	}
	n := len(b.args)
	q := `SELECT ` + placePublicCols + ` FROM places` + b.where() +
		fmt.Sprintf(` ORDER BY sort_key, id LIMIT $%d OFFSET $%d`, n+1, n+2)
	rows, err := s.r.QueryContext(ctx, q, append(b.args, f.Limit, f.Offset)...)
	if err != nil {
		return page, fmt.Errorf("store: list places: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		p, err := scanPlace(rows, false)
		if err != nil {
			return page, fmt.Errorf("store: list places: %w", err)
		}
		page.Places = append(page.Places, p)
	}
	return page, rows.Err()
}

// addOpenAt keeps the places open at t. The weekly quarter-hour mask
// answers in SQL for most places; places whose hours depend on the
// calendar (months, dates, n-th weekday) are checked one by one with the
// opening-hours parser, and only those found open are kept.
func (s *Store) addOpenAt(ctx context.Context, b *condBuilder, t time.Time) error {
	t = t.In(place.Paris)
	slot := weekSlot(t)
	mask := `hours_week`
	if openinghours.IsPublicHoliday(t) {
		mask = `(CASE WHEN hours_holiday <> '' THEN hours_holiday ELSE hours_week END)`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT id, horaires FROM places`+b.where()+` AND hours_dated = TRUE`, b.args...)
	if err != nil {
		return fmt.Errorf("store: open places: %w", err)
	}
	open := []string{}
	for rows.Next() {
		var id, h string
		if err := rows.Scan(&id, &h); err != nil {
			rows.Close()
			return err
		}
		if oh, err := openinghours.Parse(h); err == nil && oh.OpenAt(t) {
			open = append(open, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	ids, _ := json.Marshal(open)
	// substr is 1-based; the letters are constants, not user input.
	b.add(`((hours_dated = FALSE AND substr(`+mask+`, $?, 1) IN (`+maskLetters(slot)+`)) OR `+s.d.inList("id", len(b.args)+2)+`)`, slot/4+1, string(ids))
	return nil
}

// EachPublicPlace calls fn for every public place matching f (paging
// ignored), sorted by name, streaming rows instead of loading them all.
func (s *Store) EachPublicPlace(ctx context.Context, f PlaceFilter, fn func(*place.Place) error) error {
	b := s.publicConditions(f)
	if !f.OpenAt.IsZero() {
		if err := s.addOpenAt(ctx, b, f.OpenAt); err != nil {
			return err
		}
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+placePublicCols+` FROM places`+b.where()+` ORDER BY sort_key, id`, b.args...)
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

package store

import (
	"context"
	"database/sql"
	"fmt"

	"portrea/internal/place"
)

// EachPlaceOfTerritory calls fn for every place of a territory (epci ""
// means every place), whatever its status, with its private fields and its
// complementary values (p.Extra), sorted by name then id. It streams: one
// query joins each place to its complementary values, whose rows follow
// each other for a place, so memory does not grow with the territory and
// the values come from the same snapshot as the places. The full census
// workbook of a territory uses it.
func (s *Store) EachPlaceOfTerritory(ctx context.Context, epci string, fn func(*place.Place) error) error {
	// The values come as (xp, xk, xv) from a subquery so that the place
	// columns, which share names with extra_fields (id, epci…), need no
	// table prefix.
	q := `SELECT ` + placeAllCols + `, x.xk, x.xv FROM places
		LEFT JOIN (SELECT v.place_id AS xp, f.key AS xk, v.value AS xv
			FROM place_extra_values v JOIN extra_fields f ON f.id = v.field_id) x ON x.xp = places.id`
	var args []any
	if epci != "" {
		q += ` WHERE epci = $1`
		args = append(args, epci)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY sort_key, id, x.xk`, args...)
	if err != nil {
		return fmt.Errorf("store: export places of %q: %w", epci, err)
	}
	defer rows.Close()
	var cur *place.Place
	var key, value sql.NullString
	sc := extraScanner{rows, &key, &value}
	for rows.Next() {
		p, err := scanPlace(sc, true)
		if err != nil {
			return fmt.Errorf("store: export places of %q: %w", epci, err)
		}
		if cur != nil && p.ID != cur.ID {
			if err := fn(cur); err != nil {
				return err
			}
			cur = nil
		}
		if cur == nil {
			cur = p
		}
		if key.Valid {
			if cur.Extra == nil {
				cur.Extra = map[string]string{}
			}
			cur.Extra[key.String] = value.String
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: export places of %q: %w", epci, err)
	}
	if cur != nil {
		return fn(cur)
	}
	return nil
}

// extraScanner scans a place row followed by a complementary value's key
// and value.
type extraScanner struct {
	rows       *sql.Rows
	key, value *sql.NullString
}

func (e extraScanner) Scan(dest ...any) error {
	return e.rows.Scan(append(dest, e.key, e.value)...)
}

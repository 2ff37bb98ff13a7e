package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"portrea/internal/place"
)

// ErrExtraFieldExists is returned when a territory already has a
// complementary field with that key.
var ErrExtraFieldExists = errors.New("store: complementary field key already used in this territory")

// CreateExtraField defines a complementary field for a territory.
func (s *Store) CreateExtraField(ctx context.Context, f *place.ExtraField) error {
	if err := f.Check(); err != nil {
		return err
	}
	if f.ID == "" {
		f.ID = place.NewID()
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM extra_fields WHERE epci = $1 AND key = $2`, f.EPCI, f.Key).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrExtraFieldExists
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO extra_fields (id, epci, key, label, kind, options, help, position, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			f.ID, f.EPCI, f.Key, f.Label, string(f.Kind), strings.Join(f.Options, "\n"), f.Help, f.Position, s.now().UTC())
		if err != nil {
			return fmt.Errorf("store: create extra field %s: %w", f.Key, err)
		}
		return nil
	})
}

// ExtraFields lists a territory's complementary fields in display order.
func (s *Store) ExtraFields(ctx context.Context, epci string) ([]place.ExtraField, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, epci, key, label, kind, options, help, position
		FROM extra_fields WHERE epci = $1 ORDER BY position, label`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: extra fields of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []place.ExtraField
	for rows.Next() {
		var f place.ExtraField
		var kind, opts string
		if err := rows.Scan(&f.ID, &f.EPCI, &f.Key, &f.Label, &kind, &opts, &f.Help, &f.Position); err != nil {
			return nil, err
		}
		f.Kind = place.ExtraKind(kind)
		if opts != "" {
			f.Options = strings.Split(opts, "\n")
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func loadExtraValues(ctx context.Context, q querier, placeID string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT f.key, v.value FROM place_extra_values v
		JOIN extra_fields f ON f.id = v.field_id WHERE v.place_id = $1`, placeID)
	if err != nil {
		return nil, fmt.Errorf("store: extra values of %s: %w", placeID, err)
	}
	defer rows.Close()
	var out map[string]string
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		if out == nil {
			out = map[string]string{}
		}
		out[k] = v
	}
	return out, rows.Err()
}

// checkExtraValues validates and normalises p.Extra against the
// complementary fields of the place's territory, and returns the field id
// of each key. Empty values are dropped.
func checkExtraValues(ctx context.Context, tx *sql.Tx, p *place.Place) (map[string]string, error) {
	if len(p.Extra) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT id, key, label, kind, options FROM extra_fields WHERE epci = $1`, p.EPCI)
	if err != nil {
		return nil, err
	}
	fields := map[string]place.ExtraField{}
	for rows.Next() {
		var f place.ExtraField
		var kind, opts string
		if err := rows.Scan(&f.ID, &f.Key, &f.Label, &kind, &opts); err != nil {
			rows.Close()
			return nil, err
		}
		f.Kind = place.ExtraKind(kind)
		if opts != "" {
			f.Options = strings.Split(opts, "\n")
		}
		fields[f.Key] = f
	}
	rows.Close()
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	ids := map[string]string{}
	var bad place.Errors
	for _, k := range keys {
		f, ok := fields[k]
		if !ok {
			bad = append(bad, place.FieldError{Field: "extra." + k, Message: "champ complémentaire inconnu pour ce territoire"})
			continue
		}
		v, err := f.CheckValue(p.Extra[k])
		if err != nil {
			bad = append(bad, place.FieldError{Field: "extra." + k, Message: err.Error()})
			continue
		}
		if v == "" {
			delete(p.Extra, k)
			continue
		}
		p.Extra[k] = v
		ids[k] = f.ID
	}
	if len(bad) > 0 {
		return nil, bad
	}
	return ids, nil
}

// writeExtraValues replaces the stored complementary values of a place
// with p.Extra, already checked by checkExtraValues.
func writeExtraValues(ctx context.Context, tx *sql.Tx, p *place.Place, fieldIDs map[string]string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM place_extra_values WHERE place_id = $1`, p.ID); err != nil {
		return fmt.Errorf("store: clear extra values of %s: %w", p.ID, err)
	}
	for k, v := range p.Extra {
		if _, err := tx.ExecContext(ctx, `INSERT INTO place_extra_values (place_id, field_id, value) VALUES ($1, $2, $3)`, p.ID, fieldIDs[k], v); err != nil {
			return fmt.Errorf("store: extra value %s of %s: %w", k, p.ID, err)
		}
	}
	return nil
}

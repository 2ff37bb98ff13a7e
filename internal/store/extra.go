package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

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

// ExtraFields lists a territory's complementary fields in display order:
// the ones still asked, without the retired ones.
func (s *Store) ExtraFields(ctx context.Context, epci string) ([]place.ExtraField, error) {
	all, err := s.AllExtraFields(ctx, epci)
	if err != nil {
		return nil, err
	}
	var out []place.ExtraField
	for _, f := range all {
		if !f.Retired() {
			out = append(out, f.ExtraField)
		}
	}
	return out, nil
}

// ManagedExtraField is a complementary field as its territory manages it:
// retired fields are no longer asked but their values are kept.
type ManagedExtraField struct {
	place.ExtraField
	RetiredAt time.Time // zero while the field is asked
}

// Retired tells whether the field is no longer asked.
func (f ManagedExtraField) Retired() bool { return !f.RetiredAt.IsZero() }

// AllExtraFields lists every complementary field of a territory, retired
// ones included, in display order.
func (s *Store) AllExtraFields(ctx context.Context, epci string) ([]ManagedExtraField, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, epci, key, label, kind, options, help, position, retired_at
		FROM extra_fields WHERE epci = $1 ORDER BY position, label`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: extra fields of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []ManagedExtraField
	for rows.Next() {
		var f ManagedExtraField
		var kind, opts string
		var retired sql.NullTime
		if err := rows.Scan(&f.ID, &f.EPCI, &f.Key, &f.Label, &kind, &opts, &f.Help, &f.Position, &retired); err != nil {
			return nil, err
		}
		f.Kind = place.ExtraKind(kind)
		if opts != "" {
			f.Options = strings.Split(opts, "\n")
		}
		if retired.Valid {
			f.RetiredAt = retired.Time
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// UpdateExtraField saves the label, help and choices of a territory's
// field; its key and kind never change, so stored values stay meaningful.
func (s *Store) UpdateExtraField(ctx context.Context, f *place.ExtraField) error {
	if err := f.Check(); err != nil {
		return err
	}
	res, err := s.w.ExecContext(ctx, `UPDATE extra_fields SET label = $1, help = $2, options = $3 WHERE id = $4 AND epci = $5`,
		f.Label, f.Help, strings.Join(f.Options, "\n"), f.ID, f.EPCI)
	if err != nil {
		return fmt.Errorf("store: update extra field %s: %w", f.ID, err)
	}
	return oneRow(res, "extra field "+f.ID)
}

// MoveExtraField moves a territory's field one step up (delta -1) or down
// (+1) in the display order, numbering the positions afresh.
func (s *Store) MoveExtraField(ctx context.Context, epci, id string, delta int) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT id FROM extra_fields WHERE epci = $1 ORDER BY position, label`, epci)
		if err != nil {
			return fmt.Errorf("store: move extra field %s: %w", id, err)
		}
		var order []string
		for rows.Next() {
			var fid string
			if err := rows.Scan(&fid); err != nil {
				rows.Close()
				return err
			}
			order = append(order, fid)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		i := slices.Index(order, id)
		if i < 0 {
			return fmt.Errorf("%w: extra field %s", ErrNotFound, id)
		}
		if j := i + delta; j >= 0 && j < len(order) {
			order[i], order[j] = order[j], order[i]
		}
		for n, fid := range order {
			if _, err := tx.ExecContext(ctx, `UPDATE extra_fields SET position = $1 WHERE id = $2`, n+1, fid); err != nil {
				return fmt.Errorf("store: move extra field %s: %w", id, err)
			}
		}
		return nil
	})
}

// RetireExtraField stops asking a territory's field (retire) or asks it
// again (restore). Its stored values are kept either way.
func (s *Store) RetireExtraField(ctx context.Context, epci, id string, retire bool) error {
	var at any
	if retire {
		at = s.now().UTC()
	}
	res, err := s.w.ExecContext(ctx, `UPDATE extra_fields SET retired_at = $1 WHERE id = $2 AND epci = $3`, at, id, epci)
	if err != nil {
		return fmt.Errorf("store: retire extra field %s: %w", id, err)
	}
	return oneRow(res, "extra field "+id)
}

// ExtraFieldValues counts the places holding a value of each of a
// territory's fields, by field id.
func (s *Store) ExtraFieldValues(ctx context.Context, epci string) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT f.id, count(*) FROM place_extra_values v JOIN extra_fields f ON f.id = v.field_id
		WHERE f.epci = $1 GROUP BY f.id`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: extra values count of %s: %w", epci, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, err
		}
		out[id] = n
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
// of each key to write. Empty values are dropped. Values of retired fields
// are history that no form asks any more: whatever p.Extra says, they stay
// as stored, so p.Extra is given the stored ones (and a write never
// records their disappearance as a change).
func checkExtraValues(ctx context.Context, tx *sql.Tx, p *place.Place) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, key, label, kind, options, retired_at FROM extra_fields WHERE epci = $1`, p.EPCI)
	if err != nil {
		return nil, err
	}
	fields := map[string]place.ExtraField{}
	retired := map[string]bool{}
	for rows.Next() {
		var f place.ExtraField
		var kind, opts string
		var retiredAt sql.NullTime
		if err := rows.Scan(&f.ID, &f.Key, &f.Label, &kind, &opts, &retiredAt); err != nil {
			rows.Close()
			return nil, err
		}
		f.Kind = place.ExtraKind(kind)
		if opts != "" {
			f.Options = strings.Split(opts, "\n")
		}
		fields[f.Key] = f
		retired[f.Key] = retiredAt.Valid
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k := range p.Extra {
		if retired[k] {
			delete(p.Extra, k)
		}
	}
	if len(retired) > 0 && p.ID != "" {
		kept, err := retiredExtraValues(ctx, tx, p)
		if err != nil {
			return nil, err
		}
		for k, v := range kept {
			if p.Extra == nil {
				p.Extra = map[string]string{}
			}
			p.Extra[k] = v
		}
	}
	if len(p.Extra) == 0 {
		return nil, nil
	}
	keys := make([]string, 0, len(p.Extra))
	for k := range p.Extra {
		if !retired[k] {
			keys = append(keys, k)
		}
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

// retiredExtraValues are the stored values of the retired fields of a
// place's territory.
func retiredExtraValues(ctx context.Context, tx *sql.Tx, p *place.Place) (map[string]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT f.key, v.value FROM place_extra_values v
		JOIN extra_fields f ON f.id = v.field_id
		WHERE v.place_id = $1 AND f.epci = $2 AND f.retired_at IS NOT NULL`, p.ID, p.EPCI)
	if err != nil {
		return nil, fmt.Errorf("store: retired extra values of %s: %w", p.ID, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}

// writeExtraValues replaces the stored complementary values of a place
// with p.Extra, already checked by checkExtraValues.
func writeExtraValues(ctx context.Context, tx *sql.Tx, p *place.Place, fieldIDs map[string]string) error {
	// The values of the territory's retired fields stay as they are.
	if _, err := tx.ExecContext(ctx, `DELETE FROM place_extra_values WHERE place_id = $1
		AND field_id NOT IN (SELECT id FROM extra_fields WHERE epci = $2 AND retired_at IS NOT NULL)`, p.ID, p.EPCI); err != nil {
		return fmt.Errorf("store: clear extra values of %s: %w", p.ID, err)
	}
	for k, id := range fieldIDs {
		if _, err := tx.ExecContext(ctx, `INSERT INTO place_extra_values (place_id, field_id, value) VALUES ($1, $2, $3)`, p.ID, id, p.Extra[k]); err != nil {
			return fmt.Errorf("store: extra value %s of %s: %w", k, p.ID, err)
		}
	}
	return nil
}

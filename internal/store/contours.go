package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// SaveContours stores commune outlines (GeoJSON geometries by INSEE
// code) fetched at fetchedAt, replacing those already stored, all or
// nothing.
func (s *Store) SaveContours(ctx context.Context, contours map[string]string, fetchedAt time.Time) error {
	if len(contours) == 0 {
		return nil
	}
	codes := make([]string, 0, len(contours))
	for code := range contours {
		codes = append(codes, code)
	}
	slices.Sort(codes) // the same lock order for concurrent savers
	fetchedAt = fetchedAt.UTC()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, `INSERT INTO commune_contours (code, geometry, fetched_at) VALUES ($1, $2, $3)
			ON CONFLICT (code) DO UPDATE SET geometry = excluded.geometry, fetched_at = excluded.fetched_at`)
		if err != nil {
			return fmt.Errorf("store: save contours: %w", err)
		}
		defer st.Close()
		for _, code := range codes {
			if _, err := st.ExecContext(ctx, code, contours[code], fetchedAt); err != nil {
				return fmt.Errorf("store: save contour %s: %w", code, err)
			}
		}
		return nil
	})
}

// Contours returns the stored outlines of the communes asked for, by
// INSEE code (communes without one are absent), and when the oldest of
// them was fetched (zero when none is stored).
func (s *Store) Contours(ctx context.Context, codes []string) (map[string]string, time.Time, error) {
	out := map[string]string{}
	var oldest time.Time
	if len(codes) == 0 {
		return out, oldest, nil
	}
	list, err := json.Marshal(codes)
	if err != nil {
		return nil, oldest, fmt.Errorf("store: contours: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT code, geometry, fetched_at FROM commune_contours WHERE `+s.d.inList("code", 1), string(list))
	if err != nil {
		return nil, oldest, fmt.Errorf("store: contours: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code, geometry string
		var at time.Time
		if err := rows.Scan(&code, &geometry, &at); err != nil {
			return nil, oldest, fmt.Errorf("store: contours: %w", err)
		}
		out[code] = geometry
		if at = at.UTC(); oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
	}
	if err := rows.Err(); err != nil {
		return nil, oldest, fmt.Errorf("store: contours: %w", err)
	}
	return out, oldest, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"portrea/internal/place"
)

// bulkBatch is the number of rows per multi-row INSERT: few round trips,
// and far below both engines' limit on bound parameters.
const bulkBatch = 200

// InsertPlaces adds many new places in one transaction: all or none. A
// place whose id already exists is skipped (so re-running a seeded
// generation adds nothing twice); the count of places added is returned.
// Each added place gets its creation entry in the history.
func (s *Store) InsertPlaces(ctx context.Context, ps []*place.Place, w Write) (int, error) {
	added := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		seq, err := bumpPlaces(ctx, tx)
		if err != nil {
			return err
		}
		summary := w.Summary
		if summary == "" {
			summary = "création"
		}
		byID := map[string]*place.Place{}
		for start := 0; start < len(ps); start += bulkBatch {
			batch := ps[start:min(start+bulkBatch, len(ps))]
			clear(byID)
			var args []any
			for _, p := range batch {
				if len(p.Extra) > 0 {
					return fmt.Errorf("store: bulk insert of %s: complementary values are not supported here", p.ID)
				}
				if p.ID == "" {
					p.ID = place.NewID()
				}
				if p.DateMaj.IsZero() {
					p.DateMaj = place.Date(now)
				}
				if p.Status == "" {
					p.Status = place.StatusActive
				}
				p.CreatedAt, p.UpdatedAt = now, now
				byID[p.ID] = p
				args = append(args, p.ID, now)
				args = append(args, placeArgs(p, seq)...)
			}
			inserted, err := insertRows(ctx, tx, "places", append([]string{"id", "created_at"}, placeWriteCols...), args,
				` ON CONFLICT (id) DO NOTHING RETURNING id`)
			if err != nil {
				return fmt.Errorf("store: bulk insert of places: %w", err)
			}
			var hist []any
			for _, id := range inserted {
				changes, err := json.Marshal(place.Diff(nil, byID[id]))
				if err != nil {
					return err
				}
				hist = append(hist, id, now, string(w.Actor.Kind), w.Actor.Name, summary, string(changes))
			}
			if len(hist) > 0 {
				if _, err := insertRows(ctx, tx, "place_history",
					[]string{"place_id", "at", "actor_kind", "actor_name", "summary", "changes"}, hist, ""); err != nil {
					return fmt.Errorf("store: bulk history: %w", err)
				}
			}
			added += len(inserted)
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// insertRows runs one multi-row INSERT of len(args)/len(cols) rows. With
// a RETURNING clause in suffix, it returns the first returned column.
func insertRows(ctx context.Context, tx *sql.Tx, table string, cols []string, args []any, suffix string) ([]string, error) {
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	for i := 0; i < len(args)/len(cols); i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + placeholders(i*len(cols)+1, len(cols)) + ")")
	}
	b.WriteString(suffix)
	if !strings.Contains(suffix, "RETURNING") {
		_, err := tx.ExecContext(ctx, b.String(), args...)
		return nil, err
	}
	rows, err := tx.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// CountPlaces counts the places of every status.
func (s *Store) CountPlaces(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM places`).Scan(&n)
	return n, err
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"portrea/internal/place"
)

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
		cols := append([]string{"id", "created_at"}, placeWriteCols...)
		ins, err := tx.PrepareContext(ctx, `INSERT INTO places (`+strings.Join(cols, ", ")+`) VALUES (`+
			placeholders(1, len(cols))+`) ON CONFLICT (id) DO NOTHING`)
		if err != nil {
			return fmt.Errorf("store: prepare bulk insert: %w", err)
		}
		defer ins.Close()
		hist, err := tx.PrepareContext(ctx, `INSERT INTO place_history (place_id, at, actor_kind, actor_name, summary, changes)
			VALUES ($1, $2, $3, $4, $5, $6)`)
		if err != nil {
			return fmt.Errorf("store: prepare bulk history: %w", err)
		}
		defer hist.Close()
		summary := w.Summary
		if summary == "" {
			summary = "création"
		}
		for _, p := range ps {
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
			res, err := ins.ExecContext(ctx, append([]any{p.ID, now}, placeArgs(p, seq)...)...)
			if err != nil {
				return fmt.Errorf("store: insert place %s (%s): %w", p.ID, p.Nom, err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue
			}
			changes, err := json.Marshal(place.Diff(nil, p))
			if err != nil {
				return err
			}
			if _, err := hist.ExecContext(ctx, p.ID, now, string(w.Actor.Kind), w.Actor.Name, summary, string(changes)); err != nil {
				return fmt.Errorf("store: history of %s: %w", p.ID, err)
			}
			added++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

// CountPlaces counts the places of every status.
func (s *Store) CountPlaces(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM places`).Scan(&n)
	return n, err
}

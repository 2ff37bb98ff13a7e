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
		var err error
		added, err = s.insertPlacesTx(ctx, tx, ps, w)
		return err
	})
	if err != nil {
		return 0, err
	}
	return added, nil
}

func (s *Store) insertPlacesTx(ctx context.Context, tx *sql.Tx, ps []*place.Place, w Write) (int, error) {
	added := 0
	err := func() error {
		now := s.now().UTC()
		seq, err := bumpPlaces(ctx, tx)
		if err != nil {
			return err
		}
		summary := w.Summary
		if summary == "" {
			summary = "création"
		}
		ins := newBatchInserter(tx, "places", append([]string{"id", "created_at"}, placeWriteCols...), ` ON CONFLICT (id) DO NOTHING RETURNING id`)
		defer ins.close()
		hist := newBatchInserter(tx, "place_history", []string{"place_id", "at", "actor_kind", "actor_name", "summary", "changes"}, "")
		defer hist.close()
		byID := map[string]*place.Place{}
		for start := 0; start < len(ps); start += s.d.bulkRows {
			batch := ps[start:min(start+s.d.bulkRows, len(ps))]
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
			inserted, err := ins.insert(ctx, args)
			if err != nil {
				return fmt.Errorf("store: bulk insert of places: %w", err)
			}
			var rows []any
			for _, id := range inserted {
				changes, err := json.Marshal(place.Diff(nil, byID[id]))
				if err != nil {
					return err
				}
				rows = append(rows, id, now, string(w.Actor.Kind), w.Actor.Name, summary, string(changes))
			}
			if len(rows) > 0 {
				if _, err := hist.insert(ctx, rows); err != nil {
					return fmt.Errorf("store: bulk history: %w", err)
				}
			}
			added += len(inserted)
		}
		return nil
	}()
	return added, err
}

// batchInserter runs multi-row INSERTs into one table, preparing one
// statement per number of rows and reusing it.
type batchInserter struct {
	tx     *sql.Tx
	table  string
	cols   []string
	suffix string // e.g. " ON CONFLICT … RETURNING id"
	stmts  map[int]*sql.Stmt
}

func newBatchInserter(tx *sql.Tx, table string, cols []string, suffix string) *batchInserter {
	return &batchInserter{tx: tx, table: table, cols: cols, suffix: suffix, stmts: map[int]*sql.Stmt{}}
}

func (b *batchInserter) close() {
	for _, st := range b.stmts {
		st.Close()
	}
}

// insert writes len(args)/len(cols) rows. With a RETURNING suffix, it
// returns the first returned column of each row written.
func (b *batchInserter) insert(ctx context.Context, args []any) ([]string, error) {
	n := len(args) / len(b.cols)
	st, ok := b.stmts[n]
	if !ok {
		var q strings.Builder
		q.WriteString("INSERT INTO " + b.table + " (" + strings.Join(b.cols, ", ") + ") VALUES ")
		for i := 0; i < n; i++ {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(" + placeholders(i*len(b.cols)+1, len(b.cols)) + ")")
		}
		var err error
		if st, err = b.tx.PrepareContext(ctx, q.String()+b.suffix); err != nil {
			return nil, err
		}
		b.stmts[n] = st
	}
	if !strings.Contains(b.suffix, "RETURNING") {
		_, err := st.ExecContext(ctx, args...)
		return nil, err
	}
	rows, err := st.QueryContext(ctx, args...)
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

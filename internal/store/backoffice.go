package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/territory"
)

// TerritoryPlaces returns every place of a territory, whatever its status,
// with its private fields (not its complementary values), for the back
// office list.
func (s *Store) TerritoryPlaces(ctx context.Context, epci string) ([]*place.Place, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+placeAllCols+` FROM places WHERE epci = $1 ORDER BY sort_key, id`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: places of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []*place.Place
	for rows.Next() {
		p, err := scanPlace(rows, true)
		if err != nil {
			return nil, fmt.Errorf("store: places of %s: %w", epci, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// HistoryEntry returns one history entry of a place.
func (s *Store) HistoryEntry(ctx context.Context, placeID string, id int64) (*place.HistoryEntry, error) {
	return historyEntry(ctx, s.r, placeID, id)
}

func historyEntry(ctx context.Context, q querier, placeID string, id int64) (*place.HistoryEntry, error) {
	hs, err := placeHistory(ctx, q, placeID)
	if err != nil {
		return nil, err
	}
	for i := range hs {
		if hs[i].ID == id {
			return &hs[i], nil
		}
	}
	return nil, ErrNotFound
}

// ErrConflict is returned when a revert would overwrite a later change.
var ErrConflict = errors.New("store: field changed since")

// RevertChange undoes one history entry of a place in one transaction and
// records the revert in the history. Fields changed again since are left
// alone and returned; when every field of the entry changed since, nothing
// is written and ErrConflict is returned.
func (s *Store) RevertChange(ctx context.Context, placeID string, historyID int64, w Write) (conflicts []string, err error) {
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		h, err := historyEntry(ctx, tx, placeID, historyID)
		if err != nil {
			return err
		}
		cur, err := getPlace(ctx, tx, placeID, true)
		if err != nil {
			return err
		}
		p, cs, errs := place.Revert(cur, h.Changes)
		conflicts = cs
		if len(errs) > 0 {
			return fmt.Errorf("store: revert %d of %s: %w", historyID, placeID, errs)
		}
		if p.CodeInsee != cur.CodeInsee {
			// Revert keeps the current territory; a place moved back to its
			// former commune belongs to that commune's EPCI again.
			p.Derive(territory.Default())
		}
		if len(place.Diff(cur, p)) == 0 {
			return ErrConflict
		}
		if w.Summary == "" {
			w.Summary = fmt.Sprintf("annulation de la modification du %s", h.At.In(place.Paris).Format("02/01/2006 à 15:04"))
		}
		return s.updatePlaceTx(ctx, tx, p, w)
	})
	return conflicts, err
}

// MergePlaces saves the merged record over keep and marks other as its
// duplicate, in one transaction, with a history entry on both.
func (s *Store) MergePlaces(ctx context.Context, merged *place.Place, otherID string, w Write) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		other, err := getPlace(ctx, tx, otherID, true)
		if err != nil {
			return err
		}
		if err := s.updatePlaceTx(ctx, tx, merged, Write{Actor: w.Actor, Summary: "fusion avec « " + other.Nom + " »"}); err != nil {
			return err
		}
		other.Status, other.DuplicateOf = place.StatusDuplicate, merged.ID
		return s.updatePlaceTx(ctx, tx, other, Write{Actor: w.Actor, Summary: "doublon de « " + merged.Nom + " »"})
	})
}

// MarkNotDuplicate records that two places are distinct, so they are no
// longer proposed as duplicates.
func (s *Store) MarkNotDuplicate(ctx context.Context, a, b string) error {
	if b < a {
		a, b = b, a
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO not_duplicates (a, b, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, a, b, s.now().UTC())
	if err != nil {
		return fmt.Errorf("store: not duplicates %s %s: %w", a, b, err)
	}
	return nil
}

// NotDuplicates returns the pairs marked distinct in a territory, as
// "a|b" keys with a < b.
func (s *Store) NotDuplicates(ctx context.Context, epci string) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT n.a, n.b FROM not_duplicates n JOIN places p ON p.id = n.a WHERE p.epci = $1`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: not duplicates of %s: %w", epci, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var a, b string
		if err := rows.Scan(&a, &b); err != nil {
			return nil, err
		}
		out[a+"|"+b] = true
	}
	return out, rows.Err()
}

// Report returns one report.
func (s *Store) Report(ctx context.Context, id string) (*report.Report, error) {
	var r report.Report
	var cats string
	err := s.r.QueryRowContext(ctx, `SELECT id, place_id, epci, categories, message, email, status, created_at FROM reports WHERE id = $1`, id).
		Scan(&r.ID, &r.PlaceID, &r.EPCI, &cats, &r.Message, &r.Email, &r.Status, &r.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: report %s: %w", id, err)
	}
	r.Categories = splitStored(cats)
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// SetReportStatus closes or reopens a report.
func (s *Store) SetReportStatus(ctx context.Context, id, status string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE reports SET status = $1 WHERE id = $2`, status, id)
	if err != nil {
		return fmt.Errorf("store: report %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

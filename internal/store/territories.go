package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"portrea/internal/territory"
)

// SaveDeployment creates or updates a territory of the pipeline. The
// phase start date moves only when the phase changes.
func (s *Store) SaveDeployment(ctx context.Context, d *territory.Deployment) error {
	if !d.Phase.Valid() {
		return fmt.Errorf("store: unknown phase %q", d.Phase)
	}
	now := s.now().UTC()
	return s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getDeployment(ctx, tx, d.EPCI)
		switch {
		case errors.Is(err, ErrNotFound):
			d.CreatedAt = now
			if d.PhaseSince.IsZero() {
				d.PhaseSince = now
			}
			d.UpdatedAt = now
			_, err = tx.ExecContext(ctx, `INSERT INTO territories (epci, phase, strategy, phase_since, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, d.EPCI, string(d.Phase), string(d.Strategy), d.PhaseSince, d.CreatedAt, d.UpdatedAt)
		case err != nil:
			return err
		default:
			d.CreatedAt = old.CreatedAt
			if old.Phase != d.Phase {
				d.PhaseSince = now
			} else {
				d.PhaseSince = old.PhaseSince
			}
			d.UpdatedAt = now
			_, err = tx.ExecContext(ctx, `UPDATE territories SET phase = $1, strategy = $2, phase_since = $3, updated_at = $4
				WHERE epci = $5`, string(d.Phase), string(d.Strategy), d.PhaseSince, d.UpdatedAt, d.EPCI)
		}
		if err != nil {
			return fmt.Errorf("store: save territory %s: %w", d.EPCI, err)
		}
		return nil
	})
}

// Deployment returns one territory of the pipeline.
func (s *Store) Deployment(ctx context.Context, epci string) (*territory.Deployment, error) {
	return getDeployment(ctx, s.r, epci)
}

func getDeployment(ctx context.Context, q querier, epci string) (*territory.Deployment, error) {
	d := &territory.Deployment{}
	var phase, strategy string
	err := q.QueryRowContext(ctx, `SELECT epci, phase, strategy, phase_since, created_at, updated_at
		FROM territories WHERE epci = $1`, epci).Scan(&d.EPCI, &phase, &strategy, &d.PhaseSince, &d.CreatedAt, &d.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: territory %s: %w", epci, err)
	}
	d.Phase, d.Strategy = territory.Phase(phase), territory.Strategy(strategy)
	d.PhaseSince, d.CreatedAt, d.UpdatedAt = d.PhaseSince.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, nil
}

// Deployments lists every territory of the pipeline, by EPCI code.
func (s *Store) Deployments(ctx context.Context) ([]territory.Deployment, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT epci, phase, strategy, phase_since, created_at, updated_at
		FROM territories ORDER BY epci`)
	if err != nil {
		return nil, fmt.Errorf("store: territories: %w", err)
	}
	defer rows.Close()
	var out []territory.Deployment
	for rows.Next() {
		var d territory.Deployment
		var phase, strategy string
		if err := rows.Scan(&d.EPCI, &phase, &strategy, &d.PhaseSince, &d.CreatedAt, &d.UpdatedAt); err != nil {
			return nil, err
		}
		d.Phase, d.Strategy = territory.Phase(phase), territory.Strategy(strategy)
		d.PhaseSince, d.CreatedAt, d.UpdatedAt = d.PhaseSince.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
		out = append(out, d)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"portrea/internal/territory"
)

// Assessment is a territory's strategy assessment: the four factors, the
// strategy they recommend, and the strategy the hub chose with its
// reasons. Chosen and DecidedBy are empty until the hub decides.
type Assessment struct {
	EPCI        string
	Factors     territory.Assessment
	Recommended territory.Strategy
	Chosen      territory.Strategy
	Reasons     string // why the chosen strategy: the hub's motive when it overrides
	DecidedBy   string
	UpdatedAt   time.Time
}

// Assessment returns a territory's assessment.
func (s *Store) Assessment(ctx context.Context, epci string) (*Assessment, error) {
	return getAssessment(ctx, s.r, epci)
}

func getAssessment(ctx context.Context, q querier, epci string) (*Assessment, error) {
	a := &Assessment{EPCI: epci}
	var factors, recommended, chosen string
	err := q.QueryRowContext(ctx, `SELECT factors, recommended, chosen, reasons, decided_by, updated_at
		FROM assessments WHERE epci = $1`, epci).Scan(&factors, &recommended, &chosen, &a.Reasons, &a.DecidedBy, &a.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: assessment %s: %w", epci, err)
	}
	if err := json.Unmarshal([]byte(factors), &a.Factors); err != nil {
		return nil, fmt.Errorf("store: assessment %s: factors: %w", epci, err)
	}
	a.Recommended, a.Chosen = territory.Strategy(recommended), territory.Strategy(chosen)
	a.UpdatedAt = a.UpdatedAt.UTC()
	return a, nil
}

// ProposeAssessment saves the factors and the recommendation of a
// territory, as a referent proposes them; an earlier decision of the hub
// is kept, and the territory's strategy does not change.
func (s *Store) ProposeAssessment(ctx context.Context, a *Assessment) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		old, err := getAssessment(ctx, tx, a.EPCI)
		switch {
		case errors.Is(err, ErrNotFound):
			a.Chosen, a.Reasons, a.DecidedBy = "", "", ""
		case err != nil:
			return err
		default:
			a.Chosen, a.Reasons, a.DecidedBy = old.Chosen, old.Reasons, old.DecidedBy
		}
		return s.putAssessment(ctx, tx, a)
	})
}

// DecideStrategy saves the assessment with the hub's choice, and sets the
// territory's strategy in the same transaction; its phase is kept (a
// territory not followed yet enters the pipeline in engagement, the phase
// where the strategy is chosen).
func (s *Store) DecideStrategy(ctx context.Context, a *Assessment) error {
	if !a.Chosen.Valid() {
		return fmt.Errorf("store: unknown strategy %q", a.Chosen)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.putAssessment(ctx, tx, a); err != nil {
			return err
		}
		d, err := getDeployment(ctx, tx, a.EPCI)
		switch {
		case errors.Is(err, ErrNotFound):
			_, err = tx.ExecContext(ctx, `INSERT INTO territories (epci, phase, strategy, phase_since, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4, $4)`, a.EPCI, string(territory.PhaseEngagement), string(a.Chosen), a.UpdatedAt)
		case err != nil:
			return err
		default:
			_, err = tx.ExecContext(ctx, `UPDATE territories SET strategy = $1, updated_at = $2 WHERE epci = $3`,
				string(a.Chosen), a.UpdatedAt, d.EPCI)
		}
		if err != nil {
			return fmt.Errorf("store: territory %s strategy: %w", a.EPCI, err)
		}
		return nil
	})
}

func (s *Store) putAssessment(ctx context.Context, tx *sql.Tx, a *Assessment) error {
	factors, err := json.Marshal(a.Factors)
	if err != nil {
		return fmt.Errorf("store: assessment %s: %w", a.EPCI, err)
	}
	a.UpdatedAt = s.now().UTC()
	_, err = tx.ExecContext(ctx, `INSERT INTO assessments (epci, factors, recommended, chosen, reasons, decided_by, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (epci) DO UPDATE SET factors = excluded.factors, recommended = excluded.recommended, chosen = excluded.chosen,
			reasons = excluded.reasons, decided_by = excluded.decided_by, updated_at = excluded.updated_at`,
		a.EPCI, string(factors), string(a.Recommended), string(a.Chosen), a.Reasons, a.DecidedBy, a.UpdatedAt)
	if err != nil {
		return fmt.Errorf("store: save assessment %s: %w", a.EPCI, err)
	}
	return nil
}

// NextEvent returns a territory's next collaborative day, or when none is
// ahead the latest one held, for the documents that announce it.
func (s *Store) NextEvent(ctx context.Context, epci string) (*Event, error) {
	const cols = `id, epci, title, starts_at, ends_at, place, room, meal, programme`
	now := s.now().UTC()
	e := &Event{}
	scan := func(q string, args ...any) error {
		return s.r.QueryRowContext(ctx, q, args...).Scan(&e.ID, &e.EPCI, &e.Title, &e.StartsAt, &e.EndsAt, &e.Place, &e.Room, &e.Meal, &e.Programme)
	}
	err := scan(`SELECT `+cols+` FROM events WHERE epci = $1 AND ends_at >= $2 ORDER BY starts_at, id LIMIT 1`, epci, now)
	if errors.Is(err, sql.ErrNoRows) {
		err = scan(`SELECT `+cols+` FROM events WHERE epci = $1 ORDER BY starts_at DESC, id LIMIT 1`, epci)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: next event of %s: %w", epci, err)
	}
	e.StartsAt, e.EndsAt = e.StartsAt.UTC(), e.EndsAt.UTC()
	return e, nil
}

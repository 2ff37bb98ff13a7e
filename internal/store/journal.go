package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"portrea/internal/place"
	"portrea/internal/territory"
)

// ErrSamePhase is returned when a phase change would not change the phase.
var ErrSamePhase = errors.New("store: territory already in this phase")

// AddJournal records an event of a territory's journey.
func (s *Store) AddJournal(ctx context.Context, e *territory.JournalEntry) error {
	return addJournal(ctx, s.w, e)
}

func addJournal(ctx context.Context, q querier, e *territory.JournalEntry) error {
	if e.ID == "" {
		e.ID = place.NewID()
	}
	e.At = e.At.UTC()
	if _, err := q.ExecContext(ctx, `INSERT INTO territory_journal (id, epci, kind, phase, at, by_user, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.ID, e.EPCI, e.Kind, string(e.Phase), e.At, e.By, e.Note); err != nil {
		return fmt.Errorf("store: journal of %s: %w", e.EPCI, err)
	}
	return nil
}

// Journal lists the journal of a territory, or of every territory when
// epci is empty, oldest first.
func (s *Store) Journal(ctx context.Context, epci string) ([]territory.JournalEntry, error) {
	q := `SELECT id, epci, kind, phase, at, by_user, note FROM territory_journal`
	var args []any
	if epci != "" {
		q += ` WHERE epci = $1`
		args = append(args, epci)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: journal: %w", err)
	}
	defer rows.Close()
	var out []territory.JournalEntry
	for rows.Next() {
		var e territory.JournalEntry
		var phase string
		if err := rows.Scan(&e.ID, &e.EPCI, &e.Kind, &phase, &e.At, &e.By, &e.Note); err != nil {
			return nil, fmt.Errorf("store: journal: %w", err)
		}
		e.Phase, e.At = territory.Phase(phase), e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// ChangePhase moves a territory to another phase and records the change
// in its journal, in one transaction; a territory not followed yet is
// created. Only the phase and its start date change, so a strategy saved
// meanwhile is kept.
func (s *Store) ChangePhase(ctx context.Context, epci string, phase territory.Phase, by, note string) (*territory.Deployment, error) {
	if !phase.Valid() {
		return nil, fmt.Errorf("store: unknown phase %q", phase)
	}
	now := s.now().UTC()
	var d *territory.Deployment
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		d, err = getDeployment(ctx, tx, epci)
		switch {
		case errors.Is(err, ErrNotFound):
			d = &territory.Deployment{EPCI: epci, Phase: phase, PhaseSince: now, CreatedAt: now, UpdatedAt: now}
			err = insertDeployment(ctx, tx, d)
		case err != nil:
			return err
		case d.Phase == phase:
			return ErrSamePhase
		default:
			d.Phase, d.PhaseSince, d.UpdatedAt = phase, now, now
			_, err = tx.ExecContext(ctx, `UPDATE territories SET phase = $1, phase_since = $2, updated_at = $3 WHERE epci = $4`,
				string(phase), now, now, epci)
		}
		if err != nil {
			return fmt.Errorf("store: phase of %s: %w", epci, err)
		}
		return addJournal(ctx, tx, &territory.JournalEntry{EPCI: epci, Kind: territory.JournalPhase, Phase: phase, At: now, By: by, Note: note})
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func insertDeployment(ctx context.Context, tx *sql.Tx, d *territory.Deployment) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO territories (epci, phase, strategy, phase_since, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, d.EPCI, string(d.Phase), string(d.Strategy), d.PhaseSince, d.CreatedAt, d.UpdatedAt)
	return err
}

// DeclareInterest stores a declaration of interest. A territory not
// followed yet enters the pipeline in phase contact (with its journal
// entry); one already followed keeps its phase, never moved backwards.
// created tells whether the territory was added.
func (s *Store) DeclareInterest(ctx context.Context, i *territory.Interest) (created bool, err error) {
	now := s.now().UTC()
	if i.ID == "" {
		i.ID = place.NewID()
	}
	i.CreatedAt = now
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO interests (id, epci, name, organisation, org_kind, email, phone, hopes, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, i.ID, i.EPCI, i.Name, i.Organisation, i.OrgKind, i.Email, i.Phone, i.Hopes, now); err != nil {
			return fmt.Errorf("store: interest for %s: %w", i.EPCI, err)
		}
		_, err := getDeployment(ctx, tx, i.EPCI)
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		created = true
		if err := insertDeployment(ctx, tx, &territory.Deployment{EPCI: i.EPCI, Phase: territory.PhaseContact, PhaseSince: now, CreatedAt: now, UpdatedAt: now}); err != nil {
			return fmt.Errorf("store: territory %s: %w", i.EPCI, err)
		}
		return addJournal(ctx, tx, &territory.JournalEntry{EPCI: i.EPCI, Kind: territory.JournalPhase, Phase: territory.PhaseContact, At: now,
			By: i.Email, Note: "déclaration d'intérêt"})
	})
	return created, err
}

// Interests lists the declarations of interest of a territory, or of
// every territory when epci is empty, newest first.
func (s *Store) Interests(ctx context.Context, epci string) ([]territory.Interest, error) {
	q := `SELECT id, epci, name, organisation, org_kind, email, phone, hopes, created_at, handled_at FROM interests`
	var args []any
	if epci != "" {
		q += ` WHERE epci = $1`
		args = append(args, epci)
	}
	rows, err := s.r.QueryContext(ctx, q+` ORDER BY created_at DESC, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: interests: %w", err)
	}
	defer rows.Close()
	var out []territory.Interest
	for rows.Next() {
		var i territory.Interest
		var handled sql.NullTime
		if err := rows.Scan(&i.ID, &i.EPCI, &i.Name, &i.Organisation, &i.OrgKind, &i.Email, &i.Phone, &i.Hopes, &i.CreatedAt, &handled); err != nil {
			return nil, fmt.Errorf("store: interests: %w", err)
		}
		i.CreatedAt, i.HandledAt = i.CreatedAt.UTC(), handled.Time.UTC()
		out = append(out, i)
	}
	return out, rows.Err()
}

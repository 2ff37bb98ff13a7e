package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"portrea/internal/place"
)

// Animation is a workshop or meeting of a territory's network: when,
// about what, which places took part, and what was said.
type Animation struct {
	ID           string
	EPCI         string
	At           time.Time
	Theme        string
	Participants []string // ids of the territory's places
	Notes        string
	CreatedBy    string
	CreatedAt    time.Time
}

// CreateAnimation records a workshop or meeting.
func (s *Store) CreateAnimation(ctx context.Context, a *Animation) error {
	if a.ID == "" {
		a.ID = place.NewID()
	}
	a.CreatedAt = s.now().UTC()
	_, err := s.w.ExecContext(ctx, `INSERT INTO animations (id, epci, at, theme, participants, notes, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		a.ID, a.EPCI, a.At.UTC(), a.Theme, strings.Join(a.Participants, "\n"), a.Notes, a.CreatedBy, a.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: create animation: %w", err)
	}
	return nil
}

// UpdateAnimation saves the date, theme, participants and notes of a
// territory's animation; ErrNotFound if the territory has no such one.
func (s *Store) UpdateAnimation(ctx context.Context, a *Animation) error {
	res, err := s.w.ExecContext(ctx, `UPDATE animations SET at = $1, theme = $2, participants = $3, notes = $4
		WHERE id = $5 AND epci = $6`,
		a.At.UTC(), a.Theme, strings.Join(a.Participants, "\n"), a.Notes, a.ID, a.EPCI)
	if err != nil {
		return fmt.Errorf("store: update animation %s: %w", a.ID, err)
	}
	return oneRow(res, "animation "+a.ID)
}

// DeleteAnimation removes a territory's animation.
func (s *Store) DeleteAnimation(ctx context.Context, epci, id string) error {
	res, err := s.w.ExecContext(ctx, `DELETE FROM animations WHERE id = $1 AND epci = $2`, id, epci)
	if err != nil {
		return fmt.Errorf("store: delete animation %s: %w", id, err)
	}
	return oneRow(res, "animation "+id)
}

func oneRow(res sql.Result, what string) error {
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, what)
	}
	return nil
}

const animationCols = `id, epci, at, theme, participants, notes, created_by, created_at`

func scanAnimation(sc interface{ Scan(...any) error }) (Animation, error) {
	var a Animation
	var parts string
	if err := sc.Scan(&a.ID, &a.EPCI, &a.At, &a.Theme, &parts, &a.Notes, &a.CreatedBy, &a.CreatedAt); err != nil {
		return a, err
	}
	if parts != "" {
		a.Participants = strings.Split(parts, "\n")
	}
	return a, nil
}

// Animation returns one animation of a territory.
func (s *Store) Animation(ctx context.Context, epci, id string) (*Animation, error) {
	a, err := scanAnimation(s.r.QueryRowContext(ctx, `SELECT `+animationCols+` FROM animations WHERE id = $1 AND epci = $2`, id, epci))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: animation %s", ErrNotFound, id)
	}
	if err != nil {
		return nil, fmt.Errorf("store: animation %s: %w", id, err)
	}
	return &a, nil
}

// Animations lists a territory's workshops and meetings, newest first.
func (s *Store) Animations(ctx context.Context, epci string) ([]Animation, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+animationCols+` FROM animations WHERE epci = $1 ORDER BY at DESC, created_at DESC`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: animations of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []Animation
	for rows.Next() {
		a, err := scanAnimation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// DirectoryEntry is a place of the network's private directory: its
// public contacts and, for the network's members only, its private ones.
type DirectoryEntry struct {
	PlaceID, Nom, Commune, Telephone       string
	Courriels                              []string
	ContactNom, ContactEmail, ContactPhone string
	ConsentAt                              time.Time
	ByUser                                 string
}

// SetDirectoryConsent records (or withdraws) a place's consent to appear
// in its network's private directory.
func (s *Store) SetDirectoryConsent(ctx context.Context, placeID string, consent bool, byUser string) error {
	if !consent {
		if _, err := s.w.ExecContext(ctx, `DELETE FROM network_directory WHERE place_id = $1`, placeID); err != nil {
			return fmt.Errorf("store: withdraw directory consent of %s: %w", placeID, err)
		}
		return nil
	}
	// Keep the first consent's date: recording it again changes nothing.
	_, err := s.w.ExecContext(ctx, `INSERT INTO network_directory (place_id, consent_at, by_user) VALUES ($1, $2, $3)
		ON CONFLICT (place_id) DO NOTHING`, placeID, s.now().UTC(), byUser)
	if err != nil {
		return fmt.Errorf("store: record directory consent of %s: %w", placeID, err)
	}
	return nil
}

// Directory lists the places of a territory that consented to the
// network's directory, by commune and name. Duplicates and places that no
// longer exist are left out.
func (s *Store) Directory(ctx context.Context, epci string) ([]DirectoryEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT p.id, p.nom, p.commune, p.telephone, p.courriels,
			p.contact_nom, p.contact_email, p.contact_telephone, d.consent_at, d.by_user
		FROM network_directory d JOIN places p ON p.id = d.place_id
		WHERE p.epci = $1 AND p.status NOT IN ($2, $3)
		ORDER BY p.commune, p.nom`, epci, string(place.StatusDuplicate), string(place.StatusGone))
	if err != nil {
		return nil, fmt.Errorf("store: directory of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []DirectoryEntry
	for rows.Next() {
		var e DirectoryEntry
		var courriels string
		if err := rows.Scan(&e.PlaceID, &e.Nom, &e.Commune, &e.Telephone, &courriels,
			&e.ContactNom, &e.ContactEmail, &e.ContactPhone, &e.ConsentAt, &e.ByUser); err != nil {
			return nil, err
		}
		e.Courriels = splitStored(courriels)
		out = append(out, e)
	}
	return out, rows.Err()
}

// DirectoryConsents returns the ids of a territory's places that consented
// to the network's directory.
func (s *Store) DirectoryConsents(ctx context.Context, epci string) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT d.place_id FROM network_directory d JOIN places p ON p.id = d.place_id WHERE p.epci = $1`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: directory consents of %s: %w", epci, err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"portrea/internal/place"
	"portrea/internal/portrait"
)

// snapshotFigures is how a snapshot's figures are stored (portrait_snapshots.
// figures), with keys of their own so that renaming a Go field does not
// lose the history.
type snapshotFigures struct {
	Places            int     `json:"places"`
	PerTenThousand    float64 `json:"per_ten_thousand"`
	CoveredCommunes   int     `json:"covered_communes"`
	CoveredPopulation float64 `json:"covered_population"`
	ConfirmedLastYear float64 `json:"confirmed_last_year"`
}

// SaveSnapshot stores a territory's key figures for snap.Month. Saving the
// same month again replaces it: the current month follows the data until
// it is over.
func (s *Store) SaveSnapshot(ctx context.Context, epci string, snap portrait.Snapshot) error {
	b, err := json.Marshal(snapshotFigures{snap.Places, snap.PerTenThousand, snap.CoveredCommunes,
		snap.CoveredPopulation, snap.ConfirmedLastYear})
	if err != nil {
		return fmt.Errorf("store: snapshot of %s: %w", epci, err)
	}
	_, err = s.w.ExecContext(ctx, `INSERT INTO portrait_snapshots (epci, month, figures, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (epci, month) DO UPDATE SET figures = excluded.figures, created_at = excluded.created_at`,
		epci, snap.Month, string(b), s.now().UTC())
	if err != nil {
		return fmt.Errorf("store: save snapshot %s %s: %w", epci, snap.Month, err)
	}
	return nil
}

// Snapshots returns a territory's stored snapshots, oldest first.
func (s *Store) Snapshots(ctx context.Context, epci string) ([]portrait.Snapshot, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT month, figures FROM portrait_snapshots WHERE epci = $1 ORDER BY month`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: snapshots of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []portrait.Snapshot
	for rows.Next() {
		var month, figures string
		if err := rows.Scan(&month, &figures); err != nil {
			return nil, fmt.Errorf("store: snapshots of %s: %w", epci, err)
		}
		var f snapshotFigures
		if err := json.Unmarshal([]byte(figures), &f); err != nil {
			return nil, fmt.Errorf("store: snapshot %s %s: %w", epci, month, err)
		}
		out = append(out, portrait.Snapshot{Month: month, Places: f.Places, PerTenThousand: f.PerTenThousand,
			CoveredCommunes: f.CoveredCommunes, CoveredPopulation: f.CoveredPopulation, ConfirmedLastYear: f.ConfirmedLastYear})
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: snapshots of %s: %w", epci, err)
	}
	return out, nil
}

// CommuneStats counts the active places of each of these communes (by
// code_insee, as stored: an arrondissement is its own code), those whose
// date_maj is on or after confirmedSince's day in France, and the France
// Services. Communes without an active place are absent from the map.
func (s *Store) CommuneStats(ctx context.Context, codes []string, confirmedSince time.Time) (map[string]portrait.CommuneStats, error) {
	out := map[string]portrait.CommuneStats{}
	if len(codes) == 0 {
		return out, nil
	}
	list, err := json.Marshal(codes)
	if err != nil {
		return nil, fmt.Errorf("store: commune stats: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT code_insee, COUNT(*),
			SUM(CASE WHEN date_maj >= $2 THEN 1 ELSE 0 END),
			SUM(CASE WHEN (dispositifs & $3) <> 0 THEN 1 ELSE 0 END)
		FROM places WHERE status = $4 AND `+s.d.inList("code_insee", 1)+`
		GROUP BY code_insee`,
		string(list), place.Date(confirmedSince), int64(place.Dispositifs.Bit("france-services")), string(place.StatusActive))
	if err != nil {
		return nil, fmt.Errorf("store: commune stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var code string
		var cs portrait.CommuneStats
		if err := rows.Scan(&code, &cs.Places, &cs.Confirmed, &cs.FranceServices); err != nil {
			return nil, fmt.Errorf("store: commune stats: %w", err)
		}
		out[code] = cs
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: commune stats: %w", err)
	}
	return out, nil
}

// SetForeword replaces the referent's foreword of a territory's portrait.
func (s *Store) SetForeword(ctx context.Context, epci, text, by string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO portrait_forewords (epci, text, updated_at, updated_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (epci) DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		epci, text, s.now().UTC(), by)
	if err != nil {
		return fmt.Errorf("store: save foreword of %s: %w", epci, err)
	}
	return nil
}

// Foreword returns the foreword of a territory's portrait, "" when none was
// written (a portrait without foreword is normal, not an error).
func (s *Store) Foreword(ctx context.Context, epci string) (string, error) {
	var text string
	err := s.r.QueryRowContext(ctx, `SELECT text FROM portrait_forewords WHERE epci = $1`, epci).Scan(&text)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: foreword of %s: %w", epci, err)
	}
	return text, nil
}

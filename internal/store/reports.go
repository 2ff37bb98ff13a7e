package store

import (
	"context"
	"fmt"
	"strings"

	"portrea/internal/place"
	"portrea/internal/report"
)

// CreateReport stores an error report on a public place, addressed to
// the place's territory.
func (s *Store) CreateReport(ctx context.Context, r *report.Report) error {
	p, err := s.GetPublicPlace(ctx, r.PlaceID)
	if err != nil {
		return err
	}
	r.ID, r.EPCI, r.Status, r.CreatedAt = place.NewID(), p.EPCI, report.StatusNew, s.now().UTC()
	_, err = s.w.ExecContext(ctx, `INSERT INTO reports (id, place_id, epci, categories, message, email, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, r.PlaceID, r.EPCI, strings.Join(r.Categories, "|"), r.Message, r.Email, r.Status, r.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: create report on %s: %w", r.PlaceID, err)
	}
	return nil
}

// Reports lists the reports of a territory, newest first.
func (s *Store) Reports(ctx context.Context, epci string) ([]report.Report, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, place_id, epci, categories, message, email, status, created_at
		FROM reports WHERE epci = $1 ORDER BY created_at DESC, id`, epci)
	if err != nil {
		return nil, fmt.Errorf("store: reports of %s: %w", epci, err)
	}
	defer rows.Close()
	var out []report.Report
	for rows.Next() {
		var r report.Report
		var cats string
		if err := rows.Scan(&r.ID, &r.PlaceID, &r.EPCI, &cats, &r.Message, &r.Email, &r.Status, &r.CreatedAt); err != nil {
			return nil, err
		}
		r.Categories = splitStored(cats)
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// The queries of the back office's campaign follow-up: the messages still
// waiting (the hub's outbox when no SMTP server is configured), the
// reminders each place received, and the places whose link was revoked.

// WaitingMessage is a campaign message not sent yet.
type WaitingMessage struct {
	ID, CampaignID, CampaignName, CampaignStatus string
	EPCI, PlaceID, PlaceName, Kind, To           string
	Attempts                                     int
	LastError                                    string
	CreatedAt                                    time.Time
}

// WaitingMessages lists up to limit campaign messages waiting to be sent,
// oldest first, and how many wait in all.
func (s *Store) WaitingMessages(ctx context.Context, limit int) ([]WaitingMessage, int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM campaign_messages WHERE status IN ($1, $2)`,
		MessageWaiting, MessageSending).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("store: waiting messages: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT m.id, m.campaign_id, c.name, c.status, c.epci, m.place_id, COALESCE(p.nom, ''),
		m.kind, m.to_addr, m.attempts, m.last_error, m.created_at
		FROM campaign_messages m JOIN campaigns c ON c.id = m.campaign_id LEFT JOIN places p ON p.id = m.place_id
		WHERE m.status IN ($1, $2) ORDER BY m.created_at, m.id LIMIT $3`, MessageWaiting, MessageSending, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: waiting messages: %w", err)
	}
	defer rows.Close()
	var out []WaitingMessage
	for rows.Next() {
		var m WaitingMessage
		if err := rows.Scan(&m.ID, &m.CampaignID, &m.CampaignName, &m.CampaignStatus, &m.EPCI, &m.PlaceID, &m.PlaceName,
			&m.Kind, &m.To, &m.Attempts, &m.LastError, &m.CreatedAt); err != nil {
			return nil, 0, fmt.Errorf("store: waiting messages: %w", err)
		}
		m.CreatedAt = m.CreatedAt.UTC()
		out = append(out, m)
	}
	return out, total, rows.Err()
}

// Reminded is what a place of a campaign received after its invitation.
type Reminded struct {
	Count int
	Last  time.Time
}

// RemindersSentByPlace counts the reminders sent to each place of a
// campaign, with the date of the last one.
func (s *Store) RemindersSentByPlace(ctx context.Context, campaignID string) (map[string]Reminded, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT place_id, sent_at FROM campaign_messages WHERE campaign_id = $1 AND kind <> $2 AND status = $3`,
		campaignID, MessageInvitation, MessageSent)
	if err != nil {
		return nil, fmt.Errorf("store: reminders of %s: %w", campaignID, err)
	}
	defer rows.Close()
	out := map[string]Reminded{}
	for rows.Next() {
		var id string
		var at sql.NullTime
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("store: reminders of %s: %w", campaignID, err)
		}
		r := out[id]
		r.Count++
		if at.Time.After(r.Last) {
			r.Last = at.Time.UTC()
		}
		out[id] = r
	}
	return out, rows.Err()
}

// RevokedPlaces lists the places of a campaign that were sent a link and
// have none left working because a person revoked them.
func (s *Store) RevokedPlaces(ctx context.Context, campaignID string) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT place_id FROM campaign_links WHERE campaign_id = $1
		GROUP BY place_id HAVING SUM(CASE WHEN revoked_at IS NULL THEN 1 ELSE 0 END) = 0`, campaignID)
	if err != nil {
		return nil, fmt.Errorf("store: revoked links of %s: %w", campaignID, err)
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

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Ready checks that the database answers and that every migration this
// program knows is applied: the instance can serve.
func (s *Store) Ready(ctx context.Context) error {
	ms, err := loadMigrations(s.d.migrations())
	if err != nil {
		return err
	}
	var n, last sql.NullInt64
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &last); err != nil {
		return fmt.Errorf("store: read schema_migrations: %w", err)
	}
	if int(n.Int64) != len(ms) || int(last.Int64) != len(ms) {
		return fmt.Errorf("store: %d of %d migrations applied", n.Int64, len(ms))
	}
	return nil
}

// Counts are the figures /metrics exposes: counts by status, nothing
// that names a person or a place.
type Counts struct {
	CampaignMessages map[string]int // by status
	Imports          map[string]int // by status
	Places           map[string]int // by status
	Campaigns        map[string]int // by status
	// Outbox counts the account and notification e-mails: sent, waiting,
	// and waiting after a failed try.
	Outbox        map[string]int
	OutboxPending int
}

// Counts counts campaign messages, imports and places by status, and the
// outbox messages not sent yet.
func (s *Store) Counts(ctx context.Context) (Counts, error) {
	var c Counts
	var err error
	if c.CampaignMessages, err = s.countByStatus(ctx, "campaign_messages"); err != nil {
		return c, err
	}
	if c.Imports, err = s.countByStatus(ctx, "imports"); err != nil {
		return c, err
	}
	if c.Places, err = s.countByStatus(ctx, "places"); err != nil {
		return c, err
	}
	if c.Campaigns, err = s.countByStatus(ctx, "campaigns"); err != nil {
		return c, err
	}
	var sent, waiting, failed int
	if err := s.r.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN sent_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND last_error = '' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sent_at IS NULL AND last_error <> '' THEN 1 ELSE 0 END), 0) FROM outbox`).Scan(&sent, &waiting, &failed); err != nil {
		return c, fmt.Errorf("store: count outbox: %w", err)
	}
	c.Outbox = map[string]int{"envoye": sent, "attente": waiting, "echec": failed}
	c.OutboxPending = waiting + failed
	return c, nil
}

// countByStatus counts the rows of table (a constant of this file) by
// status.
func (s *Store) countByStatus(ctx context.Context, table string) (map[string]int, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT status, COUNT(*) FROM `+table+` GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("store: count %s: %w", table, err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var status string
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			return nil, fmt.Errorf("store: count %s: %w", table, err)
		}
		out[status] = n
	}
	return out, rows.Err()
}

// Health is what the hub's health page shows of the background work.
type Health struct {
	Counts
	OldestPendingMail    time.Time // zero when none
	LastMailError        string
	LastMailErrorAt      time.Time // creation of the message that failed
	OldestWaitingMessage time.Time // zero when none
	LastSnapshot         time.Time // zero when none
	// Holders are the processes holding work at this moment, sorted by
	// name: with several instances, the operator sees which one does what.
	Holders []Holder
}

// Holder is the work one process holds: campaign messages and outbox
// e-mails it claimed, import previews it computes.
type Holder struct {
	Instance                  string
	Messages, Mails, Previews int
}

// Health gathers the counts and the dates of the oldest work waiting.
func (s *Store) Health(ctx context.Context) (Health, error) {
	var h Health
	var err error
	if h.Counts, err = s.Counts(ctx); err != nil {
		return h, err
	}
	// ORDER BY … LIMIT 1 rather than MIN(): SQLite keeps the column's
	// declared type, so the driver returns a time.
	var t sql.NullTime
	if t, err = s.firstTime(ctx, `SELECT created_at FROM outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT 1`); err != nil {
		return h, err
	}
	h.OldestPendingMail = t.Time.UTC()
	err = s.r.QueryRowContext(ctx, `SELECT last_error, created_at FROM outbox WHERE last_error <> '' ORDER BY created_at DESC LIMIT 1`).
		Scan(&h.LastMailError, &t)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return h, fmt.Errorf("store: health: %w", err)
	}
	h.LastMailErrorAt = t.Time.UTC()
	if t, err = s.firstTime(ctx, `SELECT created_at FROM campaign_messages WHERE status = $1 ORDER BY created_at LIMIT 1`, MessageWaiting); err != nil {
		return h, err
	}
	h.OldestWaitingMessage = t.Time.UTC()
	if t, err = s.firstTime(ctx, `SELECT created_at FROM portrait_snapshots ORDER BY created_at DESC LIMIT 1`); err != nil {
		return h, err
	}
	h.LastSnapshot = t.Time.UTC()
	if h.Holders, err = s.holders(ctx); err != nil {
		return h, err
	}
	return h, nil
}

// holders counts the work each process holds now.
func (s *Store) holders(ctx context.Context) ([]Holder, error) {
	now := s.now().UTC()
	byName := map[string]*Holder{}
	for _, q := range []struct {
		sql   string
		args  []any
		count func(h *Holder, n int)
	}{
		{`SELECT claimed_by, count(*) FROM campaign_messages WHERE status = $1 AND claimed_until >= $2 GROUP BY claimed_by`,
			[]any{MessageSending, now}, func(h *Holder, n int) { h.Messages = n }},
		{`SELECT claimed_by, count(*) FROM outbox WHERE sent_at IS NULL AND claimed_until >= $1 GROUP BY claimed_by`,
			[]any{now}, func(h *Holder, n int) { h.Mails = n }},
		{`SELECT worker, count(*) FROM imports WHERE status = $1 AND heartbeat_at >= $2 GROUP BY worker`,
			[]any{ImportReading, now.Add(-ImportStale)}, func(h *Holder, n int) { h.Previews = n }},
	} {
		rows, err := s.r.QueryContext(ctx, q.sql, q.args...)
		if err != nil {
			return nil, fmt.Errorf("store: health: %w", err)
		}
		for rows.Next() {
			var name string
			var n int
			if err := rows.Scan(&name, &n); err != nil {
				rows.Close()
				return nil, err
			}
			if byName[name] == nil {
				byName[name] = &Holder{Instance: name}
			}
			q.count(byName[name], n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]Holder, 0, len(byName))
	for _, h := range byName {
		out = append(out, *h)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Instance < out[j].Instance })
	return out, nil
}

// firstTime scans the single time column of q's first row; no row gives a
// null time.
func (s *Store) firstTime(ctx context.Context, q string, args ...any) (sql.NullTime, error) {
	var t sql.NullTime
	if err := s.r.QueryRowContext(ctx, q, args...).Scan(&t); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("store: health: %w", err)
	}
	return t, nil
}

package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Allow counts one hit for key in the current fixed window and reports
// whether the key is still within limit hits per window. Counters live in
// the database, so every instance shares them.
func (s *Store) Allow(ctx context.Context, key string, limit int, window time.Duration) (bool, error) {
	now := s.now().UTC()
	start := now.Truncate(window)
	var hits int
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1)
			ON CONFLICT (key, window_start) DO UPDATE SET hits = rate_limits.hits + 1 RETURNING hits`,
			key, start).Scan(&hits); err != nil {
			return err
		}
		if hits == 1 {
			// First hit of a window: forget the windows that ended long ago.
			_, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE key = $1 AND window_start < $2`, key, start.Add(-window))
			return err
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("store: rate limit %s: %w", key, err)
	}
	return hits <= limit, nil
}

// Setting returns an administrator setting, or def when it is not set.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", fmt.Errorf("store: setting %s: %w", key, err)
	}
	return v, nil
}

// SetSetting saves an administrator setting.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("store: set %s: %w", key, err)
	}
	return nil
}

// Secret returns the named 256-bit secret shared by every instance,
// creating it at first use.
func (s *Store) Secret(ctx context.Context, name string) ([]byte, error) {
	var b [32]byte
	rand.Read(b[:])
	key := "secret." + name
	if _, err := s.w.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, hex.EncodeToString(b[:])); err != nil {
		return nil, fmt.Errorf("store: secret %s: %w", name, err)
	}
	v, err := s.Setting(ctx, key, "")
	if err != nil {
		return nil, err
	}
	return hex.DecodeString(v)
}

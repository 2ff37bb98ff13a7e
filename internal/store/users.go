package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/place"
)

// ErrEmailTaken is returned when an account already uses the address.
var ErrEmailTaken = errors.New("store: e-mail already used by an account")

const userCols = `id, email, name, role, password_hash, disabled, created_at, last_login_at`

func scanUser(sc scanner) (*account.User, error) {
	u := &account.User{}
	var role string
	var last sql.NullTime
	if err := sc.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &u.CreatedAt, &last); err != nil {
		return nil, err
	}
	u.Role, u.LastLoginAt, u.CreatedAt = account.Role(role), last.Time.UTC(), u.CreatedAt.UTC()
	return u, nil
}

// CreateUser adds an account (no password yet) with its territories.
func (s *Store) CreateUser(ctx context.Context, u *account.User) error {
	u.Email = account.NormalizeEmail(u.Email)
	if u.ID == "" {
		u.ID = place.NewID()
	}
	now := s.now().UTC()
	u.CreatedAt = now
	return s.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = $1`, u.Email).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return ErrEmailTaken
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO users (id, email, name, role, password_hash, disabled, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, u.ID, u.Email, u.Name, string(u.Role), u.PasswordHash, u.Disabled, now); err != nil {
			return fmt.Errorf("store: create user %s: %w", u.ID, err)
		}
		return setTerritories(ctx, tx, u.ID, u.Territories)
	})
}

func setTerritories(ctx context.Context, tx *sql.Tx, userID string, ts []account.Territory) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_territories WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, t := range ts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_territories (user_id, epci, kind) VALUES ($1, $2, $3)`, userID, t.EPCI, t.Kind); err != nil {
			return fmt.Errorf("store: territory %s of %s: %w", t.EPCI, userID, err)
		}
	}
	return nil
}

// UpdateUser saves a user's name, role, state and territories.
func (s *Store) UpdateUser(ctx context.Context, u *account.User) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET name = $1, role = $2, disabled = $3, updated_at = $4 WHERE id = $5`,
			u.Name, string(u.Role), u.Disabled, s.now().UTC(), u.ID)
		if err != nil {
			return fmt.Errorf("store: update user %s: %w", u.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		if u.Disabled {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, u.ID); err != nil {
				return err
			}
		}
		return setTerritories(ctx, tx, u.ID, u.Territories)
	})
}

// User returns an account by id, with its territories.
func (s *Store) User(ctx context.Context, id string) (*account.User, error) {
	return s.userWhere(ctx, `id = $1`, id)
}

// UserByEmail returns an account by address, with its territories.
func (s *Store) UserByEmail(ctx context.Context, email string) (*account.User, error) {
	return s.userWhere(ctx, `email = $1`, account.NormalizeEmail(email))
}

func (s *Store) userWhere(ctx context.Context, cond string, arg any) (*account.User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE `+cond, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: user: %w", err)
	}
	u.Territories, err = s.territoriesOf(ctx, u.ID)
	return u, err
}

func (s *Store) territoriesOf(ctx context.Context, userID string) ([]account.Territory, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT epci, kind FROM user_territories WHERE user_id = $1 ORDER BY epci`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: territories of %s: %w", userID, err)
	}
	defer rows.Close()
	var out []account.Territory
	for rows.Next() {
		var t account.Territory
		if err := rows.Scan(&t.EPCI, &t.Kind); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Users lists every account, by e-mail.
func (s *Store) Users(ctx context.Context) ([]*account.User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	var out []*account.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, u)
	}
	rows.Close()
	for _, u := range out {
		if u.Territories, err = s.territoriesOf(ctx, u.ID); err != nil {
			return nil, err
		}
	}
	return out, rows.Err()
}

// Referents lists the referents of a territory.
func (s *Store) Referents(ctx context.Context, epci string) ([]*account.User, error) {
	all, err := s.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []*account.User
	for _, u := range all {
		if u.Role == account.RoleReferent && !u.Disabled && u.CanSee(epci) {
			out = append(out, u)
		}
	}
	return out, nil
}

// SetPassword stores a new password hash and ends every session of the
// user (a changed password signs out the other browsers).
func (s *Store) SetPassword(ctx context.Context, userID, hash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, s.now().UTC(), userID); err != nil {
			return fmt.Errorf("store: password of %s: %w", userID, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// RecordLogin notes the time of a successful sign-in.
func (s *Store) RecordLogin(ctx context.Context, userID string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, s.now().UTC(), userID)
	return err
}

// CreateSession opens a session and returns the cookie secret and the
// session's CSRF token.
func (s *Store) CreateSession(ctx context.Context, userID string) (secret, csrf string, err error) {
	secret, hash := account.NewToken()
	csrf, _ = account.NewToken()
	now := s.now().UTC()
	_, err = s.w.ExecContext(ctx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, last_seen_at, expires_at)
		VALUES ($1, $2, $3, $4, $4, $5)`, hash, userID, csrf, now, now.Add(account.SessionTTL))
	if err != nil {
		return "", "", fmt.Errorf("store: create session: %w", err)
	}
	return secret, csrf, nil
}

// SessionUser returns the user of a live session and its CSRF token;
// ErrNotFound for an unknown, expired or idle session, or a disabled user.
func (s *Store) SessionUser(ctx context.Context, secret string) (*account.User, string, error) {
	if secret == "" {
		return nil, "", ErrNotFound
	}
	hash := account.HashToken(secret)
	var userID, csrf string
	var seen, expires time.Time
	err := s.r.QueryRowContext(ctx, `SELECT user_id, csrf, last_seen_at, expires_at FROM sessions WHERE id_hash = $1`, hash).
		Scan(&userID, &csrf, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", ErrNotFound
	}
	if err != nil {
		return nil, "", fmt.Errorf("store: session: %w", err)
	}
	now := s.now().UTC()
	if now.After(expires) || now.Sub(seen) > account.SessionIdle {
		s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, hash)
		return nil, "", ErrNotFound
	}
	u, err := s.User(ctx, userID)
	if err != nil || u.Disabled {
		return nil, "", ErrNotFound
	}
	if now.Sub(seen) > time.Minute {
		if _, err := s.w.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2`, now, hash); err != nil {
			return nil, "", err
		}
	}
	return u, csrf, nil
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, secret string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE id_hash = $1`, account.HashToken(secret))
	return err
}

// CreateLink makes a one-time link secret for a user, replacing the
// unused links of the same purpose.
func (s *Store) CreateLink(ctx context.Context, userID, purpose string, ttl time.Duration) (string, error) {
	secret, hash := account.NewToken()
	now := s.now().UTC()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM auth_links WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`, userID, purpose); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO auth_links (token_hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
			hash, userID, purpose, now, now.Add(ttl))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("store: create link: %w", err)
	}
	return secret, nil
}

// LinkUser returns the user of a valid, unused link without using it.
func (s *Store) LinkUser(ctx context.Context, secret, purpose string) (*account.User, error) {
	var userID string
	var expires time.Time
	var used sql.NullTime
	err := s.r.QueryRowContext(ctx, `SELECT user_id, expires_at, used_at FROM auth_links WHERE token_hash = $1 AND purpose = $2`,
		account.HashToken(secret), purpose).Scan(&userID, &expires, &used)
	if errors.Is(err, sql.ErrNoRows) || err == nil && (used.Valid || s.now().After(expires)) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: link: %w", err)
	}
	return s.User(ctx, userID)
}

// UseLinkToSetPassword spends a one-time link to set the user's password,
// in one transaction: a link works once, and ends the user's sessions.
func (s *Store) UseLinkToSetPassword(ctx context.Context, secret, purpose, hash string) (*account.User, error) {
	var userID string
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		err := tx.QueryRowContext(ctx, `UPDATE auth_links SET used_at = $1 WHERE token_hash = $2 AND purpose = $3
			AND used_at IS NULL AND expires_at > $1 RETURNING user_id`, now, account.HashToken(secret), purpose).Scan(&userID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, now, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s.User(ctx, userID)
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	At                            time.Time
	Actor, Action, Target, Detail string
}

// Audit records a security event.
func (s *Store) Audit(ctx context.Context, actor, action, target, details string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)`,
		s.now().UTC(), actor, action, target, details)
	if err != nil {
		return fmt.Errorf("store: audit %s: %w", action, err)
	}
	return nil
}

// AuditLog returns the latest events, newest first.
func (s *Store) AuditLog(ctx context.Context, limit int) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT at, actor, action, target, details FROM audit_log ORDER BY id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		if err := rows.Scan(&e.At, &e.Actor, &e.Action, &e.Target, &e.Detail); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

// Mail is a message of the outbox.
type Mail struct {
	ID, To, Subject, Body string
	CreatedAt, SentAt     time.Time
	Attempts              int
	LastError             string
}

// QueueMail puts a message in the outbox.
func (s *Store) QueueMail(ctx context.Context, to, subject, body string) error {
	_, err := s.w.ExecContext(ctx, `INSERT INTO outbox (id, to_addr, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
		place.NewID(), strings.TrimSpace(to), subject, body, s.now().UTC())
	if err != nil {
		return fmt.Errorf("store: queue mail: %w", err)
	}
	return nil
}

// Outbox lists the latest messages, newest first; pending only on demand.
func (s *Store) Outbox(ctx context.Context, pendingOnly bool, limit int) ([]Mail, error) {
	q := `SELECT id, to_addr, subject, body, created_at, sent_at, attempts, last_error FROM outbox`
	if pendingOnly {
		q += ` WHERE sent_at IS NULL ORDER BY created_at LIMIT $1`
	} else {
		q += ` ORDER BY created_at DESC LIMIT $1`
	}
	rows, err := s.r.QueryContext(ctx, q, limit)
	if err != nil {
		return nil, fmt.Errorf("store: outbox: %w", err)
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var m Mail
		var sent sql.NullTime
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.CreatedAt, &sent, &m.Attempts, &m.LastError); err != nil {
			return nil, err
		}
		m.CreatedAt, m.SentAt = m.CreatedAt.UTC(), sent.Time.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimMail reserves for this process up to n pending messages of the
// outbox tried fewer than maxAttempts times, oldest first, for hold: other
// instances leave them alone meanwhile.
func (s *Store) ClaimMail(ctx context.Context, n, maxAttempts int, hold time.Duration) ([]Mail, error) {
	var out []Mail
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		q := `SELECT id, to_addr, subject, body, created_at, attempts, last_error FROM outbox
			WHERE sent_at IS NULL AND attempts < $1 AND (claimed_until IS NULL OR claimed_until < $2)
			ORDER BY created_at LIMIT $3`
		if s.d.name == "postgres" {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		var err error
		out, err = queryAll(ctx, tx, "claim mail", q, []any{maxAttempts, now, n}, func(sc scanner) (Mail, error) {
			var m Mail
			err := sc.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.CreatedAt, &m.Attempts, &m.LastError)
			return m, err
		})
		if err != nil {
			return err
		}
		for _, m := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE outbox SET claimed_by = $1, claimed_until = $2 WHERE id = $3`, s.instance, now.Add(hold), m.ID); err != nil {
				return fmt.Errorf("store: claim mail %s: %w", m.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// MarkMailSent records a delivered message this process claimed; the
// sender calls it just before the SMTP end of data (see MarkMessageSent).
func (s *Store) MarkMailSent(ctx context.Context, id string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE outbox SET sent_at = $1, attempts = attempts + 1, last_error = '', claimed_until = NULL WHERE id = $2 AND sent_at IS NULL AND claimed_by = $3`,
		s.now().UTC(), id, s.instance)
	if err != nil {
		return fmt.Errorf("store: mail %s sent: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: mail %s is no longer claimed", id)
	}
	return nil
}

// MarkMailFailed records a failed delivery attempt and hands the message
// back.
func (s *Store) MarkMailFailed(ctx context.Context, id, reason string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE outbox SET sent_at = NULL, attempts = attempts + 1, last_error = $1, claimed_until = NULL, claimed_by = '' WHERE id = $2 AND claimed_by = $3`,
		reason, id, s.instance)
	return err
}

// ReleaseMail hands back the outbox messages this process claimed and did
// not send.
func (s *Store) ReleaseMail(ctx context.Context) error {
	_, err := s.w.ExecContext(ctx, `UPDATE outbox SET claimed_until = NULL, claimed_by = '' WHERE sent_at IS NULL AND claimed_by = $1`, s.instance)
	return err
}

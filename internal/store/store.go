// Package store holds all of PORTREA's SQL. The same code runs on SQLite
// (embedded default) and PostgreSQL (several instances); the few
// differences live in dialect.go.
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // pure-Go SQLite driver "sqlite"
)

// ErrNotFound is returned when the asked row does not exist.
var ErrNotFound = errors.New("store: not found")

// Store is the database. On SQLite writes go through a single connection
// (SQLite has one writer anyway, and this turns lock contention into a
// queue); reads use a pool. On PostgreSQL both are the same pool.
type Store struct {
	d   dialect
	w   *sql.DB
	r   *sql.DB
	now func() time.Time
	idx publicIndex
	// instance names this process in the claims it takes on shared work
	// (messages to send, import previews), so that several instances on
	// one database never do the same work twice.
	instance string
	// Statements every public request runs, prepared once.
	counterStmt *sql.Stmt
	byIDsStmt   *sql.Stmt
}

// Open connects to "sqlite:PATH" or a "postgres://" URL and brings the
// schema up to date.
func Open(ctx context.Context, dsn string) (*Store, error) {
	s := &Store{now: time.Now, instance: newInstanceID()}
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		path := strings.TrimPrefix(dsn, "sqlite:")
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o750); err != nil {
				return nil, fmt.Errorf("store: create %s: %w", dir, err)
			}
		}
		// Pragmas go in the DSN so that every pooled connection gets them.
		base := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
		// The writer's page cache holds a large import's transaction
		// without spilling it to the WAL page by page.
		w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-65536)")
		if err != nil {
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("store: open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		s.d, s.w, s.r = sqliteDialect, w, r
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		db.SetMaxOpenConns(20)
		db.SetMaxIdleConns(10)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.d, s.w, s.r = postgresDialect, db, db
	default:
		return nil, fmt.Errorf("store: unknown database %q (expected sqlite:PATH or postgres://…)", dsn)
	}
	if err := s.migrate(ctx); err != nil {
		s.Close()
		return nil, err
	}
	var err error
	if s.counterStmt, err = s.r.PrepareContext(ctx, `SELECT value FROM counters WHERE name = 'places'`); err == nil {
		s.byIDsStmt, err = s.r.PrepareContext(ctx, `SELECT `+placePublicCols+` FROM places WHERE `+s.d.inList("id", 1))
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: prepare: %w", err)
	}
	return s, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	for _, st := range []*sql.Stmt{s.counterStmt, s.byIDsStmt} {
		if st != nil {
			st.Close()
		}
	}
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// newInstanceID names a process: host name and a random suffix, readable
// in the database when an operator looks at who holds what.
func newInstanceID() string {
	host, _ := os.Hostname()
	var b [6]byte
	rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Instance names this process in its claims on shared work.
func (s *Store) Instance() string { return s.instance }

// Engine is "sqlite" or "postgres".
func (s *Store) Engine() string { return s.d.name }

// Ping checks that the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	return s.r.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// inTx runs f in a write transaction, committed if f returns nil.
func (s *Store) inTx(ctx context.Context, f func(tx *sql.Tx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	return nil
}

// SetClock replaces the store's clock, for tests of dated behaviour.
func (s *Store) SetClock(now func() time.Time) { s.now = now }

// Now is the store's clock, for work that schedules rows by time.
func (s *Store) Now() time.Time { return s.now() }

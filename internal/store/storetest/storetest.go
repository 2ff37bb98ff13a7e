// Package storetest opens fresh stores on every engine for tests, so that
// the same test runs on SQLite and on the real PostgreSQL server.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"portrea/internal/store"
)

// DefaultPostgres is the test server of the contract.
const DefaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// PostgresURL is the PostgreSQL test server ($PORTREA_TEST_POSTGRES), or ""
// when it is explicitly disabled with PORTREA_TEST_POSTGRES=off.
func PostgresURL() string {
	u := os.Getenv("PORTREA_TEST_POSTGRES")
	switch u {
	case "":
		return DefaultPostgres
	case "off":
		return ""
	}
	return u
}

// Engine is a named way to open an empty store.
type Engine struct {
	Name string
	Open func(t testing.TB) *store.Store
}

// Engines lists SQLite and, unless disabled, PostgreSQL.
func Engines() []Engine {
	es := []Engine{{"sqlite", OpenSQLite}}
	if PostgresURL() != "" {
		es = append(es, Engine{"postgres", OpenPostgres})
	}
	return es
}

// Run runs f once per engine as a subtest, each with an empty store.
func Run(t *testing.T, f func(t *testing.T, st *store.Store)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { f(t, e.Open(t)) })
	}
}

// RunPair runs f once per engine with two stores on the same database, as
// two instances of PORTREA would be.
func RunPair(t *testing.T, f func(t *testing.T, a, b *store.Store)) {
	t.Run("sqlite", func(t *testing.T) {
		dsn := "sqlite:" + filepath.Join(t.TempDir(), "portrea.db")
		f(t, open(t, dsn), open(t, dsn))
	})
	if PostgresURL() != "" {
		t.Run("postgres", func(t *testing.T) {
			dsn, cleanup := NewPostgresSchema(t)
			t.Cleanup(cleanup)
			f(t, open(t, dsn), open(t, dsn))
		})
	}
}

// OpenSQLite opens an empty SQLite store in a temporary directory.
func OpenSQLite(t testing.TB) *store.Store {
	t.Helper()
	return open(t, "sqlite:"+filepath.Join(t.TempDir(), "portrea.db"))
}

// OpenPostgres opens an empty store in a new schema of the test server,
// dropped at the end of the test. A server that does not answer fails the
// test: PostgreSQL is part of `make test`, not an option.
func OpenPostgres(t testing.TB) *store.Store {
	t.Helper()
	dsn, cleanup := NewPostgresSchema(t)
	t.Cleanup(cleanup)
	return open(t, dsn)
}

// NewPostgresSchema creates an empty schema on the test server and returns
// a DSN whose search_path points at it, and a function dropping it.
func NewPostgresSchema(t testing.TB) (string, func()) {
	t.Helper()
	base := PostgresURL()
	admin, schema := adminAndName(t, base, "portrea_test_")
	ctx := context.Background()
	// The search extension lives in public, shared by the test schemas;
	// test processes may race to create it, so only its absence is fatal.
	if _, err := admin.ExecContext(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`); err != nil {
		var one int
		if admin.QueryRowContext(ctx, `SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'`).Scan(&one) != nil {
			admin.Close()
			t.Fatalf("postgres test server %s unreachable or unusable (set PORTREA_TEST_POSTGRES, or =off to skip): %v", base, err)
		}
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("postgres test server %s unreachable or unusable (set PORTREA_TEST_POSTGRES, or =off to skip): %v", base, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String(), func() {
		admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	}
}

func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// NewPostgresDatabase creates an empty database on the test server (for
// tools that work on whole databases, like pg_dump) and returns its URL
// and a function dropping it.
func NewPostgresDatabase(t testing.TB) (string, func()) {
	t.Helper()
	base := PostgresURL()
	admin, name := adminAndName(t, base, "portrea_test_db_")
	if _, err := admin.ExecContext(context.Background(), `CREATE DATABASE `+name); err != nil {
		admin.Close()
		t.Fatalf("postgres test server %s: create database: %v", base, err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		admin.ExecContext(context.Background(), `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`)
		admin.Close()
	}
}

// adminAndName connects to the test server as its administrator and draws
// a fresh name with the prefix.
func adminAndName(t testing.TB, base, prefix string) (*sql.DB, string) {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	var b [6]byte
	rand.Read(b[:])
	return admin, prefix + hex.EncodeToString(b[:])
}

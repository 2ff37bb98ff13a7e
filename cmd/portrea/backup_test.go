package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

func exportCSV(t *testing.T) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := run(context.Background(), []string{"export", "--format", "mednum-csv"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestBackupRestoreCommands(t *testing.T) {
	demoDB(t)
	ctx := context.Background()
	dir := t.TempDir()
	want := exportCSV(t)
	backup := filepath.Join(dir, "sauvegarde.db")
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", "--out", backup}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), backup) {
		t.Errorf("backup output: %q", out.String())
	}
	if err := run(ctx, []string{"backup", "--out", backup}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "existe déjà") {
		t.Errorf("backup over an existing file: %v", err)
	}

	// Restore into a new database, then read it as the server would.
	restored := filepath.Join(dir, "neuve", "portrea.db")
	t.Setenv("PORTREA_DB", "sqlite:"+restored)
	out.Reset()
	if err := run(ctx, []string{"restore", backup}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "arrêté") {
		t.Errorf("restore output: %q", out.String())
	}
	if got := exportCSV(t); !bytes.Equal(got, want) {
		t.Errorf("standard export differs after backup and restore (%d bytes, want %d)", len(got), len(want))
	}
	if err := run(ctx, []string{"restore", backup}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over an existing database: %v", err)
	}
	if err := run(ctx, []string{"restore", backup, "--force"}, io.Discard, io.Discard); err != nil {
		t.Errorf("restore --force: %v", err)
	}
	if got := exportCSV(t); !bytes.Equal(got, want) {
		t.Error("standard export differs after restore --force")
	}

	junk := filepath.Join(dir, "notes.txt")
	os.WriteFile(junk, []byte("ceci n'est pas une base"), 0o600)
	t.Setenv("PORTREA_DB", "sqlite:"+filepath.Join(dir, "autre.db"))
	if err := run(ctx, []string{"restore", junk}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "pas une base PORTREA") {
		t.Errorf("restore of a text file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "autre.db")); err == nil {
		t.Error("a refused restore wrote the database")
	}
}

// TestBackupRestoreOnPostgres backs up a PostgreSQL database with
// `portrea backup` (pg_dump) and restores it with `portrea restore`
// (pg_restore) into another database: the standard export is identical.
func TestBackupRestoreOnPostgres(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL disabled")
	}
	ctx := context.Background()
	src, dropSrc := storetest.NewPostgresDatabase(t)
	t.Cleanup(dropSrc)
	st, err := store.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, st, territory.Default(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	st.Close()
	t.Setenv("PORTREA_DB", src)
	want := exportCSV(t)
	backup := filepath.Join(t.TempDir(), "portrea.dump")
	var out bytes.Buffer
	if err := run(ctx, []string{"backup", "--out", backup}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pg_dump") {
		t.Errorf("backup output: %q", out.String())
	}
	if err := run(ctx, []string{"backup", "--out", backup}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "existe déjà") {
		t.Errorf("backup over an existing file: %v", err)
	}

	dst, dropDst := storetest.NewPostgresDatabase(t)
	t.Cleanup(dropDst)
	t.Setenv("PORTREA_DB", dst)
	if err := run(ctx, []string{"restore", backup}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := exportCSV(t); !bytes.Equal(got, want) || len(want) < 1000 {
		t.Errorf("standard export differs after backup and restore (%d bytes, want %d)", len(got), len(want))
	}
	rst, err := store.Open(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	users, err := rst.Users(ctx)
	rst.Close()
	if err != nil || len(users) != len(demo.Accounts) {
		t.Errorf("%d accounts after the restore, want %d (%v)", len(users), len(demo.Accounts), err)
	}
	if err := run(ctx, []string{"restore", backup}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "--force") {
		t.Errorf("restore over a database with tables: %v", err)
	}
	if err := run(ctx, []string{"restore", backup, "--force"}, io.Discard, io.Discard); err != nil {
		t.Fatalf("restore --force: %v", err)
	}
	if got := exportCSV(t); !bytes.Equal(got, want) {
		t.Error("standard export differs after restore --force")
	}
}

func TestMigrateDBCommand(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL disabled")
	}
	demoDB(t)
	ctx := context.Background()
	want := exportCSV(t)
	dsn, cleanup := storetest.NewPostgresSchema(t)
	t.Cleanup(cleanup)
	var out bytes.Buffer
	if err := run(ctx, []string{"migrate-db", "--to", dsn}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "places") {
		t.Errorf("migrate-db output: %q", out.String())
	}
	if err := run(ctx, []string{"migrate-db", "--to", dsn}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "déjà") {
		t.Errorf("second migration: %v", err)
	}
	t.Setenv("PORTREA_DB", dsn)
	if got := exportCSV(t); !bytes.Equal(got, want) {
		t.Errorf("standard export differs on PostgreSQL (%d bytes, want %d)", len(got), len(want))
	}
}

package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"portrea/internal/store/storetest"
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

func TestBackupOnPostgres(t *testing.T) {
	t.Setenv("PORTREA_DB", "postgres://portrea@127.0.0.1/portrea")
	err := run(context.Background(), []string{"backup", "--out", "x.dump"}, io.Discard, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "pg_dump --format=custom") || !strings.Contains(err.Error(), "pg_restore --clean") {
		t.Errorf("PostgreSQL backup: %v", err)
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

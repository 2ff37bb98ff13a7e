package store_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/export"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

func standardCSV(t *testing.T, st *store.Store) []byte {
	t.Helper()
	var b bytes.Buffer
	public := func(yield func(*place.Place) error) error { return st.EachPublicPlace(context.Background(), "", yield) }
	if _, err := export.StandardCSV(&b, public); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// seededSQLite is the demo, its accounts, a campaign and an import.
func seededSQLite(t *testing.T) *store.Store {
	t.Helper()
	ctx := context.Background()
	src := storetest.OpenSQLite(t)
	if _, err := demo.Seed(ctx, src, territory.Default(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, src); err != nil {
		t.Fatal(err)
	}
	ps, err := src.TerritoryPlaces(ctx, demo.BroceliandeSIREN)
	if err != nil || len(ps) == 0 {
		t.Fatalf("places %d %v", len(ps), err)
	}
	c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Name: "Mise à jour", Origin: store.OriginCommand,
		Deadline: time.Now().AddDate(0, 1, 0), Reminders: []int{7}, TrackOpens: true}
	if _, err := src.CreateCampaign(ctx, c, []store.Recipient{{PlaceID: ps[0].ID, Email: "lieu@example.org"}}); err != nil {
		t.Fatal(err)
	}
	u, err := src.UserByEmail(ctx, demo.Accounts[0].Email)
	if err != nil {
		t.Fatal(err)
	}
	im := &store.Import{EPCI: demo.BroceliandeSIREN, UserID: u.ID, FileName: "recensement.xlsx", Mode: "import", Mapping: "{}"}
	if err := src.CreateImport(ctx, im, []byte{0, 1, 2, 0xff}); err != nil {
		t.Fatal(err)
	}
	return src
}

func TestCopyToPostgres(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL disabled")
	}
	ctx := context.Background()
	src := seededSQLite(t)
	dst := storetest.OpenPostgres(t)
	counts, err := src.CopyTo(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"places", "place_history", "territories", "users", "user_territories", "campaigns",
		"campaign_recipients", "campaign_messages", "imports", "counters"} {
		want, err := src.RowCount(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		got, err := dst.RowCount(ctx, table)
		if err != nil {
			t.Fatal(err)
		}
		if got != want || counts[table] != want {
			t.Errorf("%s: %d rows in SQLite, %d copied, %d in PostgreSQL", table, want, counts[table], got)
		}
		if want == 0 && table != "counters" {
			t.Errorf("%s: nothing to copy, the test proves little", table)
		}
	}
	if _, ok := counts["sessions"]; ok {
		t.Error("sessions copied")
	}
	if a, b := standardCSV(t, src), standardCSV(t, dst); !bytes.Equal(a, b) {
		t.Errorf("standard export differs after the copy:\nSQLite %d bytes, PostgreSQL %d bytes", len(a), len(b))
	}
	u, err := dst.UserByEmail(ctx, demo.Accounts[1].Email)
	if err != nil || len(u.Territories) != 1 || u.Disabled {
		t.Errorf("user after copy: %+v %v", u, err)
	}
	// The identity sequences continue after the copied ids.
	extra := demo.Synthetic(territory.Default(), 1, 99)
	if _, err := dst.InsertPlaces(ctx, extra, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
		t.Errorf("write after the copy: %v", err)
	}

	// A second copy is refused: the target is no longer empty.
	if _, err := src.CopyTo(ctx, dst); !errors.Is(err, store.ErrTargetNotEmpty) {
		t.Errorf("copy into a used database: %v", err)
	}
}

func TestBackupAndCheck(t *testing.T) {
	ctx := context.Background()
	src := seededSQLite(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "sauvegarde.db")
	if err := src.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	if err := src.Backup(ctx, out); !errors.Is(err, store.ErrExists) {
		t.Errorf("backup over an existing file: %v", err)
	}
	if v, err := store.CheckBackup(ctx, out); err != nil || v == 0 {
		t.Errorf("check backup: %d %v", v, err)
	}
	junk := filepath.Join(dir, "junk.db")
	os.WriteFile(junk, []byte("pas une base"), 0o600)
	if _, err := store.CheckBackup(ctx, junk); !errors.Is(err, store.ErrNotBackup) {
		t.Errorf("check junk: %v", err)
	}
	if storetest.PostgresURL() != "" {
		if err := storetest.OpenPostgres(t).Backup(ctx, filepath.Join(dir, "pg.db")); !errors.Is(err, store.ErrNotSQLite) {
			t.Errorf("postgres backup: %v", err)
		}
	}
}

package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// demoDB seeds the demo territory in a new SQLite database, points
// PORTREA_DB at it and returns a Brocéliande place with a private contact
// and the number of Brocéliande places.
func demoDB(t *testing.T) (*place.Place, int) {
	t.Helper()
	dsn := "sqlite:" + filepath.Join(t.TempDir(), "p.db")
	t.Setenv("PORTREA_DB", dsn)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := demo.Seed(ctx, st, territory.Default(), time.Now()); err != nil {
		t.Fatal(err)
	}
	ps, err := st.TerritoryPlaces(ctx, demo.BroceliandeSIREN)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ContactEmail != "" {
			return p, len(ps)
		}
	}
	t.Fatal("no demo place with a private contact")
	return nil, 0
}

func TestExportCommand(t *testing.T) {
	private, inTerritory := demoDB(t)
	ctx := context.Background()
	dir := t.TempDir()

	// Standard CSV on stdout: nothing but the file.
	var out bytes.Buffer
	if err := run(ctx, []string{"export", "--format", "mednum-csv"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(out.Bytes())).ReadAll()
	if err != nil {
		t.Fatalf("stdout is not CSV: %v", err)
	}
	if len(rows[0]) != len(place.Columns) || rows[0][0] != "id" || len(rows) < 40 {
		t.Errorf("CSV: %d rows, header %v", len(rows), rows[0])
	}
	if strings.Contains(out.String(), private.ContactEmail) {
		t.Error("private contact in the open-data export")
	}
	all := len(rows) - 1

	// Each open format to a file, for all territories and for one.
	for _, tc := range []struct {
		format, epci string
		check        func(t *testing.T, b []byte) int
	}{
		{"mednum-json", "", func(t *testing.T, b []byte) int {
			var objs []map[string]any
			if err := json.Unmarshal(b, &objs); err != nil {
				t.Fatal(err)
			}
			return len(objs)
		}},
		{"geojson", demo.BroceliandeSIREN, func(t *testing.T, b []byte) int {
			var fc struct {
				Type     string
				Features []any
			}
			if err := json.Unmarshal(b, &fc); err != nil || fc.Type != "FeatureCollection" {
				t.Fatalf("%v %q", err, fc.Type)
			}
			return len(fc.Features)
		}},
		{"data-inclusion", "", func(t *testing.T, b []byte) int {
			var f struct{ Structures, Services []map[string]any }
			if err := json.Unmarshal(b, &f); err != nil {
				t.Fatal(err)
			}
			if len(f.Services) != len(f.Structures) {
				t.Errorf("%d structures, %d services", len(f.Structures), len(f.Services))
			}
			return len(f.Structures)
		}},
	} {
		file := filepath.Join(dir, tc.format+".out")
		args := []string{"export", "--format", tc.format, "--out", file}
		if tc.epci != "" {
			args = append(args, "--epci", tc.epci)
		}
		out.Reset()
		if err := run(ctx, args, &out, io.Discard); err != nil {
			t.Fatalf("%s: %v", tc.format, err)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		n := tc.check(t, b)
		if want := fmt.Sprintf("%d lieux exportés dans %s\n", n, file); out.String() != want {
			t.Errorf("%s: printed %q, want %q", tc.format, out.String(), want)
		}
		if tc.epci == "" && n != all {
			t.Errorf("%s: %d places, the CSV has %d", tc.format, n, all)
		}
		if tc.epci != "" && (n == 0 || n >= all) {
			t.Errorf("%s of one territory: %d places of %d", tc.format, n, all)
		}
	}

	// The full census workbook: every place of the territory, private
	// contacts included, readable by its owner only.
	file := filepath.Join(dir, "recensement.xlsx")
	out.Reset()
	if err := run(ctx, []string{"export", "--format", "xlsx", "--epci", demo.BroceliandeSIREN, "--out", file}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d lieux exportés dans %s\n", inTerritory, file); out.String() != want {
		t.Errorf("xlsx: printed %q, want %q", out.String(), want)
	}
	if !xlsxContains(t, file, private.ContactEmail) {
		t.Errorf("the census workbook lacks the private contact %s", private.ContactEmail)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("census workbook mode %v (%v)", info.Mode(), err)
	}
}

// xlsxContains reports whether a text appears in a workbook's sheets or
// shared strings.
func xlsxContains(t *testing.T, file, text string) bool {
	t.Helper()
	z, err := zip.OpenReader(file)
	if err != nil {
		t.Fatalf("not an xlsx: %v", err)
	}
	defer z.Close()
	for _, f := range z.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if bytes.Contains(b, []byte(text)) {
			return true
		}
	}
	return false
}

func TestExportCommandErrors(t *testing.T) {
	demoDB(t)
	dir := t.TempDir()
	existing := filepath.Join(dir, "garde.csv")
	os.WriteFile(existing, []byte("ancien contenu"), 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"export"}, "indiquez le format avec --format"},
		{[]string{"export", "--format", "pdf"}, "format « pdf » inconnu"},
		{[]string{"export", "--format", "mednum-csv", "--epci", "123456789"}, "--epci : SIREN « 123456789 » inconnu"},
		{[]string{"export", "--format", "xlsx"}, "indiquez --epci SIREN"},
		{[]string{"export", "--format", "mednum-csv", "en-trop"}, "argument inattendu « en-trop »"},
		{[]string{"export", "--format", "mednum-csv", "--out", filepath.Join(dir, "absent", "x.csv")}, "impossible d'écrire"},
	} {
		var out bytes.Buffer
		err := run(context.Background(), tc.args, &out, io.Discard)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
		if out.Len() > 0 {
			t.Errorf("%v: wrote %q to stdout", tc.args, out.String())
		}
	}
	if b, _ := os.ReadFile(existing); string(b) != "ancien contenu" {
		t.Errorf("an existing file was touched: %q", b)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("failed exports left files: %v", entries)
	}
}

package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
)

// TestRGPDCommand: `portrea rgpd export` writes the person's data as JSON,
// `portrea rgpd erase` removes them, after which no export format holds
// them, while the place stays in every export.
func TestRGPDCommand(t *testing.T) {
	const (
		email = "gwenaelle.kerbrat@exemple.bzh"
		name  = "Gwenaëlle Kerbrat"
		core  = "698765431"
	)
	p, _ := demoDB(t)
	ctx := context.Background()
	st, err := store.Open(ctx, os.Getenv("PORTREA_DB"))
	if err != nil {
		t.Fatal(err)
	}
	p.ContactNom, p.ContactEmail, p.ContactTelephone = name, "Gwenaelle.Kerbrat@Exemple.bzh", "06 98 76 54 31"
	p.Telephone = "+33 6 98 76 54 31"
	if err := st.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()

	digits := regexp.MustCompile(`[^0-9]`)
	holds := func(s string) bool {
		return strings.Contains(strings.ToLower(s), email) || strings.Contains(s, name) || strings.Contains(digits.ReplaceAllString(s, ""), core)
	}
	dir := t.TempDir()
	exports := func() map[string]string {
		out := map[string]string{}
		for _, f := range exportFormats {
			file := filepath.Join(dir, f)
			args := []string{"export", "--format", f, "--out", file}
			if f == "xlsx" {
				args = append(args, "--epci", demo.BroceliandeSIREN)
			}
			if err := run(ctx, args, io.Discard, io.Discard); err != nil {
				t.Fatalf("export %s: %v", f, err)
			}
			b, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if f == "xlsx" {
				zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
				if err != nil {
					t.Fatal(err)
				}
				var sb strings.Builder
				for _, zf := range zr.File {
					rc, _ := zf.Open()
					io.Copy(&sb, rc)
					rc.Close()
				}
				b = []byte(sb.String())
			}
			out[f] = string(b)
		}
		return out
	}
	if before := exports(); !holds(before["xlsx"]) || !holds(before["mednum-csv"]) {
		t.Fatal("the person is not in the exports before the erasure: the test proves nothing")
	}

	file := filepath.Join(dir, "personne.json")
	var stderr bytes.Buffer
	if err := run(ctx, []string{"rgpd", "export", "--email", " GWENAELLE.Kerbrat@exemple.bzh ", "--out", file}, io.Discard, &stderr); err != nil {
		t.Fatal(err)
	}
	var exp store.PersonalExport
	b, _ := os.ReadFile(file)
	if err := json.Unmarshal(b, &exp); err != nil || exp.Records() == 0 || !strings.Contains(string(b), name) {
		t.Fatalf("export: %v, %d records", err, exp.Records())
	}

	var out bytes.Buffer
	if err := run(ctx, []string{"rgpd", "erase", "--email", email}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Effacement fait : 1 personne, ") || holds(out.String()) {
		t.Errorf("printed %q", out.String())
	}
	for f, body := range exports() {
		if holds(body) {
			t.Errorf("%s still holds the person", f)
		}
		if !strings.Contains(body, p.Nom) && !strings.Contains(body, strings.ReplaceAll(p.Nom, "'", "&apos;")) && !strings.Contains(body, strings.ReplaceAll(p.Nom, "'", "&#39;")) {
			t.Errorf("%s lost the place %q", f, p.Nom)
		}
	}
	if err := run(ctx, []string{"rgpd", "erase", "--email", "pas-une-adresse"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "n'est pas une adresse électronique") {
		t.Errorf("bad address: %v", err)
	}
	if err := run(ctx, []string{"rgpd", "oublier"}, io.Discard, io.Discard); err == nil {
		t.Error("unknown rgpd subcommand accepted")
	}
}

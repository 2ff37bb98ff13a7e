package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"portrea/internal/census"
	"portrea/internal/demo"
	"portrea/internal/export"
	"portrea/internal/geocode/geocodetest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// TestMain lets tests run the real command in a child process (to kill it
// mid-import): with PORTREA_TEST_MAIN=1 the test binary is portrea.
func TestMain(m *testing.M) {
	if os.Getenv("PORTREA_TEST_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestImportCommand(t *testing.T) {
	demoDB(t)
	n := placesIn(t)
	dir := t.TempDir()
	file := filepath.Join(dir, "recensement.csv")
	csv := "nom;adresse;code_postal;commune;telephone;horaires\n" +
		"Tiers-lieu des Forges;3 rue des Forges;35380;Paimpont;02 99 07 84 23;du mardi au samedi de 10h à 18h\n" +
		"Espace Rennes;1 place de la Mairie;35000;Rennes;;\n"
	if err := os.WriteFile(file, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", file, "--epci", demo.BroceliandeSIREN, "--dry-run", "--no-geocode"}, &out, &errOut); err != nil {
		t.Fatalf("dry run: %v\n%s", err, errOut.String())
	}
	for _, want := range []string{"format standard national", "ligne 3 (Espace Rennes) : erreur", "n'appartient pas au territoire CC Brocéliande", "Sera créé : 1", "rien n'a été enregistré"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("dry-run report lacks %q:\n%s", want, out.String())
		}
	}
	if got := placesIn(t); got != n {
		t.Fatalf("a dry run wrote: %d places, want %d", got, n)
	}
	out.Reset()
	if err := run(ctx, []string{"import", "--epci", demo.BroceliandeSIREN, "--no-geocode", file}, &out, &errOut); err != nil {
		t.Fatalf("import: %v", err)
	}
	if !strings.Contains(out.String(), "1 lieux créés, 0 mis à jour") || placesIn(t) != n+1 {
		t.Errorf("import:\n%s", out.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"import"}, "indiquez le fichier"},
		{[]string{"import", filepath.Join(dir, "absent.csv")}, "introuvable"},
		{[]string{"import", file, "--epci", "123"}, "SIREN « 123 » inconnu"},
		{[]string{"import", file, "--prefill"}, "--prefill a besoin"},
	} {
		err := run(ctx, c.args, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.args, err, c.want)
		}
	}
}

func placesIn(t *testing.T) int {
	t.Helper()
	st, err := store.Open(context.Background(), os.Getenv("PORTREA_DB"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	n, err := st.CountPlaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bigStandardCSV writes n synthetic places of one territory as a national
// standard CSV.
func bigStandardCSV(t *testing.T, n int) string {
	t.Helper()
	ref := territory.Default()
	communes := ref.CommunesOfEPCI(demo.BroceliandeSIREN)
	file := filepath.Join(t.TempDir(), "gros.csv")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	places := demo.Synthetic(ref, n, 3)
	for i, p := range places {
		c := communes[i%len(communes)]
		p.CodeInsee, p.Commune, p.CodePostal = c.Code, c.Nom, c.CodesPostaux[0]
	}
	if _, err := export.StandardCSV(f, func(yield func(*place.Place) error) error {
		for _, p := range places {
			if err := yield(p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return file
}

// TestImportKilledMidwayLeavesNothing kills `portrea import` once it has
// finished its preview and is writing, on both engines, and finds the
// database as it was; the import run again then writes every place once.
func TestImportKilledMidwayLeavesNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 20,000 rows")
	}
	const rows = 20000
	file := bigStandardCSV(t, rows)
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "k.db")}
	if storetest.PostgresURL() != "" {
		dsn, cleanup := storetest.NewPostgresSchema(t)
		t.Cleanup(cleanup)
		dsns["postgres"] = dsn
	}
	for engine, dsn := range dsns {
		t.Run(engine, func(t *testing.T) {
			t.Setenv("PORTREA_DB", dsn)
			before := placesIn(t)
			cmd := exec.Command(os.Args[0], "import", file, "--epci", demo.BroceliandeSIREN, "--no-geocode")
			cmd.Env = append(os.Environ(), "PORTREA_TEST_MAIN=1")
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stdout bytes.Buffer
			cmd.Stdout = &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The last progress line of the preview: the commit starts now.
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				if strings.HasPrefix(sc.Text(), "Rapprochement") && strings.Contains(sc.Text(), "20000 / 20000") {
					time.Sleep(50 * time.Millisecond)
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
			go io.Copy(io.Discard, stderr)
			cmd.Wait()
			if strings.Contains(stdout.String(), "Import enregistré") {
				t.Skip("the import finished before the kill: this machine is too fast for this check")
			}
			if got := placesIn(t); got != before {
				t.Fatalf("killed mid-commit: %d places, want %d (all or nothing)", got, before)
			}
			var out bytes.Buffer
			if err := run(context.Background(), []string{"import", file, "--epci", demo.BroceliandeSIREN, "--no-geocode"}, &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			created := placesIn(t) - before
			if created == 0 || created > rows {
				t.Fatalf("after the rerun: %d places created from %d rows\n%s", created, rows, out.String())
			}
			// And once more: nothing new.
			out.Reset()
			if err := run(context.Background(), []string{"import", file, "--epci", demo.BroceliandeSIREN, "--no-geocode"}, &out, io.Discard); err != nil {
				t.Fatal(err)
			}
			if placesIn(t) != before+created || !strings.Contains(out.String(), "0 lieux créés") {
				t.Errorf("the same file again must create nothing:\n%s", lastLines(out.String(), 3))
			}
		})
	}
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// BenchmarkImportCommand50kXLSX runs `portrea import` as an operator would,
// in its own process, on a 50,000-row census workbook whose addresses are
// all geocoded by the local fake's batch endpoint, and reports the
// process's wall time and peak resident memory.
func BenchmarkImportCommand50kXLSX(b *testing.B) {
	ref := territory.Default()
	communes := ref.CommunesOfEPCI(demo.BroceliandeSIREN)
	var choices []string
	for _, c := range communes {
		choices = append(choices, census.CommuneChoice(c.Nom, c.Code))
	}
	places := demo.Synthetic(ref, 50000, 11)
	for i, p := range places {
		c := communes[i%len(communes)]
		p.ID, p.CodeInsee, p.Commune, p.CodePostal = "", c.Code, c.Nom, c.CodesPostaux[0]
		p.HasCoords, p.Latitude, p.Longitude = false, 0, 0
	}
	file := filepath.Join(b.TempDir(), "recensement.xlsx")
	f, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	err = census.WriteWorkbook(f, census.Workbook{Territory: "CC Brocéliande Communauté", Columns: census.Layout(nil, choices), Example: true,
		Places: func(yield func(*place.Place) error) error {
			for _, p := range places {
				if err := yield(p); err != nil {
					return err
				}
			}
			return nil
		}})
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	fake := geocodetest.Start(b)
	fake.Resolve = func(q, citycode string) *geocodetest.Address {
		c, ok := ref.Commune(citycode)
		if !ok {
			return nil
		}
		return &geocodetest.Address{Label: q, Type: "housenumber", Postcode: c.CodesPostaux[0], CityCode: c.Code, City: c.Nom, Lat: c.Lat, Lon: c.Lon}
	}
	engines := map[string]func() string{"sqlite": func() string { return "sqlite:" + filepath.Join(b.TempDir(), "bench.db") }}
	if storetest.PostgresURL() != "" {
		engines["postgres"] = func() string {
			dsn, cleanup := storetest.NewPostgresSchema(b)
			b.Cleanup(cleanup)
			return dsn
		}
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		newDSN, ok := engines[engine]
		if !ok {
			continue
		}
		b.Run(engine, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				dsn := newDSN()
				b.StartTimer()
				cmd := exec.Command(os.Args[0], "import", file, "--epci", demo.BroceliandeSIREN)
				cmd.Env = append(os.Environ(), "PORTREA_TEST_MAIN=1", "PORTREA_DB="+dsn, "PORTREA_GEOCODER_URL="+fake.URL)
				out, err := cmd.CombinedOutput()
				if err != nil || !strings.Contains(string(out), "Import enregistré") || !strings.Contains(string(out), "Géocodage : 50000 adresses placées") {
					b.Fatalf("%v\n%s", err, lastLines(string(out), 5))
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				b.ReportMetric(float64(ru.Maxrss)/1024, "MB-peak-rss")
			}
		})
	}
}

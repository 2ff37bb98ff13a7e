package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"portrea/internal/census"
	"portrea/internal/config"
	"portrea/internal/export"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// exportFormats are the formats of `portrea export`, in the order of the help.
var exportFormats = []string{"mednum-csv", "mednum-json", "geojson", "xlsx", "data-inclusion"}

// exportCommand handles `portrea export --format F [--epci SIREN] [--out FILE]`.
// The open formats hold the active places and their public fields; xlsx is
// a territory's full census workbook, private fields included (the
// operator of the server is authorised to see everything).
func exportCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "format : "+strings.Join(exportFormats, ", "))
	epci := fs.String("epci", "", "SIREN de l'EPCI à exporter (par défaut : tous les territoires ; obligatoire pour xlsx)")
	out := fs.String("out", "", "fichier à écrire (par défaut : la sortie standard)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("argument inattendu « %s » (options : --format, --epci, --out)", fs.Arg(0))
	}
	known := false
	for _, f := range exportFormats {
		known = known || f == *format
	}
	if *format == "" {
		return fmt.Errorf("indiquez le format avec --format (%s)", strings.Join(exportFormats, ", "))
	}
	if !known {
		return fmt.Errorf("format « %s » inconnu (formats : %s)", *format, strings.Join(exportFormats, ", "))
	}
	ref := territory.Default()
	territoryName := "France"
	if *epci != "" {
		e, ok := ref.EPCI(*epci)
		if !ok {
			return fmt.Errorf("--epci : SIREN « %s » inconnu", *epci)
		}
		territoryName = e.Nom
	} else if *format == "xlsx" {
		return errors.New("le recensement complet (xlsx) se fait par territoire : indiquez --epci SIREN")
	}
	st, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()

	write := func(w io.Writer) (int, error) {
		public := func(yield func(*place.Place) error) error { return st.EachPublicPlace(ctx, *epci, yield) }
		switch *format {
		case "mednum-csv":
			return export.StandardCSV(w, public)
		case "mednum-json":
			return export.StandardJSON(w, public)
		case "geojson":
			return export.GeoJSON(w, public)
		case "data-inclusion":
			return export.DataInclusion(w, public, cfg.BaseURL)
		}
		return writeCensus(ctx, st, ref, *epci, territoryName, w)
	}
	if *out == "" {
		bw := bufio.NewWriter(stdout)
		if _, err := write(bw); err != nil {
			return fmt.Errorf("export : %w", err)
		}
		return bw.Flush()
	}
	// The full census holds private contacts: readable by its owner only.
	perm := os.FileMode(0o644)
	if *format == "xlsx" {
		perm = 0o600
	}
	n, err := writeFileAtomically(*out, perm, write)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d lieux exportés dans %s\n", n, *out)
	return nil
}

// writeCensus writes a territory's full census workbook.
func writeCensus(ctx context.Context, st *store.Store, ref *territory.Reference, epci, name string, w io.Writer) (int, error) {
	fields, err := st.ExtraFields(ctx, epci)
	if err != nil {
		return 0, err
	}
	var communes []string
	for _, c := range ref.CommunesOfEPCI(epci) {
		communes = append(communes, census.CommuneChoice(c.Nom, c.Code))
	}
	n := 0
	err = census.WriteWorkbook(w, census.Workbook{
		Territory: name,
		Columns:   census.Layout(fields, communes),
		Places: func(yield func(*place.Place) error) error {
			n = 0 // counts the last pass, should the writer read twice
			return st.EachPlaceOfTerritory(ctx, epci, func(p *place.Place) error {
				n++
				return yield(p)
			})
		},
		Private:   true,
		Generated: time.Now(),
	})
	return n, err
}

// writeFileAtomically writes through a temporary file renamed at the end,
// so that a failed export leaves no half file and an existing file intact.
func writeFileAtomically(path string, perm os.FileMode, write func(io.Writer) (int, error)) (int, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".portrea-export-*")
	if err != nil {
		return 0, fmt.Errorf("impossible d'écrire dans le dossier de « %s » : %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	n, err := write(tmp)
	if err != nil {
		tmp.Close()
		return 0, fmt.Errorf("export : %w", err)
	}
	if err := tmp.Close(); err != nil {
		return 0, fmt.Errorf("écriture de « %s » : %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), perm); err != nil {
		return 0, err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return 0, fmt.Errorf("écriture de « %s » : %w", path, err)
	}
	return n, nil
}

package main

import (
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
	"portrea/internal/geocode"
	"portrea/internal/place"
	"portrea/internal/store"
)

// importCommand handles `portrea import FILE [--epci SIREN] [--dry-run]`.
func importCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	epci := fs.String("epci", "", "SIREN de l'EPCI du fichier (les lignes d'autres territoires sont refusées)")
	dryRun := fs.Bool("dry-run", false, "afficher l'aperçu sans rien enregistrer")
	prefill := fs.Bool("prefill", false, "pré-remplissage depuis les données ouvertes nationales : lignes hors territoire ignorées, lieux connus seulement complétés")
	noGeocode := fs.Bool("no-geocode", false, "ne pas géolocaliser les adresses sans coordonnées")
	verbose := fs.Bool("v", false, "une ligne de rapport par ligne du fichier, même sans remarque")
	// The file may come before or after the flags.
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New("indiquez le fichier à importer : portrea import FICHIER [--epci SIREN] [--dry-run]")
	}
	file := fs.Arg(0)
	if err := fs.Parse(fs.Args()[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("un seul fichier à la fois (reçu aussi « %s »)", fs.Arg(0))
	}
	info, err := os.Stat(file)
	if err != nil {
		return fmt.Errorf("fichier « %s » introuvable ou illisible", file)
	}
	if info.Size() > census.MaxFileSize {
		return fmt.Errorf("le fichier « %s » dépasse la limite de %d Mo : découpez-le en plusieurs fichiers", file, census.MaxFileSize>>20)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("lecture de « %s » : %w", file, err)
	}
	st, ref, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if *epci != "" {
		if _, ok := ref.EPCI(*epci); !ok {
			return fmt.Errorf("--epci : SIREN « %s » inconnu", *epci)
		}
	}
	if *prefill && *epci == "" {
		return errors.New("--prefill a besoin du territoire à pré-remplir : --epci SIREN")
	}
	im := &census.Importer{Store: st, Ref: ref}
	if !*noGeocode && cfg.GeocoderURL != "" {
		im.Geocoder = geocode.New(cfg.GeocoderURL)
	}
	mode := census.ModeImport
	if *prefill {
		mode = census.ModePrefill
	}
	name := filepath.Base(file)
	var rec *store.Import
	var f *census.File
	if *dryRun {
		f, err = census.ReadFile(name, data)
		rec = &store.Import{EPCI: *epci, FileName: name, Mode: mode}
	} else {
		rec, f, err = im.Receive(ctx, name, data, *epci, "", mode)
	}
	if err != nil {
		return err
	}
	if d, _, err := im.Detect(ctx, *epci, f); err != nil {
		return err
	} else if d.Format == census.FormatOther && !d.Saved {
		// Guessing the columns of an unknown table is the person's call:
		// the back office shows the proposal and keeps the confirmed one.
		return fmt.Errorf("colonnes non reconnues (%s) : ce fichier n'est ni un modèle de recensement ni au standard national. Importez-le une première fois depuis l'espace de gestion (Recensement) pour confirmer la correspondance des colonnes ; elle sera retenue pour les imports suivants", joinQuoted(headerNames(f.Header)))
	}
	start := time.Now()
	progress := cliProgress(stderr)
	pl, err := im.Preview(ctx, rec, f, nil, progress)
	if err != nil {
		return err
	}
	if len(pl.Detected.Unmapped) > 0 {
		fmt.Fprintf(stdout, "Colonnes ignorées : %s.\n", joinQuoted(pl.Detected.Unmapped))
	}
	pl.WriteText(stdout, *verbose)
	if *dryRun {
		fmt.Fprintln(stdout, "Aperçu seulement (--dry-run) : rien n'a été enregistré.")
		return nil
	}
	res, err := im.Commit(ctx, rec, pl, place.Actor{Kind: place.ActorImport, Name: name})
	if err != nil {
		st.SetImportStatus(context.WithoutCancel(ctx), rec.ID, store.ImportFailed, "échec de l'enregistrement : rien n'a été écrit")
		if errors.Is(err, store.ErrConflict) {
			return errors.New("des lieux ont été modifiés pendant l'import : rien n'a été écrit, relancez la commande")
		}
		return fmt.Errorf("enregistrement : rien n'a été écrit (%w)", err)
	}
	fmt.Fprintf(stdout, "Import enregistré en %s : %d lieux créés, %d mis à jour.\n", time.Since(start).Round(time.Millisecond), res.Created, res.Updated)
	if pl.Counts[census.ActionError]+pl.Counts[census.ActionDuplicate] > 0 {
		fmt.Fprintf(stdout, "Les lignes en erreur ou en doublon n'ont pas été importées (rapport téléchargeable dans l'espace de gestion, import %s).\n", rec.ID)
	}
	return nil
}

// cliProgress prints the stages of a long import on the terminal, at most
// once a second.
func cliProgress(w io.Writer) func(stage string, done, total int) {
	var last time.Time
	labels := map[string]string{census.StageRead: "Lecture", census.StageGeocode: "Géocodage", census.StageMatch: "Rapprochement"}
	return func(stage string, done, total int) {
		if total < 2000 || time.Since(last) < time.Second && done != total {
			return
		}
		last = time.Now()
		fmt.Fprintf(w, "%s : %d / %d\n", labels[stage], done, total)
	}
}

func joinQuoted(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += "« " + x + " »"
	}
	return out
}

func headerNames(h []string) []string {
	var out []string
	for _, x := range h {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

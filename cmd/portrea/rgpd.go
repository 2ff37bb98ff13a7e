package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"portrea/internal/config"
	"portrea/internal/store"
)

// rgpdCommand handles `portrea rgpd export --email X [--out FILE]` and
// `portrea rgpd erase --email X`: the rights of access and erasure of one
// person, as the hub's « Données personnelles » page does.
func rgpdCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		return errors.New("usage : portrea rgpd export --email ADRESSE [--out FICHIER] | portrea rgpd erase --email ADRESSE")
	}
	fs := flag.NewFlagSet("rgpd "+args[0], flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "adresse électronique de la personne")
	out := ""
	if args[0] == "export" {
		fs.StringVar(&out, "out", "", "fichier JSON à écrire (par défaut : la sortie standard)")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("argument inattendu « %s »", fs.Arg(0))
	}
	if *email == "" {
		return errors.New("indiquez l'adresse de la personne avec --email")
	}
	st, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if args[0] == "erase" {
		rep, err := st.ErasePerson(ctx, *email)
		switch {
		case errors.Is(err, store.ErrBadEmail):
			return fmt.Errorf("« %s » n'est pas une adresse électronique", *email)
		case errors.Is(err, store.ErrLastHub):
			return errors.New("rien n'a été effacé : cette adresse est celle du dernier compte actif du hub ; ouvrez d'abord un autre compte du hub")
		case err != nil:
			return fmt.Errorf("effacement : %w", err)
		}
		details := fmt.Sprintf("1 personne, %d enregistrement", rep.Records)
		if rep.Records > 1 {
			details += "s"
		}
		if err := st.Audit(ctx, "ligne de commande", "effacement RGPD", "", details); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Effacement fait : %s modifiés ou supprimés.\n", details)
		return nil
	}
	exp, err := st.ExportPerson(ctx, *email)
	if errors.Is(err, store.ErrBadEmail) {
		return fmt.Errorf("« %s » n'est pas une adresse électronique", *email)
	}
	if err != nil {
		return fmt.Errorf("export : %w", err)
	}
	w := stdout
	if out != "" {
		f, err := os.Create(out)
		if err != nil {
			return fmt.Errorf("--out : %w", err)
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(exp); err != nil {
		return fmt.Errorf("export : %w", err)
	}
	if out != "" {
		if err := st.Audit(ctx, "ligne de commande", "export RGPD", "", fmt.Sprintf("1 personne, %d enregistrements", exp.Records())); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%d enregistrements écrits dans %s.\n", exp.Records(), out)
	}
	return nil
}

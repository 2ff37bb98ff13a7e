// Command portrea runs PORTREA: the server and the operator commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"portrea/internal/config"
	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
	"portrea/internal/web"
)

const usage = `Usage : portrea <commande> [options]

Commandes :
  serve [--demo]                    lance le serveur ; --demo installe les données de démonstration si la base est vide
  demo --places N [--seed S]        ajoute N lieux fictifs répartis sur les communes de France (tests de charge)

Configuration par variables d'environnement :
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Erreur :", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "aide" {
		printUsage(stdout)
		return nil
	}
	cfg, err := config.FromEnv(nil)
	if err != nil {
		return err
	}
	switch args[0] {
	case "serve":
		return serve(ctx, cfg, args[1:], stdout, stderr)
	case "demo":
		return demoPlaces(ctx, cfg, args[1:], stdout)
	}
	printUsage(stderr)
	return fmt.Errorf("commande inconnue « %s »", args[0])
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	for _, v := range config.Vars {
		fmt.Fprintf(w, "  %-22s %s (défaut : %q)\n", v.Name, v.Doc, v.Default)
	}
}

func newLogger(cfg config.Config, w io.Writer) *slog.Logger {
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, nil))
	}
	return slog.New(slog.NewTextHandler(w, nil))
}

func open(ctx context.Context, cfg config.Config) (*store.Store, *territory.Reference, error) {
	ref, err := territory.Load()
	if err != nil {
		return nil, nil, fmt.Errorf("référentiel des territoires illisible : %w", err)
	}
	st, err := store.Open(ctx, cfg.DB)
	if err != nil {
		return nil, nil, fmt.Errorf("base de données %s : %w", cfg.DB, err)
	}
	return st, ref, nil
}

func serve(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	withDemo := fs.Bool("demo", false, "installer les données de démonstration si la base est vide")
	if err := fs.Parse(args); err != nil {
		return err
	}
	log := newLogger(cfg, stderr)
	st, ref, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if *withDemo {
		seeded, err := demo.Seed(ctx, st, ref, time.Now())
		if err != nil {
			return fmt.Errorf("données de démonstration : %w", err)
		}
		if seeded {
			fmt.Fprintln(stdout, "Données de démonstration installées : CC Brocéliande Communauté (exploitation), CC Montfort Communauté (déploiement) et les autres EPCI de Bretagne (contact).")
		}
	}
	if err := st.Warm(ctx); err != nil {
		return err
	}
	h, err := web.New(ctx, cfg, st, ref, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "PORTREA est prêt sur %s (base %s, référentiel %s).\n", cfg.BaseURL, st.Engine(), ref.Vintage())
	fmt.Fprintf(stdout, "  Carte et annuaire : %s/\n  API publique :      %s/api/v1/lieux\n", cfg.BaseURL, cfg.BaseURL)
	log.Info("démarrage", "addr", cfg.Addr, "db", st.Engine())
	if err := web.Serve(ctx, cfg.Addr, h, log); err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serveur : %w", err)
	}
	return nil
}

func demoPlaces(ctx context.Context, cfg config.Config, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stdout)
	n := fs.Int("places", 0, "nombre de lieux à ajouter")
	seed := fs.Uint64("seed", 1, "graine du générateur (mêmes lieux pour la même graine)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n <= 0 {
		return errors.New("indiquez le nombre de lieux avec --places N (N > 0)")
	}
	st, ref, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	start := time.Now()
	places := demo.Synthetic(ref, *n, *seed)
	added, err := st.InsertPlaces(ctx, places, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "portrea demo"}})
	if err != nil {
		return fmt.Errorf("ajout des lieux : %w", err)
	}
	fmt.Fprintf(stdout, "%d lieux fictifs ajoutés (%d déjà présents) en %s.\n", added, len(places)-added, time.Since(start).Round(time.Millisecond))
	return nil
}

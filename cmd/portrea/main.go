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
	"strings"
	"sync"
	"syscall"
	"time"

	"portrea/internal/account"
	"portrea/internal/config"
	"portrea/internal/demo"
	"portrea/internal/mail"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
	"portrea/internal/web"
)

const usage = `Usage : portrea <commande> [options]

Commandes :
  serve [--demo]                    lance le serveur ; --demo installe les données de démonstration si la base est vide
  demo --places N [--seed S]        ajoute N lieux fictifs répartis sur les communes de France (tests de charge)
  user add --email E --role hub|referent [--epci SIREN] [--nom N] [--type institutionnel|associatif]
                                    ouvre un compte et affiche le lien à usage unique pour choisir le mot de passe
  campaign start --epci SIREN [--no-send]
                                    ouvre une campagne de mise à jour pour les lieux du territoire qui ont une adresse
                                    électronique ; l'envoie (sauf --no-send) quand PORTREA_SMTP_URL est défini
  import FICHIER [--epci SIREN] [--dry-run] [--prefill] [--no-geocode] [-v]
                                    importe un modèle de recensement (.xlsx), un CSV ou JSON du standard national (v1 ou v0.1) ;
                                    affiche le rapport ligne par ligne ; --dry-run : aperçu sans rien enregistrer
  export --format mednum-csv|mednum-json|geojson|xlsx|data-inclusion [--epci SIREN] [--out FICHIER]
                                    exporte les lieux publiés (standard national, GeoJSON, data·inclusion) ou, en xlsx,
                                    le recensement complet d'un territoire avec les contacts privés
  backup --out FICHIER              sauvegarde à chaud de la base (SQLite : copie cohérente ; PostgreSQL : pg_dump)
  restore FICHIER [--force]         vérifie puis remet en place une sauvegarde (PostgreSQL : pg_restore) ; arrêtez les serveurs avant
  migrate-db --to postgres://…      copie la base actuelle dans une base PostgreSQL vide (sans les sessions)
  rgpd export --email ADRESSE [--out FICHIER]
                                    exporte en JSON tout ce que la base garde sur une personne (droit d'accès)
  rgpd erase --email ADRESSE        efface une personne de la base (droit à l'effacement) ; lieux et historique restent

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
	case "user":
		return userCommand(ctx, cfg, args[1:], stdout, stderr)
	case "import":
		return importCommand(ctx, cfg, args[1:], stdout, stderr)
	case "campaign":
		return campaignCommand(ctx, cfg, args[1:], stdout, stderr)
	case "export":
		return exportCommand(ctx, cfg, args[1:], stdout, stderr)
	case "backup":
		return backupCommand(ctx, cfg, args[1:], stdout, stderr)
	case "restore":
		return restoreCommand(ctx, cfg, args[1:], stdout, stderr)
	case "migrate-db":
		return migrateDBCommand(ctx, cfg, args[1:], stdout, stderr)
	case "rgpd":
		return rgpdCommand(ctx, cfg, args[1:], stdout, stderr)
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
	ref := territory.Default() // shared with the store's own lookups
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
		if err := demo.SeedAccounts(ctx, st); err != nil {
			return fmt.Errorf("comptes de démonstration : %w", err)
		}
		fmt.Fprintf(stdout, "Comptes de démonstration (espace de gestion : %s/connexion) :\n", cfg.BaseURL)
		for _, a := range demo.Accounts {
			who := "administrateur du hub"
			if a.EPCI != "" {
				who = "référent·e de " + ref.EPCIName(a.EPCI)
			}
			fmt.Fprintf(stdout, "  %-24s %s / mot de passe : %s\n", who+" :", a.Email, a.Password)
		}
	}
	if err := st.Warm(ctx); err != nil {
		return err
	}
	h, err := web.New(ctx, cfg, st, ref, log)
	if err != nil {
		return err
	}
	sender, err := mail.NewSender(cfg.SMTPURL)
	if err != nil {
		return fmt.Errorf("PORTREA_SMTP_URL : %w", err)
	}
	// Background work stops with ctx (SIGTERM, Ctrl-C): each job finishes
	// the message in flight and hands the rest back to the database, where
	// another instance, or this one after a restart, takes it up.
	var jobs sync.WaitGroup
	if sender != nil {
		jobs.Go(func() { mail.Run(ctx, st, sender, cfg.MailFrom(), 15*time.Second, log) })
	}
	// Campaigns: the calendar and reminders always run; messages go out
	// when SMTP is configured, otherwise they wait in the queue.
	jobs.Go(func() { campaignSender(st, ref, cfg, sender, log).Run(ctx, 5*time.Second) })
	// The portraits' monthly key figures, kept for their trend.
	jobs.Go(func() { web.RunSnapshots(ctx, st, ref, 24*time.Hour, log) })
	// Personal-data retention (see the register in the back office).
	jobs.Go(func() { web.RunRetention(ctx, st, 24*time.Hour, log) })
	defer waitJobs(&jobs, log)
	fmt.Fprintf(stdout, "PORTREA est prêt sur %s (base %s, référentiel %s).\n", cfg.BaseURL, st.Engine(), ref.Vintage())
	fmt.Fprintf(stdout, "  Carte et annuaire : %s/\n  API publique :      %s/api/v1/lieux\n", cfg.BaseURL, cfg.BaseURL)
	log.Info("démarrage", "addr", cfg.Addr, "db", st.Engine())
	err = web.Serve(ctx, cfg.Addr, h, log)
	// No request runs any more: wait (with the jobs) for the work requests
	// started, which stops with ctx.
	jobs.Go(h.Wait)
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("serveur : %w", err)
	}
	return nil
}

// waitJobs waits for the background jobs to hand their work back, for a
// while: a stuck SMTP server must not keep the process from stopping.
func waitJobs(jobs *sync.WaitGroup, log *slog.Logger) {
	done := make(chan struct{})
	go func() { jobs.Wait(); close(done) }()
	select {
	case <-done:
		log.Info("arrêt : travaux en cours terminés ou rendus")
	case <-time.After(45 * time.Second):
		log.Warn("arrêt : des travaux n'ont pas fini à temps ; leurs réservations expireront d'elles-mêmes")
	}
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

// userCommand handles `portrea user add`.
func userCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "add" {
		return errors.New("sous-commande attendue : portrea user add --email E --role hub|referent [--epci SIREN]")
	}
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	fs.SetOutput(stderr)
	email := fs.String("email", "", "adresse électronique de la personne")
	role := fs.String("role", "", "hub ou referent")
	epci := fs.String("epci", "", "SIREN de l'EPCI du référent (plusieurs séparés par des virgules)")
	name := fs.String("nom", "", "nom affiché")
	kind := fs.String("type", "", "référent institutionnel ou associatif")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	st, ref, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	u := &account.User{Email: *email, Name: *name, Role: account.Role(*role)}
	for _, e := range strings.Split(*epci, ",") {
		if e = strings.TrimSpace(e); e != "" {
			u.Territories = append(u.Territories, account.Territory{EPCI: e, Kind: *kind})
		}
	}
	if err := account.CheckNewUser(u, func(s string) bool { _, ok := ref.EPCI(s); return ok }); err != nil {
		return err
	}
	if err := st.CreateUser(ctx, u); errors.Is(err, store.ErrEmailTaken) {
		return fmt.Errorf("un compte existe déjà pour %s", u.Email)
	} else if err != nil {
		return err
	}
	secret, err := st.CreateLink(ctx, u.ID, account.PurposeActivation, account.ActivationTTL)
	if err != nil {
		return err
	}
	details := string(u.Role)
	for _, t := range u.Territories {
		details += " " + t.EPCI
	}
	if err := st.Audit(ctx, "ligne de commande", "compte créé", u.Email, details); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Compte créé pour %s (%s).\n", u.Email, account.RoleLabels[u.Role])
	for _, t := range u.Territories {
		fmt.Fprintf(stdout, "  Territoire : %s (%s)\n", ref.EPCIName(t.EPCI), t.EPCI)
	}
	fmt.Fprintf(stdout, "Lien à usage unique pour choisir le mot de passe (valable 7 jours) :\n%s\n", account.LinkURL(cfg.BaseURL, account.PurposeActivation, secret))
	return nil
}

package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"sort"
	"strings"

	"portrea/internal/config"
	"portrea/internal/store"
)

// backupCommand handles `portrea backup --out FICHIER`: an online snapshot
// of the SQLite database. PostgreSQL has its own tools.
func backupCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "fichier de la sauvegarde (ne doit pas exister)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *out == "" {
		return errors.New("indiquez le fichier de la sauvegarde avec --out FICHIER")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("le fichier %s existe déjà : choisissez un autre nom, une sauvegarde n'en écrase jamais une autre", *out)
	}
	if !strings.HasPrefix(cfg.DB, "sqlite:") {
		// PostgreSQL: its own consistent online dump, written aside and
		// renamed once complete.
		partial := *out + ".partiel"
		defer os.Remove(partial)
		if err := pgTool(ctx, "pg_dump", cfg.DB, "--format=custom", "--no-owner", "--no-privileges", "--file="+partial); err != nil {
			return err
		}
		if err := os.Rename(partial, *out); err != nil {
			return fmt.Errorf("sauvegarde : %w", err)
		}
		fmt.Fprintf(stdout, "Sauvegarde PostgreSQL (pg_dump, format custom) écrite dans %s ; le serveur peut continuer de tourner.\n", *out)
		return nil
	}
	st, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *out); err != nil {
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("le fichier %s existe déjà : choisissez un autre nom, une sauvegarde n'en écrase jamais une autre", *out)
		}
		return fmt.Errorf("sauvegarde : %w", err)
	}
	fmt.Fprintf(stdout, "Sauvegarde écrite dans %s (copie cohérente, le serveur peut continuer de tourner).\n", *out)
	return nil
}

// restoreCommand handles `portrea restore FICHIER [--force]` (SQLite).
func restoreCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	force := fs.Bool("force", false, "remplacer la base existante")
	file, rest := "", args
	if len(rest) > 0 && !strings.HasPrefix(rest[0], "-") {
		file, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if file == "" || fs.NArg() > 0 {
		return errors.New("usage : portrea restore FICHIER [--force] (arrêtez le serveur avant)")
	}
	path, ok := strings.CutPrefix(cfg.DB, "sqlite:")
	if !ok {
		return restorePostgres(ctx, cfg.DB, file, *force, stdout)
	}
	if err := store.Restore(ctx, file, path, *force); err != nil {
		switch {
		case errors.Is(err, store.ErrNotBackup):
			return fmt.Errorf("%s n'est pas une base PORTREA SQLite valide : %w", file, err)
		case errors.Is(err, store.ErrExists):
			return fmt.Errorf("la base %s existe déjà : arrêtez le serveur, puis relancez avec --force pour la remplacer", path)
		}
		return fmt.Errorf("restauration : %w", err)
	}
	fmt.Fprintf(stdout, "Base restaurée dans %s depuis %s. Le serveur doit avoir été arrêté pendant la restauration ; relancez-le.\n", path, file)
	return nil
}

// migrateDBCommand handles `portrea migrate-db --to postgres://…`: copies
// the current database into an empty PostgreSQL database.
func migrateDBCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate-db", flag.ContinueOnError)
	fs.SetOutput(stderr)
	to := fs.String("to", "", "base PostgreSQL de destination, vide (postgres://…)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !strings.HasPrefix(*to, "postgres://") && !strings.HasPrefix(*to, "postgresql://") {
		return errors.New("indiquez la base PostgreSQL de destination avec --to postgres://…")
	}
	src, _, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("base de destination : %w", err)
	}
	defer dst.Close()
	counts, err := src.CopyTo(ctx, dst)
	if err != nil {
		if errors.Is(err, store.ErrTargetNotEmpty) {
			return errors.New("la base de destination contient déjà des lieux ou des comptes : la migration ne remplit qu'une base vide")
		}
		return fmt.Errorf("migration : %w (rien n'a été écrit dans la destination)", err)
	}
	tables := make([]string, 0, len(counts))
	for t := range counts {
		tables = append(tables, t)
	}
	sort.Strings(tables)
	fmt.Fprintln(stdout, "Données copiées vers PostgreSQL :")
	for _, t := range tables {
		fmt.Fprintf(stdout, "  %-24s %d lignes\n", t, counts[t])
	}
	fmt.Fprintln(stdout, "Les sessions et compteurs anti-abus ne sont pas copiés : les personnes se reconnectent.")
	fmt.Fprintln(stdout, "Pointez PORTREA_DB sur la nouvelle base puis relancez le serveur.")
	return nil
}

// restorePostgres loads a pg_dump backup into the database of PORTREA_DB,
// in one transaction: into an empty database, or over the current one with
// force.
func restorePostgres(ctx context.Context, dsn, file string, force bool, stdout io.Writer) error {
	if _, err := os.Stat(file); err != nil {
		return fmt.Errorf("sauvegarde %s introuvable", file)
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("base PostgreSQL : %w", err)
	}
	var tables int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()`).Scan(&tables)
	db.Close()
	if err != nil {
		return fmt.Errorf("base PostgreSQL injoignable : %w", err)
	}
	args := []string{"--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error"}
	if tables > 0 {
		if !force {
			return errors.New("la base PostgreSQL contient déjà des tables : arrêtez les serveurs, puis relancez avec --force pour la remplacer par la sauvegarde")
		}
		args = append(args, "--clean", "--if-exists")
	}
	if err := pgTool(ctx, "pg_restore", dsn, append(args, file)...); err != nil {
		return err
	}
	// The schema must not be newer than this program.
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return fmt.Errorf("la base restaurée ne s'ouvre pas : %w", err)
	}
	st.Close()
	fmt.Fprintf(stdout, "Base PostgreSQL restaurée depuis %s. Les serveurs doivent avoir été arrêtés pendant la restauration ; relancez-les.\n", file)
	return nil
}

// pgTool runs pg_dump or pg_restore on the database dsn. The password, if
// any, goes through the environment, not the command line (which other
// users of the machine can read).
func pgTool(ctx context.Context, name, dsn string, args ...string) error {
	path, err := exec.LookPath(name)
	if err != nil {
		return fmt.Errorf("%s est introuvable : installez les outils clients de PostgreSQL (paquet postgresql-client, de la même version que le serveur)", name)
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return fmt.Errorf("PORTREA_DB : %w", err)
	}
	env := os.Environ()
	if pw, ok := u.User.Password(); ok {
		env = append(env, "PGPASSWORD="+pw)
		u.User = url.User(u.User.Username())
	}
	cmd := exec.CommandContext(ctx, path, append([]string{"--dbname=" + u.String()}, args...)...)
	cmd.Env = env
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s a échoué (%v) : %s", name, err, strings.TrimSpace(stderr.String()))
	}
	return nil
}

package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/config"
	"portrea/internal/mail"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// campaignSender is the background sender of campaign messages.
func campaignSender(st *store.Store, ref *territory.Reference, cfg config.Config, m *mail.Sender, log *slog.Logger) *campaign.Sender {
	return &campaign.Sender{Store: st, Ref: ref, Mail: m, From: cfg.MailFromAddress(), BaseURL: cfg.BaseURL, PerSecond: cfg.PerSecond(), Log: log}
}

// campaignCommand handles `portrea campaign start --epci SIREN`.
func campaignCommand(ctx context.Context, cfg config.Config, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "start" {
		return errors.New("usage : portrea campaign start --epci SIREN [--no-send]")
	}
	fs := flag.NewFlagSet("campaign start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	epci := fs.String("epci", "", "SIREN de l'EPCI")
	noSend := fs.Bool("no-send", false, "ne pas envoyer depuis cette commande (un serveur en marche s'en charge)")
	rate := fs.Float64("rate", cfg.PerSecond(), "messages par seconde au plus (tous serveurs confondus)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if *epci == "" {
		return errors.New("indiquez le territoire : --epci SIREN")
	}
	st, ref, err := open(ctx, cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	if _, ok := ref.EPCI(*epci); !ok {
		return fmt.Errorf("--epci : SIREN « %s » inconnu", *epci)
	}
	c := &store.Campaign{EPCI: *epci, Origin: store.OriginCommand, CreatedBy: "portrea campaign start"}
	n, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, time.Now())
	if err != nil {
		return fmt.Errorf("campagne : %w", err)
	}
	fmt.Fprintf(stdout, "Campagne %s ouverte pour %s : %d destinataires, réponse attendue d'ici le %s.\n", c.ID, ref.EPCIName(*epci), n, campaign.FrenchDate(c.Deadline))
	sender, err := mail.NewSender(cfg.SMTPURL)
	if err != nil {
		return fmt.Errorf("PORTREA_SMTP_URL : %w", err)
	}
	if sender == nil {
		fmt.Fprintln(stdout, "Pas de serveur SMTP (PORTREA_SMTP_URL) : les messages attendent dans la boîte d'envoi de l'espace de gestion.")
		return nil
	}
	if *noSend || n == 0 {
		return nil
	}
	s := campaignSender(st, ref, cfg, sender, slog.New(slog.NewTextHandler(stderr, nil)))
	s.PerSecond = *rate
	total := 0
	for {
		sent, err := s.SendBatch(ctx, s.BatchSize())
		if err != nil {
			return fmt.Errorf("envoi : %w (les messages restants partiront au prochain envoi)", err)
		}
		total += sent
		if sent == 0 {
			break
		}
		fmt.Fprintf(stderr, "Envoi : %d / %d\n", total, n)
	}
	sum, err := st.SummarizeCampaign(ctx, c.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d messages envoyés, %d refusés, %d en attente d'un nouvel essai.\n", sum.Sent, sum.Failed, sum.Waiting+sum.MessagesInFlight)
	return nil
}

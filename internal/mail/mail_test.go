package mail_test

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
	"portrea/internal/store/storetest"
)

func TestDeliverThroughSMTP(t *testing.T) {
	srv := mailtest.Start(t)
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	s, err := mail.NewSender(srv.SMTPURL)
	if err != nil {
		t.Fatal(err)
	}
	body := "Bonjour,\n\nVotre lien : https://carte.example.org/compte/activer?jeton=abc\n\nL'équipe du hub — à bientôt !"
	if err := st.QueueMail(ctx, "referente@example.org", "Créez votre mot de passe PORTREA", body); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	n, err := mail.Deliver(ctx, st, s, "PORTREA <ne-pas-repondre@example.org>", log)
	if err != nil || n != 1 {
		t.Fatalf("Deliver = %d, %v", n, err)
	}
	got := srv.Messages(t)
	if len(got) != 1 || got[0].Subject != "Créez votre mot de passe PORTREA" || got[0].To[0] != "referente@example.org" ||
		strings.TrimSpace(got[0].Text) != body {
		t.Fatalf("received %+v", got)
	}
	// Delivered once: a second pass sends nothing again.
	if n, _ := mail.Deliver(ctx, st, s, "PORTREA <ne-pas-repondre@example.org>", log); n != 0 || len(srv.Messages(t)) != 1 {
		t.Error("a delivered message was sent twice")
	}
	// A refused address is recorded, not lost, and retried a few times only.
	st.QueueMail(ctx, "pas une adresse", "Sujet", "x")
	for i := 0; i < 7; i++ {
		mail.Deliver(ctx, st, s, "PORTREA <ne-pas-repondre@example.org>", log)
	}
	pending, _ := st.Outbox(ctx, true, 10)
	if len(pending) != 1 || pending[0].Attempts != 5 || pending[0].LastError == "" {
		t.Errorf("failed message: %+v", pending)
	}
}

func TestSenderConfig(t *testing.T) {
	if s, err := mail.NewSender(""); s != nil || err != nil {
		t.Error("no URL: no sender, no error")
	}
	if _, err := mail.NewSender("http://x"); err == nil || !strings.Contains(err.Error(), "PORTREA_SMTP_URL") {
		t.Errorf("bad URL: %v", err)
	}
	b := string(mail.Format(mail.Message{From: "Hub <a@example.org>", To: "b@example.org", Subject: "Journée collaborative à Plélan", Body: "é"}, time.Now()))
	if !strings.Contains(b, "Subject: =?utf-8?q?Journ=C3=A9e_collaborative_=C3=A0_Pl=C3=A9lan?=") || !strings.Contains(b, "charset=utf-8") {
		t.Errorf("format:\n%s", b)
	}
}

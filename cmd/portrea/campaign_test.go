package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// placesWithContacts adds n places to Brocéliande, each with its own
// contact address, and returns the store (closed by the caller).
func placesWithContacts(t *testing.T, dsn string, n int) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := territory.Default()
	communes := ref.CommunesOfEPCI(demo.BroceliandeSIREN)
	ps := demo.Synthetic(ref, n, 5)
	for i, p := range ps {
		c := communes[i%len(communes)]
		p.CodeInsee, p.Commune, p.CodePostal = c.Code, c.Nom, c.CodesPostaux[0]
		p.Derive(ref)
		p.ContactEmail = fmt.Sprintf("lieu-%04d@structures.example.org", i)
	}
	if _, err := st.InsertPlaces(ctx, ps, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
		t.Fatal(err)
	}
}

// TestCampaignKilledMidSendDeliversEachMessageOnce kills `portrea campaign
// start` while it sends 2,000 messages, then lets a sender resume (as the
// server does at start): mailpit receives every message exactly once.
func TestCampaignKilledMidSendDeliversEachMessageOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 2,000 messages")
	}
	const n = 2000
	dsns := map[string]string{"sqlite": "sqlite:" + filepath.Join(t.TempDir(), "c.db")}
	if storetest.PostgresURL() != "" {
		dsn, cleanup := storetest.NewPostgresSchema(t)
		t.Cleanup(cleanup)
		dsns["postgres"] = dsn
	}
	for engine, dsn := range dsns {
		t.Run(engine, func(t *testing.T) {
			placesWithContacts(t, dsn, n)
			mp := mailtest.Start(t)
			cmd := exec.Command(os.Args[0], "campaign", "start", "--epci", demo.BroceliandeSIREN, "--rate", "300")
			cmd.Env = append(os.Environ(), "PORTREA_TEST_MAIN=1", "PORTREA_DB="+dsn, "PORTREA_SMTP_URL="+mp.SMTPURL)
			stderr, err := cmd.StderrPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stdout strings.Builder
			cmd.Stdout = &stdout
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(stderr)
			killed := false
			for sc.Scan() {
				var done, total int
				if _, err := fmt.Sscanf(sc.Text(), "Envoi : %d / %d", &done, &total); err == nil && done >= 700 {
					time.Sleep(37 * time.Millisecond) // land in the middle of a batch
					cmd.Process.Signal(syscall.SIGKILL)
					killed = true
					break
				}
			}
			go io.Copy(io.Discard, stderr)
			cmd.Wait()
			if !killed {
				t.Fatalf("the command ended before the kill:\n%s", stdout.String())
			}
			delivered := len(mp.Addresses(t))
			if delivered == 0 || delivered >= n {
				t.Fatalf("%d messages before the kill: the kill did not land mid-send", delivered)
			}

			// The server starts again: its sender takes back the messages
			// the dead process held, once their hold is over.
			ctx := context.Background()
			st, err := store.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			st.SetClock(func() time.Time { return time.Now().Add(5 * time.Minute) })
			sender, err := mail.NewSender(mp.SMTPURL)
			if err != nil {
				t.Fatal(err)
			}
			s := &campaign.Sender{Store: st, Ref: territory.Default(), Mail: sender, From: "x@portrea.example", BaseURL: "https://p.example", PerSecond: 1000}
			for {
				k, err := s.SendBatch(ctx, 200)
				if err != nil {
					t.Fatal(err)
				}
				if k == 0 {
					break
				}
			}
			counts := map[string]int{}
			for _, a := range mp.Addresses(t) {
				counts[a]++
			}
			if len(counts) != n {
				t.Errorf("%d addresses received a message, want %d", len(counts), n)
			}
			for a, k := range counts {
				if k != 1 {
					t.Errorf("%s received %d messages", a, k)
				}
			}
			t.Logf("%d messages before the kill, %d in all", delivered, len(mp.Addresses(t)))
		})
	}
}

func TestCampaignStartCommand(t *testing.T) {
	demoDB(t)
	mp := mailtest.Start(t)
	ctx := context.Background()
	var out strings.Builder
	t.Setenv("PORTREA_SMTP_URL", "")
	if err := run(ctx, []string{"campaign", "start", "--epci", demo.BroceliandeSIREN}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var id string
	var n int
	if _, err := fmt.Sscanf(out.String(), "Campagne %s ouverte", &id); err != nil || !strings.Contains(out.String(), "destinataires") || !strings.Contains(out.String(), "boîte d'envoi") {
		t.Fatalf("output:\n%s", out.String())
	}
	fmt.Sscanf(out.String()[strings.Index(out.String(), ": ")+2:], "%d destinataires", &n)
	if n == 0 || len(mp.Addresses(t)) != 0 {
		t.Fatalf("%d recipients; without SMTP nothing is sent:\n%s", n, out.String())
	}
	// With SMTP, the command sends the queue: the first campaign's
	// waiting messages and the new one's.
	t.Setenv("PORTREA_SMTP_URL", mp.SMTPURL)
	out.Reset()
	if err := run(ctx, []string{"campaign", "start", "--epci", demo.BroceliandeSIREN, "--rate", "500"}, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if got := len(mp.Addresses(t)); got != 2*n || !strings.Contains(out.String(), fmt.Sprintf("%d messages envoyés", n)) {
		t.Errorf("%d messages in mailpit, want %d:\n%s", got, 2*n, out.String())
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"campaign"}, "usage"},
		{[]string{"campaign", "start"}, "--epci"},
		{[]string{"campaign", "start", "--epci", "000"}, "inconnu"},
	} {
		if err := run(ctx, c.args, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v", c.args, err)
		}
	}
}

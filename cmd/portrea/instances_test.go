package main

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/mail/mailtest"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// server is a `portrea serve` process of a test.
type server struct {
	cmd  *exec.Cmd
	base string
	log  *lockedWriter
	done chan error
}

// startServer runs `portrea serve` (this test binary, see TestMain) on a
// free port with the given database and SMTP server.
func startServer(t *testing.T, dsn, smtpURL string) *server {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	s := &server{base: "http://" + addr, log: &lockedWriter{}, done: make(chan error, 1)}
	s.cmd = exec.Command(os.Args[0], "serve")
	s.cmd.Env = append(os.Environ(), "PORTREA_TEST_MAIN=1", "PORTREA_DB="+dsn, "PORTREA_ADDR="+addr, "PORTREA_BASE_URL="+s.base,
		"PORTREA_SMTP_URL="+smtpURL, "PORTREA_SEND_RATE=150", "PORTREA_GEOCODER_URL=http://127.0.0.1:1", "PORTREA_GEOAPI_URL=http://127.0.0.1:1")
	s.cmd.Stdout, s.cmd.Stderr = io.Discard, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.done <- s.cmd.Wait() }()
	t.Cleanup(func() {
		s.cmd.Process.Kill()
		if t.Failed() {
			t.Logf("log of the server on %s:\n%s", s.base, s.log)
		}
	})
	for i := 0; ; i++ {
		resp, err := http.Get(s.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if i == 200 {
			t.Fatalf("server not ready: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// lockedWriter lets the process's stderr be read while it runs.
type lockedWriter struct {
	mu sync.Mutex
	b  strings.Builder
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

var (
	inputRE    = regexp.MustCompile(`<input [^>]*name="([^"]+)"[^>]*>`)
	valueRE    = regexp.MustCompile(`value="([^"]*)"`)
	textareaRE = regexp.MustCompile(`(?s)<textarea [^>]*name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// formValues reads the values a browser would post from a page's forms:
// text inputs, checked boxes and radios, text areas.
func formValues(page string) url.Values {
	v := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(page, -1) {
		tag := m[0]
		if (strings.Contains(tag, `type="radio"`) || strings.Contains(tag, `type="checkbox"`)) && !strings.Contains(tag, " checked") {
			continue
		}
		if val := valueRE.FindStringSubmatch(tag); val != nil && v.Get(m[1]) == "" {
			v.Set(m[1], html.UnescapeString(val[1]))
		}
	}
	for _, m := range textareaRE.FindAllStringSubmatch(page, -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

// signIn opens a back-office session on a server for a demo account.
func signIn(t *testing.T, base, email, password string) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	page := get(t, c, base+"/connexion")
	v := formValues(page)
	v.Set("email", email)
	v.Set("mot_de_passe", password)
	resp, err := c.PostForm(base+"/connexion", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.HasPrefix(resp.Request.URL.Path, "/gestion") {
		t.Fatalf("sign-in ended on %s", resp.Request.URL)
	}
	return c
}

func get(t *testing.T, c *http.Client, u string) string {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, resp.StatusCode)
	}
	return string(b)
}

// startCampaignOn starts, through a server's back office as the demo
// referent, a campaign to every place of Brocéliande; it returns its id.
func startCampaignOn(t *testing.T, s *server) string {
	t.Helper()
	a := demo.Accounts[1]
	c := signIn(t, s.base, a.Email, a.Password)
	v := formValues(get(t, c, s.base+"/gestion/campagnes?epci="+demo.BroceliandeSIREN))
	v.Set("selection", "toutes")
	resp, err := c.PostForm(s.base+"/gestion/campagnes", v)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	id, ok := strings.CutPrefix(resp.Request.URL.Path, "/gestion/campagnes/")
	if !ok || resp.StatusCode != http.StatusOK || id == "" {
		t.Fatalf("starting the campaign ended on %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	return id
}

// waitQueueEmpty waits until no message is left to send, in every campaign.
func waitQueueEmpty(t *testing.T, db *sql.DB, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var left int
		if err := db.QueryRow(`SELECT count(*) FROM campaign_messages WHERE status IN ('attente', 'envoi')`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d messages still to send after %v", left, within)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// checkEachOnce compares what the SMTP server received with the messages
// of the campaigns created since `since`: one per recipient, none twice
// (an address shared by two places gets two).
func checkEachOnce(t *testing.T, db *sql.DB, mp *mailtest.Server, since time.Time) {
	t.Helper()
	rows, err := db.Query(`SELECT m.to_addr, m.status FROM campaign_messages m JOIN campaigns c ON c.id = m.campaign_id WHERE c.created_at >= $1`, since)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	total := 0
	for rows.Next() {
		var addr, status string
		if err := rows.Scan(&addr, &status); err != nil {
			t.Fatal(err)
		}
		if status != store.MessageSent {
			t.Errorf("message to %s is %q, not sent", addr, status)
		}
		want[addr]++
		total++
	}
	rows.Close()
	got := map[string]int{}
	for _, a := range mp.Addresses(t) {
		got[a]++
	}
	for addr, k := range want {
		if got[addr] != k {
			t.Errorf("%s received %d messages, want %d", addr, got[addr], k)
		}
	}
	if len(got) != len(want) || total < 400 {
		t.Errorf("%d addresses received mail, want %d (%d messages)", len(got), len(want), total)
	}
}

// TestTwoServersOnePostgreSQL runs two `portrea serve` processes on one
// PostgreSQL database and one SMTP server. A campaign started on the first
// is sent by both; the first is killed (SIGKILL) mid-send and the second
// finishes: every recipient is served exactly once. Then a second campaign
// is started on the survivor, a new first process stops with SIGTERM
// mid-send: it exits cleanly having handed back its claims (none left in
// its name), and again every recipient is served exactly once.
func TestTwoServersOnePostgreSQL(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL not available")
	}
	if testing.Short() {
		t.Skip("runs three server processes")
	}
	dsn, cleanup := storetest.NewPostgresSchema(t)
	t.Cleanup(cleanup)
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ref := territory.Default()
	if _, err := demo.Seed(ctx, st, ref, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	placesWithContacts(t, dsn, 400)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	t.Run("killed", func(t *testing.T) {
		mp := mailtest.Start(t)
		since := time.Now().Add(-time.Second)
		a := startServer(t, dsn, mp.SMTPURL)
		startServer(t, dsn, mp.SMTPURL) // the survivor
		startCampaignOn(t, a)
		for len(mp.Addresses(t)) < 150 {
			time.Sleep(20 * time.Millisecond)
		}
		a.cmd.Process.Signal(syscall.SIGKILL)
		<-a.done
		before := len(mp.Addresses(t))
		// The dead process's claims lapse (campaign.DefaultHold) and the
		// second server takes its messages over.
		waitQueueEmpty(t, db, campaign.DefaultHold+60*time.Second)
		checkEachOnce(t, db, mp, since)
		if after := len(mp.Addresses(t)); before >= after {
			t.Fatalf("everything was sent before the kill (%d of %d)", before, after)
		}
		// The hub's calendar (caught up at start when its last date is
		// recent, as 1 November is in late November) made its campaign at
		// most once, not once per server.
		var calendar int
		if err := db.QueryRow(`SELECT count(*) FROM campaigns WHERE origin = $1`, store.OriginCalendar).Scan(&calendar); err != nil {
			t.Fatal(err)
		}
		if calendar > 1 {
			t.Errorf("%d calendar campaigns for one date", calendar)
		}
		t.Logf("%d calendar campaign(s)", calendar)
		t.Logf("%d messages before the kill, %d in all", before, len(mp.Addresses(t)))
	})

	t.Run("SIGTERM", func(t *testing.T) {
		mp := mailtest.Start(t)
		since := time.Now().Add(-time.Second)
		a, b := startServer(t, dsn, mp.SMTPURL), startServer(t, dsn, mp.SMTPURL)
		startCampaignOn(t, b)
		// Stop the first server while it holds messages it has not sent.
		heldByA := fmt.Sprintf("%%-%d-%%", a.cmd.Process.Pid)
		for {
			var held int
			if err := db.QueryRow(`SELECT count(*) FROM campaign_messages WHERE status = 'envoi' AND claimed_by LIKE $1`, heldByA).Scan(&held); err != nil {
				t.Fatal(err)
			}
			if held > 10 && len(mp.Addresses(t)) > 50 {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		a.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-a.done:
			if err != nil {
				t.Fatalf("server stopped with %v:\n%s", err, a.log)
			}
		case <-time.After(60 * time.Second):
			t.Fatal("server did not stop after SIGTERM")
		}
		var held int
		if err := db.QueryRow(`SELECT count(*) FROM campaign_messages WHERE status = 'envoi' AND claimed_by LIKE $1`, heldByA).Scan(&held); err != nil {
			t.Fatal(err)
		}
		if held != 0 {
			t.Errorf("%d messages still claimed by the stopped server", held)
		}
		if !strings.Contains(a.log.String(), "travaux en cours terminés ou rendus") {
			t.Errorf("no clean stop in the log:\n%s", a.log)
		}
		// The stopped server was sending: it had sent some and handed
		// the rest of its batch back.
		var sentByA int
		if err := db.QueryRow(`SELECT count(*) FROM campaign_messages WHERE status = 'envoye' AND claimed_by LIKE $1`, heldByA).Scan(&sentByA); err != nil {
			t.Fatal(err)
		}
		handedBack := regexp.MustCompile(`rendus=([1-9][0-9]*)`).FindStringSubmatch(a.log.String())
		if sentByA == 0 || handedBack == nil {
			t.Errorf("the stopped server sent %d messages and handed back %v: it was not sending", sentByA, handedBack)
		}
		waitQueueEmpty(t, db, 60*time.Second)
		checkEachOnce(t, db, mp, since)
	})
}

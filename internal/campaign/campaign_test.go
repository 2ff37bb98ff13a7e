package campaign_test

import (
	"bufio"
	"context"
	"fmt"
	"mime"
	"net"
	"regexp"
	"strings"
	"sync"
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

const broceliande = demo.BroceliandeSIREN

var t0 = time.Date(2027, 3, 1, 8, 0, 0, 0, time.UTC)

func seed(t testing.TB, st *store.Store, now time.Time) {
	t.Helper()
	st.SetClock(func() time.Time { return now })
	if _, err := demo.Seed(context.Background(), st, territory.Default(), now); err != nil {
		t.Fatal(err)
	}
}

func placesWithAddress(t *testing.T, st *store.Store, epci string) map[string]*place.Place {
	t.Helper()
	out := map[string]*place.Place{}
	if err := st.EachPlaceOfTerritory(context.Background(), epci, func(p *place.Place) error {
		if p.Status == place.StatusActive && campaign.RecipientEmail(p) != "" {
			out[p.ID] = p
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func sendAll(t *testing.T, s *campaign.Sender) int {
	t.Helper()
	total := 0
	for {
		n, err := s.SendBatch(context.Background(), 50)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

var linkRE = regexp.MustCompile(`https?://\S+/maj/([A-Za-z0-9_-]+)`)

// TestCampaignDeliversOnePersonalLinkPerPlace sends a campaign to the demo
// territory through a real SMTP server: one message per place with an
// address, each with its own working link; "rien n'a changé" through a
// link moves date_maj and the summary.
func TestCampaignDeliversOnePersonalLinkPerPlace(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		seed(t, st, t0)
		ref := territory.Default()
		want := placesWithAddress(t, st, broceliande)
		c := &store.Campaign{EPCI: broceliande, Origin: store.OriginReferent}
		n, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, t0)
		if err != nil {
			t.Fatal(err)
		}
		if n != len(want) || n == 0 {
			t.Fatalf("%d recipients, want %d", n, len(want))
		}
		mp := mailtest.Start(t)
		sender, err := mail.NewSender(mp.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		s := &campaign.Sender{Store: st, Ref: ref, Mail: sender, From: "ne-pas-repondre@portrea.example", BaseURL: "https://portrea.example", PerSecond: 1000}
		if sent := sendAll(t, s); sent != n {
			t.Fatalf("sent %d, want %d", sent, n)
		}
		msgs := mp.Messages(t)
		if len(msgs) != n {
			t.Fatalf("%d messages arrived, want %d", len(msgs), n)
		}
		byAddr := map[string]int{}
		for _, p := range want {
			byAddr[campaign.RecipientEmail(p)]++
		}
		secrets := map[string]bool{}
		var first *store.Link
		var firstSecret string
		for _, m := range msgs {
			if len(m.To) != 1 || byAddr[m.To[0]] == 0 {
				t.Fatalf("unexpected recipient %v", m.To)
			}
			byAddr[m.To[0]]--
			found := linkRE.FindStringSubmatch(m.Text)
			if found == nil {
				t.Fatalf("no personal link in:\n%s", m.Text)
			}
			if secrets[found[1]] {
				t.Fatal("two messages carry the same link")
			}
			secrets[found[1]] = true
			l, err := st.LinkByToken(ctx, campaign.HashLink(found[1]))
			if err != nil || l.CampaignID != c.ID || want[l.PlaceID] == nil {
				t.Fatalf("link of %v: %+v %v", m.To, l, err)
			}
			if !strings.Contains(m.Text, want[l.PlaceID].Nom) || !strings.Contains(m.Text, "/desinscription") || strings.Contains(m.Text, "{{") {
				t.Errorf("message of %s:\n%s", want[l.PlaceID].Nom, m.Text)
			}
			if first == nil {
				first, firstSecret = l, found[1]
			}
		}
		if strings.Contains(firstSecret, "/") {
			t.Fatal("bad secret")
		}
		// "Rien n'a changé" for the first place, a few days later.
		later := t0.AddDate(0, 0, 3)
		st.SetClock(func() time.Time { return later })
		p := want[first.PlaceID]
		if err := st.RecordAnswer(ctx, store.Answer{CampaignID: c.ID, PlaceID: p.ID, Kind: store.AnswerUnchanged, Direct: p,
			Actor: place.Actor{Kind: place.ActorCampaign, Name: c.ID}}); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetPlace(ctx, p.ID)
		if err != nil || !got.DateMaj.Equal(place.Date(later)) {
			t.Fatalf("date_maj after « rien n'a changé » = %v (%v)", got.DateMaj, err)
		}
		sum, err := st.SummarizeCampaign(ctx, c.ID)
		if err != nil || sum.Sent != n || sum.Unchanged != 1 || sum.NoAnswer != n-1 {
			t.Errorf("summary %+v %v", sum, err)
		}
		// Nothing more to send, and a second sender finds nothing either.
		if again := sendAll(t, s); again != 0 || len(mp.Addresses(t)) != n {
			t.Errorf("a second pass sent %d", again)
		}
	})
}

// TestScheduleCreatesEachCalendarCampaignOnce runs the calendar on two
// instances, after a stop that missed the date, and again later.
func TestScheduleCreatesEachCalendarCampaignOnce(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		ref := territory.Default()
		seed(t, a, t0.AddDate(0, -1, 0))
		// The server was stopped on 1 March and starts on the 5th.
		now := time.Date(2027, 3, 5, 9, 0, 0, 0, time.UTC)
		n, err := campaign.Schedule(ctx, a, ref, now)
		if err != nil || n != 1 {
			t.Fatalf("first run created %d (%v), want 1 (Brocéliande is the only territory in exploitation)", n, err)
		}
		for _, st := range []*store.Store{a, b, a} {
			if n, err := campaign.Schedule(ctx, st, ref, now.Add(time.Hour)); err != nil || n != 0 {
				t.Fatalf("again: %d (%v)", n, err)
			}
		}
		cs, err := a.Campaigns(ctx, nil, 10)
		if err != nil || len(cs) != 1 || cs[0].ScheduleKey != "2027-03-01" || cs[0].Origin != store.OriginCalendar || cs[0].EPCI != broceliande {
			t.Fatalf("%+v %v", cs, err)
		}
		// Long after a date, it is not caught up; the next date is.
		if n, _ := campaign.Schedule(ctx, a, ref, time.Date(2027, 6, 30, 9, 0, 0, 0, time.UTC)); n != 0 {
			t.Errorf("a date 4 months old was caught up")
		}
		if n, _ := campaign.Schedule(ctx, b, ref, time.Date(2027, 7, 1, 6, 0, 0, 0, time.UTC)); n != 1 {
			t.Errorf("1 July: %d campaigns", n)
		}
		// An edited calendar is followed.
		if err := a.SetSetting(ctx, campaign.CalendarSetting, "07-15"); err != nil {
			t.Fatal(err)
		}
		if n, _ := campaign.Schedule(ctx, a, ref, time.Date(2027, 7, 16, 6, 0, 0, 0, time.UTC)); n != 1 {
			t.Errorf("15 July: %d campaigns", n)
		}
	})
}

func TestParseCalendar(t *testing.T) {
	if got, err := campaign.ParseCalendar(" 11-01, 3-1,07-01 "); err != nil || fmt.Sprint(got) != "[[3 1] [7 1] [11 1]]" {
		t.Errorf("%v %v", got, err)
	}
	for _, bad := range []string{"", "1er mars", "13-01", "02-30"} {
		if _, err := campaign.ParseCalendar(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCheckTemplate(t *testing.T) {
	if err := campaign.CheckTemplate(campaign.DefaultSubject, campaign.DefaultBody); err != nil {
		t.Fatal(err)
	}
	for body, want := range map[string]string{
		"Bonjour {{lieu}}, {{desinscription}}":    "{{lien}}",
		"{{lien}} sans désinscription":            "{{desinscription}}",
		"{{lien}} {{desinscription}} {{inconnu}}": "inconnu",
		"{{lien}} {{desinscription}} {{lieu":      "accolades",
	} {
		if err := campaign.CheckTemplate("Objet", body); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", body, err, want)
		}
	}
}

// TestRemindersAndOptOut: reminders go once to those who neither answered
// nor opted out, and the messages of an address that opted out are not
// sent.
func TestRemindersAndOptOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		seed(t, st, t0)
		ref := territory.Default()
		c := &store.Campaign{EPCI: broceliande, Origin: store.OriginReferent}
		n, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, t0)
		if err != nil || n < 3 {
			t.Fatal(n, err)
		}
		rs, err := st.CampaignRecipients(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		optedOut := rs[0].Email
		if err := st.OptOut(ctx, optedOut); err != nil {
			t.Fatal(err)
		}
		srv := startSMTP(t, nil)
		s := &campaign.Sender{Store: st, Ref: ref, Mail: srv.sender(t), From: "x@portrea.example", BaseURL: "https://p.example", PerSecond: 1000}
		sent := sendAll(t, s)
		if sent != n-countAddr(rs, optedOut) || srv.count(optedOut) != 0 {
			t.Fatalf("sent %d of %d, %d to the opted-out address", sent, n, srv.count(optedOut))
		}
		// One place answers; a week later the others get one reminder.
		p, err := st.GetPlace(ctx, rs[1].PlaceID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.RecordAnswer(ctx, store.Answer{CampaignID: c.ID, PlaceID: p.ID, Kind: store.AnswerUnchanged, Direct: p, Actor: place.Actor{Kind: place.ActorCampaign}}); err != nil {
			t.Fatal(err)
		}
		// Another place's link is revoked: no reminder (with a new link) for it.
		revoked := rs[2]
		if revoked.Email == optedOut {
			t.Fatal("pick another place")
		}
		if err := st.RevokeLinks(ctx, c.ID, revoked.PlaceID); err != nil {
			t.Fatal(err)
		}
		week := t0.AddDate(0, 0, 7).Add(time.Hour)
		st.SetClock(func() time.Time { return week })
		k, err := campaign.QueueReminders(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		wantReminders := n - countAddr(rs, optedOut) - 2
		if k != wantReminders {
			t.Errorf("%d reminders queued, want %d", k, wantReminders)
		}
		if k2, _ := campaign.QueueReminders(ctx, st); k2 != 0 {
			t.Errorf("reminders queued twice: %d", k2)
		}
		before := srv.total()
		if got := sendAll(t, s); got != wantReminders || srv.total()-before != wantReminders {
			t.Errorf("reminders sent %d", got)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(srv.lastSubject())
		if !strings.HasPrefix(subject, campaign.ReminderPrefix) {
			t.Errorf("reminder subject %q", srv.lastSubject())
		}
		// A phone call that confirms the place counts as an answer.
		before2, _ := st.SummarizeCampaign(ctx, c.ID)
		if err := st.RecordCall(ctx, c.ID, revoked.PlaceID, store.CallUnchanged, "", nil, store.Write{Actor: place.Actor{Kind: place.ActorPhone, Name: "referente"}}); err != nil {
			t.Fatal(err)
		}
		after, _ := st.SummarizeCampaign(ctx, c.ID)
		if after.Unchanged != before2.Unchanged+1 || after.NoAnswer != before2.NoAnswer-1 {
			t.Errorf("call not counted: %+v → %+v", before2, after)
		}
	})
}

func countAddr(rs []store.RecipientRow, email string) int {
	n := 0
	for _, r := range rs {
		if r.Email == email {
			n++
		}
	}
	return n
}

// TestBouncesAndTemporaryFailures: an address the server refuses for good
// is recorded on the place's recipient; a temporary refusal is retried
// later; the rest goes out.
func TestBouncesAndTemporaryFailures(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		seed(t, st, t0)
		ref := territory.Default()
		c := &store.Campaign{EPCI: broceliande, Origin: store.OriginReferent}
		n, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, t0)
		if err != nil {
			t.Fatal(err)
		}
		rs, _ := st.CampaignRecipients(ctx, c.ID)
		bad, busy := rs[0].Email, rs[1].Email
		var mu sync.Mutex
		busyOnce := true
		srv := startSMTP(t, func(rcpt string) string {
			mu.Lock()
			defer mu.Unlock()
			switch {
			case rcpt == bad:
				return "550 5.1.1 Adresse inconnue"
			case rcpt == busy && busyOnce:
				busyOnce = false
				return "451 4.7.1 Réessayez plus tard"
			}
			return ""
		})
		s := &campaign.Sender{Store: st, Ref: ref, Mail: srv.sender(t), From: "x@portrea.example", BaseURL: "https://p.example", PerSecond: 1000}
		sendAll(t, s)
		sum, _ := st.SummarizeCampaign(ctx, c.ID)
		if sum.Failed != countAddr(rs, bad) || sum.Bounced != countAddr(rs, bad) || sum.Waiting == 0 {
			t.Errorf("after the first pass: %+v", sum)
		}
		rows, _ := st.CampaignRecipients(ctx, c.ID)
		if !strings.Contains(rows[0].BounceReason, "550") {
			t.Errorf("bounce reason %q", rows[0].BounceReason)
		}
		// The retry comes after its back-off.
		st.SetClock(func() time.Time { return t0.Add(10 * time.Minute) })
		sendAll(t, s)
		sum, _ = st.SummarizeCampaign(ctx, c.ID)
		if sum.Sent != n-countAddr(rs, bad) || sum.Waiting != 0 || srv.count(busy) != countAddr(rs, busy) {
			t.Errorf("after the retry: %+v, %d to the busy address", sum, srv.count(busy))
		}
	})
}

// smtpServer is a minimal SMTP server for failure cases mailpit cannot
// play: refuse decides the answer to RCPT TO ("" accepts).
type smtpServer struct {
	addr string
	mu   sync.Mutex
	got  []string // recipient of each accepted message
	subj []string
}

func startSMTP(t *testing.T, refuse func(rcpt string) string) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	s := &smtpServer{addr: l.Addr().String()}
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go s.serve(conn, refuse)
		}
	}()
	return s
}

func (s *smtpServer) serve(conn net.Conn, refuse func(string) string) {
	defer conn.Close()
	r := bufio.NewReader(conn)
	say := func(line string) { fmt.Fprintf(conn, "%s\r\n", line) }
	say("220 test ESMTP")
	var rcpt, subject string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			say("250 test")
		case strings.HasPrefix(cmd, "MAIL FROM"):
			say("250 OK")
		case strings.HasPrefix(cmd, "RCPT TO"):
			rcpt = strings.Trim(strings.TrimSpace(line)[len("RCPT TO:"):], "<> ")
			if refuse != nil {
				if ans := refuse(rcpt); ans != "" {
					say(ans)
					continue
				}
			}
			say("250 OK")
		case cmd == "DATA":
			say("354 go on")
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return // the client went away before the end: nothing delivered
				}
				if strings.HasPrefix(l, "Subject: ") {
					subject = strings.TrimSpace(l[len("Subject: "):])
				}
				if l == ".\r\n" {
					break
				}
			}
			s.mu.Lock()
			s.got = append(s.got, rcpt)
			s.subj = append(s.subj, subject)
			s.mu.Unlock()
			say("250 queued")
		case cmd == "QUIT":
			say("221 bye")
			return
		default:
			say("250 OK")
		}
	}
}

func (s *smtpServer) sender(t *testing.T) *mail.Sender {
	m, err := mail.NewSender("smtp://" + s.addr)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func (s *smtpServer) count(rcpt string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.got {
		if r == rcpt {
			n++
		}
	}
	return n
}

func (s *smtpServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.got)
}

func (s *smtpServer) lastSubject() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.subj) == 0 {
		return ""
	}
	return s.subj[len(s.subj)-1]
}

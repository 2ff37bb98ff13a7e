package web

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
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

var mailLinkRE = regexp.MustCompile(`(https?://\S+/maj/[A-Za-z0-9_-]+)`)

// TestCampaignThroughMailpitAndLink is the whole chain: a campaign to the
// demo territory goes through a real SMTP server, one message per place
// with an address, each with a personal link that opens that place's
// form on the running server; « Rien n'a changé » through one link moves
// the place's date_maj and the campaign's summary.
func TestCampaignThroughMailpitAndLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		ref := territory.Default()
		// The demo places were last checked months ago.
		if _, err := demo.Seed(ctx, st, ref, now.AddDate(0, -2, 0)); err != nil {
			t.Fatal(err)
		}
		srv := httptest.NewServer(newTestServer(t, st, "http://127.0.0.1:1").routes())
		t.Cleanup(srv.Close)
		withAddress := map[string]*place.Place{}
		if err := st.EachPlaceOfTerritory(ctx, demo.BroceliandeSIREN, func(p *place.Place) error {
			if p.Status == place.StatusActive && campaign.RecipientEmail(p) != "" {
				withAddress[p.ID] = p
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Origin: store.OriginCommand}
		n, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, now)
		if err != nil || n != len(withAddress) {
			t.Fatalf("%d recipients (%v), want %d", n, err, len(withAddress))
		}
		mp := mailtest.Start(t)
		sender, err := mail.NewSender(mp.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		s := &campaign.Sender{Store: st, Ref: ref, Mail: sender, From: "ne-pas-repondre@portrea.example", BaseURL: srv.URL, PerSecond: 1000}
		for {
			k, err := s.SendBatch(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		msgs := mp.Messages(t)
		if len(msgs) != n {
			t.Fatalf("%d messages in mailpit, want %d", len(msgs), n)
		}
		client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		var chosen, chosenLink string
		for _, m := range msgs {
			link := mailLinkRE.FindString(m.Text)
			if link == "" {
				t.Fatalf("no link in the message to %v", m.To)
			}
			resp, err := client.Get(link)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			l, err := st.LinkByToken(ctx, campaign.HashLink(link[strings.LastIndex(link, "/")+1:]))
			if err != nil {
				t.Fatal(err)
			}
			p := withAddress[l.PlaceID]
			if resp.StatusCode != 200 || p == nil || !strings.Contains(string(body), htmlEscape(p.Nom)) {
				t.Fatalf("link of %v: %d, place %v", m.To, resp.StatusCode, p)
			}
			if chosen == "" {
				chosen, chosenLink = p.ID, link
			}
		}

		// « Rien n'a changé », a day later, as the actor clicks it.
		before, _ := st.GetPlace(ctx, chosen)
		resp, err := client.Get(chosenLink)
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		m := jetonField.FindStringSubmatch(string(page))
		if m == nil {
			t.Fatal("no form token on the link's page")
		}
		req, _ := http.NewRequest("POST", chosenLink+"/reponse", strings.NewReader(url.Values{"jeton": {m[1]}, "reponse": {"inchange"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", srv.URL)
		resp, err = client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("« Rien n'a changé »: %d", resp.StatusCode)
		}
		after, _ := st.GetPlace(ctx, chosen)
		if !after.DateMaj.After(before.DateMaj) || !after.DateMaj.Equal(place.Date(time.Now())) {
			t.Errorf("date_maj %s → %s", before.DateMaj.Format(time.DateOnly), after.DateMaj.Format(time.DateOnly))
		}
		sum, err := st.SummarizeCampaign(ctx, c.ID)
		if err != nil || sum.Sent != n || sum.Unchanged != 1 || sum.Visited != n || sum.NoAnswer != n-1 {
			t.Errorf("summary %+v (%v)", sum, err)
		}
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

// TestCampaignOpenTracking: off by default (plain text only); when a
// campaign turns it on, the HTML copy's image records the opening.
func TestCampaignOpenTracking(t *testing.T) {
	st := storetest.OpenSQLite(t)
	ctx := context.Background()
	ref := territory.Default()
	if _, err := demo.Seed(ctx, st, ref, time.Now().AddDate(0, -2, 0)); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(newTestServer(t, st, "http://127.0.0.1:1").routes())
	t.Cleanup(srv.Close)
	mp := mailtest.Start(t)
	sender, err := mail.NewSender(mp.SMTPURL)
	if err != nil {
		t.Fatal(err)
	}
	s := &campaign.Sender{Store: st, Ref: ref, Mail: sender, From: "x@portrea.example", BaseURL: srv.URL, PerSecond: 1000}
	for _, track := range []bool{false, true} {
		c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Origin: store.OriginReferent, TrackOpens: track}
		if _, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, time.Now()); err != nil {
			t.Fatal(err)
		}
		for {
			k, err := s.SendBatch(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		msg := mp.Messages(t)[0] // newest first
		pixel := regexp.MustCompile(`src="([^"]+/o\.gif)"`).FindStringSubmatch(msg.HTML)
		if !track {
			if msg.HTML != "" {
				t.Errorf("an HTML copy without open tracking")
			}
			continue
		}
		if pixel == nil {
			t.Fatalf("no tracking image in:\n%s", msg.HTML)
		}
		resp, err := http.Get(strings.ReplaceAll(pixel[1], "&amp;", "&"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/gif" {
			t.Errorf("pixel: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if sum, _ := st.SummarizeCampaign(ctx, c.ID); sum.Opened != 1 {
			t.Errorf("opened = %d, want 1", sum.Opened)
		}
	}
}

// TestEditorShowsBouncedAddress: a campaign message refused at a place's
// address is shown beside the address in the editor.
func TestEditorShowsBouncedAddress(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		ref := territory.Default()
		if _, err := demo.Seed(ctx, st, ref, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := demo.SeedAccounts(ctx, st); err != nil {
			t.Fatal(err)
		}
		h := newTestServer(t, st, "http://127.0.0.1:1").routes()
		c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Origin: store.OriginReferent}
		if _, err := campaign.Start(ctx, st, ref, c, campaign.Selection{}, time.Now()); err != nil {
			t.Fatal(err)
		}
		msgs, err := st.ClaimMessages(ctx, 1, time.Minute)
		if err != nil || len(msgs) != 1 {
			t.Fatal(msgs, err)
		}
		if err := st.FailMessage(ctx, msgs[0], "550 5.1.1 adresse inconnue"); err != nil {
			t.Fatal(err)
		}
		u := loginAs(t, h, boReferentEmail, boReferentPassword)
		text := pageText(u.get(t, h, "/gestion/lieux/"+msgs[0].PlaceID))
		if !strings.Contains(text, "a été refusé") || !strings.Contains(text, "550 5.1.1 adresse inconnue") {
			t.Errorf("the editor does not show the bounce:\n%s", text)
		}
	})
}

package web

import (
	"context"
	"image"
	"image/draw"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	qr "github.com/piglig/go-qr"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

var (
	rsvpLinkRE  = regexp.MustCompile(`http://localhost:8080(/journee/[A-Za-z0-9_-]{43})`)
	eventPathRE = regexp.MustCompile(`^/gestion/journees/([A-Za-z0-9_-]+)\?ok=creee$`)
	qrLinkRE    = regexp.MustCompile(`http://localhost:8080(/maj/[A-Za-z0-9_-]{43})`)
)

// createEventAs plans a day through the form and returns its id.
func createEventAs(t *testing.T, h http.Handler, u *boUser, epci, title string, meal bool) string {
	t.Helper()
	form := url.Values{"epci": {epci}, "titre": {title}, "date": {"2026-12-10"}, "debut": {"09:30"}, "fin": {"12:30"},
		"lieu": {"Salle des fêtes, 1 place de la Mairie, Plélan-le-Grand"}, "salle": {"Grande salle"}, "programme": {"9 h 30 — Accueil\n10 h — Ateliers"}}
	if meal {
		form.Set("repas", "oui")
	}
	rec := u.post(t, h, "/gestion/journees", form)
	m := eventPathRE.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("create day: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	return m[1]
}

// TestEventDay follows a collaborative day: planned with the strategy's
// programme, invitations through a real SMTP server (one per invitee, each
// with its RSVP link, never twice), an RSVP, the attacks on RSVP links,
// check-in, the QR link opening the place's update form, and afterwards
// the invited places still incomplete; another territory's referent gets
// 404 everywhere.
func TestEventDay(t *testing.T) {
	smtp := mailtest.Start(t)
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBOFixture(t, st)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		refB := loginAs(t, f.h, account_(2).Email, account_(2).Password)
		A, B := demo.BroceliandeSIREN, demo.MontfortSIREN

		// The form proposes the programme of the territory's strategy.
		page := refA.get(t, f.h, "/gestion/journees?epci="+A)
		if page.Code != 200 || !strings.Contains(page.Body.String(), "Généraliste") || !strings.Contains(page.Body.String(), htmlEscape("Interconnaissance")) ||
			!strings.Contains(page.Body.String(), "Proposé selon la stratégie du territoire") {
			t.Fatalf("form: %d %s", page.Code, page.Body.String())
		}
		if page := refB.get(t, f.h, "/gestion/journees?epci="+B); !strings.Contains(page.Body.String(), htmlEscape("Cas d'usage")) {
			t.Error("the outil strategy's programme is not proposed")
		}
		if rec := refB.post(t, f.h, "/gestion/journees", url.Values{"epci": {A}, "titre": {"x"}}); rec.Code != http.StatusNotFound {
			t.Errorf("referent B creates a day in A: %d", rec.Code)
		}

		title := "Journée test " + st.Engine()
		id := createEventAs(t, f.h, refA, A, title, true)
		e, err := st.GetEvent(ctx, id)
		if err != nil || e.CampaignID == "" || e.StartsAt.In(place.Paris).Hour() != 9 || !e.Meal {
			t.Fatalf("event %+v %v", e, err)
		}
		if rec := refA.post(t, f.h, "/gestion/journees/"+id+"/contacts", url.Values{"nom": {"Maire de Plélan"}, "courriel": {"maire@plelan.example"}, "type": {"elu"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("add contact: %d %s", rec.Code, rec.Body.String())
		}
		if rec := refA.post(t, f.h, "/gestion/journees/"+id+"/contacts", url.Values{"nom": {"Encore"}, "courriel": {"maire@plelan.example"}, "type": {"elu"}}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("same contact twice: %d", rec.Code)
		}
		ps, err := st.TerritoryPlaces(ctx, A)
		if err != nil {
			t.Fatal(err)
		}
		want := 1 // the mayor
		for _, p := range ps {
			if p.Status == place.StatusActive && campaign.RecipientEmail(p) != "" {
				want++
			}
		}

		// Another territory's referent sees none of it.
		for _, path := range []string{"/gestion/journees/" + id, "/gestion/journees/" + id + "/accueil"} {
			if rec := refB.get(t, f.h, path); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s as referent B: %d", path, rec.Code)
			}
		}
		for _, path := range []string{"/gestion/journees/" + id + "/invitations", "/gestion/journees/" + id} {
			if rec := refB.post(t, f.h, path, nil); rec.Code != http.StatusNotFound {
				t.Errorf("POST %s as referent B: %d", path, rec.Code)
			}
		}

		// Invitations: once each.
		if rec := refA.post(t, f.h, "/gestion/journees/"+id+"/invitations", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("send: %d %s", rec.Code, rec.Body.String())
		}
		if rec := refA.post(t, f.h, "/gestion/journees/"+id+"/invitations", nil); rec.Header().Get("Location") != "/gestion/journees/"+id+"?ok=aucune" {
			t.Errorf("second send: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		sender, err := mail.NewSender(smtp.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		if n := sendCampaignQueue(t, st, sender); n != want {
			t.Fatalf("sent %d invitations, want %d", n, want)
		}
		// One invitation per invitee: a place, or a contact typed in (two
		// places may share an address).
		links := map[string]bool{}
		var link string
		for _, m := range smtp.Messages(t) {
			if !strings.Contains(m.Subject, title) {
				continue
			}
			l := rsvpLinkRE.FindStringSubmatch(m.Text)
			if l == nil || len(m.To) != 1 || !strings.Contains(m.Text, "10 décembre 2026") || !strings.Contains(m.Text, "Un repas est offert") {
				t.Fatalf("invitation %v: %q", m.To, m.Text)
			}
			if links[l[1]] {
				t.Errorf("two invitations with the same link to %s", m.To[0])
			}
			links[l[1]] = true
			if m.To[0] == f.placeA.ContactEmail && strings.Contains(m.Text, "Invitation pour : "+f.placeA.Nom+"\n") {
				link = l[1]
			}
		}
		if len(links) != want {
			t.Fatalf("%d invitations in mailpit, want %d", len(links), want)
		}
		if link == "" {
			t.Fatal("no invitation to place A")
		}

		// RSVP: yes, two people, a diet.
		rsvp := get(t, f.h, link)
		if rsvp.Code != 200 || rsvp.Header().Get("Referrer-Policy") != "no-referrer" || !strings.Contains(rsvp.Body.String(), htmlEscape(title)) {
			t.Fatalf("RSVP page: %d %s", rsvp.Code, rsvp.Body.String())
		}
		jeton := jetonField.FindStringSubmatch(rsvp.Body.String())[1]
		answer := url.Values{"jeton": {jeton}, "reponse": {"oui"}, "nombre": {"2"}, "regime": {"Sans gluten"}}
		if rec := post(t, f.h, link, answer, map[string]string{"Sec-Fetch-Site": "cross-site"}); rec.Code != http.StatusForbidden {
			t.Errorf("cross-site RSVP: %d", rec.Code)
		}
		if rec := post(t, f.h, link, url.Values{"reponse": {"oui"}, "nombre": {"2"}}, nil); rec.Code != http.StatusForbidden {
			t.Errorf("RSVP without token: %d", rec.Code)
		}
		if rec := post(t, f.h, link, url.Values{"jeton": {jeton}, "reponse": {"oui"}, "nombre": {"0"}}, nil); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("RSVP for nobody: %d", rec.Code)
		}
		rec := post(t, f.h, link, answer, nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("RSVP: %d %s", rec.Code, rec.Body.String())
		}
		if done := get(t, f.h, rec.Header().Get("Location")); !strings.Contains(done.Body.String(), "vous venez, à 2") {
			t.Errorf("confirmation: %s", done.Body.String())
		}
		is, err := st.Invitees(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var invA *store.Invitee
		for _, i := range is {
			if i.PlaceID == f.placeA.ID {
				invA = i
			}
		}
		if invA == nil || invA.RSVP != store.RSVPYes || invA.PartySize != 2 || invA.Diet != "Sans gluten" {
			t.Fatalf("invitee A: %+v", invA)
		}

		// Attacks on RSVP links: guessed, pending placeholder, another
		// day's token.
		for _, bad := range []string{"/journee/" + strings.Repeat("A", 43), "/journee/a-inviter:" + invA.ID, "/journee/" + invA.TokenHash} {
			if rec := get(t, f.h, bad); rec.Code != http.StatusNotFound || !strings.Contains(rec.Body.String(), "Ce lien n&#39;est pas valable") {
				t.Errorf("GET %s: %d", bad, rec.Code)
			}
		}
		if rec := post(t, f.h, "/journee/"+strings.Repeat("B", 43), answer, nil); rec.Code != http.StatusNotFound {
			t.Errorf("POST to a guessed link: %d", rec.Code)
		}
		otherID := createEventAs(t, f.h, refB, B, "Autre journée "+st.Engine(), false)
		if rec := refB.post(t, f.h, "/gestion/journees/"+otherID+"/invitations", nil); rec.Code != http.StatusSeeOther {
			t.Fatal(rec.Code)
		}
		if rec := refA.get(t, f.h, "/gestion/journees/"+otherID); rec.Code != http.StatusNotFound {
			t.Errorf("referent A opens B's day: %d", rec.Code)
		}
		if n := sendCampaignQueue(t, st, sender); n == 0 {
			t.Fatal("the other day's invitations were not sent")
		}
		var other []string
		for _, m := range smtp.Messages(t) {
			if strings.Contains(m.Subject, "Autre journée "+st.Engine()) {
				other = rsvpLinkRE.FindStringSubmatch(m.Text)
				break
			}
		}
		if other == nil {
			t.Fatal("no link in the other day's invitations")
		}
		if rec := post(t, f.h, other[1], answer, nil); rec.Code != http.StatusForbidden {
			t.Errorf("another day's link with this one's token: %d", rec.Code)
		}

		// On the day: check-in and the QR link.
		page = refA.get(t, f.h, "/gestion/journees/"+id+"/accueil")
		if page.Code != 200 || !strings.Contains(page.Body.String(), htmlEscape(f.placeA.Nom)) || !strings.Contains(page.Body.String(), "Sans gluten") {
			t.Fatalf("check-in list: %d", page.Code)
		}
		if rec := refB.post(t, f.h, "/gestion/journees/"+id+"/accueil/"+invA.ID, nil); rec.Code != http.StatusNotFound {
			t.Errorf("referent B checks in: %d", rec.Code)
		}
		if rec := refA.post(t, f.h, "/gestion/journees/"+otherID+"/accueil/"+invA.ID, nil); rec.Code != http.StatusNotFound {
			t.Errorf("check-in through another day: %d", rec.Code)
		}
		if rec := refA.post(t, f.h, "/gestion/journees/"+id+"/accueil/"+invA.ID, nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("check in: %d %s", rec.Code, rec.Body.String())
		}
		if i, err := st.GetInvitee(ctx, id, invA.ID); err != nil || i.CheckedInAt.IsZero() {
			t.Errorf("not checked in: %+v %v", i, err)
		}
		if page := refA.get(t, f.h, "/gestion/journees/"+id+"/accueil"); !strings.Contains(page.Body.String(), "1 présent·e sur") {
			t.Errorf("count: %s", page.Body.String())
		}
		if rec := refB.get(t, f.h, "/gestion/journees/"+id+"/qr/"+invA.ID); rec.Code != http.StatusNotFound {
			t.Errorf("referent B's QR: %d", rec.Code)
		}
		qrPage := refA.get(t, f.h, "/gestion/journees/"+id+"/qr/"+invA.ID)
		ql := qrLinkRE.FindStringSubmatch(qrPage.Body.String())
		if qrPage.Code != 200 || ql == nil || !strings.Contains(qrPage.Body.String(), "<svg") {
			t.Fatalf("QR page: %d %s", qrPage.Code, qrPage.Body.String())
		}
		if again := refA.get(t, f.h, "/gestion/journees/"+id+"/qr/"+invA.ID); !strings.Contains(again.Body.String(), ql[1]) {
			t.Error("the QR page shows another link the second time")
		}
		maj := get(t, f.h, ql[1])
		if maj.Code != 200 || !strings.Contains(maj.Body.String(), htmlEscape(f.placeA.Nom)) {
			t.Fatalf("QR link: %d", maj.Code)
		}
		l, err := st.LinkByToken(ctx, campaign.HashLink(strings.TrimPrefix(ql[1], "/maj/")))
		if err != nil || l.CampaignID != e.CampaignID || !l.ExpiresAt.Equal(e.EndsAt.Add(7*24*time.Hour)) {
			t.Errorf("link %+v %v", l, err)
		}
		// The answer through the link is recorded in the day's campaign.
		mj := jetonField.FindStringSubmatch(maj.Body.String())[1]
		if rec := post(t, f.h, ql[1]+"/reponse", url.Values{"jeton": {mj}, "reponse": {"inchange"}}, nil); rec.Code != http.StatusSeeOther {
			t.Errorf("answer: %d", rec.Code)
		}
		if sum, err := st.SummarizeCampaign(ctx, e.CampaignID); err != nil || sum.Unchanged != 1 {
			t.Errorf("campaign summary %+v %v", sum, err)
		}

		// After the day: the invited places still incomplete.
		after := newTestServer(t, st, "http://127.0.0.1:1")
		after.now = func() time.Time { return e.EndsAt.Add(24 * time.Hour) }
		page = refA.get(t, after.routes(), "/gestion/journees/"+id)
		body := page.Body.String()
		if page.Code != 200 || !strings.Contains(body, "Lieux invités encore incomplets") || !strings.Contains(body, "/gestion/lieux/"+f.placeA.ID) ||
			!strings.Contains(body, htmlEscape("Adaptez-le à votre territoire")) {
			t.Errorf("incomplete list: %d %s", page.Code, body)
		}
		if rec := post(t, after.routes(), link, answer, nil); rec.Code != http.StatusForbidden && rec.Code != http.StatusConflict {
			t.Errorf("RSVP after the day: %d", rec.Code)
		}
	})
}

// TestQRSVGDecodes draws the inline SVG back as an image, module by
// module, and reads it with a QR decoder: it must give the link.
func TestQRSVGDecodes(t *testing.T) {
	const link = "http://localhost:8080/maj/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
	svg, err := qrSVG(link)
	if err != nil {
		t.Fatal(err)
	}
	size := regexp.MustCompile(`viewBox="0 0 (\d+) \d+"`).FindStringSubmatch(string(svg))
	n, _ := strconv.Atoi(size[1])
	const scale = 8
	img := image.NewGray(image.Rect(0, 0, n*scale, n*scale))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	for _, m := range regexp.MustCompile(`M(\d+) (\d+)h1v1h-1z`).FindAllStringSubmatch(string(svg), -1) {
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		draw.Draw(img, image.Rect(x*scale, y*scale, (x+1)*scale, (y+1)*scale), image.Black, image.Point{}, draw.Src)
	}
	got, err := qr.Decode(img)
	if err != nil || got != link {
		t.Fatalf("decoded %q (%v), want %q", got, err, link)
	}
}

// sendCampaignQueue runs the campaign sender as the server does, until the
// queue is empty, and returns how many messages went out.
func sendCampaignQueue(t *testing.T, st *store.Store, m *mail.Sender) int {
	t.Helper()
	s := &campaign.Sender{Store: st, Ref: territory.Default(), Mail: m, From: "ne-pas-repondre@portrea.invalid", BaseURL: "http://localhost:8080", PerSecond: 1000, Log: discardLog()}
	total := 0
	for {
		n, err := s.SendBatch(context.Background(), 100)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return total
		}
		total += n
	}
}

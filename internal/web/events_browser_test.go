package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
)

// The referent plans the collaborative day and sends the invitations; an
// invitee answers through the link of their e-mail (from mailpit); the
// referent checks them in, opens their QR page, and its link opens the
// place's update form. The day's pages, the RSVP page and the QR page
// pass axe-core.
func TestBrowserEventDay(t *testing.T) {
	smtp := mailtest.Start(t)
	b := newBoBrowserEnv(t)
	boLogin(b, account_(1).Email, account_(1).Password)

	b.open("/gestion/journees")
	b.noAxeViolations("the days page")
	b.do("fill the day",
		chromedp.SetValue(chromedp.ID("date"), "2026-12-10"),
		chromedp.SetValue(chromedp.ID("lieu"), "Salle des fêtes, Plélan-le-Grand"),
		chromedp.Click(chromedp.ID("repas-oui")))
	boNavigate(b, "create the day", chromedp.Click(chromedp.CSS(`form.event-form p.actions button[type=submit]`)))
	if !strings.Contains(eval[string](b, `document.querySelector("p.success").textContent`), "La journée est créée") {
		b.t.Fatal("day not created")
	}
	eventPath := eval[string](b, `location.pathname`)
	b.noAxeViolations("the day's page")
	boNavigate(b, "send the invitations", chromedp.Click(chromedp.CSS(`form[action$="/invitations"] button`)))

	sender, err := mail.NewSender(smtp.SMTPURL)
	if err != nil {
		t.Fatal(err)
	}
	sendCampaignQueue(t, b.st, sender)
	var link, name string
	for _, m := range smtp.Messages(t) {
		if l := rsvpLinkRE.FindStringSubmatch(m.Text); l != nil && strings.Contains(m.Text, "Invitation pour : ") {
			link = l[1]
			name = strings.SplitN(strings.SplitN(m.Text, "Invitation pour : ", 2)[1], "\n", 2)[0]
			name = strings.TrimSpace(strings.ReplaceAll(name, "\r", ""))
			break
		}
	}
	if link == "" {
		t.Fatal("no invitation in mailpit")
	}
	boLogout(b)

	// The invitee answers.
	b.open(link)
	b.noAxeViolations("the RSVP page")
	b.do("answer", chromedp.Click(chromedp.ID("reponse-oui")), chromedp.SetValue(chromedp.ID("nombre"), "2"),
		chromedp.SendKeys(chromedp.ID("regime"), "Végétarien"))
	boNavigate(b, "send the answer", chromedp.Click(chromedp.CSS(`main form button[type=submit]`)))
	if got := eval[string](b, `document.querySelector("p.success").textContent`); !strings.Contains(got, "vous venez, à 2") {
		t.Fatalf("confirmation: %q", got)
	}
	b.noAxeViolations("the RSVP confirmation")

	// On the day, the referent checks them in and opens their QR page.
	boLogin(b, account_(1).Email, account_(1).Password)
	b.open(eventPath + "/accueil")
	b.noAxeViolations("the check-in list")
	row := eval[string](b, `[...document.querySelectorAll("tbody tr")].find(tr => tr.querySelector("th").textContent.trim() === `+jsString(name)+`).id`)
	boNavigate(b, "check in", chromedp.Click(chromedp.CSS(`#`+row+` form button`)))
	if got := eval[string](b, `document.querySelector("#`+row+` td strong").textContent`); got != "Présent·e" {
		t.Fatalf("check-in: %q", got)
	}
	boNavigate(b, "open the QR page", chromedp.Click(chromedp.CSS(`#`+row+` a[href*="/qr/"]`)))
	b.noAxeViolations("the QR page")
	if n := eval[int](b, `document.querySelectorAll("figure.qr svg path").length`); n != 1 {
		t.Fatalf("no QR code drawn (%d)", n)
	}
	majLink := eval[string](b, `document.querySelector("a.qr-link").textContent`)
	m := qrLinkRE.FindStringSubmatch(majLink)
	if m == nil {
		t.Fatalf("QR link %q", majLink)
	}
	boLogout(b)
	b.open(m[1])
	if got := eval[string](b, `document.querySelector("h1").textContent`); got != name {
		t.Fatalf("the QR link opens %q, want %q", got, name)
	}
}

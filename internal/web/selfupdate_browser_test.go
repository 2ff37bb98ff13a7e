package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portrea/internal/campaign"
)

// phoneWidth × phoneHeight is the phone the personal links are tried on.
const phoneWidth, phoneHeight = 375, 812

// noSideScroll fails when the page is wider than the phone.
func noSideScroll(b *browserEnv, page string) {
	b.t.Helper()
	if w := eval[int](b, `document.documentElement.scrollWidth`); w > phoneWidth {
		b.t.Errorf("%s is %d px wide on a %d-px phone", page, w, phoneWidth)
	}
}

// An actor opens their link on a phone, changes a day with the hours
// builder, sends, and reads the confirmation; another clicks « Rien n'a
// changé ». Every page passes axe-core, and none scrolls sideways.
func TestBrowserSelfUpdateOnPhone(t *testing.T) {
	b := newBrowserEnv(t)
	b.st.SetClock(func() time.Time { return testNow })
	e := &linkEnv{st: b.st}
	e.startCampaign(t, "horaires")
	ctx := context.Background()
	b.do("phone", chromedp.EmulateViewport(phoneWidth, phoneHeight, chromedp.EmulateMobile))

	b.open("/maj/" + e.secretA)
	formReady := `!!document.querySelector(".hours-table") && !!document.querySelector(".hours-preview .hours-preview-title")`
	b.until("hours builder", formReady)
	b.screenshot("maj-formulaire")
	noSideScroll(b, "the form")
	b.noAxeViolations("le formulaire de mise à jour")

	// Open on Saturday morning: the builder offers Friday's hours; change them.
	b.do("open saturday", chromedp.Click(chromedp.ID("horaires-hb-d5-open")))
	b.until("saturday slot", `!!document.getElementById("horaires-hb-d5-s0-from")`)
	boSetValue(b, "horaires-hb-d5-s0-from", "10:00")
	boSetValue(b, "horaires-hb-d5-s0-to", "12:30")
	b.until("textarea written", `document.getElementById("horaires").value.includes("Sa 10:00-12:30")`)
	hours := eval[string](b, `document.getElementById("horaires").value`)

	// A wrong phone number first: the form comes back with the error, and
	// the hours as typed.
	b.do("wrong phone", chromedp.SetValue(chromedp.ID("telephone"), "12"))
	boNavigate(b, "send with an error", chromedp.Click(chromedp.CSS(".maj-submit button")))
	b.until("error summary", `!!document.querySelector("#erreurs a[href='#telephone']") && `+formReady)
	if focused := eval[string](b, `document.activeElement.id`); focused != "erreurs" {
		t.Errorf("focus on %q, want the error summary", focused)
	}
	if v := eval[string](b, `document.getElementById("horaires").value`); v != hours {
		t.Errorf("hours after the refused form: %q, want %q", v, hours)
	}
	b.screenshot("maj-erreurs")
	noSideScroll(b, "the refused form")
	b.noAxeViolations("le formulaire refusé")

	b.do("fix the phone", chromedp.SetValue(chromedp.ID("telephone"), "02 99 06 81 00"))
	boNavigate(b, "send", chromedp.Click(chromedp.CSS(".maj-submit button")))
	if h1 := eval[string](b, `document.querySelector("h1").textContent`); h1 != "Merci, vos modifications sont enregistrées" {
		t.Fatalf("confirmation title %q", h1)
	}
	if p := e.place(t, e.a.ID); p.Horaires != hours || p.Telephone != e.a.Telephone {
		t.Errorf("stored hours %q (want %q), phone %q", p.Horaires, hours, p.Telephone)
	}
	if ps := e.proposals(t); len(ps) != 0 {
		t.Errorf("proposals %+v", ps[0].Changes)
	}
	b.screenshot("maj-merci")
	noSideScroll(b, "the confirmation")
	b.noAxeViolations("la confirmation")

	// « Rien n'a changé » on the second place's link.
	b.open("/maj/" + e.secretB)
	b.until("second form", formReady)
	boNavigate(b, "nothing changed", chromedp.Click(chromedp.CSS(`.maj-quick button[value="inchange"]`)))
	if h1 := eval[string](b, `document.querySelector("h1").textContent`); h1 != "Merci, c'est confirmé" {
		t.Fatalf("confirmation title %q", h1)
	}
	s, err := b.st.SummarizeCampaign(ctx, e.camp.ID)
	if err != nil || s.Unchanged != 1 || s.Updated != 1 {
		t.Errorf("summary %+v, %v", s, err)
	}

	// A link that is not (or no longer) valid.
	guessed, _ := campaign.NewLink()
	b.open("/maj/" + guessed)
	if h1 := eval[string](b, `document.querySelector("h1").textContent`); h1 != "Ce lien n'est plus valable" {
		t.Errorf("invalid link title %q", h1)
	}
	b.screenshot("maj-lien-invalide")
	noSideScroll(b, "the invalid link page")
	b.noAxeViolations("la page de lien invalide")
	if text := eval[string](b, `document.body.innerText`); strings.Contains(text, e.secretA) {
		t.Error("a secret on the invalid link page")
	}
}

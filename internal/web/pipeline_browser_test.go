package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserHubMovesTerritory: the hub opens the pipeline, opens a
// territory in contact, records the presentation meeting, then moves it
// through every phase, seeing the phase and its dates in the timeline.
func TestBrowserHubMovesTerritory(t *testing.T) {
	b := newBoBrowserEnv(t)
	boLogin(b, boHubEmail, boHubPassword)
	boNavigate(b, "open the pipeline", chromedp.Click(chromedp.CSS(`header nav a[href="/gestion/deploiement"]`)), chromedp.WaitVisible(chromedp.ID("t-"+brestSIREN)))
	if phase := eval[string](b, `document.querySelector("#t-`+brestSIREN+` td.phase").textContent`); phase != "Contact" {
		t.Fatalf("Brest is in phase %q, want Contact", phase)
	}
	boNavigate(b, "open Brest", chromedp.Click(chromedp.CSS(`#t-`+brestSIREN+` th a`)), chromedp.WaitVisible(chromedp.ID("chronologie")))

	// The presentation meeting.
	boSetValue(b, "j-date", "2026-11-20")
	boSetValue(b, "j-note", "Présentation au bureau communautaire")
	boNavigate(b, "record the meeting", chromedp.Click(chromedp.CSS(`form[action$="/journal"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".timeline .event-reunion")))
	if text := eval[string](b, `document.querySelector(".timeline .event-reunion").innerText`); !strings.Contains(text, "20 novembre 2026") || !strings.Contains(text, "Présentation au bureau communautaire") {
		t.Errorf("meeting in the timeline: %q", text)
	}
	if href := eval[string](b, `document.querySelector('a[href$="/strategie"]')?.getAttribute("href") ?? ""`); href != "/gestion/deploiement/"+brestSIREN+"/strategie" {
		t.Errorf("link to the strategy assessment: %q", href)
	}

	// Each phase in turn: the next one is proposed by default. In
	// engagement, the hub assesses the territory and decides its strategy.
	for _, want := range []string{"Engagement", "Déploiement de la journée collaborative", "Consolidation", "Exploitation"} {
		if want == "Déploiement de la journée collaborative" {
			boNavigate(b, "open the assessment", chromedp.Click(chromedp.CSS(`a[href$="/strategie"]`)), chromedp.WaitVisible(chromedp.CSS("form.strategy-form")))
			for factor, level := range map[string]string{"gouvernance": "2", "reseau": "1", "orientations": "2", "outils": "1"} {
				b.do("rate "+factor, chromedp.Click(chromedp.ID("niveau-"+factor+"-"+level)))
			}
			boNavigate(b, "decide", chromedp.Click(chromedp.CSS(`form.strategy-form button[type=submit]`)), chromedp.WaitVisible(chromedp.ID("recommandation")))
			rec := eval[string](b, `document.getElementById("recommandation").parentElement.innerText`)
			if !strings.Contains(rec, "Stratégie recommandée : Réseau") || !strings.Contains(rec, "7 jours d'animation du réseau") {
				t.Errorf("recommendation and workload:\n%s", rec)
			}
			if dec := eval[string](b, `document.getElementById("decision")?.parentElement.innerText ?? ""`); !strings.Contains(dec, "Réseau") {
				t.Errorf("decision: %q", dec)
			}
			b.screenshot("gestion-strategie")
			boNavigate(b, "back to the timeline", chromedp.Click(chromedp.CSS(`p.breadcrumb a[href="/gestion/deploiement/`+brestSIREN+`"]`)), chromedp.WaitVisible(chromedp.ID("chronologie")))
		}
		if sel := eval[string](b, `document.querySelector("#p-phase option:checked").textContent`); sel != want {
			t.Errorf("proposed phase %q, want %q", sel, want)
		}
		boNavigate(b, "move to "+want, chromedp.Click(chromedp.CSS(`form[action$="/phase"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(`p.success[role=status]`)))
		if cur := eval[string](b, `document.getElementById("phase-actuelle").textContent`); !strings.HasPrefix(cur, want+", depuis le 26 novembre 2026") {
			t.Errorf("current phase: %q, want %s since today", cur, want)
		}
		if text := eval[string](b, `[...document.querySelectorAll(".timeline .event-phase")].map(e => e.innerText).join("\n")`); !strings.Contains(text, "26 novembre 2026 — Entrée en phase "+want) {
			t.Errorf("timeline lacks the move to %s:\n%s", want, text)
		}
	}
	b.screenshot("gestion-deploiement-chronologie")
	b.open("/gestion/deploiement?phase=exploitation")
	if !eval[bool](b, `!!document.getElementById("t-`+brestSIREN+`")`) {
		t.Error("Brest is not listed in exploitation")
	}
}

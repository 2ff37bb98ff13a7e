package campaign_test

import (
	"strings"
	"testing"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

func TestEventProgrammeAndInvitation(t *testing.T) {
	for _, c := range []struct {
		s    territory.Strategy
		want string
	}{
		{territory.StrategyGeneraliste, "Interconnaissance"},
		{territory.StrategyNone, "Interconnaissance"},
		{territory.StrategyOutil, "Cas d'usage"},
		{territory.StrategyReseau, "échange de pratiques"},
	} {
		if p := campaign.Programme(c.s); !strings.Contains(p, c.want) {
			t.Errorf("%s: %q", c.s, p)
		}
	}
	e := &store.Event{Title: "Journée collaborative", StartsAt: time.Date(2026, 12, 10, 9, 30, 0, 0, place.Paris),
		EndsAt: time.Date(2026, 12, 10, 14, 0, 0, 0, place.Paris), Place: "Salle des fêtes", Room: "Grande salle", Meal: true, Programme: "9 h 30 — Accueil"}
	subject, body := campaign.InvitationMail(e, "CC de Brocéliande", "Médiathèque", "https://portrea.example/journee/abc")
	if subject != "Invitation : Journée collaborative — 10 décembre 2026" {
		t.Errorf("subject %q", subject)
	}
	for _, want := range []string{"Invitation pour : Médiathèque", "CC de Brocéliande", "le 10 décembre 2026, de 9 h 30 à 14 h", "Salle des fêtes (Grande salle)",
		"Un repas est offert", "9 h 30 — Accueil", "https://portrea.example/journee/abc"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}
	e.Meal = false
	if _, body := campaign.InvitationMail(e, "x", "", "l"); strings.Contains(body, "repas") || strings.Contains(body, "Invitation pour") {
		t.Errorf("no meal, no name:\n%s", body)
	}
}

package campaign

import (
	"fmt"
	"strings"
	"time"

	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// The collaborative day: its invitation, mail-merged per invitee, and the
// programme proposed by the territory's strategy.

// EventLinkValidity is how long after the day its on-site update links
// keep working: the week to finish what was started on the day.
const EventLinkValidity = 7 * 24 * time.Hour

// Programme proposes the day's programme for a strategy (the method's
// facilitation of each one); the referent adapts it.
func Programme(s territory.Strategy) string {
	switch s {
	case territory.StrategyOutil:
		return `9 h 30 — Accueil café
10 h 00 — La base de données du territoire : ce qu'elle contient déjà, à quoi elle sert
10 h 30 — Atelier : chaque structure vérifie et complète sa fiche (QR code remis à l'accueil)
12 h 00 — Cas d'usage : orienter une personne avec la carte et l'annuaire
12 h 30 — Prochaines étapes : consolidation des données et campagnes de mise à jour`
	case territory.StrategyReseau:
		return `9 h 30 — Accueil café
10 h 00 — Tour de table : qui fait quoi, pour qui, comment
10 h 45 — Ateliers d'échange de pratiques : parcours d'une personne accompagnée
11 h 45 — Mise à jour des fiches de chaque structure (QR code remis à l'accueil)
12 h 15 — Comment faire vivre le réseau : rencontres, annuaire des contacts
12 h 30 — Conclusion`
	}
	return `9 h 30 — Accueil café
10 h 00 — Présentation de la démarche et de l'outil du territoire
10 h 30 — Interconnaissance : présentation croisée des structures
11 h 15 — Atelier : chaque structure vérifie et complète sa fiche (QR code remis à l'accueil)
12 h 00 — Animer le réseau et garder les données à jour : les campagnes de mise à jour
12 h 30 — Conclusion`
}

// Hour writes a time of day the French way, in Paris time: "9 h 30", "14 h".
func Hour(t time.Time) string {
	t = t.In(place.Paris)
	if t.Minute() == 0 {
		return fmt.Sprintf("%d h", t.Hour())
	}
	return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
}

// InvitationMail is the invitation of one invitee to a day, with their
// personal RSVP link.
func InvitationMail(e *store.Event, territoryName, inviteeName, rsvpURL string) (subject, body string) {
	day := FrenchDate(e.StartsAt.In(place.Paris))
	subject = "Invitation : " + e.Title + " — " + day
	var b strings.Builder
	b.WriteString("Bonjour,\n\n")
	if inviteeName != "" {
		fmt.Fprintf(&b, "Invitation pour : %s\n\n", inviteeName)
	}
	fmt.Fprintf(&b, "Le territoire %s vous invite à sa journée collaborative de l'inclusion numérique :\n%s.\n\n", territoryName, e.Title)
	fmt.Fprintf(&b, "Date : le %s, de %s à %s\n", day, Hour(e.StartsAt), Hour(e.EndsAt))
	where := e.Place
	if e.Room != "" {
		where += " (" + e.Room + ")"
	}
	fmt.Fprintf(&b, "Lieu : %s\n", where)
	if e.Meal {
		b.WriteString("Un repas est offert.\n")
	}
	if p := strings.TrimSpace(e.Programme); p != "" {
		fmt.Fprintf(&b, "\nProgramme :\n%s\n", p)
	}
	fmt.Fprintf(&b, "\nMerci de nous dire si vous venez, et à combien, avec ce lien personnel :\n%s\n", rsvpURL)
	b.WriteString("Vous pourrez changer votre réponse jusqu'au jour J.\n\nÀ bientôt !\n")
	return subject, b.String()
}

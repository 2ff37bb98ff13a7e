// Package campaign keeps the census alive: update campaigns send each
// place a personal link to check its information; reminders follow, then
// a phone call list. The database is the queue: a campaign, its messages
// and its links are rows, so that a restart (or another instance) carries
// on where the work stopped, and no message is sent twice.
package campaign

import (
	"context"
	"fmt"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// Merge fields of the e-mail templates.
const (
	FieldPlace     = "{{lieu}}"
	FieldLink      = "{{lien}}"
	FieldReferent  = "{{referent}}"
	FieldContact   = "{{contact_referent}}"
	FieldDeadline  = "{{date_limite}}"
	FieldTerritory = "{{territoire}}"
	FieldOptOut    = "{{desinscription}}"
)

// Fields lists the merge fields with their French meaning, for the editor.
var Fields = []struct{ Field, Meaning string }{
	{FieldPlace, "nom du lieu"},
	{FieldLink, "lien personnel vers le formulaire de mise à jour"},
	{FieldReferent, "nom du ou de la référente du territoire"},
	{FieldContact, "adresse électronique du ou de la référente"},
	{FieldDeadline, "date limite de réponse"},
	{FieldTerritory, "nom du territoire"},
	{FieldOptOut, "lien pour ne plus recevoir ces messages"},
}

// DefaultSubject and DefaultBody are the template of a new campaign.
const DefaultSubject = "{{lieu}} : vos informations sur la carte de l'inclusion numérique sont-elles à jour ?"

const DefaultBody = `Bonjour,

Votre structure, « {{lieu}} », figure sur la carte des lieux d'inclusion numérique de {{territoire}}. Les habitants et les professionnels qui les orientent s'en servent pour trouver de l'aide près de chez eux : elle doit être juste.

Pouvez-vous vérifier vos informations d'ici le {{date_limite}} ? Cela prend deux minutes, sans compte ni mot de passe :

{{lien}}

Si rien n'a changé, un seul clic sur « Rien n'a changé » suffit.

Ce lien est personnel : il ne permet de modifier que votre lieu. Ne le transférez pas en dehors de votre structure.

Merci pour votre aide,
{{referent}}
Référent·e de l'inclusion numérique — {{territoire}}
Une question : {{contact_referent}}

—
Vous ne souhaitez plus recevoir ces messages : {{desinscription}}
`

// ReminderPrefix starts the subject of a reminder.
const ReminderPrefix = "Rappel : "

// DefaultReminders are the days after the invitation when reminders go to
// the places that have not answered.
var DefaultReminders = []int{7, 14}

// DefaultDuration is the time given to answer.
const DefaultDuration = 21 * 24 * time.Hour

// LinkGrace is how long a link keeps working after the deadline: late
// answers are still welcome.
const LinkGrace = 30 * 24 * time.Hour

// Render fills a template's merge fields.
func Render(tpl string, values map[string]string) string {
	args := make([]string, 0, 2*len(values))
	for k, v := range values {
		args = append(args, k, v)
	}
	return strings.NewReplacer(args...).Replace(tpl)
}

// CheckTemplate refuses a template whose body lacks the personal link or
// the opt-out link, or that names an unknown merge field.
func CheckTemplate(subject, body string) error {
	if strings.TrimSpace(subject) == "" {
		return fmt.Errorf("l'objet du message est vide")
	}
	for _, f := range []string{FieldLink, FieldOptOut} {
		if !strings.Contains(body, f) {
			return fmt.Errorf("le message doit contenir %s", f)
		}
	}
	known := map[string]bool{}
	for _, f := range Fields {
		known[f.Field] = true
	}
	for _, text := range []string{subject, body} {
		for rest := text; ; {
			i := strings.Index(rest, "{{")
			if i < 0 {
				break
			}
			j := strings.Index(rest[i:], "}}")
			if j < 0 {
				return fmt.Errorf("« %s » : accolades non fermées", rest[i:min(len(rest), i+20)])
			}
			if f := rest[i : i+j+2]; !known[f] {
				return fmt.Errorf("champ de fusion inconnu : %s", f)
			}
			rest = rest[i+j+2:]
		}
	}
	return nil
}

// Selection chooses the places of a campaign within its territory.
type Selection struct {
	Stale   bool   // only places not confirmed for 6 months
	Commune string // INSEE code
	Service string // service code
	IDs     []string
}

// RecipientEmail is the address a campaign writes to for a place: its
// private contact, otherwise its first public address.
func RecipientEmail(p *place.Place) string {
	if p.ContactEmail != "" {
		return p.ContactEmail
	}
	if len(p.Courriels) > 0 {
		return p.Courriels[0]
	}
	return ""
}

// Recipients picks, among a territory's places, the active ones that match
// the selection and have an address.
func Recipients(ps []*place.Place, sel Selection, now time.Time) []store.Recipient {
	ids := map[string]bool{}
	for _, id := range sel.IDs {
		ids[id] = true
	}
	var out []store.Recipient
	for _, p := range ps {
		if p.Status != place.StatusActive {
			continue
		}
		if len(ids) > 0 && !ids[p.ID] {
			continue
		}
		if sel.Stale && place.FreshnessOf(p.DateMaj, now) == place.Fresh {
			continue
		}
		if sel.Commune != "" && p.CodeInsee != sel.Commune {
			continue
		}
		if sel.Service != "" {
			i := place.Services.IndexOf(sel.Service)
			if i < 0 || !p.Services.Has(i) {
				continue
			}
		}
		if e := RecipientEmail(p); e != "" {
			out = append(out, store.Recipient{PlaceID: p.ID, Email: e})
		}
	}
	return out
}

// Start creates a campaign for the selected places of a territory with
// the default template where c leaves fields empty.
func Start(ctx context.Context, st *store.Store, ref *territory.Reference, c *store.Campaign, sel Selection, now time.Time) (int, error) {
	e, ok := ref.EPCI(c.EPCI)
	if !ok {
		return 0, fmt.Errorf("EPCI « %s » inconnu", c.EPCI)
	}
	if c.Name == "" {
		c.Name = "Mise à jour du " + place.Date(now).Format("02/01/2006") + " — " + e.Nom
	}
	if c.Subject == "" {
		c.Subject = DefaultSubject
	}
	if c.Body == "" {
		c.Body = DefaultBody
	}
	if err := CheckTemplate(c.Subject, c.Body); err != nil {
		return 0, err
	}
	if c.SenderName == "" {
		c.SenderName = "Inclusion numérique — " + e.Nom
	}
	if c.Deadline.IsZero() {
		c.Deadline = place.Date(now.Add(DefaultDuration))
	}
	if c.Reminders == nil {
		c.Reminders = DefaultReminders
	}
	var ps []*place.Place
	if err := st.EachPlaceOfTerritory(ctx, c.EPCI, func(p *place.Place) error {
		ps = append(ps, p)
		return nil
	}); err != nil {
		return 0, err
	}
	return st.CreateCampaign(ctx, c, Recipients(ps, sel, now))
}

// NewLink returns a new personal link's secret and the hash kept of it.
func NewLink() (secret, hash string) { return account.NewToken() }

// HashLink is the hash under which a link's secret is kept.
func HashLink(secret string) string { return account.HashToken(secret) }

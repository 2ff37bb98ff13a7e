package store

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"time"

	"portrea/internal/account"
)

// ErasedMarker stands where a value is required but the person was erased.
const ErasedMarker = "personne effacée"

// ErrLastHub refuses to erase the last active hub administrator.
var ErrLastHub = errors.New("store: the last active hub account cannot be erased")

// ErrBadEmail refuses an export or erasure without a usable address.
var ErrBadEmail = errors.New("store: not an e-mail address")

// Holds is the kind of personal value a column holds.
type Holds int

const (
	HoldsEmail Holds = iota // an e-mail address (or a list of them)
	HoldsName               // a person's name
	HoldsPhone              // a phone number
	HoldsText               // free text or a JSON snapshot that may mention a person
)

// PersonalColumn is one column of the database that can hold a person's
// e-mail, name, phone or free text about them.
type PersonalColumn struct {
	Column string
	Label  string // French, for the register and the export
	Holds  Holds
	// Whole: the whole value is the person's (an address, a name, a
	// number); erasure replaces it with Erased. Otherwise erasure only
	// replaces the mentions of the person inside the text.
	Whole  bool
	Erased string
	// List: "|"-separated values (a place's public e-mails); erasure drops
	// the person's items and keeps the others.
	List bool
	// Identity: when the row's e-mail is the person's, this name or phone
	// is theirs too, and is then looked for everywhere else.
	Identity bool
	// Owned: when the row is the person's (one of its Whole columns is
	// theirs), the whole text is theirs too (a message they wrote, their
	// dietary note) and erasure replaces it with Erased.
	Owned bool
	// JSON: the text is a JSON snapshot (history, proposals), scrubbed
	// value by value.
	JSON bool
}

// PersonalTable is a table and its personal columns.
type PersonalTable struct {
	Table   string
	Key     []string // primary key, to rewrite a row
	Context []string // columns shown with an exported row (dates, ids, state)
	Columns []PersonalColumn
}

// DataCategory is one line of the register of the personal data PORTREA
// holds: what, why, on which legal basis, who sees it and for how long.
// Its tables drive the export and the erasure of one person's data.
type DataCategory struct {
	Key, Title                              string
	Held, Purpose, Basis, Access, Retention string
	Tables                                  []PersonalTable
	// Also lists the tables handled outside the column scan (sessions,
	// one-time links, rate limits), shown in the register.
	Also []string
}

// Legal bases, as the public page states them.
const (
	basisPublic     = "Mission d'intérêt public (article 6-1-e du RGPD)"
	basisLegitimate = "Intérêt légitime du hub et des territoires (article 6-1-f du RGPD)"
	basisConsent    = "Consentement de la personne (article 6-1-a du RGPD)"
)

func text(col, label string) PersonalColumn {
	return PersonalColumn{Column: col, Label: label, Holds: HoldsText}
}

func jsonText(col, label string) PersonalColumn {
	return PersonalColumn{Column: col, Label: label, Holds: HoldsText, JSON: true}
}

func owned(col, label, erased string) PersonalColumn {
	return PersonalColumn{Column: col, Label: label, Holds: HoldsText, Owned: true, Erased: erased}
}

func whole(col, label string, h Holds, erased string, identity bool) PersonalColumn {
	return PersonalColumn{Column: col, Label: label, Holds: h, Whole: true, Erased: erased, Identity: identity}
}

// PersonalData is the register: every table and column of the schema that
// can hold a person's e-mail, name, phone or free text about them.
// TestPersonalDataCoversSchema fails when a text column of the migrations
// is neither here nor in notPersonal.
var PersonalData = []DataCategory{
	{
		Key: "comptes", Title: "Comptes du hub et des référent·es",
		Held:      "Nom, adresse électronique, mot de passe chiffré de façon irréversible, rôle, territoires, dates de création et de dernière connexion.",
		Purpose:   "Se connecter à l'espace de gestion et savoir qui a fait quoi.",
		Basis:     basisPublic,
		Access:    "Le hub.",
		Retention: "Tant que la personne exerce sa mission ; un compte désactivé ne permet plus de se connecter. L'effacement anonymise le compte.",
		Tables: []PersonalTable{{Table: "users", Key: []string{"id"}, Context: []string{"id", "role", "disabled", "created_at", "last_login_at"},
			Columns: []PersonalColumn{
				whole("email", "Adresse électronique", HoldsEmail, "", false),
				whole("name", "Nom", HoldsName, ErasedMarker, true),
			}}},
		Also: []string{"user_territories", "auth_links"},
	},
	{
		Key: "contacts", Title: "Contacts privés des lieux",
		Held:      "Nom, adresse électronique et téléphone de la personne à joindre dans chaque lieu ; valeurs complémentaires propres au territoire.",
		Purpose:   "Joindre le lieu pour vérifier et mettre à jour sa fiche.",
		Basis:     basisPublic,
		Access:    "Le hub et les référent·es du territoire du lieu ; jamais publiés.",
		Retention: "Tant que le lieu est référencé.",
		Tables: []PersonalTable{
			{Table: "places", Key: []string{"id"}, Context: []string{"id", "nom", "commune"}, Columns: []PersonalColumn{
				whole("contact_nom", "Nom du contact", HoldsName, "", true),
				whole("contact_email", "Courriel du contact", HoldsEmail, "", false),
				whole("contact_telephone", "Téléphone du contact", HoldsPhone, "", true),
				whole("telephone", "Téléphone public du lieu", HoldsPhone, "", false),
				{Column: "courriels", Label: "Courriels publics du lieu", Holds: HoldsEmail, Whole: true, List: true},
				text("prise_rdv", "Prise de rendez-vous"),
				text("complement_adresse", "Complément d'adresse"),
				text("resume", "Résumé"),
				text("detail", "Détail"),
			}},
			{Table: "place_extra_values", Key: []string{"place_id", "field_id"}, Context: []string{"place_id", "field_id"}, Columns: []PersonalColumn{
				text("value", "Valeur d'un champ complémentaire"),
			}},
		},
	},
	{
		Key: "notes", Title: "Notes des référent·es",
		Held:      "Notes privées écrites par les référent·es sur chaque lieu.",
		Purpose:   "Garder le contexte utile au suivi du lieu.",
		Basis:     basisPublic,
		Access:    "Le hub et les référent·es du territoire du lieu.",
		Retention: "Tant que le lieu est référencé.",
		Tables: []PersonalTable{{Table: "places", Key: []string{"id"}, Context: []string{"id", "nom", "commune"}, Columns: []PersonalColumn{
			text("notes", "Notes privées"),
		}}},
	},
	{
		Key: "historique", Title: "Historique des fiches",
		Held:      "Pour chaque modification d'une fiche : la date, qui l'a faite (adresse électronique d'un compte, fichier importé, lien de campagne) et les valeurs avant et après, contacts privés compris.",
		Purpose:   "Pouvoir vérifier et annuler une modification.",
		Basis:     basisLegitimate,
		Access:    "Le hub et les référent·es du territoire du lieu.",
		Retention: "Les faits sont gardés tant que le lieu est référencé ; l'auteur d'une modification est anonymisé après 36 mois.",
		Tables: []PersonalTable{{Table: "place_history", Key: []string{"id"}, Context: []string{"id", "place_id", "at", "actor_kind"}, Columns: []PersonalColumn{
			text("actor_name", "Auteur"),
			text("summary", "Résumé"),
			jsonText("changes", "Valeurs modifiées"),
		}}},
	},
	{
		Key: "campagnes", Title: "Campagnes de mise à jour : destinataires, messages et suivi",
		Held:      "Adresse de chaque destinataire, envoi, ouverture du message (si le suivi est activé), visite du lien, réponse, rebond, appels et leur note ; adresse de réponse et auteur de la campagne.",
		Purpose:   "Savoir quels lieux ont confirmé leur fiche et lesquels relancer.",
		Basis:     basisLegitimate,
		Access:    "Le hub et les référent·es du territoire.",
		Retention: "Le détail du suivi (adresses, ouvertures, visites, erreurs, notes d'appel) est anonymisé 24 mois après la date limite de la campagne ; les faits (envoyé, réponse) et les comptes restent.",
		Tables: []PersonalTable{
			{Table: "campaigns", Key: []string{"id"}, Context: []string{"id", "epci", "name", "created_at"}, Columns: []PersonalColumn{
				whole("reply_to", "Adresse de réponse", HoldsEmail, "", false),
				text("created_by", "Créée par"),
				text("sender_name", "Nom de l'expéditeur"),
				text("subject", "Objet"),
				text("body", "Texte du message"),
			}},
			{Table: "campaign_recipients", Key: []string{"campaign_id", "place_id"},
				Context: []string{"campaign_id", "place_id", "sent_at", "opened_at", "visited_at", "answer", "answered_at", "bounced_at", "called_at", "call_outcome"},
				Columns: []PersonalColumn{
					whole("email", "Adresse du destinataire", HoldsEmail, ErasedMarker, false),
					text("bounce_reason", "Motif du rebond"),
					text("call_note", "Note d'appel"),
					text("called_by", "Appel passé par"),
				}},
			{Table: "campaign_messages", Key: []string{"id"}, Context: []string{"id", "campaign_id", "place_id", "kind", "status", "sent_at"}, Columns: []PersonalColumn{
				whole("to_addr", "Adresse du message", HoldsEmail, ErasedMarker, false),
				text("last_error", "Dernière erreur d'envoi"),
			}},
		},
		Also: []string{"campaign_links"},
	},
	{
		Key: "desinscriptions", Title: "Désinscriptions des campagnes",
		Held:      "Adresse électronique qui ne veut plus recevoir de campagne ; après un effacement, seule une empreinte chiffrée (HMAC) de l'adresse est gardée.",
		Purpose:   "Respecter la désinscription dans toutes les campagnes suivantes.",
		Basis:     basisLegitimate,
		Access:    "Personne ne les consulte ; le programme les vérifie avant chaque envoi.",
		Retention: "Sans limite : oublier une désinscription ferait écrire de nouveau à la personne.",
		Tables: []PersonalTable{{Table: "mail_opt_outs", Key: []string{"email"}, Context: []string{"created_at"}, Columns: []PersonalColumn{
			whole("email", "Adresse désinscrite", HoldsEmail, "", false),
		}}},
	},
	{
		Key: "propositions", Title: "Propositions de mise à jour par le lien personnel",
		Held:      "Les valeurs proposées par le lieu (qui peuvent contenir un nom, un courriel, un téléphone) et la décision du ou de la référent·e.",
		Purpose:   "Faire valider par le territoire les changements proposés par le lieu.",
		Basis:     basisPublic,
		Access:    "Le hub et les référent·es du territoire.",
		Retention: "Tant que le lieu est référencé.",
		Tables: []PersonalTable{{Table: "proposals", Key: []string{"id"}, Context: []string{"id", "place_id", "campaign_id", "status", "created_at", "decided_at"}, Columns: []PersonalColumn{
			jsonText("changes", "Valeurs proposées"),
			text("decided_by", "Décidée par"),
		}}},
	},
	{
		Key: "signalements", Title: "Signalements d'erreur du public",
		Held:      "Le message et, si la personne la donne, son adresse électronique.",
		Purpose:   "Corriger la fiche et répondre à la personne.",
		Basis:     basisPublic,
		Access:    "Le hub et les référent·es du territoire du lieu.",
		Retention: "Tant que le lieu est référencé.",
		Tables: []PersonalTable{{Table: "reports", Key: []string{"id"}, Context: []string{"id", "place_id", "status", "created_at"}, Columns: []PersonalColumn{
			whole("email", "Adresse électronique", HoldsEmail, "", false),
			owned("message", "Message", ErasedMarker),
		}}},
	},
	{
		Key: "adhesions", Title: "Déclarations d'intérêt (« Rejoindre la démarche »)",
		Held:      "Nom, organisation, adresse électronique, téléphone et attentes de la personne qui déclare l'intérêt d'un territoire.",
		Purpose:   "Recontacter le territoire et l'accompagner dans la démarche.",
		Basis:     basisPublic,
		Access:    "Le hub.",
		Retention: "Tant que le territoire est suivi.",
		Tables: []PersonalTable{{Table: "interests", Key: []string{"id"}, Context: []string{"id", "epci", "org_kind", "created_at", "handled_at"}, Columns: []PersonalColumn{
			whole("name", "Nom", HoldsName, ErasedMarker, true),
			whole("email", "Adresse électronique", HoldsEmail, ErasedMarker, false),
			whole("phone", "Téléphone", HoldsPhone, "", true),
			text("organisation", "Organisation"),
			owned("hopes", "Attentes", ""),
		}}},
	},
	{
		Key: "deploiement", Title: "Suivi du déploiement des territoires",
		Held:      "Journal des rencontres et décisions (auteur, note), évaluation de la stratégie (motifs, auteur), avant-propos des portraits.",
		Purpose:   "Suivre l'avancement de chaque territoire dans la démarche.",
		Basis:     basisPublic,
		Access:    "Le hub ; les référent·es pour la stratégie et l'avant-propos de leur territoire.",
		Retention: "Tant que le territoire est suivi.",
		Tables: []PersonalTable{
			{Table: "territory_journal", Key: []string{"id"}, Context: []string{"id", "epci", "kind", "at"}, Columns: []PersonalColumn{
				text("by_user", "Auteur"), text("note", "Note"),
			}},
			{Table: "assessments", Key: []string{"epci"}, Context: []string{"epci", "updated_at"}, Columns: []PersonalColumn{
				text("reasons", "Motifs"), text("decided_by", "Décidée par"),
			}},
			{Table: "portrait_forewords", Key: []string{"epci"}, Context: []string{"epci", "updated_at"}, Columns: []PersonalColumn{
				text("text", "Avant-propos"), text("updated_by", "Auteur"),
			}},
		},
	},
	{
		Key: "journees", Title: "Journées collaboratives : invité·es et réponses",
		Held:      "Nom et adresse électronique des invité·es, réponse à l'invitation, nombre de personnes, régime alimentaire, présence ; programme de la journée.",
		Purpose:   "Organiser la journée et accueillir les participant·es.",
		Basis:     basisPublic,
		Access:    "Le hub et les référent·es du territoire.",
		Retention: "Tant que le territoire est suivi ; les liens de réponse cessent de fonctionner une semaine après leur envoi.",
		Tables: []PersonalTable{
			{Table: "events", Key: []string{"id"}, Context: []string{"id", "epci", "title", "starts_at"}, Columns: []PersonalColumn{
				text("title", "Titre"), text("place", "Lieu"), text("programme", "Programme"),
			}},
			{Table: "event_invitees", Key: []string{"id"}, Context: []string{"id", "event_id", "place_id", "kind", "invited_at", "rsvp", "party_size", "rsvp_at", "checked_in_at"}, Columns: []PersonalColumn{
				whole("name", "Nom", HoldsName, ErasedMarker, true),
				whole("email", "Adresse électronique", HoldsEmail, ErasedMarker, false),
				owned("diet", "Régime alimentaire", ""),
			}},
		},
	},
	{
		Key: "reseau", Title: "Réseau : annuaire des acteurs et ateliers",
		Held:      "Consentement d'un lieu à figurer dans l'annuaire privé du réseau (qui y montre le contact du lieu) ; participant·es et notes des ateliers et rencontres.",
		Purpose:   "Animer le réseau des acteurs du territoire.",
		Basis:     basisConsent + " pour l'annuaire ; " + basisPublic + " pour les ateliers",
		Access:    "Le hub et les référent·es du territoire.",
		Retention: "Jusqu'au retrait du consentement ; les ateliers, tant que le territoire est suivi. L'effacement du contact retire son consentement.",
		Tables: []PersonalTable{
			{Table: "network_directory", Key: []string{"place_id"}, Context: []string{"place_id", "consent_at"}, Columns: []PersonalColumn{
				text("by_user", "Consentement enregistré par"),
			}},
			{Table: "animations", Key: []string{"id"}, Context: []string{"id", "epci", "at", "theme"}, Columns: []PersonalColumn{
				text("theme", "Thème"), text("participants", "Participant·es"), text("notes", "Notes"), text("created_by", "Créé par"),
			}},
		},
	},
	{
		Key: "journal", Title: "Journal de sécurité",
		Held:      "Connexions, échecs de connexion, actions sur les comptes et actions sensibles : date, auteur (adresse électronique), objet, détails.",
		Purpose:   "Retracer les actions sur les comptes et protéger le service.",
		Basis:     basisLegitimate,
		Access:    "Le hub.",
		Retention: "36 mois, puis supprimé.",
		Tables: []PersonalTable{{Table: "audit_log", Key: []string{"id"}, Context: []string{"id", "at", "action"}, Columns: []PersonalColumn{
			text("actor", "Auteur"), text("target", "Objet"), text("details", "Détails"),
		}}},
	},
	{
		Key: "courriels", Title: "Boîte d'envoi des courriels",
		Held:      "Destinataire, objet et texte des courriels du service (liens de compte, notifications), erreurs d'envoi.",
		Purpose:   "Envoyer les courriels et vérifier qu'ils sont partis.",
		Basis:     basisPublic,
		Access:    "Le hub.",
		Retention: "12 mois après l'envoi.",
		Tables: []PersonalTable{{Table: "outbox", Key: []string{"id"}, Context: []string{"id", "created_at", "sent_at"}, Columns: []PersonalColumn{
			whole("to_addr", "Destinataire", HoldsEmail, ErasedMarker, false),
			text("subject", "Objet"),
			owned("body", "Texte", "(contenu effacé)"),
			text("last_error", "Dernière erreur d'envoi"),
		}}},
	},
	{
		Key: "imports", Title: "Fichiers de recensement importés",
		Held:      "Le fichier tel qu'il a été envoyé (qui peut contenir les contacts des lieux), son nom et le rapport de l'import.",
		Purpose:   "Relancer l'aperçu d'un import et fournir son rapport ligne par ligne.",
		Basis:     basisPublic,
		Access:    "La personne qui a importé le fichier, le hub et les référent·es du territoire.",
		Retention: "12 mois, puis supprimé ; l'effacement d'une personne supprime les fichiers qui la contiennent.",
		Tables: []PersonalTable{{Table: "imports", Key: []string{"id"}, Context: []string{"id", "epci", "status", "created_at"}, Columns: []PersonalColumn{
			text("file_name", "Nom du fichier"), text("summary", "Rapport"),
		}}},
	},
	{
		Key: "sessions", Title: "Sessions et limites anti-abus",
		Held:      "Session de l'espace de gestion (identifiant chiffré, jeton de sécurité) ; compteurs de tentatives par empreinte d'adresse IP ou de compte ; liens à usage unique (empreinte).",
		Purpose:   "Garder la personne connectée et protéger le service contre les abus.",
		Basis:     basisLegitimate,
		Access:    "Personne : le programme seul.",
		Retention: "Sessions : 12 heures au plus (2 heures sans activité) ; compteurs : 24 heures ; liens : jusqu'à leur expiration.",
		Also:      []string{"sessions", "rate_limits", "auth_links"},
	},
}

// notPersonal lists the text columns that hold no personal data: codes,
// ids, hashes, states, public facts about places and territories.
var notPersonal = map[string]bool{}

func init() {
	for _, c := range strings.Fields(`
		counters.name counters.value territories.epci territories.phase territories.strategy
		places.id places.pivot places.nom places.adresse places.code_postal places.commune places.code_insee places.epci
		places.departement places.region places.typologies places.sites_web places.horaires places.source
		places.structure_parente places.autres_labels places.fiche_acces_libre places.status places.duplicate_of places.sort_key
		place_history.place_id place_history.actor_kind
		extra_fields.id extra_fields.epci extra_fields.key extra_fields.label extra_fields.kind extra_fields.options extra_fields.help
		place_extra_values.place_id place_extra_values.field_id
		reports.id reports.place_id reports.epci reports.categories reports.status
		rate_limits.key settings.key settings.value
		users.id users.role users.password_hash user_territories.user_id user_territories.epci user_territories.kind
		sessions.id_hash sessions.user_id sessions.csrf auth_links.token_hash auth_links.user_id auth_links.purpose
		audit_log.action outbox.id not_duplicates.a not_duplicates.b
		imports.id imports.epci imports.user_id imports.mode imports.status imports.mapping imports.error_report imports.content
		import_mappings.epci import_mappings.signature import_mappings.mapping
		campaigns.id campaigns.epci campaigns.name campaigns.origin campaigns.schedule_key campaigns.status campaigns.reminders campaigns.direct_fields
		campaign_recipients.campaign_id campaign_recipients.place_id campaign_recipients.answer campaign_recipients.call_outcome
		campaign_messages.id campaign_messages.campaign_id campaign_messages.place_id campaign_messages.kind campaign_messages.status
		campaign_links.token_hash campaign_links.campaign_id campaign_links.place_id campaign_links.message_id
		proposals.id proposals.place_id proposals.epci proposals.campaign_id proposals.status
		portrait_snapshots.epci portrait_snapshots.month portrait_snapshots.figures commune_contours.code commune_contours.geometry
		portrait_forewords.epci territory_journal.id territory_journal.epci territory_journal.kind territory_journal.phase
		interests.id interests.epci interests.org_kind
		assessments.epci assessments.factors assessments.recommended assessments.chosen
		events.id events.epci events.room events.campaign_id
		event_invitees.id event_invitees.event_id event_invitees.place_id event_invitees.kind event_invitees.token_hash event_invitees.rsvp
		animations.id animations.epci network_directory.place_id
		campaign_messages.claimed_by outbox.claimed_by send_pace.name imports.worker imports.progress
		schema_migrations.version schema_migrations.name`) {
		notPersonal[c] = true
	}
}

// Person is who an export or erasure is about: the address asked, and the
// names and phones found next to it.
type Person struct {
	Email  string
	Names  []string
	Phones []string
}

// matcher recognises a person's values in the database.
type matcher struct {
	p        Person
	email    *regexp.Regexp
	mentions []*regexp.Regexp // e-mail, names of two words or more, phones
	phones   map[string]bool  // significant digits
}

func newMatcher(p Person) *matcher {
	m := &matcher{p: p, phones: map[string]bool{}}
	m.email = regexp.MustCompile(`(?i)` + regexp.QuoteMeta(p.Email))
	m.mentions = append(m.mentions, m.email)
	for _, n := range p.Names {
		words := strings.Fields(n)
		// A single word (a first name, "Martin") would wipe the commune
		// of Saint-Martin: it only counts where it is a whole value.
		if len(words) < 2 || len([]rune(n)) < 5 {
			continue
		}
		q := make([]string, len(words))
		for i, w := range words {
			q[i] = regexp.QuoteMeta(w)
		}
		m.mentions = append(m.mentions, regexp.MustCompile(`(?i)`+strings.Join(q, `[\s\x{00A0}\x{202F}-]+`)))
	}
	for _, ph := range p.Phones {
		d := phoneKey(ph)
		if len(d) < 6 {
			continue
		}
		m.phones[d] = true
		sep := `[\s\x{00A0}\x{202F}.\-/]*`
		ds := strings.Split(d, "")
		pat := strings.Join(ds, sep)
		if len(d) == 9 { // a French number: 0X…, +33 X…, 0033 X…, +33 (0)X…
			pat = `(?:(?:\+|00)\s*33` + sep + `(?:\(0\)` + sep + `)?|0)` + pat
		}
		m.mentions = append(m.mentions, regexp.MustCompile(`(?:^|[^0-9])(`+pat+`)(?:$|[^0-9])`))
	}
	return m
}

// phoneKey is a phone number's significant digits: "+33 6 12 34 56 78"
// and "06.12.34.56.78" both give "612345678".
func phoneKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	d := b.String()
	switch {
	case strings.HasPrefix(d, "0033") && len(d) == 13:
		d = d[4:]
	case strings.HasPrefix(d, "330") && len(d) == 12:
		d = d[3:]
	case strings.HasPrefix(d, "33") && len(d) == 11 && strings.HasPrefix(strings.TrimSpace(s), "+"):
		d = d[2:]
	case strings.HasPrefix(d, "0") && len(d) == 10:
		d = d[1:]
	}
	return d
}

// is reports whether a whole value is the person's.
func (m *matcher) is(c PersonalColumn, v string) bool {
	v = strings.TrimSpace(v)
	if v == "" || v == ErasedMarker {
		return false
	}
	switch c.Holds {
	case HoldsEmail:
		return strings.EqualFold(v, m.p.Email)
	case HoldsName:
		for _, n := range m.p.Names {
			if strings.EqualFold(strings.Join(strings.Fields(v), " "), strings.Join(strings.Fields(n), " ")) {
				return true
			}
		}
	case HoldsPhone:
		return m.phones[phoneKey(v)]
	}
	return false
}

// mentioned reports whether a text mentions the person.
func (m *matcher) mentioned(v string) bool {
	for _, re := range m.mentions {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}

// scrub replaces the person's mentions in a text.
func (m *matcher) scrub(v string) string {
	for i, re := range m.mentions {
		if i > 0 && re.NumSubexp() == 1 { // phones keep the characters around the number
			v = re.ReplaceAllStringFunc(v, func(s string) string {
				sub := re.FindStringSubmatchIndex(s)
				return s[:sub[2]] + ErasedMarker + s[sub[3]:]
			})
			continue
		}
		v = re.ReplaceAllString(v, ErasedMarker)
	}
	return v
}

// scrubJSON scrubs every string of a JSON document; a text that is not
// JSON is scrubbed as text.
func (m *matcher) scrubJSON(v string) string {
	dec := json.NewDecoder(strings.NewReader(v))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return m.scrub(v)
	}
	var walk func(any) any
	walk = func(x any) any {
		switch t := x.(type) {
		case string:
			return m.scrub(t)
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			for k := range t {
				t[k] = walk(t[k])
			}
		}
		return x
	}
	b, err := json.Marshal(walk(doc))
	if err != nil {
		return m.scrub(v)
	}
	return string(b)
}

// tableRow is one row of a personal table: its key and its personal
// values.
type tableRow struct {
	key    []any
	ctx    []any
	values []sql.NullString
}

func scanTable(ctx context.Context, q querier, t PersonalTable, each func(tableRow) error) error {
	cols := append(append(append([]string{}, t.Key...), t.Context...), columnNames(t)...)
	rows, err := q.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+t.Table)
	if err != nil {
		return fmt.Errorf("store: scan %s: %w", t.Table, err)
	}
	defer rows.Close()
	for rows.Next() {
		r := tableRow{key: make([]any, len(t.Key)), ctx: make([]any, len(t.Context)), values: make([]sql.NullString, len(t.Columns))}
		dest := make([]any, 0, len(cols))
		for i := range r.key {
			dest = append(dest, &r.key[i])
		}
		for i := range r.ctx {
			dest = append(dest, &r.ctx[i])
		}
		for i := range r.values {
			dest = append(dest, &r.values[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: scan %s: %w", t.Table, err)
		}
		if err := each(r); err != nil {
			return err
		}
	}
	return rows.Err()
}

func columnNames(t PersonalTable) []string {
	out := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		out[i] = c.Column
	}
	return out
}

// Hit is what a value holds of the person.
const (
	hitNone    = iota
	hitWhole   // the whole value (or a list item) is theirs
	hitMention // the text mentions them
	hitOwned   // the text belongs to their row
)

// rowMatch is what a row holds of the person.
type rowMatch struct {
	owned bool  // one of its Whole values is the person's
	hits  []int // per column
}

func (m *matcher) matchRow(t PersonalTable, r tableRow) rowMatch {
	rm := rowMatch{hits: make([]int, len(t.Columns))}
	// A row whose address is someone else's holds a namesake, not the
	// person: its name stays.
	other := false
	for i, c := range t.Columns {
		v := strings.TrimSpace(r.values[i].String)
		if c.Whole && c.Holds == HoldsEmail && !c.List && v != "" && v != ErasedMarker && !m.is(c, v) {
			other = true
		}
	}
	for i, c := range t.Columns {
		v := r.values[i].String
		switch {
		case c.Whole && c.List:
			for _, item := range strings.Split(v, "|") {
				if m.is(c, item) {
					rm.hits[i] = hitWhole
				}
			}
		case c.Whole && c.Holds == HoldsName && other:
		case c.Whole && m.is(c, v):
			rm.hits[i], rm.owned = hitWhole, true
		case c.Whole && c.Holds == HoldsEmail:
		case v != "" && m.mentioned(v):
			rm.hits[i] = hitMention
		}
	}
	if rm.owned {
		for i, c := range t.Columns {
			if c.Owned && r.values[i].String != "" {
				rm.hits[i] = hitOwned
			}
		}
	}
	return rm
}

// erased is a value once the person is erased.
func (m *matcher) erased(c PersonalColumn, v string, hit int) string {
	switch {
	case hit == hitNone:
		return v
	case hit == hitWhole && c.List:
		var keep []string
		for _, item := range strings.Split(v, "|") {
			if !m.is(c, item) {
				keep = append(keep, item)
			}
		}
		return strings.Join(keep, "|")
	case hit == hitWhole, hit == hitOwned:
		return c.Erased
	case c.JSON:
		return m.scrubJSON(v)
	}
	return m.scrub(v)
}

// findPerson normalises the address and gathers the names and phones found
// next to it (a place's contact, an account, an invitee, a joining form).
func findPerson(ctx context.Context, q querier, email string) (Person, error) {
	p := Person{Email: account.NormalizeEmail(email)}
	if p.Email == "" || !strings.Contains(p.Email, "@") || strings.ContainsAny(p.Email, " \t\r\n") {
		return p, ErrBadEmail
	}
	m := newMatcher(p)
	names, phones := map[string]bool{}, map[string]bool{}
	for _, t := range personalTables() {
		emailCol, hasIdentity := -1, false
		for i, c := range t.Columns {
			if c.Whole && c.Holds == HoldsEmail && !c.List {
				emailCol = i
			}
			hasIdentity = hasIdentity || c.Identity
		}
		if emailCol < 0 || !hasIdentity {
			continue
		}
		err := scanTable(ctx, q, t, func(r tableRow) error {
			if !m.is(t.Columns[emailCol], r.values[emailCol].String) {
				return nil
			}
			for i, c := range t.Columns {
				v := strings.Join(strings.Fields(r.values[i].String), " ")
				if !c.Identity || v == "" || v == ErasedMarker {
					continue
				}
				if c.Holds == HoldsName && !names[strings.ToLower(v)] {
					names[strings.ToLower(v)] = true
					p.Names = append(p.Names, v)
				}
				if c.Holds == HoldsPhone && !phones[phoneKey(v)] && len(phoneKey(v)) >= 6 {
					phones[phoneKey(v)] = true
					p.Phones = append(p.Phones, v)
				}
			}
			return nil
		})
		if err != nil {
			return p, err
		}
	}
	return p, nil
}

// personalTables merges the register's tables: a table listed in several
// categories is scanned once with all its columns.
func personalTables() []PersonalTable {
	var out []PersonalTable
	index := map[string]int{}
	for _, c := range PersonalData {
		for _, t := range c.Tables {
			i, ok := index[t.Table]
			if !ok {
				index[t.Table] = len(out)
				out = append(out, PersonalTable{Table: t.Table, Key: t.Key, Context: t.Context})
				i = len(out) - 1
			}
			out[i].Columns = append(out[i].Columns, t.Columns...)
		}
	}
	return out
}

// PersonalExport is everything held about one address, with French keys.
type PersonalExport struct {
	Adresse    string           `json:"adresse_electronique"`
	Le         string           `json:"exporte_le"`
	Noms       []string         `json:"noms_retrouves"`
	Telephones []string         `json:"telephones_retrouves"`
	Categories []ExportCategory `json:"categories"`
}

// ExportCategory is one category of the register and its records.
type ExportCategory struct {
	Categorie       string         `json:"categorie"`
	Finalite        string         `json:"finalite"`
	BaseLegale      string         `json:"base_legale"`
	AccesPar        string         `json:"qui_y_accede"`
	Conservation    string         `json:"duree_de_conservation"`
	Enregistrements []ExportRecord `json:"enregistrements"`
}

// ExportRecord is one row about the person: its table, context and the
// values that are theirs or mention them.
type ExportRecord struct {
	Table    string            `json:"table"`
	Contexte map[string]string `json:"contexte"`
	Donnees  map[string]string `json:"donnees"`
}

// Records counts the records of an export.
func (e *PersonalExport) Records() int {
	n := 0
	for _, c := range e.Categories {
		n += len(c.Enregistrements)
	}
	return n
}

// ExportPerson gathers everything the database holds about one address
// (matched without regard to case or surrounding spaces), and about the
// names and phones found next to it.
func (s *Store) ExportPerson(ctx context.Context, email string) (*PersonalExport, error) {
	p, err := findPerson(ctx, s.r, email)
	if err != nil {
		return nil, err
	}
	m := newMatcher(p)
	others, err := otherNames(ctx, s.r, m)
	if err != nil {
		return nil, err
	}
	out := &PersonalExport{Adresse: p.Email, Le: s.now().UTC().Format(time.RFC3339), Noms: p.Names, Telephones: p.Phones}
	if out.Noms == nil {
		out.Noms = []string{}
	}
	if out.Telephones == nil {
		out.Telephones = []string{}
	}
	for _, c := range PersonalData {
		ec := ExportCategory{Categorie: c.Title, Finalite: c.Purpose, BaseLegale: c.Basis, AccesPar: c.Access, Conservation: c.Retention, Enregistrements: []ExportRecord{}}
		for _, t := range c.Tables {
			err := scanTable(ctx, s.r, t, func(r tableRow) error {
				rm := m.matchRow(t, r)
				rec := ExportRecord{Table: t.Table, Contexte: map[string]string{}, Donnees: map[string]string{}}
				for i, col := range t.Columns {
					switch rm.hits[i] {
					case hitWhole, hitOwned:
						rec.Donnees[col.Label] = r.values[i].String
					case hitMention:
						// A shared text: what it says of other people stays out.
						rec.Donnees[col.Label] = m.redactOthers(r.values[i].String, others)
					}
				}
				if len(rec.Donnees) == 0 {
					return nil
				}
				for i, col := range t.Context {
					rec.Contexte[col] = valueString(r.ctx[i])
				}
				ec.Enregistrements = append(ec.Enregistrements, rec)
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		if c.Key == "reseau" {
			// The directory consent of a place whose contact is the person.
			rows, err := s.r.QueryContext(ctx, `SELECT d.place_id, p.nom, d.consent_at FROM network_directory d JOIN places p ON p.id = d.place_id
				WHERE lower(trim(p.contact_email)) = $1 ORDER BY d.place_id`, p.Email)
			if err != nil {
				return nil, fmt.Errorf("store: export directory: %w", err)
			}
			for rows.Next() {
				var id, nom string
				var at time.Time
				if err := rows.Scan(&id, &nom, &at); err != nil {
					rows.Close()
					return nil, err
				}
				ec.Enregistrements = append(ec.Enregistrements, ExportRecord{Table: "network_directory",
					Contexte: map[string]string{"place_id": id, "nom": nom},
					Donnees:  map[string]string{"Consentement à l'annuaire du réseau, en tant que contact du lieu": valueString(at)}})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		out.Categories = append(out.Categories, ec)
	}
	return out, nil
}

// otherNames are the names of the other people the database knows (places'
// contacts, accounts, invitees, joining requests), longest first.
func otherNames(ctx context.Context, q querier, m *matcher) ([]string, error) {
	seen := map[string]bool{}
	var names []string
	for _, t := range personalTables() {
		var cols []PersonalColumn
		for _, c := range t.Columns {
			if c.Whole && c.Holds == HoldsName {
				cols = append(cols, c)
			}
		}
		if len(cols) == 0 {
			continue
		}
		err := scanTable(ctx, q, PersonalTable{Table: t.Table, Columns: cols}, func(r tableRow) error {
			for i, c := range cols {
				v := strings.Join(strings.Fields(r.values[i].String), " ")
				if len([]rune(v)) >= 3 && v != ErasedMarker && !m.is(c, v) && !seen[strings.ToLower(v)] {
					seen[strings.ToLower(v)] = true
					names = append(names, v)
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(names, func(i, j int) bool { return len(names[i]) > len(names[j]) })
	return names, nil
}

var (
	anyEmail = regexp.MustCompile(`[^\s<>"'(),;:|\[\]]+@[^\s<>"'(),;:|\[\]]+\.[A-Za-z]{2,}`)
	anyPhone = regexp.MustCompile(`(?:(?:\+|00)\s*\d{2,3}[\s\x{00A0}\x{202F}.\-/]*(?:\(0\)[\s.\-]*)?|0)\d(?:[\s\x{00A0}\x{202F}.\-/]*\d){7,}`)
)

// redactOthers masks, in a text that mentions the person, the other
// addresses, phone numbers and known names.
func (m *matcher) redactOthers(v string, others []string) string {
	v = anyEmail.ReplaceAllStringFunc(v, func(s string) string {
		if strings.EqualFold(s, m.p.Email) {
			return s
		}
		return "[autre adresse]"
	})
	v = anyPhone.ReplaceAllStringFunc(v, func(s string) string {
		if m.phones[phoneKey(s)] {
			return s
		}
		return "[autre numéro]"
	})
	for _, n := range others {
		// Most texts mention none of them: look before compiling.
		if !strings.Contains(strings.ToLower(v), strings.ToLower(n)) {
			continue
		}
		// Word boundaries by hand: \b knows only ASCII letters, and
		// « Élodie » starts with one it does not.
		re := regexp.MustCompile(`(?i)(^|[^\p{L}\p{N}])` + regexp.QuoteMeta(n) + `($|[^\p{L}\p{N}])`)
		v = re.ReplaceAllString(v, "${1}[autre personne]${2}")
	}
	return v
}

// valueString writes a database value as text.
func valueString(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(t)
	case time.Time:
		return t.UTC().Format(time.RFC3339)
	case string:
		return t
	}
	return fmt.Sprint(v)
}

// ErasureReport says what an erasure changed, without the person's data.
type ErasureReport struct {
	Records int            // rows rewritten or deleted
	ByTable map[string]int // the same, per table
}

// ErasePerson removes one person from the database in one transaction:
// their e-mail, names, phones and the texts that are theirs are replaced
// (ErasedMarker where a value is required) or deleted, while places,
// history entries, campaign facts and counts stay. An opt-out keeps
// working through a keyed hash of the address. A matching account is
// disabled and anonymised, unless it is the last active hub account
// (ErrLastHub).
func (s *Store) ErasePerson(ctx context.Context, email string) (ErasureReport, error) {
	rep := ErasureReport{ByTable: map[string]int{}}
	key, err := s.Secret(ctx, "desinscriptions")
	if err != nil {
		return rep, err
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		p, err := findPerson(ctx, tx, email)
		if err != nil {
			return err
		}
		m := newMatcher(p)
		count := func(table string, n int64) {
			rep.ByTable[table] += int(n)
			rep.Records += int(n)
		}
		now := s.now().UTC()

		// Accounts first: refusing the last hub leaves everything as it was.
		type accountRow struct {
			id, role string
			disabled bool
		}
		var accounts []accountRow
		rows, err := tx.QueryContext(ctx, `SELECT id, role, disabled FROM users WHERE lower(email) = $1`, p.Email)
		if err != nil {
			return fmt.Errorf("store: erase: users: %w", err)
		}
		for rows.Next() {
			var a accountRow
			if err := rows.Scan(&a.id, &a.role, &a.disabled); err != nil {
				rows.Close()
				return err
			}
			accounts = append(accounts, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var userIDs []string
		for _, a := range accounts {
			if a.role == string(account.RoleHub) && !a.disabled {
				var others int
				if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE role = $1 AND disabled = FALSE AND id <> $2`, a.role, a.id).Scan(&others); err != nil {
					return err
				}
				if others == 0 {
					return ErrLastHub
				}
			}
			userIDs = append(userIDs, a.id)
		}
		for _, id := range userIDs {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET email = $1, name = $2, password_hash = '', disabled = TRUE, updated_at = $3 WHERE id = $4`,
				"personne-effacee-"+id+"@invalid", ErasedMarker, now, id); err != nil {
				return fmt.Errorf("store: erase account: %w", err)
			}
			count("users", 1)
			for _, q := range []string{`DELETE FROM sessions WHERE user_id = $1`, `DELETE FROM auth_links WHERE user_id = $1`, `DELETE FROM user_territories WHERE user_id = $1`} {
				res, err := tx.ExecContext(ctx, q, id)
				if err != nil {
					return fmt.Errorf("store: erase account: %w", err)
				}
				n, _ := res.RowsAffected()
				count(strings.Fields(q)[2], n)
			}
		}

		// The directory consent was the contact's: it goes with them.
		res, err := tx.ExecContext(ctx, `DELETE FROM network_directory WHERE place_id IN (SELECT id FROM places WHERE lower(trim(contact_email)) = $1)`, p.Email)
		if err != nil {
			return fmt.Errorf("store: erase: directory: %w", err)
		}
		n, _ := res.RowsAffected()
		count("network_directory", n)

		// The opt-out stays, as a keyed hash of the address.
		var optedOut int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM mail_opt_outs WHERE lower(trim(email)) = $1`, p.Email).Scan(&optedOut); err != nil {
			return err
		}
		if optedOut > 0 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM mail_opt_outs WHERE lower(trim(email)) = $1`, p.Email); err != nil {
				return fmt.Errorf("store: erase: opt-out: %w", err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO mail_opt_outs (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING`,
				optOutHash(key, p.Email), now); err != nil {
				return fmt.Errorf("store: erase: opt-out: %w", err)
			}
			count("mail_opt_outs", 1)
		}

		// Mails not sent yet to the person are not sent at all.
		if res, err = tx.ExecContext(ctx, `DELETE FROM outbox WHERE sent_at IS NULL AND lower(trim(to_addr)) = $1`, p.Email); err != nil {
			return fmt.Errorf("store: erase: outbox: %w", err)
		}
		n, _ = res.RowsAffected()
		count("outbox", n)
		if res, err = tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, last_error = $2 WHERE status = $3 AND lower(trim(to_addr)) = $4`,
			MessageSkipped, ErasedMarker, MessageWaiting, p.Email); err != nil {
			return fmt.Errorf("store: erase: campaign messages: %w", err)
		}
		n, _ = res.RowsAffected()
		count("campaign_messages", n)

		// Rate limits keyed by the hash of the account's address.
		if res, err = tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE key LIKE $1`, "%:"+account.HashToken(p.Email)); err != nil {
			return fmt.Errorf("store: erase: rate limits: %w", err)
		}
		n, _ = res.RowsAffected()
		count("rate_limits", n)

		// Imported files that contain the person: the places they fed keep
		// their data (erased below), the file itself goes.
		if n, err := eraseImports(ctx, tx, m); err != nil {
			return err
		} else {
			count("imports", int64(n))
		}

		// Every personal column of the register.
		for _, t := range personalTables() {
			if t.Table == "users" {
				continue // done above
			}
			type update struct {
				key    []any
				values []string
			}
			var updates []update
			err := scanTable(ctx, tx, t, func(r tableRow) error {
				rm := m.matchRow(t, r)
				u := update{key: r.key, values: make([]string, len(t.Columns))}
				changed := false
				for i, c := range t.Columns {
					v := r.values[i].String
					u.values[i] = v
					if nv := m.erased(c, v, rm.hits[i]); nv != v {
						u.values[i], changed = nv, true
					}
				}
				if changed {
					updates = append(updates, u)
				}
				return nil
			})
			if err != nil {
				return err
			}
			if len(updates) == 0 {
				continue
			}
			sets := make([]string, len(t.Columns))
			for i, c := range t.Columns {
				sets[i] = fmt.Sprintf("%s = $%d", c.Column, i+1)
			}
			var extra []any
			if t.Table == "places" {
				// The public index reloads the places whose seq moved, and
				// an editor opened before the erasure cannot save the old
				// contact back over it (its updated_at no longer matches).
				placeSeq, err := bumpPlaces(ctx, tx)
				if err != nil {
					return err
				}
				extra = []any{placeSeq, now}
				sets = append(sets, fmt.Sprintf("seq = $%d", len(sets)+1), fmt.Sprintf("updated_at = $%d", len(sets)+2))
			}
			where := make([]string, len(t.Key))
			for i, k := range t.Key {
				where[i] = fmt.Sprintf("%s = $%d", k, len(sets)+i+1)
			}
			q := `UPDATE ` + t.Table + ` SET ` + strings.Join(sets, ", ") + ` WHERE ` + strings.Join(where, " AND ")
			for _, u := range updates {
				args := make([]any, 0, len(u.values)+len(u.key))
				for _, v := range u.values {
					args = append(args, v)
				}
				args = append(append(args, extra...), u.key...)
				if _, err := tx.ExecContext(ctx, q, args...); err != nil {
					return fmt.Errorf("store: erase %s: %w", t.Table, err)
				}
			}
			count(t.Table, int64(len(updates)))
		}
		return nil
	})
	return rep, err
}

// eraseImports deletes the imported files that hold the person; an XLSX
// workbook is read inside its zip.
func eraseImports(ctx context.Context, tx *sql.Tx, m *matcher) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, content, error_report FROM imports`)
	if err != nil {
		return 0, fmt.Errorf("store: erase: imports: %w", err)
	}
	var ids []string
	for rows.Next() {
		var id string
		var content, report []byte
		if err := rows.Scan(&id, &content, &report); err != nil {
			rows.Close()
			return 0, err
		}
		if m.mentioned(fileText(content)) || m.mentioned(fileText(report)) {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, id := range ids {
		if _, err := tx.ExecContext(ctx, `DELETE FROM imports WHERE id = $1`, id); err != nil {
			return 0, fmt.Errorf("store: erase import: %w", err)
		}
	}
	return len(ids), nil
}

// fileText is a file's text: the XML parts of a zip (XLSX), or the bytes.
func fileText(b []byte) string {
	if len(b) < 4 || !bytes.HasPrefix(b, []byte("PK\x03\x04")) {
		return string(b)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return string(b)
	}
	var sb strings.Builder
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".xml") {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			continue
		}
		io.Copy(&sb, io.LimitReader(rc, 200<<20))
		rc.Close()
		sb.WriteByte('\n')
	}
	return sb.String()
}

// optOutHash is how an erased address stays opted out: a keyed hash,
// stored in place of the address.
func optOutHash(key []byte, email string) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(account.NormalizeEmail(email)))
	return "hmac:" + hex.EncodeToString(mac.Sum(nil))
}

// OptOutKey is the opt-out row of an erased address. The campaign queue
// should treat an address as opted out when either the address or this
// key is in mail_opt_outs.
func (s *Store) OptOutKey(ctx context.Context, email string) (string, error) {
	key, err := s.Secret(ctx, "desinscriptions")
	if err != nil {
		return "", err
	}
	return optOutHash(key, email), nil
}

// OptOutHolds reports whether an address opted out, in clear or, after
// its erasure, by its keyed hash.
func (s *Store) OptOutHolds(ctx context.Context, email string) (bool, error) {
	h, err := s.OptOutKey(ctx, email)
	if err != nil {
		return false, err
	}
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM mail_opt_outs WHERE email = $1 OR email = $2`, account.NormalizeEmail(email), h).Scan(&n); err != nil {
		return false, fmt.Errorf("store: opt-out: %w", err)
	}
	return n > 0, nil
}

// Tables lists every table of the database, sorted.
func (s *Store) Tables(ctx context.Context) ([]string, error) {
	q := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if s.d.name == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := s.r.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("store: tables: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	sort.Strings(out)
	return out, rows.Err()
}

// EachValue calls f with every value of every table, as text: the check
// that nothing of an erased person is left anywhere.
func (s *Store) EachValue(ctx context.Context, f func(table, column, value string)) error {
	tables, err := s.Tables(ctx)
	if err != nil {
		return err
	}
	for _, t := range tables {
		if err := s.eachValueOf(ctx, t, f); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) eachValueOf(ctx context.Context, table string, f func(table, column, value string)) error {
	rows, err := s.r.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return fmt.Errorf("store: read %s: %w", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]any, len(cols))
	dest := make([]any, len(cols))
	for i := range vals {
		dest[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return fmt.Errorf("store: read %s: %w", table, err)
		}
		for i, c := range cols {
			f(table, c, valueString(vals[i]))
		}
	}
	return rows.Err()
}

// tableColumns lists a table's columns.
func (s *Store) tableColumns(ctx context.Context, table string) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT * FROM `+table+` WHERE 1 = 0`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return rows.Columns()
}

// UnclassifiedColumns lists the "table.column" of the database that are
// neither in the register (PersonalData) nor known to hold no personal
// data: a new column must be classified before it can be exported and
// erased.
func (s *Store) UnclassifiedColumns(ctx context.Context) ([]string, error) {
	known := map[string]bool{}
	for _, c := range PersonalData {
		for _, t := range c.Tables {
			for _, col := range t.Key {
				known[t.Table+"."+col] = true
			}
			for _, col := range t.Columns {
				known[t.Table+"."+col.Column] = true
			}
		}
	}
	tables, err := s.Tables(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, t := range tables {
		cols, err := s.tableColumns(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("store: columns of %s: %w", t, err)
		}
		for _, c := range cols {
			if !known[t+"."+c] && !notPersonal[t+"."+c] && !dated(c) {
				out = append(out, t+"."+c)
			}
		}
	}
	return out, nil
}

// dated tells the columns that are times, counts, flags or positions by
// their name: they hold nothing personal by themselves.
func dated(col string) bool {
	for _, suffix := range []string{"_at", "_since"} {
		if strings.HasSuffix(col, suffix) {
			return true
		}
	}
	switch col {
	case "at", "hits", "window_start", "attempts", "next_attempt_at", "claimed_until", "deadline", "track_opens", "meal",
		"party_size", "position", "latitude", "longitude", "date_maj", "itinerance", "services", "publics", "prise_en_charge", "frais",
		"dispositifs", "formations_labels", "modalites_acces", "modalites_accompagnement", "seq", "disabled", "starts_at", "ends_at", "month":
		return true
	}
	return false
}

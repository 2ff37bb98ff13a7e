package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Retention periods, as the public page « Données personnelles » states
// them.
const (
	CampaignTrackingMonths = 24 // after the campaign's deadline
	AuditMonths            = 36
	HistoryAuthorMonths    = 36
	SentMailMonths         = 12
	ImportMonths           = 12
	rateLimitKeep          = 24 * time.Hour
)

// RetentionRule is one rule, for the register page.
type RetentionRule struct{ What, Period, Action string }

// RetentionRules are the rules ApplyRetention applies.
var RetentionRules = []RetentionRule{
	{"Suivi des campagnes (adresses des destinataires et des messages, ouvertures, visites, erreurs d'envoi, notes et auteurs des appels)",
		"24 mois après la date limite de la campagne", "anonymisé ; restent les faits (envoyé, réponse, date de l'appel) et les comptes"},
	{"Journal de sécurité", "36 mois", "supprimé"},
	{"Auteur des modifications dans l'historique des fiches", "36 mois", "anonymisé ; la modification elle-même reste"},
	{"Courriels envoyés (boîte d'envoi)", "12 mois après l'envoi", "supprimés"},
	{"Fichiers de recensement importés", "12 mois", "supprimés"},
	{"Sessions expirées et liens à usage unique expirés", "dès leur expiration", "supprimés"},
	{"Compteurs anti-abus", "24 heures", "supprimés"},
}

// RetentionReport counts what one run of ApplyRetention changed.
type RetentionReport struct {
	At                 time.Time `json:"at"`
	CampaignRecipients int       `json:"campaign_recipients"`
	CampaignMessages   int       `json:"campaign_messages"`
	AuditEntries       int       `json:"audit_entries"`
	HistoryAuthors     int       `json:"history_authors"`
	SentMails          int       `json:"sent_mails"`
	Imports            int       `json:"imports"`
	Sessions           int       `json:"sessions"`
	Links              int       `json:"links"`
	RateLimits         int       `json:"rate_limits"`
}

// Total is the number of rows changed or deleted.
func (r RetentionReport) Total() int {
	return r.CampaignRecipients + r.CampaignMessages + r.AuditEntries + r.HistoryAuthors + r.SentMails + r.Imports + r.Sessions + r.Links + r.RateLimits
}

// retentionSetting keeps the last run's report, shown on the register.
const retentionSetting = "rgpd.derniere_conservation"

// retentionAnonymous stands for an author removed by retention.
const retentionAnonymous = "anonymisé (durée de conservation)"

// ApplyRetention applies the retention rules as of now, in one
// transaction; running it again changes nothing more.
func (s *Store) ApplyRetention(ctx context.Context, now time.Time) (RetentionReport, error) {
	now = now.UTC()
	rep := RetentionReport{At: now}
	steps := []struct {
		n    *int
		q    string
		args []any
	}{
		{&rep.CampaignRecipients, `UPDATE campaign_recipients SET email = '', opened_at = NULL, visited_at = NULL, bounce_reason = '', call_note = '', called_by = ''
			WHERE campaign_id IN (SELECT id FROM campaigns WHERE deadline < $1)
			AND (email <> '' OR opened_at IS NOT NULL OR visited_at IS NOT NULL OR bounce_reason <> '' OR call_note <> '' OR called_by <> '')`,
			[]any{now.AddDate(0, -CampaignTrackingMonths, 0)}},
		{&rep.CampaignMessages, `UPDATE campaign_messages SET to_addr = '', last_error = ''
			WHERE campaign_id IN (SELECT id FROM campaigns WHERE deadline < $1) AND (to_addr <> '' OR last_error <> '')`,
			[]any{now.AddDate(0, -CampaignTrackingMonths, 0)}},
		{&rep.AuditEntries, `DELETE FROM audit_log WHERE at < $1`, []any{now.AddDate(0, -AuditMonths, 0)}},
		{&rep.HistoryAuthors, `UPDATE place_history SET actor_name = $1 WHERE at < $2 AND actor_kind IN ('personne', 'telephone', 'import') AND actor_name <> $1`,
			[]any{retentionAnonymous, now.AddDate(0, -HistoryAuthorMonths, 0)}},
		{&rep.SentMails, `DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $1`, []any{now.AddDate(0, -SentMailMonths, 0)}},
		{&rep.Imports, `DELETE FROM imports WHERE created_at < $1`, []any{now.AddDate(0, -ImportMonths, 0)}},
		{&rep.Sessions, `DELETE FROM sessions WHERE expires_at < $1`, []any{now}},
		{&rep.Links, `DELETE FROM auth_links WHERE expires_at < $1`, []any{now}},
		{&rep.RateLimits, `DELETE FROM rate_limits WHERE window_start < $1`, []any{now.Add(-rateLimitKeep)}},
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for _, st := range steps {
			res, err := tx.ExecContext(ctx, st.q, st.args...)
			if err != nil {
				return fmt.Errorf("store: retention: %w", err)
			}
			n, _ := res.RowsAffected()
			*st.n = int(n)
		}
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, retentionSetting, string(b))
		return err
	})
	return rep, err
}

// LastRetention is the report of the last run of ApplyRetention, or
// ErrNotFound before the first.
func (s *Store) LastRetention(ctx context.Context) (RetentionReport, error) {
	var rep RetentionReport
	v, err := s.Setting(ctx, retentionSetting, "")
	if err != nil {
		return rep, err
	}
	if v == "" {
		return rep, ErrNotFound
	}
	if err := json.Unmarshal([]byte(v), &rep); err != nil {
		return rep, errors.Join(ErrNotFound, err)
	}
	return rep, nil
}

package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"portrea/internal/place"
)

// Campaign statuses.
const (
	CampaignSending = "envoi"    // messages go out (and reminders when due)
	CampaignPaused  = "pause"    // nothing goes out until resumed
	CampaignDone    = "terminee" // closed by a person; links keep working until they expire
)

// Campaign origins.
const (
	OriginCalendar = "calendrier" // created by the hub's calendar
	OriginReferent = "referent"   // started by a person in the back office
	OriginCommand  = "commande"   // started with `portrea campaign start`
)

// Message kinds.
const (
	MessageInvitation = "invitation"
	MessageReminder   = "relance-" // followed by the reminder's number
)

// Message statuses.
const (
	MessageWaiting = "attente"
	MessageSending = "envoi"
	MessageSent    = "envoye"
	MessageFailed  = "echec"  // refused for good (bounce, invalid address)
	MessageSkipped = "ignore" // the address opted out
)

// Answers an actor gives through the link, or a referent on the phone.
const (
	AnswerUnchanged = "inchange"
	AnswerUpdated   = "mis-a-jour"
	AnswerGone      = "n-existe-plus"
	AnswerNoPublic  = "pas-de-public"
)

// ErrCampaignExists is returned when the calendar campaign of a date was
// already created for the territory.
var ErrCampaignExists = errors.New("store: campaign already created")

// ErrLinkInvalid is returned for an unknown, expired or revoked link.
var ErrLinkInvalid = errors.New("store: link unknown, expired or revoked")

// Campaign is an update campaign of one territory.
type Campaign struct {
	ID           string
	EPCI         string
	Name         string
	Origin       string
	ScheduleKey  string // calendar date (YYYY-MM-DD) of a calendar campaign
	Status       string
	Subject      string
	Body         string // template with merge fields, see campaign.Render
	SenderName   string
	ReplyTo      string
	Deadline     time.Time
	Reminders    []int    // days after the invitation
	DirectFields []string // fields an actor's edit changes without review
	TrackOpens   bool
	CreatedBy    string
	CreatedAt    time.Time
}

// Recipient is a place a campaign asks, at an address.
type Recipient struct {
	PlaceID, Email string
}

const campaignCols = `id, epci, name, origin, schedule_key, status, subject, body, sender_name, reply_to, deadline, reminders, direct_fields, track_opens, created_by, created_at`

func scanCampaign(sc scanner) (*Campaign, error) {
	var c Campaign
	var key sql.NullString
	var reminders, direct string
	if err := sc.Scan(&c.ID, &c.EPCI, &c.Name, &c.Origin, &key, &c.Status, &c.Subject, &c.Body, &c.SenderName, &c.ReplyTo,
		&c.Deadline, &reminders, &direct, &c.TrackOpens, &c.CreatedBy, &c.CreatedAt); err != nil {
		return nil, err
	}
	c.ScheduleKey = key.String
	c.Deadline, c.CreatedAt = c.Deadline.UTC(), c.CreatedAt.UTC()
	for _, f := range strings.Split(reminders, ",") {
		if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil {
			c.Reminders = append(c.Reminders, n)
		}
	}
	if direct != "" {
		c.DirectFields = strings.Split(direct, ",")
	}
	return &c, nil
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
}

// CreateCampaign records a campaign, its recipients and their invitation
// messages in one transaction. Addresses that opted out are left out. A
// calendar campaign (ScheduleKey set) already created returns
// ErrCampaignExists and writes nothing. It returns the number of
// recipients.
func (s *Store) CreateCampaign(ctx context.Context, c *Campaign, rs []Recipient) (int, error) {
	if c.ID == "" {
		c.ID = place.NewID()
	}
	now := s.now().UTC()
	c.CreatedAt = now
	if c.Status == "" {
		c.Status = CampaignSending
	}
	var key any
	if c.ScheduleKey != "" {
		key = c.ScheduleKey
	}
	// Erased people's opt-outs are kept as keyed hashes (see rgpd.go).
	// The key is read before the transaction: on SQLite, Secret writes
	// through the single writer connection.
	optKey, err := s.Secret(ctx, "desinscriptions")
	if err != nil {
		return 0, err
	}
	n := 0
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO campaigns (`+campaignCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
			ON CONFLICT (epci, schedule_key) DO NOTHING`,
			c.ID, c.EPCI, c.Name, c.Origin, key, c.Status, c.Subject, c.Body, c.SenderName, c.ReplyTo, c.Deadline.UTC(),
			joinInts(c.Reminders), strings.Join(c.DirectFields, ","), c.TrackOpens, c.CreatedBy, now)
		if err != nil {
			return fmt.Errorf("store: create campaign: %w", err)
		}
		if k, _ := res.RowsAffected(); k != 1 {
			return ErrCampaignExists
		}
		opted, err := optOuts(ctx, tx)
		if err != nil {
			return err
		}
		recs := newBatchInserter(tx, "campaign_recipients", []string{"campaign_id", "place_id", "email"}, "")
		defer recs.close()
		msgs := newBatchInserter(tx, "campaign_messages", []string{"id", "campaign_id", "place_id", "kind", "to_addr", "status", "next_attempt_at", "created_at"}, "")
		defer msgs.close()
		seen := map[string]bool{}
		var rargs, margs []any
		flush := func() error {
			if len(rargs) > 0 {
				if _, err := recs.insert(ctx, rargs); err != nil {
					return fmt.Errorf("store: campaign recipients: %w", err)
				}
				if _, err := msgs.insert(ctx, margs); err != nil {
					return fmt.Errorf("store: campaign messages: %w", err)
				}
			}
			rargs, margs = rargs[:0], margs[:0]
			return nil
		}
		for _, r := range rs {
			email := strings.ToLower(strings.TrimSpace(r.Email))
			if email == "" || email == ErasedMarker || opted[email] || opted[optOutHash(optKey, email)] || seen[r.PlaceID] {
				continue
			}
			seen[r.PlaceID] = true
			rargs = append(rargs, c.ID, r.PlaceID, email)
			margs = append(margs, place.NewID(), c.ID, r.PlaceID, MessageInvitation, email, MessageWaiting, now, now)
			n++
			if len(rargs)/3 == s.d.bulkRows {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

func optOuts(ctx context.Context, q querier) (map[string]bool, error) {
	rows, err := q.QueryContext(ctx, `SELECT email FROM mail_opt_outs`)
	if err != nil {
		return nil, fmt.Errorf("store: opt-outs: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out[e] = true
	}
	return out, rows.Err()
}

// GetCampaign returns a campaign.
func (s *Store) GetCampaign(ctx context.Context, id string) (*Campaign, error) {
	c, err := scanCampaign(s.r.QueryRowContext(ctx, `SELECT `+campaignCols+` FROM campaigns WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: campaign %s: %w", id, err)
	}
	return c, nil
}

// Campaigns lists the campaigns of territories (all when epcis is nil),
// newest first.
func (s *Store) Campaigns(ctx context.Context, epcis []string, limit int) ([]*Campaign, error) {
	where, args, ok := inTerritories(epcis)
	if !ok {
		return nil, nil
	}
	return queryAll(ctx, s.r, "campaigns", `SELECT `+campaignCols+` FROM campaigns`+where+fmt.Sprintf(` ORDER BY created_at DESC, id LIMIT %d`, limit), args, scanCampaign)
}

// UpdateCampaign saves what a person may change of a campaign: its status,
// texts, sender, deadline, reminders and directly applied fields.
func (s *Store) UpdateCampaign(ctx context.Context, c *Campaign) error {
	_, err := s.w.ExecContext(ctx, `UPDATE campaigns SET name = $1, status = $2, subject = $3, body = $4, sender_name = $5, reply_to = $6,
		deadline = $7, reminders = $8, direct_fields = $9, track_opens = $10 WHERE id = $11`,
		c.Name, c.Status, c.Subject, c.Body, c.SenderName, c.ReplyTo, c.Deadline.UTC(), joinInts(c.Reminders), strings.Join(c.DirectFields, ","), c.TrackOpens, c.ID)
	if err != nil {
		return fmt.Errorf("store: update campaign %s: %w", c.ID, err)
	}
	return nil
}

// OutMessage is a message claimed for sending.
type OutMessage struct {
	ID, CampaignID, PlaceID, Kind, To string
	Attempts                          int
}

// ClaimMessages takes up to n messages due for sending, of campaigns that
// are sending, and holds them until hold has passed: another sender (or
// this one after a crash) takes a message back only once its hold is over.
// A message claimed but never marked sent was not delivered (see
// MarkMessageSent).
func (s *Store) ClaimMessages(ctx context.Context, n int, hold time.Duration) ([]OutMessage, error) {
	var out []OutMessage
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		q := `SELECT m.id, m.campaign_id, m.place_id, m.kind, m.to_addr, m.attempts FROM campaign_messages m
			JOIN campaigns c ON c.id = m.campaign_id
			WHERE c.status = $1 AND ((m.status = $2 AND m.next_attempt_at <= $3) OR (m.status = $4 AND m.claimed_until < $3))
			ORDER BY m.next_attempt_at, m.id LIMIT $5`
		if s.d.name == "postgres" {
			q += ` FOR UPDATE OF m SKIP LOCKED`
		}
		var err error
		out, err = queryAll(ctx, tx, "claim messages", q, []any{CampaignSending, MessageWaiting, now, MessageSending, n}, func(sc scanner) (OutMessage, error) {
			var m OutMessage
			err := sc.Scan(&m.ID, &m.CampaignID, &m.PlaceID, &m.Kind, &m.To, &m.Attempts)
			return m, err
		})
		if err != nil {
			return err
		}
		for _, m := range out {
			if _, err := tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, claimed_until = $2, claimed_by = $3 WHERE id = $4`,
				MessageSending, now.Add(hold), s.instance, m.ID); err != nil {
				return fmt.Errorf("store: claim message %s: %w", m.ID, err)
			}
		}
		return nil
	})
	return out, err
}

// MarkMessageSent records a message as sent, with the personal link it
// carries (only the hash of its secret), in one transaction. The sender
// calls it once the SMTP server has the whole message, just before
// telling it the message is complete: a crash before this point leaves the
// message unsent, to be sent again; after it, the server delivers it.
func (s *Store) MarkMessageSent(ctx context.Context, m OutMessage, tokenHash string, expires time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.fastCommit(ctx, tx); err != nil {
			return err
		}
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, sent_at = $2, attempts = attempts + 1, last_error = '', claimed_until = NULL WHERE id = $3 AND status = $4 AND claimed_by = $5`,
			MessageSent, now, m.ID, MessageSending, s.instance)
		if err != nil {
			return fmt.Errorf("store: message %s sent: %w", m.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: message %s is no longer claimed", m.ID)
		}
		if tokenHash != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_links (token_hash, campaign_id, place_id, message_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
				tokenHash, m.CampaignID, m.PlaceID, m.ID, now, expires.UTC()); err != nil {
				return fmt.Errorf("store: message %s link: %w", m.ID, err)
			}
		}
		_, err = tx.ExecContext(ctx, `UPDATE campaign_recipients SET sent_at = COALESCE(sent_at, $1) WHERE campaign_id = $2 AND place_id = $3`, now, m.CampaignID, m.PlaceID)
		return err
	})
}

// fastCommit lets PostgreSQL answer this transaction's COMMIT without
// waiting for the disk. Between the COMMIT and the SMTP end of data, a
// crash loses the message: the shorter that moment, the rarer the loss.
// The price is that a crash of PostgreSQL itself within a fraction of a
// second may forget the "sent" mark, and the message goes again.
func (s *Store) fastCommit(ctx context.Context, tx *sql.Tx) error {
	if s.d.name != "postgres" {
		return nil // SQLite in WAL with synchronous=NORMAL commits without fsync already
	}
	_, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`)
	return err
}

// UnmarkMessageSent undoes MarkMessageSent when the SMTP server refused
// the complete message after all: the message is retried (or failed) as
// the sender then says.
func (s *Store) UnmarkMessageSent(ctx context.Context, m OutMessage) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, sent_at = NULL WHERE id = $2`, MessageSending, m.ID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM campaign_links WHERE message_id = $1`, m.ID)
		return err
	})
}

// RetryMessage puts a message back in the queue after a temporary failure.
func (s *Store) RetryMessage(ctx context.Context, id, reason string, next time.Time) error {
	_, err := s.w.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, attempts = attempts + 1, last_error = $2, next_attempt_at = $3, claimed_until = NULL, claimed_by = '' WHERE id = $4 AND claimed_by = $5`,
		MessageWaiting, reason, next.UTC(), id, s.instance)
	if err != nil {
		return fmt.Errorf("store: retry message %s: %w", id, err)
	}
	return nil
}

// FailMessage records a permanent failure: the message stops, and the
// place's recipient is marked bounced with the reason.
func (s *Store) FailMessage(ctx context.Context, m OutMessage, reason string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, attempts = attempts + 1, last_error = $2, claimed_until = NULL WHERE id = $3 AND claimed_by = $4`,
			MessageFailed, reason, m.ID, s.instance)
		if err != nil {
			return fmt.Errorf("store: fail message %s: %w", m.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // another instance holds it now and will report it
		}
		_, err = tx.ExecContext(ctx, `UPDATE campaign_recipients SET bounced_at = $1, bounce_reason = $2 WHERE campaign_id = $3 AND place_id = $4`,
			now, reason, m.CampaignID, m.PlaceID)
		return err
	})
}

// SkipMessage leaves a message unsent (its address opted out).
func (s *Store) SkipMessage(ctx context.Context, id, reason string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, last_error = $2, claimed_until = NULL WHERE id = $3 AND claimed_by = $4`,
		MessageSkipped, reason, id, s.instance)
	return err
}

// ExtendClaims keeps this process's claim on messages it is still working
// through, so that no other instance takes them while they are sent.
func (s *Store) ExtendClaims(ctx context.Context, ids []string, until time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	args := []any{until.UTC(), MessageSending, s.instance}
	for _, id := range ids {
		args = append(args, id)
	}
	_, err := s.w.ExecContext(ctx, `UPDATE campaign_messages SET claimed_until = $1 WHERE status = $2 AND claimed_by = $3 AND id IN (`+placeholders(4, len(ids))+`)`, args...)
	if err != nil {
		return fmt.Errorf("store: extend claims: %w", err)
	}
	return nil
}

// ReleaseClaims hands back the messages this process claimed and has not
// sent: another instance (or this one after a restart) sends them at once
// instead of waiting for the claims to lapse. It returns how many.
func (s *Store) ReleaseClaims(ctx context.Context) (int, error) {
	res, err := s.w.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, claimed_until = NULL, claimed_by = '' WHERE status = $2 AND claimed_by = $3`,
		MessageWaiting, MessageSending, s.instance)
	if err != nil {
		return 0, fmt.Errorf("store: release claims: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// OptOut records that an address wants no more campaign e-mail; its
// messages still waiting are skipped.
func (s *Store) OptOut(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_opt_outs (email, created_at) VALUES ($1, $2) ON CONFLICT (email) DO NOTHING`, email, s.now().UTC()); err != nil {
			return fmt.Errorf("store: opt out: %w", err)
		}
		_, err := tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, last_error = $2 WHERE to_addr = $3 AND status = $4`,
			MessageSkipped, "désinscrit", email, MessageWaiting)
		return err
	})
}

// OptedOut reports whether an address opted out.
func (s *Store) OptedOut(ctx context.Context, email string) (bool, error) {
	return s.OptOutHolds(ctx, email)
}

// Link is what a personal link opens.
type Link struct {
	CampaignID, PlaceID string
	ExpiresAt           time.Time
}

// LinkByToken finds a valid link by the hash of its secret: unknown,
// expired and revoked links all give ErrLinkInvalid.
func (s *Store) LinkByToken(ctx context.Context, tokenHash string) (*Link, error) {
	var l Link
	var revoked sql.NullTime
	err := s.r.QueryRowContext(ctx, `SELECT campaign_id, place_id, expires_at, revoked_at FROM campaign_links WHERE token_hash = $1`, tokenHash).
		Scan(&l.CampaignID, &l.PlaceID, &l.ExpiresAt, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrLinkInvalid
	}
	if err != nil {
		return nil, fmt.Errorf("store: link: %w", err)
	}
	if revoked.Valid || !s.now().Before(l.ExpiresAt) {
		return nil, ErrLinkInvalid
	}
	l.ExpiresAt = l.ExpiresAt.UTC()
	return &l, nil
}

// RevokeLinks ends every link of a place in a campaign.
func (s *Store) RevokeLinks(ctx context.Context, campaignID, placeID string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE campaign_links SET revoked_at = $1 WHERE campaign_id = $2 AND place_id = $3 AND revoked_at IS NULL`,
		s.now().UTC(), campaignID, placeID)
	return err
}

// MarkVisited records that the link was opened (the first time counts);
// MarkOpened that the message was read (tracking pixel).
func (s *Store) MarkVisited(ctx context.Context, campaignID, placeID string) error {
	return s.markRecipient(ctx, "visited_at", campaignID, placeID)
}

// MarkOpened records that the message was displayed.
func (s *Store) MarkOpened(ctx context.Context, campaignID, placeID string) error {
	return s.markRecipient(ctx, "opened_at", campaignID, placeID)
}

func (s *Store) markRecipient(ctx context.Context, col, campaignID, placeID string) error {
	_, err := s.w.ExecContext(ctx, `UPDATE campaign_recipients SET `+col+` = $1 WHERE campaign_id = $2 AND place_id = $3 AND `+col+` IS NULL`,
		s.now().UTC(), campaignID, placeID)
	return err
}

// Proposal is a change an actor proposed for a place, waiting for review.
type Proposal struct {
	ID, PlaceID, EPCI, CampaignID string
	Changes                       []place.Change
	Status                        string // attente, acceptee, rejetee
	CreatedAt, DecidedAt          time.Time
	DecidedBy                     string
}

// Proposal statuses.
const (
	ProposalWaiting  = "attente"
	ProposalAccepted = "acceptee"
	ProposalRejected = "rejetee"
)

// Answer is what an actor did through the link.
type Answer struct {
	CampaignID, PlaceID string
	Kind                string // AnswerUnchanged, AnswerUpdated, AnswerGone, AnswerNoPublic
	// Direct is the new version of the place with the changes applied
	// without review (nil: none); Confirm moves its date_maj.
	Direct *place.Place
	// Proposed are the changes left for the referent.
	Proposed []place.Change
	Actor    place.Actor
}

// RecordAnswer applies an actor's answer in one transaction: the direct
// changes (or the confirmation) to the place with their history, the
// proposal for the rest, and the answer on the campaign's recipient.
func (s *Store) RecordAnswer(ctx context.Context, a Answer) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		if a.Direct != nil {
			w := Write{Actor: a.Actor, Confirm: true}
			if a.Kind == AnswerUnchanged {
				w.Summary = "confirmation (lien personnel)"
			} else {
				w.Summary = "mise à jour par la structure (lien personnel)"
			}
			if err := s.updatePlaceTx(ctx, tx, a.Direct, w); err != nil {
				return err
			}
		}
		if len(a.Proposed) > 0 {
			b, err := json.Marshal(a.Proposed)
			if err != nil {
				return err
			}
			var epci string
			if err := tx.QueryRowContext(ctx, `SELECT epci FROM places WHERE id = $1`, a.PlaceID).Scan(&epci); err != nil {
				return fmt.Errorf("store: proposal place %s: %w", a.PlaceID, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO proposals (id, place_id, epci, campaign_id, changes, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				place.NewID(), a.PlaceID, epci, a.CampaignID, string(b), ProposalWaiting, now); err != nil {
				return fmt.Errorf("store: proposal: %w", err)
			}
		}
		_, err := tx.ExecContext(ctx, `UPDATE campaign_recipients SET answer = $1, answered_at = $2, visited_at = COALESCE(visited_at, $2) WHERE campaign_id = $3 AND place_id = $4`,
			a.Kind, now, a.CampaignID, a.PlaceID)
		return err
	})
}

const proposalCols = `id, place_id, epci, campaign_id, changes, status, created_at, decided_at, decided_by`

func scanProposal(sc scanner) (*Proposal, error) {
	var p Proposal
	var changes string
	var decided sql.NullTime
	if err := sc.Scan(&p.ID, &p.PlaceID, &p.EPCI, &p.CampaignID, &changes, &p.Status, &p.CreatedAt, &decided, &p.DecidedBy); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(changes), &p.Changes); err != nil {
		return nil, err
	}
	p.CreatedAt, p.DecidedAt = p.CreatedAt.UTC(), decided.Time.UTC()
	return &p, nil
}

// Proposals lists the proposals of a territory with a status, oldest first.
func (s *Store) Proposals(ctx context.Context, epci, status string) ([]*Proposal, error) {
	return queryAll(ctx, s.r, "proposals", `SELECT `+proposalCols+` FROM proposals WHERE epci = $1 AND status = $2 ORDER BY created_at, id`, []any{epci, status}, scanProposal)
}

// GetProposal returns one proposal.
func (s *Store) GetProposal(ctx context.Context, id string) (*Proposal, error) {
	p, err := scanProposal(s.r.QueryRowContext(ctx, `SELECT `+proposalCols+` FROM proposals WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: proposal %s: %w", id, err)
	}
	return p, nil
}

// DecideProposal accepts (writing next, the place with the changes
// applied, in the same transaction) or rejects a waiting proposal.
func (s *Store) DecideProposal(ctx context.Context, id string, accept bool, next *place.Place, w Write) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		status := ProposalRejected
		if accept {
			status = ProposalAccepted
		}
		res, err := tx.ExecContext(ctx, `UPDATE proposals SET status = $1, decided_at = $2, decided_by = $3 WHERE id = $4 AND status = $5`,
			status, s.now().UTC(), w.Actor.Name, id, ProposalWaiting)
		if err != nil {
			return fmt.Errorf("store: decide proposal %s: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrConflict
		}
		if accept && next != nil {
			return s.updatePlaceTx(ctx, tx, next, w)
		}
		return nil
	})
}

// CampaignSummary counts where a campaign stands.
type CampaignSummary struct {
	Recipients                      int
	Waiting, Sent, Failed, Skipped  int // invitations
	Opened, Visited, Bounced        int
	Unchanged, Updated, Gone        int
	NoPublic, NoAnswer              int
	RemindersSent, MessagesInFlight int
}

// Answered is the number of recipients who answered.
func (s CampaignSummary) Answered() int { return s.Unchanged + s.Updated + s.Gone + s.NoPublic }

// SummarizeCampaign counts a campaign's recipients and messages.
func (s *Store) SummarizeCampaign(ctx context.Context, id string) (CampaignSummary, error) {
	var c CampaignSummary
	err := s.r.QueryRowContext(ctx, `SELECT COUNT(*),
		COUNT(opened_at), COUNT(visited_at), COUNT(bounced_at),
		COALESCE(SUM(CASE WHEN answer = $2 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN answer = $3 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN answer = $4 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN answer = $5 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN answer = '' AND bounced_at IS NULL THEN 1 ELSE 0 END), 0)
		FROM campaign_recipients WHERE campaign_id = $1`, id, AnswerUnchanged, AnswerUpdated, AnswerGone, AnswerNoPublic).
		Scan(&c.Recipients, &c.Opened, &c.Visited, &c.Bounced, &c.Unchanged, &c.Updated, &c.Gone, &c.NoPublic, &c.NoAnswer)
	if err != nil {
		return c, fmt.Errorf("store: campaign %s summary: %w", id, err)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT kind, status, COUNT(*) FROM campaign_messages WHERE campaign_id = $1 GROUP BY kind, status`, id)
	if err != nil {
		return c, fmt.Errorf("store: campaign %s messages: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var kind, status string
		var n int
		if err := rows.Scan(&kind, &status, &n); err != nil {
			return c, err
		}
		if kind != MessageInvitation && kind != MessageEventInvitation {
			if status == MessageSent {
				c.RemindersSent += n
			} else if status == MessageWaiting || status == MessageSending {
				c.MessagesInFlight += n
			}
			continue
		}
		switch status {
		case MessageWaiting:
			c.Waiting += n
		case MessageSending:
			c.MessagesInFlight += n
		case MessageSent:
			c.Sent += n
		case MessageFailed:
			c.Failed += n
		case MessageSkipped:
			c.Skipped += n
		}
	}
	return c, rows.Err()
}

// RecipientRow is one place of a campaign, for its follow-up.
type RecipientRow struct {
	PlaceID, PlaceName, Commune, Email          string
	Telephone, ContactNom, ContactTelephone     string
	Answer, BounceReason, CallOutcome, CallNote string
	CalledBy                                    string
	SentAt, OpenedAt, VisitedAt, AnsweredAt     time.Time
	BouncedAt, CalledAt, DateMaj                time.Time
}

// CampaignRecipients lists a campaign's places with their tracking, by
// commune and name.
func (s *Store) CampaignRecipients(ctx context.Context, id string) ([]RecipientRow, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT r.place_id, p.nom, p.commune, r.email, p.telephone, p.contact_nom, p.contact_telephone,
		r.answer, r.bounce_reason, r.call_outcome, r.call_note, r.called_by,
		r.sent_at, r.opened_at, r.visited_at, r.answered_at, r.bounced_at, r.called_at, p.date_maj
		FROM campaign_recipients r JOIN places p ON p.id = r.place_id WHERE r.campaign_id = $1 ORDER BY p.commune, p.sort_key, p.id`, id)
	if err != nil {
		return nil, fmt.Errorf("store: campaign %s recipients: %w", id, err)
	}
	defer rows.Close()
	var out []RecipientRow
	for rows.Next() {
		var r RecipientRow
		var ts [6]sql.NullTime
		var dateMaj sql.NullTime
		if err := rows.Scan(&r.PlaceID, &r.PlaceName, &r.Commune, &r.Email, &r.Telephone, &r.ContactNom, &r.ContactTelephone,
			&r.Answer, &r.BounceReason, &r.CallOutcome, &r.CallNote, &r.CalledBy,
			&ts[0], &ts[1], &ts[2], &ts[3], &ts[4], &ts[5], &dateMaj); err != nil {
			return nil, fmt.Errorf("store: campaign %s recipients: %w", id, err)
		}
		r.SentAt, r.OpenedAt, r.VisitedAt = ts[0].Time.UTC(), ts[1].Time.UTC(), ts[2].Time.UTC()
		r.AnsweredAt, r.BouncedAt, r.CalledAt = ts[3].Time.UTC(), ts[4].Time.UTC(), ts[5].Time.UTC()
		r.DateMaj = dateMaj.Time.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// Call outcomes a referent records.
const (
	CallUnchanged = "rien-n-a-change"
	CallUpdated   = "mis-a-jour-par-telephone"
	CallBack      = "a-rappeler"
	CallNoAnswer  = "injoignable"
	CallGone      = "n-existe-plus"
)

// RecordCall saves the outcome of a phone call about a campaign's place.
// next, when not nil, is the place to write in the same transaction (a
// confirmation or a change of status said on the phone), with w.
func (s *Store) RecordCall(ctx context.Context, campaignID, placeID, outcome, note string, next *place.Place, w Write) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		// An outcome that answers the campaign counts as an answer.
		answer := map[string]string{CallUnchanged: AnswerUnchanged, CallUpdated: AnswerUpdated, CallGone: AnswerGone}[outcome]
		res, err := tx.ExecContext(ctx, `UPDATE campaign_recipients SET call_outcome = $1, call_note = $2, called_at = $3, called_by = $4,
			answer = CASE WHEN $5 <> '' THEN $5 ELSE answer END,
			answered_at = CASE WHEN $5 <> '' THEN $3 ELSE answered_at END
			WHERE campaign_id = $6 AND place_id = $7`,
			outcome, note, now, w.Actor.Name, answer, campaignID, placeID)
		if err != nil {
			return fmt.Errorf("store: record call: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return ErrNotFound
		}
		if next != nil {
			return s.updatePlaceTx(ctx, tx, next, w)
		}
		return nil
	})
}

// QueueReminders adds the reminder messages that are due for a sending
// campaign before its deadline: to the places that have neither answered
// nor bounced, days after their invitation. A reminder is created once.
func (s *Store) QueueReminders(ctx context.Context, c *Campaign) (int, error) {
	now := s.now().UTC()
	if c.Status != CampaignSending || !now.Before(c.Deadline) {
		return 0, nil
	}
	total := 0
	for k, days := range c.Reminders {
		kind := MessageReminder + strconv.Itoa(k+1)
		res, err := s.w.ExecContext(ctx, `INSERT INTO campaign_messages (id, campaign_id, place_id, kind, to_addr, status, next_attempt_at, created_at)
			SELECT r.campaign_id || ':' || r.place_id || ':' || $1, r.campaign_id, r.place_id, $1, r.email, $2, $3, $3
			FROM campaign_recipients r
			WHERE r.campaign_id = $4 AND r.answer = '' AND r.bounced_at IS NULL AND r.sent_at IS NOT NULL AND r.sent_at <= $5
			AND r.email NOT IN ('', $6)
			AND NOT EXISTS (SELECT 1 FROM mail_opt_outs o WHERE o.email = r.email)
			AND NOT EXISTS (SELECT 1 FROM campaign_links l WHERE l.campaign_id = r.campaign_id AND l.place_id = r.place_id AND l.revoked_at IS NOT NULL)
			ON CONFLICT (campaign_id, place_id, kind) DO NOTHING`,
			kind, MessageWaiting, now, c.ID, now.AddDate(0, 0, -days), ErasedMarker)
		if err != nil {
			return total, fmt.Errorf("store: reminders of %s: %w", c.ID, err)
		}
		n, _ := res.RowsAffected()
		total += int(n)
	}
	return total, nil
}

// ConfirmedShare counts, for a territory, its active places and those
// confirmed since each of the given dates.
func (s *Store) ConfirmedShare(ctx context.Context, epci string, since ...time.Time) (int, []int, error) {
	var total int
	if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM places WHERE epci = $1 AND status = $2`, epci, string(place.StatusActive)).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("store: confirmed share: %w", err)
	}
	out := make([]int, len(since))
	for i, t := range since {
		if err := s.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM places WHERE epci = $1 AND status = $2 AND date_maj >= $3`,
			epci, string(place.StatusActive), place.Date(t)).Scan(&out[i]); err != nil {
			return 0, nil, fmt.Errorf("store: confirmed share: %w", err)
		}
	}
	return total, out, nil
}

// Bounce is an address a campaign could not deliver to.
type Bounce struct {
	Email, Reason string
	At            time.Time
}

// LastBounce returns the latest refused delivery to a place's address, or
// ErrNotFound.
func (s *Store) LastBounce(ctx context.Context, placeID string) (*Bounce, error) {
	var b Bounce
	err := s.r.QueryRowContext(ctx, `SELECT email, bounce_reason, bounced_at FROM campaign_recipients
		WHERE place_id = $1 AND bounced_at IS NOT NULL ORDER BY bounced_at DESC LIMIT 1`, placeID).Scan(&b.Email, &b.Reason, &b.At)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: last bounce of %s: %w", placeID, err)
	}
	b.At = b.At.UTC()
	return &b, nil
}

// ReservePace takes the next slot of a sending pace shared by every
// instance on the database: slots are gap apart, whoever asks. It returns
// the time of the slot taken; the caller waits until then.
//
// now is the real time, not the store's clock: the pace is about the
// SMTP server's patience.
func (s *Store) ReservePace(ctx context.Context, name string, gap time.Duration, now time.Time) (time.Time, error) {
	now = now.UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	var slot time.Time
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		q := `SELECT next_at FROM send_pace WHERE name = $1`
		if s.d.name == "postgres" {
			q += ` FOR UPDATE`
		}
		var next time.Time
		err := tx.QueryRowContext(ctx, q, name).Scan(&next)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			slot = now
			_, err = tx.ExecContext(ctx, `INSERT INTO send_pace (name, next_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`, name, now.Add(gap))
			return err
		case err != nil:
			return fmt.Errorf("store: send pace: %w", err)
		}
		// A slot far in the future means the clock moved back or the gap
		// shrank: start again from now rather than wait.
		slot = next.UTC()
		if slot.Before(now) || slot.After(now.Add(time.Minute)) {
			slot = now
		}
		_, err = tx.ExecContext(ctx, `UPDATE send_pace SET next_at = $1 WHERE name = $2`, slot.Add(gap), name)
		return err
	})
	return slot, err
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"portrea/internal/place"
)

// Event is a territory's collaborative day.
type Event struct {
	ID, EPCI, Title  string
	StartsAt, EndsAt time.Time
	Place, Room      string
	Meal             bool
	Programme        string
	CampaignID       string // the campaign of origin "journee" whose links collect data on site
	CreatedAt        time.Time
}

// Invitee kinds: a place of the census, or a contact typed in.
const (
	InviteeActor   = "acteur"
	InviteeElected = "elu"
	InviteePartner = "partenaire"
	InviteeOther   = "autre"
)

// RSVP answers.
const (
	RSVPYes = "oui"
	RSVPNo  = "non"
)

// OriginEvent is the origin of a collaborative day's campaign.
const OriginEvent = "journee"

// Invitee is a person or a place invited to a collaborative day.
type Invitee struct {
	ID, EventID, PlaceID string
	Name, Email, Kind    string
	TokenHash            string
	InvitedAt            time.Time
	RSVP                 string // "", RSVPYes or RSVPNo
	PartySize            int
	Diet                 string
	RSVPAt, CheckedInAt  time.Time
}

const eventCols = `id, epci, title, starts_at, ends_at, place, room, meal, programme, campaign_id, created_at`

func scanEvent(sc scanner) (*Event, error) {
	var e Event
	if err := sc.Scan(&e.ID, &e.EPCI, &e.Title, &e.StartsAt, &e.EndsAt, &e.Place, &e.Room, &e.Meal, &e.Programme, &e.CampaignID, &e.CreatedAt); err != nil {
		return nil, err
	}
	e.StartsAt, e.EndsAt, e.CreatedAt = e.StartsAt.UTC(), e.EndsAt.UTC(), e.CreatedAt.UTC()
	return &e, nil
}

// CreateEvent records a collaborative day.
func (s *Store) CreateEvent(ctx context.Context, e *Event) error {
	if e.ID == "" {
		e.ID = place.NewID()
	}
	e.CreatedAt = s.now().UTC()
	_, err := s.w.ExecContext(ctx, `INSERT INTO events (`+eventCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		e.ID, e.EPCI, e.Title, e.StartsAt.UTC(), e.EndsAt.UTC(), e.Place, e.Room, e.Meal, e.Programme, e.CampaignID, e.CreatedAt)
	if err != nil {
		return fmt.Errorf("store: create event: %w", err)
	}
	return nil
}

// UpdateEvent saves what a referent may change of a day: its title, times,
// place, room, meal and programme.
func (s *Store) UpdateEvent(ctx context.Context, e *Event) error {
	res, err := s.w.ExecContext(ctx, `UPDATE events SET title = $1, starts_at = $2, ends_at = $3, place = $4, room = $5, meal = $6, programme = $7 WHERE id = $8`,
		e.Title, e.StartsAt.UTC(), e.EndsAt.UTC(), e.Place, e.Room, e.Meal, e.Programme, e.ID)
	if err != nil {
		return fmt.Errorf("store: update event %s: %w", e.ID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// GetEvent returns a collaborative day.
func (s *Store) GetEvent(ctx context.Context, id string) (*Event, error) {
	e, err := scanEvent(s.r.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: event %s: %w", id, err)
	}
	return e, nil
}

// Events lists the days of territories (all when epcis is nil), latest first.
func (s *Store) Events(ctx context.Context, epcis []string) ([]*Event, error) {
	where, args, ok := inTerritories(epcis)
	if !ok {
		return nil, nil
	}
	return queryAll(ctx, s.r, "events", `SELECT `+eventCols+` FROM events`+where+` ORDER BY starts_at DESC, id`, args, scanEvent)
}

const inviteeCols = `id, event_id, place_id, name, email, kind, token_hash, invited_at, rsvp, party_size, diet, rsvp_at, checked_in_at`

func scanInvitee(sc scanner) (*Invitee, error) {
	var i Invitee
	var invited, rsvpAt, checked sql.NullTime
	if err := sc.Scan(&i.ID, &i.EventID, &i.PlaceID, &i.Name, &i.Email, &i.Kind, &i.TokenHash, &invited, &i.RSVP, &i.PartySize, &i.Diet, &rsvpAt, &checked); err != nil {
		return nil, err
	}
	i.InvitedAt, i.RSVPAt, i.CheckedInAt = invited.Time.UTC(), rsvpAt.Time.UTC(), checked.Time.UTC()
	return &i, nil
}

// pendingToken stands in the token_hash of an invitee not yet invited: it
// is unique and can never equal the hash of a secret.
func pendingToken(id string) string { return "a-inviter:" + id }

// AddInvitees adds invitees to a day, leaving out a place already invited
// and a contact whose address already is. It returns the number added.
func (s *Store) AddInvitees(ctx context.Context, eventID string, is []Invitee) (int, error) {
	n := 0
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		places, emails := map[string]bool{}, map[string]bool{}
		rows, err := tx.QueryContext(ctx, `SELECT place_id, email FROM event_invitees WHERE event_id = $1`, eventID)
		if err != nil {
			return fmt.Errorf("store: invitees of %s: %w", eventID, err)
		}
		for rows.Next() {
			var p, e string
			if err := rows.Scan(&p, &e); err != nil {
				rows.Close()
				return err
			}
			places[p], emails[strings.ToLower(e)] = true, true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, i := range is {
			email := strings.ToLower(strings.TrimSpace(i.Email))
			// A place is invited once; a contact typed in, once an address.
			if email == "" || (i.PlaceID != "" && places[i.PlaceID]) || (i.PlaceID == "" && emails[email]) {
				continue
			}
			places[i.PlaceID], emails[email] = true, true
			id := place.NewID()
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_invitees (id, event_id, place_id, name, email, kind, token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				id, eventID, i.PlaceID, strings.TrimSpace(i.Name), email, i.Kind, pendingToken(id)); err != nil {
				return fmt.Errorf("store: add invitee: %w", err)
			}
			n++
		}
		return nil
	})
	return n, err
}

// Invitees lists a day's invitees by name.
func (s *Store) Invitees(ctx context.Context, eventID string) ([]*Invitee, error) {
	return queryAll(ctx, s.r, "invitees of "+eventID, `SELECT `+inviteeCols+` FROM event_invitees WHERE event_id = $1 ORDER BY name, id`, []any{eventID}, scanInvitee)
}

// GetInvitee returns an invitee of a day; ErrNotFound for another day's.
func (s *Store) GetInvitee(ctx context.Context, eventID, id string) (*Invitee, error) {
	i, err := scanInvitee(s.r.QueryRowContext(ctx, `SELECT `+inviteeCols+` FROM event_invitees WHERE id = $1 AND event_id = $2`, id, eventID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitee %s: %w", id, err)
	}
	return i, nil
}

// InviteeByToken finds an invitee by the hash of their RSVP link's secret.
func (s *Store) InviteeByToken(ctx context.Context, tokenHash string) (*Invitee, error) {
	i, err := scanInvitee(s.r.QueryRowContext(ctx, `SELECT `+inviteeCols+` FROM event_invitees WHERE token_hash = $1 AND invited_at IS NOT NULL`, tokenHash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitee by token: %w", err)
	}
	return i, nil
}

// MessageEventInvitation is the kind of a collaborative day's invitation
// in the campaign queue; its place_id column holds the invitee's id.
const MessageEventInvitation = "invitation-journee"

// Invite queues the invitation of an invitee in the day's campaign, in one
// transaction and once: the campaign sender delivers it (rate-limited,
// retried, exactly once, opt-outs honoured) and creates the invitee's RSVP
// link when it sends. It reports false when the invitee was already
// invited.
func (s *Store) Invite(ctx context.Context, e *Event, inviteeID string) (bool, error) {
	queued := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		res, err := tx.ExecContext(ctx, `UPDATE event_invitees SET invited_at = $1 WHERE id = $2 AND event_id = $3 AND invited_at IS NULL`, now, inviteeID, e.ID)
		if err != nil {
			return fmt.Errorf("store: invite %s: %w", inviteeID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO campaign_messages (id, campaign_id, place_id, kind, to_addr, status, next_attempt_at, created_at)
			SELECT $1, $2, id, $3, email, $4, $5, $5 FROM event_invitees WHERE id = $6
			ON CONFLICT (campaign_id, place_id, kind) DO NOTHING`,
			place.NewID(), e.CampaignID, MessageEventInvitation, MessageWaiting, now, inviteeID)
		if err != nil {
			return fmt.Errorf("store: invite %s: queue: %w", inviteeID, err)
		}
		n, _ := res.RowsAffected()
		queued = n == 1
		return nil
	})
	return queued, err
}

// EventOfCampaign returns the day whose campaign this is.
func (s *Store) EventOfCampaign(ctx context.Context, campaignID string) (*Event, error) {
	e, err := scanEvent(s.r.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events WHERE campaign_id = $1`, campaignID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: event of campaign %s: %w", campaignID, err)
	}
	return e, nil
}

// InviteeByID returns an invitee whatever its day.
func (s *Store) InviteeByID(ctx context.Context, id string) (*Invitee, error) {
	i, err := scanInvitee(s.r.QueryRowContext(ctx, `SELECT `+inviteeCols+` FROM event_invitees WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("store: invitee %s: %w", id, err)
	}
	return i, nil
}

// MarkInvitationSent records an invitation as sent with the hash of its
// RSVP link, in one transaction (see MarkMessageSent for when).
func (s *Store) MarkInvitationSent(ctx context.Context, m OutMessage, tokenHash string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.fastCommit(ctx, tx); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE campaign_messages SET status = $1, sent_at = $2, attempts = attempts + 1, last_error = '', claimed_until = NULL WHERE id = $3 AND status = $4 AND claimed_by = $5`,
			MessageSent, s.now().UTC(), m.ID, MessageSending, s.instance)
		if err != nil {
			return fmt.Errorf("store: invitation %s sent: %w", m.ID, err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("store: invitation %s is no longer claimed", m.ID)
		}
		_, err = tx.ExecContext(ctx, `UPDATE event_invitees SET token_hash = $1 WHERE id = $2`, tokenHash, m.PlaceID)
		return err
	})
}

// SaveRSVP records an invitee's answer; it may change until the day.
func (s *Store) SaveRSVP(ctx context.Context, inviteeID, rsvp string, partySize int, diet string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE event_invitees SET rsvp = $1, party_size = $2, diet = $3, rsvp_at = $4 WHERE id = $5`,
		rsvp, partySize, diet, s.now().UTC(), inviteeID)
	if err != nil {
		return fmt.Errorf("store: rsvp %s: %w", inviteeID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// CheckIn records that an invitee came (the first time counts).
func (s *Store) CheckIn(ctx context.Context, eventID, inviteeID string) error {
	res, err := s.w.ExecContext(ctx, `UPDATE event_invitees SET checked_in_at = COALESCE(checked_in_at, $1) WHERE id = $2 AND event_id = $3`,
		s.now().UTC(), inviteeID, eventID)
	if err != nil {
		return fmt.Errorf("store: check in %s: %w", inviteeID, err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return ErrNotFound
	}
	return nil
}

// CreateCampaignLink adds a personal update link of a place to a campaign, outside
// any e-mail (a QR code handed out on the collaborative day), with the
// place's recipient row so that its answer is recorded. Creating the same
// link again changes nothing.
func (s *Store) CreateCampaignLink(ctx context.Context, campaignID, placeID, tokenHash string, expires time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		now := s.now().UTC()
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_recipients (campaign_id, place_id, email) VALUES ($1, $2, '')
			ON CONFLICT (campaign_id, place_id) DO NOTHING`, campaignID, placeID); err != nil {
			return fmt.Errorf("store: link recipient: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO campaign_links (token_hash, campaign_id, place_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (token_hash) DO NOTHING`, tokenHash, campaignID, placeID, now, expires.UTC()); err != nil {
			return fmt.Errorf("store: create link: %w", err)
		}
		return nil
	})
}

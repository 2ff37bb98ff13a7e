package campaign

import (
	"context"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"time"

	"portrea/internal/mail"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// Sender delivers the campaign messages of the queue. Several senders
// (one per instance) may share a database: each claims its messages, the
// sending rate is one for all, and a sender that stops hands back what it
// claimed and did not send.
type Sender struct {
	Store   *store.Store
	Ref     *territory.Reference
	Mail    *mail.Sender // nil: messages wait (the hub reads them in the outbox)
	From    string       // address of the envelope, e.g. ne-pas-repondre@…
	BaseURL string
	// PerSecond limits the sending rate of all the instances together
	// (SMTP servers throttle or flag bursts); 0 means 10.
	PerSecond float64
	// Hold is how long a claim on a message lasts without being renewed:
	// the time another instance waits before taking over the messages of
	// a process that died. 0 means DefaultHold.
	Hold time.Duration
	Log  *slog.Logger
	// referent names and contacts, by territory, cached for a batch.
	contacts map[string][2]string
}

// DefaultHold is the life of a claim: a sender renews its claims while it
// works through them, so this only delays the takeover after a crash.
const DefaultHold = 20 * time.Second

// paceName is the shared sending pace of campaign messages.
const paceName = "smtp"

// sendTimeout bounds the delivery of the message in flight when the sender
// is asked to stop.
const sendTimeout = 30 * time.Second

// now is the store's clock: the queue's times are the store's.
func (s *Sender) now() time.Time { return s.Store.Now() }

// backoff is the wait before a new try after a temporary failure.
func backoff(attempts int) time.Duration {
	d := time.Minute << min(attempts, 8) // 1 min, 2, 4 … about 4 h
	return d
}

// maxAttempts is how many temporary failures make a failure for good.
const maxAttempts = 8

func (s *Sender) hold() time.Duration {
	if s.Hold > 0 {
		return s.Hold
	}
	return DefaultHold
}

func (s *Sender) rate() float64 {
	if s.PerSecond > 0 {
		return s.PerSecond
	}
	return 10
}

// BatchSize is how many messages a sender claims at once: about five
// seconds of sending, so that instances share a large campaign.
func (s *Sender) BatchSize() int {
	return max(1, min(100, int(s.rate()*5)))
}

// SendBatch claims and sends up to n due messages and returns how many
// went out. When ctx ends, the message in flight is finished (within
// sendTimeout) and the other claimed messages are handed back.
func (s *Sender) SendBatch(ctx context.Context, n int) (int, error) {
	if s.Mail == nil {
		return 0, nil
	}
	// Whatever the way out, a stop hands back what this process holds:
	// even a claim whose commit raced with the stop.
	defer func() {
		if ctx.Err() != nil {
			s.handBack(ctx)
		}
	}()
	hold := s.hold()
	msgs, err := s.Store.ClaimMessages(ctx, n, hold)
	if err != nil {
		return 0, err
	}
	gap := time.Duration(float64(time.Second) / s.rate())
	renewAt := time.Now().Add(hold / 2)
	campaigns := map[string]*store.Campaign{}
	s.contacts = map[string][2]string{}
	sent := 0
	for i, m := range msgs {
		if !s.waitSlot(ctx, gap) {
			break
		}
		if time.Now().After(renewAt) {
			ids := make([]string, 0, len(msgs)-i)
			for _, r := range msgs[i:] {
				ids = append(ids, r.ID)
			}
			if err := s.Store.ExtendClaims(ctx, ids, s.now().Add(hold)); err != nil {
				return sent, err
			}
			renewAt = time.Now().Add(hold / 2)
		}
		ok, err := s.sendOne(ctx, campaigns, m)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, ctx.Err()
}

// handBack releases the messages this process claimed and did not send.
func (s *Sender) handBack(ctx context.Context) {
	n, err := s.Store.ReleaseClaims(context.WithoutCancel(ctx))
	if err != nil {
		s.log().Error("campaign sending: hand back", "err", err)
		return
	}
	if n > 0 {
		s.log().Info("envoi arrêté : messages rendus à la file", "rendus", n)
	}
}

// waitSlot takes the next slot of the shared pace and waits for it; false
// when ctx ended first.
func (s *Sender) waitSlot(ctx context.Context, gap time.Duration) bool {
	slot, err := s.Store.ReservePace(ctx, paceName, gap, time.Now())
	if err != nil {
		if ctx.Err() == nil {
			s.log().Error("campaign sending pace", "err", err)
		}
		return false
	}
	t := time.NewTimer(time.Until(slot))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return ctx.Err() == nil
	}
}

// sendOne delivers one claimed message to the end even if ctx ends
// meanwhile: a stop never cuts a message in half.
func (s *Sender) sendOne(ctx context.Context, campaigns map[string]*store.Campaign, m store.OutMessage) (bool, error) {
	work, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	c, ok := campaigns[m.CampaignID]
	if !ok {
		var err error
		if c, err = s.Store.GetCampaign(work, m.CampaignID); err != nil {
			return false, err
		}
		campaigns[m.CampaignID] = c
	}
	return s.send(work, c, m)
}

// send delivers one claimed message. A failed delivery is recorded on the
// message; err is for the database.
func (s *Sender) send(ctx context.Context, c *store.Campaign, m store.OutMessage) (bool, error) {
	if out, err := s.Store.OptedOut(ctx, m.To); err != nil || out {
		if err != nil {
			return false, err
		}
		return false, s.Store.SkipMessage(ctx, m.ID, "désinscrit")
	}
	if m.Kind == store.MessageEventInvitation {
		return s.sendInvitation(ctx, m)
	}
	p, err := s.Store.GetPlace(ctx, m.PlaceID)
	if errors.Is(err, store.ErrNotFound) {
		return false, s.Store.SkipMessage(ctx, m.ID, "lieu supprimé")
	}
	if err != nil {
		return false, err
	}
	secret, hash := NewLink()
	msg, err := s.compose(ctx, c, m, p, secret)
	if err != nil {
		return false, err
	}
	expires := c.Deadline.Add(LinkGrace)
	return s.deliver(ctx, m, msg, func() error {
		return s.Store.MarkMessageSent(context.WithoutCancel(ctx), m, hash, expires)
	})
}

// sendInvitation delivers the invitation of an invitee to a collaborative
// day, with a new personal RSVP link.
func (s *Sender) sendInvitation(ctx context.Context, m store.OutMessage) (bool, error) {
	e, err := s.Store.EventOfCampaign(ctx, m.CampaignID)
	if errors.Is(err, store.ErrNotFound) {
		return false, s.Store.SkipMessage(ctx, m.ID, "journée supprimée")
	}
	if err != nil {
		return false, err
	}
	i, err := s.Store.InviteeByID(ctx, m.PlaceID)
	if errors.Is(err, store.ErrNotFound) {
		return false, s.Store.SkipMessage(ctx, m.ID, "invité·e supprimé·e")
	}
	if err != nil {
		return false, err
	}
	secret, hash := NewLink()
	subject, body := InvitationMail(e, s.Ref.EPCIName(e.EPCI), i.Name, strings.TrimRight(s.BaseURL, "/")+"/journee/"+secret)
	msg := mail.Message{From: fmt.Sprintf("%s <%s>", "Inclusion numérique — "+s.Ref.EPCIName(e.EPCI), s.From), To: m.To, Subject: subject, Body: body}
	return s.deliver(ctx, m, msg, func() error {
		return s.Store.MarkInvitationSent(context.WithoutCancel(ctx), m, hash)
	})
}

// deliver sends a claimed message, recording it sent in commit, and
// records a failure on the message.
func (s *Sender) deliver(ctx context.Context, m store.OutMessage, msg mail.Message, commit func() error) (bool, error) {
	err := s.Mail.SendCommit(ctx, msg, commit)
	if err == nil {
		return true, nil
	}
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	var refused *mail.Refused
	if errors.As(err, &refused) {
		if uerr := s.Store.UnmarkMessageSent(ctx, m); uerr != nil {
			return false, uerr
		}
	}
	reason := err.Error()
	if mail.Permanent(err) || m.Attempts+1 >= maxAttempts {
		s.log().Warn("campaign message refused", "message", m.ID, "err", mail.Redact(err))
		return false, s.Store.FailMessage(ctx, m, reason)
	}
	s.log().Info("campaign message deferred", "message", m.ID, "err", mail.Redact(err))
	return false, s.Store.RetryMessage(ctx, m.ID, reason, s.now().Add(backoff(m.Attempts)))
}

func (s *Sender) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// LinkURL is the address of a personal link.
func LinkURL(base, secret string) string {
	return strings.TrimRight(base, "/") + "/maj/" + url.PathEscape(secret)
}

// compose renders the message of one place.
func (s *Sender) compose(ctx context.Context, c *store.Campaign, m store.OutMessage, p *place.Place, secret string) (mail.Message, error) {
	referent, contact, err := s.referentOf(ctx, c.EPCI)
	if err != nil {
		return mail.Message{}, err
	}
	link := LinkURL(s.BaseURL, secret)
	optOut := link + "/desinscription"
	if contact == "" {
		contact = c.ReplyTo
	}
	values := map[string]string{
		FieldPlace: p.Nom, FieldLink: link, FieldReferent: referent, FieldContact: contact,
		FieldDeadline: FrenchDate(c.Deadline), FieldTerritory: s.Ref.EPCIName(c.EPCI), FieldOptOut: optOut,
	}
	subject := Render(c.Subject, values)
	if m.Kind != store.MessageInvitation {
		subject = ReminderPrefix + subject
	}
	body := Render(c.Body, values)
	msg := mail.Message{
		From:        fmt.Sprintf("%s <%s>", c.SenderName, s.From),
		To:          m.To,
		ReplyTo:     c.ReplyTo,
		Subject:     subject,
		Body:        body,
		Unsubscribe: optOut,
	}
	if c.TrackOpens {
		msg.HTML = htmlWithPixel(body, link+"/o.gif")
	}
	return msg, nil
}

var urlRE = regexp.MustCompile(`https?://[^\s<>"]+`)

// htmlWithPixel is the HTML alternative of a plain-text message, with its
// links clickable and the 1×1 image whose loading says it was opened.
func htmlWithPixel(text, pixel string) string {
	var b strings.Builder
	b.WriteString("<!doctype html><html lang=\"fr\"><body><div style=\"font-family:sans-serif;white-space:pre-wrap\">")
	last := 0
	for _, loc := range urlRE.FindAllStringIndex(text, -1) {
		b.WriteString(html.EscapeString(text[last:loc[0]]))
		u := html.EscapeString(text[loc[0]:loc[1]])
		fmt.Fprintf(&b, "<a href=\"%s\">%s</a>", u, u)
		last = loc[1]
	}
	b.WriteString(html.EscapeString(text[last:]))
	fmt.Fprintf(&b, "</div><img src=\"%s\" width=\"1\" height=\"1\" alt=\"\"></body></html>", html.EscapeString(pixel))
	return b.String()
}

// referentOf names the territory's referent and their address for the
// messages: the first referent account of the territory.
func (s *Sender) referentOf(ctx context.Context, epci string) (string, string, error) {
	if v, ok := s.contacts[epci]; ok {
		return v[0], v[1], nil
	}
	us, err := s.Store.Users(ctx)
	if err != nil {
		return "", "", err
	}
	name, email := "L'équipe de l'inclusion numérique", ""
	for _, u := range us {
		if u.Disabled || !u.CanSee(epci) || u.Role != "referent" {
			continue
		}
		email = u.Email
		if u.Name != "" {
			name = u.Name
		}
		break
	}
	s.contacts[epci] = [2]string{name, email}
	return name, email, nil
}

// FrenchDate writes "1er mars 2027", "15 novembre 2026".
func FrenchDate(t time.Time) string {
	months := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	day := fmt.Sprint(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, months[t.Month()-1], t.Year())
}

// Run sends the queue until ctx ends, and runs the calendar and reminders
// every few minutes.
//
// When ctx ends, Run returns once the message in flight is delivered and
// the others are handed back to the queue.
func (s *Sender) Run(ctx context.Context, every time.Duration) {
	sched := time.NewTicker(5 * time.Minute)
	defer sched.Stop()
	s.schedule(ctx)
	for {
		n, err := s.SendBatch(ctx, s.BatchSize())
		if err != nil && ctx.Err() == nil {
			s.log().Error("campaign sending", "err", err)
		}
		wait := every
		if n > 0 {
			wait = 0 // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-sched.C:
			s.schedule(ctx)
		case <-time.After(wait):
		}
	}
}

func (s *Sender) schedule(ctx context.Context) {
	if _, err := Schedule(ctx, s.Store, s.Ref, s.now()); err != nil && ctx.Err() == nil {
		s.log().Error("campaign calendar", "err", err)
	}
	if _, err := QueueReminders(ctx, s.Store); err != nil && ctx.Err() == nil {
		s.log().Error("campaign reminders", "err", err)
	}
}

// QueueReminders adds the reminders due in every sending campaign.
func QueueReminders(ctx context.Context, st *store.Store) (int, error) {
	cs, err := st.Campaigns(ctx, nil, 1000)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, c := range cs {
		n, err := st.QueueReminders(ctx, c)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

package mail

import (
	"context"
	"log/slog"
	"time"

	"portrea/internal/store"
)

// maxAttempts is how often a message is tried before it is left aside
// (it stays readable in the outbox with its last error).
const maxAttempts = 5

// Deliver sends the pending messages of the outbox, oldest first, and
// returns how many went out. Without a sender it does nothing. Messages
// are claimed first, so that several instances never send one twice; when
// ctx ends, the message in flight is finished and the others handed back.
func Deliver(ctx context.Context, st *store.Store, s *Sender, from string, log *slog.Logger) (int, error) {
	if s == nil {
		return 0, nil
	}
	pending, err := st.ClaimMail(ctx, 50, maxAttempts, 2*time.Minute)
	if err != nil {
		return 0, err
	}
	defer st.ReleaseMail(context.WithoutCancel(ctx))
	sent := 0
	for _, m := range pending {
		if ctx.Err() != nil {
			return sent, ctx.Err()
		}
		work, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		err := s.SendCommit(work, Message{From: from, To: m.To, Subject: m.Subject, Body: m.Body}, func() error {
			return st.MarkMailSent(work, m.ID)
		})
		cancel()
		if err != nil {
			log.Warn("mail not delivered", "id", m.ID, "err", Redact(err))
			if err := st.MarkMailFailed(context.WithoutCancel(ctx), m.ID, err.Error()); err != nil {
				return sent, err
			}
			continue
		}
		sent++
	}
	return sent, nil
}

// Run delivers the outbox every interval until ctx ends.
func Run(ctx context.Context, st *store.Store, s *Sender, from string, every time.Duration, log *slog.Logger) {
	if s == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := Deliver(ctx, st, s, from, log); err != nil && ctx.Err() == nil {
			log.Error("outbox", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

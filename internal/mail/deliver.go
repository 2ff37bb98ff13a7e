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
// returns how many went out. Without a sender it does nothing.
func Deliver(ctx context.Context, st *store.Store, s *Sender, from string, log *slog.Logger) (int, error) {
	if s == nil {
		return 0, nil
	}
	pending, err := st.Outbox(ctx, true, 50)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, m := range pending {
		if m.Attempts >= maxAttempts {
			continue
		}
		err := s.Send(ctx, Message{From: from, To: m.To, Subject: m.Subject, Body: m.Body})
		if err != nil {
			log.Warn("mail not delivered", "id", m.ID, "err", err)
			if err := st.MarkMailFailed(ctx, m.ID, err.Error()); err != nil {
				return sent, err
			}
			continue
		}
		if err := st.MarkMailSent(ctx, m.ID); err != nil {
			return sent, err
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

package store_test

import (
	"testing"
	"time"

	"portrea/internal/account"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

// TestOutboxClaimsAcrossInstances runs two stores on one database, as two
// PORTREA processes: a mail claimed by one is not claimed by the other,
// cannot be marked sent by it, and is handed back by its claimer.
func TestOutboxClaimsAcrossInstances(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		clock(a, testNow)
		clock(b, testNow)
		if a.Instance() == b.Instance() || a.Instance() == "" {
			t.Fatalf("instances %q and %q", a.Instance(), b.Instance())
		}
		for _, to := range []string{"un@exemple.fr", "deux@exemple.fr", "trois@exemple.fr"} {
			if err := a.QueueMail(ctx, to, "Sujet", "Corps"); err != nil {
				t.Fatal(err)
			}
		}
		byA, err := a.ClaimMail(ctx, 2, 5, time.Minute)
		if err != nil || len(byA) != 2 {
			t.Fatalf("a claimed %d, %v", len(byA), err)
		}
		byB, err := b.ClaimMail(ctx, 10, 5, time.Minute)
		if err != nil || len(byB) != 1 || byB[0].To != "trois@exemple.fr" {
			t.Fatalf("b claimed %+v, %v; want only the third", byB, err)
		}
		if err := b.MarkMailSent(ctx, byA[0].ID); err == nil {
			t.Error("b marked sent a mail a holds")
		}
		if err := b.MarkMailFailed(ctx, byA[0].ID, "x"); err != nil {
			t.Fatal(err)
		}
		if err := a.MarkMailSent(ctx, byA[0].ID); err != nil {
			t.Fatalf("a's claim was disturbed by b: %v", err)
		}
		if err := a.ReleaseMail(ctx); err != nil {
			t.Fatal(err)
		}
		again, err := b.ClaimMail(ctx, 10, 5, time.Minute)
		if err != nil || len(again) != 1 || again[0].ID != byA[1].ID {
			t.Fatalf("after a handed back, b claimed %+v, %v", again, err)
		}
		// A claim left by a dead process lapses after its hold.
		c, _ := a.ClaimMail(ctx, 10, 5, time.Minute)
		if len(c) != 0 {
			t.Fatalf("a claimed %d mails b holds", len(c))
		}
		clock(a, testNow.Add(2*time.Minute))
		if c, _ := a.ClaimMail(ctx, 10, 5, time.Minute); len(c) != 2 {
			t.Fatalf("after the hold, a claimed %d, want the 2 b held", len(c))
		}
	})
}

// TestSendPaceIsShared takes slots of the sending pace from two instances:
// they never fall closer than the gap, whoever takes them.
func TestSendPaceIsShared(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		gap := 100 * time.Millisecond
		now := time.Now()
		var slots []time.Time
		for i := range 6 {
			st := a
			if i%2 == 1 {
				st = b
			}
			slot, err := st.ReservePace(ctx, "smtp", gap, now)
			if err != nil {
				t.Fatal(err)
			}
			slots = append(slots, slot)
		}
		for i := 1; i < len(slots); i++ {
			if d := slots[i].Sub(slots[i-1]); d != gap {
				t.Errorf("slot %d is %v after the previous one, want %v", i, d, gap)
			}
		}
		// Later, a slot is taken at once, not queued behind old ones.
		later := now.Add(time.Hour).Truncate(time.Microsecond)
		if slot, err := b.ReservePace(ctx, "smtp", gap, later); err != nil || !slot.Equal(later.UTC()) {
			t.Errorf("slot an hour later = %v, %v; want %v", slot, err, later)
		}
	})
}

// TestSessionsAndLimitsAcrossInstances: a session opened through one
// instance is valid on the other, and a rate limit counts the hits of both.
func TestSessionsAndLimitsAcrossInstances(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		u := &account.User{Email: "referente@exemple.fr", Name: "Référente", Role: account.RoleHub}
		if err := a.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		secret, csrf, err := a.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		got, gotCSRF, err := b.SessionUser(ctx, secret)
		if err != nil || got.ID != u.ID || gotCSRF != csrf {
			t.Fatalf("session on the other instance: %+v %q %v", got, gotCSRF, err)
		}
		if err := b.DeleteSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.SessionUser(ctx, secret); err == nil {
			t.Error("a session closed on one instance is still open on the other")
		}
		allowed := 0
		for i := range 6 {
			st := a
			if i%2 == 1 {
				st = b
			}
			ok, err := st.Allow(ctx, "connexion:198.51.100.7", 4, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				allowed++
			}
		}
		if allowed != 4 {
			t.Errorf("%d of 6 attempts allowed across two instances, want the limit of 4", allowed)
		}
	})
}

// TestHealthNamesHolders: the health report of one instance lists the work
// another holds, by process.
func TestHealthNamesHolders(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		clock(a, testNow)
		clock(b, testNow)
		for _, to := range []string{"un@exemple.fr", "deux@exemple.fr"} {
			if err := a.QueueMail(ctx, to, "Sujet", "Corps"); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.ClaimMail(ctx, 10, 5, time.Minute); err != nil {
			t.Fatal(err)
		}
		h, err := b.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Holders) != 1 || h.Holders[0] != (store.Holder{Instance: a.Instance(), Mails: 2}) {
			t.Errorf("holders = %+v, want %s holding 2 e-mails", h.Holders, a.Instance())
		}
		if err := a.ReleaseMail(ctx); err != nil {
			t.Fatal(err)
		}
		if h, _ := b.Health(ctx); len(h.Holders) != 0 {
			t.Errorf("holders after the hand-back = %+v", h.Holders)
		}
	})
}

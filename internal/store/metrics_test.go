package store_test

import (
	"testing"
	"time"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestMetricsCountsAndHealth(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		if err := st.Ready(ctx); err != nil {
			t.Fatalf("Ready on a migrated database: %v", err)
		}
		h, err := st.Health(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if h.OutboxPending != 0 || !h.OldestPendingMail.IsZero() || h.LastMailError != "" || !h.LastSnapshot.IsZero() {
			t.Errorf("empty database health = %+v", h)
		}
		for _, to := range []string{"a@exemple.fr", "b@exemple.fr"} {
			if err := st.QueueMail(ctx, to, "Sujet", "Corps"); err != nil {
				t.Fatal(err)
			}
		}
		ms, err := st.ClaimMail(ctx, 10, 5, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.MarkMailFailed(ctx, ms[0].ID, "connexion refusée"); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkMailSent(ctx, ms[1].ID); err != nil {
			t.Fatal(err)
		}
		if h, err = st.Health(ctx); err != nil {
			t.Fatal(err)
		}
		if h.OutboxPending != 1 || !h.OldestPendingMail.Equal(testNow) || h.LastMailError != "connexion refusée" || !h.LastMailErrorAt.Equal(testNow) {
			t.Errorf("health after one failure = %+v", h)
		}
		st.Close()
		if err := st.Ready(ctx); err == nil {
			t.Error("Ready on a closed store")
		}
	})
}

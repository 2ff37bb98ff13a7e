package campaign_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// TestInstancesShareTheQueue runs two senders on two stores of one
// database, as two PORTREA processes. The first is stopped mid-batch (what
// SIGTERM does): it finishes the message in flight and hands the rest back
// at once, without waiting for its claims to lapse. Then both work through
// what remains side by side. Every recipient gets the message once.
func TestInstancesShareTheQueue(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		ctx := context.Background()
		seed(t, a, t0)
		b.SetClock(func() time.Time { return t0 })
		ref := territory.Default()
		n, err := campaign.Start(ctx, a, ref, &store.Campaign{EPCI: broceliande, Origin: store.OriginReferent}, campaign.Selection{}, t0)
		if err != nil || n < 10 {
			t.Fatalf("%d recipients, %v", n, err)
		}
		mp := mailtest.Start(t)
		m, err := mail.NewSender(mp.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		sender := func(st *store.Store) *campaign.Sender {
			return &campaign.Sender{Store: st, Ref: ref, Mail: m, From: "ne-pas-repondre@portrea.example", BaseURL: "https://portrea.example", PerSecond: 40}
		}
		sa, sb := sender(a), sender(b)

		stopA, stop := context.WithCancel(ctx)
		go func() {
			for len(mp.Addresses(t)) < 3 {
				time.Sleep(10 * time.Millisecond)
			}
			stop()
		}()
		firstA, err := sa.SendBatch(stopA, n)
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("stopped sender returned %v", err)
		}
		if firstA < 3 || firstA >= n {
			t.Fatalf("the stop did not land mid-batch: %d of %d sent", firstA, n)
		}
		if got := len(mp.Addresses(t)); got != firstA {
			t.Fatalf("%d messages arrived, the stopped sender counted %d", got, firstA)
		}

		var wg sync.WaitGroup
		counts := make([]int, 2)
		for i, s := range []*campaign.Sender{sa, sb} {
			wg.Go(func() {
				for {
					k, err := s.SendBatch(ctx, 3)
					if err != nil {
						t.Error(err)
						return
					}
					if k == 0 {
						return
					}
					counts[i] += k
				}
			})
		}
		wg.Wait()
		if firstA+counts[0]+counts[1] != n {
			t.Errorf("sent %d + %d + %d, want %d", firstA, counts[0], counts[1], n)
		}
		if counts[1] == 0 {
			t.Error("the second instance sent nothing: the handed-back messages waited for their hold")
		}
		seen := map[string]int{}
		for _, addr := range mp.Addresses(t) {
			seen[addr]++
		}
		// One message per place: an address shared by two places gets two.
		want := map[string]int{}
		for _, p := range placesWithAddress(t, a, broceliande) {
			want[campaign.RecipientEmail(p)]++
		}
		for addr, k := range want {
			if seen[addr] != k {
				t.Errorf("%s received %d messages, want %d", addr, seen[addr], k)
			}
		}
		if len(seen) != len(want) {
			t.Errorf("%d addresses served, want %d", len(seen), len(want))
		}
	})
}

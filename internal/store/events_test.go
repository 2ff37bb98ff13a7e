package store_test

import (
	"errors"
	"testing"
	"time"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

// TestEventInvitations: invitees are added once (a place, or a contact's
// address), invited once with their e-mail queued in the same transaction,
// found by the hash of their link only once invited; RSVP and check-in are
// recorded; a day's update link comes with its recipient row, once.
func TestEventInvitations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		p := mustCreatePlace(t, st, newPlace(t, "35223", "Médiathèque de Plélan"))
		c := &store.Campaign{EPCI: p.EPCI, Name: "Journée", Origin: store.OriginEvent, Deadline: testNow.AddDate(0, 0, 30)}
		if _, err := st.CreateCampaign(ctx, c, nil); err != nil {
			t.Fatal(err)
		}
		e := &store.Event{EPCI: p.EPCI, Title: "Journée collaborative", StartsAt: testNow.AddDate(0, 0, 14), EndsAt: testNow.AddDate(0, 0, 14).Add(3 * time.Hour),
			Place: "Salle des fêtes", Meal: true, Programme: "Accueil", CampaignID: c.ID}
		if err := st.CreateEvent(ctx, e); err != nil {
			t.Fatal(err)
		}
		got, err := st.GetEvent(ctx, e.ID)
		if err != nil || got.Title != e.Title || !got.Meal || !got.StartsAt.Equal(e.StartsAt) || got.CampaignID != c.ID {
			t.Fatalf("event %+v %v", got, err)
		}
		if es, err := st.Events(ctx, []string{"200000000"}); err != nil || len(es) != 0 {
			t.Errorf("another territory's events: %v %v", es, err)
		}
		if _, err := st.GetEvent(ctx, "inconnu"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("unknown event: %v", err)
		}
		is := []store.Invitee{
			{PlaceID: p.ID, Name: p.Nom, Email: "anne.privee@example.org", Kind: store.InviteeActor},
			{PlaceID: p.ID, Name: p.Nom, Email: "autre@example.org", Kind: store.InviteeActor},
			{Name: "Maire", Email: "Maire@Example.org ", Kind: store.InviteeElected},
			{Name: "Maire bis", Email: "maire@example.org", Kind: store.InviteeElected},
			{Name: "Sans adresse", Kind: store.InviteeOther},
		}
		if n, err := st.AddInvitees(ctx, e.ID, is); err != nil || n != 2 {
			t.Fatalf("added %d (%v), want 2", n, err)
		}
		if n, err := st.AddInvitees(ctx, e.ID, is); err != nil || n != 0 {
			t.Fatalf("added again %d (%v)", n, err)
		}
		list, err := st.Invitees(ctx, e.ID)
		if err != nil || len(list) != 2 || list[0].Email != "maire@example.org" {
			t.Fatalf("invitees %+v %v", list, err)
		}
		mayor := list[0]
		if _, err := st.InviteeByToken(ctx, mayor.TokenHash); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a placeholder finds an invitee: %v", err)
		}
		if ok, err := st.Invite(ctx, got, mayor.ID); !ok || err != nil {
			t.Fatalf("invite: %v %v", ok, err)
		}
		if ok, err := st.Invite(ctx, got, mayor.ID); ok || err != nil {
			t.Errorf("invited twice: %v %v", ok, err)
		}
		// The invitation waits in the campaign queue; its link is made
		// when it is sent.
		msgs, err := st.ClaimMessages(ctx, 10, time.Minute)
		if err != nil || len(msgs) != 1 || msgs[0].To != "maire@example.org" || msgs[0].Kind != store.MessageEventInvitation || msgs[0].PlaceID != mayor.ID {
			t.Fatalf("queue %+v %v", msgs, err)
		}
		if _, err := st.InviteeByToken(ctx, "hash-maire"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a link before sending: %v", err)
		}
		if err := st.MarkInvitationSent(ctx, msgs[0], "hash-maire"); err != nil {
			t.Fatal(err)
		}
		found, err := st.InviteeByToken(ctx, "hash-maire")
		if err != nil || found.ID != mayor.ID || found.InvitedAt.IsZero() {
			t.Fatalf("by token: %+v %v", found, err)
		}
		if err := st.SaveRSVP(ctx, mayor.ID, store.RSVPYes, 2, "sans gluten"); err != nil {
			t.Fatal(err)
		}
		if err := st.CheckIn(ctx, "autre-journee", mayor.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("check-in through another day: %v", err)
		}
		if err := st.CheckIn(ctx, e.ID, mayor.ID); err != nil {
			t.Fatal(err)
		}
		if i, err := st.GetInvitee(ctx, e.ID, mayor.ID); err != nil || i.RSVP != store.RSVPYes || i.PartySize != 2 || i.Diet != "sans gluten" || i.CheckedInAt.IsZero() {
			t.Errorf("invitee %+v %v", i, err)
		}

		expires := e.EndsAt.AddDate(0, 0, 7)
		for range 2 {
			if err := st.CreateCampaignLink(ctx, c.ID, p.ID, "hash-lien", expires); err != nil {
				t.Fatal(err)
			}
		}
		l, err := st.LinkByToken(ctx, "hash-lien")
		if err != nil || l.PlaceID != p.ID || !l.ExpiresAt.Equal(expires) {
			t.Fatalf("link %+v %v", l, err)
		}
		if err := st.RecordAnswer(ctx, store.Answer{CampaignID: c.ID, PlaceID: p.ID, Kind: store.AnswerUnchanged}); err != nil {
			t.Fatal(err)
		}
		if sum, err := st.SummarizeCampaign(ctx, c.ID); err != nil || sum.Recipients != 1 || sum.Unchanged != 1 || sum.Sent != 1 {
			t.Errorf("summary %+v %v", sum, err)
		}
	})
}

package store_test

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"portrea/internal/account"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

const (
	broceliande = "243500618"
	rennesMetro = "243500139"
)

func mustCreateUser(t *testing.T, st *store.Store, u *account.User) *account.User {
	t.Helper()
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatalf("CreateUser(%s): %v", u.Email, err)
	}
	return u
}

func TestUsers(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		anne := mustCreateUser(t, st, &account.User{Email: "  Anne.Le-Goff@Example.ORG ", Name: "Anne Le Goff", Role: account.RoleReferent,
			Territories: []account.Territory{{EPCI: rennesMetro, Kind: account.KindAssociative}, {EPCI: broceliande, Kind: account.KindInstitutional}}})
		if anne.ID == "" || anne.Email != "anne.le-goff@example.org" || !anne.CreatedAt.Equal(testNow) {
			t.Errorf("CreateUser did not set id, normalised address or date: %+v", anne)
		}
		hub := mustCreateUser(t, st, &account.User{Email: "hub@example.org", Role: account.RoleHub})
		off := mustCreateUser(t, st, &account.User{Email: "ancien@example.org", Role: account.RoleReferent, Disabled: true,
			Territories: []account.Territory{{EPCI: broceliande}}})
		jean := mustCreateUser(t, st, &account.User{Email: "jean@example.org", Role: account.RoleReferent,
			Territories: []account.Territory{{EPCI: rennesMetro}}})

		for _, dup := range []string{"anne.le-goff@example.org", "ANNE.LE-GOFF@EXAMPLE.ORG", " anne.le-goff@example.org"} {
			if err := st.CreateUser(ctx, &account.User{Email: dup, Role: account.RoleHub}); !errors.Is(err, store.ErrEmailTaken) {
				t.Errorf("CreateUser(%q) = %v, want ErrEmailTaken", dup, err)
			}
		}

		got, err := st.UserByEmail(ctx, " ANNE.le-goff@example.org")
		if err != nil {
			t.Fatal(err)
		}
		// Territories come back sorted by SIREN.
		wantTerr := []account.Territory{{EPCI: rennesMetro, Kind: account.KindAssociative}, {EPCI: broceliande, Kind: account.KindInstitutional}}
		if got.ID != anne.ID || got.Name != "Anne Le Goff" || got.Role != account.RoleReferent || got.Disabled ||
			got.PasswordHash != "" || !got.CreatedAt.Equal(testNow) || !got.LastLoginAt.IsZero() || !reflect.DeepEqual(got.Territories, wantTerr) {
			t.Errorf("UserByEmail = %+v", got)
		}
		if _, err := st.UserByEmail(ctx, "personne@example.org"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UserByEmail(unknown) = %v", err)
		}
		if _, err := st.User(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("User(nope) = %v", err)
		}

		// Update: name, role, state and territories (replaced, not added).
		clock(st, testNow.Add(time.Hour))
		jean.Name, jean.Territories = "Jean Dupont", []account.Territory{{EPCI: broceliande, Kind: account.KindAssociative}}
		if err := st.UpdateUser(ctx, jean); err != nil {
			t.Fatal(err)
		}
		got, _ = st.User(ctx, jean.ID)
		if got.Name != "Jean Dupont" || !reflect.DeepEqual(got.Territories, jean.Territories) || got.Email != "jean@example.org" {
			t.Errorf("after UpdateUser: %+v", got)
		}
		if err := st.UpdateUser(ctx, &account.User{ID: "nope", Role: account.RoleHub}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UpdateUser(unknown) = %v", err)
		}

		if err := st.RecordLogin(ctx, hub.ID); err != nil {
			t.Fatal(err)
		}
		got, _ = st.User(ctx, hub.ID)
		if !got.LastLoginAt.Equal(testNow.Add(time.Hour)) || got.Territories != nil {
			t.Errorf("hub after login: %+v", got)
		}

		all, err := st.Users(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var emails []string
		for _, u := range all {
			emails = append(emails, u.Email)
			if u.ID == anne.ID && len(u.Territories) != 2 {
				t.Errorf("Users lost Anne's territories: %+v", u.Territories)
			}
		}
		if want := []string{"ancien@example.org", "anne.le-goff@example.org", "hub@example.org", "jean@example.org"}; !reflect.DeepEqual(emails, want) {
			t.Errorf("Users = %v, want %v", emails, want)
		}

		// Referents of a territory: enabled referents in charge of it, not hub admins.
		tests := []struct {
			epci string
			want []string
		}{
			{broceliande, []string{anne.ID, jean.ID}},
			{rennesMetro, []string{anne.ID}},
			{"200054781", nil},
		}
		for _, tt := range tests {
			refs, err := st.Referents(ctx, tt.epci)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, u := range refs {
				ids = append(ids, u.ID)
			}
			if !reflect.DeepEqual(ids, tt.want) {
				t.Errorf("Referents(%s) = %v, want %v (hub %s, disabled %s)", tt.epci, ids, tt.want, hub.ID, off.ID)
			}
		}
	})
}

func TestSessions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		u := mustCreateUser(t, st, &account.User{Email: "anne@example.org", Role: account.RoleReferent,
			Territories: []account.Territory{{EPCI: broceliande}}})
		secret, csrf, err := st.CreateSession(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(secret) < 43 || len(csrf) < 43 || secret == csrf {
			t.Fatalf("session secret %q, csrf %q", secret, csrf)
		}
		got, gotCSRF, err := st.SessionUser(ctx, secret)
		if err != nil || got.ID != u.ID || gotCSRF != csrf || !reflect.DeepEqual(got.Territories, u.Territories) {
			t.Fatalf("SessionUser = %+v, %q, %v", got, gotCSRF, err)
		}
		// Only the hash is stored: neither a near miss of the secret nor its
		// stored form opens the session.
		near := []byte(secret)
		if near[0] == 'A' {
			near[0] = 'B'
		} else {
			near[0] = 'A'
		}
		for _, bad := range []string{"", string(near), secret[:len(secret)-1], account.HashToken(secret), csrf} {
			if _, _, err := st.SessionUser(ctx, bad); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("SessionUser(%q) = %v, want ErrNotFound", bad, err)
			}
		}
		// A second session of the same user is independent.
		other, _, _ := st.CreateSession(ctx, u.ID)
		if err := st.DeleteSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SessionUser(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deleted session still opens: %v", err)
		}
		if _, _, err := st.SessionUser(ctx, other); err != nil {
			t.Errorf("deleting one session ended the other: %v", err)
		}
	})
}

func TestSessionLifetime(t *testing.T) {
	tests := []struct {
		name   string
		visits []time.Duration // successful uses after creation
		at     time.Duration   // last check, after creation
		ok     bool
	}{
		{"fresh", nil, time.Minute, true},
		{"just within idle", nil, account.SessionIdle, true},
		{"idle", nil, account.SessionIdle + time.Second, false},
		{"kept alive by use", []time.Duration{time.Hour, 2 * time.Hour, 3 * time.Hour}, 4 * time.Hour, true},
		{"idle after use", []time.Duration{time.Hour}, time.Hour + account.SessionIdle + time.Second, false},
		{"in use until its end", []time.Duration{2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour, 10 * time.Hour, 11 * time.Hour},
			account.SessionTTL, true},
		{"expired although in use", []time.Duration{2 * time.Hour, 4 * time.Hour, 6 * time.Hour, 8 * time.Hour, 10 * time.Hour, 11 * time.Hour},
			account.SessionTTL + time.Second, false},
	}
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		u := mustCreateUser(t, st, &account.User{Email: "hub@example.org", Role: account.RoleHub})
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				clock(st, testNow)
				secret, _, err := st.CreateSession(ctx, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				for _, v := range tt.visits {
					clock(st, testNow.Add(v))
					if _, _, err := st.SessionUser(ctx, secret); err != nil {
						t.Fatalf("use at +%v: %v", v, err)
					}
				}
				clock(st, testNow.Add(tt.at))
				_, _, err = st.SessionUser(ctx, secret)
				if (err == nil) != tt.ok {
					t.Fatalf("SessionUser at +%v = %v, want ok %v", tt.at, err, tt.ok)
				}
				if !tt.ok {
					if !errors.Is(err, store.ErrNotFound) {
						t.Errorf("refusal is %v, want ErrNotFound", err)
					}
					// A refused session is gone for good, even if the clock goes back.
					clock(st, testNow)
					if _, _, err := st.SessionUser(ctx, secret); err == nil {
						t.Error("a refused session opened again")
					}
				}
			})
		}
	})
}

func TestSessionOfDisabledUser(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		// Created disabled: the session row exists but must not open.
		off := mustCreateUser(t, st, &account.User{Email: "off@example.org", Role: account.RoleHub, Disabled: true})
		secret, _, err := st.CreateSession(ctx, off.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SessionUser(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session of a disabled user = %v", err)
		}
		// Disabled later: its sessions end.
		u := mustCreateUser(t, st, &account.User{Email: "on@example.org", Role: account.RoleHub})
		secret, _, _ = st.CreateSession(ctx, u.ID)
		if _, _, err := st.SessionUser(ctx, secret); err != nil {
			t.Fatal(err)
		}
		u.Disabled = true
		if err := st.UpdateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SessionUser(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after disabling = %v", err)
		}
		// Enabled again, the old session stays ended.
		u.Disabled = false
		st.UpdateUser(ctx, u)
		if _, _, err := st.SessionUser(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session revived by re-enabling = %v", err)
		}
		// A changed password also ends the sessions.
		secret, _, _ = st.CreateSession(ctx, u.ID)
		if err := st.SetPassword(ctx, u.ID, account.HashPassword("une longue phrase de passe")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := st.SessionUser(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session after password change = %v", err)
		}
		got, _ := st.User(ctx, u.ID)
		if !account.VerifyPassword("une longue phrase de passe", got.PasswordHash) {
			t.Error("SetPassword did not store the hash")
		}
	})
}

func TestOneTimeLinks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		u := mustCreateUser(t, st, &account.User{Email: "anne@example.org", Role: account.RoleReferent,
			Territories: []account.Territory{{EPCI: broceliande}}})
		other := mustCreateUser(t, st, &account.User{Email: "jean@example.org", Role: account.RoleHub})

		link, err := st.CreateLink(ctx, u.ID, account.PurposeActivation, account.ActivationTTL)
		if err != nil {
			t.Fatal(err)
		}
		got, err := st.LinkUser(ctx, link, account.PurposeActivation)
		if err != nil || got.ID != u.ID {
			t.Fatalf("LinkUser = %+v, %v", got, err)
		}
		// LinkUser does not spend the link.
		if _, err := st.LinkUser(ctx, link, account.PurposeActivation); err != nil {
			t.Fatalf("second LinkUser = %v", err)
		}
		// Wrong purpose, wrong secret, stored hash: refused.
		if _, err := st.LinkUser(ctx, link, account.PurposeReset); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LinkUser with the wrong purpose = %v", err)
		}
		if _, err := st.UseLinkToSetPassword(ctx, link, account.PurposeReset, "h"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("UseLinkToSetPassword with the wrong purpose = %v", err)
		}
		for _, bad := range []string{"", link[:len(link)-1], account.HashToken(link)} {
			if _, err := st.LinkUser(ctx, bad, account.PurposeActivation); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("LinkUser(%q) = %v", bad, err)
			}
		}

		// Using the link sets the password and ends the user's sessions, not others'.
		sess, _, _ := st.CreateSession(ctx, u.ID)
		otherSess, _, _ := st.CreateSession(ctx, other.ID)
		clock(st, testNow.Add(time.Hour))
		hash := account.HashPassword("la forêt de Brocéliande au matin")
		got, err = st.UseLinkToSetPassword(ctx, link, account.PurposeActivation, hash)
		if err != nil || got.ID != u.ID || got.PasswordHash != hash {
			t.Fatalf("UseLinkToSetPassword = %+v, %v", got, err)
		}
		if _, _, err := st.SessionUser(ctx, sess); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session survived the use of a link: %v", err)
		}
		if _, _, err := st.SessionUser(ctx, otherSess); err != nil {
			t.Errorf("another user's session ended: %v", err)
		}
		// Once only.
		if _, err := st.UseLinkToSetPassword(ctx, link, account.PurposeActivation, "autre"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("second use = %v, want ErrNotFound", err)
		}
		if _, err := st.LinkUser(ctx, link, account.PurposeActivation); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("LinkUser of a used link = %v", err)
		}
		if got, _ := st.User(ctx, u.ID); got.PasswordHash != hash {
			t.Error("the second use changed the password")
		}
	})
}

func TestOneTimeLinkExpiry(t *testing.T) {
	tests := []struct {
		name    string
		purpose string
		ttl     time.Duration
		after   time.Duration
		ok      bool
	}{
		{"reset within its hour", account.PurposeReset, account.ResetTTL, 59 * time.Minute, true},
		{"reset after its hour", account.PurposeReset, account.ResetTTL, time.Hour + time.Second, false},
		{"activation on day 6", account.PurposeActivation, account.ActivationTTL, 6 * 24 * time.Hour, true},
		{"activation on day 8", account.PurposeActivation, account.ActivationTTL, 8 * 24 * time.Hour, false},
	}
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				clock(st, testNow)
				u := mustCreateUser(t, st, &account.User{Email: string(rune('a'+i)) + "@example.org", Role: account.RoleHub})
				link, err := st.CreateLink(ctx, u.ID, tt.purpose, tt.ttl)
				if err != nil {
					t.Fatal(err)
				}
				clock(st, testNow.Add(tt.after))
				_, err = st.LinkUser(ctx, link, tt.purpose)
				if (err == nil) != tt.ok {
					t.Errorf("LinkUser at +%v = %v, want ok %v", tt.after, err, tt.ok)
				}
				_, err = st.UseLinkToSetPassword(ctx, link, tt.purpose, "h")
				if (err == nil) != tt.ok || !tt.ok && !errors.Is(err, store.ErrNotFound) {
					t.Errorf("UseLinkToSetPassword at +%v = %v, want ok %v", tt.after, err, tt.ok)
				}
				got, _ := st.User(ctx, u.ID)
				if (got.PasswordHash == "h") != tt.ok {
					t.Errorf("password hash %q", got.PasswordHash)
				}
			})
		}
	})
}

func TestNewLinkReplacesOld(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		u := mustCreateUser(t, st, &account.User{Email: "anne@example.org", Role: account.RoleHub})
		v := mustCreateUser(t, st, &account.User{Email: "jean@example.org", Role: account.RoleHub})
		first, _ := st.CreateLink(ctx, u.ID, account.PurposeReset, account.ResetTTL)
		activation, _ := st.CreateLink(ctx, u.ID, account.PurposeActivation, account.ActivationTTL)
		vLink, _ := st.CreateLink(ctx, v.ID, account.PurposeReset, account.ResetTTL)
		second, err := st.CreateLink(ctx, u.ID, account.PurposeReset, account.ResetTTL)
		if err != nil || second == first {
			t.Fatalf("second link %q, %v", second, err)
		}
		checks := []struct {
			name, link, purpose string
			ok                  bool
		}{
			{"first reset link", first, account.PurposeReset, false},
			{"second reset link", second, account.PurposeReset, true},
			{"activation link (another purpose)", activation, account.PurposeActivation, true},
			{"another user's reset link", vLink, account.PurposeReset, true},
		}
		for _, c := range checks {
			if _, err := st.LinkUser(ctx, c.link, c.purpose); (err == nil) != c.ok {
				t.Errorf("%s: LinkUser = %v, want ok %v", c.name, err, c.ok)
			}
		}
		if _, err := st.UseLinkToSetPassword(ctx, first, account.PurposeReset, "h"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("replaced link used: %v", err)
		}
	})
}

func TestAuditLog(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		events := []store.AuditEntry{
			{Actor: "anne@example.org", Action: "connexion", Target: "", Detail: "127.0.0.1"},
			{Actor: "hub@example.org", Action: "compte-cree", Target: "jean@example.org", Detail: "referent 243500618"},
			{Actor: "", Action: "echec-connexion", Target: "inconnu@example.org"},
		}
		for i, e := range events {
			// Same instant for the last two: order must not depend on time alone.
			at := testNow.Add(time.Duration(min(i, 1)) * time.Minute)
			clock(st, at)
			events[i].At = at
			if err := st.Audit(ctx, e.Actor, e.Action, e.Target, e.Detail); err != nil {
				t.Fatal(err)
			}
		}
		got, err := st.AuditLog(ctx, 10)
		if err != nil {
			t.Fatal(err)
		}
		want := []store.AuditEntry{events[2], events[1], events[0]}
		if len(got) != len(want) {
			t.Fatalf("AuditLog = %+v", got)
		}
		for i := range want {
			if !got[i].At.Equal(want[i].At) || got[i].Actor != want[i].Actor || got[i].Action != want[i].Action ||
				got[i].Target != want[i].Target || got[i].Detail != want[i].Detail {
				t.Errorf("entry %d = %+v, want %+v (newest first)", i, got[i], want[i])
			}
		}
		if got, _ := st.AuditLog(ctx, 1); len(got) != 1 || got[0].Action != "echec-connexion" {
			t.Errorf("AuditLog(1) = %+v", got)
		}
	})
}

func TestOutbox(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		for i, to := range []string{" a@example.org ", "b@example.org", "c@example.org"} {
			clock(st, testNow.Add(time.Duration(i)*time.Minute))
			if err := st.QueueMail(ctx, to, "Sujet "+string(rune('A'+i)), "Corps"); err != nil {
				t.Fatal(err)
			}
		}
		to := func(ms []store.Mail) []string {
			var out []string
			for _, m := range ms {
				out = append(out, m.To)
			}
			return out
		}
		all, err := st.Outbox(ctx, false, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"c@example.org", "b@example.org", "a@example.org"}; !reflect.DeepEqual(to(all), want) {
			t.Fatalf("Outbox(all) = %v, want newest first %v", to(all), want)
		}
		a, b := all[2], all[1]
		if a.Subject != "Sujet A" || a.Body != "Corps" || !a.CreatedAt.Equal(testNow) || !a.SentAt.IsZero() || a.Attempts != 0 || a.LastError != "" {
			t.Errorf("queued mail = %+v", a)
		}
		pending, _ := st.Outbox(ctx, true, 10)
		if want := []string{"a@example.org", "b@example.org", "c@example.org"}; !reflect.DeepEqual(to(pending), want) {
			t.Errorf("Outbox(pending) = %v, want oldest first %v", to(pending), want)
		}
		if pending, _ := st.Outbox(ctx, true, 1); !reflect.DeepEqual(to(pending), []string{"a@example.org"}) {
			t.Errorf("Outbox(pending, 1) = %v", to(pending))
		}

		clock(st, testNow.Add(time.Hour))
		if err := st.MarkMailSent(ctx, a.ID); err == nil {
			t.Error("a mail nobody claimed was marked sent")
		}
		if claimed, err := st.ClaimMail(ctx, 2, 5, time.Minute); err != nil || !reflect.DeepEqual(to(claimed), []string{"a@example.org", "b@example.org"}) {
			t.Fatalf("ClaimMail(2) = %v, %v", to(claimed), err)
		}
		if err := st.MarkMailFailed(ctx, a.ID, "connexion refusée"); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkMailFailed(ctx, b.ID, "boîte pleine"); err != nil {
			t.Fatal(err)
		}
		// A failure hands the message back at once.
		if claimed, err := st.ClaimMail(ctx, 10, 5, time.Minute); err != nil || !reflect.DeepEqual(to(claimed), []string{"a@example.org", "b@example.org", "c@example.org"}) {
			t.Fatalf("ClaimMail after failures = %v, %v", to(claimed), err)
		}
		if err := st.MarkMailSent(ctx, b.ID); err != nil {
			t.Fatal(err)
		}
		if err := st.ReleaseMail(ctx); err != nil {
			t.Fatal(err)
		}
		pending, _ = st.Outbox(ctx, true, 10)
		if want := []string{"a@example.org", "c@example.org"}; !reflect.DeepEqual(to(pending), want) {
			t.Errorf("pending after sending b = %v, want %v", to(pending), want)
		}
		if pending[0].Attempts != 1 || pending[0].LastError != "connexion refusée" || !pending[0].SentAt.IsZero() {
			t.Errorf("failed mail = %+v", pending[0])
		}
		all, _ = st.Outbox(ctx, false, 10)
		sent := all[1]
		if sent.ID != b.ID || !sent.SentAt.Equal(testNow.Add(time.Hour)) || sent.Attempts != 2 || sent.LastError != "" {
			t.Errorf("sent mail = %+v", sent)
		}
	})
}

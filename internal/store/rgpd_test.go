package store_test

import (
	"encoding/json"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"

	"portrea/internal/account"
	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// The erased person, written differently in different places, and
// another person who must stay.
const (
	rgpdEmail = "gwenaelle.kerbrat@exemple.bzh"
	rgpdName  = "Gwenaëlle Kerbrat"
	rgpdPhone = "06 98 76 54 31"
	rgpdCore  = "698765431" // significant digits
	keepEmail = "yves.autre@exemple.fr"
	keepName  = "Yves Autre"
	keepCore  = "611223344"
)

// rgpdFixture puts the person everywhere the store can hold them, and
// the other person next to them.
type rgpdFixture struct {
	a, b      *place.Place
	history   map[string]int
	user, hub *account.User
	camp      *store.Campaign
}

func newRGPDFixture(t *testing.T, st *store.Store) *rgpdFixture {
	t.Helper()
	clock(st, testNow)
	f := &rgpdFixture{}
	a := newPlace(t, "35223", "Médiathèque de Plélan")
	a.ContactNom, a.ContactEmail, a.ContactTelephone = rgpdName, " Gwenaelle.Kerbrat@Exemple.BZH ", "+33 6 98 76 54 31"
	a.Telephone = "06.98.76.54.31" // the contact's own line, published
	a.Courriels = []string{"accueil@mediatheque-plelan.fr", rgpdEmail}
	a.Notes = "Appeler GWENAËLLE KERBRAT le matin au 06 98 76 54 31."
	f.a = mustCreatePlace(t, st, a)
	b := newPlace(t, "35223", "Espace social de Plélan")
	b.ContactNom, b.ContactEmail, b.ContactTelephone, b.Notes = keepName, keepEmail, "06 11 22 33 44", "Voir avec Yves Autre"
	f.b = mustCreatePlace(t, st, b)
	// A second version of A: its history copies the contact.
	a2, _ := st.GetPlace(ctx, f.a.ID)
	a2.Notes += " Elle préfère les courriels."
	if err := st.UpdatePlace(ctx, a2, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: rgpdEmail}}); err != nil {
		t.Fatal(err)
	}

	// Campaign: recipient, sent message, opened, visited, a proposal.
	f.camp = &store.Campaign{EPCI: f.a.EPCI, Name: "Printemps", Origin: store.OriginReferent, Subject: "Votre fiche", Body: "Bonjour {{lieu}}",
		SenderName: "Hub", ReplyTo: "hub@exemple.fr", Deadline: testNow.AddDate(0, 0, 21)}
	if _, err := st.CreateCampaign(ctx, f.camp, []store.Recipient{{PlaceID: f.a.ID, Email: rgpdEmail}, {PlaceID: f.b.ID, Email: keepEmail}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := st.ClaimMessages(ctx, 10, time.Minute)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	for i, m := range msgs {
		if err := st.MarkMessageSent(ctx, m, strings.Repeat(string(rune('a'+i)), 64), testNow.AddDate(0, 2, 0)); err != nil {
			t.Fatal(err)
		}
	}
	for _, mark := range []func(c, p string) error{func(c, p string) error { return st.MarkOpened(ctx, c, p) }, func(c, p string) error { return st.MarkVisited(ctx, c, p) }} {
		if err := mark(f.camp.ID, f.a.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.RecordAnswer(ctx, store.Answer{CampaignID: f.camp.ID, PlaceID: f.a.ID, Kind: store.AnswerUpdated,
		Proposed: []place.Change{{Field: "telephone", Old: "06.98.76.54.31", New: "0698765431"}, {Field: "detail", New: "Demandez " + rgpdName}},
		Actor:    place.Actor{Kind: place.ActorCampaign, Name: f.camp.ID}}); err != nil {
		t.Fatal(err)
	}
	if err := st.OptOut(ctx, rgpdEmail); err != nil {
		t.Fatal(err)
	}
	if err := st.OptOut(ctx, keepEmail); err != nil {
		t.Fatal(err)
	}

	// Outbox, joining request, collaborative day, network, report, audit.
	for _, to := range []string{rgpdEmail, keepEmail} {
		if err := st.QueueMail(ctx, to, "Votre compte", "Bonjour, votre lien : https://portrea.example/compte/activer?x=1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.DeclareInterest(ctx, &territory.Interest{EPCI: "200039022", Name: rgpdName, Organisation: "Association Kerbrat", OrgKind: "association",
		Email: "GWENAELLE.KERBRAT@exemple.bzh", Phone: "+33 (0)6 98 76 54 31", Hopes: "Je souhaite un appui."}); err != nil {
		t.Fatal(err)
	}
	e := &store.Event{EPCI: f.a.EPCI, Title: "Journée", StartsAt: testNow.AddDate(0, 0, 14), EndsAt: testNow.AddDate(0, 0, 14).Add(3 * time.Hour), Programme: "Accueil par " + rgpdName}
	if err := st.CreateEvent(ctx, e); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddInvitees(ctx, e.ID, []store.Invitee{{Name: rgpdName, Email: rgpdEmail, Kind: store.InviteeOther}, {Name: keepName, Email: keepEmail, Kind: store.InviteeOther}}); err != nil {
		t.Fatal(err)
	}
	invs, _ := st.Invitees(ctx, e.ID)
	for _, i := range invs {
		if err := st.SaveRSVP(ctx, i.ID, store.RSVPYes, 2, "végétarien ("+i.Name+")"); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SetDirectoryConsent(ctx, f.a.ID, true, "hub@exemple.fr"); err != nil {
		t.Fatal(err)
	}
	if err := st.SetDirectoryConsent(ctx, f.b.ID, true, "hub@exemple.fr"); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateAnimation(ctx, &store.Animation{EPCI: f.a.EPCI, At: testNow, Theme: "Atelier", Participants: []string{f.a.ID, f.b.ID},
		Notes: "Présentes : " + rgpdName + " et " + keepName, CreatedBy: "hub@exemple.fr"}); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateReport(ctx, &report.Report{PlaceID: f.a.ID, Categories: []string{"horaires"}, Message: "Je suis " + rgpdName, Email: rgpdEmail}); err != nil {
		t.Fatal(err)
	}
	f.hub = mustCreateUser(t, st, &account.User{Email: "hub@exemple.fr", Name: "Hub Breton", Role: account.RoleHub})
	f.user = mustCreateUser(t, st, &account.User{Email: rgpdEmail, Name: rgpdName, Role: account.RoleReferent,
		Territories: []account.Territory{{EPCI: f.a.EPCI}}})
	if _, _, err := st.CreateSession(ctx, f.user.ID); err != nil {
		t.Fatal(err)
	}
	for _, actor := range []string{rgpdEmail, keepEmail} {
		if err := st.Audit(ctx, actor, "connexion", actor, ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.Audit(ctx, "hub@exemple.fr", "compte créé", rgpdEmail, "référent "+rgpdName); err != nil {
		t.Fatal(err)
	}
	f.history = map[string]int{}
	for _, p := range []*place.Place{f.a, f.b} {
		h, err := st.PlaceHistory(ctx, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		f.history[p.ID] = len(h)
	}
	return f
}

var nonDigits = regexp.MustCompile(`[^0-9]`)

// traces lists the "table.column" whose values hold the e-mail (any
// case), the name or the phone (digits only compared).
func traces(t *testing.T, st *store.Store, email, name, core string) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	err := st.EachValue(ctx, func(table, column, v string) {
		l := strings.ToLower(v)
		if (strings.Contains(l, strings.ToLower(email)) || strings.Contains(l, strings.ToLower(name)) ||
			strings.Contains(nonDigits.ReplaceAllString(v, ""), core)) && !seen[table+"."+column] {
			seen[table+"."+column] = true
			out = append(out, table+"."+column+" = "+v)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRGPDErasure(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newRGPDFixture(t, st)
		if got := traces(t, st, rgpdEmail, rgpdName, rgpdCore); len(got) < 15 {
			t.Fatalf("the fixture should put the person in many tables, found: %v", got)
		}
		rep, err := st.ErasePerson(ctx, "  GWENAELLE.Kerbrat@Exemple.bzh ")
		if err != nil {
			t.Fatal(err)
		}
		if rep.Records < 15 {
			t.Errorf("erasure report %+v", rep)
		}
		if got := traces(t, st, rgpdEmail, rgpdName, rgpdCore); len(got) > 0 {
			t.Errorf("the erased person is still in the database:\n%s", strings.Join(got, "\n"))
		}
		// The other person is untouched.
		for _, want := range []string{"places.contact_email", "campaign_recipients.email", "event_invitees.email", "outbox.to_addr", "mail_opt_outs.email", "audit_log.actor"} {
			found := false
			for _, tr := range traces(t, st, keepEmail, keepName, keepCore) {
				found = found || strings.HasPrefix(tr, want+" ")
			}
			if !found {
				t.Errorf("the other person's %s was erased too", want)
			}
		}
		b, _ := st.GetPlace(ctx, f.b.ID)
		if b.ContactNom != keepName || b.ContactEmail != keepEmail || !strings.Contains(b.Notes, keepName) {
			t.Errorf("other place changed: %+v", b)
		}
		// Places and their history stay.
		a, err := st.GetPlace(ctx, f.a.ID)
		if err != nil || a.ContactEmail != "" || a.ContactNom != "" || a.Telephone != "" || len(a.Courriels) != 1 || a.Nom != f.a.Nom {
			t.Errorf("place A after erasure: %+v (%v)", a, err)
		}
		for id, n := range f.history {
			h, err := st.PlaceHistory(ctx, id)
			if err != nil || len(h) != n {
				t.Errorf("history of %s: %d entries, want %d (%v)", id, len(h), n, err)
			}
		}
		// The opt-out still holds; the account is off.
		if ok, err := st.OptOutHolds(ctx, rgpdEmail); err != nil || !ok {
			t.Errorf("opt-out after erasure = %v, %v", ok, err)
		}
		if ok, _ := st.OptOutHolds(ctx, "quelquun.dautre@exemple.fr"); ok {
			t.Error("an address never opted out holds an opt-out")
		}
		u, err := st.User(ctx, f.user.ID)
		if err != nil || !u.Disabled || u.Name != store.ErasedMarker || len(u.Territories) != 0 {
			t.Errorf("account after erasure: %+v (%v)", u, err)
		}
		// The campaign's facts stay: two messages sent, one answer.
		sum, err := st.SummarizeCampaign(ctx, f.camp.ID)
		if err != nil || sum.Sent != 2 || sum.Updated != 1 {
			t.Errorf("campaign summary %+v (%v)", sum, err)
		}
		// A second erasure finds nothing more.
		if rep, err := st.ErasePerson(ctx, rgpdEmail); err != nil || rep.Records != 0 {
			t.Errorf("second erasure: %+v, %v", rep, err)
		}
	})
}

func TestRGPDEraseLastHubRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		clock(st, testNow)
		hub := mustCreateUser(t, st, &account.User{Email: "seul.hub@exemple.fr", Name: "Seul Hub", Role: account.RoleHub})
		if _, err := st.ErasePerson(ctx, hub.Email); !errors.Is(err, store.ErrLastHub) {
			t.Fatalf("erasing the last hub: %v", err)
		}
		if u, _ := st.User(ctx, hub.ID); u.Disabled || u.Email != hub.Email {
			t.Errorf("the refused erasure changed the account: %+v", u)
		}
		if _, err := st.ErasePerson(ctx, "pas une adresse"); !errors.Is(err, store.ErrBadEmail) {
			t.Errorf("bad address: %v", err)
		}
	})
}

func TestRGPDExport(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		newRGPDFixture(t, st)
		exp, err := st.ExportPerson(ctx, " GwenaElle.KERBRAT@exemple.bzh")
		if err != nil {
			t.Fatal(err)
		}
		if len(exp.Noms) != 1 || exp.Noms[0] != rgpdName || len(exp.Telephones) == 0 {
			t.Errorf("identity found: %v %v", exp.Noms, exp.Telephones)
		}
		per := map[string]int{}
		for _, c := range exp.Categories {
			for _, r := range c.Enregistrements {
				per[r.Table]++
			}
		}
		for _, table := range []string{"users", "places", "place_history", "campaign_recipients", "campaign_messages", "mail_opt_outs", "proposals",
			"reports", "interests", "territory_journal", "event_invitees", "events", "network_directory", "animations", "audit_log", "outbox"} {
			if per[table] == 0 {
				t.Errorf("the export has nothing from %s: %v", table, per)
			}
		}
		b, err := json.Marshal(exp)
		if err != nil {
			t.Fatal(err)
		}
		js := string(b)
		for _, want := range []string{rgpdName, rgpdEmail, `"categorie"`, `"duree_de_conservation"`, "Je souhaite un appui."} {
			if !strings.Contains(js, want) {
				t.Errorf("export lacks %q", want)
			}
		}
		for _, other := range []string{keepEmail, keepName, "06 11 22 33 44", "Hub Breton"} {
			if strings.Contains(js, other) {
				t.Errorf("export shows another person: %q\n%s", other, js)
			}
		}
	})
}

func TestRGPDRetention(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newRGPDFixture(t, st)
		if _, err := st.LastRetention(ctx); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("last retention before any run: %v", err)
		}
		// Today: the sessions are live, nothing is old enough.
		rep, err := st.ApplyRetention(ctx, testNow)
		if err != nil || rep.CampaignRecipients+rep.CampaignMessages+rep.AuditEntries+rep.SentMails+rep.Sessions != 0 {
			t.Fatalf("retention today: %+v, %v", rep, err)
		}
		// 25 months later: the campaign's tracking goes, the journal stays.
		later := testNow.AddDate(0, 25, 0)
		clock(st, later)
		rep, err = st.ApplyRetention(ctx, st.Now())
		if err != nil {
			t.Fatal(err)
		}
		if rep.CampaignRecipients != 2 || rep.CampaignMessages != 2 || rep.AuditEntries != 0 || rep.Sessions != 1 || rep.HistoryAuthors != 0 {
			t.Errorf("retention at 25 months: %+v", rep)
		}
		rows, err := st.CampaignRecipients(ctx, f.camp.ID)
		if err != nil || len(rows) != 2 {
			t.Fatalf("%d recipients, %v", len(rows), err)
		}
		for _, r := range rows {
			if r.Email != "" {
				t.Errorf("recipient address kept: %+v", r)
			}
		}
		if sum, _ := st.SummarizeCampaign(ctx, f.camp.ID); sum.Sent != 2 || sum.Updated != 1 || sum.Opened != 0 {
			t.Errorf("summary after retention %+v", sum)
		}
		if log, _ := st.AuditLog(ctx, 100); len(log) < 3 {
			t.Errorf("audit log emptied at 25 months: %d entries", len(log))
		}
		if again, err := st.ApplyRetention(ctx, st.Now()); err != nil || again.Total() != 0 {
			t.Errorf("second run at 25 months: %+v, %v", again, err)
		}
		// 37 months later: the journal and the history's authors go too.
		clock(st, testNow.AddDate(0, 37, 0))
		rep, err = st.ApplyRetention(ctx, st.Now())
		if err != nil || rep.AuditEntries < 3 || rep.HistoryAuthors < 1 {
			t.Errorf("retention at 37 months: %+v, %v", rep, err)
		}
		if log, _ := st.AuditLog(ctx, 100); len(log) != 0 {
			t.Errorf("audit log kept %d entries past 36 months", len(log))
		}
		h, _ := st.PlaceHistory(ctx, f.a.ID)
		if len(h) != f.history[f.a.ID] {
			t.Errorf("history entries %d, want %d", len(h), f.history[f.a.ID])
		}
		for _, e := range h {
			if e.Actor.Name == rgpdEmail {
				t.Errorf("history author kept past 36 months: %+v", e.Actor)
			}
		}
		last, err := st.LastRetention(ctx)
		if err != nil || !last.At.Equal(testNow.AddDate(0, 37, 0).UTC()) || last.AuditEntries != rep.AuditEntries {
			t.Errorf("last retention %+v, %v", last, err)
		}
	})
}

// TestPersonalDataCoversSchema: every column of the migrations is in the
// register or known to hold nothing personal.
func TestPersonalDataCoversSchema(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		cols, err := st.UnclassifiedColumns(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(cols) > 0 {
			t.Errorf("columns missing from store.PersonalData (or notPersonal): %s", strings.Join(cols, ", "))
		}
	})
}

package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// The person erased, and another one who stays.
const (
	rgpdEmail = "gwenaelle.kerbrat@exemple.bzh"
	rgpdName  = "Gwenaëlle Kerbrat"
	rgpdPhone = "06 98 76 54 31"
	rgpdCore  = "698765431" // the phone's significant digits
	keepEmail = "yves.autre@exemple.fr"
	keepName  = "Yves Autre"
)

var rgpdNonDigits = regexp.MustCompile(`[^0-9]`)

// rgpdTraces tells where a text holds the person: the e-mail in any case,
// the name, or the phone in any format.
func rgpdTraces(v string) bool {
	l := strings.ToLower(v)
	return strings.Contains(l, rgpdEmail) || strings.Contains(l, strings.ToLower(rgpdName)) ||
		strings.Contains(rgpdNonDigits.ReplaceAllString(v, ""), rgpdCore)
}

// rgpdEnv is the demo territory with the person in every part of the
// product, put there through the real HTTP flows where there is one, and
// a server whose logs go to a buffer.
type rgpdEnv struct {
	st     *store.Store
	h      http.Handler
	logs   *bytes.Buffer
	hub    *boUser
	a, b   *place.Place
	secret string // the person's personal update link
}

func newRGPDEnv(t *testing.T, st *store.Store) *rgpdEnv {
	t.Helper()
	ctx := context.Background()
	st.SetClock(func() time.Time { return testNow })
	ref := territory.Default()
	if _, err := demo.Seed(ctx, st, ref, testNow); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	e := &rgpdEnv{st: st, logs: &bytes.Buffer{}}
	s := newTestServer(t, st, "http://127.0.0.1:1")
	s.log = slog.New(slog.NewTextHandler(e.logs, nil))
	e.h = s.routes()
	e.hub = loginAs(t, e.h, account_(0).Email, account_(0).Password)

	// The place whose private contact the person is; the other person's.
	e.a = boNewPlace(t, st, func(p *place.Place) {
		p.Nom, p.Adresse, p.DateMaj = "Tiers-lieu des Forges", "5 rue des Forges", place.Date(testNow.AddDate(0, -8, 0))
		p.Services, p.Telephone = place.Services.Bit("aide-demarches"), "02 99 06 90 00"
		p.ContactNom, p.ContactEmail, p.ContactTelephone = rgpdName, "Gwenaelle.Kerbrat@Exemple.bzh", rgpdPhone
		p.Notes = "Demander " + rgpdName + " le matin."
	})
	e.b = boNewPlace(t, st, func(p *place.Place) {
		p.Nom, p.Adresse = "Espace social de la Lande", "8 chemin de la Lande"
		p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes = keepName, keepEmail, "06 11 22 33 44", "Voir avec "+keepName
	})

	// A campaign to both, sent through a real SMTP server when there is
	// one; the person opens it, visits the link, proposes a change (their
	// own mobile as the public phone) and opts out.
	c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Name: "Mise à jour d'automne", Origin: store.OriginReferent, Subject: campaign.DefaultSubject,
		Body: campaign.DefaultBody, SenderName: "Inclusion numérique", ReplyTo: account_(1).Email, Deadline: place.Date(testNow.AddDate(0, 0, 21)), TrackOpens: true}
	if _, err := st.CreateCampaign(ctx, c, []store.Recipient{{PlaceID: e.a.ID, Email: "  " + strings.ToUpper(rgpdEmail)}, {PlaceID: e.b.ID, Email: keepEmail}}); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PORTREA_MAILPIT") == "off" {
		msgs, err := st.ClaimMessages(ctx, 10, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range msgs {
			secret, hash := campaign.NewLink()
			if err := st.MarkMessageSent(ctx, m, hash, c.Deadline.Add(campaign.LinkGrace)); err != nil {
				t.Fatal(err)
			}
			if m.PlaceID == e.a.ID {
				e.secret = secret
			}
		}
	} else {
		srv := httptest.NewServer(e.h)
		t.Cleanup(srv.Close)
		mp := mailtest.Start(t)
		sender, err := mail.NewSender(mp.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		cs := &campaign.Sender{Store: st, Ref: ref, Mail: sender, From: "ne-pas-repondre@portrea.example", BaseURL: srv.URL, PerSecond: 1000, Log: s.log}
		for {
			k, err := cs.SendBatch(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				break
			}
		}
		for _, m := range mp.Messages(t) {
			if strings.Contains(strings.ToLower(strings.Join(m.To, " ")), rgpdEmail) {
				link := mailLinkRE.FindString(m.Text)
				e.secret = link[strings.LastIndex(link, "/")+1:]
			}
		}
	}
	if e.secret == "" {
		t.Fatal("no personal link for the person's place")
	}
	get(t, e.h, "/maj/"+e.secret+"/o.gif")
	page := get(t, e.h, "/maj/"+e.secret)
	if page.Code != 200 {
		t.Fatalf("personal link = %d", page.Code)
	}
	form := editForm(t, page.Body.String())
	form.Set("telephone", "06.98.76.54.31")
	req := httptest.NewRequest("POST", "/maj/"+e.secret, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("self-update = %d: %s", rec.Code, rec.Body)
	}
	if ps, _ := st.Proposals(ctx, demo.BroceliandeSIREN, store.ProposalWaiting); len(ps) != 1 {
		t.Fatalf("%d proposals", len(ps))
	}
	m := jetonField.FindStringSubmatch(get(t, e.h, "/maj/"+e.secret+"/desinscription").Body.String())
	if m == nil {
		t.Fatal("no token on the opt-out page")
	}
	req = httptest.NewRequest("POST", "/maj/"+e.secret+"/desinscription", strings.NewReader(url.Values{"jeton": {m[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec = httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	if ok, _ := st.OptedOut(ctx, rgpdEmail); rec.Code != http.StatusSeeOther || !ok {
		t.Fatalf("opt-out = %d, recorded %v", rec.Code, ok)
	}

	// The joining form, from the person's association.
	join := joinForm_(nantesSIREN)
	join.Set("nom", rgpdName)
	join.Set("organisation", "Association Forges numériques")
	join.Set("type_organisation", "association")
	join.Set("email", " Gwenaelle.KERBRAT@exemple.bzh")
	join.Set("telephone", "+33 6 98 76 54 31")
	join.Set("attentes", "Que "+rgpdName+" soit formée.")
	if rec := postJoin(t, e.h, join); rec.Code != http.StatusSeeOther {
		t.Fatalf("join = %d: %s", rec.Code, rec.Body)
	}

	// The hub opens an account for the person; a failed sign-in follows.
	if rec := e.hub.post(t, e.h, "/gestion/utilisateurs", url.Values{"email": {rgpdEmail}, "nom": {rgpdName}, "role": {"referent"},
		"epci": {demo.BroceliandeSIREN}, "type": {"associatif"}}); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Compte créé") {
		t.Fatalf("account = %d", rec.Code)
	}
	boPostLogin(t, e.h, rgpdEmail, "pas le bon mot de passe", nil)

	// A collaborative day, the network and a public report.
	ev := &store.Event{EPCI: demo.BroceliandeSIREN, Title: "Journée collaborative", StartsAt: testNow.AddDate(0, 0, 14), EndsAt: testNow.AddDate(0, 0, 14).Add(3 * time.Hour)}
	if err := st.CreateEvent(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddInvitees(ctx, ev.ID, []store.Invitee{{Name: rgpdName, Email: rgpdEmail, Kind: store.InviteePartner}, {Name: keepName, Email: keepEmail, Kind: store.InviteePartner}}); err != nil {
		t.Fatal(err)
	}
	invs, _ := st.Invitees(ctx, ev.ID)
	for _, i := range invs {
		if err := st.SaveRSVP(ctx, i.ID, store.RSVPYes, 1, "sans gluten"); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []*place.Place{e.a, e.b} {
		if err := st.SetDirectoryConsent(ctx, p.ID, true, account_(0).Email); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.CreateAnimation(ctx, &store.Animation{EPCI: demo.BroceliandeSIREN, At: testNow, Theme: "Atelier démarches", Participants: []string{e.a.ID, e.b.ID},
		Notes: rgpdName + " anime, " + keepName + " accueille.", CreatedBy: account_(0).Email}); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestRGPDErasureEverywhere erases a person who appears everywhere, through
// the hub's pages, and then finds them nowhere: not in any table, export
// or log line; places, history and the opt-out stay.
func TestRGPDErasureEverywhere(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newRGPDEnv(t, st)
		found := map[string]bool{}
		if err := st.EachValue(ctx, func(table, column, v string) {
			if rgpdTraces(v) {
				found[table] = true
			}
		}); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"places", "place_history", "campaign_recipients", "campaign_messages", "mail_opt_outs", "proposals", "interests",
			"territory_journal", "users", "audit_log", "outbox", "event_invitees", "animations"} {
			if !found[table] {
				t.Errorf("the fixture does not put the person in %s (%v)", table, found)
			}
		}
		history := map[string]int{}
		for _, p := range []*place.Place{e.a, e.b} {
			h, _ := st.PlaceHistory(ctx, p.ID)
			history[p.ID] = len(h)
		}

		// Export first, as the person asked, then erase with confirmation.
		rec := e.hub.post(t, e.h, "/gestion/donnees-personnelles/export", url.Values{"email": {"  " + strings.ToUpper(rgpdEmail) + " "}})
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") || !strings.Contains(rec.Body.String(), rgpdName) {
			t.Fatalf("export = %d %v", rec.Code, rec.Header())
		}
		rec = e.hub.post(t, e.h, "/gestion/donnees-personnelles/effacement", url.Values{"email": {rgpdEmail}})
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Effacer définitivement") || !strings.Contains(rec.Body.String(), "Contacts privés des lieux") {
			t.Fatalf("erasure preview = %d: %s", rec.Code, rec.Body)
		}
		if n := len(traceTables(t, st)); n == 0 {
			t.Fatal("the preview erased something")
		}
		rec = e.hub.post(t, e.h, "/gestion/donnees-personnelles/effacement/confirmer", url.Values{"email": {rgpdEmail}, "confirmer": {"oui"}})
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/gestion/donnees-personnelles?efface=") {
			t.Fatalf("erasure = %d %q: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
		}
		if page := e.hub.get(t, e.h, rec.Header().Get("Location")).Body.String(); !strings.Contains(page, "Effacement fait : 1 personne") {
			t.Error("no confirmation after the erasure")
		}

		// Nothing of the person in any table…
		if got := traceTables(t, st); len(got) > 0 {
			t.Errorf("the person is still in the database:\n%s", strings.Join(got, "\n"))
		}
		// …nor in any export or public page…
		for _, target := range []string{"/api/v1/export/lieux-de-mediation-numerique.csv", "/api/v1/export/lieux-de-mediation-numerique.json",
			"/api/v1/export/lieux-de-mediation-numerique.geojson", "/api/v1/export/data-inclusion.json", "/api/v1/lieux?limit=1000", "/api/v1/lieux.geojson",
			"/lieux/" + e.a.ID, "/api/v1/lieux/" + e.a.ID} {
			rec := get(t, e.h, target)
			if rec.Code != 200 || rgpdTraces(rec.Body.String()) {
				t.Errorf("%s = %d, holds the person: %v", target, rec.Code, rgpdTraces(rec.Body.String()))
			}
		}
		xlsx := e.hub.get(t, e.h, "/gestion/exports/"+demo.BroceliandeSIREN+"/xlsx")
		if text := xlsxText(t, xlsx.Body.Bytes()); xlsx.Code != 200 || rgpdTraces(text) || !strings.Contains(text, keepName) {
			t.Errorf("full census workbook = %d, holds the person: %v, the other contact: %v", xlsx.Code, rgpdTraces(text), strings.Contains(text, keepName))
		}
		for _, page := range []string{"/gestion/lieux/" + e.a.ID, "/gestion/journal", "/gestion/courriels", "/gestion/utilisateurs", "/gestion/a-traiter?epci=" + demo.BroceliandeSIREN} {
			if body := e.hub.get(t, e.h, page).Body.String(); rgpdTraces(body) {
				t.Errorf("%s still shows the person", page)
			}
		}
		// …nor in the logs.
		if rgpdTraces(e.logs.String()) {
			t.Errorf("the logs hold the person:\n%s", e.logs.String())
		}
		if !strings.Contains(e.logs.String(), "path=/gestion/donnees-personnelles/effacement/confirmer") {
			t.Error("the server's logs were not captured")
		}

		// The places, their history and the other person stay.
		for id, n := range history {
			p, err := st.GetPlace(ctx, id)
			if err != nil {
				t.Fatalf("place %s: %v", id, err)
			}
			if h, _ := st.PlaceHistory(ctx, id); len(h) != n {
				t.Errorf("%s: %d history entries, want %d", p.Nom, len(h), n)
			}
		}
		if b, _ := st.GetPlace(ctx, e.b.ID); b.ContactEmail != keepEmail || b.ContactNom != keepName {
			t.Errorf("the other contact changed: %q %q", b.ContactNom, b.ContactEmail)
		}
		if ok, err := st.OptOutHolds(ctx, rgpdEmail); err != nil || !ok {
			t.Errorf("the opt-out no longer holds: %v %v", ok, err)
		}
		if ok, _ := st.OptOutHolds(ctx, keepEmail); ok {
			t.Error("the other person opted out")
		}
		log, _ := st.AuditLog(ctx, 10)
		recorded := false
		for _, l := range log {
			recorded = recorded || l.Action == "effacement RGPD" && strings.HasPrefix(l.Detail, "1 personne, ") && strings.HasSuffix(l.Detail, " enregistrements") && l.Target == ""
		}
		if !recorded {
			t.Errorf("audit of the erasure: %+v", log)
		}
	})
}

// traceTables lists the "table.column = value" that hold the person.
func traceTables(t *testing.T, st *store.Store) []string {
	t.Helper()
	var out []string
	if err := st.EachValue(context.Background(), func(table, column, v string) {
		if rgpdTraces(v) {
			out = append(out, table+"."+column+" = "+v)
		}
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRGPDExportEndpoint: the JSON download lists the person in each
// category where they are, and nothing about the other person.
func TestRGPDExportEndpoint(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newRGPDEnv(t, st)
		rec := e.hub.post(t, e.h, "/gestion/donnees-personnelles/export", url.Values{"email": {" Gwenaelle.Kerbrat@EXEMPLE.bzh"}})
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json; charset=utf-8" {
			t.Fatalf("export = %d %s", rec.Code, rec.Header().Get("Content-Type"))
		}
		var exp store.PersonalExport
		if err := json.Unmarshal(rec.Body.Bytes(), &exp); err != nil {
			t.Fatal(err)
		}
		if exp.Adresse != rgpdEmail || len(exp.Noms) != 1 || exp.Noms[0] != rgpdName {
			t.Errorf("identity: %q %v", exp.Adresse, exp.Noms)
		}
		per := map[string]int{}
		for _, c := range exp.Categories {
			per[c.Categorie] = len(c.Enregistrements)
		}
		for _, c := range []string{"Comptes du hub et des référent·es", "Contacts privés des lieux", "Notes des référent·es", "Historique des fiches",
			"Campagnes de mise à jour : destinataires, messages et suivi", "Désinscriptions des campagnes", "Propositions de mise à jour par le lien personnel",
			"Déclarations d'intérêt (« Rejoindre la démarche »)", "Suivi du déploiement des territoires", "Journées collaboratives : invité·es et réponses",
			"Réseau : annuaire des acteurs et ateliers", "Journal de sécurité", "Boîte d'envoi des courriels"} {
			if per[c] == 0 {
				t.Errorf("nothing in category %q: %v", c, per)
			}
		}
		body := rec.Body.String()
		for _, other := range []string{keepEmail, keepName, "06 11 22 33 44", "+33611223344", "Espace social de la Lande"} {
			if strings.Contains(body, other) {
				t.Errorf("the export shows another person: %q", other)
			}
		}
		if !strings.Contains(body, "Gwenaëlle Kerbrat") || strings.Contains(body, `\u00`) {
			t.Error("the export is not readable UTF-8")
		}
		// The journal records the export without the address.
		if log, _ := st.AuditLog(context.Background(), 1); len(log) != 1 || log[0].Action != "export RGPD" || rgpdTraces(log[0].Target+log[0].Detail) {
			t.Errorf("audit of the export: %+v", log)
		}
	})
}

// TestRGPDAccess: only the hub reaches the register, the export and the
// erasure; a missing CSRF token or confirmation changes nothing.
func TestRGPDAccess(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		referent := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		victim := f.placeA.ContactEmail
		form := func() url.Values { return url.Values{"email": {victim}, "confirmer": {"oui"}} }
		if rec := hub.get(t, f.h, "/gestion/donnees-personnelles"); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Contacts privés des lieux") ||
			!strings.Contains(rec.Body.String(), "24 mois") || strings.Contains(rec.Body.String(), "Colonnes de la base absentes") {
			t.Errorf("hub register = %d", rec.Code)
		}
		if rec := referent.get(t, f.h, "/gestion/donnees-personnelles"); rec.Code != http.StatusForbidden {
			t.Errorf("referent register = %d", rec.Code)
		}
		if rec := (*boUser)(nil).get(t, f.h, "/gestion/donnees-personnelles"); rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
			t.Errorf("anonymous register = %d", rec.Code)
		}
		for _, target := range []string{"/gestion/donnees-personnelles/export", "/gestion/donnees-personnelles/effacement", "/gestion/donnees-personnelles/effacement/confirmer"} {
			if rec := referent.post(t, f.h, target, form()); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), victim) {
				t.Errorf("referent POST %s = %d", target, rec.Code)
			}
			if rec := (*boUser)(nil).post(t, f.h, target, form()); rec.Code != http.StatusForbidden {
				t.Errorf("anonymous POST %s = %d", target, rec.Code)
			}
			noCSRF := form()
			noCSRF.Set("csrf", "faux")
			if rec := hub.post(t, f.h, target, noCSRF); rec.Code != http.StatusForbidden || strings.Contains(rec.Body.String(), victim) {
				t.Errorf("hub POST %s without CSRF = %d", target, rec.Code)
			}
		}
		// Without the confirmation box, nothing is erased.
		if rec := hub.post(t, f.h, "/gestion/donnees-personnelles/effacement/confirmer", url.Values{"email": {victim}}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("erasure without confirmation = %d", rec.Code)
		}
		if rec := hub.post(t, f.h, "/gestion/donnees-personnelles/export", url.Values{"email": {"pas une adresse"}}); rec.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(rec.Body.String(), "Saisissez l&#39;adresse électronique") {
			t.Errorf("export of a wrong address = %d", rec.Code)
		}
		if p, _ := st.GetPlace(ctx, f.placeA.ID); p.ContactEmail != victim {
			t.Errorf("refused requests erased the contact: %q", p.ContactEmail)
		}
		// The last hub account cannot be erased.
		if rec := hub.post(t, f.h, "/gestion/donnees-personnelles/effacement/confirmer", url.Values{"email": {account_(0).Email}, "confirmer": {"oui"}}); rec.Code != http.StatusConflict ||
			!strings.Contains(rec.Body.String(), "dernier compte actif du hub") {
			t.Errorf("erasing the last hub = %d", rec.Code)
		}
	})
}

// TestRunRetention: the background loop applies the rules at start.
func TestRunRetention(t *testing.T) {
	st := storetest.OpenSQLite(t)
	st.SetClock(func() time.Time { return testNow })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { RunRetention(ctx, st, time.Hour, discardLog()); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if last, err := st.LastRetention(context.Background()); err == nil {
			if !last.At.Equal(testNow.UTC()) {
				t.Errorf("last run at %s", last.At)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the retention loop did not run")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
}

package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// campaignStartForm is the start form as a person fills it for Brocéliande.
func campaignStartForm() url.Values {
	return url.Values{"epci": {demo.BroceliandeSIREN}, "selection": {"toutes"}, "objet": {campaign.DefaultSubject},
		"message": {campaign.DefaultBody}, "date_limite": {"2026-12-17"}, "relances": {"7, 14"},
		"expediteur": {"Inclusion numérique — Brocéliande"}, "reponse_a": {"referente@broceliande.demo.portrea.fr"}, "directs": {"horaires", "telephone"}}
}

// withAddress counts the active places of a territory that have an
// address to write to.
func withAddress(t *testing.T, st *store.Store, epci string) int {
	t.Helper()
	ps, err := st.TerritoryPlaces(context.Background(), epci)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, p := range ps {
		if p.Status == place.StatusActive && (p.ContactEmail != "" || len(p.Courriels) > 0) {
			n++
		}
	}
	return n
}

// startedCampaign creates a Brocéliande campaign as the command line does.
func startedCampaign(t *testing.T, st *store.Store) *store.Campaign {
	t.Helper()
	c := &store.Campaign{EPCI: demo.BroceliandeSIREN, Origin: store.OriginCommand, CreatedBy: "test"}
	if _, err := campaign.Start(context.Background(), st, territory.Default(), c, campaign.Selection{}, testNow); err != nil {
		t.Fatal(err)
	}
	return c
}

func campaignID(t *testing.T, rec interface{ Header() http.Header }) string {
	t.Helper()
	loc := rec.Header().Get("Location")
	id, ok := strings.CutPrefix(loc, "/gestion/campagnes/")
	if !ok {
		t.Fatalf("redirected to %q", loc)
	}
	id, _, _ = strings.Cut(id, "?")
	return id
}

func TestCampaignStartPauseResume(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)

		page := refA.get(t, f.h, "/gestion/campagnes")
		if page.Code != 200 {
			t.Fatalf("campaigns page: %d", page.Code)
		}
		wantInPage(t, "the campaigns page", page, "Aucune campagne pour l'instant", "Lancer une campagne", campaign.DefaultSubject,
			"{{date_limite}}", "date limite de réponse", "Horaires", "Prise de rendez-vous en ligne", `value="2026-12-17"`, `value="7, 14"`)

		// Refused: a template without the link, reminders after the
		// deadline, another territory. Nothing is created.
		bad := campaignStartForm()
		bad.Set("message", "Bonjour, merci de répondre. {{desinscription}}")
		rec := refA.post(t, f.h, "/gestion/campagnes", bad)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("template without link: %d", rec.Code)
		}
		wantInPage(t, "the refused template", rec, "Message refusé : le message doit contenir {{lien}}", "Bonjour, merci de répondre.")
		bad = campaignStartForm()
		bad.Set("relances", "7, 40")
		rec = refA.post(t, f.h, "/gestion/campagnes", bad)
		wantInPage(t, "the refused reminders", rec, "une relance 40 jours après l'envoi tomberait après la date limite")
		bad = campaignStartForm()
		bad.Set("objet", "Mise à jour de {{nom}}")
		wantInPage(t, "an unknown merge field", refA.post(t, f.h, "/gestion/campagnes", bad), "champ de fusion inconnu : {{nom}}")
		bad = campaignStartForm()
		bad.Set("epci", demo.MontfortSIREN)
		rec = refA.post(t, f.h, "/gestion/campagnes", bad)
		if rec.Code != http.StatusForbidden {
			t.Errorf("campaign on another territory: %d", rec.Code)
		}
		wantInPage(t, "another territory", rec, "Ce territoire ne vous est pas confié")
		if cs, _ := st.Campaigns(ctx, nil, 10); len(cs) != 0 {
			t.Fatalf("refused forms created %d campaigns", len(cs))
		}

		// Started from the page: every place with an address is asked.
		rec = refA.post(t, f.h, "/gestion/campagnes", campaignStartForm())
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("start: %d %s", rec.Code, pageText(rec))
		}
		id := campaignID(t, rec)
		c, err := st.GetCampaign(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		want := withAddress(t, st, demo.BroceliandeSIREN)
		sum, err := st.SummarizeCampaign(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want < 3 || sum.Recipients != want || sum.Waiting != want {
			t.Errorf("recipients %d, waiting %d; want %d places with an address", sum.Recipients, sum.Waiting, want)
		}
		if c.Origin != store.OriginReferent || c.CreatedBy != account_(1).Email || !slices.Equal(c.Reminders, []int{7, 14}) ||
			!slices.Equal(c.DirectFields, []string{"horaires", "telephone"}) || c.Deadline.Format(time.DateOnly) != "2026-12-17" || c.Status != store.CampaignSending {
			t.Errorf("campaign saved as %+v", c)
		}
		detail := refA.get(t, f.h, location(rec))
		wantInPage(t, "the new campaign", detail, "Campagne lancée", c.Name, "Lieux interrogés", "Envoyés", "En attente d'envoi", "Refusés ou rebonds",
			"Lien visité", "« Rien n'a changé »", "Mis à jour", "N'existe plus", "N'accueille plus de public", "Sans réponse",
			f.placeA.Nom, f.placeA.ContactEmail, "Envoi en cours", "Aucun serveur d'envoi n'est configuré", "relances 7 et 14 jours après l'envoi")
		if !strings.Contains(detail.Body.String(), "<dd>"+thousands(want)+"</dd>") {
			t.Errorf("the detail page does not show %d recipients", want)
		}
		list := refA.get(t, f.h, "/gestion/campagnes")
		wantInPage(t, "the list", list, c.Name, "référent·e", "en cours", "17 décembre 2026", "0 / "+thousands(want), "0 % (0)")

		var state map[string]any
		st8 := refA.get(t, f.h, "/gestion/campagnes/"+id+"/etat")
		if err := json.Unmarshal(st8.Body.Bytes(), &state); err != nil {
			t.Fatal(err)
		}
		if state["en_cours"] != true || state["destinataires"] != float64(want) || state["en_attente"] != float64(want) {
			t.Errorf("progress: %v", state)
		}

		// Pause, resume, and what is not possible.
		for _, step := range []struct {
			status string
			code   int
			want   string
		}{
			{"pause", http.StatusSeeOther, store.CampaignPaused},
			{"pause", http.StatusConflict, store.CampaignPaused},
			{"envoi", http.StatusSeeOther, store.CampaignSending},
			{"nimporte", http.StatusConflict, store.CampaignSending},
		} {
			rec := refA.post(t, f.h, "/gestion/campagnes/"+id+"/statut", url.Values{"statut": {step.status}})
			c, _ := st.GetCampaign(ctx, id)
			if rec.Code != step.code || c.Status != step.want {
				t.Errorf("status %s: %d, campaign %s; want %d, %s", step.status, rec.Code, c.Status, step.code, step.want)
			}
		}
		refA.post(t, f.h, "/gestion/campagnes/"+id+"/statut", url.Values{"statut": {"pause"}})
		wantInPage(t, "the paused campaign", refA.get(t, f.h, "/gestion/campagnes/"+id+"?ok=pause"), "Campagne mise en pause", "en pause", "Reprendre l'envoi")
		if state := refA.get(t, f.h, "/gestion/campagnes/"+id+"/etat").Body.String(); !strings.Contains(state, `"en_cours":false`) {
			t.Errorf("a paused campaign is still in progress: %s", state)
		}

		// Editing the texts and the deadline.
		edit := campaignStartForm()
		edit.Set("objet", "Rappel amical : {{lieu}}")
		edit.Set("date_limite", "2027-01-10")
		edit.Set("relances", "")
		edit.Del("directs")
		if rec := refA.post(t, f.h, "/gestion/campagnes/"+id+"/modifier", edit); rec.Code != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", rec.Code, pageText(rec))
		}
		c, _ = st.GetCampaign(ctx, id)
		if c.Subject != "Rappel amical : {{lieu}}" || c.Deadline.Format(time.DateOnly) != "2027-01-10" || len(c.Reminders) != 0 || len(c.DirectFields) != 0 || c.Status != store.CampaignPaused {
			t.Errorf("edited campaign: %+v", c)
		}
		edit.Set("date_limite", "2026-11-01")
		if rec := refA.post(t, f.h, "/gestion/campagnes/"+id+"/modifier", edit); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(pageText(rec), "La date limite doit être postérieure à aujourd'hui") {
			t.Errorf("deadline in the past: %d", rec.Code)
		}

		// Closed: no more changes.
		refA.post(t, f.h, "/gestion/campagnes/"+id+"/statut", url.Values{"statut": {"terminee"}})
		if rec := refA.post(t, f.h, "/gestion/campagnes/"+id+"/statut", url.Values{"statut": {"envoi"}}); rec.Code != http.StatusConflict {
			t.Errorf("resume a closed campaign: %d", rec.Code)
		}
		if rec := refA.post(t, f.h, "/gestion/campagnes/"+id+"/modifier", campaignStartForm()); rec.Code != http.StatusConflict {
			t.Errorf("edit a closed campaign: %d", rec.Code)
		}

		// The hub's outbox lists the messages waiting for an SMTP server.
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		wantInPage(t, "the outbox", hub.get(t, f.h, "/gestion/courriels"), "Messages de campagne en attente ("+thousands(want)+")", f.placeA.Nom, "invitation")
	})
}

func TestCampaignPermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		c := startedCampaign(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		refB := loginAs(t, f.h, account_(2).Email, account_(2).Password)
		base := "/gestion/campagnes/" + c.ID
		for _, path := range []string{base, base + "/etat", base + "/appels", base + "/appels.csv"} {
			for _, u := range []struct {
				name string
				u    *boUser
				want int
			}{{"hub", hub, 200}, {"referent A", refA, 200}, {"referent B", refB, 404}} {
				rec := u.u.get(t, f.h, path)
				if rec.Code != u.want {
					t.Errorf("GET %s as %s: %d, want %d", path, u.name, rec.Code, u.want)
				}
				if u.want == 404 && (strings.Contains(rec.Body.String(), f.placeA.Nom) || strings.Contains(rec.Body.String(), c.Name)) {
					t.Errorf("GET %s as %s shows the campaign", path, u.name)
				}
			}
		}
		if strings.Contains(refB.get(t, f.h, "/gestion/campagnes").Body.String(), c.ID) {
			t.Error("Montfort's referent sees Brocéliande's campaign in the list")
		}
		if !strings.Contains(hub.get(t, f.h, "/gestion/campagnes").Body.String(), c.ID) {
			t.Error("the hub does not see the campaign in the list")
		}
		for path, form := range map[string]url.Values{
			base + "/statut":   {"statut": {"pause"}},
			base + "/modifier": campaignStartForm(),
			base + "/lieux/" + f.placeA.ID + "/revoquer": nil,
			base + "/appels/" + f.placeA.ID:              {"resultat": {store.CallGone}},
			"/gestion/campagnes/inconnue/statut":         {"statut": {"pause"}},
			base + "/appels/" + f.placeB.ID:              {"resultat": {store.CallGone}},
			"/gestion/a-traiter/propositions/" + proposal(t, st, c, f.placeA.ID, place.Change{Field: "horaires", New: "Mo 09:00-12:00"}): {"decision": {"accepter"}},
		} {
			if rec := refB.post(t, f.h, path, form); rec.Code != http.StatusNotFound {
				t.Errorf("POST %s as referent B: %d", path, rec.Code)
			}
		}
		got, _ := st.GetCampaign(ctx, c.ID)
		pa, _ := st.GetPlace(ctx, f.placeA.ID)
		pb, _ := st.GetPlace(ctx, f.placeB.ID)
		if got.Status != store.CampaignSending || got.Subject != c.Subject || pa.Status != place.StatusActive || pa.Horaires != "" || pb.Status != place.StatusActive {
			t.Errorf("referent B changed something: campaign %s, place A %s %q, place B %s", got.Status, pa.Status, pa.Horaires, pb.Status)
		}
		// Referent A may not record a call on a place outside the campaign.
		if rec := refA.post(t, f.h, base+"/appels/"+f.placeB.ID, url.Values{"resultat": {store.CallGone}}); rec.Code != http.StatusNotFound {
			t.Errorf("call on Montfort's place through Brocéliande's campaign: %d", rec.Code)
		}
		// Every POST needs the CSRF token.
		if rec := refA.post(t, f.h, base+"/statut", url.Values{"statut": {"pause"}, "csrf": {"faux"}}); rec.Code != http.StatusForbidden {
			t.Errorf("status without CSRF token: %d", rec.Code)
		}
		if got, _ := st.GetCampaign(ctx, c.ID); got.Status != store.CampaignSending {
			t.Error("a forged POST paused the campaign")
		}
	})
}

// proposal records an actor's answer that proposes changes, and returns
// the proposal's id.
func proposal(t *testing.T, st *store.Store, c *store.Campaign, placeID string, changes ...place.Change) string {
	t.Helper()
	ctx := context.Background()
	p, err := st.GetPlace(ctx, placeID)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := st.Proposals(ctx, p.EPCI, store.ProposalWaiting)
	if err := st.RecordAnswer(ctx, store.Answer{CampaignID: c.ID, PlaceID: placeID, Kind: store.AnswerUpdated, Proposed: changes,
		Actor: place.Actor{Kind: place.ActorCampaign, Name: c.ID}}); err != nil {
		t.Fatal(err)
	}
	after, err := st.Proposals(ctx, p.EPCI, store.ProposalWaiting)
	if err != nil || len(after) != len(before)+1 {
		t.Fatalf("proposals: %d then %d, %v", len(before), len(after), err)
	}
	for _, a := range after {
		if !slices.ContainsFunc(before, func(b *store.Proposal) bool { return b.ID == a.ID }) {
			return a.ID
		}
	}
	t.Fatal("no new proposal")
	return ""
}

// aged sets a place's date_maj in the past.
func aged(t *testing.T, st *store.Store, id string, d time.Time) {
	t.Helper()
	p, err := st.GetPlace(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	p.DateMaj = d
	if err := st.UpdatePlace(context.Background(), p, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}, RecordDate: true}); err != nil {
		t.Fatal(err)
	}
}

func TestCallOutcomes(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		old := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		aged(t, st, f.placeA.ID, old)
		c := startedCampaign(t, st)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		calls := "/gestion/campagnes/" + c.ID + "/appels"

		page := refA.get(t, f.h, calls)
		wantInPage(t, "the call list before the deadline", page, "Cette liste s'ouvre à la date limite, le "+dateFR(c.Deadline),
			f.placeA.Nom, f.placeA2.Nom, "Rien n'a changé (fiche confirmée)", "Injoignable", "Télécharger la liste (CSV)", "Message pas encore envoyé")
		if strings.Contains(page.Body.String(), f.placeB.Nom) {
			t.Error("a place of Montfort is in Brocéliande's call list")
		}

		// « Rien n'a changé » confirms the place, said on the phone.
		rec := refA.post(t, f.h, calls+"/"+f.placeA.ID, url.Values{"resultat": {store.CallUnchanged}, "note": {"Mme Le Goff, accueil"}})
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), calls+"?ok=appel") {
			t.Fatalf("call: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		p, _ := st.GetPlace(ctx, f.placeA.ID)
		if !p.DateMaj.Equal(place.Date(testNow)) {
			t.Errorf("date_maj after the call: %s, want %s", p.DateMaj, place.Date(testNow))
		}
		h, _ := st.PlaceHistory(ctx, f.placeA.ID)
		if len(h) == 0 || h[0].Actor.Kind != place.ActorPhone || h[0].Actor.Name != account_(1).Email || h[0].Summary != "confirmation par téléphone" {
			t.Errorf("history after the call: %+v", h[0])
		}
		wantInPage(t, "the call list after a call", refA.get(t, f.h, location(rec)),
			"Appel enregistré pour « "+f.placeA.Nom+" »", "rien n'a changé", "« Mme Le Goff, accueil »", "("+account_(1).Email+")")
		if rec := refA.get(t, f.h, "/gestion/lieux/"+f.placeA.ID); !strings.Contains(pageText(rec), account_(1).Email+", par téléphone") {
			t.Error("the editor's history does not say the confirmation was made by phone")
		}

		// « N'existe plus » closes the place.
		refA.post(t, f.h, calls+"/"+f.placeA2.ID, url.Values{"resultat": {store.CallGone}})
		if p, _ := st.GetPlace(ctx, f.placeA2.ID); p.Status != place.StatusGone {
			t.Errorf("status after « n'existe plus »: %s", p.Status)
		}
		if h, _ := st.PlaceHistory(ctx, f.placeA2.ID); h[0].Actor.Kind != place.ActorPhone {
			t.Errorf("closing recorded as %+v", h[0].Actor)
		}

		// « Mis à jour par téléphone » opens the editor, whose saves are
		// then recorded as made by phone.
		rs, _ := st.CampaignRecipients(ctx, c.ID)
		var third store.RecipientRow
		for _, r := range rs {
			if r.PlaceID != f.placeA.ID && r.PlaceID != f.placeA2.ID {
				third = r
				break
			}
		}
		rec = refA.post(t, f.h, calls+"/"+third.PlaceID, url.Values{"resultat": {store.CallUpdated}})
		if loc := rec.Header().Get("Location"); loc != "/gestion/lieux/"+third.PlaceID+"?methode=telephone" {
			t.Fatalf("« mis à jour » redirected to %q", loc)
		}
		editor := refA.get(t, f.h, location(rec))
		wantInPage(t, "the editor during a call", editor, `name="methode" value="telephone"`, "Saisie pendant un appel")
		tp, _ := st.GetPlace(ctx, third.PlaceID)
		rec = refA.post(t, f.h, "/gestion/lieux/"+tp.ID, url.Values{"nom": {tp.Nom + " (corrigé)"}, "adresse": {tp.Adresse}, "code_insee": {tp.CodeInsee},
			"code_postal": {tp.CodePostal}, "commune": {tp.Commune}, "statut": {"actif"}, "methode": {"telephone"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("save by phone: %d %s", rec.Code, pageText(rec))
		}
		if h, _ := st.PlaceHistory(ctx, tp.ID); h[0].Actor.Kind != place.ActorPhone {
			t.Errorf("a save after a call is recorded as %+v", h[0].Actor)
		}
		rs, _ = st.CampaignRecipients(ctx, c.ID)
		for _, r := range rs {
			if r.PlaceID == third.PlaceID && (r.CallOutcome != store.CallUpdated || r.CalledBy != account_(1).Email) {
				t.Errorf("call recorded as %q by %q", r.CallOutcome, r.CalledBy)
			}
		}

		// A call without an outcome is refused.
		if rec := refA.post(t, f.h, calls+"/"+f.placeA.ID, url.Values{"note": {"x"}}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("call without outcome: %d", rec.Code)
		}

		// After the deadline the list is open: no more warning.
		st.SetClock(func() time.Time { return c.Deadline.Add(time.Hour) })
		srv := newTestServer(t, st, "http://127.0.0.1:1")
		srv.now = func() time.Time { return c.Deadline.Add(time.Hour) }
		later := srv.routes()
		ref := loginAs(t, later, account_(1).Email, account_(1).Password)
		if text := pageText(ref.get(t, later, calls)); strings.Contains(text, "Cette liste s'ouvre") || !strings.Contains(text, f.placeA.Nom) {
			t.Error("the call list after the deadline still warns, or lost its places")
		}
	})
}

func TestCallListCSVFormulaSafe(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		evil := *f.placeA
		evil.Nom = `=HYPERLINK("http://x","y")`
		evil.ContactNom = "@SUM(A1:A9)"
		if err := st.UpdatePlace(ctx, &evil, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
			t.Fatal(err)
		}
		c := startedCampaign(t, st)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		if rec := refA.post(t, f.h, "/gestion/campagnes/"+c.ID+"/appels/"+f.placeA2.ID, url.Values{"resultat": {store.CallBack}, "note": {"-2+3 rappeler lundi"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("call: %d", rec.Code)
		}
		rec := refA.get(t, f.h, "/gestion/campagnes/"+c.ID+"/appels.csv")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("CSV: %d %v", rec.Code, rec.Header())
		}
		body := rec.Body.String()
		for _, want := range []string{`"'=HYPERLINK(""http://x"",""y"")"`, `"'@SUM(A1:A9)"`, `"'-2+3 rappeler lundi"`, `"à rappeler"`} {
			if !strings.Contains(body, want) {
				t.Errorf("CSV lacks %s", want)
			}
		}
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := withAddress(t, st, demo.BroceliandeSIREN) + 1; len(rows) != want || rows[0][1] != "Lieu" {
			t.Errorf("CSV: %d rows (header %v), want %d", len(rows), rows[0], want)
		}
	})
}

func TestCampaignRevokeLink(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		c := startedCampaign(t, st)
		// One message goes out, as the sender does it.
		ms, err := st.ClaimMessages(ctx, 1, time.Minute)
		if err != nil || len(ms) != 1 {
			t.Fatalf("claim: %v %v", ms, err)
		}
		secret, hash := campaign.NewLink()
		if err := st.MarkMessageSent(ctx, ms[0], hash, c.Deadline.Add(campaign.LinkGrace)); err != nil {
			t.Fatal(err)
		}
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		detail := "/gestion/campagnes/" + c.ID
		revoke := detail + "/lieux/" + ms[0].PlaceID + "/revoquer"
		if page := refA.get(t, f.h, detail).Body.String(); strings.Count(page, "/revoquer") != 1 || !strings.Contains(page, revoke) {
			t.Errorf("the detail page should offer to revoke the one link sent")
		}
		rec := refA.post(t, f.h, revoke, nil)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("revoke: %d", rec.Code)
		}
		if _, err := st.LinkByToken(ctx, campaign.HashLink(secret)); err != store.ErrLinkInvalid {
			t.Errorf("revoked link: %v", err)
		}
		wantInPage(t, "the detail page after revoking", refA.get(t, f.h, location(rec)), "Lien révoqué", "révoqué")
	})
}

func TestProposalAcceptReject(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		aged(t, st, f.placeA.ID, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
		c := startedCampaign(t, st)
		accept := proposal(t, st, c, f.placeA.ID,
			place.Change{Field: "horaires", New: "Mo-Fr 09:00-12:00"},
			place.Change{Field: "presentation_resume", New: "Aide aux démarches en ligne."},
			// Changed since: the place has no web site any more.
			place.Change{Field: "site_web", Old: "https://ancien.exemple.fr", New: "https://nouveau.exemple.fr"})
		reject := proposal(t, st, c, f.placeA2.ID, place.Change{Field: "nom", Old: f.placeA2.Nom, New: "Nom fantaisiste"})
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		queue := "/gestion/a-traiter?epci=" + demo.BroceliandeSIREN
		wantInPage(t, "the queue", refA.get(t, f.h, queue), "Propositions des structures (2)", "Horaires", "Mo-Fr 09:00-12:00",
			"Présentation résumée", "Site web", "https://ancien.exemple.fr", "Nom fantaisiste", "campagne « "+c.Name+" »", "Accepter", "Rejeter")

		rec := refA.post(t, f.h, "/gestion/a-traiter/propositions/"+accept, url.Values{"decision": {"accepter"}})
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Location"), "conflits=site_web") {
			t.Fatalf("accept: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		p, _ := st.GetPlace(ctx, f.placeA.ID)
		if p.Horaires != "Mo-Fr 09:00-12:00" || p.Resume != "Aide aux démarches en ligne." || len(p.SitesWeb) != 0 || !p.DateMaj.Equal(place.Date(testNow)) {
			t.Errorf("accepted: horaires %q, résumé %q, sites %v, date_maj %s", p.Horaires, p.Resume, p.SitesWeb, p.DateMaj)
		}
		h, _ := st.PlaceHistory(ctx, f.placeA.ID)
		if h[0].Summary != "proposition de la structure acceptée" || h[0].Actor.Name != account_(1).Email {
			t.Errorf("history: %+v", h[0])
		}
		if got, _ := st.GetProposal(ctx, accept); got.Status != store.ProposalAccepted || got.DecidedBy != account_(1).Email {
			t.Errorf("proposal after accept: %+v", got)
		}
		wantInPage(t, "the queue after accepting", refA.get(t, f.h, location(rec)), "Proposition acceptée",
			"Ces champs avaient été modifiés depuis la proposition : ils gardent leur valeur actuelle. Site web.", "Propositions des structures (1)")

		rec = refA.post(t, f.h, "/gestion/a-traiter/propositions/"+reject, url.Values{"decision": {"rejeter"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("reject: %d", rec.Code)
		}
		if p, _ := st.GetPlace(ctx, f.placeA2.ID); p.Nom != f.placeA2.Nom {
			t.Errorf("a rejected proposal renamed the place to %q", p.Nom)
		}
		if got, _ := st.GetProposal(ctx, reject); got.Status != store.ProposalRejected {
			t.Errorf("proposal after reject: %s", got.Status)
		}
		wantInPage(t, "the queue after rejecting", refA.get(t, f.h, location(rec)), "Proposition rejetée", "Aucune proposition en attente")

		// Deciding twice changes nothing.
		rec = refA.post(t, f.h, "/gestion/a-traiter/propositions/"+reject, url.Values{"decision": {"accepter"}})
		if !strings.Contains(rec.Header().Get("Location"), "ok=deja") {
			t.Errorf("second decision: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		if p, _ := st.GetPlace(ctx, f.placeA2.ID); p.Nom != f.placeA2.Nom {
			t.Error("a decided proposal was applied again")
		}
	})
}

func TestCampaignCalendarSettings(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		wantInPage(t, "the settings", hub.get(t, f.h, "/gestion/parametres"), "Calendrier des campagnes", `value="03-01, 07-01, 11-01"`)
		form := func(cal string) url.Values {
			return url.Values{"tuiles": {"https://tuiles.exemple.fr/{z}/{x}/{y}.png"}, "attribution": {"© Exemple"}, "calendrier": {cal}}
		}
		for cal, want := range map[string]string{
			"13-45":        "Calendrier des campagnes : « 13-45 » n'est pas une date MM-JJ",
			"1er mars":     "« 1er mars » n'est pas une date MM-JJ",
			" , ":          "le calendrier ne contient aucune date",
			"03-01; 07-01": "n'est pas une date MM-JJ",
		} {
			rec := hub.post(t, f.h, "/gestion/parametres", form(cal))
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("calendar %q: %d", cal, rec.Code)
			}
			wantInPage(t, "calendar "+cal, rec, want)
		}
		if v, _ := st.Setting(ctx, campaign.CalendarSetting, "défaut"); v != "défaut" {
			t.Errorf("a refused calendar was saved: %q", v)
		}
		if rec := refA.post(t, f.h, "/gestion/parametres", form("09-15")); rec.Code != http.StatusForbidden {
			t.Errorf("a referent saved the calendar: %d", rec.Code)
		}
		if rec := hub.post(t, f.h, "/gestion/parametres", form("09-15, 03-01")); rec.Code != http.StatusSeeOther {
			t.Fatalf("valid calendar: %d %s", rec.Code, pageText(rec))
		}
		if v, _ := st.Setting(ctx, campaign.CalendarSetting, ""); v != "03-01,09-15" {
			t.Errorf("calendar saved as %q", v)
		}
		if _, err := campaign.ParseCalendar("03-01,09-15"); err != nil {
			t.Error(err)
		}
		wantInPage(t, "the settings after saving", hub.get(t, f.h, "/gestion/parametres?ok=1"), "Paramètres enregistrés", `value="03-01, 09-15"`)
		// A form without the calendar (an older page) leaves it alone.
		hub.post(t, f.h, "/gestion/parametres", url.Values{"tuiles": {"https://tuiles.exemple.fr/{z}/{x}/{y}.png"}, "attribution": {"© Exemple"}})
		if v, _ := st.Setting(ctx, campaign.CalendarSetting, ""); v != "03-01,09-15" {
			t.Errorf("calendar after a form without it: %q", v)
		}
	})
}

func TestDashboardConfirmedShare(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		aged(t, st, f.placeA.ID, place.Date(testNow.AddDate(0, -6, 0)))
		aged(t, st, f.placeA2.ID, place.Date(testNow.AddDate(0, -14, 0)))
		ps, err := st.TerritoryPlaces(ctx, demo.BroceliandeSIREN)
		if err != nil {
			t.Fatal(err)
		}
		active, in4, in12 := 0, 0, 0
		for _, p := range ps {
			if p.Status != place.StatusActive {
				continue
			}
			active++
			if !p.DateMaj.Before(place.Date(testNow.AddDate(0, -4, 0))) {
				in4++
			}
			if !p.DateMaj.Before(place.Date(testNow.AddDate(0, -12, 0))) {
				in12++
			}
		}
		if in4 == in12 || in12 == active {
			t.Fatalf("the demo data does not tell the shares apart: %d, %d of %d", in4, in12, active)
		}
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		want := "confirmées depuis 4 mois : " + itoa(in4*100/active) + " % — depuis 12 mois : " + itoa(in12*100/active) + " %"
		wantInPage(t, "the dashboard", refA.get(t, f.h, "/gestion"), want)
	})
}

func itoa(n int) string { return thousands(n) }

// location is where a response redirects, without its fragment (a browser
// keeps it for itself).
func location(rec interface{ Header() http.Header }) string {
	loc, _, _ := strings.Cut(rec.Header().Get("Location"), "#")
	return loc
}

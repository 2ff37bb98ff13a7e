package web

import (
	"bytes"
	"context"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
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

// linkEnv is the demo territory with two places of Brocéliande in an
// update campaign, each with its personal link, and the server's log.
type linkEnv struct {
	st               *store.Store
	h                http.Handler
	log              *bytes.Buffer
	camp             *store.Campaign
	a, b             *place.Place
	secretA, secretB string
}

const (
	linkEmailA = "accueil-gue@exemple.fr"
	linkEmailB = "accueil-lande@exemple.fr"
)

// linkOldDate is when the places were last confirmed.
var linkOldDate = place.Date(testNow.AddDate(0, -8, 0))

func newLinkEnv(t *testing.T, st *store.Store, direct ...string) *linkEnv {
	t.Helper()
	st.SetClock(func() time.Time { return testNow })
	if _, err := demo.Seed(context.Background(), st, territory.Default(), testNow); err != nil {
		t.Fatal(err)
	}
	e := &linkEnv{st: st, log: &bytes.Buffer{}}
	s := newTestServer(t, st, "http://127.0.0.1:1")
	s.log = slog.New(slog.NewTextHandler(e.log, nil))
	e.h = s.routes()
	e.startCampaign(t, direct...)
	return e
}

// startCampaign creates the two places of Plélan-le-Grand and a campaign
// that has sent each its link; direct are the campaign's direct fields.
func (e *linkEnv) startCampaign(t *testing.T, direct ...string) {
	t.Helper()
	ctx, st := context.Background(), e.st
	e.a = boNewPlace(t, st, func(p *place.Place) {
		p.Nom, p.Adresse, p.DateMaj = "Espace numérique du Gué", "3 rue du Gué", linkOldDate
		p.Telephone, p.Horaires = "02 99 06 81 00", "Mo-Fr 09:00-12:00"
		p.Services = place.Services.Bit("aide-demarches")
		p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes = "Camille Discrète", "camille.privee@exemple.fr", "06 12 34 56 78", "Note du référent à ne jamais montrer"
		p.Detail = "Accueil libre le matin.\nAteliers sur inscription l'après-midi."
		p.Extra = map[string]string{"wifi": "oui"}
	})
	e.b = boNewPlace(t, st, func(p *place.Place) {
		p.Nom, p.Adresse, p.DateMaj = "Tiers-lieu de la Lande", "8 chemin de la Lande", linkOldDate
		p.Telephone, p.Horaires = "02 99 06 82 00", "We 14:00-18:00"
		p.ContactEmail, p.Notes = "lande.privee@exemple.fr", "Autre note privée"
	})
	e.camp = &store.Campaign{EPCI: demo.BroceliandeSIREN, Name: "Mise à jour de test", Origin: store.OriginReferent,
		Subject: campaign.DefaultSubject, Body: campaign.DefaultBody, SenderName: "Inclusion numérique", ReplyTo: "referente@broceliande.demo.portrea.fr",
		Deadline: place.Date(testNow.AddDate(0, 0, 21)), Reminders: []int{7}, DirectFields: direct}
	if _, err := st.CreateCampaign(ctx, e.camp, []store.Recipient{{PlaceID: e.a.ID, Email: linkEmailA}, {PlaceID: e.b.ID, Email: linkEmailB}}); err != nil {
		t.Fatal(err)
	}
	msgs, err := st.ClaimMessages(ctx, 10, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if m.CampaignID != e.camp.ID {
			continue
		}
		secret, hash := campaign.NewLink()
		if err := st.MarkMessageSent(ctx, m, hash, e.camp.Deadline.Add(campaign.LinkGrace)); err != nil {
			t.Fatal(err)
		}
		switch m.PlaceID {
		case e.a.ID:
			e.secretA = secret
		case e.b.ID:
			e.secretB = secret
		}
	}
	if e.secretA == "" || e.secretB == "" {
		t.Fatalf("links not created: %d messages", len(msgs))
	}
	// The stored versions, as the handlers read them.
	e.a, e.b = e.place(t, e.a.ID), e.place(t, e.b.ID)
}

func (e *linkEnv) place(t *testing.T, id string) *place.Place {
	t.Helper()
	p, err := e.st.GetPlace(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// do sends a request as a browser on our pages does.
func (e *linkEnv) do(t *testing.T, method, target string, form url.Values, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if method == "GET" {
		req = httptest.NewRequest(method, target, nil)
	} else {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, req)
	return rec
}

func (e *linkEnv) get(t *testing.T, target string) *httptest.ResponseRecorder {
	t.Helper()
	return e.do(t, "GET", target, nil)
}

// page opens a link's form and returns its body.
func (e *linkEnv) page(t *testing.T, secret string) string {
	t.Helper()
	rec := e.get(t, "/maj/"+secret)
	if rec.Code != 200 {
		t.Fatalf("GET link = %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.String()
}

// token is the form token of a link's page.
func (e *linkEnv) token(t *testing.T, secret string) string {
	t.Helper()
	m := jetonField.FindStringSubmatch(e.page(t, secret))
	if m == nil {
		t.Fatal("no form token on the link's page")
	}
	return m[1]
}

var (
	inputRE    = regexp.MustCompile(`<input ([^>]*)>`)
	textareaRE = regexp.MustCompile(`(?s)<textarea ([^>]*)>(.*?)</textarea>`)
	selectRE   = regexp.MustCompile(`(?s)<select ([^>]*)>(.*?)</select>`)
	optionRE   = regexp.MustCompile(`<option ([^>]*)>`)
	attrRE     = regexp.MustCompile(`([\w.-]+)(?:="([^"]*)")?`)
)

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(s, -1) {
		out[m[1]] = html.UnescapeString(m[2])
	}
	return out
}

// editForm reads the edit form of a personal link's page as a browser
// without JavaScript would send it.
func editForm(t *testing.T, body string) url.Values {
	t.Helper()
	return formOfClass(t, body, "maj-form")
}

// formOfClass reads the form of the given class as a browser without
// JavaScript would send it.
func formOfClass(t *testing.T, body, class string) url.Values {
	t.Helper()
	f := regexp.MustCompile(`(?s)<form method="post" action="[^"]*" class="` + class + `".*?</form>`).FindString(body)
	if f == "" {
		t.Fatalf("no form of class %s on the page", class)
	}
	v := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(f, -1) {
		a := attrs(m[1])
		if _, checked := a["checked"]; a["type"] == "checkbox" && !checked {
			continue
		}
		v.Add(a["name"], a["value"])
	}
	for _, m := range textareaRE.FindAllStringSubmatch(f, -1) {
		// Browsers send a text area's line breaks as CRLF.
		v.Add(attrs(m[1])["name"], strings.ReplaceAll(html.UnescapeString(m[2]), "\n", "\r\n"))
	}
	for _, m := range selectRE.FindAllStringSubmatch(f, -1) {
		name, value := attrs(m[1])["name"], ""
		for i, o := range optionRE.FindAllStringSubmatch(m[2], -1) {
			a := attrs(o[1])
			if _, sel := a["selected"]; sel || i == 0 {
				value = a["value"]
			}
		}
		v.Set(name, value)
	}
	return v
}

func (e *linkEnv) summary(t *testing.T) store.CampaignSummary {
	t.Helper()
	s, err := e.st.SummarizeCampaign(context.Background(), e.camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (e *linkEnv) proposals(t *testing.T) []*store.Proposal {
	t.Helper()
	ps, err := e.st.Proposals(context.Background(), demo.BroceliandeSIREN, store.ProposalWaiting)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// nothingWritten checks that both places, the proposals and the answers
// are as they were.
func (e *linkEnv) nothingWritten(t *testing.T, what string) {
	t.Helper()
	for _, p := range []*place.Place{e.a, e.b} {
		if d := place.Diff(p, e.place(t, p.ID)); len(d) > 0 {
			t.Errorf("%s changed %s: %v", what, p.Nom, d)
		}
	}
	if ps := e.proposals(t); len(ps) > 0 {
		t.Errorf("%s made a proposal: %+v", what, ps[0].Changes)
	}
	if s := e.summary(t); s.Answered() > 0 {
		t.Errorf("%s recorded an answer: %+v", what, s)
	}
}

func changedFields(cs []place.Change) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Field)
	}
	return out
}

func TestSelfUpdatePageShowsPublicDataOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "horaires")
		rec := e.get(t, "/maj/"+e.secretA)
		if rec.Code != 200 {
			t.Fatalf("GET = %d", rec.Code)
		}
		for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"} {
			if got := rec.Header().Get(k); got != want {
				t.Errorf("%s: %q, want %q", k, got, want)
			}
		}
		body := rec.Body.String()
		for _, want := range []string{"Espace numérique du Gué", "3 rue du Gué", "02 99 06 81 00", "Mo-Fr 09:00-12:00",
			"Informations vérifiées le " + dateFR(linkOldDate), "d'ici le <strong>" + dateFR(e.camp.Deadline),
			"Rien n'a changé", "Le lieu n'existe plus", "Le lieu n'accueille plus de public",
			`class="hours-builder"`, "Wifi en accès libre", "Nombre de postes en accès libre", "publiées tout de suite : horaires."} {
			if !strings.Contains(body, want) {
				t.Errorf("the form lacks %q", want)
			}
		}
		for _, secret := range []string{e.a.ContactNom, e.a.ContactEmail, "06 12 34 56 78", e.a.ContactTelephone, e.a.Notes, e.b.Nom, linkEmailA} {
			if strings.Contains(body, secret) {
				t.Errorf("the form shows %q", secret)
			}
		}
		for _, field := range []string{`name="contact_`, `name="notes"`, `name="statut"`, `name="id"`, `name="latitude"`, `name="source"`} {
			if strings.Contains(body, field) {
				t.Errorf("the form has a field %s", field)
			}
		}
		if s := e.summary(t); s.Visited != 1 {
			t.Errorf("visited = %d, want 1", s.Visited)
		}
		// The page's own form, sent back untouched, changes nothing but
		// confirms the record.
		form := editForm(t, body)
		rec = e.do(t, "POST", "/maj/"+e.secretA, form)
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "/merci?reponse=inchange") {
			t.Fatalf("untouched form = %d %s: %s", rec.Code, rec.Header().Get("Location"), rec.Body)
		}
		if d := place.Diff(e.a, e.place(t, e.a.ID)); len(d) != 1 || d[0].Field != "date_maj" {
			t.Errorf("untouched form changed %v", d)
		}
		if ps := e.proposals(t); len(ps) > 0 {
			t.Errorf("untouched form proposed %v", ps[0].Changes)
		}
	})
}

func TestSelfUpdateNothingChanged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st)
		rec := e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {e.token(t, e.secretA)}, "reponse": {"inchange"}})
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || loc != "/maj/"+e.secretA+"/merci?reponse=inchange" {
			t.Fatalf("answer = %d %q: %s", rec.Code, loc, rec.Body)
		}
		p := e.place(t, e.a.ID)
		if !p.DateMaj.Equal(place.Date(testNow)) {
			t.Errorf("date_maj = %s, want today", p.DateMaj)
		}
		if d := place.Diff(e.a, p); len(d) != 1 || d[0].Field != "date_maj" {
			t.Errorf("confirmation changed %v", d)
		}
		s := e.summary(t)
		if s.Unchanged != 1 || s.Answered() != 1 {
			t.Errorf("summary %+v", s)
		}
		hs, _ := st.PlaceHistory(context.Background(), e.a.ID)
		if len(hs) == 0 || hs[0].Actor != (place.Actor{Kind: place.ActorCampaign, Name: e.camp.ID}) {
			t.Errorf("history %+v", hs)
		}
		rec = e.get(t, loc)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "Merci, c'est confirmé") || !strings.Contains(body, `href="/maj/`+e.secretA+`"`) ||
			!strings.Contains(body, "valable jusqu'au "+dateFR(e.camp.Deadline.Add(campaign.LinkGrace-time.Second))) {
			t.Errorf("thank-you page = %d:\n%s", rec.Code, body)
		}
		if rec.Header().Get("Cache-Control") != "no-store" || rec.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("thank-you headers %v", rec.Header())
		}
		if b := e.place(t, e.b.ID); !b.DateMaj.Equal(linkOldDate) {
			t.Error("the other place was confirmed too")
		}
	})
}

func TestSelfUpdateDirectFieldsApplyOthersWait(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "horaires")
		form := editForm(t, e.page(t, e.secretA))
		form.Set("horaires", "Mo-Fr 09:00-12:00,14:00-17:00; PH off")
		form.Set("telephone", "02 99 06 81 99")
		form.Set("extra.nb-postes", "4")
		rec := e.do(t, "POST", "/maj/"+e.secretA, form)
		loc := rec.Header().Get("Location")
		if rec.Code != http.StatusSeeOther || loc != "/maj/"+e.secretA+"/merci?reponse=mis-a-jour&suite=mixte" {
			t.Fatalf("edit = %d %q: %s", rec.Code, loc, rec.Body)
		}
		p := e.place(t, e.a.ID)
		if p.Horaires != "Mo-Fr 09:00-12:00,14:00-17:00; PH off" || p.Telephone != e.a.Telephone || p.Extra["nb-postes"] != "" {
			t.Errorf("stored: hours %q, phone %q, extra %v", p.Horaires, p.Telephone, p.Extra)
		}
		if !p.DateMaj.Equal(place.Date(testNow)) {
			t.Errorf("date_maj = %s after a direct change", p.DateMaj)
		}
		if d := changedFields(place.Diff(e.a, p)); !slices.Equal(d, []string{"horaires", "date_maj"}) {
			t.Errorf("applied %v", d)
		}
		ps := e.proposals(t)
		if len(ps) != 1 || ps[0].PlaceID != e.a.ID || ps[0].CampaignID != e.camp.ID ||
			!slices.Equal(changedFields(ps[0].Changes), []string{"telephone", "extra.nb-postes"}) || ps[0].Changes[0].New != "+33299068199" {
			t.Fatalf("proposals %+v", ps)
		}
		if s := e.summary(t); s.Updated != 1 {
			t.Errorf("summary %+v", s)
		}
		if body := e.get(t, loc).Body.String(); !strings.Contains(body, "Une partie est déjà publiée") {
			t.Errorf("thank-you page:\n%s", body)
		}
		// The same link still opens the form, with the hours applied.
		if body := e.page(t, e.secretA); !strings.Contains(body, "14:00-17:00") {
			t.Error("the form does not show the new hours")
		}
	})
}

func TestSelfUpdateOneClickAnswersAreProposals(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "horaires")
		for _, tt := range []struct {
			secret, answer, field, want string
		}{
			{e.secretA, store.AnswerGone, "statut", "n-existe-plus"},
			{e.secretB, store.AnswerNoPublic, "modalites_acces", "Ne reçoit pas de public"},
		} {
			rec := e.do(t, "POST", "/maj/"+tt.secret+"/reponse", url.Values{"jeton": {e.token(t, tt.secret)}, "reponse": {tt.answer}})
			if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "reponse="+tt.answer+"&suite=verification") {
				t.Fatalf("%s = %d %s", tt.answer, rec.Code, rec.Header().Get("Location"))
			}
			if body := e.get(t, rec.Header().Get("Location")).Body.String(); !strings.Contains(body, "Votre référent·e de territoire va vérifier") {
				t.Errorf("%s: thank-you page:\n%s", tt.answer, body)
			}
		}
		for _, p := range []*place.Place{e.a, e.b} {
			if d := place.Diff(p, e.place(t, p.ID)); len(d) > 0 {
				t.Errorf("%s changed without review: %v", p.Nom, d)
			}
		}
		ps := e.proposals(t)
		slices.SortFunc(ps, func(x, y *store.Proposal) int { return strings.Compare(x.Changes[0].Field, y.Changes[0].Field) }) // same second
		if len(ps) != 2 || len(ps[0].Changes) != 1 || len(ps[1].Changes) != 1 ||
			ps[1].Changes[0].Field != "statut" || ps[1].Changes[0].New != "n-existe-plus" || ps[1].PlaceID != e.a.ID ||
			ps[0].Changes[0].Field != "modalites_acces" || !strings.Contains(ps[0].Changes[0].New, "public") || ps[0].PlaceID != e.b.ID {
			t.Fatalf("proposals %+v", ps)
		}
		if s := e.summary(t); s.Gone != 1 || s.NoPublic != 1 {
			t.Errorf("summary %+v", s)
		}
		// An unknown answer is refused.
		rec := e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {e.token(t, e.secretA)}, "reponse": {"supprimer"}})
		if rec.Code != http.StatusBadRequest {
			t.Errorf("unknown answer = %d", rec.Code)
		}
	})
}

// When the campaign lets the status change without review, « Le lieu
// n'existe plus » takes the place off the map at once.
func TestSelfUpdateGoneApplied(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "statut")
		rec := e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {e.token(t, e.secretA)}, "reponse": {store.AnswerGone}})
		if rec.Code != http.StatusSeeOther || !strings.HasSuffix(rec.Header().Get("Location"), "suite=publiee") {
			t.Fatalf("answer = %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if p := e.place(t, e.a.ID); p.Status != place.StatusGone {
			t.Errorf("status %s", p.Status)
		}
		if ps := e.proposals(t); len(ps) != 0 {
			t.Errorf("proposals %+v", ps)
		}
		if body := e.get(t, rec.Header().Get("Location")).Body.String(); !strings.Contains(body, "Le lieu est retiré de la carte.") {
			t.Errorf("thank-you page:\n%s", body)
		}
	})
}

func TestSelfUpdateValidationErrorsInFrench(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "horaires", "telephone")
		form := editForm(t, e.page(t, e.secretA))
		form.Set("nom", " ")
		form.Set("telephone", "12")
		form.Set("code_postal", "35A")
		form.Set("horaires", "Mo 25:00-12:00")
		form.Set("extra.nb-postes", "beaucoup")
		rec := e.do(t, "POST", "/maj/"+e.secretA, form)
		if rec.Code != http.StatusUnprocessableEntity {
			t.Fatalf("invalid form = %d", rec.Code)
		}
		body := rec.Body.String()
		for _, want := range []string{
			`<title>Erreurs dans le formulaire`, `id="erreurs"`, "5 erreurs empêchent l'envoi : rien n'a été enregistré",
			`<a href="#nom">Nom : obligatoire</a>`, `href="#telephone">Téléphone : `, `href="#code_postal">Code postal : `,
			`href="#horaires">Horaires : `, `<a href="#extra-nb-postes">Nombre de postes en accès libre : « beaucoup » n&#39;est pas un nombre</a>`,
			`id="nom" name="nom" value="" required autocomplete="organization" aria-invalid="true" aria-describedby="nom-erreur"`,
			`<span class="field-error" id="nom-erreur">obligatoire</span>`, `value="beaucoup" aria-describedby=" extra-nb-postes-erreur" aria-invalid="true"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("the refused form lacks %q", want)
			}
		}
		// What was typed is kept.
		if !strings.Contains(body, `value="35A"`) || !strings.Contains(body, "Mo 25:00-12:00") {
			t.Error("the refused form lost what was typed")
		}
		e.nothingWritten(t, "an invalid form")
	})
}

// Every attack on the links is refused, with nothing written.
func TestSelfUpdateAttacksRefused(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st)
		ctx := context.Background()
		tokenA := e.token(t, e.secretA)
		formA := editForm(t, e.page(t, e.secretA))
		formA.Set("jeton", tokenA)
		guessed, _ := campaign.NewLink()
		invalid := e.get(t, "/maj/"+guessed)
		if invalid.Code != http.StatusNotFound || !strings.Contains(invalid.Body.String(), "Ce lien n'est plus valable") ||
			!strings.Contains(invalid.Body.String(), "référent·e de l'inclusion numérique de votre territoire") {
			t.Fatalf("guessed link = %d:\n%s", invalid.Code, invalid.Body)
		}
		if invalid.Header().Get("Cache-Control") != "no-store" || invalid.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("invalid link headers %v", invalid.Header())
		}

		for _, tt := range []struct {
			name   string
			target string
			form   url.Values
			header []string
			status int
		}{
			{"guessed secret, form", "/maj/" + guessed, formA, nil, 404},
			{"guessed secret, answer", "/maj/" + guessed + "/reponse", url.Values{"jeton": {tokenA}, "reponse": {"inchange"}}, nil, 404},
			{"guessed secret, opt-out", "/maj/" + guessed + "/desinscription", url.Values{"List-Unsubscribe": {"One-Click"}}, nil, 404},
			{"A's form on B's link", "/maj/" + e.secretB, formA, nil, 403},
			{"A's answer on B's link", "/maj/" + e.secretB + "/reponse", url.Values{"jeton": {tokenA}, "reponse": {"n-existe-plus"}}, nil, 403},
			{"no token", "/maj/" + e.secretA + "/reponse", url.Values{"reponse": {"inchange"}}, nil, 403},
			{"forged token", "/maj/" + e.secretA + "/reponse", url.Values{"jeton": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, "reponse": {"inchange"}}, nil, 403},
			{"token of another form", "/maj/" + e.secretA + "/reponse", url.Values{"jeton": {(&Server{secret: []byte("x")}).formToken("maj:x", testNow)}, "reponse": {"inchange"}}, nil, 403},
			{"cross-site post", "/maj/" + e.secretA, formA, []string{"Sec-Fetch-Site", "cross-site"}, 403},
			{"cross-site opt-out form", "/maj/" + e.secretA + "/desinscription", url.Values{"jeton": {tokenA}}, []string{"Sec-Fetch-Site", "cross-site"}, 403},
			{"edit without token", "/maj/" + e.secretA, without(formA, "jeton"), nil, 403},
		} {
			rec := e.do(t, "POST", tt.target, tt.form, tt.header...)
			if rec.Code != tt.status {
				t.Errorf("%s = %d, want %d", tt.name, rec.Code, tt.status)
			}
			if tt.status == 404 && rec.Body.String() != invalid.Body.String() {
				t.Errorf("%s: not the same answer as any invalid link", tt.name)
			}
			e.nothingWritten(t, tt.name)
		}
		if ok, _ := st.OptedOut(ctx, linkEmailA); ok {
			t.Error("a refused opt-out was recorded")
		}

		// Expired and revoked links get the very same page as a guessed one.
		st.SetClock(func() time.Time { return e.camp.Deadline.Add(campaign.LinkGrace + time.Minute) })
		for _, target := range []string{"/maj/" + e.secretA, "/maj/" + e.secretA + "/merci", "/maj/" + e.secretA + "/desinscription"} {
			if rec := e.get(t, target); rec.Code != 404 || rec.Body.String() != invalid.Body.String() {
				t.Errorf("expired %s = %d", target, rec.Code)
			}
		}
		if rec := e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {tokenA}, "reponse": {"inchange"}}); rec.Code != 404 {
			t.Errorf("answer on an expired link = %d", rec.Code)
		}
		st.SetClock(func() time.Time { return testNow })
		if err := st.RevokeLinks(ctx, e.camp.ID, e.a.ID); err != nil {
			t.Fatal(err)
		}
		if rec := e.get(t, "/maj/"+e.secretA); rec.Code != 404 || rec.Body.String() != invalid.Body.String() {
			t.Errorf("revoked link = %d", rec.Code)
		}
		if rec := e.do(t, "POST", "/maj/"+e.secretA, formA); rec.Code != 404 {
			t.Errorf("edit on a revoked link = %d", rec.Code)
		}
		e.nothingWritten(t, "expired and revoked links")
		if rec := e.get(t, "/maj/"+e.secretB); rec.Code != 200 {
			t.Errorf("revoking A's link ended B's: %d", rec.Code)
		}
	})
}

// without copies a form without some fields.
func without(f url.Values, keys ...string) url.Values {
	out := url.Values{}
	for k, v := range f {
		if !slices.Contains(keys, k) {
			out[k] = slices.Clone(v)
		}
	}
	return out
}

// Fields the form does not have are ignored: the place comes from the
// link alone, and private fields, status and position stay.
func TestSelfUpdateInjectedFieldsIgnored(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "nom", "statut", "latitude", "contact_email", "notes", "source")
		form := editForm(t, e.page(t, e.secretA))
		form.Set("nom", "Espace numérique du Gué (nouveau nom)")
		for k, v := range map[string]string{
			"id": e.b.ID, "place_id": e.b.ID, "lieu": e.b.ID, "epci": "200000000",
			"contact_email": "pirate@exemple.fr", "contact_nom": "Pirate", "contact_telephone": "0600000000", "notes": "effacé",
			"statut": "n-existe-plus", "doublon_de": e.b.ID, "latitude": "43.3", "longitude": "5.4", "source": "Pirate", "date_maj": "2020-01-01",
		} {
			form.Set(k, v)
		}
		rec := e.do(t, "POST", "/maj/"+e.secretA, form)
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("edit = %d: %s", rec.Code, rec.Body)
		}
		p := e.place(t, e.a.ID)
		if d := changedFields(place.Diff(e.a, p)); !slices.Equal(d, []string{"nom", "date_maj"}) {
			t.Errorf("changed %v", d)
		}
		if p.ContactEmail != e.a.ContactEmail || p.Notes != e.a.Notes || p.Status != place.StatusActive || p.Latitude != e.a.Latitude || p.DuplicateOf != "" {
			t.Errorf("private or reserved fields changed: %+v", p)
		}
		if d := place.Diff(e.b, e.place(t, e.b.ID)); len(d) > 0 {
			t.Errorf("the other place changed: %v", d)
		}
		// A commune of another territory is refused.
		form = editForm(t, e.page(t, e.secretA))
		form.Set("code_insee", "35238") // Rennes
		form.Set("code_postal", "35000")
		rec = e.do(t, "POST", "/maj/"+e.secretA, form)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "choisissez une commune de") {
			t.Errorf("moving to Rennes = %d", rec.Code)
		}
		if p2 := e.place(t, e.a.ID); p2.CodeInsee != e.a.CodeInsee {
			t.Error("the place moved to another territory")
		}
	})
}

func TestSelfUpdateRateLimits(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st)
		// Guessing links: the client is stopped after 30 tries in 10 minutes.
		for i := range linkInvalidPerClient {
			guessed, _ := campaign.NewLink()
			if rec := e.get(t, "/maj/"+guessed); rec.Code != 404 {
				t.Fatalf("try %d = %d", i+1, rec.Code)
			}
		}
		guessed, _ := campaign.NewLink()
		rec := e.get(t, "/maj/"+guessed)
		if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Trop de liens essayés") {
			t.Fatalf("try %d = %d", linkInvalidPerClient+1, rec.Code)
		}
		// A real link still works from that address.
		if rec := e.get(t, "/maj/"+e.secretA); rec.Code != 200 {
			t.Errorf("valid link after the limit = %d", rec.Code)
		}
		// Posts: 20 an hour per link, refused ones included.
		for i := range linkPostsPerLink {
			if rec := e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"reponse": {"inchange"}}); rec.Code != 403 {
				t.Fatalf("post %d = %d", i+1, rec.Code)
			}
		}
		rec = e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {e.token(t, e.secretA)}, "reponse": {"inchange"}})
		if rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "réessayez dans une heure") {
			t.Fatalf("post %d = %d", linkPostsPerLink+1, rec.Code)
		}
		e.nothingWritten(t, "posts beyond the limit")
		// Another link is not affected.
		rec = e.do(t, "POST", "/maj/"+e.secretB+"/reponse", url.Values{"jeton": {e.token(t, e.secretB)}, "reponse": {"inchange"}})
		if rec.Code != http.StatusSeeOther {
			t.Errorf("other link = %d", rec.Code)
		}
	})
}

func TestSelfUpdateSecretNeverLogged(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st, "horaires")
		guessed, _ := campaign.NewLink()
		token := e.token(t, e.secretA)
		e.get(t, "/maj/"+guessed)
		e.get(t, "/maj/"+e.secretA+"/horaires/apercu?oh=Mo+09:00-12:00")
		e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {"faux"}, "reponse": {"inchange"}})
		e.do(t, "POST", "/maj/"+e.secretA+"/reponse", url.Values{"jeton": {token}, "reponse": {"inchange"}})
		e.get(t, "/maj/"+e.secretA+"/merci?reponse=inchange")
		e.get(t, "/maj/"+e.secretA+"/desinscription")
		logs := e.log.String()
		if !strings.Contains(logs, "path=/maj/…/reponse ") || !strings.Contains(logs, "path=/maj/…/merci ") || !strings.Contains(logs, "path=/maj/… ") {
			t.Errorf("requests not logged with a masked path:\n%s", logs)
		}
		for _, s := range []string{e.secretA, guessed, campaign.HashLink(e.secretA)} {
			if strings.Contains(logs, s) {
				t.Errorf("the log shows a link secret or its hash:\n%s", logs)
			}
		}
	})
}

func TestSelfUpdateOptOut(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st)
		ctx := context.Background()
		rec := e.get(t, "/maj/"+e.secretA+"/desinscription")
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, "Ne plus recevoir ces messages") || strings.Contains(body, linkEmailA) {
			t.Fatalf("opt-out page = %d:\n%s", rec.Code, body)
		}
		m := jetonField.FindStringSubmatch(body)
		if m == nil {
			t.Fatal("no form token on the opt-out page")
		}
		rec = e.do(t, "POST", "/maj/"+e.secretA+"/desinscription", url.Values{"jeton": {m[1]}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/maj/"+e.secretA+"/desinscription" {
			t.Fatalf("opt-out = %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if ok, err := st.OptedOut(ctx, linkEmailA); err != nil || !ok {
			t.Errorf("opted out = %v, %v", ok, err)
		}
		if body := e.get(t, "/maj/"+e.secretA+"/desinscription").Body.String(); !strings.Contains(body, "Vous ne recevrez plus ces messages") {
			t.Errorf("confirmation:\n%s", body)
		}
		if ok, _ := st.OptedOut(ctx, linkEmailB); ok {
			t.Error("the other address opted out too")
		}
		// RFC 8058: a mail client's one-click post, from its own servers.
		req := httptest.NewRequest("POST", "/maj/"+e.secretB+"/desinscription", strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rr := httptest.NewRecorder()
		e.h.ServeHTTP(rr, req)
		if rr.Code != 200 || !strings.Contains(rr.Body.String(), "Vous ne recevrez plus ces messages") {
			t.Errorf("one-click opt-out = %d", rr.Code)
		}
		if ok, _ := st.OptedOut(ctx, linkEmailB); !ok {
			t.Error("one-click opt-out not recorded")
		}
		// Opting out answers nothing.
		if s := e.summary(t); s.Answered() != 0 {
			t.Errorf("summary %+v", s)
		}
	})
}

func TestSelfUpdateHoursPreview(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st)
		rec := e.get(t, "/maj/"+e.secretA+"/horaires/apercu?oh="+url.QueryEscape("Mo-Fr 09:00-12:00"))
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"valid":true`) || !strings.Contains(rec.Body.String(), "lundi") {
			t.Errorf("preview = %d %s", rec.Code, rec.Body)
		}
		guessed, _ := campaign.NewLink()
		if rec := e.get(t, "/maj/"+guessed+"/horaires/apercu?oh=Mo"); rec.Code != 404 {
			t.Errorf("preview on a guessed link = %d", rec.Code)
		}
	})
}

func TestRedactLinkPath(t *testing.T) {
	for in, want := range map[string]string{
		"/maj/abc":                 "/maj/…",
		"/maj/abc/merci":           "/maj/…/merci",
		"/maj/abc/horaires/apercu": "/maj/…/horaires/apercu",
		"/lieux/abc":               "/lieux/abc",
		"/majuscules":              "/majuscules",
	} {
		if got := redactPath(in); got != want {
			t.Errorf("redactPath(%q) = %q, want %q", in, got, want)
		}
	}
}

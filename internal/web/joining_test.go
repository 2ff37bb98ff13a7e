package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

const nantesSIREN = "244400404" // Nantes Métropole, outside Brittany

// postJoin sends the joining form as a browser does, with the page's token.
func postJoin(t *testing.T, h http.Handler, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form.Get("jeton") == "" {
		m := jetonField.FindStringSubmatch(get(t, h, "/rejoindre").Body.String())
		if m == nil {
			t.Fatal("no form token on the joining page")
		}
		form.Set("jeton", m[1])
	}
	req := httptest.NewRequest("POST", "/rejoindre", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func joinForm_(epci string) url.Values {
	return url.Values{"nom": {"Claire Martin"}, "organisation": {"Nantes Métropole"}, "type_organisation": {"epci"}, "epci": {epci},
		"email": {"Claire.Martin@Nantes.example.org"}, "telephone": {"02 40 00 00 00"}, "attentes": {"Une carte des lieux à jour"}}
}

func TestJoiningPage(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		page := get(t, f.h, "/rejoindre")
		if page.Code != http.StatusOK {
			t.Fatalf("GET /rejoindre: %d", page.Code)
		}
		body := page.Body.String()
		for _, want := range []string{`<optgroup label="Ille-et-Vilaine (35)">`, `value="` + demo.BroceliandeSIREN + `"`, `name="site"`, "Courriel (obligatoire)"} {
			if !strings.Contains(body, want) {
				t.Errorf("joining page lacks %q", want)
			}
		}
		if strings.Contains(body, `value="`+nantesSIREN+`"`) {
			t.Error("an EPCI outside Brittany is listed by default")
		}
		if other := get(t, f.h, "/rejoindre?departement=44").Body.String(); !strings.Contains(other, `value="`+nantesSIREN+`"`) {
			t.Error("the EPCIs of Loire-Atlantique are not listed when asked")
		}
	})
}

func TestJoiningCreatesContact(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBOFixture(t, st)
		rec := postJoin(t, f.h, joinForm_(nantesSIREN))
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/rejoindre?merci=1#formulaire" {
			t.Fatalf("join: %d %q %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
		}
		d, err := st.Deployment(ctx, nantesSIREN)
		if err != nil || d.Phase != territory.PhaseContact {
			t.Fatalf("Nantes after joining: %+v, %v", d, err)
		}
		is, _ := st.Interests(ctx, nantesSIREN)
		if len(is) != 1 || is[0].Email != "claire.martin@nantes.example.org" || is[0].Phone != "+33240000000" || is[0].OrgKind != "epci" {
			t.Errorf("interest: %+v", is)
		}
		mails, _ := st.Outbox(ctx, false, 50)
		if len(mails) != 1 || mails[0].To != "hub@demo.portrea.fr" || !strings.Contains(mails[0].Subject, "Nantes Métropole") ||
			!strings.Contains(mails[0].Body, "/gestion/deploiement/"+nantesSIREN) || !strings.Contains(mails[0].Body, "Une carte des lieux à jour") {
			t.Errorf("hub mail: %+v", mails)
		}
		if thanks := get(t, f.h, "/rejoindre?merci=1").Body.String(); !strings.Contains(thanks, "Merci : votre déclaration est transmise au hub") {
			t.Error("no thanks after joining")
		}
		// The hub sees it on the pipeline and the timeline.
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		if order := pipelineOrder(hub.get(t, f.h, "/gestion/deploiement?phase=contact").Body.String()); indexOf(order, nantesSIREN) < 0 {
			t.Error("Nantes is not on the pipeline")
		}
		if tl := hub.get(t, f.h, "/gestion/deploiement/"+nantesSIREN).Body.String(); !strings.Contains(tl, "Déclaration d&#39;intérêt") || !strings.Contains(tl, "Claire Martin") {
			t.Error("the interest is not on the timeline")
		}

		// A territory in exploitation stays there.
		form := joinForm_(demo.BroceliandeSIREN)
		form.Set("type_organisation", "commune")
		if rec := postJoin(t, f.h, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("join Brocéliande: %d", rec.Code)
		}
		if d, _ := st.Deployment(ctx, demo.BroceliandeSIREN); d.Phase != territory.PhaseExploitation {
			t.Errorf("joining moved Brocéliande back to %s", d.Phase)
		}
		mails, _ = st.Outbox(ctx, false, 50)
		if len(mails) != 2 || !strings.Contains(mails[0].Body+mails[1].Body, "déjà suivi, en phase Exploitation") {
			t.Errorf("second hub mail: %+v", mails)
		}
	})
}

func TestJoiningRefusesBadInput(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBOFixture(t, st)
		for _, c := range []struct {
			field, value, want string
		}{
			{"nom", "  ", "Nom : indiquez votre nom."},
			{"organisation", "", "Organisation : indiquez votre structure."},
			{"type_organisation", "entreprise", "Type de structure : choisissez"},
			{"epci", "123456789", "Territoire : choisissez une intercommunalité"},
			{"email", "", "Courriel : indiquez une adresse"},
			{"email", "claire@", "Courriel : adresse électronique « claire@ » invalide"},
			{"telephone", "02 40 AB", "Téléphone : "},
			{"attentes", strings.Repeat("x", 2001), "Vos attentes : trop long"},
		} {
			form := joinForm_(nantesSIREN)
			form.Set(c.field, c.value)
			rec := postJoin(t, f.h, form)
			body := rec.Body.String()
			if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(body, c.want) || !strings.Contains(body, "La déclaration n'a pas été envoyée") {
				t.Errorf("%s=%q: %d, lacks %q", c.field, c.value, rec.Code, c.want)
			}
			if c.field != "nom" && !strings.Contains(body, `value="Claire Martin"`) {
				t.Errorf("%s=%q: the form lost what was typed", c.field, c.value)
			}
		}
		// A wrong token, then a robot filling the hidden field.
		form := joinForm_(nantesSIREN)
		form.Set("jeton", "faux")
		if rec := postJoin(t, f.h, form); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Le formulaire a expiré") {
			t.Errorf("wrong token: %d", rec.Code)
		}
		form = joinForm_(nantesSIREN)
		form.Set("site", "http://spam.example")
		if rec := postJoin(t, f.h, form); rec.Code != http.StatusSeeOther {
			t.Errorf("honeypot: %d", rec.Code)
		}
		if _, err := st.Deployment(ctx, nantesSIREN); err == nil {
			t.Error("a refused declaration created the territory")
		}
		if is, _ := st.Interests(ctx, ""); len(is) != 0 {
			t.Errorf("refused declarations were stored: %+v", is)
		}
		// Rate limit: five declarations an hour from one address.
		for i := 1; i <= 6; i++ {
			rec := postJoin(t, f.h, joinForm_(nantesSIREN))
			if i <= 5 && rec.Code != http.StatusSeeOther {
				t.Fatalf("declaration %d: %d", i, rec.Code)
			}
			if i == 6 && (rec.Code != http.StatusTooManyRequests || !strings.Contains(rec.Body.String(), "Trop de déclarations")) {
				t.Errorf("declaration 6: %d, want 429", rec.Code)
			}
		}
	})
}

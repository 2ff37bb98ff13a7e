package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portrea/internal/account"
	"portrea/internal/demo"
	"portrea/internal/mail"
	"portrea/internal/mail/mailtest"
	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// boUser is a signed-in test client: its session cookie and CSRF token.
type boUser struct {
	cookie *http.Cookie
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
var jetonField = regexp.MustCompile(`name="jeton" value="([^"]+)"`)

// loginAs signs in through the login form, as a browser does.
func loginAs(t *testing.T, h http.Handler, email, password string) *boUser {
	t.Helper()
	rec := boPostLogin(t, h, email, password, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("login %s: status %d: %s", email, rec.Code, rec.Body.String())
	}
	u := &boUser{}
	for _, c := range rec.Result().Cookies() {
		if c.Name == sessionCookie {
			u.cookie = c
		}
	}
	if u.cookie == nil || !u.cookie.HttpOnly || u.cookie.SameSite != http.SameSiteLaxMode {
		t.Fatalf("login %s: session cookie %+v", email, u.cookie)
	}
	page := u.get(t, h, "/gestion")
	m := csrfField.FindStringSubmatch(page.Body.String())
	if m == nil {
		t.Fatalf("no CSRF token on the dashboard: %s", page.Body.String())
	}
	u.csrf = m[1]
	return u
}

func boPostLogin(t *testing.T, h http.Handler, email, password string, planted *http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	m := jetonField.FindStringSubmatch(get(t, h, "/connexion").Body.String())
	if m == nil {
		t.Fatal("no form token on the login page")
	}
	req := httptest.NewRequest("POST", "/connexion", strings.NewReader(url.Values{"jeton": {m[1]}, "email": {email}, "mot_de_passe": {password}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if planted != nil {
		req.AddCookie(planted)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func (u *boUser) get(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	if u != nil {
		req.AddCookie(u.cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// post sends a back-office form with the session's CSRF token (unless
// form already carries one).
func (u *boUser) post(t *testing.T, h http.Handler, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if u != nil && form.Get("csrf") == "" {
		form.Set("csrf", u.csrf)
	}
	req := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if u != nil {
		req.AddCookie(u.cookie)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// boFixture is the demo territory with its accounts, a place in each of
// Brocéliande (A) and Montfort (B), and a report on each.
type boFixture struct {
	st               *store.Store
	h                http.Handler
	placeA, placeB   *place.Place
	placeA2          *place.Place // a likely duplicate of placeA
	reportA, reportB string
}

func newBOFixture(t *testing.T, st *store.Store) *boFixture {
	t.Helper()
	ctx := context.Background()
	st.SetClock(func() time.Time { return testNow }) // the server's clock too
	f := &boFixture{st: st, h: demoServer(t, st)}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	mk := func(nom, insee string, lat, lon float64) *place.Place {
		p := &place.Place{Nom: nom, Adresse: "2 rue de l'Église", CodeInsee: insee, Latitude: lat, Longitude: lon, HasCoords: true,
			Services: place.Services.Bit("aide-demarches"), ContactEmail: "prive." + strings.ToLower(insee) + "@exemple.fr", Notes: "note privée " + nom}
		p.Normalize(territory.Default())
		if err := st.CreatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.placeA = mk("Espace numérique de Plélan", "35223", 48.0010, -2.0940)
	f.placeA2 = mk("Espace numerique Plelan", "35223", 48.00105, -2.09405)
	f.placeB = mk("Espace numérique de Montfort", "35188", 48.1370, -1.9560)
	for _, p := range []*place.Place{f.placeA, f.placeB} {
		r := &report.Report{PlaceID: p.ID, Categories: []string{"horaires"}, Message: "Fermé le lundi"}
		if err := st.CreateReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		if p == f.placeA {
			f.reportA = r.ID
		} else {
			f.reportB = r.ID
		}
	}
	return f
}

func account_(i int) demo.Account { return demo.Accounts[i] }

// TestBackOfficePermissions is the matrix of who reaches what: hub, the
// referent of A (Brocéliande), the referent of B (Montfort) and an
// anonymous visitor, over every back-office route, for places of A and B.
func TestBackOfficePermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		refB := loginAs(t, f.h, account_(2).Email, account_(2).Password)
		A, B := demo.BroceliandeSIREN, demo.MontfortSIREN
		const ok, login, no, missing = 200, 303, 403, 404
		users := []struct {
			name string
			u    *boUser
		}{{"hub", hub}, {"referent A", refA}, {"referent B", refB}, {"anonymous", nil}}
		gets := []struct {
			path string
			want [4]int // hub, refA, refB, anonymous
		}{
			{"/gestion", [4]int{ok, ok, ok, login}},
			{"/gestion/lieux?epci=" + A, [4]int{ok, ok, no, login}},
			{"/gestion/lieux?epci=" + B, [4]int{ok, no, ok, login}},
			{"/gestion/lieux/" + f.placeA.ID, [4]int{ok, ok, missing, login}},
			{"/gestion/lieux/" + f.placeB.ID, [4]int{ok, missing, ok, login}},
			{"/gestion/lieux/nouveau?epci=" + A, [4]int{ok, ok, no, login}},
			{"/gestion/lieux/nouveau?epci=" + B, [4]int{ok, no, ok, login}},
			{"/gestion/doublons?epci=" + A, [4]int{ok, ok, no, login}},
			{"/gestion/doublons?epci=" + B, [4]int{ok, no, ok, login}},
			{"/gestion/doublons/" + f.placeA.ID + "/" + f.placeA2.ID, [4]int{ok, ok, missing, login}},
			{"/gestion/a-traiter?epci=" + A, [4]int{ok, ok, no, login}},
			{"/gestion/a-traiter?epci=" + B, [4]int{ok, no, ok, login}},
			{"/gestion/horaires/apercu?oh=Mo-Fr+09:00-12:00", [4]int{ok, ok, ok, login}},
			{"/gestion/utilisateurs", [4]int{ok, no, no, login}},
			{"/gestion/journal", [4]int{ok, no, no, login}},
			{"/gestion/courriels", [4]int{ok, no, no, login}},
			{"/gestion/parametres", [4]int{ok, no, no, login}},
		}
		for _, g := range gets {
			for i, u := range users {
				rec := u.u.get(t, f.h, g.path)
				if rec.Code != g.want[i] {
					t.Errorf("GET %s as %s: %d, want %d", g.path, u.name, rec.Code, g.want[i])
				}
				if rec.Code == login && !strings.HasPrefix(rec.Header().Get("Location"), "/connexion?retour=") {
					t.Errorf("GET %s as %s: redirected to %q", g.path, u.name, rec.Header().Get("Location"))
				}
				if rec.Code == ok && rec.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("GET %s as %s: back-office page cacheable", g.path, u.name)
				}
				// Nobody sees the private data of a territory not theirs.
				if i == 2 && strings.Contains(rec.Body.String(), f.placeA.ContactEmail) || i == 1 && strings.Contains(rec.Body.String(), f.placeB.ContactEmail) {
					t.Errorf("GET %s as %s: private contact of the other territory shown", g.path, u.name)
				}
			}
		}

		// Writes: each user tries to rename the place of A and of B.
		for _, u := range users {
			for _, p := range []*place.Place{f.placeA, f.placeB} {
				canEdit := u.u == hub || u.u == refA && p == f.placeA || u.u == refB && p == f.placeB
				form := url.Values{"nom": {"Renommé par " + u.name}, "adresse": {p.Adresse}, "code_insee": {p.CodeInsee},
					"code_postal": {p.CodePostal}, "commune": {p.Commune}, "statut": {"actif"}}
				rec := u.u.post(t, f.h, "/gestion/lieux/"+p.ID, form)
				got, err := st.GetPlace(context.Background(), p.ID)
				if err != nil {
					t.Fatal(err)
				}
				renamed := got.Nom == "Renommé par "+u.name
				if renamed != canEdit {
					t.Errorf("POST edit %s as %s: status %d, renamed %v, want %v: %s", p.Nom, u.name, rec.Code, renamed, canEdit, regexp.MustCompile(`(?s)<div class="error".*?</div>`).FindString(rec.Body.String()))
				}
				if !canEdit && rec.Code < 400 {
					t.Errorf("POST edit %s as %s: status %d", p.Nom, u.name, rec.Code)
				}
				for _, path := range []string{"/gestion/lieux/" + p.ID + "/confirmer", "/gestion/lieux/" + p.ID + "/historique/1/annuler"} {
					if rec := u.u.post(t, f.h, path, nil); !canEdit && rec.Code != missing && rec.Code != no {
						t.Errorf("POST %s as %s: %d", path, u.name, rec.Code)
					}
				}
			}
		}

		// Closing the other territory's report is refused.
		if rec := refA.post(t, f.h, "/gestion/a-traiter/"+f.reportB, url.Values{"decision": {"rejeter"}}); rec.Code != missing {
			t.Errorf("referent A closes a report of B: %d", rec.Code)
		}
		if r, _ := st.Report(context.Background(), f.reportB); r.Status != report.StatusNew {
			t.Errorf("report of B changed to %s", r.Status)
		}
		if rec := refA.post(t, f.h, "/gestion/a-traiter/"+f.reportA, url.Values{"decision": {"traiter"}}); rec.Code != login {
			t.Errorf("referent A closes own report: %d", rec.Code)
		}

		// Exporting a selection only ever writes the user's own places.
		rec := refA.post(t, f.h, "/gestion/lieux/export", url.Values{"ids": {f.placeA.ID, f.placeB.ID}})
		if rec.Code != ok || !strings.Contains(rec.Body.String(), f.placeA.ID) || strings.Contains(rec.Body.String(), f.placeB.ID) {
			t.Errorf("export selection as referent A: %d\n%s", rec.Code, rec.Body.String())
		}
		if strings.Contains(rec.Body.String(), f.placeA.ContactEmail) {
			t.Error("the standard export carries a private contact")
		}

		// Merging across territories, or a referent creating accounts, is refused.
		if rec := refA.post(t, f.h, "/gestion/doublons/"+f.placeA.ID+"/"+f.placeB.ID+"/fusionner", nil); rec.Code != missing {
			t.Errorf("referent A merges with a place of B: %d", rec.Code)
		}
		if rec := refA.post(t, f.h, "/gestion/utilisateurs", url.Values{"email": {"intrus@exemple.fr"}, "role": {"hub"}}); rec.Code != no {
			t.Errorf("referent creates an account: %d", rec.Code)
		}
		if rec := refA.post(t, f.h, "/gestion/parametres", url.Values{"tuiles": {"https://evil.example/{z}/{x}/{y}.png"}, "attribution": {"x"}}); rec.Code != no {
			t.Errorf("referent changes settings: %d", rec.Code)
		}
		if rec := hub.post(t, f.h, "/gestion/parametres", url.Values{"tuiles": {"javascript:alert(1)"}, "attribution": {"x"}}); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("hub sets a bad tile URL: %d", rec.Code)
		}
		if rec := hub.post(t, f.h, "/gestion/parametres", url.Values{"tuiles": {"https://tuiles.exemple.fr/{z}/{x}/{y}.png"}, "attribution": {"© Exemple"}}); rec.Code != login {
			t.Errorf("hub sets the tiles: %d", rec.Code)
		}
		if v, _ := st.Setting(context.Background(), settingTiles, ""); v != "https://tuiles.exemple.fr/{z}/{x}/{y}.png" {
			t.Errorf("tiles setting %q", v)
		}
		if _, err := st.UserByEmail(context.Background(), "intrus@exemple.fr"); err == nil {
			t.Error("a referent created an account")
		}
		// A referent cannot move a place into another territory.
		rec = refA.post(t, f.h, "/gestion/lieux/"+f.placeA.ID, url.Values{"nom": {"Déplacé"}, "adresse": {"1 rue"}, "code_insee": {"35188"}, "code_postal": {"35160"}, "commune": {"Montfort-sur-Meu"}, "statut": {"actif"}})
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "n&#39;appartient pas à CC Brocéliande Communauté") {
			t.Errorf("move to another EPCI: %d", rec.Code)
		}
	})
}

// TestAttacks tries to break in: forged requests, session fixation,
// brute force, stolen or ended sessions.
func TestAttacks(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ref := account_(1)
		u := loginAs(t, f.h, ref.Email, ref.Password)
		rename := url.Values{"nom": {"Piraté"}, "adresse": {f.placeA.Adresse}, "code_insee": {f.placeA.CodeInsee}, "code_postal": {f.placeA.CodePostal}, "commune": {f.placeA.Commune}}

		t.Run("CSRF", func(t *testing.T) {
			for name, form := range map[string]url.Values{
				"no token":    {"csrf": {""}},
				"wrong token": {"csrf": {"AAAA" + u.csrf[4:]}},
			} {
				for k, v := range rename {
					form[k] = v
				}
				if form.Get("csrf") == "" {
					form.Del("csrf")
					req := httptest.NewRequest("POST", "/gestion/lieux/"+f.placeA.ID, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.AddCookie(u.cookie)
					rec := httptest.NewRecorder()
					f.h.ServeHTTP(rec, req)
					if rec.Code != http.StatusForbidden {
						t.Errorf("%s: %d", name, rec.Code)
					}
					continue
				}
				if rec := u.post(t, f.h, "/gestion/lieux/"+f.placeA.ID, form); rec.Code != http.StatusForbidden {
					t.Errorf("%s: %d", name, rec.Code)
				}
			}
			// The right token, from another site: refused too.
			form := url.Values{"csrf": {u.csrf}}
			for k, v := range rename {
				form[k] = v
			}
			req := httptest.NewRequest("POST", "/gestion/lieux/"+f.placeA.ID, strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			req.AddCookie(u.cookie)
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusForbidden {
				t.Errorf("cross-site with token: %d", rec.Code)
			}
			// Logging out needs the token as well.
			if rec := u.post(t, f.h, "/deconnexion", url.Values{"csrf": {"x"}}); rec.Code != http.StatusForbidden {
				t.Errorf("logout without token: %d", rec.Code)
			}
			if p, _ := st.GetPlace(context.Background(), f.placeA.ID); p.Nom == "Piraté" {
				t.Error("a forged request renamed the place")
			}
		})

		t.Run("session fixation", func(t *testing.T) {
			// The attacker signs in, then plants their session in the
			// victim's browser; the victim signs in.
			attacker := loginAs(t, f.h, account_(2).Email, account_(2).Password)
			rec := boPostLogin(t, f.h, ref.Email, ref.Password, attacker.cookie)
			var got *http.Cookie
			for _, c := range rec.Result().Cookies() {
				if c.Name == sessionCookie {
					got = c
				}
			}
			if got == nil || got.Value == attacker.cookie.Value {
				t.Fatalf("login kept the planted session: %+v", got)
			}
			if rec := attacker.get(t, f.h, "/gestion"); rec.Code != http.StatusSeeOther {
				t.Errorf("the planted session survived the login: %d", rec.Code)
			}
			// A made-up cookie value is never a session.
			forged := &boUser{cookie: &http.Cookie{Name: sessionCookie, Value: strings.Repeat("A", 43)}}
			if rec := forged.get(t, f.h, "/gestion"); rec.Code != http.StatusSeeOther {
				t.Errorf("forged cookie: %d", rec.Code)
			}
		})

		t.Run("brute force", func(t *testing.T) {
			codes := map[int]int{}
			for i := 0; i < loginPerAccount+2; i++ {
				codes[boPostLogin(t, f.h, account_(0).Email, "mauvais mot de passe", nil).Code]++
			}
			if codes[http.StatusUnauthorized] != loginPerAccount || codes[http.StatusTooManyRequests] != 2 {
				t.Errorf("wrong passwords: %v", codes)
			}
			// Even the right password waits now.
			if rec := boPostLogin(t, f.h, account_(0).Email, account_(0).Password, nil); rec.Code != http.StatusTooManyRequests {
				t.Errorf("right password during the lock: %d", rec.Code)
			}
			log, err := st.AuditLog(context.Background(), 100)
			if err != nil {
				t.Fatal(err)
			}
			var failed, blocked int
			for _, e := range log {
				switch e.Action {
				case "échec de connexion":
					failed++
				case "connexion bloquée":
					blocked++
				}
			}
			if failed < loginPerAccount || blocked < 3 {
				t.Errorf("audit: %d failures, %d blocks", failed, blocked)
			}
		})

		t.Run("unknown account answers like a wrong password", func(t *testing.T) {
			a := boPostLogin(t, f.h, "personne@exemple.fr", "quelconque-mot", nil)
			b := boPostLogin(t, f.h, account_(2).Email, "quelconque-mot", nil)
			if a.Code != b.Code || !strings.Contains(a.Body.String(), "Adresse électronique ou mot de passe incorrect.") || !strings.Contains(b.Body.String(), "Adresse électronique ou mot de passe incorrect.") {
				t.Errorf("answers differ: %d / %d", a.Code, b.Code)
			}
		})

		t.Run("logout ends the session on the server", func(t *testing.T) {
			v := loginAs(t, f.h, account_(2).Email, account_(2).Password)
			if rec := v.post(t, f.h, "/deconnexion", nil); rec.Code != http.StatusSeeOther {
				t.Fatalf("logout: %d", rec.Code)
			}
			if rec := v.get(t, f.h, "/gestion"); rec.Code != http.StatusSeeOther {
				t.Errorf("old cookie after logout: %d", rec.Code)
			}
		})

		t.Run("open redirect", func(t *testing.T) {
			for in, want := range map[string]string{"/gestion/lieux": "/gestion/lieux", "https://evil.example": "/gestion", "//evil.example": "/gestion", "/gestion\\evil": "/gestion"} {
				if got := safeReturn(in); got != want {
					t.Errorf("safeReturn(%q) = %q", in, got)
				}
			}
		})

		t.Run("security headers", func(t *testing.T) {
			rec := u.get(t, f.h, "/gestion/lieux/"+f.placeA.ID)
			csp := rec.Header().Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || rec.Header().Get("X-Frame-Options") != "DENY" {
				t.Errorf("headers: %v", rec.Header())
			}
		})
	})
}

// TestXSSInert stores script payloads in every text field a person can
// type and checks that no page shows them as markup.
func TestXSSInert(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		const payload = `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
		p, err := st.GetPlace(ctx, f.placeA.ID)
		if err != nil {
			t.Fatal(err)
		}
		p.Nom, p.ComplementAdresse, p.Resume, p.Detail = "Lieu "+payload, payload, "Résumé "+payload, payload
		p.Source, p.StructureParente, p.ContactNom, p.Notes = payload, payload, payload, payload
		p.AutresLabels = []string{payload}
		p.Extra = map[string]string{"nb-postes": "2"}
		if err := st.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: payload}}); err != nil {
			t.Fatal(err)
		}
		if err := st.CreateReport(ctx, &report.Report{PlaceID: p.ID, Message: payload}); err != nil {
			t.Fatal(err)
		}
		boPostLogin(t, f.h, payload+"@exemple.fr", payload, nil) // lands in the audit log
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		A := demo.BroceliandeSIREN
		for _, path := range []string{"/gestion", "/gestion/lieux?epci=" + A, "/gestion/lieux?epci=" + A + "&q=" + url.QueryEscape(payload),
			"/gestion/lieux/" + p.ID, "/gestion/doublons?epci=" + A, "/gestion/doublons/" + p.ID + "/" + f.placeA2.ID,
			"/gestion/a-traiter?epci=" + A, "/gestion/journal", "/gestion/utilisateurs", "/lieux/" + p.ID, "/?q=" + url.QueryEscape(payload)} {
			body := hub.get(t, f.h, path).Body.String()
			if strings.Contains(body, "<script>alert") || strings.Contains(body, "<img src=x") {
				t.Errorf("%s shows the payload as markup", path)
			}
		}
		body := hub.get(t, f.h, "/gestion/lieux/"+p.ID).Body.String()
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("the editor should show the payload as text")
		}
	})
}

// TestPasswordResetByEmail follows a reset from the form to the new
// password, the e-mail going through a real SMTP server.
func TestPasswordResetByEmail(t *testing.T) {
	smtp := mailtest.Start(t)
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		ask := func(email string) *httptest.ResponseRecorder {
			m := jetonField.FindStringSubmatch(get(t, f.h, "/compte/oubli").Body.String())
			return post(t, f.h, "/compte/oubli", url.Values{"jeton": {m[1]}, "email": {email}}, nil)
		}
		known, unknown := ask(account_(1).Email), ask("inconnu@exemple.fr")
		if known.Code != 200 || unknown.Code != 200 || !strings.Contains(known.Body.String(), "Si un compte existe") || !strings.Contains(unknown.Body.String(), "Si un compte existe") {
			t.Fatalf("answers: %d %d", known.Code, unknown.Code)
		}
		sender, err := mail.NewSender(smtp.SMTPURL)
		if err != nil {
			t.Fatal(err)
		}
		n, err := mail.Deliver(ctx, st, sender, "PORTREA <ne-pas-repondre@portrea.invalid>", discardLog())
		if err != nil || n != 1 {
			t.Fatalf("deliver: %d %v", n, err)
		}
		var msg *mailtest.Message
		for _, m := range smtp.Messages(t) {
			if len(m.To) == 1 && m.To[0] == account_(1).Email && m.Subject == "PORTREA : réinitialiser votre mot de passe" {
				msg = &m
				break // newest first: this run's message
			}
		}
		if msg == nil {
			t.Fatal("reset e-mail not received")
		}
		link := regexp.MustCompile(`http://localhost:8080(/compte/reinitialiser\?jeton=[A-Za-z0-9_-]{43})`).FindStringSubmatch(msg.Text)
		if link == nil {
			t.Fatalf("no link in %q", msg.Text)
		}
		page := get(t, f.h, link[1])
		if page.Code != 200 || page.Header().Get("Referrer-Policy") != "no-referrer" {
			t.Fatalf("link page: %d %v", page.Code, page.Header())
		}
		jeton := strings.TrimPrefix(link[1], "/compte/reinitialiser?jeton=")
		set := func(pw, confirm string) *httptest.ResponseRecorder {
			return post(t, f.h, "/compte/reinitialiser", url.Values{"jeton": {jeton}, "mot_de_passe": {pw}, "confirmation": {confirm}}, nil)
		}
		if rec := set("court", "court"); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "au moins 12 caractères") {
			t.Errorf("short password: %d", rec.Code)
		}
		if rec := set("une longue phrase de passe", "une autre phrase de passe"); rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("mismatch: %d", rec.Code)
		}
		if rec := set("une longue phrase de passe", "une longue phrase de passe"); rec.Code != http.StatusSeeOther {
			t.Fatalf("set password: %d %s", rec.Code, rec.Body.String())
		}
		if rec := set("encore une autre phrase", "encore une autre phrase"); rec.Code != http.StatusNotFound {
			t.Errorf("link used twice: %d", rec.Code)
		}
		if rec := boPostLogin(t, f.h, account_(1).Email, account_(1).Password, nil); rec.Code != http.StatusUnauthorized {
			t.Errorf("old password still works: %d", rec.Code)
		}
		loginAs(t, f.h, account_(1).Email, "une longue phrase de passe")
		pending, err := st.Outbox(ctx, true, 10)
		if err != nil || len(pending) != 0 {
			t.Errorf("outbox after delivery: %v %v", pending, err)
		}
	})
}

// TestHubCreatesReferent opens an account from the back office, then the
// new referent activates it and sees only their territory.
func TestHubCreatesReferent(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		rec := hub.post(t, f.h, "/gestion/utilisateurs", url.Values{"email": {"Nouvelle@Exemple.fr"}, "nom": {"Nouvelle"}, "role": {"referent"},
			"epci": {demo.MontfortSIREN}, "type": {account.KindAssociative}})
		m := regexp.MustCompile(`/compte/activer\?jeton=([A-Za-z0-9_-]{43})`).FindStringSubmatch(rec.Body.String())
		if rec.Code != 200 || m == nil {
			t.Fatalf("create: %d", rec.Code)
		}
		if rec := post(t, f.h, "/compte/activer", url.Values{"jeton": {m[1]}, "mot_de_passe": {"ma phrase de passe secrète"}, "confirmation": {"ma phrase de passe secrète"}}, nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("activate: %d", rec.Code)
		}
		u := loginAs(t, f.h, "nouvelle@exemple.fr", "ma phrase de passe secrète")
		if rec := u.get(t, f.h, "/gestion/lieux/"+f.placeB.ID); rec.Code != 200 {
			t.Errorf("own territory: %d", rec.Code)
		}
		if rec := u.get(t, f.h, "/gestion/lieux/"+f.placeA.ID); rec.Code != 404 {
			t.Errorf("other territory: %d", rec.Code)
		}
		mails, _ := st.Outbox(context.Background(), true, 10)
		if len(mails) != 1 || mails[0].To != "nouvelle@exemple.fr" || !strings.Contains(mails[0].Body, "/compte/activer?jeton=") {
			t.Errorf("activation e-mail: %+v", mails)
		}
		// Disabling the account ends its sessions; every change is audited.
		nu, _ := st.UserByEmail(context.Background(), "nouvelle@exemple.fr")
		if rec := hub.post(t, f.h, "/gestion/utilisateurs/"+nu.ID+"/activation", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("disable: %d", rec.Code)
		}
		if rec := u.get(t, f.h, "/gestion"); rec.Code != http.StatusSeeOther {
			t.Errorf("disabled user still signed in: %d", rec.Code)
		}
		journal := hub.get(t, f.h, "/gestion/journal").Body.String()
		for _, want := range []string{"compte créé", "compte désactivé", "mot de passe défini", "connexion"} {
			if !strings.Contains(journal, want) {
				t.Errorf("audit log lacks %q", want)
			}
		}
	})
}

// TestPlaceListFilters checks the referent's list: quality filters, sort
// and the duplicate candidate.
func TestPlaceListFilters(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		u := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		list := func(q string) string {
			rec := u.get(t, f.h, "/gestion/lieux?epci="+demo.BroceliandeSIREN+q)
			if rec.Code != 200 {
				t.Fatalf("list %s: %d", q, rec.Code)
			}
			return rec.Body.String()
		}
		all := list("")
		if !strings.Contains(all, f.placeA.Nom) || strings.Contains(all, f.placeB.Nom) {
			t.Error("list shows the wrong territory")
		}
		if body := list("&manque=horaires"); !strings.Contains(body, f.placeA.Nom) {
			t.Error("a place without hours is missing from manque=horaires")
		}
		if body := list("&manque=geolocalisation"); strings.Contains(body, f.placeA.Nom) {
			t.Error("a geolocated place listed as missing its position")
		}
		if body := list("&q=numerique+plelan"); !strings.Contains(body, f.placeA.Nom) || strings.Contains(body, "Médiathèque") {
			t.Error("search by folded words")
		}
		if body := list("&completude=bonne"); strings.Contains(body, f.placeA.Nom) {
			t.Error("a sparse place listed as well completed")
		}
		dups := u.get(t, f.h, "/gestion/doublons?epci="+demo.BroceliandeSIREN).Body.String()
		if !strings.Contains(dups, "/gestion/doublons/") || !strings.Contains(dups, f.placeA2.Nom) {
			t.Error("the near-identical pair is not proposed as a duplicate")
		}
		if ed := u.get(t, f.h, "/gestion/lieux/"+f.placeA.ID).Body.String(); !strings.Contains(ed, "Doublons probables") || !strings.Contains(ed, f.placeA2.Nom) {
			t.Error("the editor does not show the duplicate candidate")
		}
		if rec := u.post(t, f.h, "/gestion/doublons/"+f.placeA.ID+"/"+f.placeA2.ID+"/distincts", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("not a duplicate: %d", rec.Code)
		}
		if dups := u.get(t, f.h, "/gestion/doublons?epci="+demo.BroceliandeSIREN).Body.String(); strings.Contains(dups, f.placeA2.Nom) {
			t.Error("a pair marked distinct is still proposed")
		}
	})
}

func discardLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// TestEditorRefusesSavingOverALaterChange opens a place's editor twice, as
// two referents would; the second save, made on the older version, is
// refused with the typed values kept, and goes through once resubmitted.
func TestEditorRefusesSavingOverALaterChange(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ref := loginAs(t, f.h, demo.Accounts[1].Email, demo.Accounts[1].Password)
		target := "/gestion/lieux/" + f.placeA.ID
		first := formOfClass(t, ref.get(t, f.h, target).Body.String(), "editor")
		second := formOfClass(t, ref.get(t, f.h, target).Body.String(), "editor")
		if first.Get("version") == "" {
			t.Fatal("the editor carries no version")
		}
		first.Set("telephone", "02 99 06 00 01")
		st.SetClock(func() time.Time { return testNow.Add(time.Minute) })
		if rec := ref.post(t, f.h, target, first); rec.Code != http.StatusSeeOther {
			t.Fatalf("first save: %d", rec.Code)
		}
		st.SetClock(func() time.Time { return testNow.Add(2 * time.Minute) })
		second.Set("notes", "Vu en réunion")
		rec := ref.post(t, f.h, target, second)
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "quelqu'un l'a modifiée") {
			t.Fatalf("save over a later change: %d\n%s", rec.Code, rec.Body.String())
		}
		got, err := st.GetPlace(context.Background(), f.placeA.ID)
		if err != nil || got.Telephone != "+33299060001" || got.Notes == "Vu en réunion" {
			t.Fatalf("after the refused save: %q %q %v", got.Telephone, got.Notes, err)
		}
		// The form comes back with what was typed, on the current version.
		again := formOfClass(t, rec.Body.String(), "editor")
		if again.Get("notes") != "Vu en réunion" || again.Get("version") == second.Get("version") {
			t.Fatalf("form after the conflict: notes %q, version %q", again.Get("notes"), again.Get("version"))
		}
		if rec := ref.post(t, f.h, target, again); rec.Code != http.StatusSeeOther {
			t.Fatalf("resubmitted save: %d", rec.Code)
		}
		got, _ = st.GetPlace(context.Background(), f.placeA.ID)
		if got.Notes != "Vu en réunion" {
			t.Errorf("notes after the resubmitted save = %q", got.Notes)
		}
	})
}

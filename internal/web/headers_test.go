package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/store/storetest"
)

// routePattern finds the patterns registered in routes.go.
var routePattern = regexp.MustCompile(`mux\.Handle(?:Func)?\("([^"]+)"`)

// registeredRoutes reads routes.go, so that a route added there without a
// case below fails TestSecurityHeaders.
func registeredRoutes(t *testing.T) []string {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, m := range routePattern.FindAllStringSubmatch(string(src), -1) {
		out = append(out, m[1])
	}
	if len(out) < 50 {
		t.Fatalf("only %d routes found in routes.go: has the way routes are declared changed?", len(out))
	}
	return out
}

// cspDirectives splits a Content-Security-Policy into its directives.
func cspDirectives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = value
		}
	}
	return out
}

// TestSecurityHeaders requests every route of routes.go, signed in as the
// hub where needed, over HTTP and behind an HTTPS proxy, and checks the
// headers every response must carry.
func TestSecurityHeaders(t *testing.T) {
	f := newBOFixture(t, storetest.OpenSQLite(t))
	hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
	as, err := newAssets()
	if err != nil {
		t.Fatal(err)
	}
	css, err := as.url("css/portrea.css")
	if err != nil {
		t.Fatal(err)
	}
	const (
		broc    = demo.BroceliandeSIREN
		missing = "0000000000000000000000" // an id or secret that exists nowhere: the 404 pages carry the headers too
	)
	a, a2, b := f.placeA.ID, f.placeA2.ID, f.placeB.ID
	cases := []struct {
		pattern, target string
		signedIn        bool
	}{
		{"GET /healthz", "/healthz", false},
		{"GET /readyz", "/readyz", false},
		{"GET /metrics", "/metrics", false},

		{"GET /{$}", "/", false},
		{"GET /lieux/{id}", "/lieux/" + a, false},
		{"POST /lieux/{id}/signaler", "/lieux/" + a + "/signaler", false},
		{"GET /orientation", "/orientation", false},
		{"GET /orientation/fiche", "/orientation/fiche?services=aide-demarches", false},
		{"POST /orientation/fiche", "/orientation/fiche", false},
		{"GET /embed", "/embed?epci=" + broc, false},
		{"GET /integrer", "/integrer", false},
		{"GET /rejoindre", "/rejoindre", false},
		{"POST /rejoindre", "/rejoindre", false},
		{"GET /donnees-personnelles", "/donnees-personnelles", false},
		{"GET /accessibilite", "/accessibilite", false},
		{"GET /maj/{secret}/o.gif", "/maj/" + missing + "/o.gif", false},
		{"GET /territoires/{siren}/portrait", "/territoires/" + broc + "/portrait", false},
		{"GET /territoires/{siren}/portrait.pdf", "/territoires/" + broc + "/portrait.pdf", false},
		{"GET /static/{hash}/{path...}", css, false},

		{"GET /maj/{secret}", "/maj/" + missing, false},
		{"POST /maj/{secret}", "/maj/" + missing, false},
		{"POST /maj/{secret}/reponse", "/maj/" + missing + "/reponse", false},
		{"GET /maj/{secret}/merci", "/maj/" + missing + "/merci", false},
		{"GET /maj/{secret}/horaires/apercu", "/maj/" + missing + "/horaires/apercu", false},
		{"GET /maj/{secret}/desinscription", "/maj/" + missing + "/desinscription", false},
		{"POST /maj/{secret}/desinscription", "/maj/" + missing + "/desinscription", false},

		{"GET /api/openapi.json", "/api/openapi.json", false},
		{"GET /api/v1/lieux", "/api/v1/lieux?epci=" + broc, false},
		{"GET /api/v1/lieux.geojson", "/api/v1/lieux.geojson?epci=" + broc, false},
		{"GET /api/v1/lieux/{id}", "/api/v1/lieux/" + a, false},
		{"GET /api/v1/carte", "/api/v1/carte?epci=" + broc, false},
		{"GET /api/v1/adresses", "/api/v1/adresses?q=Paimpont", false},
		{"GET /api/v1/export/lieux-de-mediation-numerique.csv", "/api/v1/export/lieux-de-mediation-numerique.csv?epci=" + broc, false},
		{"GET /api/v1/export/lieux-de-mediation-numerique.json", "/api/v1/export/lieux-de-mediation-numerique.json?epci=" + broc, false},
		{"GET /api/v1/export/lieux-de-mediation-numerique.geojson", "/api/v1/export/lieux-de-mediation-numerique.geojson?epci=" + broc, false},
		{"GET /api/v1/export/data-inclusion.json", "/api/v1/export/data-inclusion.json?epci=" + broc, false},

		{"GET /connexion", "/connexion", false},
		{"POST /connexion", "/connexion", false},
		{"GET /compte/activer", "/compte/activer?jeton=" + missing, false},
		{"POST /compte/activer", "/compte/activer", false},
		{"GET /compte/reinitialiser", "/compte/reinitialiser?jeton=" + missing, false},
		{"POST /compte/reinitialiser", "/compte/reinitialiser", false},
		{"GET /compte/oubli", "/compte/oubli", false},
		{"POST /compte/oubli", "/compte/oubli", false},

		{"GET /gestion", "/gestion", true},
		{"GET /gestion/lieux", "/gestion/lieux", true},
		{"POST /gestion/lieux", "/gestion/lieux", true},
		{"GET /gestion/lieux/nouveau", "/gestion/lieux/nouveau", true},
		{"POST /gestion/lieux/export", "/gestion/lieux/export", true},
		{"GET /gestion/lieux/{id}", "/gestion/lieux/" + a, true},
		{"POST /gestion/lieux/{id}", "/gestion/lieux/" + a, true},
		{"POST /gestion/lieux/{id}/confirmer", "/gestion/lieux/" + a + "/confirmer", true},
		{"POST /gestion/lieux/{id}/historique/{hid}/annuler", "/gestion/lieux/" + a + "/historique/" + missing + "/annuler", true},
		{"GET /gestion/horaires/apercu", "/gestion/horaires/apercu?horaires=Mo-Fr+09:00-12:00", true},
		{"GET /gestion/geocodage", "/gestion/geocodage?adresse=Paimpont", true},
		{"GET /gestion/doublons", "/gestion/doublons", true},
		{"GET /gestion/doublons/{a}/{b}", "/gestion/doublons/" + a + "/" + a2, true},
		{"POST /gestion/doublons/{a}/{b}/fusionner", "/gestion/doublons/" + a + "/" + b + "/fusionner", true},
		{"POST /gestion/doublons/{a}/{b}/distincts", "/gestion/doublons/" + a + "/" + b + "/distincts", true},
		{"GET /gestion/a-traiter", "/gestion/a-traiter", true},
		{"POST /gestion/a-traiter/{id}", "/gestion/a-traiter/" + missing, true},
		{"POST /gestion/portraits/{siren}/avant-propos", "/gestion/portraits/" + broc + "/avant-propos", true},
		{"POST /gestion/portraits/{siren}/contours", "/gestion/portraits/" + missing + "/contours", true},
		{"GET /gestion/recensement", "/gestion/recensement", true},
		{"GET /gestion/recensement/modele/{epci}", "/gestion/recensement/modele/" + broc, true},
		{"POST /gestion/recensement/imports", "/gestion/recensement/imports", true},
		{"GET /gestion/recensement/imports/{id}", "/gestion/recensement/imports/" + missing, true},
		{"GET /gestion/recensement/imports/{id}/etat", "/gestion/recensement/imports/" + missing + "/etat", true},
		{"GET /gestion/recensement/imports/{id}/colonnes", "/gestion/recensement/imports/" + missing + "/colonnes", true},
		{"POST /gestion/recensement/imports/{id}/colonnes", "/gestion/recensement/imports/" + missing + "/colonnes", true},
		{"POST /gestion/recensement/imports/{id}/apercu", "/gestion/recensement/imports/" + missing + "/apercu", true},
		{"POST /gestion/recensement/imports/{id}/valider", "/gestion/recensement/imports/" + missing + "/valider", true},
		{"GET /gestion/recensement/imports/{id}/rapport.csv", "/gestion/recensement/imports/" + missing + "/rapport.csv", true},
		{"GET /gestion/exports", "/gestion/exports", true},
		{"GET /gestion/exports/{epci}/xlsx", "/gestion/exports/" + broc + "/xlsx", true},

		{"GET /gestion/reseau", "/gestion/reseau", true},
		{"GET /gestion/territoires/{siren}/champs", "/gestion/territoires/" + broc + "/champs", true},
		{"POST /gestion/territoires/{siren}/champs", "/gestion/territoires/" + broc + "/champs", true},
		{"POST /gestion/territoires/{siren}/champs/{id}", "/gestion/territoires/" + broc + "/champs/" + missing, true},
		{"POST /gestion/territoires/{siren}/champs/{id}/monter", "/gestion/territoires/" + broc + "/champs/" + missing + "/monter", true},
		{"POST /gestion/territoires/{siren}/champs/{id}/descendre", "/gestion/territoires/" + broc + "/champs/" + missing + "/descendre", true},
		{"POST /gestion/territoires/{siren}/champs/{id}/retirer", "/gestion/territoires/" + broc + "/champs/" + missing + "/retirer", true},
		{"POST /gestion/territoires/{siren}/champs/{id}/restaurer", "/gestion/territoires/" + broc + "/champs/" + missing + "/restaurer", true},
		{"GET /gestion/territoires/{siren}/reseau", "/gestion/territoires/" + broc + "/reseau", true},
		{"POST /gestion/territoires/{siren}/reseau/ateliers", "/gestion/territoires/" + broc + "/reseau/ateliers", true},
		{"POST /gestion/territoires/{siren}/reseau/ateliers/{id}", "/gestion/territoires/" + broc + "/reseau/ateliers/" + missing, true},
		{"POST /gestion/territoires/{siren}/reseau/ateliers/{id}/supprimer", "/gestion/territoires/" + broc + "/reseau/ateliers/" + missing + "/supprimer", true},
		{"POST /gestion/territoires/{siren}/reseau/annuaire", "/gestion/territoires/" + broc + "/reseau/annuaire", true},
		{"GET /gestion/territoires/{siren}/reseau/annuaire", "/gestion/territoires/" + broc + "/reseau/annuaire", true},
		{"GET /gestion/territoires/{siren}/reseau/annuaire.csv", "/gestion/territoires/" + broc + "/reseau/annuaire.csv", true},

		{"GET /gestion/campagnes", "/gestion/campagnes", true},
		{"POST /gestion/campagnes", "/gestion/campagnes", true},
		{"GET /gestion/campagnes/{id}", "/gestion/campagnes/" + missing, true},
		{"GET /gestion/campagnes/{id}/etat", "/gestion/campagnes/" + missing + "/etat", true},
		{"POST /gestion/campagnes/{id}/statut", "/gestion/campagnes/" + missing + "/statut", true},
		{"POST /gestion/campagnes/{id}/modifier", "/gestion/campagnes/" + missing + "/modifier", true},
		{"POST /gestion/campagnes/{id}/lieux/{place}/revoquer", "/gestion/campagnes/" + missing + "/lieux/" + a + "/revoquer", true},
		{"GET /gestion/campagnes/{id}/appels", "/gestion/campagnes/" + missing + "/appels", true},
		{"GET /gestion/campagnes/{id}/appels.csv", "/gestion/campagnes/" + missing + "/appels.csv", true},
		{"POST /gestion/campagnes/{id}/appels/{place}", "/gestion/campagnes/" + missing + "/appels/" + a, true},
		{"POST /gestion/a-traiter/propositions/{id}", "/gestion/a-traiter/propositions/" + missing, true},

		{"GET /gestion/journees", "/gestion/journees", true},
		{"POST /gestion/journees", "/gestion/journees", true},
		{"GET /gestion/journees/{id}", "/gestion/journees/" + missing, true},
		{"POST /gestion/journees/{id}", "/gestion/journees/" + missing, true},
		{"POST /gestion/journees/{id}/contacts", "/gestion/journees/" + missing + "/contacts", true},
		{"POST /gestion/journees/{id}/invitations", "/gestion/journees/" + missing + "/invitations", true},
		{"GET /gestion/journees/{id}/accueil", "/gestion/journees/" + missing + "/accueil", true},
		{"POST /gestion/journees/{id}/accueil/{invitee}", "/gestion/journees/" + missing + "/accueil/" + missing, true},
		{"GET /gestion/journees/{id}/qr/{invitee}", "/gestion/journees/" + missing + "/qr/" + missing, true},
		{"GET /journee/{secret}", "/journee/" + missing, false},
		{"POST /journee/{secret}", "/journee/" + missing, false},

		{"GET /gestion/deploiement/{siren}/strategie", "/gestion/deploiement/" + broc + "/strategie", true},
		{"POST /gestion/deploiement/{siren}/strategie", "/gestion/deploiement/" + broc + "/strategie", true},
		{"GET /gestion/deploiement/{siren}/supports", "/gestion/deploiement/" + broc + "/supports", true},
		{"GET /gestion/deploiement/{siren}/documents/{doc}", "/gestion/deploiement/" + broc + "/documents/" + docInvitation, true},
		{"POST /gestion/deploiement/{siren}/documents/{doc}", "/gestion/deploiement/" + broc + "/documents/" + docInvitation, true},
		{"GET /aide", "/aide", false},
		{"GET /aide/{page}", "/aide/campagnes", false},

		{"GET /gestion/utilisateurs", "/gestion/utilisateurs", true},
		{"POST /gestion/utilisateurs", "/gestion/utilisateurs", true},
		{"POST /gestion/utilisateurs/{id}/activation", "/gestion/utilisateurs/" + missing + "/activation", true},
		{"GET /gestion/journal", "/gestion/journal", true},
		{"GET /gestion/courriels", "/gestion/courriels", true},
		{"GET /gestion/sante", "/gestion/sante", true},
		{"GET /gestion/parametres", "/gestion/parametres", true},
		{"POST /gestion/parametres", "/gestion/parametres", true},
		{"GET /gestion/donnees-personnelles", "/gestion/donnees-personnelles", true},
		{"POST /gestion/donnees-personnelles/export", "/gestion/donnees-personnelles/export", true},
		{"POST /gestion/donnees-personnelles/effacement", "/gestion/donnees-personnelles/effacement", true},
		{"POST /gestion/donnees-personnelles/effacement/confirmer", "/gestion/donnees-personnelles/effacement/confirmer", true},

		{"GET /gestion/deploiement", "/gestion/deploiement", true},
		{"GET /gestion/deploiement.csv", "/gestion/deploiement.csv", true},
		{"GET /gestion/deploiement/{siren}", "/gestion/deploiement/" + broc, true},
		{"POST /gestion/deploiement/{siren}/phase", "/gestion/deploiement/" + broc + "/phase", true},
		{"POST /gestion/deploiement/{siren}/journal", "/gestion/deploiement/" + broc + "/journal", true},
		{"POST /gestion/deploiement/{siren}/referents", "/gestion/deploiement/" + broc + "/referents", true},

		// Last: it ends the hub's session.
		{"POST /deconnexion", "/deconnexion", true},
	}

	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.pattern] = true
	}
	var uncovered []string
	for _, p := range registeredRoutes(t) {
		if !covered[p] {
			uncovered = append(uncovered, p)
		}
		delete(covered, p)
	}
	if len(uncovered) > 0 {
		t.Errorf("routes without a case in TestSecurityHeaders: %s", strings.Join(uncovered, ", "))
	}
	var stale []string
	for p := range covered {
		stale = append(stale, p)
	}
	sort.Strings(stale)
	if len(stale) > 0 {
		t.Errorf("cases for routes routes.go no longer has: %s", strings.Join(stale, ", "))
	}

	for _, c := range cases {
		method, _, _ := strings.Cut(c.pattern, " ")
		for _, https := range []bool{false, true} {
			var req *http.Request
			if method == "POST" {
				form := url.Values{}
				if c.signedIn {
					form.Set("csrf", hub.csrf)
				}
				req = httptest.NewRequest("POST", c.target, strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			} else {
				req = httptest.NewRequest("GET", c.target, nil)
			}
			if c.signedIn {
				req.AddCookie(hub.cookie)
			}
			if https {
				req.Header.Set("X-Forwarded-Proto", "https")
			}
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code == http.StatusInternalServerError {
				t.Errorf("%s %s: status %d", method, c.target, rec.Code)
			}
			if c.signedIn && c.pattern != "POST /deconnexion" && strings.HasPrefix(rec.Header().Get("Location"), "/connexion") {
				t.Errorf("%s %s: the hub's session did not reach the handler (status %d)", method, c.target, rec.Code)
			}
			checkSecurityHeaders(t, method+" "+c.target, rec.Result().Header, c.pattern == "GET /embed", https)
		}
	}
}

// checkSecurityHeaders checks one response's headers.
func checkSecurityHeaders(t *testing.T, what string, h http.Header, framable, https bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	d := cspDirectives(csp)
	script, ok := d["script-src"]
	if !ok {
		script, ok = d["default-src"]
	}
	switch {
	case csp == "":
		t.Errorf("%s: no Content-Security-Policy", what)
	case !ok:
		t.Errorf("%s: the CSP restricts no script source: %s", what, csp)
	case strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'"):
		t.Errorf("%s: the CSP allows inline scripts: %s", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, got)
	}
	if h.Get("Referrer-Policy") == "" {
		t.Errorf("%s: no Referrer-Policy", what)
	}
	frameDenied := d["frame-ancestors"] == "'none'" || strings.EqualFold(h.Get("X-Frame-Options"), "DENY")
	if framable {
		if frameDenied || h.Get("X-Frame-Options") != "" || d["frame-ancestors"] == "" {
			t.Errorf("%s: the embed page must let partners frame it: frame-ancestors %q, X-Frame-Options %q", what, d["frame-ancestors"], h.Get("X-Frame-Options"))
		}
	} else if !frameDenied {
		t.Errorf("%s: framing allowed: frame-ancestors %q, X-Frame-Options %q", what, d["frame-ancestors"], h.Get("X-Frame-Options"))
	}
	hsts := h.Get("Strict-Transport-Security")
	if https && hsts != "max-age=31536000; includeSubDomains" {
		t.Errorf("%s over HTTPS: Strict-Transport-Security %q", what, hsts)
	}
	if !https && hsts != "" {
		t.Errorf("%s over plain HTTP: Strict-Transport-Security %q", what, hsts)
	}
}

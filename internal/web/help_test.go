package web

import (
	"strings"
	"testing"

	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestHelpPages(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		for _, p := range helpPages {
			path := "/aide"
			if p.Slug != "" {
				path += "/" + p.Slug
			}
			rec := get(t, f.h, path)
			body := pageText(rec)
			if rec.Code != 200 || !strings.Contains(body, "<h1>"+p.Title+"</h1>") {
				t.Errorf("GET %s (anonymous): %d", path, rec.Code)
				continue
			}
			for _, other := range []string{`href="/aide"`, `href="/aide/recensement"`, `href="/aide/campagnes"`, `href="/aide/appels"`, `href="/aide/portrait"`, `href="/aide/methode"`, `href="/aide/donnees-personnelles"`} {
				if !strings.Contains(body, other) {
					t.Errorf("%s does not link %s", path, other)
				}
			}
			if strings.Contains(body, "Se déconnecter") {
				t.Errorf("%s shows the back-office header to a visitor", path)
			}
		}
		if rec := get(t, f.h, "/aide/inconnue"); rec.Code != 404 {
			t.Errorf("unknown help page: %d", rec.Code)
		}
		for _, want := range []string{"modèle de recensement", "pré-remplissage", "1er mars", "Liste d'appels", "Généraliste", "1 jour + 5 jours", "Droit à l'effacement", "24 mois"} {
			found := false
			for _, p := range []string{"/aide/recensement", "/aide/campagnes", "/aide/appels", "/aide/methode", "/aide/donnees-personnelles"} {
				if strings.Contains(pageText(get(t, f.h, p)), want) {
					found = true
				}
			}
			if !found {
				t.Errorf("the guide never says %q", want)
			}
		}

		// Linked from every back-office page, for the hub and the referents.
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		ref := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		for _, u := range []*boUser{hub, ref} {
			for _, p := range []string{"/gestion", "/gestion/lieux", "/gestion/campagnes", "/gestion/recensement", "/gestion/deploiement/243500618/strategie"} {
				if body := u.get(t, f.h, p).Body.String(); !strings.Contains(body, `<a href="/aide">Aide</a>`) {
					t.Errorf("%s has no help link", p)
				}
			}
			rec := u.get(t, f.h, "/aide/methode")
			if body := rec.Body.String(); rec.Code != 200 || !strings.Contains(body, `<a href="/aide" aria-current="page">Aide</a>`) || !strings.Contains(body, "Se déconnecter") {
				t.Errorf("signed in, the guide loses the back-office header: %d", rec.Code)
			}
			if rec.Header().Get("Cache-Control") != "no-store" {
				t.Error("a signed-in help page may be cached")
			}
		}
	})
}

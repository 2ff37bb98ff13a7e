package web

import (
	"strings"
	"testing"

	"portrea/internal/store/storetest"
)

// TestLegalPages: the personal data page and the accessibility declaration
// render in French, say what they must, and every public page's footer
// links to them.
func TestLegalPages(t *testing.T) {
	h := demoServer(t, storetest.OpenSQLite(t))
	for _, c := range []struct {
		path string
		want []string
	}{
		{"/donnees-personnelles", []string{"<h1>Données personnelles</h1>", "Contacts privés des lieux", "Comptes des référent·es",
			"Suivi des campagnes", "Journées collaboratives", "Journal des modifications", "Fichiers de recensement importés",
			"mission d'intérêt public", "intérêt légitime", "Durée de conservation", "aucun cookie sur le site public",
			"aucune mesure d'audience ni aucun pistage", "contactez le hub", "CNIL"}},
		{"/accessibilite", []string{"<h1>Déclaration d'accessibilité</h1>", "partiellement conforme", "RGAA", "axe-core",
			"la carte intégrée (/embed)", "le portrait de territoire", "clavier", "Contrastes",
			"La liste des lieux", "27 novembre 2026", "contactez le hub", "Défenseur des droits"}},
	} {
		rec := get(t, h, c.path)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, `<html lang="fr">`) {
			t.Errorf("GET %s = %d", c.path, rec.Code)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not say %q", c.path, w)
			}
		}
	}
	for _, p := range []string{"/", "/orientation", "/rejoindre", "/donnees-personnelles", "/accessibilite"} {
		footer := get(t, h, p).Body.String()
		if i := strings.Index(footer, `<footer class="site">`); i < 0 {
			t.Errorf("%s has no footer", p)
			continue
		} else {
			footer = footer[i:]
		}
		for _, link := range []string{`<a href="/donnees-personnelles">Données personnelles</a>`, `<a href="/accessibilite">Accessibilité</a>`} {
			if !strings.Contains(footer, link) {
				t.Errorf("the footer of %s lacks %s", p, link)
			}
		}
	}
}

package web

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// factorsForm rates the four factors, in the order of territory.Factors.
func factorsForm(gov, net, ori, tools int) url.Values {
	f := url.Values{}
	for i, lvl := range []int{gov, net, ori, tools} {
		f.Set("niveau_"+string(territory.Factors[i]), strconv.Itoa(lvl))
		f.Set("commentaire_"+string(territory.Factors[i]), "Commentaire "+string(territory.Factors[i]))
	}
	return f
}

func TestStrategyAssessment(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		refB := loginAs(t, f.h, account_(2).Email, account_(2).Password)
		A, B := demo.BroceliandeSIREN, demo.MontfortSIREN
		pathA, pathB := "/gestion/deploiement/"+A+"/strategie", "/gestion/deploiement/"+B+"/strategie"
		strategyOf := func(epci string) *territory.Deployment {
			t.Helper()
			d, err := st.Deployment(ctx, epci)
			if err != nil {
				t.Fatal(err)
			}
			return d
		}

		// Who reaches what: another territory's referent gets "not found".
		for _, c := range []struct {
			u    *boUser
			path string
			want int
		}{{refA, pathA, 200}, {hub, pathA, 200}, {refB, pathA, 404}, {refA, pathB, 404}, {nil, pathA, 303},
			{refB, "/gestion/deploiement/" + A + "/supports", 404}, {hub, "/gestion/deploiement/999999999/strategie", 404}} {
			if rec := c.u.get(t, f.h, c.path); rec.Code != c.want {
				t.Errorf("GET %s: %d, want %d", c.path, rec.Code, c.want)
			}
		}
		if rec := refB.post(t, f.h, pathA, factorsForm(3, 3, 3, 3)); rec.Code != 404 {
			t.Errorf("POST by another territory's referent: %d", rec.Code)
		}
		if rec := refA.post(t, f.h, pathA, url.Values{"csrf": {"faux"}}); rec.Code != 403 {
			t.Errorf("POST without the CSRF token: %d", rec.Code)
		}

		page := pageText(refA.get(t, f.h, pathA))
		for _, want := range []string{"Gouvernance locale dédiée à l'inclusion numérique", "Réseau d'acteurs existant",
			"Orientations stratégiques sur l'inclusion numérique", "Outils déjà déployés et leur maîtrise par les acteurs",
			"3 — solide", "0 — absent", "Proposer cette évaluation", "le hub décide"} {
			if !strings.Contains(page, want) {
				t.Errorf("referent's form lacks %q", want)
			}
		}
		if strings.Contains(page, `name="motif"`) {
			t.Error("a referent is offered the hub's decision")
		}

		// A factor left out: nothing saved, a French error.
		incomplete := factorsForm(3, 2, 1, 0)
		incomplete.Del("niveau_outils")
		if rec := refA.post(t, f.h, pathA, incomplete); rec.Code != 422 || !strings.Contains(pageText(rec), "choisissez un niveau pour « Outils déjà déployés") || strings.Contains(pageText(rec), "Stratégie recommandée") {
			t.Errorf("incomplete form: %d", rec.Code)
		}

		// The referent proposes (and cannot decide, even by forging the form).
		prop := factorsForm(3, 2, 1, 0)
		prop.Set("strategie", "reseau")
		prop.Set("motif", "essai")
		rec := refA.post(t, f.h, pathA, prop)
		if rec.Code != 303 || rec.Header().Get("Location") != pathA+"?enregistre=proposition" {
			t.Fatalf("proposal: %d %s", rec.Code, rec.Header().Get("Location"))
		}
		if d := strategyOf(A); d.Strategy != territory.StrategyGeneraliste {
			t.Errorf("a referent's proposal changed the strategy to %s", d.Strategy)
		}
		page = pageText(refA.get(t, f.h, pathA+"?enregistre=proposition"))
		for _, want := range []string{"proposée au hub", "Stratégie recommandée : Outil", "1 jour de recensement et de communication + 5 jours d'animation du réseau, soit 6 jours",
			"le territoire est piloté", "L'aide au pré-remplissage", "Commentaire gouvernance"} {
			if !strings.Contains(page, want) {
				t.Errorf("after the proposal, the page lacks %q", want)
			}
		}

		// The hub overrides: a reason is required, then kept, and the territory follows.
		over := factorsForm(3, 2, 1, 0)
		over.Set("strategie", "reseau")
		if rec := hub.post(t, f.h, pathA, over); rec.Code != 422 || !strings.Contains(pageText(rec), "Indiquez le motif") {
			t.Fatalf("override without a reason: %d", rec.Code)
		}
		if d := strategyOf(A); d.Strategy != territory.StrategyGeneraliste {
			t.Fatalf("a refused override changed the strategy: %s", d.Strategy)
		}
		const motive = "Le réseau s'est délité depuis le départ de la coordinatrice : on le relance d'abord."
		over.Set("motif", motive)
		if rec := hub.post(t, f.h, pathA, over); rec.Code != 303 || rec.Header().Get("Location") != pathA+"?enregistre=decision" {
			t.Fatalf("override: %d %s", rec.Code, rec.Body.String())
		}
		d := strategyOf(A)
		if d.Strategy != territory.StrategyReseau || d.Phase != territory.PhaseExploitation {
			t.Errorf("after the override: %+v", d)
		}
		a, err := st.Assessment(ctx, A)
		if err != nil || a.Chosen != territory.StrategyReseau || a.Recommended != territory.StrategyOutil || a.Reasons != motive || a.DecidedBy != account_(0).Email {
			t.Errorf("saved decision: %+v, %v", a, err)
		}
		for _, u := range []*boUser{hub, refA} {
			page = pageText(u.get(t, f.h, pathA))
			for _, want := range []string{"Stratégie décidée : <strong>Réseau</strong>", "au lieu de la stratégie recommandée", motive, "stratégie actuelle : <strong>Réseau</strong>"} {
				if !strings.Contains(page, want) {
					t.Errorf("the decision page lacks %q", want)
				}
			}
		}
		// A later proposal by the referent keeps the hub's decision.
		refA.post(t, f.h, pathA, factorsForm(3, 3, 3, 3))
		if d := strategyOf(A); d.Strategy != territory.StrategyReseau {
			t.Errorf("a proposal undid the decision: %s", d.Strategy)
		}

		// The hub follows the recommendation: the rules, one case each.
		for _, c := range []struct {
			name                string
			gov, net, ori, tool int
			want                territory.Strategy
			label, workload     string
		}{
			{"weak network", 3, 1, 3, 3, territory.StrategyReseau, "Réseau", "+ 7 jours d'animation du réseau, soit 8 jours"},
			{"governance and network without tools", 2, 2, 0, 1, territory.StrategyOutil, "Outil", "+ 5 jours d'animation du réseau, soit 6 jours"},
			{"network and tools", 2, 3, 2, 2, territory.StrategyGeneraliste, "Généraliste", "+ 8 jours d'animation du réseau, soit 9 jours"},
			{"network without governance", 1, 3, 0, 0, territory.StrategyGeneraliste, "Généraliste", "+ 8 jours"},
		} {
			if rec := hub.post(t, f.h, pathB, factorsForm(c.gov, c.net, c.ori, c.tool)); rec.Code != 303 {
				t.Fatalf("%s: %d %s", c.name, rec.Code, rec.Body.String())
			}
			if d := strategyOf(B); d.Strategy != c.want || d.Phase != territory.PhaseDeploiement {
				t.Errorf("%s: territory %+v, want %s", c.name, d, c.want)
			}
			page := pageText(hub.get(t, f.h, pathB))
			for _, want := range []string{"Stratégie recommandée : " + c.label, c.workload, "Stratégie décidée : <strong>" + c.label + "</strong>", "Ce que le hub fournit"} {
				if !strings.Contains(page, want) {
					t.Errorf("%s: page lacks %q", c.name, want)
				}
			}
		}
	})
}

func TestStrategyDocumentsAndSupports(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		refB := loginAs(t, f.h, account_(2).Email, account_(2).Password)
		A := demo.BroceliandeSIREN
		name := territory.Default().EPCIName(A)
		base := "/gestion/deploiement/" + A

		// The supports: every one linked, the invitation waiting for a date.
		page := pageText(refA.get(t, f.h, base+"/supports"))
		for _, want := range []string{`href="/gestion/recensement/modele/` + A + `"`, `href="` + base + `/documents/invitation"`, `href="` + base + `/documents/methode"`,
			`href="/territoires/` + A + `/portrait"`, `href="/aide"`, "Stratégie retenue", "Généraliste", "la date de la journée est à préciser", "Prête pour la stratégie Généraliste"} {
			if !strings.Contains(page, want) {
				t.Errorf("supports page lacks %q", want)
			}
		}
		for _, p := range []string{"/supports", "/documents/invitation", "/documents/methode", "/documents/invitation?format=txt"} {
			if rec := refB.get(t, f.h, base+p); rec.Code != 404 {
				t.Errorf("GET %s by another territory's referent: %d", p, rec.Code)
			}
		}
		if rec := refA.get(t, f.h, base+"/documents/autre"); rec.Code != 404 {
			t.Errorf("unknown document: %d", rec.Code)
		}

		// Without a collaborative day: placeholders.
		inv := pageText(refA.get(t, f.h, base+"/documents/invitation"))
		for _, want := range []string{"Objet : invitation à la journée collaborative de l'inclusion numérique — " + name, "Date : [date à préciser]",
			"Lieu : [lieu à préciser]", "chacun pourra remplir ou vérifier la fiche de sa structure", account_(1).Email, account_(1).Name,
			"Télécharger (.txt)", "Version imprimable", `<textarea id="texte"`} {
			if !strings.Contains(inv, want) {
				t.Errorf("invitation without a day lacks %q", want)
			}
		}

		// With a day: its date, place and programme.
		starts := time.Date(2026, 12, 15, 9, 30, 0, 0, place.Paris)
		ev := &store.Event{EPCI: A, Title: "Journée collaborative", StartsAt: starts, EndsAt: starts.Add(7 * time.Hour), Place: "Médiathèque de Plélan-le-Grand",
			Room: "salle Merlin", Meal: true, Programme: "9 h 30 : accueil café\n10 h : présentation de PORTREA\n14 h : saisie collaborative"}
		if err := st.CreateEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
		inv = pageText(refA.get(t, f.h, base+"/documents/invitation"))
		for _, want := range []string{"Date : le mardi 15 décembre 2026, de 9 h 30 à 16 h 30", "Lieu : Médiathèque de Plélan-le-Grand, salle Merlin",
			"un déjeuner est offert", "– 10 h : présentation de PORTREA"} {
			if !strings.Contains(inv, want) {
				t.Errorf("invitation with a day lacks %q", want)
			}
		}
		if txt := refA.get(t, f.h, base+"/documents/invitation?format=txt").Body.String(); strings.Contains(txt, "[date à préciser]") || strings.Contains(txt, "[lieu à préciser]") {
			t.Errorf("the invitation still asks for the date: %s", txt)
		}
		met := pageText(refA.get(t, f.h, base+"/documents/methode"))
		for _, want := range []string{"Méthode d'animation de la journée collaborative — " + name, "Stratégie : Généraliste", "puis 8 jours d'animation du réseau",
			"Journée : le mardi 15 décembre 2026", "14 h : saisie collaborative", "3. Étapes d'animation", "Diapositive 4 : Découvrir l'outil"} {
			if !strings.Contains(met, want) {
				t.Errorf("méthode lacks %q", want)
			}
		}
		if page := pageText(refA.get(t, f.h, base+"/supports")); !strings.Contains(page, "Prête : journée du 15 décembre 2026") {
			t.Error("the supports page does not see the day")
		}

		// The méthode follows the strategy the hub decides.
		form := factorsForm(3, 3, 3, 0)
		if rec := hub.post(t, f.h, base+"/strategie", form); rec.Code != 303 {
			t.Fatalf("decide: %d", rec.Code)
		}
		met = pageText(refA.get(t, f.h, base+"/documents/methode"))
		for _, want := range []string{"Stratégie : Outil", "Pré-remplir la base", "Diapositive 4 : La base pré-remplie", "puis 5 jours"} {
			if !strings.Contains(met, want) {
				t.Errorf("méthode (outil) lacks %q", want)
			}
		}
		inv = pageText(refA.get(t, f.h, base+"/documents/invitation"))
		if !strings.Contains(inv, "la base des lieux déjà pré-remplie") {
			t.Error("the invitation does not follow the strategy outil")
		}

		// Download and print, as generated and as edited.
		rec := refA.get(t, f.h, base+"/documents/invitation?format=txt")
		if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), `attachment; filename="invitation-`+A+`.txt"`) || !strings.Contains(rec.Body.String(), name) {
			t.Errorf("download: %d %v", rec.Code, rec.Header())
		}
		edited := "Objet : notre journée\nChers partenaires, venez nombreux à l'Espace « Merlin » !"
		rec = refA.post(t, f.h, base+"/documents/invitation", url.Values{"texte": {edited}, "action": {"telecharger"}})
		if rec.Code != 200 || rec.Body.String() != "\ufeff"+strings.ReplaceAll(edited, "\n", "\r\n") {
			t.Errorf("edited download: %d %q", rec.Code, rec.Body.String())
		}
		rec = refA.post(t, f.h, base+"/documents/methode", url.Values{"texte": {edited}, "action": {"imprimer"}})
		if rec.Code != 200 || !strings.Contains(pageText(rec), "Objet : notre journée\nChers partenaires, venez nombreux à l'Espace « Merlin » !</div>") {
			t.Errorf("printable view: %d %s", rec.Code, rec.Body.String())
		}
		if rec := refA.get(t, f.h, base+"/documents/methode?vue=impression"); rec.Code != 200 || !strings.Contains(pageText(rec), "Diapositive 1 :") {
			t.Errorf("printable generated view: %d", rec.Code)
		}
		if rec := refB.post(t, f.h, base+"/documents/invitation", url.Values{"texte": {edited}}); rec.Code != 404 {
			t.Errorf("POST by another territory's referent: %d", rec.Code)
		}
	})
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

func TestNetworkAnimations(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		A, B := demo.BroceliandeSIREN, demo.MontfortSIREN
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, "referente@broceliande.demo.portrea.fr", "demo-broceliande-2026")
		refB := loginAs(t, f.h, "referent@montfort.demo.portrea.fr", "demo-montfort-2026")
		page := "/gestion/territoires/" + A + "/reseau"

		// The nav link leads a referent of one territory to its page.
		if rec := refA.get(t, f.h, "/gestion/reseau"); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page {
			t.Errorf("/gestion/reseau = %d %s", rec.Code, rec.Header().Get("Location"))
		}
		wantInPage(t, "the hub's network page", hub.get(t, f.h, "/gestion/reseau"), `/gestion/territoires/`+A+`/reseau`, "Réseau")

		rec := refA.get(t, f.h, page)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET reseau = %d", rec.Code)
		}
		wantInPage(t, "the network page", rec, "Réseau — ", "Ajouter un atelier ou une rencontre", f.placeA.Nom, "Aucun atelier")
		if strings.Contains(rec.Body.String(), f.placeB.Nom) {
			t.Error("Montfort's place is proposed as a participant in Brocéliande")
		}

		// Create: a place of another territory is not kept as participant.
		rec = refA.post(t, f.h, page+"/ateliers", url.Values{"date": {"2026-10-03"}, "heure": {"14:30"}, "theme": {"Atelier France services"},
			"participants": {f.placeA.ID, f.placeA2.ID, f.placeB.ID}, "notes": {"Douze personnes, suite en janvier."}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("create = %d: %s", rec.Code, pageText(rec))
		}
		refA.post(t, f.h, page+"/ateliers", url.Values{"date": {"2026-06-12"}, "theme": {"Réunion de lancement"}})
		list, err := st.Animations(ctx, A)
		if err != nil || len(list) != 2 {
			t.Fatalf("animations = %+v, %v", list, err)
		}
		first := list[0]
		if first.Theme != "Atelier France services" || len(first.Participants) != 2 || first.CreatedBy != "referente@broceliande.demo.portrea.fr" {
			t.Errorf("created animation = %+v", first)
		}
		rec = refA.get(t, f.h, page)
		wantInPage(t, "the log", rec, "3 octobre 2026 à 14 h 30 — Atelier France services", "Participants (2)", f.placeA.Nom, f.placeA2.Nom,
			"Douze personnes, suite en janvier.", "12 juin 2026 — Réunion de lancement")
		body := pageText(rec)
		if strings.Index(body, "Atelier France services") > strings.Index(body, "Réunion de lancement") {
			t.Error("the log is not newest first")
		}

		// Refused: no theme, no date.
		rec = refA.post(t, f.h, page+"/ateliers", url.Values{"date": {""}, "theme": {" "}, "participants": {f.placeA.ID}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("empty workshop = %d", rec.Code)
		}
		wantInPage(t, "a refused workshop", rec, "L'atelier n'a pas été enregistré", "Thème : obligatoire", "Date : indiquez le jour")

		// Edit through its form.
		rec = refA.get(t, f.h, page+"?modifier="+first.ID)
		wantInPage(t, "the edit form", rec, "Modifier un atelier ou une rencontre", `value="2026-10-03"`, `value="14:30"`, `value="Atelier France services"`)
		rec = refA.post(t, f.h, page+"/ateliers/"+first.ID, url.Values{"date": {"2026-10-04"}, "theme": {"Atelier aidants"}, "participants": {f.placeA.ID}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("update = %d: %s", rec.Code, pageText(rec))
		}
		got, _ := st.Animation(ctx, A, first.ID)
		if got.Theme != "Atelier aidants" || len(got.Participants) != 1 || got.Notes != "" {
			t.Errorf("updated = %+v", got)
		}
		wantInPage(t, "the log", refA.get(t, f.h, page), "4 octobre 2026 — Atelier aidants", "Participants (1)")

		// Another territory's referent: 404, and nothing changes.
		for _, c := range []struct{ method, path string }{
			{"GET", page}, {"GET", page + "?modifier=" + first.ID}, {"POST", page + "/ateliers"},
			{"POST", page + "/ateliers/" + first.ID}, {"POST", page + "/ateliers/" + first.ID + "/supprimer"},
			{"POST", "/gestion/territoires/" + B + "/reseau/ateliers/" + first.ID},
			{"POST", "/gestion/territoires/" + B + "/reseau/ateliers/" + first.ID + "/supprimer"},
			{"GET", "/gestion/territoires/" + B + "/reseau?modifier=" + first.ID},
		} {
			rec := refB.get(t, f.h, c.path)
			if c.method == "POST" {
				rec = refB.post(t, f.h, c.path, url.Values{"date": {"2026-01-01"}, "theme": {"Intrus"}})
			}
			if rec.Code != http.StatusNotFound {
				t.Errorf("referent B %s %s = %d, want 404", c.method, c.path, rec.Code)
			}
		}
		if got, _ := st.Animation(ctx, A, first.ID); got.Theme != "Atelier aidants" {
			t.Errorf("referent B changed A's log: %+v", got)
		}
		if rec := hub.get(t, f.h, page); rec.Code != http.StatusOK {
			t.Errorf("hub = %d", rec.Code)
		}

		// Delete.
		if rec := refA.post(t, f.h, page+"/ateliers/"+first.ID+"/supprimer", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("delete = %d", rec.Code)
		}
		if list, _ := st.Animations(ctx, A); len(list) != 1 || list[0].Theme != "Réunion de lancement" {
			t.Errorf("after delete = %+v", list)
		}
	})
}

func TestNetworkDirectory(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		A := demo.BroceliandeSIREN
		refA := loginAs(t, f.h, "referente@broceliande.demo.portrea.fr", "demo-broceliande-2026")
		refB := loginAs(t, f.h, "referent@montfort.demo.portrea.fr", "demo-montfort-2026")
		page := "/gestion/territoires/" + A + "/reseau"

		// Private contacts, one of them shaped as a spreadsheet formula.
		p, _ := st.GetPlace(ctx, f.placeA.ID)
		p.ContactNom, p.ContactTelephone = "=HYPERLINK(\"http://x\")", "06 11 22 33 44"
		if err := st.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
			t.Fatal(err)
		}
		wantInPage(t, "the network page", refA.get(t, f.h, page), "La structure accepte de figurer dans l'annuaire du réseau", "Aucune structure n'a encore accepté")

		// Consent for A; B's place (another territory) is ignored.
		rec := refA.post(t, f.h, page+"/annuaire", url.Values{"annuaire": {f.placeA.ID, f.placeB.ID}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("consents = %d", rec.Code)
		}
		dir, _ := st.Directory(ctx, A)
		if len(dir) != 1 || dir[0].PlaceID != f.placeA.ID || dir[0].ByUser != "referente@broceliande.demo.portrea.fr" {
			t.Fatalf("directory = %+v", dir)
		}
		if c, _ := st.DirectoryConsents(ctx, demo.MontfortSIREN); c[f.placeB.ID] {
			t.Error("a referent recorded the consent of another territory's place")
		}
		rec = refA.get(t, f.h, page)
		wantInPage(t, "the directory", rec, "Version imprimable", "annuaire.csv", f.placeA.Nom, p.ContactEmail, "06 11 22 33 44", `value="`+f.placeA.ID+`" checked`)
		wantInPage(t, "the printable directory", refA.get(t, f.h, page+"/annuaire"), "Annuaire du réseau — ", f.placeA.Nom, p.ContactEmail, "06 11 22 33 44")

		rec = refA.get(t, f.h, page+"/annuaire.csv")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/csv") || !strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
			t.Fatalf("CSV = %d %v", rec.Code, rec.Header())
		}
		csv := rec.Body.String()
		for _, want := range []string{"Structure", "Courriel du contact (privé)", f.placeA.Nom, p.ContactEmail, "06 11 22 33 44", `"'=HYPERLINK(""http://x"")"`} {
			if !strings.Contains(csv, want) {
				t.Errorf("CSV lacks %q:\n%s", want, csv)
			}
		}
		if strings.Contains(csv, f.placeA2.Nom) {
			t.Error("a place without consent is in the CSV")
		}

		// Private data never on public pages.
		for _, path := range []string{"/lieux/" + f.placeA.ID, "/api/v1/lieux", "/api/v1/lieux/" + f.placeA.ID, "/api/v1/lieux?epci=" + A} {
			rec := get(t, f.h, path)
			body := pageText(rec)
			for _, private := range []string{p.ContactEmail, "06 11 22 33 44", "HYPERLINK", "annuaire du réseau"} {
				if strings.Contains(body, private) {
					t.Errorf("%s shows %q", path, private)
				}
			}
		}

		// Another territory's referent and anonymous visitors see nothing.
		for _, path := range []string{page + "/annuaire", page + "/annuaire.csv"} {
			if rec := refB.get(t, f.h, path); rec.Code != http.StatusNotFound || strings.Contains(rec.Body.String(), p.ContactEmail) {
				t.Errorf("referent B GET %s = %d", path, rec.Code)
			}
			if rec := (*boUser)(nil).get(t, f.h, path); rec.Code != http.StatusSeeOther {
				t.Errorf("anonymous GET %s = %d", path, rec.Code)
			}
		}
		if rec := refB.post(t, f.h, page+"/annuaire", nil); rec.Code != http.StatusNotFound {
			t.Errorf("referent B withdrew A's consents: %d", rec.Code)
		}

		// Unchecked: withdrawn.
		refA.post(t, f.h, page+"/annuaire", url.Values{})
		if dir, _ := st.Directory(ctx, A); len(dir) != 0 {
			t.Errorf("withdrawn consent still listed: %+v", dir)
		}
	})
}

package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"portrea/internal/demo"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
)

// extraKeys lists the keys of a territory's asked and retired fields.
func extraKeys(t *testing.T, st *store.Store, epci string) (asked, all []string) {
	t.Helper()
	fs, err := st.ExtraFields(context.Background(), epci)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		asked = append(asked, f.Key)
	}
	ms, err := st.AllExtraFields(context.Background(), epci)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ms {
		all = append(all, f.Key)
	}
	return asked, all
}

func extraFieldID(t *testing.T, st *store.Store, epci, key string) string {
	t.Helper()
	ms, err := st.AllExtraFields(context.Background(), epci)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range ms {
		if f.Key == key {
			return f.ID
		}
	}
	t.Fatalf("no field %s", key)
	return ""
}

// templateHeaders are the first rows of the census template's sheet of places.
func templateHeaders(t *testing.T, u *boUser, h http.Handler, epci string) string {
	t.Helper()
	rec := u.get(t, h, "/gestion/recensement/modele/"+epci)
	if rec.Code != http.StatusOK {
		t.Fatalf("census template: %d", rec.Code)
	}
	wb, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer wb.Close()
	rows, err := wb.GetRows("Lieux")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; i < len(rows) && i < 3; i++ {
		b.WriteString(strings.Join(rows[i], "|") + "\n")
	}
	return b.String()
}

func TestExtraFieldsManagement(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		ctx := context.Background()
		A, B := demo.BroceliandeSIREN, demo.MontfortSIREN
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		refA := loginAs(t, f.h, "referente@broceliande.demo.portrea.fr", "demo-broceliande-2026")
		refB := loginAs(t, f.h, "referent@montfort.demo.portrea.fr", "demo-montfort-2026")
		page := "/gestion/territoires/" + A + "/champs"

		rec := refA.get(t, f.h, page)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET champs = %d", rec.Code)
		}
		wantInPage(t, "the fields page", rec, "Champs complémentaires — ", "Wifi en accès libre", "Oui / non", "Liste de choix", "Oui, Non, Excusé", "Ajouter un champ")
		if rec := hub.get(t, f.h, page); rec.Code != http.StatusOK {
			t.Errorf("hub GET champs = %d", rec.Code)
		}

		// Define: the key comes from the label.
		rec = refA.post(t, f.h, page, url.Values{"libelle": {"Accès PMR (rampe)"}, "type": {"liste"}, "choix": {"Oui\r\nNon\r\n\r\nPartiel\r\nnon"}, "aide": {"Rampe ou plain-pied"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("create = %d: %s", rec.Code, pageText(rec))
		}
		ms, _ := st.AllExtraFields(ctx, A)
		last := ms[len(ms)-1]
		if last.Key != "acces-pmr-rampe" || last.Label != "Accès PMR (rampe)" || last.Kind != place.ExtraChoice ||
			strings.Join(last.Options, "|") != "Oui|Non|Partiel" || last.Help != "Rampe ou plain-pied" || last.Position != 5 {
			t.Errorf("created field = %+v", last)
		}
		// The same label again gets a numbered key; a non-list kind keeps no choices.
		refA.post(t, f.h, page, url.Values{"libelle": {"Accès PMR (rampe)"}, "type": {"texte"}, "choix": {"x"}})
		if _, all := extraKeys(t, st, A); all[len(all)-1] != "acces-pmr-rampe-2" {
			t.Errorf("keys = %v", all)
		}
		ms, _ = st.AllExtraFields(ctx, A)
		if len(ms[len(ms)-1].Options) != 0 {
			t.Errorf("a text field kept choices: %+v", ms[len(ms)-1])
		}

		// Refused definitions, in French, and nothing created.
		for _, c := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"libelle": {""}, "type": {"texte"}}, "Libellé : obligatoire"},
			{url.Values{"libelle": {"?!"}, "type": {"texte"}}, "au moins une lettre ou un chiffre"},
			{url.Values{"libelle": {"Couleur"}, "type": {"couleur"}}, "Type : « couleur » inconnu"},
			{url.Values{"libelle": {"Publics"}, "type": {"liste"}, "choix": {" \r\n"}}, "Choix : une liste de choix doit proposer au moins un choix"},
		} {
			rec := refA.post(t, f.h, page, c.form)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%v = %d, want 422", c.form, rec.Code)
				continue
			}
			wantInPage(t, "a refused field", rec, "Le champ n'a pas été ajouté", c.want)
			if !strings.Contains(rec.Body.String(), `aria-invalid="true"`) {
				t.Errorf("%v: no field marked invalid", c.form)
			}
		}
		if _, all := extraKeys(t, st, A); len(all) != 6 {
			t.Errorf("refused definitions created fields: %v", all)
		}

		// Edit label, help and choices; the kind stays.
		id := extraFieldID(t, st, A, "acces-pmr-rampe")
		rec = refA.post(t, f.h, page+"/"+id, url.Values{"libelle": {"Accès en fauteuil"}, "type": {"texte"}, "choix": {"Oui\nNon"}, "aide": {""}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("edit = %d: %s", rec.Code, pageText(rec))
		}
		ms, _ = st.AllExtraFields(ctx, A)
		if e := ms[4]; e.Label != "Accès en fauteuil" || e.Kind != place.ExtraChoice || strings.Join(e.Options, "|") != "Oui|Non" || e.Help != "" {
			t.Errorf("edited field = %+v", e)
		}
		rec = refA.post(t, f.h, page+"/"+id, url.Values{"libelle": {" "}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("empty label edit = %d", rec.Code)
		}
		wantInPage(t, "a refused edit", rec, "Le champ n'a pas été modifié", "Libellé : obligatoire")

		// Reorder: up twice, then the first down once.
		refA.post(t, f.h, page+"/"+id+"/monter", nil)
		refA.post(t, f.h, page+"/"+id+"/monter", nil)
		refA.post(t, f.h, page+"/"+extraFieldID(t, st, A, "wifi")+"/descendre", nil)
		if asked, _ := extraKeys(t, st, A); strings.Join(asked, " ") != "nb-postes wifi acces-pmr-rampe breton journee acces-pmr-rampe-2" {
			t.Errorf("order = %v", asked)
		}

		// Retire: no longer asked anywhere, the values kept.
		p, _ := st.GetPlace(ctx, f.placeA.ID)
		p.Extra = map[string]string{"wifi": "oui", "nb-postes": "3"}
		if err := st.UpdatePlace(ctx, p, store.Write{Actor: place.Actor{Kind: place.ActorSystem, Name: "test"}}); err != nil {
			t.Fatal(err)
		}
		editor := "/gestion/lieux/" + f.placeA.ID
		if !strings.Contains(refA.get(t, f.h, editor).Body.String(), `name="extra.wifi"`) || !strings.Contains(templateHeaders(t, refA, f.h, A), "Wifi en accès libre") {
			t.Fatal("wifi not asked before it is retired")
		}
		wifi := extraFieldID(t, st, A, "wifi")
		if rec := refA.post(t, f.h, page+"/"+wifi+"/retirer", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("retire = %d", rec.Code)
		}
		if asked, all := extraKeys(t, st, A); strings.Contains(strings.Join(asked, " "), "wifi") || len(all) != 6 {
			t.Errorf("after retiring: asked %v, all %v", asked, all)
		}
		if strings.Contains(refA.get(t, f.h, editor).Body.String(), `name="extra.wifi"`) {
			t.Error("the editor still asks a retired field")
		}
		if h := templateHeaders(t, refA, f.h, A); strings.Contains(h, "Wifi en accès libre") || !strings.Contains(h, "Nombre de postes en accès libre") {
			t.Errorf("census template headers after retiring wifi:\n%s", h)
		}
		wantInPage(t, "the fields page", refA.get(t, f.h, page), "Retiré le", "Rétablir")
		if p, _ := st.GetPlace(ctx, f.placeA.ID); p.Extra["wifi"] != "oui" {
			t.Errorf("the retired value is lost: %v", p.Extra)
		}
		// Restore.
		refA.post(t, f.h, page+"/"+wifi+"/restaurer", nil)
		if !strings.Contains(refA.get(t, f.h, editor).Body.String(), `name="extra.wifi"`) {
			t.Error("a restored field is not asked")
		}

		// Another territory's referent: 404 everywhere; anonymous: login.
		for _, c := range []struct{ method, path string }{
			{"GET", page}, {"POST", page}, {"POST", page + "/" + wifi}, {"POST", page + "/" + wifi + "/retirer"},
			{"POST", page + "/" + wifi + "/monter"}, {"GET", "/gestion/territoires/000000000/champs"},
		} {
			var rec = refB.get(t, f.h, c.path)
			if c.method == "POST" {
				rec = refB.post(t, f.h, c.path, url.Values{"libelle": {"Intrus"}, "type": {"texte"}})
			}
			if rec.Code != http.StatusNotFound {
				t.Errorf("referent B %s %s = %d, want 404", c.method, c.path, rec.Code)
			}
		}
		// A's field through B's URL is not found either.
		if rec := refB.post(t, f.h, "/gestion/territoires/"+B+"/champs/"+wifi+"/retirer", nil); rec.Code != http.StatusNotFound {
			t.Errorf("A's field through B's page = %d", rec.Code)
		}
		if asked, _ := extraKeys(t, st, A); len(asked) != 6 {
			t.Errorf("referent B changed A's fields: %v", asked)
		}
		if rec := (*boUser)(nil).get(t, f.h, page); rec.Code != http.StatusSeeOther {
			t.Errorf("anonymous = %d", rec.Code)
		}
		// No CSRF token, no change.
		if rec := refA.post(t, f.h, page+"/"+wifi+"/retirer", url.Values{"csrf": {"faux"}}); rec.Code != http.StatusForbidden {
			t.Errorf("forged retire = %d", rec.Code)
		}
	})
}

// TestExtraFieldRetiredSelfUpdate: the update link's form no longer asks
// a retired field, and sending it back keeps the field's value.
func TestExtraFieldRetiredSelfUpdate(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newLinkEnv(t, st)
		if err := demo.SeedAccounts(context.Background(), st); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.page(t, e.secretA), `name="extra.wifi"`) {
			t.Fatal("the link's form does not ask wifi")
		}
		refA := loginAs(t, e.h, "referente@broceliande.demo.portrea.fr", "demo-broceliande-2026")
		wifi := extraFieldID(t, st, demo.BroceliandeSIREN, "wifi")
		if rec := refA.post(t, e.h, "/gestion/territoires/"+demo.BroceliandeSIREN+"/champs/"+wifi+"/retirer", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("retire = %d", rec.Code)
		}
		body := e.page(t, e.secretA)
		if strings.Contains(body, `name="extra.wifi"`) {
			t.Error("the link's form asks a retired field")
		}
		form := editForm(t, body)
		form.Set("telephone", "02 99 06 81 99")
		if rec := e.do(t, "POST", "/maj/"+e.secretA, form); rec.Code != http.StatusSeeOther {
			t.Fatalf("self-update = %d: %s", rec.Code, pageText(rec))
		}
		if p := e.place(t, e.a.ID); p.Extra["wifi"] != "oui" {
			t.Errorf("the retired value is lost after a self-update: %v", p.Extra)
		}
	})
}

package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"portrea/internal/account"
	"portrea/internal/demo"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

const (
	brestSIREN    = "242900314" // Brest Métropole, in contact in the demo
	saintMaloSIRE = "243500782" // CA du Pays de Saint Malo Agglomération
)

var pipelineRowID = regexp.MustCompile(`<tr id="t-(\d{9})"`)

// pipelineOrder is the SIRENs of the pipeline page's rows, in order.
func pipelineOrder(body string) []string {
	var out []string
	for _, m := range pipelineRowID.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// setPhaseAt moves a territory to a phase as if it happened at when.
func setPhaseAt(t *testing.T, st *store.Store, epci string, p territory.Phase, when time.Time) {
	t.Helper()
	st.SetClock(func() time.Time { return when })
	defer st.SetClock(func() time.Time { return testNow })
	if _, err := st.ChangePhase(context.Background(), epci, p, "hub@demo.portrea.fr", ""); err != nil {
		t.Fatal(err)
	}
}

func TestPipelineListsAndFlags(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		// Brest has been in engagement for 6 weeks: late; Saint-Malo for 2.
		setPhaseAt(t, st, brestSIREN, territory.PhaseEngagement, testNow.AddDate(0, 0, -42))
		setPhaseAt(t, st, saintMaloSIRE, territory.PhaseEngagement, testNow.AddDate(0, 0, -14))

		rec := hub.get(t, f.h, "/gestion/deploiement")
		if rec.Code != http.StatusOK {
			t.Fatalf("pipeline: %d", rec.Code)
		}
		body := rec.Body.String()
		if got, want := len(pipelineOrder(body)), len(territory.Default().EPCIsInRegion("53")); got != want {
			t.Errorf("pipeline lists %d territories, want the %d EPCIs of Brittany", got, want)
		}
		for _, want := range []string{"Brest Métropole", "Exploitation", "Déploiement de la journée collaborative", "Contact", "Engagement",
			"Gwenaëlle Référente (institutionnel·le)", "6,0 sem.", "en retard", `href="/gestion/deploiement.csv"`} {
			if !strings.Contains(body, want) {
				t.Errorf("pipeline lacks %q", want)
			}
		}

		late := pipelineOrder(hub.get(t, f.h, "/gestion/deploiement?retard=1").Body.String())
		if len(late) != 1 || late[0] != brestSIREN {
			t.Errorf("late only: %v, want Brest alone", late)
		}
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"phase=exploitation", []string{demo.BroceliandeSIREN}},
			{"phase=engagement&tri=duree", []string{brestSIREN, saintMaloSIRE}},
			{"strategie=outil", []string{demo.MontfortSIREN}},
			{"phase=deploiement", []string{demo.MontfortSIREN}},
		} {
			if got := pipelineOrder(hub.get(t, f.h, "/gestion/deploiement?"+c.query).Body.String()); strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Errorf("%s: %v, want %v", c.query, got, c.want)
			}
		}
		// Sorting: by time in phase Brocéliande (8 months) comes first; by
		// places the two demo territories lead; by phase exploitation first.
		for _, c := range []struct{ tri, first string }{{"duree", demo.BroceliandeSIREN}, {"phase", demo.BroceliandeSIREN}, {"lieux", demo.BroceliandeSIREN}} {
			if got := pipelineOrder(hub.get(t, f.h, "/gestion/deploiement?tri="+c.tri).Body.String()); len(got) == 0 || got[0] != c.first {
				t.Errorf("sorted by %s: starts with %v", c.tri, got[:min(3, len(got))])
			}
		}
		byName := pipelineOrder(body)
		if i, j := indexOf(byName, brestSIREN), indexOf(byName, saintMaloSIRE); i < 0 || j < 0 || i > j {
			t.Errorf("by name, Brest (%d) is not before Saint-Malo (%d)", i, j)
		}

		csv := hub.get(t, f.h, "/gestion/deploiement.csv?phase=engagement&tri=duree")
		if ct := csv.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(csv.Header().Get("Content-Disposition"), "deploiement-2026-11-26.csv") {
			t.Errorf("CSV headers: %q %q", ct, csv.Header().Get("Content-Disposition"))
		}
		lines := strings.Split(strings.TrimSpace(csv.Body.String()), "\r\n")
		if len(lines) != 3 || !strings.HasPrefix(lines[0], `"SIREN","Territoire"`) || !strings.Contains(lines[0], `"En retard"`) ||
			!strings.HasPrefix(lines[1], `"`+brestSIREN+`","Brest Métropole"`) || !strings.Contains(lines[1], `"Engagement","2026-10-15","6.0","3 à 4 semaines","oui"`) ||
			!strings.Contains(lines[2], `"non"`) {
			t.Errorf("CSV:\n%s", csv.Body.String())
		}
	})
}

func indexOf(xs []string, x string) int {
	for i, y := range xs {
		if y == x {
			return i
		}
	}
	return -1
}

func TestPipelineHubOnly(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		f := newBOFixture(t, st)
		refA := loginAs(t, f.h, account_(1).Email, account_(1).Password)
		A := demo.BroceliandeSIREN
		for _, path := range []string{"/gestion/deploiement", "/gestion/deploiement.csv", "/gestion/deploiement/" + A} {
			if rec := refA.get(t, f.h, path); rec.Code != http.StatusForbidden {
				t.Errorf("referent GET %s: %d, want 403", path, rec.Code)
			}
			if rec := (*boUser)(nil).get(t, f.h, path); rec.Code != http.StatusSeeOther {
				t.Errorf("anonymous GET %s: %d, want 303 to the login", path, rec.Code)
			}
		}
		for _, path := range []string{"/phase", "/journal", "/referents"} {
			rec := refA.post(t, f.h, "/gestion/deploiement/"+A+path, url.Values{"phase": {"contact"}, "type": {"reunion"}, "date": {"2026-11-20"}, "email": {"x@example.org"}})
			if rec.Code != http.StatusForbidden {
				t.Errorf("referent POST %s: %d, want 403", path, rec.Code)
			}
		}
		if d, _ := st.Deployment(context.Background(), A); d.Phase != territory.PhaseExploitation {
			t.Errorf("a referent moved the territory to %s", d.Phase)
		}
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		if rec := hub.get(t, f.h, "/gestion/deploiement/123456789"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown EPCI: %d, want 404", rec.Code)
		}
	})
}

func TestPipelineTimeline(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		f := newBOFixture(t, st)
		hub := loginAs(t, f.h, account_(0).Email, account_(0).Password)
		base := "/gestion/deploiement/" + brestSIREN

		// The presentation meeting, then the decision, then the phase.
		rec := hub.post(t, f.h, base+"/journal", url.Values{"type": {"reunion"}, "date": {"2026-11-20"}, "note": {"Présentation aux élus"}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("meeting: %d %s", rec.Code, rec.Body.String())
		}
		for _, c := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"type": {"reunion"}, "date": {"20/11/2026"}}, "Date invalide"},
			{url.Values{"type": {"decision"}, "date": {"2026-11-24"}}, "Décrivez la décision"},
			{url.Values{"type": {"autre"}, "date": {"2026-11-24"}}, "Choisissez ce que vous enregistrez"},
		} {
			if rec := hub.post(t, f.h, base+"/journal", c.form); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.want) {
				t.Errorf("journal %v: %d, lacks %q", c.form, rec.Code, c.want)
			}
		}
		if rec := hub.post(t, f.h, base+"/journal", url.Values{"type": {"decision"}, "date": {"2026-11-24"}, "note": {"Le conseil communautaire s'engage"}}); rec.Code != http.StatusSeeOther {
			t.Fatalf("decision: %d", rec.Code)
		}
		rec = hub.post(t, f.h, base+"/phase", url.Values{"phase": {"engagement"}, "note": {"Délibération du 24 novembre"}})
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != base+"?ok=phase#chronologie" {
			t.Fatalf("phase change: %d %q", rec.Code, rec.Header().Get("Location"))
		}
		d, err := st.Deployment(ctx, brestSIREN)
		if err != nil || d.Phase != territory.PhaseEngagement || !d.PhaseSince.Equal(testNow) {
			t.Errorf("after the change: %+v, %v", d, err)
		}
		es, err := st.Journal(ctx, brestSIREN)
		if err != nil {
			t.Fatal(err)
		}
		var phases []territory.JournalEntry
		for _, e := range es {
			if e.Kind == territory.JournalPhase {
				phases = append(phases, e)
			}
		}
		if len(es) != 3 || len(phases) != 1 || phases[0].Phase != territory.PhaseEngagement || phases[0].By != account_(0).Email || phases[0].Note != "Délibération du 24 novembre" {
			t.Errorf("journal: %+v", es)
		}
		for _, c := range []struct{ phase, want string }{{"engagement", "déjà en phase « Engagement »"}, {"fin", "Choisissez une phase"}} {
			if rec := hub.post(t, f.h, base+"/phase", url.Values{"phase": {c.phase}}); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), c.want) {
				t.Errorf("phase %s: %d, lacks %q", c.phase, rec.Code, c.want)
			}
		}

		// A referent named from the timeline: an account like /gestion/utilisateurs opens.
		rec = hub.post(t, f.h, base+"/referents", url.Values{"email": {"Referente@Brest.example.org"}, "nom": {"Morgane Le Bris"}, "type": {"institutionnel"}})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "/compte/activer?") {
			t.Fatalf("referent: %d %s", rec.Code, rec.Body.String())
		}
		u, err := st.UserByEmail(ctx, "referente@brest.example.org")
		if err != nil || u.Role != account.RoleReferent || len(u.Territories) != 1 || u.Territories[0].EPCI != brestSIREN || u.Territories[0].Kind != account.KindInstitutional {
			t.Errorf("referent account: %+v, %v", u, err)
		}
		mails, _ := st.Outbox(ctx, false, 50)
		if len(mails) == 0 || mails[0].To != "referente@brest.example.org" {
			t.Errorf("no activation mail for the referent: %+v", mails)
		}
		if rec := hub.post(t, f.h, base+"/referents", url.Values{"email": {"referente@brest.example.org"}, "type": {"associatif"}}); rec.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(rec.Body.String(), "Un compte existe déjà") {
			t.Errorf("same referent again: %d", rec.Code)
		}
		if rec := hub.post(t, f.h, base+"/referents", url.Values{"email": {"pas-une-adresse"}}); rec.Code != http.StatusUnprocessableEntity ||
			!strings.Contains(rec.Body.String(), "invalide") {
			t.Errorf("wrong address: %d", rec.Code)
		}

		page := hub.get(t, f.h, base+"?ok=phase").Body.String()
		for _, want := range []string{"Phase enregistrée.", "Réunion de présentation", "20 novembre 2026", "Présentation aux élus", "Décision de l&#39;EPCI",
			"Entrée en phase Engagement", "26 novembre 2026", "Morgane Le Bris (institutionnel·le)", base + "/strategie", "3 à 4 semaines"} {
			if !strings.Contains(page, want) {
				t.Errorf("timeline lacks %q", want)
			}
		}
		if i, j := strings.Index(page, "Présentation aux élus"), strings.Index(page, "Entrée en phase Engagement"); i < 0 || j < i {
			t.Error("the timeline is not in chronological order")
		}
	})
}

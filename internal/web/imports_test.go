package web

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"

	"portrea/internal/demo"
	"portrea/internal/geocode/geocodetest"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/store/storetest"
	"portrea/internal/territory"
)

// importEnv is the demo territory with its accounts, behind a server whose
// geocoder is a local fake (the census preview geocodes addresses).
type importEnv struct {
	st *store.Store
	h  http.Handler
}

func newImportEnv(t *testing.T, st *store.Store) *importEnv {
	t.Helper()
	ctx := context.Background()
	st.SetClock(func() time.Time { return testNow })
	if _, err := demo.Seed(ctx, st, territory.Default(), testNow); err != nil {
		t.Fatal(err)
	}
	if err := demo.SeedAccounts(ctx, st); err != nil {
		t.Fatal(err)
	}
	geo := geocodetest.Start(t)
	return &importEnv{st: st, h: newTestServer(t, st, geo.URL).routes()}
}

// Demo referents of the two territories (internal/demo/accounts.go).
const (
	montfortReferentEmail    = "referent@montfort.demo.portrea.fr"
	montfortReferentPassword = "demo-montfort-2026"
)

// multipartUpload is the census upload form as a browser sends it: the
// fields as given, then the file.
func multipartUpload(t *testing.T, fields url.Values, name string, data []byte) (*bytes.Buffer, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("fichier", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &body, mw.FormDataContentType()
}

// postUpload sends the upload form with exactly these fields.
func (u *boUser) postUpload(t *testing.T, h http.Handler, fields url.Values, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	body, ctype := multipartUpload(t, fields, name, data)
	req := httptest.NewRequest("POST", "/gestion/recensement/imports", body)
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(u.cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// upload sends a file of Brocéliande's census with the session's token.
func (u *boUser) upload(t *testing.T, h http.Handler, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	return u.postUpload(t, h, url.Values{"csrf": {u.csrf}, "epci": {demo.BroceliandeSIREN}, "mode": {"import"}}, name, data)
}

// importID is the id of the import an upload redirected to; colonnes says
// whether it was sent to the column mapping first.
func importID(t *testing.T, rec *httptest.ResponseRecorder) (id string, colonnes bool) {
	t.Helper()
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("upload: status %d, want a redirect: %s", rec.Code, pageText(rec))
	}
	rest, ok := strings.CutPrefix(rec.Header().Get("Location"), "/gestion/recensement/imports/")
	if !ok || rest == "" {
		t.Fatalf("upload redirected to %q", rec.Header().Get("Location"))
	}
	id, colonnes = strings.CutSuffix(rest, "/colonnes")
	return id, colonnes
}

// importProgressState is the answer of …/etat.
type importProgressState struct {
	Statut  string `json:"statut"`
	EnCours bool   `json:"en_cours"`
	Etape   string `json:"etape"`
	Fait    int    `json:"fait"`
	Total   int    `json:"total"`
}

// waitImport polls the import's progress, as its page does, until the
// background work is over, and returns the last state.
func (u *boUser) waitImport(t *testing.T, h http.Handler, id string) importProgressState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		rec := u.get(t, h, "/gestion/recensement/imports/"+id+"/etat")
		if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Fatalf("progress of %s: %d %s", id, rec.Code, rec.Body)
		}
		var s importProgressState
		if err := json.Unmarshal(rec.Body.Bytes(), &s); err != nil {
			t.Fatalf("progress of %s: %v: %s", id, err, rec.Body)
		}
		if !s.EnCours {
			return s
		}
		if s.Fait > s.Total || s.Etape == "" {
			t.Errorf("progress while running: %+v", s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("import %s still running after 30 s: %+v", id, s)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// pageText is a response's body with the HTML entities decoded, so that
// French apostrophes can be looked for as typed.
func pageText(rec *httptest.ResponseRecorder) string { return html.UnescapeString(rec.Body.String()) }

func wantInPage(t *testing.T, what string, rec *httptest.ResponseRecorder, wants ...string) {
	t.Helper()
	text := pageText(rec)
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
	if t.Failed() {
		t.Logf("%s:\n%s", what, text)
	}
}

func cp1252(t *testing.T, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func broceliandePlaces(t *testing.T, st *store.Store) map[string]*place.Place {
	t.Helper()
	out := map[string]*place.Place{}
	if err := st.EachPlaceOfTerritory(context.Background(), demo.BroceliandeSIREN, func(p *place.Place) error {
		out[p.Nom] = p
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func countAllPlaces(t *testing.T, st *store.Store) int {
	t.Helper()
	n, err := st.CountPlaces(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func allImports(t *testing.T, st *store.Store) []*store.Import {
	t.Helper()
	ims, err := st.Imports(context.Background(), nil, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ims
}

// censusCSV is a census as a referent's spreadsheet saves it: Windows-1252,
// ";", CRLF; opening hours in prose (one readable, one not), and a row
// outside the territory.
const censusCSV = "Nom;Adresse;Code postal;Commune;Téléphone;Horaires;Courriel\r\n" +
	"Atelier numérique des Forges;9 rue des Forges;35380;Plélan-le-Grand;02 99 06 81 41;du lundi au vendredi de 9h à 12h et de 14h à 17h;atelier@forges.example.org\r\n" +
	"Point numérique de Rennes;10 rue de la Monnaie;35000;Rennes;02 99 00 00 01;Mo-Fr 09:00-17:00;\r\n" +
	"Repair café de Maxent;15 rue du Stade;35380;Maxent;06 12 34 56 78;sur rendez-vous, se renseigner en mairie;\r\n"

func TestImportCensusFileThenCommit(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newImportEnv(t, st)
		ref := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		before := countAllPlaces(t, st)

		id, colonnes := importID(t, ref.upload(t, e.h, "recensement Plélan.csv", cp1252(t, censusCSV)))
		if colonnes {
			t.Fatal("a file with the national columns was sent to the column mapping")
		}
		if s := ref.waitImport(t, e.h, id); s.Statut != store.ImportPreviewed {
			t.Fatalf("after the preview: %+v", s)
		}
		if n := countAllPlaces(t, st); n != before {
			t.Fatalf("the preview wrote places: %d → %d", before, n)
		}

		// The preview shows the rows in error first, with their reason.
		page := ref.get(t, e.h, "/gestion/recensement/imports/"+id)
		if page.Code != http.StatusOK {
			t.Fatalf("import page: %d", page.Code)
		}
		wantInPage(t, "the preview", page,
			"CSV, encodage Windows-1252, séparateur « ; »",
			"3 lignes lues — Sera créé : 2, Erreur : 1",
			"Sera créé (2)", "Erreur (1)", `aria-current="true">Erreur (1)`,
			"Point numérique de Rennes", "n'appartient pas au territoire CC Brocéliande",
			"Valider l'import", "/gestion/recensement/imports/"+id+"/rapport.csv")
		if text := pageText(page); strings.Contains(text, "Atelier numérique des Forges") {
			t.Error("the rows to create are listed under the errors")
		}
		// The rows to create, with the hours read from prose and the ones
		// left to the referent.
		creates := ref.get(t, e.h, "/gestion/recensement/imports/"+id+"?action=creation")
		wantInPage(t, "the rows to create", creates, "Atelier numérique des Forges", "Repair café de Maxent", "Horaires à revoir",
			`aria-current="true">Sera créé (2)`)
		if strings.Contains(pageText(creates), "Point numérique de Rennes") {
			t.Error("the row in error is listed under the rows to create")
		}

		// The report gives the refused row back with its original cells.
		rep := ref.get(t, e.h, "/gestion/recensement/imports/"+id+"/rapport.csv")
		if rep.Code != http.StatusOK || !strings.HasPrefix(rep.Header().Get("Content-Type"), "text/csv") {
			t.Fatalf("report: %d %s", rep.Code, rep.Header().Get("Content-Type"))
		}
		if cd := rep.Header().Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "lignes-non-importees.csv") {
			t.Errorf("report disposition %q", cd)
		}
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(rep.Body.String(), "\ufeff")))
		r.Comma = ';'
		rows, err := r.ReadAll()
		if err != nil {
			t.Fatalf("report: %v\n%s", err, rep.Body)
		}
		wantHeader := []string{"Ligne du fichier", "Résultat", "Raisons", "Nom", "Adresse", "Code postal", "Commune", "Téléphone", "Horaires", "Courriel"}
		if len(rows) != 2 || strings.Join(rows[0], "|") != strings.Join(wantHeader, "|") {
			t.Fatalf("report rows:\n%q", rows)
		}
		wantRow := []string{"3", "Erreur", "", "Point numérique de Rennes", "10 rue de la Monnaie", "35000", "Rennes", "02 99 00 00 01", "Mo-Fr 09:00-17:00", ""}
		got := rows[1]
		if !strings.Contains(got[2], "n'appartient pas au territoire") {
			t.Errorf("report reason %q", got[2])
		}
		got[2] = ""
		if strings.Join(got, "|") != strings.Join(wantRow, "|") {
			t.Errorf("report row\n%q, want\n%q", got, wantRow)
		}

		// Commit, in the background.
		if rec := ref.post(t, e.h, "/gestion/recensement/imports/"+id+"/valider", nil); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/gestion/recensement/imports/"+id {
			t.Fatalf("commit: %d → %q", rec.Code, rec.Header().Get("Location"))
		}
		if s := ref.waitImport(t, e.h, id); s.Statut != store.ImportCommitted {
			t.Fatalf("after the commit: %+v", s)
		}
		wantInPage(t, "the committed import", ref.get(t, e.h, "/gestion/recensement/imports/"+id), "Import validé : 2 lieux créés, 0 mis à jour")
		if n := countAllPlaces(t, st); n != before+2 {
			t.Errorf("%d places after the commit, want %d", n, before+2)
		}
		byName := broceliandePlaces(t, st)
		forges, maxent := byName["Atelier numérique des Forges"], byName["Repair café de Maxent"]
		if forges == nil || maxent == nil {
			t.Fatal("the imported places are not in Brocéliande")
		}
		if forges.Horaires != "Mo-Fr 09:00-12:00,14:00-17:00" || forges.Telephone != "+33299068141" || forges.CodeInsee != "35223" ||
			len(forges.Courriels) != 1 || forges.Courriels[0] != "atelier@forges.example.org" {
			t.Errorf("Atelier des Forges: %+v", forges)
		}
		if maxent.Horaires != "" || !strings.Contains(maxent.Notes, "sur rendez-vous") || maxent.CodeInsee != "35169" {
			t.Errorf("the unreadable hours must be kept aside: %+v", maxent)
		}
		hist, err := st.PlaceHistory(context.Background(), forges.ID)
		if err != nil || len(hist) != 1 || hist[0].Actor.Kind != place.ActorImport || !strings.Contains(hist[0].Actor.Name, boReferentEmail) {
			t.Errorf("history of an imported place: %+v, %v", hist, err)
		}
		if _, ok := broceliandePlaces(t, st)["Point numérique de Rennes"]; ok {
			t.Error("the row in error was imported")
		}

		// Committing again writes nothing more.
		if rec := ref.post(t, e.h, "/gestion/recensement/imports/"+id+"/valider", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("second commit: %d", rec.Code)
		}
		ref.waitImport(t, e.h, id)
		if n := countAllPlaces(t, st); n != before+2 {
			t.Errorf("%d places after a second commit, want %d", n, before+2)
		}
		page = ref.get(t, e.h, "/gestion/recensement/imports/"+id)
		wantInPage(t, "the import after a second commit", page, "Import validé : 2 lieux créés")
		if strings.Contains(pageText(page), "Valider l'import") {
			t.Error("a committed import still offers to commit")
		}

		// The census page lists the import as committed.
		wantInPage(t, "the census page", ref.get(t, e.h, "/gestion/recensement"), "recensement Plélan.csv", "validé")
	})
}

func TestCensusTemplateDownload(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newImportEnv(t, st)
		ref := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		page := ref.get(t, e.h, "/gestion/recensement")
		wantInPage(t, "the census page", page, `href="/gestion/recensement/modele/`+demo.BroceliandeSIREN+`"`, `name="fichier"`)
		if strings.Contains(page.Body.String(), "/gestion/recensement/modele/"+demo.MontfortSIREN) {
			t.Error("the referent of Brocéliande is offered Montfort's template")
		}

		rec := ref.get(t, e.h, "/gestion/recensement/modele/"+demo.BroceliandeSIREN)
		if rec.Code != http.StatusOK {
			t.Fatalf("template: %d", rec.Code)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
			t.Errorf("template content type %q", ct)
		}
		if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".xlsx") {
			t.Errorf("template disposition %q", cd)
		}
		wb, err := excelize.OpenReader(bytes.NewReader(rec.Body.Bytes()))
		if err != nil {
			t.Fatalf("the template does not open: %v", err)
		}
		defer wb.Close()
		sheets := strings.Join(wb.GetSheetList(), "|")
		for _, s := range []string{"Instructions", "Lieux", "Listes"} {
			if !strings.Contains("|"+sheets+"|", "|"+s+"|") {
				t.Errorf("template sheets %s, want %s", sheets, s)
			}
		}

		for _, path := range []string{"/gestion/recensement/modele/" + demo.MontfortSIREN, "/gestion/recensement/modele/000000000"} {
			if rec := ref.get(t, e.h, path); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s as Brocéliande's referent: %d, want 404", path, rec.Code)
			}
		}
	})
}

// TestImportPermissions: an import belongs to its territory.
func TestImportPermissions(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newImportEnv(t, st)
		refA := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		refB := loginAs(t, e.h, montfortReferentEmail, montfortReferentPassword)
		hub := loginAs(t, e.h, boHubEmail, boHubPassword)
		id, _ := importID(t, refA.upload(t, e.h, "recensement.csv", cp1252(t, censusCSV)))
		refA.waitImport(t, e.h, id)
		before := countAllPlaces(t, st)

		base := "/gestion/recensement/imports/" + id
		for _, p := range []string{base, base + "/etat", base + "/rapport.csv", base + "/colonnes", base + "?action=creation"} {
			if rec := refB.get(t, e.h, p); rec.Code != http.StatusNotFound {
				t.Errorf("GET %s as Montfort's referent: %d, want 404", p, rec.Code)
			} else if strings.Contains(rec.Body.String(), "Point numérique") {
				t.Errorf("GET %s as Montfort's referent shows the file's rows", p)
			}
			if rec := hub.get(t, e.h, p); rec.Code != http.StatusOK {
				t.Errorf("GET %s as the hub: %d", p, rec.Code)
			}
		}
		for _, p := range []string{base + "/valider", base + "/apercu", base + "/colonnes"} {
			form := url.Values{"col0": {"nom"}}
			if rec := refB.post(t, e.h, p, form); rec.Code != http.StatusNotFound {
				t.Errorf("POST %s as Montfort's referent: %d, want 404", p, rec.Code)
			}
		}
		if s := refA.waitImport(t, e.h, id); s.Statut != store.ImportPreviewed {
			t.Errorf("after Montfort's attempts the import is %+v", s)
		}
		if n := countAllPlaces(t, st); n != before {
			t.Errorf("Montfort's referent committed: %d → %d places", before, n)
		}
		if strings.Contains(refB.get(t, e.h, "/gestion/recensement").Body.String(), id) {
			t.Error("Montfort's census page lists Brocéliande's import")
		}
		if rec := refB.get(t, e.h, "/gestion/recensement/imports/inconnu"); rec.Code != http.StatusNotFound {
			t.Errorf("unknown import: %d", rec.Code)
		}
		// Nor may anyone upload for a territory that is not theirs.
		rec := refB.postUpload(t, e.h, url.Values{"csrf": {refB.csrf}, "epci": {demo.BroceliandeSIREN}, "mode": {"import"}}, "x.csv", cp1252(t, censusCSV))
		if rec.Code != http.StatusUnprocessableEntity || len(allImports(t, st)) != 1 {
			t.Errorf("upload for another territory: %d, %d imports", rec.Code, len(allImports(t, st)))
		}
	})
}

func TestImportNeedsCSRFToken(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newImportEnv(t, st)
		ref := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		for name, fields := range map[string]url.Values{
			"no token":    {"epci": {demo.BroceliandeSIREN}, "mode": {"import"}},
			"wrong token": {"csrf": {"x" + ref.csrf}, "epci": {demo.BroceliandeSIREN}, "mode": {"import"}},
		} {
			rec := ref.postUpload(t, e.h, fields, "recensement.csv", cp1252(t, censusCSV))
			if rec.Code != http.StatusForbidden {
				t.Errorf("%s: %d, want 403", name, rec.Code)
			}
			wantInPage(t, name, rec, "jeton de sécurité")
		}
		if ims := allImports(t, st); len(ims) != 0 {
			t.Errorf("uploads without the token were recorded: %d imports", len(ims))
		}
		// Nor is an import committed without it.
		id, _ := importID(t, ref.upload(t, e.h, "recensement.csv", cp1252(t, censusCSV)))
		ref.waitImport(t, e.h, id)
		before := countAllPlaces(t, st)
		if rec := ref.post(t, e.h, "/gestion/recensement/imports/"+id+"/valider", url.Values{"csrf": {"faux"}}); rec.Code != http.StatusForbidden {
			t.Errorf("commit with a wrong token: %d", rec.Code)
		}
		if s := ref.waitImport(t, e.h, id); s.Statut != store.ImportPreviewed || countAllPlaces(t, st) != before {
			t.Errorf("committed without the token: %+v", s)
		}
	})
}

func TestImportRefusedFiles(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newImportEnv(t, st)
		ref := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		before := countAllPlaces(t, st)

		big := bytes.Repeat([]byte("nom;adresse\r\nx;y\r\n"), 60<<20/18)
		rec := ref.upload(t, e.h, "enorme.csv", big)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("60 MB: %d, want 413", rec.Code)
		}
		wantInPage(t, "the 60 MB upload", rec, "dépasse la limite de 50 Mo", "rien n'a été enregistré")

		// The same without a Content-Length (chunked): the limit is met
		// while reading the form, and still said as such.
		body, ctype := multipartUpload(t, url.Values{"csrf": {ref.csrf}, "epci": {demo.BroceliandeSIREN}}, "enorme.csv", big)
		req := httptest.NewRequest("POST", "/gestion/recensement/imports", io.NopCloser(body))
		req.ContentLength = -1
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		req.AddCookie(ref.cookie)
		chunked := httptest.NewRecorder()
		e.h.ServeHTTP(chunked, req)
		if chunked.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("60 MB without a length: %d, want 413", chunked.Code)
		}

		for _, c := range []struct {
			name string
			data []byte
			want string
		}{
			{"vide.csv", nil, "Fichier refusé, rien n'a été enregistré : le fichier « vide.csv » est vide."},
			{"abime.xlsx", append([]byte("PK\x03\x04"), bytes.Repeat([]byte{0x42}, 500)...), "illisible"},
			{"faux.xlsx", []byte("ceci n'est pas un classeur"), "n'est pas un classeur Excel lisible"},
			{"entetes.csv", []byte("nom;adresse;commune\r\n"), "aucune ligne de lieu à importer"},
		} {
			rec := ref.upload(t, e.h, c.name, c.data)
			if rec.Code != http.StatusUnprocessableEntity {
				t.Errorf("%s: %d, want 422", c.name, rec.Code)
			}
			wantInPage(t, c.name, rec, c.want, `role="alert"`, `name="fichier"`)
		}
		if ims := allImports(t, st); len(ims) != 0 || countAllPlaces(t, st) != before {
			t.Errorf("refused files left %d imports, %d → %d places", len(ims), before, countAllPlaces(t, st))
		}
	})
}

// mappedCSV is a partner's table with columns of its own.
const mappedHeader = "Structure;Ville;CP;Adresse postale;Tél.;Mail;Colonne maison\r\n"

func TestImportColumnMappingRemembered(t *testing.T) {
	storetest.Run(t, func(t *testing.T, st *store.Store) {
		e := newImportEnv(t, st)
		ref := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		first := mappedHeader + "France services des Forges;Plélan-le-Grand;35380;9 rue des Forges;02 99 06 81 41;fs@forges.example.org;accueil le matin\r\n"
		id, colonnes := importID(t, ref.upload(t, e.h, "nocodb.csv", []byte(first)))
		if !colonnes {
			t.Fatal("an unknown table was not sent to the column mapping")
		}
		base := "/gestion/recensement/imports/" + id
		page := ref.get(t, e.h, base+"/colonnes")
		if page.Code != http.StatusOK {
			t.Fatalf("mapping page: %d", page.Code)
		}
		wantInPage(t, "the mapping page", page, "Correspondance des colonnes", `<label for="col6">Colonne maison</label>`,
			`name="col0"`, `name="col6"`, `value="nom" selected`, "France services des Forges", `name="retenir"`)

		// A mapping without the name is refused, and nothing starts.
		rec := ref.post(t, e.h, base+"/colonnes", url.Values{"col0": {""}, "col1": {"commune"}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("mapping without the name: %d", rec.Code)
		}
		wantInPage(t, "the mapping without the name", rec, "Indiquez quelle colonne contient le nom du lieu.")
		rec = ref.post(t, e.h, base+"/colonnes", url.Values{"col0": {"nom"}, "col1": {"pas-un-champ"}})
		if rec.Code != http.StatusUnprocessableEntity {
			t.Errorf("mapping to an unknown field: %d", rec.Code)
		}
		wantInPage(t, "the mapping to an unknown field", rec, "Choix inconnu pour la colonne « Ville ».")

		// The referent maps the last column to the notes, and keeps it.
		mapping := url.Values{"col0": {"nom"}, "col1": {"commune"}, "col2": {"code_postal"}, "col3": {"adresse"},
			"col4": {"telephone"}, "col5": {"courriels"}, "col6": {"notes"}, "retenir": {"1"}}
		rec = ref.post(t, e.h, base+"/colonnes", mapping)
		if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != base {
			t.Fatalf("mapping: %d → %q %s", rec.Code, rec.Header().Get("Location"), pageText(rec))
		}
		if s := ref.waitImport(t, e.h, id); s.Statut != store.ImportPreviewed {
			t.Fatalf("after the mapping: %+v", s)
		}
		wantInPage(t, "the mapped preview", ref.get(t, e.h, base), "Sera créé (1)", "France services des Forges")

		// Another file with the same columns, in another order, goes
		// straight to the preview with the saved mapping.
		second := "CP;Structure;Ville;Adresse postale;Tél.;Mail;Colonne maison\r\n" +
			"35380;Espace numérique de Maxent;Maxent;15 rue du Stade;06 12 34 56 78;epn@maxent.example.org;ouvert aux scolaires\r\n"
		id2, colonnes := importID(t, ref.upload(t, e.h, "nocodb-2.csv", []byte(second)))
		if colonnes {
			t.Fatal("the saved mapping was not used: sent to the column mapping again")
		}
		if s := ref.waitImport(t, e.h, id2); s.Statut != store.ImportPreviewed {
			t.Fatalf("second file: %+v", s)
		}
		wantInPage(t, "the second preview", ref.get(t, e.h, "/gestion/recensement/imports/"+id2), "Sera créé (1)", "Espace numérique de Maxent")
		if rec := ref.post(t, e.h, "/gestion/recensement/imports/"+id2+"/valider", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("commit: %d", rec.Code)
		}
		if s := ref.waitImport(t, e.h, id2); s.Statut != store.ImportCommitted {
			t.Fatalf("commit of the second file: %+v", s)
		}
		p := broceliandePlaces(t, st)["Espace numérique de Maxent"]
		if p == nil || p.CodePostal != "35380" || p.CodeInsee != "35169" || p.Telephone != "+33612345678" ||
			len(p.Courriels) != 1 || p.Courriels[0] != "epn@maxent.example.org" || p.Notes != "ouvert aux scolaires" {
			t.Errorf("imported with the saved mapping: %+v", p)
		}
	})
}

// TestImportAcrossInstances runs two servers on one database, as behind a
// load balancer: a preview made by one is reviewed and committed through
// the other (which computes the plan again from the stored file), and a
// preview running in one shows its progress in the other until its
// process falls silent, when it is marked interrupted.
func TestImportAcrossInstances(t *testing.T) {
	storetest.RunPair(t, func(t *testing.T, a, b *store.Store) {
		e := newImportEnv(t, a)
		b.SetClock(func() time.Time { return testNow })
		other := newTestServer(t, b, geocodetest.Start(t).URL).routes()
		ref := loginAs(t, e.h, boReferentEmail, boReferentPassword)
		before := countAllPlaces(t, a)

		id, _ := importID(t, ref.upload(t, e.h, "recensement Plélan.csv", cp1252(t, censusCSV)))
		if s := ref.waitImport(t, e.h, id); s.Statut != store.ImportPreviewed {
			t.Fatalf("after the preview on the first server: %+v", s)
		}
		if s := ref.waitImport(t, other, id); s.Statut != store.ImportPreviewed {
			t.Fatalf("the second server's copy of the plan: %+v", s)
		}
		wantInPage(t, "the preview on the second server", ref.get(t, other, "/gestion/recensement/imports/"+id),
			"3 lignes lues — Sera créé : 2, Erreur : 1", "Valider l'import")
		if rec := ref.post(t, other, "/gestion/recensement/imports/"+id+"/valider", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("commit on the second server: %d", rec.Code)
		}
		if s := ref.waitImport(t, other, id); s.Statut != store.ImportCommitted {
			t.Fatalf("after the commit: %+v", s)
		}
		if n := countAllPlaces(t, a); n != before+2 {
			t.Errorf("%d places after the commit, want %d", n, before+2)
		}
		page := ref.get(t, e.h, "/gestion/recensement/imports/"+id)
		wantInPage(t, "the first server after the commit", page, "validé")
		if strings.Contains(pageText(page), "Valider l'import") {
			t.Error("the first server still offers to commit an import the second one committed")
		}
		if rec := ref.post(t, e.h, "/gestion/recensement/imports/"+id+"/valider", nil); rec.Code != http.StatusSeeOther {
			t.Fatalf("second commit on the first server: %d", rec.Code)
		}
		ref.waitImport(t, e.h, id)
		if n := countAllPlaces(t, a); n != before+2 {
			t.Errorf("%d places after committing on both servers, want %d", n, before+2)
		}

		// A preview the first server is computing (its heartbeat says so).
		ctx := context.Background()
		u, err := a.UserByEmail(ctx, boReferentEmail)
		if err != nil {
			t.Fatal(err)
		}
		running := &store.Import{EPCI: demo.BroceliandeSIREN, UserID: u.ID, FileName: "gros fichier.csv", Mode: "import"}
		if err := a.CreateImport(ctx, running, cp1252(t, censusCSV)); err != nil {
			t.Fatal(err)
		}
		if err := a.ImportBeat(ctx, running.ID, `{"etape":"geocodage","fait":1200,"total":5000}`); err != nil {
			t.Fatal(err)
		}
		var s importProgressState
		if err := json.Unmarshal(ref.get(t, other, "/gestion/recensement/imports/"+running.ID+"/etat").Body.Bytes(), &s); err != nil {
			t.Fatal(err)
		}
		if !s.EnCours || s.Statut != store.ImportReading || s.Fait != 1200 || s.Total != 5000 || s.Etape == "" {
			t.Errorf("progress of another server's preview: %+v", s)
		}
		page = ref.get(t, other, "/gestion/recensement/imports/"+running.ID)
		wantInPage(t, "another server's preview", page, "Traitement en cours", "1200 / 5000")
		if strings.Contains(pageText(page), "Relancer l'aperçu") {
			t.Error("a preview running elsewhere is offered to run again")
		}
		// Its process falls silent: the import is interrupted, to run again.
		b.SetClock(func() time.Time { return testNow.Add(store.ImportStale + time.Second) })
		page = ref.get(t, other, "/gestion/recensement/imports/"+running.ID)
		wantInPage(t, "a preview whose server stopped", page, "interrompu", "Relancer l'aperçu")
		if got, _ := a.GetImport(ctx, running.ID); got.Status != store.ImportInterrupted {
			t.Errorf("status %q, want interrupted", got.Status)
		}
	})
}

// TestImportStopsWithTheServer stops a server while its preview waits for
// the geocoder: the background work ends (what `portrea serve` waits for on
// SIGTERM) and the import is marked interrupted, to be run again.
func TestImportStopsWithTheServer(t *testing.T) {
	st := storetest.OpenSQLite(t)
	newImportEnv(t, st) // the demo territory and its accounts
	called, release := make(chan struct{}, 1), make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case called <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	s := newTestServer(t, st, hang.URL)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	s.ctx = ctx
	h := s.routes()
	ref := loginAs(t, h, boReferentEmail, boReferentPassword)
	id, _ := importID(t, ref.upload(t, h, "recensement Plélan.csv", cp1252(t, censusCSV)))
	select {
	case <-called:
	case <-time.After(20 * time.Second):
		t.Fatal("the preview never asked the geocoder")
	}
	stop()
	done := make(chan struct{})
	go func() { s.bg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatal("the background work did not end with the server")
	}
	rec, err := st.GetImport(context.Background(), id)
	if err != nil || rec.Status != store.ImportInterrupted {
		t.Fatalf("import after the stop: %+v %v", rec, err)
	}
}

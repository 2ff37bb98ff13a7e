package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"portrea/internal/demo"
	"portrea/internal/store"
)

// boWaitAcrossReloads waits for a JavaScript condition on a page that may
// reload itself meanwhile (the import page does when its background work
// ends): an evaluation cut by the reload is simply tried again.
func boWaitAcrossReloads(b *browserEnv, what, cond string) {
	b.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.tab, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.readyState !== "loading" && !!(`+cond+`)`))
		cancel()
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			b.screenshot("echec-" + what)
			b.t.Fatalf("%s: not after 30 s (%v)", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// boCensusFile writes a file to upload in the test's folder.
func boCensusFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// boUploadCensus sends a file of Brocéliande through the census page's
// form, as a person does, and returns the page it lands on.
func boUploadCensus(b *browserEnv, path string) string {
	b.t.Helper()
	b.open("/gestion/recensement")
	b.do("choose the territory and the file",
		chromedp.SetValue(chromedp.ID("i-epci"), demo.BroceliandeSIREN),
		chromedp.SetUploadFiles(chromedp.ID("i-fichier"), []string{path}))
	boNavigate(b, "send "+filepath.Base(path), chromedp.Click(chromedp.CSS(`form.import-form button[type=submit]`)))
	return eval[string](b, `location.pathname`)
}

// boImportID is the import's id in the path of its pages.
func boImportID(t *testing.T, path string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(path, "/gestion/recensement/imports/")
	if !ok || rest == "" {
		t.Fatalf("the upload landed on %s", path)
	}
	return strings.TrimSuffix(rest, "/colonnes")
}

// importPreviewReady: the import page shows the plan's tabs.
const importPreviewReady = `document.querySelectorAll("nav ul.tabs a").length > 0 && !document.getElementById("import-progress")`

func TestBrowserReferentImportsCensus(t *testing.T) {
	b := newBoBrowserEnv(t)
	ctx := context.Background()
	file := boCensusFile(t, "recensement.csv", cp1252(t, censusCSV))
	// The geocoder asks to slow down once: the preview takes a second,
	// long enough for the page to show its progress most of the time.
	b.geo.TooMany.Store(1)

	boLogin(b, boReferentEmail, boReferentPassword)
	landed := boUploadCensus(b, file)
	id := boImportID(t, landed)
	if strings.HasSuffix(landed, "/colonnes") {
		t.Fatalf("a file with the national columns was sent to the column mapping")
	}
	if eval[bool](b, `!!document.getElementById("import-progress")`) {
		stage := eval[string](b, `document.getElementById("import-progress").innerText`)
		if !strings.Contains(stage, "Traitement en cours") {
			t.Errorf("progress section: %q", stage)
		}
		b.screenshot("gestion-import-progression")
	} else {
		t.Log("the preview was ready before the page: no progress shown")
	}
	boWaitAcrossReloads(b, "the preview", importPreviewReady)
	b.screenshot("gestion-import-apercu")
	tabs := eval[string](b, `document.querySelector("nav ul.tabs").innerText`)
	for _, want := range []string{"Sera créé (2)", "Erreur (1)"} {
		if !strings.Contains(tabs, want) {
			t.Errorf("the preview's counts %q lack %q", tabs, want)
		}
	}
	if rows := eval[string](b, `document.querySelector("table.import-rows").innerText`); !strings.Contains(rows, "Point numérique de Rennes") || !strings.Contains(rows, "n'appartient pas au territoire") {
		t.Errorf("the rows in error: %q", rows)
	}

	before, err := b.st.CountPlaces(ctx)
	if err != nil {
		t.Fatal(err)
	}
	boNavigate(b, "commit", chromedp.Click(chromedp.CSS(`form[action$="/valider"] button[type=submit]`)))
	boWaitAcrossReloads(b, "the commit", `document.querySelector("main .success")?.innerText.includes("Import validé")`)
	b.screenshot("gestion-import-valide")
	if msg := eval[string](b, `document.querySelector("main .success").innerText`); !strings.Contains(msg, "Import validé : 2 lieux créés, 0 mis à jour") {
		t.Errorf("after the commit: %q", msg)
	}
	if eval[bool](b, `!!document.querySelector('form[action$="/valider"]')`) {
		t.Error("a committed import still offers to commit")
	}
	if after, _ := b.st.CountPlaces(ctx); after != before+2 {
		t.Errorf("%d places after the commit, want %d", after, before+2)
	}
	if im, err := b.st.GetImport(ctx, id); err != nil || im.Status != store.ImportCommitted {
		t.Errorf("import %s after the commit: %+v, %v", id, im, err)
	}
	if _, ok := broceliandePlaces(t, b.st)["Atelier numérique des Forges"]; !ok {
		t.Error("the imported place is not in Brocéliande")
	}
}

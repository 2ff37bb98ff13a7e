package web

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"portrea/internal/demo"
)

// TestBrowserPortraitPrints prints the demo portrait to PDF in Chromium:
// laid out for print at the width of an A4 page's content, nothing
// sticks out of the page, and the printed text holds every section to
// its last sentence. axe-core finds nothing on the HTML portrait.
func TestBrowserPortraitPrints(t *testing.T) {
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext not found: apt-get install -y poppler-utils")
	}
	b := newBrowserEnv(t)
	path := "/territoires/" + demo.BroceliandeSIREN + "/portrait"
	b.open(path)
	b.until("the portrait", `!!document.querySelector("article.portrait svg")`)
	b.noAxeViolations("le portrait de territoire")
	b.screenshot("portrait")

	// A4 minus the 12 mm side margins of the print stylesheet: 186 mm.
	const contentWidth = 703 // CSS pixels at 96 dpi
	ctx, cancel := context.WithTimeout(b.tab, 30*time.Second)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	b.do("A4 content width", chromedp.EmulateViewport(contentWidth, 1000))
	over := eval[[]string](b, `(() => {
		const w = document.documentElement.clientWidth, out = [];
		for (const el of document.querySelectorAll("article.portrait *")) {
			const r = el.getBoundingClientRect();
			if (r.width > 0 && (r.right > w + 1 || r.left < -1)) out.push(el.tagName + "." + el.className.baseVal + el.className + " " + Math.round(r.left) + "→" + Math.round(r.right));
		}
		if (document.documentElement.scrollWidth > w + 1) out.push("page scrolls sideways: " + document.documentElement.scrollWidth);
		return out.slice(0, 10);
	})()`)
	if len(over) > 0 {
		t.Errorf("printed at %d px, elements stick out of the page: %v", contentWidth, over)
	}
	if hidden := eval[bool](b, `getComputedStyle(document.querySelector("header.site")).display === "none"`); !hidden {
		t.Error("the site header is printed")
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPaper(chromedp.PaperA4)))
	if err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("print: %v", err)
	}
	file := filepath.Join(t.TempDir(), "portrait-chromium.pdf")
	if err := os.WriteFile(file, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(pdftotext, file, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Identité du territoire", "Chiffres clés", "L'offre", "Horaires d'ouverture", "Ce qui manque", "Carte", "Comparaison", "Évolution", "Sources et méthode",
		"gagne à être complété par leur connaissance du terrain"} {
		if !strings.Contains(text, want) {
			t.Errorf("the printed portrait lacks %q", want)
		}
	}
	if strings.Count(string(out), "\f") < 2 {
		t.Error("the printed portrait holds on one page")
	}
}

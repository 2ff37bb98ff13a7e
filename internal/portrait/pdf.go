package portrait

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/sfnt"

	"portrea/internal/place"
)

// The PDF is drawn by the binary itself (fpdf, no browser): A4 portrait,
// millimetres, greys only so that it prints well in black and white.
const (
	pdfPageW    = 210.0
	pdfPageH    = 297.0
	pdfMarginL  = 15.0
	pdfMarginR  = 15.0
	pdfMarginT  = 20.0
	pdfMarginB  = 18.0
	pdfContentW = pdfPageW - pdfMarginL - pdfMarginR
	pdfFont     = "go"
	// pdfNbPages is replaced by the page count when the document is closed.
	pdfNbPages = "{nb}"
)

// WritePDF writes the portrait as an A4 PDF: the same sections and figures
// as the HTML portrait, in French, with vector charts and map.
func WritePDF(w io.Writer, p *Portrait) error {
	if p == nil {
		return errors.New("portrait: pdf: no portrait")
	}
	f := fpdf.New("P", "mm", "A4", "")
	// Before the fonts: fpdf keeps the digits in the font subset only when
	// the page-count alias is known at that point.
	f.AliasNbPages(pdfNbPages)
	// The Go fonts are embedded in the binary and cover French (accents,
	// « », œ, €); the narrow no-break space is missing, see pdfText.
	f.AddUTF8FontFromBytes(pdfFont, "", goregular.TTF)
	f.AddUTF8FontFromBytes(pdfFont, "B", gobold.TTF)
	f.SetMargins(pdfMarginL, pdfMarginT, pdfMarginR)
	// Every block checks the room left itself, so that tables and charts
	// are never cut by an automatic break.
	f.SetAutoPageBreak(false, pdfMarginB)
	f.SetCellMargin(1)
	f.SetCompression(true)
	f.SetCatalogSort(true)
	f.SetLang("fr-FR")
	title := "Portrait de territoire — " + pdfText(p.Identity.Name, false)
	f.SetTitle(title, true)
	f.SetSubject("Portrait de territoire de l'inclusion numérique", true)
	f.SetAuthor("PORTREA", true)
	f.SetCreator("PORTREA", true)
	if !p.Generated.IsZero() {
		f.SetCreationDate(p.Generated)
		f.SetModificationDate(p.Generated)
	}

	d := &pdfDoc{f: f, p: p, title: title}
	f.SetHeaderFuncMode(d.header, true)
	f.SetFooterFunc(d.footer)
	f.AddPage()

	d.identity()
	d.keyFigures()
	d.offer()
	d.hours()
	d.gaps()
	d.mapSection()
	d.comparison()
	d.trend()
	d.sources()

	if err := f.Output(w); err != nil {
		return fmt.Errorf("portrait: pdf: %w", err)
	}
	return nil
}

// pdfDoc draws the portrait on the pages of f.
type pdfDoc struct {
	f     *fpdf.Fpdf
	p     *Portrait
	title string
}

func (d *pdfDoc) header() {
	f := d.f
	d.font("", 8)
	f.SetTextColor(70, 70, 70)
	d.cell(pdfMarginL, 9, pdfContentW, 4, d.fit(d.title, pdfContentW), "L")
	f.SetDrawColor(150, 150, 150)
	f.SetLineWidth(0.2)
	f.Line(pdfMarginL, 14, pdfMarginL+pdfContentW, 14)
	f.SetTextColor(0, 0, 0)
}

func (d *pdfDoc) footer() {
	f := d.f
	y := pdfPageH - 13
	f.SetDrawColor(150, 150, 150)
	f.SetLineWidth(0.2)
	f.Line(pdfMarginL, y, pdfMarginL+pdfContentW, y)
	d.font("", 8)
	f.SetTextColor(70, 70, 70)
	left := "PORTREA"
	if !d.p.Generated.IsZero() {
		left = "Généré le " + pdfDate(d.p.Generated) + " par PORTREA"
	}
	d.cell(pdfMarginL, y+1.5, 120, 4, left, "L")
	// The alias is wider than the page count it stands for: align on a
	// fixed start rather than on the right edge.
	pw := d.f.GetStringWidth("page 000 / 000") + 2
	d.cell(pdfMarginL+pdfContentW-pw, y+1.5, pw, 4, fmt.Sprintf("page %d / %s", f.PageNo(), pdfNbPages), "L")
	f.SetTextColor(0, 0, 0)
}

// ---------------------------------------------------------------------
// Sections

func (d *pdfDoc) identity() {
	p := d.p
	id := p.Identity
	f := d.f

	d.font("", 10)
	f.SetTextColor(80, 80, 80)
	d.cell(pdfMarginL, f.GetY(), pdfContentW, 5, "Portrait de territoire de l'inclusion numérique", "L")
	f.SetY(f.GetY() + 6)
	f.SetTextColor(0, 0, 0)
	d.paragraph(id.Name, "B", 20, 8.5)

	var deps []string
	for _, dep := range id.Departements {
		deps = append(deps, pdfNamed(dep))
	}
	meta := []string{}
	if id.TypeLabel != "" {
		meta = append(meta, id.TypeLabel)
	}
	if len(deps) > 0 {
		meta = append(meta, strings.Join(deps, ", "))
	}
	if id.Region.Name != "" {
		meta = append(meta, id.Region.Name)
	}
	if !p.Generated.IsZero() {
		meta = append(meta, "état au "+pdfDate(p.Generated))
	}
	f.SetTextColor(60, 60, 60)
	d.paragraph(strings.Join(meta, " — "), "", 10.5, 5)
	f.SetTextColor(0, 0, 0)
	f.SetY(f.GetY() + 2)

	if strings.TrimSpace(p.Foreword) != "" {
		d.section("Avant-propos", 15, false)
		d.paragraph(p.Foreword, "", 10, 5)
	}

	d.section("Identité du territoire", 30, false)
	inter := id.Name
	if id.TypeLabel != "" || id.SIREN != "" {
		var bits []string
		if id.TypeLabel != "" {
			bits = append(bits, id.TypeLabel)
		}
		if id.SIREN != "" {
			bits = append(bits, "SIREN "+id.SIREN)
		}
		inter += " (" + strings.Join(bits, ", ") + ")"
	}
	depLabel := "Département"
	if len(id.Departements) > 1 {
		depLabel = "Départements"
	}
	pop := pdfThousands(id.Population) + " habitants"
	if id.PopulationVintage != "" {
		pop += " (" + id.PopulationVintage + ")"
	}
	var refs []string
	for _, r := range id.Referents {
		s := r.Name
		if r.Kind != "" {
			s += " (" + r.Kind + ")"
		}
		if r.Email != "" {
			s += " — " + r.Email
		}
		refs = append(refs, s)
	}
	referents := strings.Join(refs, " ; ")
	if referents == "" {
		referents = "non désigné·e"
	}
	strategy := id.Strategy
	if strategy == "" {
		strategy = "non choisie"
	}
	phase := id.Phase
	if phase == "" {
		phase = "—"
	} else if !id.PhaseSince.IsZero() {
		phase += " depuis le " + pdfDate(id.PhaseSince)
	}
	d.table(pdfTable{
		cols: []pdfCol{{w: 42}, {w: pdfContentW - 42}},
		rows: [][]string{
			{"Intercommunalité", inter},
			{depLabel, strings.Join(deps, ", ")},
			{"Région", id.Region.Name},
			{"Communes", pdfThousands(id.Communes)},
			{"Population", pop},
			{"Référent·es", referents},
			{"Stratégie", strategy},
			{"Phase", phase},
		},
		boldFirst: true,
		size:      9.5,
		barCol:    -1,
	})
}

func (d *pdfDoc) keyFigures() {
	k := d.p.Key
	d.section("Chiffres clés", 30, false)
	d.tiles([]pdfTile{
		{pdfThousands(k.Places), "lieux d'inclusion numérique"},
		{pdfDecimal(k.PerTenThousand, 1), "lieux pour 10 000 habitants"},
		{pdfThousands(k.CoveredCommunes) + " / " + pdfThousands(k.Communes), "communes avec au moins un lieu"},
		{pdfPercent(k.CoveredPopulation), "de la population vit dans une commune équipée"},
		{pdfThousands(k.FranceServices), "France Services"},
		{pdfThousands(k.ConseillersNum), "lieux avec des conseillers numériques"},
		{pdfThousands(k.AidantsConnect), "lieux habilités Aidants Connect"},
		{pdfThousands(k.Fixed) + " / " + pdfThousands(k.Itinerant), "lieux fixes / itinérants"},
		{pdfPercent(k.ConfirmedLastYear), "des lieux vérifiés depuis moins de 12 mois"},
	}, 3)
}

func (d *pdfDoc) offer() {
	o := d.p.Offer
	d.section("L'offre", 35, true)
	d.paragraph("Nombre de lieux qui proposent chaque modalité, et leur part parmi les "+
		pdfThousands(d.p.Key.Places)+" lieux actifs (un lieu peut en proposer plusieurs).", "", 9, 4.5)
	d.f.SetY(d.f.GetY() + 1)
	for _, c := range []struct {
		title, col string
		counts     []Count
	}{
		{"Services proposés", "Service", o.Services},
		{"Publics spécifiquement adressés", "Public", o.Publics},
		{"Prise en charge spécifique", "Prise en charge", o.PriseEnCharge},
		{"Frais à charge", "Frais", o.Frais},
		{"Modalités d'accès", "Modalité", o.Access},
		{"Modalités d'accompagnement", "Modalité", o.Accompaniment},
		{"Types de structure", "Type de structure", o.Typologies},
	} {
		d.countChart(c.title, c.col, c.counts)
	}
}

// countChart is a table of counts with a bar for each row: it reads as a
// table and as a bar chart.
func (d *pdfDoc) countChart(title, col string, counts []Count) {
	if len(counts) == 0 {
		d.subtitle(title, 6)
		d.paragraph("Aucune donnée.", "", 9, 4.5)
		return
	}
	maxN := 0
	for _, c := range counts {
		maxN = max(maxN, c.N)
	}
	places := d.p.Key.Places
	t := pdfTable{
		title: title,
		cols: []pdfCol{
			{title: col, w: 78},
			{title: "Lieux", w: 16, align: "R"},
			{title: "Part des lieux", w: 22, align: "R"},
			{title: "", w: pdfContentW - 78 - 16 - 22},
		},
		header: true,
		barCol: 3,
		size:   8.5,
	}
	for _, c := range counts {
		share := "—"
		if places > 0 {
			share = pdfPercent(100 * float64(c.N) / float64(places))
		}
		t.rows = append(t.rows, []string{c.Label, pdfThousands(c.N), share, ""})
		frac := 0.0
		if maxN > 0 {
			frac = float64(c.N) / float64(maxN)
		}
		t.bars = append(t.bars, frac)
	}
	d.table(t)
	d.f.SetY(d.f.GetY() + 3)
}

func (d *pdfDoc) hours() {
	h := d.p.Hours
	d.section("Horaires d'ouverture", 30, false)
	d.tiles([]pdfTile{
		{pdfDecimal(h.WeeklyHours, 0) + " h", "d'ouverture par semaine, tous lieux confondus"},
		{pdfDecimal(h.MedianWeekly, 1) + " h", "par semaine pour un lieu médian"},
		{pdfThousands(h.Evenings), "lieux ouverts après 18 h"},
		{pdfThousands(h.Saturdays), "lieux ouverts le samedi"},
	}, 4)
	d.hoursChart()
	if len(h.WithoutHours) > 0 {
		d.subtitle(fmt.Sprintf("Lieux sans horaires renseignés (%s)", pdfThousands(len(h.WithoutHours))), 5)
		d.paragraph(strings.Join(h.WithoutHours, ", ")+".", "", 9, 4.5)
	}
}

func (d *pdfDoc) hoursChart() {
	h := d.p.Hours
	title := "Lieux ouverts à chaque heure de la journée (à la demie)"
	if h.Weekday != "" {
		title = "Lieux ouverts le " + h.Weekday + ", heure par heure (à la demie)"
	}
	const chartH = 58.0
	d.subtitle(title, chartH)
	f := d.f
	top := f.GetY() + 2
	plotL := pdfMarginL + 10
	plotW := pdfContentW - 12
	plotH := 44.0
	base := top + plotH
	maxN := 0
	for _, n := range h.ByHour {
		maxN = max(maxN, n)
	}
	vmax, step := pdfNiceMax(float64(maxN))
	d.gridY(plotL, plotW, top, plotH, vmax, step)

	slot := plotW / 24
	bw := slot * 0.7
	f.SetLineWidth(0.15)
	f.SetDrawColor(0, 0, 0)
	f.SetFillColor(130, 130, 130)
	for hr, n := range h.ByHour {
		x := plotL + float64(hr)*slot
		if n > 0 {
			bh := plotH * float64(n) / vmax
			f.Rect(x+(slot-bw)/2, base-bh, bw, bh, "FD")
			d.font("B", 6.5)
			d.cell(x, base-bh-3.6, slot, 3.4, pdfThousands(n), "C")
		}
		d.font("", 6.5)
		d.cell(x, base+0.8, slot, 3.4, strconv.Itoa(hr)+" h", "C")
	}
	f.SetLineWidth(0.3)
	f.Line(plotL, base, plotL+plotW, base)
	f.SetY(top + chartH - 2)
	if maxN == 0 {
		d.paragraph("Aucun lieu n'a d'horaires renseignés pour ce jour.", "", 9, 4.5)
	}
}

func (d *pdfDoc) gaps() {
	g := d.p.Gaps
	d.section("Ce qui manque", 30, false)
	title := fmt.Sprintf("Communes sans lieu (%s)", pdfThousands(len(g.CommunesWithout)))
	if len(g.CommunesWithout) == 0 {
		d.subtitle(title, 6)
		d.paragraph("Chaque commune compte au moins un lieu.", "", 9, 4.5)
	} else {
		t := pdfTable{
			title: title,
			cols: []pdfCol{
				{title: "Commune", w: 48},
				{title: "Population", w: 22, align: "R"},
				{title: "Lieu le plus proche", w: 55},
				{title: "France Services la plus proche", w: pdfContentW - 48 - 22 - 55},
			},
			header:    true,
			boldFirst: true,
			barCol:    -1,
			size:      8.5,
		}
		for _, c := range g.CommunesWithout {
			near := "aucun"
			if c.NearestKm >= 0 {
				near = pdfDecimal(c.NearestKm, 1) + " km"
				if c.NearestName != "" {
					near += " (" + c.NearestName + ")"
				}
			}
			fs := "aucune dans le territoire"
			if c.NearestFranceServicesKm >= 0 {
				fs = pdfDecimal(c.NearestFranceServicesKm, 1) + " km"
				if c.NearestFSName != "" {
					fs += " (" + c.NearestFSName + ")"
				}
			}
			t.rows = append(t.rows, []string{c.Name, pdfThousands(c.Population), near, fs})
		}
		d.table(t)
		d.paragraph("Distances à vol d'oiseau depuis le centre de chaque commune.", "", 7.5, 4)
	}
	d.f.SetY(d.f.GetY() + 2)

	d.subtitle("Services proposés nulle part", 6)
	if len(g.ServicesNowhere) == 0 {
		d.paragraph("Les 9 services sont proposés par au moins un lieu.", "", 9, 4.5)
	} else {
		d.bullets(g.ServicesNowhere)
	}
	d.f.SetY(d.f.GetY() + 2)

	d.subtitle("Heures sans aucun lieu ouvert (du lundi au samedi, de 8 h à 20 h)", 6)
	if closed := d.p.Hours.ClosedHours; len(closed) == 0 {
		d.paragraph("Au moins un lieu est ouvert à chacune de ces heures.", "", 9, 4.5)
	} else {
		d.paragraph(strings.Join(closed, " ; ")+".", "", 9, 4.5)
	}
}

func (d *pdfDoc) mapSection() {
	d.section("Carte", 60, true)
	m := d.p.Map
	f := d.f

	minLon, minLat := math.Inf(1), math.Inf(1)
	maxLon, maxLat := math.Inf(-1), math.Inf(-1)
	add := func(lon, lat float64) {
		if !pdfLonLatOK(lon, lat) {
			return
		}
		minLon, maxLon = math.Min(minLon, lon), math.Max(maxLon, lon)
		minLat, maxLat = math.Min(minLat, lat), math.Max(maxLat, lat)
	}
	for _, c := range m.Communes {
		if m.HasOutlines {
			for _, ring := range c.Rings {
				for _, pt := range ring {
					add(pt[0], pt[1])
				}
			}
		}
		add(c.Centre[0], c.Centre[1])
	}
	for _, pl := range m.Places {
		add(pl.Lon, pl.Lat)
	}
	if math.IsInf(minLon, 0) {
		d.paragraph("Aucune donnée à cartographier.", "", 9, 4.5)
		return
	}

	// Equirectangular projection, longitudes shrunk by the cosine of the
	// mean latitude, fitted to the box.
	const pad = 4.0
	boxW := pdfContentW - 2*pad
	boxH := math.Min(175, d.room()-40)
	kx := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	wu, hu := (maxLon-minLon)*kx, maxLat-minLat
	scale := math.Inf(1) // mm per degree of latitude
	if wu > 0 {
		scale = boxW / wu
	}
	if hu > 0 {
		scale = math.Min(scale, boxH/hu)
	}
	if math.IsInf(scale, 0) {
		scale = 2000 // one point only: about 1 mm for 55 m
	}
	drawW, drawH := wu*scale, hu*scale
	frameTop := f.GetY() + 1
	x0 := pdfMarginL + pad + (boxW-drawW)/2
	y0 := frameTop + pad
	proj := func(lon, lat float64) (float64, float64) {
		return x0 + (lon-minLon)*kx*scale, y0 + (maxLat-lat)*scale
	}
	frameH := drawH + 2*pad + 8 // room for the scale bar

	f.SetDrawColor(160, 160, 160)
	f.SetLineWidth(0.2)
	f.Rect(pdfMarginL, frameTop, pdfContentW, frameH, "D")

	var pts []fpdf.PointType
	ringPoints := func(ring [][2]float64) []fpdf.PointType {
		pts = pts[:0]
		for _, pt := range ring {
			if !pdfLonLatOK(pt[0], pt[1]) {
				continue
			}
			x, y := proj(pt[0], pt[1])
			pts = append(pts, fpdf.PointType{X: x, Y: y})
		}
		return pts
	}
	if m.HasOutlines {
		for _, c := range m.Communes {
			for _, ring := range c.Rings {
				pts := ringPoints(ring)
				if len(pts) < 3 {
					continue
				}
				f.SetLineWidth(0.15)
				f.SetDrawColor(60, 60, 60)
				if c.Covered {
					f.SetFillColor(210, 210, 210)
					f.Polygon(pts, "FD")
					continue
				}
				f.SetFillColor(255, 255, 255)
				f.Polygon(pts, "F")
				d.hatch(pts)
				f.SetLineWidth(0.15)
				f.SetDrawColor(60, 60, 60)
				f.Polygon(pts, "D")
			}
		}
	} else {
		for _, c := range m.Communes {
			if !pdfLonLatOK(c.Centre[0], c.Centre[1]) {
				continue
			}
			x, y := proj(c.Centre[0], c.Centre[1])
			f.SetLineWidth(0.25)
			f.SetDrawColor(60, 60, 60)
			if c.Covered {
				f.SetFillColor(170, 170, 170)
			} else {
				f.SetFillColor(255, 255, 255)
			}
			f.Circle(x, y, 1.6, "FD")
		}
	}

	// Ordinary places first, France Services on top.
	var nPlaces, nFS, nItin int
	for pass := 0; pass < 3; pass++ {
		for _, pl := range m.Places {
			kind := pdfPlaceKind(pl)
			if kind != pass || !pdfLonLatOK(pl.Lon, pl.Lat) {
				continue
			}
			x, y := proj(pl.Lon, pl.Lat)
			d.placeSymbol(kind, x, y)
			switch kind {
			case 0:
				nPlaces++
			case 1:
				nItin++
			case 2:
				nFS++
			}
		}
	}

	// Scale bar: about 30 mm, rounded to 1, 2 or 5 × 10ⁿ km.
	if km := pdfNiceFloor(30 * 111.32 / scale); km > 0 {
		barW := km * scale / 111.32
		bx, by := pdfMarginL+pad, frameTop+frameH-3.5
		f.SetDrawColor(0, 0, 0)
		f.SetLineWidth(0.4)
		f.Line(bx, by, bx+barW, by)
		f.Line(bx, by-1.2, bx, by+0.4)
		f.Line(bx+barW, by-1.2, bx+barW, by+0.4)
		d.font("", 7)
		d.cell(bx+barW+1, by-2, 30, 3.5, pdfDecimal(km, pdfDigits(km))+" km", "L")
	}
	f.SetY(frameTop + frameH + 2)

	// Legend.
	type item struct {
		draw  func(x, y float64)
		label string
	}
	var items []item
	if m.HasOutlines {
		items = append(items,
			item{func(x, y float64) {
				f.SetLineWidth(0.15)
				f.SetDrawColor(60, 60, 60)
				f.SetFillColor(210, 210, 210)
				f.Rect(x, y-1.5, 5, 3, "FD")
			}, "Commune avec au moins un lieu"},
			item{func(x, y float64) {
				sq := []fpdf.PointType{{X: x, Y: y - 1.5}, {X: x + 5, Y: y - 1.5}, {X: x + 5, Y: y + 1.5}, {X: x, Y: y + 1.5}}
				d.hatch(sq)
				f.SetLineWidth(0.15)
				f.SetDrawColor(60, 60, 60)
				f.Polygon(sq, "D")
			}, "Commune sans lieu"})
	} else {
		items = append(items,
			item{func(x, y float64) {
				f.SetLineWidth(0.25)
				f.SetDrawColor(60, 60, 60)
				f.SetFillColor(170, 170, 170)
				f.Circle(x+2.5, y, 1.6, "FD")
			}, "Centre de commune avec au moins un lieu"},
			item{func(x, y float64) {
				f.SetLineWidth(0.25)
				f.SetDrawColor(60, 60, 60)
				f.SetFillColor(255, 255, 255)
				f.Circle(x+2.5, y, 1.6, "FD")
			}, "Centre de commune sans lieu"})
	}
	items = append(items,
		item{func(x, y float64) { d.placeSymbol(0, x+2.5, y) }, fmt.Sprintf("Lieu (%s)", pdfThousands(nPlaces))},
		item{func(x, y float64) { d.placeSymbol(1, x+2.5, y) }, fmt.Sprintf("Lieu itinérant (%s)", pdfThousands(nItin))},
		item{func(x, y float64) { d.placeSymbol(2, x+2.5, y) }, fmt.Sprintf("France Services (%s)", pdfThousands(nFS))},
	)
	d.font("", 8)
	x, y := pdfMarginL, f.GetY()+2
	for _, it := range items {
		w := 7 + f.GetStringWidth(it.label) + 6
		if x+w > pdfMarginL+pdfContentW {
			x, y = pdfMarginL, y+5
		}
		it.draw(x, y)
		d.font("", 8)
		d.cell(x+6, y-2, w-6, 4, it.label, "L")
		x += w
	}
	f.SetY(y + 5)
	if !m.HasOutlines {
		d.paragraph("Contours des communes non disponibles. La carte montre les lieux et le centre des communes.", "", 8, 4)
	} else if !m.OutlinesAt.IsZero() {
		d.paragraph("Contours des communes : geo.api.gouv.fr, au "+pdfDate(m.OutlinesAt)+".", "", 8, 4)
	}
}

// pdfPlaceKind orders the map symbols: 0 place, 1 itinerant, 2 France
// Services.
func pdfPlaceKind(pl MapPlace) int {
	switch {
	case pl.FranceServices:
		return 2
	case pl.Itinerant:
		return 1
	}
	return 0
}

// placeSymbol draws a disc (place), a triangle (itinerant) or a square
// (France Services), black with a white rim so that neighbours stay apart.
func (d *pdfDoc) placeSymbol(kind int, x, y float64) {
	f := d.f
	f.SetLineWidth(0.2)
	f.SetDrawColor(255, 255, 255)
	f.SetFillColor(0, 0, 0)
	switch kind {
	case 2:
		f.Rect(x-1.2, y-1.2, 2.4, 2.4, "FD")
	case 1:
		f.Polygon([]fpdf.PointType{{X: x, Y: y - 1.5}, {X: x + 1.4, Y: y + 1}, {X: x - 1.4, Y: y + 1}}, "FD")
	default:
		f.Circle(x, y, 0.95, "FD")
	}
}

// hatch fills a polygon with diagonal lines: "no place" must show without
// colour.
func (d *pdfDoc) hatch(pts []fpdf.PointType) {
	f := d.f
	minX, minY := math.Inf(1), math.Inf(1)
	maxX, maxY := math.Inf(-1), math.Inf(-1)
	for _, p := range pts {
		minX, maxX = math.Min(minX, p.X), math.Max(maxX, p.X)
		minY, maxY = math.Min(minY, p.Y), math.Max(maxY, p.Y)
	}
	f.ClipPolygon(pts, false)
	f.SetDrawColor(110, 110, 110)
	f.SetLineWidth(0.12)
	const gap = 1.3
	h := maxY - minY
	for x := minX - h; x < maxX; x += gap {
		f.Line(x, maxY, x+h, minY)
	}
	f.ClipEnd()
}

func (d *pdfDoc) comparison() {
	if len(d.p.Compare) == 0 {
		return
	}
	d.section("Comparaison", 30, false)
	t := pdfTable{
		cols: []pdfCol{
			{title: "Territoire", w: 50},
			{title: "Lieux", w: 18, align: "R"},
			{title: "Lieux pour 10 000 hab.", w: 27, align: "R"},
			{title: "Communes équipées", w: 27, align: "R"},
			{title: "Population couverte", w: 27, align: "R"},
			{title: "Vérifiés depuis moins de 12 mois", w: pdfContentW - 50 - 18 - 27*3, align: "R"},
		},
		header:    true,
		boldFirst: true,
		barCol:    -1,
		size:      8.5,
	}
	for _, c := range d.p.Compare {
		t.rows = append(t.rows, []string{c.Label, pdfThousands(c.Places), pdfDecimal(c.PerTenThousand, 1),
			pdfPercent(c.CoveredCommunes), pdfPercent(c.CoveredPopulation), pdfPercent(c.ConfirmedLastYear)})
	}
	d.table(t)
	d.f.SetY(d.f.GetY() + 2)
}

func (d *pdfDoc) trend() {
	tr := d.p.Trend
	if len(tr) < 2 {
		d.section("Évolution", 10, false)
		d.paragraph("Les chiffres clés sont relevés chaque mois : l'évolution s'affichera dès le deuxième relevé.", "", 9, 4.5)
		return
	}
	// Two small charts, each on its own scale: the communes would be a
	// flat line on the scale of the places.
	const chartH = 52.0
	d.section("Évolution", chartH+6, false)
	top := d.f.GetY()
	months := make([]string, len(tr))
	places := make([]int, len(tr))
	communes := make([]int, len(tr))
	for i, s := range tr {
		months[i], places[i], communes[i] = s.Month, s.Places, s.CoveredCommunes
	}
	const gap = 8.0
	w := (pdfContentW - gap) / 2
	d.lineChart(pdfMarginL, top, w, chartH, "Lieux actifs", months, places, 0)
	d.lineChart(pdfMarginL+w+gap, top, w, chartH, "Communes avec au moins un lieu", months, communes, 2)
	d.f.SetY(top + chartH + 2)
}

// lineChart draws one monthly series in the box (x, y, w, h), its points
// drawn with the map symbol kind.
func (d *pdfDoc) lineChart(x, y, w, h float64, title string, months []string, values []int, kind int) {
	f := d.f
	d.font("B", 9)
	d.cell(x, y, w, 5, d.fit(title, w), "L")
	plotL := x + 10
	plotW := w - 16
	top := y + 10
	plotH := h - 20
	base := top + plotH
	maxV := 0
	for _, v := range values {
		maxV = max(maxV, v)
	}
	vmax, step := pdfNiceMax(float64(maxV))
	d.gridY(plotL, plotW, top, plotH, vmax, step)
	n := len(values)
	dx := plotW / float64(n-1)
	xAt := func(i int) float64 { return plotL + float64(i)*dx }
	yAt := func(v int) float64 { return base - plotH*float64(v)/vmax }
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.5)
	for i := 1; i < n; i++ {
		f.Line(xAt(i-1), yAt(values[i-1]), xAt(i), yAt(values[i]))
	}
	f.SetLineWidth(0.3)
	f.Line(plotL, base, plotL+plotW, base)
	// Label every point when there is room, else the first and last.
	labelAll := dx >= 9
	for i, v := range values {
		px, py := xAt(i), yAt(v)
		d.placeSymbol(kind, px, py)
		if labelAll || i == 0 || i == n-1 {
			d.font("B", 6.5)
			d.cell(px-8, py-4.4, 16, 3, pdfThousands(v), "C")
		}
	}
	every := int(math.Ceil(15 / dx))
	d.font("", 6.5)
	for i, m := range months {
		if i%every != 0 && i != n-1 {
			continue
		}
		if i != n-1 && i+every > n-1 && xAt(n-1)-xAt(i) < 15 {
			continue // keep the last month readable
		}
		d.cell(xAt(i)-8, base+1, 16, 3.4, pdfMonth(m), "C")
	}
}

func (d *pdfDoc) sources() {
	d.section("Sources et méthode", 25, false)
	if len(d.p.Sources) > 0 {
		t := pdfTable{
			cols: []pdfCol{
				{title: "Donnée", w: 58},
				{title: "Source", w: 90},
				{title: "Date", w: pdfContentW - 58 - 90},
			},
			header: true,
			barCol: -1,
			size:   8.5,
		}
		for _, s := range d.p.Sources {
			t.rows = append(t.rows, []string{s.What, s.From, s.Date})
		}
		d.table(t)
		d.f.SetY(d.f.GetY() + 2)
	}
	d.paragraph("Distances à vol d'oiseau depuis le centre de chaque commune. Seuls les lieux actifs sont comptés ; "+
		"un lieu est « vérifié » quand sa date de mise à jour a moins de 12 mois.", "", 9, 4.5)
	d.f.SetY(d.f.GetY() + 1)

	note := "Ce portrait est une base de discussion avec les acteurs du territoire : il reflète les informations " +
		"connues de PORTREA à la date indiquée et gagne à être complété par leur connaissance du terrain."
	f := d.f
	d.font("B", 9.5)
	lines := d.split(note, pdfContentW-6)
	h := float64(len(lines))*4.8 + 4
	d.ensure(h)
	y := f.GetY()
	f.SetFillColor(238, 238, 238)
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.3)
	f.Rect(pdfMarginL, y, pdfContentW, h, "FD")
	for i, l := range lines {
		d.cell(pdfMarginL+3, y+2+float64(i)*4.8, pdfContentW-6, 4.8, l, "L")
	}
	f.SetY(y + h + 2)
}

// ---------------------------------------------------------------------
// Blocks

// section starts a top-level section, kept with the first keep mm of what
// follows.
func (d *pdfDoc) section(title string, keep float64, newPage bool) {
	f := d.f
	if newPage && f.GetY() > pdfMarginT+1 {
		f.AddPage()
	}
	d.ensure(12 + keep)
	y := f.GetY()
	if y > pdfMarginT+1 {
		y += 3
	}
	d.font("B", 14)
	f.Bookmark(pdfText(title, false), 0, y)
	d.cell(pdfMarginL, y, pdfContentW, 7, title, "L")
	f.SetDrawColor(0, 0, 0)
	f.SetLineWidth(0.4)
	f.Line(pdfMarginL, y+7.5, pdfMarginL+pdfContentW, y+7.5)
	f.SetY(y + 10)
}

// subtitle starts a block, kept with the first keep mm of what follows.
func (d *pdfDoc) subtitle(title string, keep float64) {
	f := d.f
	d.font("B", 10.5)
	lines := d.split(title, pdfContentW)
	const lh = 5.0
	d.ensure(float64(len(lines))*lh + 1 + keep)
	for _, l := range lines {
		d.cell(pdfMarginL, f.GetY(), pdfContentW, lh, l, "L")
		f.SetY(f.GetY() + lh)
	}
	f.SetY(f.GetY() + 1)
}

// paragraph writes wrapped text line by line, breaking pages between
// lines; newlines in s are kept.
func (d *pdfDoc) paragraph(s, style string, size, lh float64) {
	f := d.f
	d.font(style, size)
	for _, l := range d.split(s, pdfContentW) {
		d.ensure(lh)
		d.cell(pdfMarginL, f.GetY(), pdfContentW, lh, l, "L")
		f.SetY(f.GetY() + lh)
	}
	f.SetY(f.GetY() + 1.5)
}

func (d *pdfDoc) bullets(items []string) {
	f := d.f
	const lh = 4.5
	d.font("", 9)
	for _, it := range items {
		lines := d.split(it, pdfContentW-5)
		d.ensure(float64(len(lines)) * lh)
		d.cell(pdfMarginL, f.GetY(), 5, lh, "•", "L")
		for _, l := range lines {
			d.cell(pdfMarginL+4, f.GetY(), pdfContentW-4, lh, l, "L")
			f.SetY(f.GetY() + lh)
		}
	}
	f.SetY(f.GetY() + 1.5)
}

type pdfTile struct{ value, label string }

// tiles draws key figures as framed tiles, cols per row.
func (d *pdfDoc) tiles(tiles []pdfTile, cols int) {
	f := d.f
	const gap, lh = 3.0, 3.8
	w := (pdfContentW - gap*float64(cols-1)) / float64(cols)
	for start := 0; start < len(tiles); start += cols {
		row := tiles[start:min(start+cols, len(tiles))]
		d.font("", 8.5)
		maxLines := 1
		labels := make([][]string, len(row))
		for i, t := range row {
			labels[i] = d.split(t.label, w-3)
			maxLines = max(maxLines, len(labels[i]))
		}
		h := 3 + 8 + float64(maxLines)*lh + 2
		d.ensure(h)
		y := f.GetY()
		for i, t := range row {
			x := pdfMarginL + float64(i)*(w+gap)
			f.SetFillColor(242, 242, 242)
			f.SetDrawColor(120, 120, 120)
			f.SetLineWidth(0.25)
			f.Rect(x, y, w, h, "FD")
			f.SetFillColor(60, 60, 60)
			f.Rect(x, y, 1.2, h, "F")
			d.font("B", 15)
			d.cell(x+2, y+2.5, w-3, 8, d.fit(t.value, w-3), "L")
			d.font("", 8.5)
			for j, l := range labels[i] {
				d.cell(x+2, y+11+float64(j)*lh, w-3, lh, l, "L")
			}
		}
		f.SetY(y + h + gap)
	}
	f.SetY(f.GetY() + 1)
}

type pdfCol struct {
	title string
	w     float64
	align string // "L" (default), "C", "R"
}

// pdfTable is a table; with barCol ≥ 0 that column draws bars[i] (0–1)
// instead of text.
type pdfTable struct {
	title     string // kept with the header and the first row
	cols      []pdfCol
	rows      [][]string
	header    bool
	boldFirst bool
	bars      []float64
	barCol    int
	size      float64
}

// table draws t; rows are never cut, and the header is repeated on each
// new page.
func (d *pdfDoc) table(t pdfTable) {
	f := d.f
	lh := t.size * 0.45
	const pad = 1.0
	measure := func(cells []string, header bool) ([][]string, float64) {
		out := make([][]string, len(t.cols))
		n := 1
		for i, c := range t.cols {
			if i >= len(cells) || (!header && i == t.barCol) {
				continue
			}
			if header || (t.boldFirst && i == 0) {
				d.font("B", t.size)
			} else {
				d.font("", t.size)
			}
			out[i] = d.split(cells[i], c.w)
			n = max(n, len(out[i]))
		}
		return out, float64(n)*lh + 2*pad
	}
	draw := func(lines [][]string, h float64, header bool, fill int) {
		y := f.GetY()
		if fill < 255 {
			f.SetFillColor(fill, fill, fill)
			f.Rect(pdfMarginL, y, pdfContentW, h, "F")
		}
		x := pdfMarginL
		for i, c := range t.cols {
			if header || (t.boldFirst && i == 0) {
				d.font("B", t.size)
			} else {
				d.font("", t.size)
			}
			align := c.align
			if align == "" {
				align = "L"
			}
			for j, l := range lines[i] {
				d.cell(x, y+pad+float64(j)*lh, c.w, lh, l, align)
			}
			x += c.w
		}
		f.SetDrawColor(150, 150, 150)
		f.SetLineWidth(0.15)
		if header {
			f.SetDrawColor(0, 0, 0)
			f.SetLineWidth(0.3)
		}
		f.Line(pdfMarginL, y+h, pdfMarginL+pdfContentW, y+h)
		f.SetY(y + h)
	}
	var hdrLines [][]string
	hdrH := 0.0
	if t.header {
		titles := make([]string, len(t.cols))
		for i, c := range t.cols {
			titles[i] = c.title
		}
		hdrLines, hdrH = measure(titles, true)
	}
	header := func() {
		if t.header {
			draw(hdrLines, hdrH, true, 225)
		}
	}
	if len(t.rows) == 0 {
		return
	}
	_, firstH := measure(t.rows[0], false)
	if t.title != "" {
		d.subtitle(t.title, hdrH+firstH)
	} else {
		d.ensure(hdrH + firstH)
	}
	header()
	for r, row := range t.rows {
		lines, h := measure(row, false)
		if f.GetY()+h > d.bottom() {
			f.AddPage()
			header()
		}
		fill := 255
		if r%2 == 1 {
			fill = 245
		}
		y := f.GetY()
		draw(lines, h, false, fill)
		if t.barCol >= 0 && r < len(t.bars) && t.bars[r] > 0 {
			x := pdfMarginL
			for i := 0; i < t.barCol; i++ {
				x += t.cols[i].w
			}
			bw := (t.cols[t.barCol].w - 2) * math.Min(t.bars[r], 1)
			f.SetFillColor(120, 120, 120)
			f.SetDrawColor(0, 0, 0)
			f.SetLineWidth(0.15)
			f.Rect(x+1, y+pad+0.2, bw, h-2*pad-0.4, "FD")
		}
	}
}

// gridY draws the value axis of a chart: dashed grid lines and labels.
func (d *pdfDoc) gridY(left, width, top, height, vmax, step float64) {
	f := d.f
	d.font("", 6.5)
	f.SetLineWidth(0.1)
	f.SetDrawColor(170, 170, 170)
	f.SetDashPattern([]float64{0.6, 0.6}, 0)
	for v := 0.0; v <= vmax+step/2; v += step {
		y := top + height - height*v/vmax
		f.Line(left, y, left+width, y)
		d.cell(left-10, y-1.7, 9.5, 3.4, pdfDecimal(v, 0), "R")
	}
	f.SetDashPattern(nil, 0)
}

// ---------------------------------------------------------------------
// Low-level helpers

func (d *pdfDoc) bottom() float64 { return pdfPageH - pdfMarginB }

func (d *pdfDoc) room() float64 { return d.bottom() - d.f.GetY() }

// ensure starts a new page unless h mm are left on this one (a block
// taller than a page starts at the top and is cut).
func (d *pdfDoc) ensure(h float64) {
	if d.f.GetY()+h > d.bottom() && d.f.GetY() > pdfMarginT+1 {
		d.f.AddPage()
	}
}

func (d *pdfDoc) font(style string, size float64) { d.f.SetFont(pdfFont, style, size) }

// cell writes one line of text in a box; s is made safe for the font.
func (d *pdfDoc) cell(x, y, w, h float64, s, align string) {
	d.f.SetXY(x, y)
	d.f.CellFormat(w, h, pdfText(s, false), "", 0, align+"M", false, 0, "")
}

// split wraps s to width w with the current font, French style: no
// break inside a number ("10 000"), before « % : ; ! ? » » or after « «
// »; newlines are kept. At least one line.
func (d *pdfDoc) split(s string, w float64) []string {
	f := d.f
	avail := w - 2 // cell margins
	var lines []string
	for _, para := range strings.Split(pdfText(s, true), "\n") {
		line := ""
		for _, word := range pdfWords(para) {
			if line == "" {
				line = word
			} else if f.GetStringWidth(line+" "+word) <= avail {
				line += " " + word
				continue
			} else {
				lines = append(lines, line)
				line = word
			}
			// A word wider than the line is cut where it must.
			for f.GetStringWidth(line) > avail {
				r := []rune(line)
				k := len(r) - 1
				for k > 1 && f.GetStringWidth(string(r[:k])) > avail {
					k--
				}
				lines = append(lines, string(r[:k]))
				line = string(r[k:])
			}
		}
		lines = append(lines, line)
	}
	return lines
}

// pdfWords cuts a line at the spaces where French allows a break.
func pdfWords(s string) []string {
	r := []rune(s)
	var words []string
	start := 0
	for i, c := range r {
		if c != ' ' {
			continue
		}
		if i > 0 && i+1 < len(r) {
			prev, next := r[i-1], r[i+1]
			if (unicode.IsDigit(prev) && unicode.IsDigit(next)) || strings.ContainsRune("%:;!?»€", next) || prev == '«' {
				continue
			}
		}
		if i > start {
			words = append(words, string(r[start:i]))
		}
		start = i + 1
	}
	if start < len(r) {
		words = append(words, string(r[start:]))
	}
	return words
}

// fit shortens s with an ellipsis until it fits in w.
func (d *pdfDoc) fit(s string, w float64) string {
	s = pdfText(s, false)
	avail := w - 2
	if d.f.GetStringWidth(s) <= avail {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && d.f.GetStringWidth(string(r)+"…") > avail {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// pdfGlyphs is the set of runes both embedded fonts can draw.
var pdfGlyphs = sync.OnceValue(func() *[1 << 16 / 64]uint64 {
	var set [1 << 16 / 64]uint64
	regular, err1 := sfnt.Parse(goregular.TTF)
	bold, err2 := sfnt.Parse(gobold.TTF)
	if err1 != nil || err2 != nil {
		for r := 0x20; r < 0x7f; r++ { // cannot happen: embedded fonts
			set[r/64] |= 1 << (r % 64)
		}
		return &set
	}
	var buf sfnt.Buffer
	for r := rune(0x20); r < 1<<16; r++ {
		if r >= 0xd800 && r < 0xe000 {
			continue
		}
		if i, err := regular.GlyphIndex(&buf, r); err != nil || i == 0 {
			continue
		}
		if i, err := bold.GlyphIndex(&buf, r); err != nil || i == 0 {
			continue
		}
		set[r/64] |= 1 << (r % 64)
	}
	return &set
})

// pdfText makes s safe for the embedded fonts: characters they lack
// (the narrow no-break space, emoji, control characters) become a plain
// space, so that nothing prints as a blank box and fpdf's width tables
// (16-bit) are never overrun. Newlines are kept when asked.
func pdfText(s string, newlines bool) string {
	glyphs := pdfGlyphs()
	ok := true
	for _, r := range s {
		if r >= 1<<16 || glyphs[r/64]&(1<<(r%64)) == 0 {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\r':
			// CRLF from a text area: the \n that follows is enough.
		case r == '\n' && newlines:
			b.WriteRune(r)
		case r < 1<<16 && glyphs[r/64]&(1<<(r%64)) != 0:
			b.WriteRune(r)
		default:
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func pdfLonLatOK(lon, lat float64) bool {
	return !math.IsNaN(lon) && !math.IsNaN(lat) && lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90 &&
		(lon != 0 || lat != 0)
}

func pdfNamed(c NamedCode) string {
	if c.Code == "" {
		return c.Name
	}
	return c.Name + " (" + c.Code + ")"
}

// pdfNiceMax rounds v up to a multiple of a 1, 2 or 5 × 10ⁿ step giving
// about four grid lines; counts never get a step under 1.
func pdfNiceMax(v float64) (vmax, step float64) {
	if v <= 0 {
		return 1, 1
	}
	raw := v / 4
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step = 10 * mag
	for _, m := range []float64{1, 2, 5} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	step = math.Max(step, 1)
	return math.Ceil(v/step) * step, step
}

// pdfNiceFloor rounds v down to 1, 2 or 5 × 10ⁿ.
func pdfNiceFloor(v float64) float64 {
	if v <= 0 || math.IsInf(v, 0) || math.IsNaN(v) {
		return 0
	}
	mag := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{5, 2, 1} {
		if m*mag <= v {
			return m * mag
		}
	}
	return mag
}

// pdfDigits is the number of decimals that shows a 1-2-5 value exactly.
func pdfDigits(v float64) int {
	if v >= 1 {
		return 0
	}
	return int(math.Ceil(-math.Log10(v)))
}

// pdfThousands writes an integer the French way, the thousands separated
// by a plain space (the fonts lack the narrow no-break space): 12 345.
func pdfThousands(n int) string {
	if n < 0 {
		return "-" + pdfThousands(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// pdfDecimal writes x with digits decimals, comma and spaced thousands.
func pdfDecimal(x float64, digits int) string {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return "—"
	}
	s := strconv.FormatFloat(x, 'f', digits, 64)
	whole, frac, _ := strings.Cut(s, ".")
	neg := strings.HasPrefix(whole, "-")
	n, _ := strconv.Atoi(strings.TrimPrefix(whole, "-"))
	out := pdfThousands(n)
	if neg {
		out = "-" + out
	}
	if frac != "" {
		out += "," + frac
	}
	return out
}

func pdfPercent(x float64) string { return pdfDecimal(x, 0) + " %" }

var pdfMonths = [12]string{"janvier", "février", "mars", "avril", "mai", "juin",
	"juillet", "août", "septembre", "octobre", "novembre", "décembre"}

var pdfMonthsShort = [12]string{"janv.", "févr.", "mars", "avr.", "mai", "juin",
	"juil.", "août", "sept.", "oct.", "nov.", "déc."}

// pdfDate writes a date in Paris the French way: "1er mars 2026",
// "27 novembre 2026".
func pdfDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.In(place.Paris)
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, pdfMonths[t.Month()-1], t.Year())
}

// pdfMonth writes a snapshot month "2026-11" as "nov. 2026".
func pdfMonth(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return m
	}
	return fmt.Sprintf("%s %d", pdfMonthsShort[t.Month()-1], t.Year())
}

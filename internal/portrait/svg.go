package portrait

// The portrait's charts and map as inline SVG: sized by viewBox so that
// they scale to the page and print crisply, readable in black and white
// (values written on the bars, patterns and shapes rather than colours)
// and described in French for assistive technologies (<title>, <desc>).
// The visually-hidden data tables next to them are the page's job.

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	svgInk   = "#1d3d6b" // the site's dark blue: near black when printed in grey
	svgGrid  = "#c8c8c8"
	svgMuted = "#444"
	// svgFontFamily is the site's font stack, quoted for an attribute.
	svgFontFamily = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
	// svgCharWidth is the average advance of a sans-serif character, in
	// ems, to size label columns without measuring text.
	svgCharWidth = 0.56
	// svgIDMark stands for the chart's id prefix until the chart is
	// complete. Escaped text can never contain it: escaping turns NUL
	// into U+FFFD.
	svgIDMark = "\x00"
)

// svgDoc is an SVG being written.
type svgDoc struct{ b strings.Builder }

func (d *svgDoc) printf(format string, a ...any) { fmt.Fprintf(&d.b, format, a...) }

func (d *svgDoc) write(s string) { d.b.WriteString(s) }

// open writes the root element with its accessible name and description.
func (d *svgDoc) open(w, h float64, class, title, desc string) {
	d.printf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" class="%s" role="img" aria-labelledby="%s-t" aria-describedby="%s-d" font-family="%s" font-size="13">`,
		svgNum(w), svgNum(h), class, svgIDMark, svgIDMark, svgFontFamily)
	d.printf(`<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, svgIDMark, svgText(title), svgIDMark, svgText(desc))
}

// close ends the document and gives its ids a prefix derived from its
// content, so that several charts on one page do not share ids.
func (d *svgDoc) close() template.HTML {
	d.write(`</svg>`)
	s := d.b.String()
	h := fnv.New32a()
	h.Write([]byte(s))
	return template.HTML(strings.ReplaceAll(s, svgIDMark, fmt.Sprintf("svg%08x", h.Sum32())))
}

// text writes a text element; attrs are extra raw attributes.
func (d *svgDoc) text(x, y float64, attrs, s string) {
	d.printf(`<text x="%s" y="%s"%s>%s</text>`, svgNum(x), svgNum(y), attrs, svgText(s))
}

// svgText escapes s for XML and HTML text or attributes, dropping the
// control characters XML does not allow.
func svgText(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return ' '
		case r == utf8.RuneError, unicode.IsControl(r), r == 0xFFFE, r == 0xFFFF:
			return -1
		}
		return r
	}, s)
	return template.HTMLEscapeString(s)
}

// svgNum writes a coordinate with at most one decimal: a tenth of a unit
// of a 640-wide viewBox is finer than print needs.
func svgNum(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		return "0" // and not "-0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// svgInt writes an integer the French way: 12 345 with a narrow no-break
// space.
func svgInt(n int) string {
	if n < 0 {
		return "-" + svgInt(-n)
	}
	s := strconv.Itoa(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// svgDec writes a number with prec decimals the French way: 1 234,5.
func svgDec(f float64, prec int) string {
	s := strconv.FormatFloat(math.Abs(f), 'f', prec, 64)
	whole, frac, _ := strings.Cut(s, ".")
	n, _ := strconv.Atoi(whole)
	out := svgInt(n)
	if frac != "" {
		out += "," + frac
	}
	if f < 0 && strings.Trim(s, "0.") != "" {
		out = "-" + out
	}
	return out
}

// svgPlaces writes a number of places: « aucun lieu », « 1 lieu », « 12 lieux ».
func svgPlaces(n int) string {
	switch {
	case n == 0:
		return "aucun lieu"
	case n == 1:
		return "1 lieu"
	}
	return svgInt(n) + " lieux"
}

// svgTextWidth estimates the width of s at the font size.
func svgTextWidth(s string, size float64) float64 {
	return float64(utf8.RuneCountInString(s)) * size * svgCharWidth
}

// svgWrap splits a label into at most two lines of about max characters,
// at spaces; what does not fit ends with an ellipsis (the full label is in
// the description).
func svgWrap(s string, max int) []string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= max {
		return []string{s}
	}
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(w) <= max:
			line += " " + w
		default:
			lines = append(lines, line)
			line = w
		}
	}
	lines = append(lines, line)
	for i, l := range lines {
		if r := []rune(l); len(r) > max {
			lines[i] = string(r[:max-1]) + "…"
		}
	}
	if len(lines) > 2 {
		rest := []rune(strings.Join(lines[1:], " "))
		if len(rest) > max {
			rest = append(rest[:max-1], '…')
		}
		lines = []string{lines[0], string(rest)}
	}
	return lines
}

// svgNiceScale returns the top of an axis from 0 showing max, and the
// step of its gridlines (1, 2 or 5 times a power of ten, at most 5 steps).
func svgNiceScale(max float64) (top, step float64) {
	if max <= 0 || math.IsNaN(max) || math.IsInf(max, 0) {
		return 1, 1
	}
	step = math.Pow(10, math.Floor(math.Log10(max/5)))
	for _, m := range []float64{1, 2, 5, 10} {
		if max/(step*m) <= 5 {
			step *= m
			break
		}
	}
	if max >= 1 && step < 1 {
		step = 1 // counts: no gridline between two whole numbers
	}
	return math.Ceil(max/step) * step, step
}

// BarChartSVG draws counts as horizontal bars, the label on the left and
// the value at the end of each bar. It returns "" when there is nothing to
// draw.
func BarChartSVG(title string, counts []Count) template.HTML {
	if len(counts) == 0 {
		return ""
	}
	const (
		width   = 640.0
		font    = 13.0
		margin  = 8.0
		titleH  = 30.0
		lineH   = 16.0
		valueW  = 60.0 // room after the longest bar for its value
		maxWrap = 36   // characters per label line
	)
	longest, top := 0, 0
	for _, c := range counts {
		longest = max(longest, utf8.RuneCountInString(c.Label))
		top = max(top, c.N)
	}
	wrap := min(longest, maxWrap)
	labelW := float64(wrap)*font*svgCharWidth + 12
	barX := margin + labelW
	barMax := width - barX - valueW - margin

	items := make([]string, len(counts))
	for i, c := range counts {
		items[i] = strings.Join(strings.Fields(c.Label), " ") + " : " + svgPlaces(c.N)
	}
	var body svgDoc
	y := titleH
	for _, c := range counts {
		lines := svgWrap(c.Label, wrap)
		rowH := 10 + float64(len(lines))*lineH
		mid := y + rowH/2
		ty := mid - float64(len(lines)-1)*lineH/2 + font*0.35
		for _, l := range lines {
			body.text(barX-8, ty, ` text-anchor="end"`, l)
			ty += lineH
		}
		w := 0.0
		if top > 0 {
			w = float64(c.N) / float64(top) * barMax
		}
		if w > 0 {
			body.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				svgNum(barX), svgNum(y+5), svgNum(w), svgNum(rowH-10), svgInk)
		}
		body.text(barX+w+6, mid+font*0.35, ` font-weight="bold"`, svgInt(c.N))
		y += rowH
	}
	height := y + margin

	var d svgDoc
	d.open(width, height, "chart-bars", title, strings.Join(items, " ; ")+".")
	d.text(margin, 20, ` font-size="15" font-weight="bold"`, title)
	d.write(body.b.String())
	d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(barX), svgNum(titleH), svgNum(barX), svgNum(y), svgMuted)
	return d.close()
}

// HoursChartSVG draws the number of places open at each hour of
// h.Weekday: 24 vertical bars over an axis from 0 h to 23 h.
func HoursChartSVG(h HoursFigures) template.HTML {
	const (
		width  = 720.0
		left   = 44.0
		right  = 12.0
		top    = 52.0
		plotH  = 180.0
		bottom = 44.0
	)
	plotW := width - left - right
	slot := plotW / 24
	base := top + plotH
	most := 0
	for _, n := range h.ByHour {
		most = max(most, n)
	}
	yTop, step := svgNiceScale(float64(most))

	title := "Lieux ouverts à chaque heure"
	if h.Weekday != "" {
		title = "Lieux ouverts à chaque heure, le " + h.Weekday
	}
	var d svgDoc
	d.open(width, base+bottom, "chart-hours", title, svgHoursDesc(h))
	d.text(8, 20, ` font-size="15" font-weight="bold"`, title)
	d.text(8, 40, ` font-size="11" fill="`+svgMuted+`"`, "Nombre de lieux ouverts")
	for v := 0.0; v <= yTop+step/2; v += step {
		y := base - v/yTop*plotH
		d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-dasharray="3 3"/>`,
			svgNum(left), svgNum(y), svgNum(width-right), svgNum(y), svgGrid)
		d.text(left-6, y+4, ` font-size="11" text-anchor="end"`, svgInt(int(v)))
	}
	for i, n := range h.ByHour {
		x := left + float64(i)*slot
		if n > 0 {
			bh := float64(n) / yTop * plotH
			d.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`,
				svgNum(x+slot*0.15), svgNum(base-bh), svgNum(slot*0.7), svgNum(bh), svgInk)
			d.text(x+slot/2, base-bh-4, ` font-size="10" text-anchor="middle"`, svgInt(n))
		}
		d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(x), svgNum(base), svgNum(x), svgNum(base+4), svgMuted)
		d.text(x+slot/2, base+16, ` font-size="10" text-anchor="middle"`, strconv.Itoa(i)+" h")
	}
	d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(left), svgNum(base), svgNum(width-right), svgNum(base), svgMuted)
	d.text(left+plotW/2, base+36, ` font-size="11" text-anchor="middle" fill="`+svgMuted+`"`, "Heure de la journée (lieux ouverts à la demie)")
	return d.close()
}

// svgHoursDesc states the hourly counts, runs of equal hours merged:
// « de 0 h à 9 h : aucun lieu ; de 9 h à 10 h : 3 lieux ; … ».
func svgHoursDesc(h HoursFigures) string {
	day := "chaque jour"
	if h.Weekday != "" {
		day = "le " + h.Weekday
	}
	var parts []string
	for i := 0; i < 24; {
		j := i + 1
		for j < 24 && h.ByHour[j] == h.ByHour[i] {
			j++
		}
		parts = append(parts, fmt.Sprintf("de %d h à %d h : %s", i, j, svgPlaces(h.ByHour[i])))
		i = j
	}
	return "Nombre de lieux ouverts " + day + ", heure par heure : " + strings.Join(parts, " ; ") + "."
}

var svgMonths = [12][2]string{
	{"janv.", "janvier"}, {"févr.", "février"}, {"mars", "mars"}, {"avr.", "avril"},
	{"mai", "mai"}, {"juin", "juin"}, {"juil.", "juillet"}, {"août", "août"},
	{"sept.", "septembre"}, {"oct.", "octobre"}, {"nov.", "novembre"}, {"déc.", "décembre"},
}

// svgMonth splits "2026-11" into "nov.", "novembre" and "2026"; another
// string comes back whole as the short and long name.
func svgMonth(m string) (short, long, year string) {
	y, mm, ok := strings.Cut(m, "-")
	n, err := strconv.Atoi(mm)
	if !ok || err != nil || n < 1 || n > 12 {
		return m, m, ""
	}
	return svgMonths[n-1][0], svgMonths[n-1][1], y
}

// TrendSVG draws the monthly snapshots as two small line charts sharing
// the month axis: active places, and places per 10,000 inhabitants. It
// returns "" when there are fewer than two snapshots.
func TrendSVG(ss []Snapshot) template.HTML {
	if len(ss) < 2 {
		return ""
	}
	const (
		width  = 640.0
		left   = 52.0
		right  = 24.0
		inset  = 24.0 // between the axis and the first and last months
		top    = 30.0
		panelH = 130.0
		gap    = 44.0 // between the panels, for the second one's title
		bottom = 40.0
	)
	n := len(ss)
	plotW := width - left - right - 2*inset
	x := func(i int) float64 { return left + inset + float64(i)*plotW/float64(n-1) }
	labelAll := n <= 12
	stride := (n + 11) / 12

	items := make([]string, n)
	for i, s := range ss {
		_, long, year := svgMonth(s.Month)
		items[i] = fmt.Sprintf("%s : %s (%s pour 10 000 habitants)", strings.TrimSpace(long+" "+year), svgPlaces(s.Places), svgDec(s.PerTenThousand, 1))
	}
	var d svgDoc
	d.open(width, top+2*panelH+gap+bottom+8, "chart-trend", "Évolution mensuelle des lieux",
		"Lieux actifs et lieux pour 10 000 habitants, par mois : "+strings.Join(items, " ; ")+".")

	panels := []struct {
		title  string
		value  func(Snapshot) float64
		format func(float64) string
		dash   string
		marker string // "circle" or "square"
	}{
		{"Lieux actifs", func(s Snapshot) float64 { return float64(s.Places) }, func(v float64) string { return svgInt(int(math.Round(v))) }, "", "circle"},
		{"Lieux pour 10 000 habitants", func(s Snapshot) float64 { return s.PerTenThousand }, func(v float64) string { return svgDec(v, 1) }, ` stroke-dasharray="6 4"`, "square"},
	}
	for p, pn := range panels {
		pTop := top + float64(p)*(panelH+gap)
		base := pTop + panelH
		d.text(8, pTop-10, ` font-size="14" font-weight="bold"`, pn.title)
		most := 0.0
		for _, s := range ss {
			most = max(most, pn.value(s))
		}
		yTop, step := svgNiceScale(most)
		if p == 1 && most > 0 && most < 5 {
			yTop, step = svgNiceDecimal(most)
		}
		y := func(v float64) float64 { return base - v/yTop*(panelH-14) }
		for v := 0.0; v <= yTop+step/2; v += step {
			d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" stroke-dasharray="3 3"/>`,
				svgNum(left), svgNum(y(v)), svgNum(width-right), svgNum(y(v)), svgGrid)
			d.text(left-6, y(v)+4, ` font-size="11" text-anchor="end"`, svgDec(v, svgDecimals(step)))
		}
		d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(left), svgNum(base), svgNum(width-right), svgNum(base), svgMuted)
		pts := make([]string, n)
		for i, s := range ss {
			pts[i] = svgNum(x(i)) + "," + svgNum(y(pn.value(s)))
		}
		d.printf(`<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, strings.Join(pts, " "), svgInk, pn.dash)
		for i, s := range ss {
			px, py := x(i), y(pn.value(s))
			if pn.marker == "circle" {
				d.printf(`<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`, svgNum(px), svgNum(py), svgInk)
			} else {
				d.printf(`<rect x="%s" y="%s" width="7" height="7" fill="%s"/>`, svgNum(px-3.5), svgNum(py-3.5), svgInk)
			}
			if labelAll || i == 0 || i == n-1 {
				d.text(px, py-8, ` font-size="11" text-anchor="middle" font-weight="bold"`, pn.format(pn.value(s)))
			}
		}
		for i := range ss {
			d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(x(i)), svgNum(base), svgNum(x(i)), svgNum(base+4), svgMuted)
		}
	}
	base := top + 2*panelH + gap
	for i, s := range ss {
		if i%stride != 0 && i != n-1 {
			continue
		}
		short, _, year := svgMonth(s.Month)
		d.text(x(i), base+16, ` font-size="11" text-anchor="middle"`, short)
		if year != "" && (i == 0 || strings.HasSuffix(s.Month, "-01")) {
			d.text(x(i), base+30, ` font-size="11" text-anchor="middle"`, year)
		}
	}
	return d.close()
}

// svgNiceDecimal is svgNiceScale for small ratios: steps of 0.5, 1 or 2.
func svgNiceDecimal(max float64) (top, step float64) {
	step = 0.5
	if max > 2.5 {
		step = 1
	}
	return math.Ceil(max/step) * step, step
}

// svgProjection maps (lon, lat) to the map's viewBox: equirectangular,
// longitudes shrunk by the cosine of the mean latitude, fitted to the
// bounding box of what is drawn with a margin.
type svgProjection struct {
	minLon, maxLat float64
	k              float64 // cos(mean latitude)
	scale          float64 // viewBox units per degree of latitude
	margin         float64
	offX, offY     float64
	width, height  float64 // of the map area
}

const (
	svgMapWidth  = 640.0
	svgMapMargin = 20.0 // around outlines, and the legend's sides
	// svgMapPointsMargin leaves room for the names of the communes and
	// the symbols of the places at the edge when only points are drawn.
	svgMapPointsMargin = 48.0
	svgMapMaxH         = 820.0
	svgMapMinH         = 260.0
)

// svgKnown tells whether a position is set (the reference writes 0,0 for
// unknown).
func svgKnown(lon, lat float64) bool {
	return !(lon == 0 && lat == 0) && !math.IsNaN(lon) && !math.IsNaN(lat) && lat >= -90 && lat <= 90
}

// newSVGProjection fits the map; ok is false when nothing has a position.
func newSVGProjection(m MapData) (p svgProjection, ok bool) {
	minLon, minLat := math.Inf(1), math.Inf(1)
	maxLon, maxLat := math.Inf(-1), math.Inf(-1)
	add := func(lon, lat float64) {
		if !svgKnown(lon, lat) {
			return
		}
		minLon, maxLon = min(minLon, lon), max(maxLon, lon)
		minLat, maxLat = min(minLat, lat), max(maxLat, lat)
		ok = true
	}
	outlined := false
	for _, c := range m.Communes {
		if m.HasOutlines {
			for _, r := range c.Rings {
				for _, pt := range r {
					add(pt[0], pt[1])
					outlined = outlined || svgKnown(pt[0], pt[1])
				}
			}
		}
		add(c.Centre[0], c.Centre[1])
	}
	for _, pl := range m.Places {
		add(pl.Lon, pl.Lat)
	}
	if !ok {
		return p, false
	}
	// A single point or a line still gets an area about 2 km across.
	const minSpan = 0.02
	if maxLat-minLat < minSpan {
		c := (minLat + maxLat) / 2
		minLat, maxLat = c-minSpan/2, c+minSpan/2
	}
	k := math.Cos((minLat + maxLat) / 2 * math.Pi / 180)
	if (maxLon-minLon)*k < minSpan {
		c := (minLon + maxLon) / 2
		minLon, maxLon = c-minSpan/2/k, c+minSpan/2/k
	}
	spanX, spanY := (maxLon-minLon)*k, maxLat-minLat
	p = svgProjection{minLon: minLon, maxLat: maxLat, k: k, width: svgMapWidth, margin: svgMapPointsMargin}
	if outlined {
		p.margin = svgMapMargin
	}
	inner := svgMapWidth - 2*p.margin
	p.scale = inner / spanX
	if spanY*p.scale > svgMapMaxH-2*p.margin {
		p.scale = (svgMapMaxH - 2*p.margin) / spanY
		p.offX = (inner - spanX*p.scale) / 2
	}
	p.height = spanY*p.scale + 2*p.margin
	if p.height < svgMapMinH {
		p.offY = (svgMapMinH - p.height) / 2
		p.height = svgMapMinH
	}
	return p, true
}

func (p svgProjection) xy(lon, lat float64) (x, y float64) {
	return p.margin + p.offX + (lon-p.minLon)*p.k*p.scale, p.margin + p.offY + (p.maxLat-lat)*p.scale
}

// svgPlaceKind is how a place is drawn and counted: itinerant places as
// triangles (a France Services bus too), France Services as squares,
// other places as dots.
func svgPlaceKind(pl MapPlace) int {
	switch {
	case pl.Itinerant:
		return 2
	case pl.FranceServices:
		return 1
	}
	return 0
}

// svgSymbol draws a place symbol centred on (x, y).
func svgSymbol(d *svgDoc, kind int, x, y float64) {
	const stroke = `stroke="#fff" stroke-width="1.2"`
	switch kind {
	case 1:
		d.printf(`<rect x="%s" y="%s" width="10" height="10" fill="#000" %s/>`, svgNum(x-5), svgNum(y-5), stroke)
	case 2:
		d.printf(`<path d="M%s,%s l6,10.4 h-12 z" fill="#000" %s/>`, svgNum(x), svgNum(y-6.9), stroke)
	default:
		d.printf(`<circle cx="%s" cy="%s" r="4.5" fill="#000" %s/>`, svgNum(x), svgNum(y), stroke)
	}
}

// svgLegendEntry is an entry of the map's legend: a symbol drawn in a
// 20-unit box, and its label.
type svgLegendEntry struct {
	label string
	draw  func(d *svgDoc, x, y float64) // the symbol, centred on (x, y)
	width float64                       // of the symbol box, 20 if 0
}

// MapSVG draws the territory: commune outlines when stored (light grey
// when the commune has a place, hatched otherwise), or else commune
// centres as small circles; commune names; places as dots, France
// Services as squares and itinerant places as triangles; a legend and a
// scale bar. It returns "" when nothing has a position.
func MapSVG(m MapData) template.HTML {
	p, ok := newSVGProjection(m)
	if !ok {
		return ""
	}
	var legend []svgLegendEntry
	if m.HasOutlines {
		legend = append(legend,
			svgLegendEntry{label: "Commune avec au moins un lieu", draw: func(d *svgDoc, x, y float64) {
				d.printf(`<rect x="%s" y="%s" width="16" height="12" fill="#d9d9d9" stroke="#555"/>`, svgNum(x-8), svgNum(y-6))
			}},
			svgLegendEntry{label: "Commune sans lieu", draw: func(d *svgDoc, x, y float64) {
				d.printf(`<rect x="%s" y="%s" width="16" height="12" fill="url(#%s-h)" stroke="#555"/>`, svgNum(x-8), svgNum(y-6), svgIDMark)
			}})
	} else {
		legend = append(legend, svgLegendEntry{label: "Centre de commune", draw: func(d *svgDoc, x, y float64) {
			d.printf(`<circle cx="%s" cy="%s" r="3" fill="#fff" stroke="#555" stroke-width="1.2"/>`, svgNum(x), svgNum(y))
		}})
	}
	var kinds [3]int
	for _, pl := range m.Places {
		if svgKnown(pl.Lon, pl.Lat) {
			kinds[svgPlaceKind(pl)]++
		}
	}
	for k, label := range []string{"Lieu fixe", "France Services", "Lieu itinérant"} {
		if kinds[k] > 0 {
			legend = append(legend, svgLegendEntry{label: label, draw: func(d *svgDoc, x, y float64) { svgSymbol(d, k, x, y) }})
		}
	}
	legend = append(legend, svgScaleBar(p))

	// The legend flows in rows under the map.
	const rowH, legendFont = 22.0, 12.0
	type placed struct {
		e    svgLegendEntry
		x, y float64
	}
	var items []placed
	lx, ly := svgMapMargin, p.height+14
	for _, e := range legend {
		box := cmp.Or(e.width, 20)
		w := box + 6 + svgTextWidth(e.label, legendFont) + 20
		if lx > svgMapMargin && lx+w > svgMapWidth-svgMapMargin {
			lx, ly = svgMapMargin, ly+rowH
		}
		items = append(items, placed{e, lx, ly})
		lx += w
	}
	height := ly + rowH

	var d svgDoc
	d.open(svgMapWidth, height, "chart-map", "Carte des lieux et des communes du territoire", svgMapDesc(m, kinds))
	d.printf(`<defs><pattern id="%s-h" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8a8a8a" stroke-width="1.2"/></pattern></defs>`, svgIDMark)
	d.printf(`<rect width="%s" height="%s" fill="#fff"/>`, svgNum(svgMapWidth), svgNum(height))
	if m.HasOutlines {
		for _, c := range m.Communes {
			path := svgPath(p, c.Rings)
			if path == "" {
				continue
			}
			fill := "#d9d9d9"
			if !c.Covered {
				fill = "url(#" + svgIDMark + "-h)"
			}
			d.printf(`<path d="%s" fill="%s" fill-rule="evenodd" stroke="#555" stroke-width="0.8" stroke-linejoin="round"/>`, path, fill)
		}
	} else {
		for _, c := range m.Communes {
			if svgKnown(c.Centre[0], c.Centre[1]) {
				x, y := p.xy(c.Centre[0], c.Centre[1])
				d.printf(`<circle cx="%s" cy="%s" r="3" fill="#fff" stroke="#555" stroke-width="1.2"/>`, svgNum(x), svgNum(y))
			}
		}
	}
	for _, c := range m.Communes {
		lon, lat := c.Centre[0], c.Centre[1]
		if !svgKnown(lon, lat) {
			continue
		}
		x, y := p.xy(lon, lat)
		if !m.HasOutlines {
			y -= 7 // above the centre's circle
		}
		// Names near an edge are aligned to stay inside the map.
		anchor, half := "middle", svgTextWidth(c.Name, 11)/2
		switch {
		case x-half < 4:
			anchor, x = "start", max(x-8, 4)
		case x+half > svgMapWidth-4:
			anchor, x = "end", min(x+8, svgMapWidth-4)
		}
		d.text(x, y, ` font-size="11" text-anchor="`+anchor+`" fill="#222" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke"`, c.Name)
	}
	// France Services and itinerant places last, on top of the dots.
	for _, kind := range []int{0, 1, 2} {
		for _, pl := range m.Places {
			if svgPlaceKind(pl) != kind || !svgKnown(pl.Lon, pl.Lat) {
				continue
			}
			x, y := p.xy(pl.Lon, pl.Lat)
			d.printf(`<g><title>%s</title>`, svgText(pl.Name))
			svgSymbol(&d, kind, x, y)
			d.write(`</g>`)
		}
	}
	d.printf(`<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>`, svgNum(svgMapMargin), svgNum(p.height), svgNum(svgMapWidth-svgMapMargin), svgNum(p.height), svgGrid)
	for _, it := range items {
		box := cmp.Or(it.e.width, 20)
		it.e.draw(&d, it.x+box/2, it.y)
		d.text(it.x+box+6, it.y+legendFont*0.35, fmt.Sprintf(` font-size="%s"`, svgNum(legendFont)), it.e.label)
	}
	return d.close()
}

// svgPath writes rings as one path (holes cut by the even-odd rule),
// skipping points that round to the previous one.
func svgPath(p svgProjection, rings [][][2]float64) string {
	var b strings.Builder
	for _, r := range rings {
		if len(r) < 3 {
			continue
		}
		last := ""
		for i, pt := range r {
			x, y := p.xy(pt[0], pt[1])
			s := svgNum(x) + "," + svgNum(y)
			if s == last {
				continue
			}
			if i == 0 {
				b.WriteString("M")
			} else {
				b.WriteString(" ")
			}
			b.WriteString(s)
			last = s
		}
		b.WriteString("Z")
	}
	return b.String()
}

// svgScaleBar is the legend's scale: a bar of a round number of
// kilometres, about a sixth of the map's width.
func svgScaleBar(p svgProjection) svgLegendEntry {
	const kmPerDegree = 111.2
	perKm := p.scale / kmPerDegree
	want := (svgMapWidth / 6) / perKm
	km := 0.5
	for _, c := range []float64{0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500} {
		if c <= want {
			km = c
		}
	}
	w := km * perKm
	return svgLegendEntry{
		label: svgDec(km, svgDecimals(km)) + " km",
		width: w,
		draw: func(d *svgDoc, x, y float64) {
			d.printf(`<path d="M%s,%s v5 h%s v-5" fill="none" stroke="#000" stroke-width="1.5"/>`, svgNum(x-w/2), svgNum(y-1), svgNum(w))
		},
	}
}

func svgDecimals(v float64) int {
	if v == math.Trunc(v) {
		return 0
	}
	return 1
}

// svgMapDesc states what the map shows.
func svgMapDesc(m MapData, kinds [3]int) string {
	var covered, without []string
	for _, c := range m.Communes {
		if c.Covered {
			covered = append(covered, c.Name)
		} else {
			without = append(without, c.Name)
		}
	}
	names := func(ns []string) string {
		if len(ns) == 0 || len(ns) > 40 {
			return ""
		}
		return " (" + strings.Join(ns, ", ") + ")"
	}
	communes := func(n int) string {
		if n <= 1 {
			return fmt.Sprintf("%d commune", n)
		}
		return svgInt(n) + " communes"
	}
	plural := func(n int) string {
		if n > 1 {
			return "s"
		}
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Carte du territoire : %s, dont %s avec au moins un lieu%s et %s sans lieu%s.",
		communes(len(m.Communes)), svgInt(len(covered)), names(covered), svgInt(len(without)), names(without))
	if !m.HasOutlines {
		b.WriteString(" Contours des communes non disponibles : la carte montre le centre de chaque commune.")
	}
	total := kinds[0] + kinds[1] + kinds[2]
	fmt.Fprintf(&b, " %s sur la carte", svgPlaces(total))
	if total > 0 {
		var parts []string
		if kinds[0] > 0 {
			parts = append(parts, svgPlaces(kinds[0])+" fixe"+plural(kinds[0])+" (ronds)")
		}
		if kinds[1] > 0 {
			parts = append(parts, svgInt(kinds[1])+" France Services (carrés)")
		}
		if kinds[2] > 0 {
			parts = append(parts, svgPlaces(kinds[2])+" itinérant"+plural(kinds[2])+" (triangles)")
		}
		b.WriteString(" : " + strings.Join(parts, ", "))
	}
	b.WriteString(".")
	return b.String()
}

package census

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/territory"
)

// record is one row of a file read into a place, before matching.
type record struct {
	p *place.Place
	// provided lists the fields the row filled in (place.Diff field names
	// and list fields): an update only changes those.
	provided map[string]bool
	errs     []string
	notes    []string
}

func (r *record) errorf(format string, args ...any) {
	r.errs = append(r.errs, sprintf(format, args...))
}

func (r *record) notef(format string, args ...any) {
	r.notes = append(r.notes, sprintf(format, args...))
}

var (
	htmlTag = regexp.MustCompile(`</?[a-zA-Z][a-zA-Z0-9]*(\s[^<>]*)?/?>|<!--.*?-->`)
	// htmlCode is markup whose content is code, not text: dropped whole.
	htmlCode = regexp.MustCompile(`(?is)<(script|style)\b.*?</(script|style)\s*>`)
)

// cleanCell undoes our own formula neutralisation ("'=…" written by the
// exports) and refuses formulas and markup that a file should not carry.
// It returns the value to use and whether the cell is refused.
func cleanCell(r *record, header, v string) (string, bool) {
	v = strings.TrimSpace(strings.ReplaceAll(v, "\u00a0", " "))
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
		return v[1:], true
	}
	if strings.HasPrefix(v, "=") {
		r.errorf("« %s » : formule refusée (%s) ; saisissez la valeur elle-même", header, quoteShort(v))
		return "", false
	}
	if strings.ContainsRune(v, '<') && htmlTag.MatchString(v) {
		cleaned := htmlTag.ReplaceAllString(htmlCode.ReplaceAllString(v, " "), " ")
		cleaned = strings.Join(strings.Fields(cleaned), " ")
		r.notef("« %s » : balises HTML retirées (%s)", header, quoteShort(v))
		v = cleaned
	}
	return v, true
}

func quoteShort(v string) string {
	rs := []rune(v)
	if len(rs) > 60 {
		return "« " + string(rs[:57]) + "… »"
	}
	return "« " + v + " »"
}

// converter reads the rows of one file.
type converter struct {
	header  []string
	mapping []string
	kind    string // file kind: xlsx dates arrive as serial numbers
	ref     *territory.Reference
	extra   map[string]*place.ExtraField
	now     time.Time
}

func newConverter(f *File, mapping []string, ref *territory.Reference, extra []place.ExtraField, now time.Time) *converter {
	c := &converter{header: f.Header, mapping: mapping, kind: f.Kind, ref: ref, extra: map[string]*place.ExtraField{}, now: now}
	for i := range extra {
		c.extra[extra[i].Key] = &extra[i]
	}
	return c
}

// read turns the cells of one row into a record.
func (c *converter) read(cells []string) *record {
	r := &record{provided: map[string]bool{}}
	vals := map[string]string{}
	add := func(key, v string) {
		if old, ok := vals[key]; ok && old != "" {
			vals[key] = old + place.Sep + v
		} else {
			vals[key] = v
		}
	}
	for i, key := range c.mapping {
		if key == "" || i >= len(cells) {
			continue
		}
		v, ok := cleanCell(r, c.header[i], cells[i])
		if !ok || v == "" {
			continue
		}
		field, item, tick := strings.Cut(key, ":")
		switch {
		case field == "extra":
			vals[key] = v
		case tick:
			if !Ticked(v) {
				if place.Fold(v) != "non" && v != "0" {
					r.errorf("« %s » : « %s » au lieu de « x » (ou vide)", c.header[i], v)
				}
				continue
			}
			voc := vocabOf(field)
			idx := voc.IndexOf(item)
			add(field, voc.Items[idx].ExportLabel())
		default:
			add(key, v)
		}
	}
	c.shape(r, vals)
	get := func(col string) string { return vals[col] }
	p, errs, notes := place.ReadRecord(get)
	for _, e := range errs {
		r.errorf("%s : %s", place.FieldLabel(e.Field), e.Message)
	}
	r.notes = append(r.notes, notes...)
	for k, v := range vals {
		if v != "" {
			r.provided[providedField(k)] = true
		}
	}
	p.ContactNom = vals["contact_nom"]
	p.ContactEmail = vals["contact_courriel"]
	p.ContactTelephone = vals["contact_telephone"]
	p.Notes = vals["notes"]
	if s := vals["statut"]; s != "" {
		st, ok := statusOf(s)
		if !ok {
			r.errorf("Statut : « %s » inconnu (Actif, Fermé ou N'existe plus)", s)
		}
		p.Status = st
	}
	for key, f := range c.extra {
		v := vals["extra:"+key]
		if v == "" {
			continue
		}
		if f.Kind == place.ExtraDate {
			v = c.date(v)
		}
		nv, err := f.CheckValue(v)
		if err != nil {
			r.errorf("%s", err)
			continue
		}
		if p.Extra == nil {
			p.Extra = map[string]string{}
		}
		p.Extra[key] = nv
	}
	r.p = p
	c.finish(r)
	return r
}

// providedField maps a source column to the field an update may change.
func providedField(key string) string {
	switch key {
	case "courriel":
		return "courriels"
	case "labels_autres":
		return "autres_formations_labels"
	case "labels_nationaux":
		return "dispositif_programmes_nationaux"
	case "publics_accueillis":
		return "publics_specifiquement_adresses"
	case "conditions_acces":
		return "frais_a_charge"
	case "accessibilite":
		return "fiche_acces_libre"
	case "contact_courriel":
		return "contact_email"
	}
	return key
}

func statusOf(s string) (place.Status, bool) {
	f := place.Fold(s)
	for st, label := range place.StatusLabels {
		if f == place.Fold(label) || f == string(st) {
			return st, st != place.StatusDuplicate
		}
	}
	switch f {
	case "ouvert", "active":
		return place.StatusActive, true
	case "ferme definitivement", "n existe plus", "supprime":
		return place.StatusGone, true
	}
	return place.StatusActive, false
}

var cedex = regexp.MustCompile(`(?i)\s+cedex(\s+\d+)?\s*$`)

// osmLike recognises hours written in the OpenStreetMap syntax.
var osmLike = regexp.MustCompile(`\b(Mo|Tu|We|Th|Fr|Sa|Su|PH)\b.*\d\d:\d\d`)

var communeWithCode = regexp.MustCompile(`^(.*\S)\s*\((\d[0-9AB]\d{3})\)$`)

// shape turns the census sheet's friendly cells into the standard's forms:
// "Paimpont (35211)", "Fixe et itinérant", spreadsheet dates, several
// e-mails or sites in one cell.
func (c *converter) shape(r *record, vals map[string]string) {
	if m := communeWithCode.FindStringSubmatch(vals["commune"]); m != nil {
		vals["commune"] = m[1]
		if vals["code_insee"] == "" {
			vals["code_insee"] = m[2]
		}
	}
	switch place.Fold(vals["itinerance"]) {
	case "fixe et itinerant", "fixe|itinerant", "les deux":
		vals["itinerance"] = "Fixe|Itinérant"
	}
	if d := vals["date_maj"]; d != "" {
		vals["date_maj"] = c.date(d)
	}
	for _, k := range []string{"courriels", "courriel", "site_web", "contact_courriel"} {
		if v := vals[k]; v != "" {
			parts := strings.FieldsFunc(v, func(r rune) bool { return r == '|' || r == ';' || r == ',' || r == ' ' || r == '\n' })
			if k == "contact_courriel" && len(parts) > 1 {
				r.notef("Contact privé : courriel : seule la première adresse est reprise (%s)", quoteShort(v))
				parts = parts[:1]
			}
			vals[k] = strings.Join(parts, place.Sep)
		}
	}
	for _, k := range []string{"telephone", "contact_telephone"} {
		if first, rest, ok := splitPhones(vals[k]); ok {
			vals[k] = first
			r.notef("%s : seul le premier numéro est repris, « %s » est laissé de côté", place.FieldLabel(k), rest)
		}
	}
	if v := vals["code_postal"]; v != "" {
		vals["code_postal"] = strings.ReplaceAll(strings.TrimSuffix(v, ".0"), " ", "")
	}
}

// splitPhones splits "02 99 12 34 56 / 06 12 34 56 78" into its first
// number and the rest.
func splitPhones(v string) (string, string, bool) {
	for _, sep := range []string{" / ", "/", " ou ", ";", " - ", "|", "\n"} {
		if first, rest, ok := strings.Cut(v, sep); ok && digitCount(first) >= 9 && digitCount(rest) >= 9 {
			return strings.TrimSpace(first), strings.TrimSpace(rest), true
		}
	}
	return v, "", false
}

func digitCount(s string) int {
	n := 0
	for _, r := range s {
		if r >= '0' && r <= '9' {
			n++
		}
	}
	return n
}

// date reads a spreadsheet's serial day number ("46082") as a date; other
// text is left to the date parser.
func (c *converter) date(v string) string {
	if c.kind != "xlsx" {
		return v
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 1 || n > 2958465 {
		return v
	}
	// Excel's day 0 is 1899-12-30 once its fictitious 29 February 1900 is
	// behind (every date a census holds).
	return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(n)).Format(time.DateOnly)
}

// finish normalises the place, resolves its commune, converts its hours
// and fills the import's defaults.
func (c *converter) finish(r *record) {
	p := r.p
	p.Normalize(c.ref)
	if p.CodeInsee == "" && p.Commune != "" {
		c.resolveCommune(r)
	}
	if p.Horaires != "" {
		if _, err := openinghours.Parse(p.Horaires); err != nil {
			if osm, err2 := openinghours.FromFrench(p.Horaires); err2 == nil {
				r.notef("Horaires : « %s » converti en « %s »", p.Horaires, osm)
				p.Horaires = osm
			} else {
				// Hours nobody can read must not be published as if they
				// were right: keep them for the referent, flagged.
				why := err2
				if osmLike.MatchString(p.Horaires) {
					why = err // broken OSM: the OSM parser says where
				}
				r.notef("Horaires à revoir : « %s » n'a pas pu être lu (%s) ; le texte est conservé dans les notes du référent", p.Horaires, strings.TrimPrefix(why.Error(), "horaires : "))
				if p.Notes != "" {
					p.Notes += "\n"
				}
				p.Notes += "Horaires reçus à l'import, à reprendre : " + p.Horaires
				p.Horaires = ""
				r.provided["notes"] = true
			}
		}
	}
	if p.DateMaj.IsZero() {
		p.DateMaj = place.Date(c.now)
	}
}

// resolveCommune finds the INSEE code of a commune given by name, with the
// postcode to tell homonyms apart.
func (c *converter) resolveCommune(r *record) {
	p := r.p
	if m := cedex.FindStringIndex(p.Commune); m != nil {
		p.Commune = strings.TrimSpace(p.Commune[:m[0]])
	}
	name := place.Fold(p.Commune)
	var found []territory.Commune
	for _, cm := range c.ref.CommunesByPostcode(p.CodePostal) {
		if place.Fold(cm.Nom) == name || sameCommuneName(cm.Nom, p.Commune) {
			found = append(found, cm)
		}
	}
	if len(found) == 0 {
		found = arrondissement(c.ref.CommunesByPostcode(p.CodePostal), name)
	}
	if len(found) == 0 {
		if cs := c.ref.CommunesByPostcode(p.CodePostal); len(cs) == 1 {
			found = cs
			r.notef("Commune : « %s » lue comme %s, seule commune du code postal %s", p.Commune, cs[0].Nom, p.CodePostal)
		}
	}
	if len(found) == 0 && len(p.CodePostal) >= 2 {
		// A CEDEX or mistyped postcode: the name alone, within the
		// postcode's département, when only one commune bears it.
		dep := p.CodePostal[:2]
		if dep == "97" && len(p.CodePostal) >= 3 {
			dep = p.CodePostal[:3]
		}
		if cm, ok := communeByName(c.ref, dep, p.Commune); ok {
			found = []territory.Commune{cm}
			r.notef("Commune : « %s » reconnue comme %s (%s) par son nom, le code postal « %s » n'étant pas le sien", p.Commune, cm.Nom, cm.Code, p.CodePostal)
			if len(cm.CodesPostaux) > 0 && !slices.Contains(cm.CodesPostaux, p.CodePostal) {
				p.CodePostal = cm.CodesPostaux[0]
			}
		}
	}
	if len(found) != 1 {
		return // the geocoder may still recognise it from the address
	}
	p.CodeInsee = found[0].Code
	p.Commune = found[0].Nom
	p.Derive(c.ref)
}

// sameCommuneName compares names ignoring "Saint"/"St" and hyphens.
func sameCommuneName(a, b string) bool { return communeKey(a) == communeKey(b) }

// arrondissement finds "Marseille 2", "LYON 3EME", "Paris 15e" among the
// communes of a postcode: the one arrondissement of the named city.
func arrondissement(cands []territory.Commune, name string) []territory.Commune {
	var out []territory.Commune
	for _, cm := range cands {
		if cm.Kind != territory.KindArrondissement {
			continue
		}
		city := strings.Fields(place.Fold(cm.Nom))[0]
		if strings.HasPrefix(name, city) {
			out = append(out, cm)
		}
	}
	if len(out) != 1 {
		return nil
	}
	return out
}

// communesByName indexes the communes of each reference by département and
// normalised name, built on first use.
var communesByName = struct {
	sync.Mutex
	ref *territory.Reference
	idx map[string][]territory.Commune
}{}

func communeByName(ref *territory.Reference, dep, name string) (territory.Commune, bool) {
	communesByName.Lock()
	if communesByName.ref != ref {
		idx := map[string][]territory.Commune{}
		for _, cm := range ref.Communes() {
			k := cm.Departement + "|" + communeKey(cm.Nom)
			idx[k] = append(idx[k], cm)
		}
		communesByName.ref, communesByName.idx = ref, idx
	}
	found := communesByName.idx[dep+"|"+communeKey(name)]
	communesByName.Unlock()
	if len(found) != 1 {
		return territory.Commune{}, false
	}
	return found[0], true
}

// communeKey normalises a commune name: case, accents, hyphens, "St".
func communeKey(s string) string {
	w := place.SearchWords(s)
	for i, x := range w {
		switch x {
		case "st":
			w[i] = "saint"
		case "ste":
			w[i] = "sainte"
		}
	}
	return strings.Join(w, " ")
}

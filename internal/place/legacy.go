package place

import (
	"fmt"
	"strings"
	"time"
)

// Hubs still hold files in the legacy standard v0.1 (lists joined with ";",
// long glossed values, other column names) and files the national team
// migrated halfway to v1. ReadRecord reads all of them into the v1 record.

// legacyItem is one value of a v0.1 list and where it goes in v1.
type legacyItem struct {
	label string // the v0.1 spelling; the part before " : " also matches
	to    *Vocab // nil when v1 has no equivalent
	code  string
	// autres keeps a value v1 has no list value for as a free label of
	// autres_formations_labels, so that no label is lost.
	autres bool
}

func legacyTable(items ...legacyItem) map[string]legacyItem {
	m := map[string]legacyItem{}
	for _, it := range items {
		if it.to != nil && it.to.indexOf(it.code) < 0 {
			panic("place: unknown code " + it.code + " in " + it.to.Field)
		}
		m[vocabKey(it.label)] = it
		if short, _, ok := strings.Cut(it.label, " : "); ok {
			m[vocabKey(short)] = it
		}
	}
	return m
}

// The v0.1 lists (schema v0.1.1) and their v1 values. Services, modalités
// and "Adhésion" follow the national library and the published mednum-cli
// configurations; the others are read from the labels.
var (
	legacyServices = legacyTable(
		legacyItem{label: "Devenir autonome dans les démarches administratives", to: Services, code: "aide-demarches"},
		legacyItem{label: "Réaliser des démarches administratives avec un accompagnement", to: Services, code: "aide-demarches"},
		legacyItem{label: "Accompagner les démarches de santé", to: Services, code: "aide-demarches"},
		legacyItem{label: "Prendre en main un smartphone ou une tablette", to: Services, code: "outils-quotidien"},
		legacyItem{label: "Prendre en main un ordinateur", to: Services, code: "outils-quotidien"},
		legacyItem{label: "Utiliser le numérique au quotidien", to: Services, code: "outils-quotidien"},
		legacyItem{label: "Favoriser mon insertion professionnelle", to: Services, code: "insertion-pro"},
		legacyItem{label: "Créer et développer mon entreprise", to: Services, code: "insertion-pro"},
		legacyItem{label: "Soutenir la parentalité et l'éducation avec le numérique", to: Services, code: "parentalite"},
		legacyItem{label: "Créer avec le numérique", to: Services, code: "loisirs-creations"},
		legacyItem{label: "Approfondir ma culture numérique", to: Services, code: "comprehension"},
		legacyItem{label: "Promouvoir la citoyenneté numérique", to: Services, code: "comprehension"},
		legacyItem{label: "Accéder à une connexion internet", to: Services, code: "acces-materiel"},
		legacyItem{label: "Accéder à du matériel", to: Services, code: "acces-materiel"},
		legacyItem{label: "S'équiper en matériel informatique", to: Services, code: "materiel-solidaire"},
	)

	legacyPublics = legacyTable(
		legacyItem{label: "Seniors (+ 65 ans)", to: Publics, code: "seniors"},
		legacyItem{label: "Familles/enfants", to: Publics, code: "familles"},
		legacyItem{label: "Adultes"},
		legacyItem{label: "Jeunes (16-26 ans)", to: Publics, code: "jeunes"},
		legacyItem{label: "Uniquement femmes", to: Publics, code: "femmes"},
		legacyItem{label: "Public langues étrangères", to: PriseEnCharge, code: "langues-autres"},
		legacyItem{label: "Déficience visuelle", to: PriseEnCharge, code: "deficience-visuelle"},
		legacyItem{label: "Surdité", to: PriseEnCharge, code: "surdite"},
		legacyItem{label: "Handicaps psychiques : troubles psychiatriques donnant lieu à des atteintes comportementales"},
		legacyItem{label: "Handicaps mentaux : déficiences limitant les activités d'une personne", to: PriseEnCharge, code: "handicaps-mentaux"},
		legacyItem{label: "Personnes en situation d'illettrisme", to: PriseEnCharge, code: "illettrisme"},
	)

	legacyFrais = legacyTable(
		legacyItem{label: "Gratuit : Je peux accéder gratuitement au lieu et à ses services", to: Frais, code: "gratuit"},
		legacyItem{label: "Gratuit sous condition : La gratuité est conditionnée à des critères (situation familiale, convention avec un organisme social...)", to: Frais, code: "gratuit-sous-condition"},
		legacyItem{label: "Payant : L'accès au lieu et/ou à ses services est payant", to: Frais, code: "payant"},
		legacyItem{label: "Adhésion : L'accès au lieu et/ou à ses services nécessite d'y adhérer", to: Frais, code: "payant"},
		// Accepting the Pass numérique says nothing about what the place costs.
		legacyItem{label: "Accepte le Pass numérique : Il est possible d'utiliser un Pass numérique pour accéder au lieu"},
	)

	legacyLabels = legacyTable(
		legacyItem{label: "France Services", to: Dispositifs, code: "france-services"},
		legacyItem{label: "CNFS", to: Dispositifs, code: "conseillers-numeriques"},
		legacyItem{label: "Aidants Connect", to: Dispositifs, code: "aidants-connect"},
		legacyItem{label: "Fabriques de Territoire", to: FormationsLabels, code: "fabriques-de-territoire"},
		legacyItem{label: "Grandes écoles du numérique", to: Dispositifs, code: "gen"},
		legacyItem{label: "Point numérique CAF", to: Dispositifs, code: "caf"},
		// The CAF describes its relay points as digital spaces for online
		// procedures: what v1 calls a point d'accès numérique.
		legacyItem{label: "Point relais CAF", to: Dispositifs, code: "caf"},
		legacyItem{label: "APTIC", autres: true},
		legacyItem{label: "Relais pôle emploi", autres: true},
		legacyItem{label: "French Tech", autres: true},
		legacyItem{label: "Campus connecté", autres: true},
	)

	legacyModalites = legacyTable(
		legacyItem{label: "Seul : j'ai accès à du matériel et une connexion", to: ModalitesAccompagnement, code: "autonomie"},
		legacyItem{label: "Avec de l'aide : je suis accompagné seul dans l'usage du numérique", to: ModalitesAccompagnement, code: "individuel"},
		legacyItem{label: "Dans un atelier : j'apprends collectivement à utiliser le numérique", to: ModalitesAccompagnement, code: "atelier-collectif"},
		legacyItem{label: "A ma place : une personne habilitée fait les démarches à ma place", to: ModalitesAccompagnement, code: "individuel"},
	)
)

// LegacyColumns are the v0.1 columns ReadRecord reads beside the v1 ones.
var LegacyColumns = []string{"courriel", "labels_nationaux", "labels_autres", "publics_accueillis",
	"conditions_acces", "conditions_access", "accessibilite", "cle_ban"}

// listColumn is a column holding values of official lists, v1 or v0.1.
type listColumn struct {
	name   string
	legacy bool     // a v0.1 column name
	own    []*Vocab // the v1 lists its values belong to
	old    map[string]legacyItem
}

// listColumns lists the v1 columns before the v0.1 ones they replace.
var listColumns = []listColumn{
	{name: "itinerance", own: []*Vocab{Itinerance}},
	{name: "services", own: []*Vocab{Services}, old: legacyServices},
	{name: "publics_specifiquement_adresses", own: []*Vocab{Publics}, old: legacyPublics},
	{name: "prise_en_charge_specifique", own: []*Vocab{PriseEnCharge}, old: legacyPublics},
	{name: "frais_a_charge", own: []*Vocab{Frais}, old: legacyFrais},
	{name: "dispositif_programmes_nationaux", own: []*Vocab{Dispositifs}, old: legacyLabels},
	{name: "formations_labels", own: []*Vocab{FormationsLabels}, old: legacyLabels},
	{name: "modalites_acces", own: []*Vocab{ModalitesAcces}},
	{name: "modalites_accompagnement", own: []*Vocab{ModalitesAccompagnement}, old: legacyModalites},
	{name: "publics_accueillis", legacy: true, own: []*Vocab{Publics, PriseEnCharge}, old: legacyPublics},
	{name: "conditions_acces", legacy: true, own: []*Vocab{Frais}, old: legacyFrais},
	// Misspelt in the CNFS export of 2022, a pre-standard draft.
	{name: "conditions_access", legacy: true, own: []*Vocab{Frais}, old: legacyFrais},
	{name: "labels_nationaux", legacy: true, own: []*Vocab{Dispositifs, FormationsLabels}, old: legacyLabels},
}

// resolved is what one list value becomes.
type resolved struct {
	to   *Vocab // nil: no list value
	i    int
	item *legacyItem // set when read through the v0.1 list
}

// resolve finds a value in the column's v1 lists, then in its v0.1 list,
// as written and, when loose, by the part before " : " (legacy values are
// glossed: "Gratuit : Je peux accéder gratuitement…"). A cell holding
// several values never matches loosely: "Gratuit : …;Payant : …" is two.
func (c *listColumn) resolve(s string, loose bool) (resolved, bool) {
	keys := []string{s}
	if short, _, ok := strings.Cut(s, " : "); ok && loose && strings.Count(s, " : ") == 1 && !strings.ContainsAny(s, ";|") {
		keys = append(keys, short)
	}
	for _, k := range keys {
		for _, v := range c.own {
			if i, ok := v.Lookup(k); ok {
				return resolved{to: v, i: i}, true
			}
		}
		if it, ok := c.old[vocabKey(k)]; ok {
			r := resolved{to: it.to, item: &it}
			if it.to != nil {
				r.i = it.to.indexOf(it.code)
			}
			return r, true
		}
	}
	return resolved{}, false
}

// ReadRecord reads one row of a places file in the national standard v1,
// the legacy v0.1 or a mix of both (hubs' files migrated halfway). get
// returns a column's cell, "" when absent. It returns the place, the
// problems of cells it could not read (Errors, French, naming the field),
// and notes: French sentences about values it mapped or dropped. Values are
// not yet normalised or validated.
func ReadRecord(get func(column string) string) (*Place, Errors, []string) {
	var notes []string
	note := func(format string, args ...any) {
		s := fmt.Sprintf(format, args...)
		for _, n := range notes {
			if n == s {
				return
			}
		}
		notes = append(notes, s)
	}

	date := strings.TrimSpace(get("date_maj"))
	if t, err := ParseDate(date); err == nil && isEpoch(t) {
		note("%q (date_maj) est la date nulle d'un ancien outil, pas une vraie date : date de mise à jour laissée vide", date)
		date = ""
	}
	// FromStandard reads the scalar columns; the lists are read here.
	handled := map[string]bool{"date_maj": true, "typologie": true, "courriels": true, "site_web": true, "autres_formations_labels": true}
	for _, v := range SetVocabs {
		handled[v.Field] = true
	}
	p, e := FromStandard(func(col string) string {
		if col == "date_maj" {
			return date
		}
		if handled[col] {
			return ""
		}
		return get(col)
	})

	for _, s := range splitFree(get("typologie")) {
		p.Typologies = appendNew(p.Typologies, s)
	}
	for _, col := range []string{"courriels", "courriel"} {
		for _, s := range splitFree(get(col)) {
			p.Courriels = appendNew(p.Courriels, s)
		}
	}
	for _, s := range splitURLs(get("site_web")) {
		p.SitesWeb = appendNew(p.SitesWeb, s)
	}
	for _, col := range []string{"autres_formations_labels", "labels_autres"} {
		for _, s := range splitFree(get(col)) {
			p.AutresLabels = appendNew(p.AutresLabels, s)
		}
	}
	// v1 wins over v0.1 for single values; lists are merged.
	if p.FicheAccesLibre == "" {
		p.FicheAccesLibre = get("accessibilite")
	}

	for i := range listColumns {
		c := &listColumns[i]
		exact := func(s string) bool { _, ok := c.resolve(s, false); return ok }
		known := func(s string) bool { _, ok := c.resolve(s, true); return ok }
		for _, val := range splitKnown(get(c.name), exact, known) {
			r, ok := c.resolve(val, true)
			if !ok {
				e.add(c.name, "« %s » n'est pas une valeur de la liste officielle", val)
				continue
			}
			if r.to != nil {
				*r.to.field(p) = r.to.setOf(p).With(r.i)
			}
			if r.item == nil {
				continue
			}
			old, _, _ := strings.Cut(r.item.label, " : ")
			switch {
			case r.item.autres:
				p.AutresLabels = appendNew(p.AutresLabels, old)
				note("%q (%s, v0.1) n'a pas d'équivalent dans le standard v1 : gardé dans autres_formations_labels", old, c.name)
			case r.to == nil:
				note("%q (%s, v0.1) n'a pas d'équivalent dans le standard v1 : ignoré", old, c.name)
			case vocabKey(old) != vocabKey(r.to.Items[r.i].Label):
				note("%q (%s, v0.1) devient %q (%s)", old, c.name, r.to.Items[r.i].Label, r.to.Field)
			case !c.legacy && !c.owns(r.to):
				note("%q (%s, v0.1) passe dans %s", old, c.name, r.to.Field)
			}
		}
	}

	// cle_ban (the BAN address key) has no v1 column: the address and
	// coordinates carry the same information.
	return p, e, notes
}

func (c *listColumn) owns(v *Vocab) bool {
	for _, o := range c.own {
		if o == v {
			return true
		}
	}
	return false
}

// isEpoch reports the zero date of Unix time, which an old export tool
// wrote for unknown dates (shifted to 31 December 1969 west of Greenwich).
func isEpoch(t time.Time) bool {
	return t.Equal(time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)) || t.Equal(time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC))
}

// splitKnown splits a list cell into values. "|" (v1) always separates.
// ";" (v0.1) separates only inside a part that is not itself a value of the
// lists. "," never cuts a value of the lists, since some legacy values
// contain commas: a part is split on "," only when every piece is a value,
// as in the 2022 CNFS export that joined values with ", ". exact matches
// whole values; known also matches them by the part before " : ".
func splitKnown(cell string, exact, known func(string) bool) []string {
	var out []string
	for _, part := range strings.Split(cell, Sep) {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
		case exact(part) || !strings.Contains(part, ";"):
			out = append(out, splitCommas(part, exact, known)...)
		default:
			for _, sub := range strings.Split(part, ";") {
				if sub = strings.TrimSpace(sub); sub != "" {
					out = append(out, splitCommas(sub, exact, known)...)
				}
			}
		}
	}
	return out
}

func splitCommas(s string, exact, known func(string) bool) []string {
	if exact(s) || !strings.Contains(s, ",") {
		return []string{s}
	}
	pieces := strings.Split(s, ",")
	for i, p := range pieces {
		pieces[i] = strings.TrimSpace(p)
		if !known(pieces[i]) {
			return []string{s}
		}
	}
	return pieces
}

// splitFree splits a cell of free values (e-mails, labels, typology codes)
// on "|" or ";". Never on ",": "Structure d'information jeunesse, Case
// numérique" may be one label, and a stray comma in an e-mail is a typo the
// validation should show.
func splitFree(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == '|' || r == ';' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// splitURLs splits site_web like splitFree, and also on "," (the v0.1
// separator) when every piece is itself a web address.
func splitURLs(s string) []string {
	var out []string
	for _, part := range splitFree(s) {
		pieces := strings.Split(part, ",")
		for _, p := range pieces {
			p = strings.ToLower(strings.TrimSpace(p))
			if !strings.HasPrefix(p, "http://") && !strings.HasPrefix(p, "https://") && !strings.HasPrefix(p, "www.") {
				pieces = []string{part}
				break
			}
		}
		for _, p := range pieces {
			out = append(out, strings.TrimSpace(p))
		}
	}
	return out
}

// appendNew appends s unless the list already holds it, ignoring case and
// accents.
func appendNew(list []string, s string) []string {
	for _, x := range list {
		if Fold(x) == Fold(s) {
			return list
		}
	}
	return append(list, s)
}

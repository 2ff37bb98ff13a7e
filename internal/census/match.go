package census

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"portrea/internal/place"
)

// matcher finds, for each row, the place it describes: the same id, the
// same SIRET/RNA in the same commune, the same name and address, or a
// close enough one (the national pipeline's duplicate score).
type matcher struct {
	o        Options
	loaded   map[string]bool
	byID     map[string]*place.Place
	byKey    map[string]*place.Place
	byPivot  map[string][]*place.Place // pivot|code INSEE
	byInsee  map[string][]*place.Place
	inFile   map[string]int // key of a row already planned → its line
	targeted map[string]int // place id already updated by a row → its line
}

func newMatcher(o Options) *matcher {
	return &matcher{o: o, loaded: map[string]bool{}, byID: map[string]*place.Place{}, byKey: map[string]*place.Place{},
		byPivot: map[string][]*place.Place{}, byInsee: map[string][]*place.Place{}, inFile: map[string]int{}, targeted: map[string]int{}}
}

// identity is what makes two records the same place beyond doubt.
func identity(p *place.Place) string {
	return place.Fold(p.Nom) + "\x00" + place.Fold(p.Adresse) + "\x00" + p.CodeInsee
}

func (m *matcher) load(ctx context.Context, epci string) error {
	if m.loaded[epci] || m.o.Existing == nil {
		return nil
	}
	m.loaded[epci] = true
	ps, err := m.o.Existing(ctx, epci)
	if err != nil {
		return fmt.Errorf("census: places of %s: %w", epci, err)
	}
	for _, p := range ps {
		if p.Status == place.StatusDuplicate {
			continue // merged away: its survivor is the place to match
		}
		m.byID[p.ID] = p
		m.byKey[identity(p)] = p
		if !p.PivotMissing() {
			k := p.Pivot + "|" + p.CodeInsee
			m.byPivot[k] = append(m.byPivot[k], p)
		}
		m.byInsee[p.CodeInsee] = append(m.byInsee[p.CodeInsee], p)
	}
	return nil
}

func (m *matcher) match(ctx context.Context, rp *RowPlan, r *record) error {
	p := r.p
	if err := m.load(ctx, p.EPCI); err != nil {
		return err
	}
	target, why, err := m.find(ctx, rp, r)
	if err != nil || rp.Action == ActionError {
		return err
	}
	if target == nil {
		if line, ok := m.inFile[identity(p)]; ok {
			rp.Action, rp.TargetLine = ActionDuplicate, line
			rp.Messages = []string{fmt.Sprintf("même nom et même adresse que la ligne %d du fichier", line)}
			return nil
		}
		best, score := m.closest(p)
		if best != nil {
			rp.Action, rp.TargetID, rp.TargetName, rp.Score = ActionDuplicate, best.ID, best.Nom, score
			rp.Messages = []string{fmt.Sprintf("ressemble à « %s » (%s), score %d/100 : ligne non importée ; complétez ce lieu dans PORTREA s'il le faut", best.Nom, best.Adresse, score)}
			return nil
		}
		if p.ID == "" {
			p.ID = place.NewID()
		}
		rp.Action, rp.Place = ActionCreate, p
		m.inFile[identity(p)] = rp.Line
		return nil
	}
	if line, ok := m.targeted[target.ID]; ok {
		rp.Action, rp.TargetID, rp.TargetName, rp.TargetLine = ActionDuplicate, target.ID, target.Nom, line
		rp.Messages = []string{fmt.Sprintf("la ligne %d du fichier met déjà à jour « %s »", line, target.Nom)}
		return nil
	}
	m.targeted[target.ID] = rp.Line
	next := overlay(target, p, r.provided, m.o.Prefill)
	rp.TargetID, rp.TargetName = target.ID, target.Nom
	changes := place.Diff(target, next)
	if len(changes) == 0 {
		rp.Action = ActionSame
		rp.Notes = append(rp.Notes, why)
		return nil
	}
	if err := next.Validate(m.o.Ref, m.o.Now); err != nil {
		rp.Action, rp.Messages = ActionError, []string{fmt.Sprintf("la mise à jour de « %s » le rendrait invalide : %s", target.Nom, err)}
		return nil
	}
	switch {
	case !r.provided["date_maj"] && !m.o.Prefill:
		// New information without its own date was checked today, by
		// whoever sent the file.
		next.DateMaj = place.Date(m.o.Now)
		changes = place.Diff(target, next)
	case !m.o.Prefill && next.DateMaj.Before(target.DateMaj):
		rp.Notes = append(rp.Notes, fmt.Sprintf("les informations du fichier (%s) sont plus anciennes que celles de PORTREA (%s)", next.DateMaj.Format("02/01/2006"), target.DateMaj.Format("02/01/2006")))
		next.DateMaj = target.DateMaj
		changes = place.Diff(target, next)
	}
	rp.Action, rp.Place, rp.Changes = ActionUpdate, next, changes
	rp.Notes = append(rp.Notes, why)
	return nil
}

// find looks for the place a row certainly is.
func (m *matcher) find(ctx context.Context, rp *RowPlan, r *record) (*place.Place, string, error) {
	p := r.p
	if p.ID != "" {
		t, ok := m.byID[p.ID]
		if !ok && isUUID(p.ID) && m.o.Lookup != nil {
			// A place of PORTREA whose row now names a commune of another
			// territory than the one it is stored in.
			found, err := m.o.Lookup(ctx, p.ID)
			if err != nil {
				return nil, "", err
			}
			if found != nil {
				if m.o.EPCI != "" && found.EPCI != m.o.EPCI {
					rp.Action, rp.Messages = ActionError, []string{fmt.Sprintf("Identifiant PORTREA : « %s » est un lieu d'un autre territoire (%s)", found.Nom, epciName(m.o.Ref, found.EPCI))}
					return nil, "", nil
				}
				t, ok = found, true
			}
		}
		if ok {
			return t, "même identifiant PORTREA", nil
		}
		// A PORTREA id (a UUID) from another instance keeps the place's
		// identity; another tool's id ("structure-1", "185") identifies
		// nothing here, and PORTREA gives the place its own.
		if !isUUID(p.ID) {
			p.ID = ""
		}
	}
	if !p.PivotMissing() {
		for _, t := range m.byPivot[p.Pivot+"|"+p.CodeInsee] {
			if place.Ratio(t.Nom, p.Nom) >= 60 {
				return t, "même SIRET/RNA dans la même commune", nil
			}
		}
	}
	if t, ok := m.byKey[identity(p)]; ok {
		return t, "même nom et même adresse", nil
	}
	return nil, "", nil
}

// closest returns the known place of the same commune that the row most
// probably duplicates, if its score passes the national threshold.
func (m *matcher) closest(p *place.Place) (*place.Place, int) {
	var best *place.Place
	bestScore := place.DuplicateThreshold
	for _, t := range m.byInsee[p.CodeInsee] {
		if s, ok := place.DuplicateScore(p, t); ok && s > bestScore {
			best, bestScore = t, s
		}
	}
	return best, bestScore
}

// overlay returns the existing place updated with the fields a row
// provided. An empty cell keeps the known value. When pre-filling, only the
// known place's empty fields are filled.
func overlay(cur, row *place.Place, provided map[string]bool, fillOnly bool) *place.Place {
	next := *cur
	next.Typologies = slices.Clone(cur.Typologies)
	next.Courriels = slices.Clone(cur.Courriels)
	next.SitesWeb = slices.Clone(cur.SitesWeb)
	next.AutresLabels = slices.Clone(cur.AutresLabels)
	next.Extra = maps.Clone(cur.Extra)
	text := func(field string, dst *string, v string) {
		if provided[field] && v != "" && (!fillOnly || *dst == "") {
			*dst = v
		}
	}
	list := func(field string, dst *[]string, v []string) {
		if provided[field] && len(v) > 0 && (!fillOnly || len(*dst) == 0) {
			*dst = slices.Clone(v)
		}
	}
	text("nom", &next.Nom, row.Nom)
	if !row.PivotMissing() {
		text("pivot", &next.Pivot, row.Pivot)
		if fillOnly && cur.PivotMissing() {
			next.Pivot = row.Pivot
		}
	}
	// The address moves as a whole: mixing a new street with an old
	// commune would make a place that exists nowhere.
	if (provided["adresse"] || provided["commune"] || provided["code_insee"] || provided["code_postal"]) && (!fillOnly || cur.Adresse == "") {
		next.Adresse, next.ComplementAdresse = row.Adresse, row.ComplementAdresse
		next.CodePostal, next.Commune, next.CodeInsee = row.CodePostal, row.Commune, row.CodeInsee
		next.EPCI, next.Departement, next.Region = row.EPCI, row.Departement, row.Region
		if row.HasCoords || cur.CodeInsee != row.CodeInsee {
			next.Latitude, next.Longitude, next.HasCoords = row.Latitude, row.Longitude, row.HasCoords
		}
	} else {
		text("complement_adresse", &next.ComplementAdresse, row.ComplementAdresse)
	}
	if row.HasCoords && (!fillOnly || !cur.HasCoords) {
		next.Latitude, next.Longitude, next.HasCoords = row.Latitude, row.Longitude, true
	}
	list("typologie", &next.Typologies, row.Typologies)
	text("telephone", &next.Telephone, row.Telephone)
	list("courriels", &next.Courriels, row.Courriels)
	list("site_web", &next.SitesWeb, row.SitesWeb)
	text("horaires", &next.Horaires, row.Horaires)
	text("presentation_resume", &next.Resume, row.Resume)
	text("presentation_detail", &next.Detail, row.Detail)
	text("source", &next.Source, row.Source)
	text("structure_parente", &next.StructureParente, row.StructureParente)
	list("autres_formations_labels", &next.AutresLabels, row.AutresLabels)
	text("fiche_acces_libre", &next.FicheAccesLibre, row.FicheAccesLibre)
	text("prise_rdv", &next.PriseRdv, row.PriseRdv)
	for _, v := range place.SetVocabs {
		s := v.SetOf(row)
		if provided[v.Field] && s != 0 && (!fillOnly || v.SetOf(cur) == 0) {
			v.SetIn(&next, s)
		}
	}
	text("contact_nom", &next.ContactNom, row.ContactNom)
	text("contact_email", &next.ContactEmail, row.ContactEmail)
	text("contact_telephone", &next.ContactTelephone, row.ContactTelephone)
	if provided["notes"] && row.Notes != "" && next.Notes != row.Notes {
		if fillOnly || next.Notes == "" {
			if next.Notes == "" {
				next.Notes = row.Notes
			}
		} else {
			next.Notes = row.Notes
		}
	}
	if provided["statut"] && !fillOnly {
		next.Status = row.Status
	}
	for k, v := range row.Extra {
		if v != "" && (!fillOnly || next.Extra[k] == "") {
			if next.Extra == nil {
				next.Extra = map[string]string{}
			}
			next.Extra[k] = v
		}
	}
	if provided["date_maj"] && !fillOnly {
		next.DateMaj = row.DateMaj
	}
	return &next
}

// isUUID reports the form of PORTREA's ids.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch i {
		case 8, 13, 18, 23:
			if r != '-' {
				return false
			}
		default:
			if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
				return false
			}
		}
	}
	return true
}

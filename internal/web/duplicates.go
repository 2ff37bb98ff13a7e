package web

import (
	"cmp"
	"errors"
	"math"
	"net/http"
	"slices"

	"portrea/internal/place"
	"portrea/internal/store"
)

// duplicatePair is two places that may be the same.
type duplicatePair struct {
	A, B      *place.Place
	Score     int
	SamePivot bool
	Meters    int // -1 when a side has no coordinates
}

func newPair(a, b *place.Place, score int) duplicatePair {
	d := duplicatePair{A: a, B: b, Score: score, Meters: -1,
		SamePivot: !a.PivotMissing() && place.NormalizePivot(a.Pivot) == place.NormalizePivot(b.Pivot)}
	if a.HasCoords && b.HasCoords {
		d.Meters = int(place.DistanceMeters(a.Latitude, a.Longitude, b.Latitude, b.Longitude))
	}
	return d
}

func pairKey(a, b string) string {
	if b < a {
		a, b = b, a
	}
	return a + "|" + b
}

// candidate reports whether a place takes part in duplicate detection.
func candidate(p *place.Place) bool { return p.Status != place.StatusDuplicate }

// territoryDuplicates finds the likely duplicate pairs of a territory:
// same pivot, or same commune with close name, address and position.
func (s *Server) territoryDuplicates(r *http.Request, epci string) ([]duplicatePair, error) {
	ps, err := s.st.TerritoryPlaces(r.Context(), epci)
	if err != nil {
		return nil, err
	}
	distinct, err := s.st.NotDuplicates(r.Context(), epci)
	if err != nil {
		return nil, err
	}
	byCommune := map[string][]*place.Place{}
	byPivot := map[string][]*place.Place{}
	for _, p := range ps {
		if !candidate(p) {
			continue
		}
		byCommune[p.CodeInsee] = append(byCommune[p.CodeInsee], p)
		if !p.PivotMissing() {
			k := place.NormalizePivot(p.Pivot)
			byPivot[k] = append(byPivot[k], p)
		}
	}
	seen := map[string]bool{}
	var out []duplicatePair
	try := func(a, b *place.Place) {
		k := pairKey(a.ID, b.ID)
		if seen[k] || distinct[k] {
			return
		}
		if score, ok := place.DuplicateScore(a, b); ok && score > place.DuplicateThreshold {
			seen[k] = true
			out = append(out, newPair(a, b, score))
		}
	}
	for _, g := range byPivot {
		for i, a := range g {
			for _, b := range g[i+1:] {
				try(a, b)
			}
		}
	}
	for _, g := range byCommune {
		sweepPairs(g, try)
	}
	slices.SortFunc(out, func(x, y duplicatePair) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(place.Fold(x.A.Nom), place.Fold(y.A.Nom)))
	})
	return out, nil
}

// nearDegrees bounds the distance at which two located places can still
// score over the threshold: beyond it the distance score is under 49, and
// even identical names and addresses stay under 83.
const nearDegrees = 0.00105

// sweepPairs calls try on the pairs of one commune that can be duplicates:
// located places sorted by latitude are only compared with those within
// nearDegrees, so a commune of thousands of places stays fast; places
// without coordinates are compared with every other.
func sweepPairs(g []*place.Place, try func(a, b *place.Place)) {
	var located, loose []*place.Place
	for _, p := range g {
		if p.HasCoords {
			located = append(located, p)
		} else {
			loose = append(loose, p)
		}
	}
	slices.SortFunc(located, func(a, b *place.Place) int { return cmp.Compare(a.Latitude, b.Latitude) })
	for i, a := range located {
		for _, b := range located[i+1:] {
			if b.Latitude-a.Latitude > nearDegrees {
				break
			}
			if math.Abs(b.Longitude-a.Longitude) <= nearDegrees {
				try(a, b)
			}
		}
	}
	for i, a := range loose {
		for _, b := range loose[i+1:] {
			try(a, b)
		}
		for _, b := range located {
			try(a, b)
		}
	}
}

// duplicatesOf lists the likely duplicates of one place, shown on its
// page (right after creation, too): one pass over the territory.
func (s *Server) duplicatesOf(r *http.Request, p *place.Place) ([]duplicatePair, error) {
	if !candidate(p) {
		return nil, nil
	}
	ps, err := s.st.TerritoryPlaces(r.Context(), p.EPCI)
	if err != nil {
		return nil, err
	}
	distinct, err := s.st.NotDuplicates(r.Context(), p.EPCI)
	if err != nil {
		return nil, err
	}
	var out []duplicatePair
	for _, o := range ps {
		if o.ID == p.ID || !candidate(o) || distinct[pairKey(p.ID, o.ID)] {
			continue
		}
		if p.HasCoords && o.HasCoords && p.PivotMissing() &&
			(math.Abs(p.Latitude-o.Latitude) > nearDegrees || math.Abs(p.Longitude-o.Longitude) > nearDegrees) {
			continue
		}
		if score, ok := place.DuplicateScore(p, o); ok && score > place.DuplicateThreshold {
			out = append(out, newPair(p, o, score))
		}
	}
	slices.SortFunc(out, func(x, y duplicatePair) int { return cmp.Compare(y.Score, x.Score) })
	return out, nil
}

type duplicatesView struct {
	layoutView
	EPCI, EPCIName string
	Pairs          []duplicatePair
	Done           string
}

func (s *Server) duplicatesPage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryParam(r, sess)
	if !ok {
		s.chooseTerritory(w, r, sess, epci)
		return
	}
	pairs, err := s.territoryDuplicates(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := duplicatesView{layoutView: s.bo(sess, "Doublons probables — "+s.epciName(epci), "doublons"), EPCI: epci, EPCIName: s.epciName(epci), Pairs: pairs}
	switch r.URL.Query().Get("ok") {
	case "fusionne":
		v.Done = "Fusion enregistrée."
	case "distincts":
		v.Done = "C'est noté : ces deux lieux ne seront plus proposés comme doublons."
	}
	s.render(w, r, http.StatusOK, "bo_duplicates", v)
}

// pairOf loads the two places of a merge URL, both editable by the user.
func (s *Server) pairOf(w http.ResponseWriter, r *http.Request, sess *session) (a, b *place.Place, ok bool) {
	for i, id := range []string{r.PathValue("a"), r.PathValue("b")} {
		p, err := s.st.GetPlace(r.Context(), id)
		if err == nil && !sess.User.CanSee(p.EPCI) {
			err = store.ErrNotFound
		}
		if errors.Is(err, store.ErrNotFound) {
			s.render(w, r, http.StatusNotFound, "error", errorView{s.bo(sess, "Lieu introuvable", "doublons"), "Un des deux lieux n'existe pas ou ne fait pas partie de vos territoires."})
			return nil, nil, false
		}
		if err != nil {
			s.serverError(w, r, err)
			return nil, nil, false
		}
		if i == 0 {
			a = p
		} else {
			b = p
		}
	}
	if a.ID == b.ID || a.EPCI != b.EPCI || !candidate(a) || !candidate(b) {
		s.render(w, r, http.StatusBadRequest, "error", errorView{s.bo(sess, "Fusion impossible", "doublons"), "Ces deux fiches ne peuvent pas être fusionnées : l'une est déjà un doublon, ou elles ne sont pas du même territoire."})
		return nil, nil, false
	}
	return a, b, true
}

type mergeRow struct {
	Key, Label string
	A, B       string
	TakeB      bool // pre-selected: B's value (A's is empty)
	Same       bool
}

type mergeView struct {
	layoutView
	A, B  *place.Place
	Pair  duplicatePair
	Rows  []mergeRow
	Lists []string
}

func (s *Server) mergePage(w http.ResponseWriter, r *http.Request, sess *session) {
	a, b, ok := s.pairOf(w, r, sess)
	if !ok {
		return
	}
	score, _ := place.DuplicateScore(a, b)
	v := mergeView{layoutView: s.bo(sess, "Fusionner deux fiches", "doublons"), A: a, B: b, Pair: newPair(a, b, score),
		Lists: []string{"typologies", "courriels", "sites web", "services", "publics", "prises en charge", "frais", "dispositifs", "labels", "modalités d'accès et d'accompagnement"}}
	for _, f := range place.MergeScalarFields {
		va, vb := place.ScalarValue(a, f.Key), place.ScalarValue(b, f.Key)
		v.Rows = append(v.Rows, mergeRow{Key: f.Key, Label: f.Label, A: va, B: vb, TakeB: va == "" && vb != "", Same: va == vb})
	}
	s.render(w, r, http.StatusOK, "bo_merge", v)
}

// merge keeps place A with the values chosen field by field, unions the
// lists, and marks B as a duplicate of A, in one transaction.
func (s *Server) merge(w http.ResponseWriter, r *http.Request, sess *session) {
	a, b, ok := s.pairOf(w, r, sess)
	if !ok {
		return
	}
	take := map[string]bool{}
	for _, f := range place.MergeScalarFields {
		take[f.Key] = r.PostFormValue("champ."+f.Key) == "b"
	}
	merged := place.Merge(a, b, take)
	merged.Normalize(s.ref)
	if err := s.st.MergePlaces(r.Context(), merged, b.ID, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: sess.User.Email}}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/lieux/"+a.ID+"?ok=fusionne", http.StatusSeeOther)
}

func (s *Server) notDuplicate(w http.ResponseWriter, r *http.Request, sess *session) {
	a, b, ok := s.pairOf(w, r, sess)
	if !ok {
		return
	}
	if err := s.st.MarkNotDuplicate(r.Context(), a.ID, b.ID); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/doublons?epci="+a.EPCI+"&ok=distincts", http.StatusSeeOther)
}

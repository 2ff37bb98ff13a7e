package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/export"
	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// territoryItem is one territory the user is in charge of.
type territoryItem struct {
	EPCI, Name, Phase string
	Places, Fresh     int
	Aging, Stale      int
	Completeness      int // mean, in %
	Reports           int // waiting in the queue
	// Active places confirmed in the last 4 and 12 months, in %.
	Confirmed4, Confirmed12 int
}

// territoriesOf lists the territories a user may open: a referent's own,
// or for the hub every territory past first contact plus any holding places.
func (s *Server) territoriesOf(r *http.Request, u *account.User) ([]string, error) {
	if u.Role != account.RoleHub {
		return u.EPCIs(), nil
	}
	ds, err := s.st.Deployments(r.Context())
	if err != nil {
		return nil, err
	}
	var out []string
	for _, d := range ds {
		if d.Phase != territory.PhaseContact {
			out = append(out, d.EPCI)
		}
	}
	return out, nil
}

// count fills in the data state of a territory from its places: how
// many, how fresh, how complete on average. Duplicates do not count.
func (it *territoryItem) count(ps []*place.Place, now time.Time) {
	total := 0
	for _, p := range ps {
		if p.Status == place.StatusDuplicate {
			continue
		}
		it.Places++
		total += place.Completeness(p)
		switch place.FreshnessOf(p.DateMaj, now) {
		case place.Fresh:
			it.Fresh++
		case place.Aging:
			it.Aging++
		default:
			it.Stale++
		}
	}
	if it.Places > 0 {
		it.Completeness = total / it.Places
	}
}

func (s *Server) epciName(code string) string { return s.ref.EPCIName(code) }

type dashboardView struct {
	layoutView
	Territories []territoryItem
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, sess *session) {
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := dashboardView{layoutView: s.bo(sess, "Tableau de bord", "accueil")}
	now := s.now()
	for _, code := range codes {
		ps, err := s.st.TerritoryPlaces(r.Context(), code)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		it := territoryItem{EPCI: code, Name: s.epciName(code)}
		if d, err := s.st.Deployment(r.Context(), code); err == nil {
			it.Phase = d.Phase.Label()
		}
		it.count(ps, now)
		reps, err := s.st.Reports(r.Context(), code)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		for _, rp := range reps {
			if rp.Status == report.StatusNew {
				it.Reports++
			}
		}
		active, confirmed, err := s.st.ConfirmedShare(r.Context(), code, now.AddDate(0, -4, 0), now.AddDate(0, -12, 0))
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if active > 0 {
			it.Confirmed4, it.Confirmed12 = confirmed[0]*100/active, confirmed[1]*100/active
		}
		v.Territories = append(v.Territories, it)
	}
	s.render(w, r, http.StatusOK, "bo_dashboard", v)
}

// territoryParam picks the territory of a back-office page: ?epci=, or the
// user's only territory. ok is false when the user may not see it.
func (s *Server) territoryParam(r *http.Request, sess *session) (string, bool) {
	epci := r.FormValue("epci")
	if epci == "" && len(sess.User.Territories) == 1 {
		epci = sess.User.Territories[0].EPCI
	}
	if _, known := s.ref.EPCI(epci); !known {
		return "", false
	}
	return epci, sess.User.CanSee(epci)
}

// boFilter is the place list's query, from the URL.
type boFilter struct {
	EPCI, Q, Commune, Service, Statut  string
	Fraicheur, Completude, Manque, Tri string
	Page                               int
}

func readBoFilter(q url.Values) boFilter {
	f := boFilter{EPCI: q.Get("epci"), Q: strings.TrimSpace(q.Get("q")), Commune: q.Get("commune"), Service: q.Get("service"),
		Statut: q.Get("statut"), Fraicheur: q.Get("fraicheur"), Completude: q.Get("completude"), Manque: q.Get("manque"), Tri: q.Get("tri")}
	f.Page, _ = strconv.Atoi(q.Get("page"))
	if f.Page < 1 {
		f.Page = 1
	}
	return f
}

// query is the filter as URL parameters, for links that keep it.
func (f boFilter) query(page int) string {
	v := url.Values{}
	for k, x := range map[string]string{"epci": f.EPCI, "q": f.Q, "commune": f.Commune, "service": f.Service, "statut": f.Statut,
		"fraicheur": f.Fraicheur, "completude": f.Completude, "manque": f.Manque, "tri": f.Tri} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return v.Encode()
}

// listRow is one place of the back-office list.
type listRow struct {
	P            *place.Place
	Completeness int
	Freshness    place.Freshness
	StatusLabel  string
	Missing      []string
}

func (f boFilter) keep(row *listRow, svc int) bool {
	p := row.P
	if f.Statut == "" && p.Status == place.StatusDuplicate {
		return false
	}
	if f.Statut != "" && string(p.Status) != f.Statut {
		return false
	}
	if f.Commune != "" && p.CodeInsee != f.Commune {
		return false
	}
	if svc >= 0 && !p.Services.Has(svc) {
		return false
	}
	if f.Fraicheur != "" && row.Freshness.Class() != f.Fraicheur {
		return false
	}
	switch f.Completude {
	case "faible":
		if row.Completeness >= 50 {
			return false
		}
	case "moyenne":
		if row.Completeness < 50 || row.Completeness >= 80 {
			return false
		}
	case "bonne":
		if row.Completeness < 80 {
			return false
		}
	}
	switch f.Manque {
	case "pivot":
		if !p.PivotMissing() {
			return false
		}
	case "horaires":
		if p.Horaires != "" {
			return false
		}
	case "geolocalisation":
		if p.HasCoords {
			return false
		}
	case "courriel":
		if len(p.Courriels) > 0 || p.ContactEmail != "" {
			return false
		}
	}
	if f.Q != "" {
		hay := place.Fold(p.Nom + " " + p.Adresse + " " + p.Commune + " " + p.Pivot)
		for _, w := range strings.Fields(place.Fold(f.Q)) {
			if !strings.Contains(hay, w) {
				return false
			}
		}
	}
	return true
}

type placeListView struct {
	layoutView
	EPCI, EPCIName string
	Territories    []option
	F              boFilter
	Communes       []option
	Services       []option
	Statuses       []option
	Rows           []listRow
	Total, All     int
	Prev, Next     string
	Query          string
}

const boPageSize = 100

func (s *Server) placeList(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryParam(r, sess)
	if !ok {
		s.chooseTerritory(w, r, sess, epci)
		return
	}
	f := readBoFilter(r.URL.Query())
	f.EPCI = epci
	rows, all, err := s.filteredPlaces(r, f)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := placeListView{layoutView: s.bo(sess, "Lieux — "+s.epciName(epci), "lieux"), EPCI: epci, EPCIName: s.epciName(epci), F: f,
		Total: len(rows), All: all, Query: f.query(f.Page)}
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range codes {
		v.Territories = append(v.Territories, option{c, s.epciName(c), c == epci})
	}
	for _, c := range s.ref.CommunesOfEPCI(epci) {
		v.Communes = append(v.Communes, option{c.Code, c.Nom, c.Code == f.Commune})
	}
	for _, it := range place.Services.Items {
		v.Services = append(v.Services, option{it.Code, it.Label, it.Code == f.Service})
	}
	for _, st := range []place.Status{place.StatusActive, place.StatusClosed, place.StatusGone, place.StatusDuplicate} {
		v.Statuses = append(v.Statuses, option{string(st), place.StatusLabels[st], string(st) == f.Statut})
	}
	from := (f.Page - 1) * boPageSize
	if from > len(rows) {
		from = len(rows)
	}
	to := min(from+boPageSize, len(rows))
	v.Rows = rows[from:to]
	if f.Page > 1 {
		v.Prev = f.query(f.Page - 1)
	}
	if to < len(rows) {
		v.Next = f.query(f.Page + 1)
	}
	s.render(w, r, http.StatusOK, "bo_places", v)
}

// filteredPlaces applies a list filter to the territory's places and sorts
// them; all is the territory's count before filtering (duplicates aside).
func (s *Server) filteredPlaces(r *http.Request, f boFilter) ([]listRow, int, error) {
	ps, err := s.st.TerritoryPlaces(r.Context(), f.EPCI)
	if err != nil {
		return nil, 0, err
	}
	svc := -1
	if f.Service != "" {
		svc = place.Services.IndexOf(f.Service)
	}
	now := s.now()
	var rows []listRow
	all := 0
	for _, p := range ps {
		if p.Status != place.StatusDuplicate {
			all++
		}
		row := listRow{P: p, Completeness: place.Completeness(p), Freshness: place.FreshnessOf(p.DateMaj, now), StatusLabel: place.StatusLabels[p.Status]}
		if f.keep(&row, svc) {
			row.Missing = place.MissingFields(p)
			rows = append(rows, row)
		}
	}
	switch f.Tri {
	case "maj":
		slices.SortStableFunc(rows, func(a, b listRow) int { return a.P.DateMaj.Compare(b.P.DateMaj) })
	case "completude":
		slices.SortStableFunc(rows, func(a, b listRow) int { return cmp.Compare(a.Completeness, b.Completeness) })
	case "commune":
		slices.SortStableFunc(rows, func(a, b listRow) int { return cmp.Compare(place.Fold(a.P.Commune), place.Fold(b.P.Commune)) })
	}
	return rows, all, nil
}

type chooseView struct {
	layoutView
	Territories []option
}

// chooseTerritory asks which territory to open, or refuses one the user
// may not see.
func (s *Server) chooseTerritory(w http.ResponseWriter, r *http.Request, sess *session, epci string) {
	if epci != "" || r.FormValue("epci") != "" {
		s.forbidden(w, r, sess)
		return
	}
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := chooseView{layoutView: s.bo(sess, "Choisir un territoire", "lieux")}
	for _, c := range codes {
		v.Territories = append(v.Territories, option{Value: c, Label: s.epciName(c)})
	}
	s.render(w, r, http.StatusOK, "bo_choose", v)
}

// exportSelection writes the chosen places as the national standard CSV.
// Only places of the user's territories are written, whatever ids come in.
func (s *Server) exportSelection(w http.ResponseWriter, r *http.Request, sess *session) {
	ids := r.PostForm["ids"]
	if len(ids) == 0 {
		s.render(w, r, http.StatusBadRequest, "error", errorView{s.bo(sess, "Rien à exporter", "lieux"), "Cochez au moins un lieu dans la liste avant d'exporter la sélection."})
		return
	}
	var out []*place.Place
	for _, id := range ids {
		p, err := s.st.GetPlace(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) || err == nil && !sess.User.CanSee(p.EPCI) {
			continue
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		out = append(out, p)
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName("selection", "csv")+`"`)
	if _, err := export.StandardCSV(w, func(yield func(*place.Place) error) error {
		for _, p := range out {
			if err := yield(p); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		s.log.Error("export selection", "err", err)
	}
}

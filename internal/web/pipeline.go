package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/export"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// hubRegion is the région of the hub: every EPCI of it is on the pipeline,
// followed or not (Brittany).
const hubRegion = "53"

// pipelineRow is one territory of the hub's pipeline.
type pipelineRow struct {
	territoryItem
	Departements string
	Followed     bool // has a deployment row
	Phase        territory.Phase
	PhaseLabel   string
	Strategy     territory.Strategy
	Since        time.Time
	Weeks        float64
	Max          int // observed maximum of the phase, in weeks; 0 if none
	Late         bool
	Transitions  []transition
	Referents    []string // "Name (institutionnel·le)"
	FreshShare   int      // % of places fresh
	LastCampaign *store.Campaign
	Interests    int
}

// transition is the date a territory entered a phase.
type transition struct {
	Phase territory.Phase
	Label string
	At    time.Time
}

// WeeksLabel is the time spent in the phase, in French: "6,0 semaines".
func (r pipelineRow) WeeksLabel() string {
	if !r.Followed {
		return ""
	}
	return decimalFR(r.Weeks, 1) + " sem."
}

// ExpectedLabel is the observed duration of the phase: "3 à 4 semaines".
func (r pipelineRow) ExpectedLabel() string {
	min, max, ok := r.Phase.Expected()
	if !ok {
		return ""
	}
	return fmt.Sprintf("%d à %d semaines", min, max)
}

// pipelineRows builds the rows of the given territories.
func (s *Server) pipelineRows(r *http.Request, codes []string) ([]pipelineRow, error) {
	ctx := r.Context()
	now := s.now()
	ds, err := s.st.Deployments(ctx)
	if err != nil {
		return nil, err
	}
	deps := map[string]territory.Deployment{}
	for _, d := range ds {
		deps[d.EPCI] = d
	}
	journal, err := s.st.Journal(ctx, "")
	if err != nil {
		return nil, err
	}
	entered := map[string]map[territory.Phase]time.Time{}
	for _, e := range journal {
		if e.Kind != territory.JournalPhase {
			continue
		}
		if entered[e.EPCI] == nil {
			entered[e.EPCI] = map[territory.Phase]time.Time{}
		}
		entered[e.EPCI][e.Phase] = e.At // the latest entry wins
	}
	users, err := s.st.Users(ctx)
	if err != nil {
		return nil, err
	}
	referents := map[string][]string{}
	for _, u := range users {
		if u.Role != account.RoleReferent || u.Disabled {
			continue
		}
		name := cmp.Or(u.Name, u.Email)
		for _, t := range u.Territories {
			referents[t.EPCI] = append(referents[t.EPCI], name+" ("+account.KindLabels[t.Kind]+")")
		}
	}
	campaigns, err := s.st.Campaigns(ctx, codes, 100000)
	if err != nil {
		return nil, err
	}
	last := map[string]*store.Campaign{}
	for _, c := range campaigns { // newest first
		if last[c.EPCI] == nil {
			last[c.EPCI] = c
		}
	}
	interests, err := s.st.Interests(ctx, "")
	if err != nil {
		return nil, err
	}
	counts := map[string]int{}
	for _, i := range interests {
		counts[i.EPCI]++
	}
	rows := make([]pipelineRow, 0, len(codes))
	for _, code := range codes {
		row := pipelineRow{territoryItem: territoryItem{EPCI: code, Name: s.epciName(code)}, PhaseLabel: "Pas encore en contact",
			Referents: referents[code], LastCampaign: last[code], Interests: counts[code]}
		if e, ok := s.ref.EPCI(code); ok {
			row.Departements = strings.Join(e.Departements, ", ")
		}
		if d, ok := deps[code]; ok {
			row.Followed, row.Phase, row.PhaseLabel, row.Strategy, row.Since = true, d.Phase, d.Phase.Label(), d.Strategy, d.PhaseSince.In(place.Paris)
			row.Weeks, row.Max, row.Late = territory.Overrun(d.Phase, d.PhaseSince, now)
			dates := entered[code]
			for _, p := range territory.Phases[:d.Phase.Index()+1] {
				at, ok := dates[p]
				if !ok && p == d.Phase {
					at, ok = d.PhaseSince, true
				}
				if ok {
					row.Transitions = append(row.Transitions, transition{p, p.Label(), at.In(place.Paris)})
				}
			}
			ps, err := s.st.TerritoryPlaces(ctx, code)
			if err != nil {
				return nil, err
			}
			row.count(ps, now)
			if row.Places > 0 {
				row.FreshShare = row.Fresh * 100 / row.Places
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// pipelineFilter is the pipeline's query, from the URL.
type pipelineFilter struct {
	Phase, Strategie, Tri string
	Retard                bool
}

func readPipelineFilter(q url.Values) pipelineFilter {
	return pipelineFilter{Phase: q.Get("phase"), Strategie: q.Get("strategie"), Tri: q.Get("tri"), Retard: q.Get("retard") == "1"}
}

func (f pipelineFilter) query() string {
	v := url.Values{}
	for k, x := range map[string]string{"phase": f.Phase, "strategie": f.Strategie, "tri": f.Tri} {
		if x != "" {
			v.Set(k, x)
		}
	}
	if f.Retard {
		v.Set("retard", "1")
	}
	return v.Encode()
}

func (f pipelineFilter) keep(r pipelineRow) bool {
	switch {
	case f.Phase == "aucune" && r.Followed, f.Phase != "" && f.Phase != "aucune" && string(r.Phase) != f.Phase:
		return false
	case f.Retard && !r.Late:
		return false
	case f.Strategie == "aucune" && r.Strategy != territory.StrategyNone,
		f.Strategie != "" && f.Strategie != "aucune" && string(r.Strategy) != f.Strategie:
		return false
	}
	return true
}

func (f pipelineFilter) sort(rows []pipelineRow) {
	byName := func(a, b pipelineRow) int { return cmp.Compare(place.Fold(a.Name), place.Fold(b.Name)) }
	switch f.Tri {
	case "phase":
		slices.SortStableFunc(rows, func(a, b pipelineRow) int {
			return cmp.Or(cmp.Compare(b.Phase.Index(), a.Phase.Index()), byName(a, b))
		})
	case "duree":
		slices.SortStableFunc(rows, func(a, b pipelineRow) int { return cmp.Or(cmp.Compare(b.Weeks, a.Weeks), byName(a, b)) })
	case "lieux":
		slices.SortStableFunc(rows, func(a, b pipelineRow) int { return cmp.Or(cmp.Compare(b.Places, a.Places), byName(a, b)) })
	default:
		slices.SortStableFunc(rows, byName)
	}
}

// pipelineCodes are the territories of the pipeline: every EPCI of the
// hub's région and any other followed.
func (s *Server) pipelineCodes(r *http.Request) ([]string, error) {
	seen := map[string]bool{}
	var codes []string
	for _, e := range s.ref.EPCIsInRegion(hubRegion) {
		seen[e.SIREN] = true
		codes = append(codes, e.SIREN)
	}
	ds, err := s.st.Deployments(r.Context())
	if err != nil {
		return nil, err
	}
	for _, d := range ds {
		if !seen[d.EPCI] {
			codes = append(codes, d.EPCI)
		}
	}
	return codes, nil
}

func (s *Server) filteredPipeline(r *http.Request) ([]pipelineRow, pipelineFilter, int, error) {
	f := readPipelineFilter(r.URL.Query())
	codes, err := s.pipelineCodes(r)
	if err != nil {
		return nil, f, 0, err
	}
	all, err := s.pipelineRows(r, codes)
	if err != nil {
		return nil, f, 0, err
	}
	var rows []pipelineRow
	for _, row := range all {
		if f.keep(row) {
			rows = append(rows, row)
		}
	}
	f.sort(rows)
	return rows, f, len(all), nil
}

type pipelineView struct {
	layoutView
	Rows       []pipelineRow
	All, Late  int
	F          pipelineFilter
	Phases     []option
	Strategies []option
	Sorts      []option
	Query      string
}

// pipelinePage is the hub's deployment pipeline: every territory, its
// phase and how long it has been there, its referents and data.
func (s *Server) pipelinePage(w http.ResponseWriter, r *http.Request, sess *session) {
	rows, f, all, err := s.filteredPipeline(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := pipelineView{layoutView: s.bo(sess, "Déploiement des territoires", "deploiement"), Rows: rows, All: all, F: f, Query: f.query()}
	for _, row := range rows {
		if row.Late {
			v.Late++
		}
	}
	v.Phases = append(v.Phases, option{"", "Toutes", f.Phase == ""}, option{"aucune", "Pas encore en contact", f.Phase == "aucune"})
	for _, p := range territory.Phases {
		v.Phases = append(v.Phases, option{string(p), p.Label(), f.Phase == string(p)})
	}
	v.Strategies = append(v.Strategies, option{"", "Toutes", f.Strategie == ""}, option{"aucune", "À choisir", f.Strategie == "aucune"})
	for _, st := range []territory.Strategy{territory.StrategyGeneraliste, territory.StrategyOutil, territory.StrategyReseau} {
		v.Strategies = append(v.Strategies, option{string(st), st.Label(), f.Strategie == string(st)})
	}
	for _, o := range []struct{ v, l string }{{"", "Nom"}, {"phase", "Phase (la plus avancée d'abord)"}, {"duree", "Temps dans la phase (le plus long d'abord)"}, {"lieux", "Nombre de lieux (le plus grand d'abord)"}} {
		v.Sorts = append(v.Sorts, option{o.v, o.l, f.Tri == o.v})
	}
	s.render(w, r, http.StatusOK, "bo_pipeline", v)
}

// pipelineCSV exports the pipeline as filtered and sorted on screen.
func (s *Server) pipelineCSV(w http.ResponseWriter, r *http.Request, sess *session) {
	rows, _, _, err := s.filteredPipeline(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="deploiement-`+s.now().In(place.Paris).Format("2006-01-02")+`.csv"`)
	cw := export.NewCSVWriter(w)
	head := []string{"SIREN", "Territoire", "Départements", "Phase", "Depuis le", "Semaines dans la phase", "Durée observée (semaines)", "En retard", "Stratégie"}
	for _, p := range territory.Phases {
		head = append(head, "Entrée en "+strings.ToLower(p.Label()))
	}
	head = append(head, "Référents", "Lieux", "Complétude moyenne (%)", "Fiches à jour (%)", "Dernière campagne", "Date de la dernière campagne", "Déclarations d'intérêt")
	cw.Write(head)
	day := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.In(place.Paris).Format("2006-01-02")
	}
	for _, row := range rows {
		late, strategy, weeks := "", "", ""
		if row.Followed {
			late, strategy, weeks = "non", row.Strategy.Label(), strconv.FormatFloat(row.Weeks, 'f', 1, 64)
			if row.Late {
				late = "oui"
			}
		}
		rec := []string{row.EPCI, row.Name, row.Departements, row.PhaseLabel, day(row.Since), weeks, row.ExpectedLabel(), late, strategy}
		dates := map[territory.Phase]time.Time{}
		for _, t := range row.Transitions {
			dates[t.Phase] = t.At
		}
		for _, p := range territory.Phases {
			rec = append(rec, day(dates[p]))
		}
		camp, campAt := "", ""
		if row.LastCampaign != nil {
			camp, campAt = row.LastCampaign.Name, day(row.LastCampaign.CreatedAt)
		}
		rec = append(rec, strings.Join(row.Referents, " ; "), strconv.Itoa(row.Places), strconv.Itoa(row.Completeness), strconv.Itoa(row.FreshShare),
			camp, campAt, strconv.Itoa(row.Interests))
		cw.Write(rec)
	}
	if err := cw.Flush(); err != nil {
		s.log.Error("pipeline csv", "err", err)
	}
}

// timelineEvent is one line of a territory's timeline.
type timelineEvent struct {
	At               time.Time
	Kind, Title, By  string
	Note             string
	Interest         *territory.Interest
	InterestKindName string
}

type timelineView struct {
	layoutView
	Row       pipelineRow
	Events    []timelineEvent
	Phases    []option
	Today     string // for the date fields, YYYY-MM-DD
	Form      userForm
	Created   string // activation link of a referent just named, shown once
	Saved     string
	Error     string
	ErrorForm string // which form the error is about: phase, journal, referent
}

var timelineMessages = map[string]string{
	"phase":    "Phase enregistrée.",
	"reunion":  "Réunion de présentation enregistrée.",
	"decision": "Décision de l'EPCI enregistrée.",
}

// pipelineTerritory returns the EPCI of the URL, or answers 404.
func (s *Server) pipelineTerritory(w http.ResponseWriter, r *http.Request, sess *session) (string, bool) {
	siren := r.PathValue("siren")
	if _, ok := s.ref.EPCI(siren); !ok {
		s.notFoundPage(w, r, sess)
		return "", false
	}
	return siren, true
}

// timelinePage is the journey of one territory, with the forms the hub
// uses to record it.
func (s *Server) timelinePage(w http.ResponseWriter, r *http.Request, sess *session) {
	siren, ok := s.pipelineTerritory(w, r, sess)
	if !ok {
		return
	}
	s.renderTimeline(w, r, sess, http.StatusOK, siren, timelineView{Saved: timelineMessages[r.URL.Query().Get("ok")]})
}

func (s *Server) renderTimeline(w http.ResponseWriter, r *http.Request, sess *session, status int, siren string, v timelineView) {
	rows, err := s.pipelineRows(r, []string{siren})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Row = rows[0]
	v.layoutView = s.bo(sess, "Déploiement — "+v.Row.Name, "deploiement")
	v.Today = s.now().In(place.Paris).Format("2006-01-02")
	journal, err := s.st.Journal(r.Context(), siren)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range journal {
		ev := timelineEvent{At: e.At.In(place.Paris), Kind: e.Kind, Title: territory.JournalKindLabels[e.Kind], By: e.By, Note: e.Note}
		if e.Kind == territory.JournalPhase {
			ev.Title = "Entrée en phase " + e.Phase.Label()
		}
		v.Events = append(v.Events, ev)
	}
	interests, err := s.st.Interests(r.Context(), siren)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, i := range interests {
		v.Events = append(v.Events, timelineEvent{At: i.CreatedAt.In(place.Paris), Kind: "interet", Title: "Déclaration d'intérêt", By: i.Email,
			Interest: &i, InterestKindName: territory.OrgKindLabel(i.OrgKind)})
	}
	slices.SortStableFunc(v.Events, func(a, b timelineEvent) int { return a.At.Compare(b.At) })
	next := territory.PhaseContact
	if v.Row.Followed && v.Row.Phase.Index()+1 < len(territory.Phases) {
		next = territory.Phases[v.Row.Phase.Index()+1]
	} else if v.Row.Followed {
		next = v.Row.Phase
	}
	for _, p := range territory.Phases {
		v.Phases = append(v.Phases, option{string(p), p.Label(), p == next})
	}
	s.render(w, r, status, "bo_pipeline_territory", v)
}

// changePhase moves a territory to a phase and writes it in the journal.
func (s *Server) changePhase(w http.ResponseWriter, r *http.Request, sess *session) {
	siren, ok := s.pipelineTerritory(w, r, sess)
	if !ok {
		return
	}
	phase := territory.Phase(r.PostFormValue("phase"))
	note := strings.TrimSpace(r.PostFormValue("note"))
	fail := func(msg string) {
		s.renderTimeline(w, r, sess, http.StatusUnprocessableEntity, siren, timelineView{Error: msg, ErrorForm: "phase"})
	}
	if !phase.Valid() {
		fail("Choisissez une phase dans la liste.")
		return
	}
	if len(note) > 2000 {
		fail("La note est trop longue : 2 000 caractères au plus.")
		return
	}
	_, err := s.st.ChangePhase(r.Context(), siren, phase, sess.User.Email, note)
	if errors.Is(err, store.ErrSamePhase) {
		fail("Le territoire est déjà en phase « " + phase.Label() + " ».")
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "phase du territoire", siren, string(phase))
	http.Redirect(w, r, "/gestion/deploiement/"+siren+"?ok=phase#chronologie", http.StatusSeeOther)
}

// recordJournal records the presentation meeting or the EPCI's decision.
func (s *Server) recordJournal(w http.ResponseWriter, r *http.Request, sess *session) {
	siren, ok := s.pipelineTerritory(w, r, sess)
	if !ok {
		return
	}
	kind := r.PostFormValue("type")
	note := strings.TrimSpace(r.PostFormValue("note"))
	fail := func(msg string) {
		s.renderTimeline(w, r, sess, http.StatusUnprocessableEntity, siren, timelineView{Error: msg, ErrorForm: "journal"})
	}
	if kind != territory.JournalMeeting && kind != territory.JournalDecision {
		fail("Choisissez ce que vous enregistrez : la réunion de présentation ou la décision de l'EPCI.")
		return
	}
	at, err := time.ParseInLocation("2006-01-02", r.PostFormValue("date"), place.Paris)
	if err != nil {
		fail("Date invalide : indiquez le jour, par exemple 2026-11-26.")
		return
	}
	if kind == territory.JournalDecision && note == "" {
		fail("Décrivez la décision de l'EPCI dans la note.")
		return
	}
	if len(note) > 2000 {
		fail("La note est trop longue : 2 000 caractères au plus.")
		return
	}
	if err := s.st.AddJournal(r.Context(), &territory.JournalEntry{EPCI: siren, Kind: kind, At: at, By: sess.User.Email, Note: note}); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/deploiement/"+siren+"?ok="+kind+"#chronologie", http.StatusSeeOther)
}

// nameReferent opens the account of a referent of the territory, as the
// accounts page does, and writes it in the journal.
func (s *Server) nameReferent(w http.ResponseWriter, r *http.Request, sess *session) {
	siren, ok := s.pipelineTerritory(w, r, sess)
	if !ok {
		return
	}
	f := userForm{Email: account.NormalizeEmail(r.PostFormValue("email")), Name: r.PostFormValue("nom"), Role: string(account.RoleReferent),
		EPCI: siren, Kind: r.PostFormValue("type")}
	u := &account.User{Email: f.Email, Name: f.Name, Role: account.RoleReferent, Territories: []account.Territory{{EPCI: siren, Kind: f.Kind}}}
	link, err := s.openAccount(r, sess, u)
	var refused accountRefused
	if errors.As(err, &refused) {
		s.renderTimeline(w, r, sess, http.StatusUnprocessableEntity, siren, timelineView{Form: f, Error: string(refused), ErrorForm: "referent"})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	note := cmp.Or(u.Name, u.Email) + " — " + u.Email + " (" + account.KindLabels[f.Kind] + ")"
	if err := s.st.AddJournal(r.Context(), &territory.JournalEntry{EPCI: siren, Kind: territory.JournalReferent, At: s.now(), By: sess.User.Email, Note: note}); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderTimeline(w, r, sess, http.StatusOK, siren, timelineView{Created: link, Saved: "Compte du référent ouvert : " + note + "."})
}

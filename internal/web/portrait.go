package web

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"
	"time"

	"portrea/internal/account"
	"portrea/internal/geoapi"
	"portrea/internal/place"
	"portrea/internal/portrait"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// portraitInput gathers what the portrait of a territory is computed from.
func portraitInput(ctx context.Context, st *store.Store, ref *territory.Reference, epci string, now time.Time, withEmails bool) (portrait.Input, error) {
	in := portrait.Input{Ref: ref, EPCI: epci, Now: now, Weekday: time.Tuesday}
	e, ok := ref.EPCI(epci)
	if !ok {
		return in, store.ErrNotFound
	}
	if err := st.EachPlaceOfTerritory(ctx, epci, func(p *place.Place) error {
		in.Places = append(in.Places, p)
		return nil
	}); err != nil {
		return in, err
	}
	d, err := st.Deployment(ctx, epci)
	switch {
	case err == nil:
		in.Deployment = d
	case !errors.Is(err, store.ErrNotFound):
		return in, err
	}
	us, err := st.Users(ctx)
	if err != nil {
		return in, err
	}
	for _, u := range us {
		if u.Disabled || u.Role != account.RoleReferent || !u.CanSee(epci) {
			continue
		}
		r := portrait.Referent{Name: u.Name}
		if withEmails {
			r.Email = u.Email
		}
		for _, t := range u.Territories {
			if t.EPCI == epci {
				r.Kind = account.KindLabels[t.Kind]
			}
		}
		if r.Name == "" && !withEmails {
			r.Name = "référent·e " + strings.ToLower(r.Kind)
		}
		in.Referents = append(in.Referents, r)
	}
	if in.Foreword, err = st.Foreword(ctx, epci); err != nil {
		return in, err
	}
	// Every commune of the territory's régions and départements, to compare.
	areas := map[string]bool{}
	for _, r := range e.Regions {
		areas["r"+r] = true
	}
	for _, d := range e.Departements {
		areas["d"+d] = true
	}
	var codes []string
	for _, c := range ref.Communes() {
		if areas["r"+c.Region] || areas["d"+c.Departement] {
			codes = append(codes, c.Code)
		}
	}
	if in.Region, err = st.CommuneStats(ctx, codes, portrait.ConfirmedSince(now)); err != nil {
		return in, err
	}
	raw, at, err := st.Contours(ctx, e.Communes)
	if err != nil {
		return in, err
	}
	in.Outlines, in.OutlinesAt = map[string][][][2]float64{}, at
	for code, g := range raw {
		rings, err := geoapi.Rings(g)
		if err != nil {
			continue // a damaged outline: the commune shows as its centre
		}
		in.Outlines[code] = rings
	}
	if in.Snapshots, err = st.Snapshots(ctx, epci); err != nil {
		return in, err
	}
	return in, nil
}

// SnapshotPortraits keeps this month's key figures of every territory
// that has places, for the portraits' trend. The server runs it daily; a
// month's snapshot follows the data until the month ends.
func SnapshotPortraits(ctx context.Context, st *store.Store, ref *territory.Reference, now time.Time) (int, error) {
	ds, err := st.Deployments(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range ds {
		if d.Phase == territory.PhaseContact {
			continue
		}
		in, err := portraitInput(ctx, st, ref, d.EPCI, now, false)
		if err != nil {
			return n, err
		}
		if len(in.Places) == 0 {
			continue
		}
		if err := st.SaveSnapshot(ctx, d.EPCI, portrait.Compute(in).Snapshot()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// RunSnapshots takes the snapshots at start and then every day.
func RunSnapshots(ctx context.Context, st *store.Store, ref *territory.Reference, every time.Duration, log interface{ Error(string, ...any) }) {
	for {
		if _, err := SnapshotPortraits(ctx, st, ref, time.Now()); err != nil && ctx.Err() == nil {
			log.Error("portrait snapshots", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// portraitAccess says whether a request may see a territory's portrait:
// published territories (in exploitation) are public; the others only
// for the hub and the territory's referents.
func (s *Server) portraitAccess(r *http.Request, epci string) (sess *session, ok bool, err error) {
	sess = s.currentSession(r)
	if sess != nil && sess.User.CanSee(epci) {
		return sess, true, nil
	}
	d, err := s.st.Deployment(r.Context(), epci)
	if errors.Is(err, store.ErrNotFound) {
		return sess, false, nil
	}
	if err != nil {
		return sess, false, err
	}
	return sess, d.Phase == territory.PhaseExploitation, nil
}

type portraitView struct {
	layoutView
	P        *portrait.Portrait
	SIREN    string
	CanEdit  bool
	Saved    string
	Charts   portraitCharts
	PDFURL   string
	HasTrend bool
	Fetching bool
	Days     []option // days the hours chart can show
}

type portraitCharts struct {
	Services, Publics, PriseEnCharge, Frais, Access, Accompaniment, Typologies, Hours, Map, Trend template.HTML
}

// portraitPage shows the portrait, printable on A4.
func (s *Server) portraitPage(w http.ResponseWriter, r *http.Request) {
	epci := r.PathValue("siren")
	sess, ok, err := s.portraitAccess(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if _, known := s.ref.EPCI(epci); !ok || !known {
		s.render(w, r, http.StatusNotFound, "error", errorView{layoutView{Title: "Portrait introuvable"}, "Ce territoire n'a pas de portrait publié."})
		return
	}
	dayName, day := chartDay(r)
	p, err := s.portraitOf(r.Context(), epci, sess != nil, day)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := portraitView{P: p, SIREN: epci, PDFURL: "/territoires/" + epci + "/portrait.pdf?jour=" + dayName, HasTrend: len(p.Trend) >= 2, Saved: r.URL.Query().Get("ok")}
	for _, d := range portraitDays {
		v.Days = append(v.Days, option{Value: d.Value, Label: d.Value, Selected: d.Value == dayName})
	}
	if sess != nil {
		v.layoutView = s.bo(sess, "Portrait — "+p.Identity.Name, "")
		v.CanEdit = sess.User.CanSee(epci)
	} else {
		v.layoutView = layoutView{Title: "Portrait — " + p.Identity.Name}
	}
	v.Fetching = !p.Map.HasOutlines && s.fetchOutlinesOnce(epci)
	v.Charts = portraitCharts{
		Services: portrait.BarChartSVG("Lieux par service", p.Offer.Services), Publics: portrait.BarChartSVG("Lieux par public spécifiquement adressé", p.Offer.Publics),
		PriseEnCharge: portrait.BarChartSVG("Lieux par prise en charge spécifique", p.Offer.PriseEnCharge), Frais: portrait.BarChartSVG("Lieux par frais à charge", p.Offer.Frais),
		Access: portrait.BarChartSVG("Lieux par modalité d'accès", p.Offer.Access), Accompaniment: portrait.BarChartSVG("Lieux par modalité d'accompagnement", p.Offer.Accompaniment),
		Typologies: portrait.BarChartSVG("Lieux par type de structure", p.Offer.Typologies), Hours: portrait.HoursChartSVG(p.Hours),
		Map: portrait.MapSVG(p.Map), Trend: portrait.TrendSVG(p.Trend),
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "portrait", v)
}

// portraitDays are the days the hours chart can show (?jour=).
var portraitDays = []struct {
	Value string
	Day   time.Weekday
}{{"lundi", time.Monday}, {"mardi", time.Tuesday}, {"mercredi", time.Wednesday}, {"jeudi", time.Thursday}, {"vendredi", time.Friday}, {"samedi", time.Saturday}}

func chartDay(r *http.Request) (string, time.Weekday) {
	for _, d := range portraitDays {
		if d.Value == r.URL.Query().Get("jour") {
			return d.Value, d.Day
		}
	}
	return "mardi", time.Tuesday
}

// portraitOf computes a territory's portrait now, and keeps this month's
// snapshot up to date.
func (s *Server) portraitOf(ctx context.Context, epci string, signedIn bool, day time.Weekday) (*portrait.Portrait, error) {
	in, err := portraitInput(ctx, s.st, s.ref, epci, s.now(), signedIn)
	if err != nil {
		return nil, err
	}
	in.Weekday = day
	p := portrait.Compute(in)
	if len(in.Places) > 0 {
		if err := s.st.SaveSnapshot(ctx, epci, p.Snapshot()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// portraitPDF sends the same portrait as a PDF drawn by the binary.
func (s *Server) portraitPDF(w http.ResponseWriter, r *http.Request) {
	epci := r.PathValue("siren")
	sess, ok, err := s.portraitAccess(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if _, known := s.ref.EPCI(epci); !ok || !known {
		s.render(w, r, http.StatusNotFound, "error", errorView{layoutView{Title: "Portrait introuvable"}, "Ce territoire n'a pas de portrait publié."})
		return
	}
	_, day := chartDay(r)
	p, err := s.portraitOf(r.Context(), epci, sess != nil, day)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	name := fmt.Sprintf("%s_portrait_%s.pdf", s.now().In(place.Paris).Format("2006-01-02"), strings.Join(place.SearchWords(p.Identity.Name), "-"))
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := portrait.WritePDF(w, p); err != nil {
		s.log.Error("portrait pdf", "epci", epci, "err", err)
	}
}

// saveForeword keeps the referent's foreword.
func (s *Server) saveForeword(w http.ResponseWriter, r *http.Request, sess *session) {
	epci := r.PathValue("siren")
	if _, ok := s.ref.EPCI(epci); !ok || !sess.User.CanSee(epci) {
		s.notFoundPage(w, r, sess)
		return
	}
	text := strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("avant_propos"), "\r\n", "\n"))
	if n := len([]rune(text)); n > maxForeword {
		s.render(w, r, http.StatusUnprocessableEntity, "error", errorView{s.bo(sess, "Avant-propos trop long", ""),
			fmt.Sprintf("L'avant-propos fait %d caractères : %d au plus. Revenez à la page précédente pour le raccourcir.", n, maxForeword)})
		return
	}
	if err := s.st.SetForeword(r.Context(), epci, text, sess.User.Email); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/territoires/"+epci+"/portrait?ok=avant-propos#avant-propos", http.StatusSeeOther)
}

const maxForeword = 1500

// refreshOutlines fetches the territory's commune outlines again.
func (s *Server) refreshOutlines(w http.ResponseWriter, r *http.Request, sess *session) {
	epci := r.PathValue("siren")
	if _, ok := s.ref.EPCI(epci); !ok || !sess.User.CanSee(epci) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err := s.fetchOutlines(r.Context(), epci); err != nil {
		s.log.Warn("commune outlines", "epci", epci, "err", err)
		http.Redirect(w, r, "/territoires/"+epci+"/portrait?ok=contours-indisponibles#carte", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/territoires/"+epci+"/portrait?ok=contours#carte", http.StatusSeeOther)
}

func (s *Server) fetchOutlines(ctx context.Context, epci string) error {
	geos, err := geoapi.New(s.cfg.GeoAPIURL).CommuneOutlines(ctx, epci)
	if err != nil {
		return err
	}
	raw := make(map[string]string, len(geos))
	for code, g := range geos {
		raw[code] = g.GeoJSON
	}
	return s.st.SaveContours(ctx, raw, s.now())
}

// outlineFetches remembers the territories whose outlines this process
// already tried to fetch on its own: once, in the background.
var outlineFetches sync.Map

// fetchOutlinesOnce starts fetching the outlines of a territory that has
// none, the first time its portrait is shown; it reports whether a fetch
// was started.
func (s *Server) fetchOutlinesOnce(epci string) bool {
	if _, done := outlineFetches.LoadOrStore(s.cfg.GeoAPIURL+"|"+epci, true); done {
		return false
	}
	s.bg.Go(func() {
		ctx, cancel := context.WithTimeout(s.ctx, 30*time.Second)
		defer cancel()
		if err := s.fetchOutlines(ctx, epci); err != nil {
			s.log.Warn("commune outlines", "epci", epci, "err", err)
		}
	})
	return true
}

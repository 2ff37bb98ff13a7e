package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
	"portrea/internal/territory"
)

type dayView struct {
	Name  string
	Hours string
	Today bool
}

type placeView struct {
	layoutView
	P             *place.Place
	Services      []string
	Publics       []string
	PriseEnCharge []string
	Frais         []string
	Acces         []string
	Accomp        []string
	Dispositifs   []string
	Labels        []string
	Typologies    []string
	Week          []dayView
	OpenNow       bool
	Status        string // "Ouvert maintenant, jusqu'à 12 h" / "Fermé, ouvre lundi à 9 h"
	HasHours      bool
	Comments      []string
	URL           string
	Map           mapConfig
	Report        reportForm
	// Portrait names the place's territory when its portrait is published.
	Portrait string
}

// reportForm is the "Signaler une erreur" form of a sheet.
type reportForm struct {
	Token      string
	Categories []choice
	Message    string
	Email      string
	Errors     place.Errors
	Sent       bool
	Max        int
}

func (s *Server) placeSheet(w http.ResponseWriter, r *http.Request) {
	s.renderSheet(w, r, http.StatusOK, reportForm{Sent: r.URL.Query().Get("signalement") == "merci"})
}

func (s *Server) renderSheet(w http.ResponseWriter, r *http.Request, status int, rf reportForm) {
	p, err := s.st.GetPublicPlace(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", errorView{layoutView{Title: "Lieu introuvable"}, "Ce lieu n'existe pas ou n'est plus publié."})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := placeView{
		layoutView:    layoutView{Title: p.Nom},
		P:             p,
		Services:      place.Services.Labels(p.Services),
		Publics:       place.Publics.Labels(p.Publics),
		PriseEnCharge: place.PriseEnCharge.Labels(p.PriseEnCharge),
		Frais:         place.Frais.Labels(p.Frais),
		Acces:         place.ModalitesAcces.Labels(p.ModalitesAcces &^ place.ModalitesAcces.Bit("pas-de-public")),
		Accomp:        place.ModalitesAccompagnement.Labels(p.ModalitesAccompagnement),
		Dispositifs:   place.Dispositifs.Labels(p.Dispositifs),
		Labels:        append(place.FormationsLabels.Labels(p.FormationsLabels), p.AutresLabels...),
		Typologies:    place.TypologyLabels(p.Typologies),
		URL:           s.cfg.BaseURL + "/lieux/" + p.ID,
	}
	if d, err := s.st.Deployment(r.Context(), p.EPCI); err == nil && d.Phase == territory.PhaseExploitation {
		v.Portrait = s.epciName(p.EPCI)
	}
	now := s.now().In(place.Paris)
	if oh, err := openinghours.Parse(p.Horaires); err == nil {
		monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
		v.HasHours, v.OpenNow, v.Comments = true, oh.OpenAt(now), oh.Comments()
		v.Status = openStatus(oh, now)
		for i, d := range oh.Week(monday) {
			v.Week = append(v.Week, dayView{Name: openinghours.DayNamesFR[i], Hours: openinghours.FormatFrench(d), Today: i == (int(now.Weekday())+6)%7})
		}
	}
	if v.Map, err = s.tileConfig(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	allowTiles(w, v.Map.Tiles, false)
	rf.Token = s.formToken(p.ID, now)
	rf.Max = report.MaxMessage
	chosen := map[string]bool{}
	for _, c := range rf.Categories {
		chosen[c.Value] = c.Checked
	}
	rf.Categories = nil
	for _, c := range report.Categories {
		rf.Categories = append(rf.Categories, choice{"categories", c.Code, c.Label, chosen[c.Code]})
	}
	v.Report = rf
	s.render(w, r, status, "place", v)
}

// openStatus says in French whether the place is open and until when, or
// when it opens next.
func openStatus(oh *openinghours.Hours, now time.Time) string {
	next, ok := oh.NextChange(now)
	day, clock := frenchTime(next, now)
	if oh.OpenAt(now) {
		if !ok {
			return "Ouvert maintenant"
		}
		return "Ouvert maintenant, jusqu'à " + strings.TrimSpace(day+" "+clock)
	}
	if !ok {
		return "Fermé actuellement"
	}
	return "Fermé actuellement, ouvre " + strings.TrimSpace(day+" à "+clock)
}

// frenchTime splits a time into its day relative to now ("", "demain",
// "lundi") and its clock ("12 h", "9 h 30").
func frenchTime(t, now time.Time) (string, string) {
	clock := fmt.Sprintf("%d h", t.Hour())
	if t.Minute() != 0 {
		clock = fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
	}
	days := int(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	switch days {
	case 0:
		return "", clock
	case 1:
		return "demain", clock
	}
	return openinghours.DayNamesFR[(int(t.Weekday())+6)%7], clock
}

// Public forms carry a signed token with their time of display: a form
// sent back faster than a person can fill it, much later, or for another
// place, is refused. It replaces a CSRF token (there is no session) and a
// third-party captcha.
const (
	formMaxAge = 2 * time.Hour
	minute     = time.Minute
)

func (s *Server) formToken(subject string, at time.Time) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(at.Unix()))
	m := hmac.New(sha256.New, s.secret)
	m.Write(b[:])
	m.Write([]byte(subject))
	return base64.RawURLEncoding.EncodeToString(append(b[:], m.Sum(nil)[:16]...))
}

func (s *Server) checkFormToken(token, subject string) error {
	return s.verifyFormToken(token, subject, s.minFormAge)
}

// verifyFormToken checks a signed form token: our signature, at least
// minAge old (robots are fast), at most formMaxAge.
func (s *Server) verifyFormToken(token, subject string, minAge time.Duration) error {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) != 24 {
		return errors.New("jeton de formulaire illisible")
	}
	at := time.Unix(int64(binary.BigEndian.Uint64(raw[:8])), 0)
	if !hmac.Equal([]byte(s.formToken(subject, at)), []byte(token)) {
		return errors.New("jeton de formulaire invalide")
	}
	age := s.now().Sub(at)
	if age < minAge {
		return errors.New("formulaire envoyé trop vite")
	}
	if age > formMaxAge {
		return errors.New("formulaire expiré")
	}
	return nil
}

// reportError stores a "Signaler une erreur" report for the referent of
// the place's territory.
func (s *Server) reportError(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", errorView{layoutView{Title: "Signalement refusé"}, "Le formulaire est trop long ou illisible."})
		return
	}
	rep := &report.Report{PlaceID: id, Categories: r.PostForm["categories"], Message: r.PostFormValue("message"), Email: r.PostFormValue("email")}
	rf := reportForm{Message: rep.Message, Email: rep.Email}
	for _, c := range rep.Categories {
		rf.Categories = append(rf.Categories, choice{Value: c, Checked: true})
	}
	// A robot fills every field; people do not see this one.
	if r.PostFormValue("site") != "" || !sameOrigin(r) {
		s.log.Info("report refused: robot or cross-site", "place", id)
		http.Redirect(w, r, "/lieux/"+id+"?signalement=merci#signaler", http.StatusSeeOther)
		return
	}
	if err := s.checkFormToken(r.PostFormValue("jeton"), id); err != nil {
		rf.Errors = place.Errors{{Field: "jeton", Message: "Le formulaire a expiré ou a été envoyé trop vite : vérifiez votre signalement et envoyez-le à nouveau."}}
		s.renderSheet(w, r, http.StatusBadRequest, rf)
		return
	}
	if errs := rep.Check(); len(errs) > 0 {
		rf.Errors = errs
		s.renderSheet(w, r, http.StatusUnprocessableEntity, rf)
		return
	}
	for _, lim := range []struct {
		key   string
		limit int
	}{{"signalement:" + s.clientKey(r), 5}, {"signalement-lieu:" + id, 20}} {
		ok, err := s.st.Allow(r.Context(), lim.key, lim.limit, time.Hour)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			rf.Errors = place.Errors{{Field: "jeton", Message: "Trop de signalements en peu de temps : réessayez dans une heure."}}
			s.renderSheet(w, r, http.StatusTooManyRequests, rf)
			return
		}
	}
	if err := s.st.CreateReport(r.Context(), rep); errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/lieux/"+id+"?signalement=merci#signaler", http.StatusSeeOther)
}

// sameOrigin refuses a form posted from another site, when the browser
// says where it comes from.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	if o := r.Header.Get("Origin"); o != "" {
		return strings.TrimPrefix(strings.TrimPrefix(o, "https://"), "http://") == r.Host
	}
	return true
}

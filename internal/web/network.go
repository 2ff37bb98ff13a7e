package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"portrea/internal/export"
	"portrea/internal/place"
	"portrea/internal/store"
)

// Network animation of a territory: the log of its workshops and
// meetings, and the private directory of the actors who agreed to appear
// in it. Only the hub and the territory's referents see either.

type animationRow struct {
	store.Animation
	When  string   // the day, and the time if one was given, in Paris
	Names []string // the participants' names
}

// animationWhen writes a workshop's moment: "3 octobre 2026 à 14 h 30".
func animationWhen(t time.Time) string {
	t = t.In(place.Paris)
	if t.Hour() == 0 && t.Minute() == 0 {
		return dateFR(t)
	}
	return dateFR(t) + " à " + t.Format("15 h 04")
}

// animationForm is a workshop as typed: an empty ID for a new one.
type animationForm struct {
	ID, Date, Heure, Theme, Notes string
	Places                        []checkItem
}

type consentRow struct {
	ID, Nom, Commune string
	Checked          bool
}

type networkView struct {
	layoutView
	EPCI, EPCIName string
	Animations     []animationRow
	Form           animationForm
	Errors         map[string]string
	Directory      []store.DirectoryEntry
	Consents       []consentRow
	Saved          string
	Generated      time.Time
}

var networkSaved = map[string]string{
	"atelier-ajoute":      "Atelier ou rencontre ajouté au journal.",
	"atelier-modifie":     "Atelier ou rencontre modifié.",
	"atelier-supprime":    "Atelier ou rencontre supprimé du journal.",
	"annuaire-enregistre": "Accords pour l'annuaire enregistrés.",
}

type networkChoiceView struct {
	layoutView
	Territories []option
}

// networkHome lists the user's territories, or goes straight to the only one.
func (s *Server) networkHome(w http.ResponseWriter, r *http.Request, sess *session) {
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(codes) == 1 {
		http.Redirect(w, r, "/gestion/territoires/"+codes[0]+"/reseau", http.StatusSeeOther)
		return
	}
	v := networkChoiceView{layoutView: s.bo(sess, "Réseau", "reseau")}
	for _, c := range codes {
		v.Territories = append(v.Territories, option{Value: c, Label: s.epciName(c)})
	}
	s.render(w, r, http.StatusOK, "bo_reseau_choix", v)
}

// networkPlaces are the territory's places that can take part or appear
// in the directory: not duplicates, not gone.
func (s *Server) networkPlaces(r *http.Request, epci string) ([]*place.Place, error) {
	ps, err := s.st.TerritoryPlaces(r.Context(), epci)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(ps, func(p *place.Place) bool {
		return p.Status == place.StatusDuplicate || p.Status == place.StatusGone
	}), nil
}

func placeLabel(p *place.Place) string {
	if p.Commune == "" {
		return p.Nom
	}
	return p.Nom + " — " + p.Commune
}

func (s *Server) networkPage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	var form *animationForm
	if id := r.URL.Query().Get("modifier"); id != "" {
		a, err := s.st.Animation(r.Context(), epci, id)
		if errors.Is(err, store.ErrNotFound) {
			s.notFoundPage(w, r, sess)
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		at := a.At.In(place.Paris)
		form = &animationForm{ID: a.ID, Date: at.Format(time.DateOnly), Theme: a.Theme, Notes: a.Notes}
		if at.Hour() != 0 || at.Minute() != 0 {
			form.Heure = at.Format("15:04")
		}
		for _, id := range a.Participants {
			form.Places = append(form.Places, checkItem{Value: id, Checked: true})
		}
	}
	s.renderNetwork(w, r, sess, epci, http.StatusOK, form, nil)
}

func (s *Server) renderNetwork(w http.ResponseWriter, r *http.Request, sess *session, epci string, status int, form *animationForm, errs map[string]string) {
	ctx := r.Context()
	places, err := s.networkPlaces(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	anims, err := s.st.Animations(ctx, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	dir, err := s.st.Directory(ctx, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	consents, err := s.st.DirectoryConsents(ctx, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := networkView{layoutView: s.bo(sess, "Réseau — "+s.epciName(epci), "reseau"), EPCI: epci, EPCIName: s.epciName(epci),
		Errors: errs, Directory: dir, Saved: networkSaved[r.URL.Query().Get("ok")]}
	names := map[string]string{}
	for _, p := range places {
		names[p.ID] = placeLabel(p)
		v.Consents = append(v.Consents, consentRow{ID: p.ID, Nom: p.Nom, Commune: p.Commune, Checked: consents[p.ID]})
	}
	for _, a := range anims {
		row := animationRow{Animation: a, When: animationWhen(a.At)}
		for _, id := range a.Participants {
			if n, ok := names[id]; ok {
				row.Names = append(row.Names, n)
			}
		}
		v.Animations = append(v.Animations, row)
	}
	if form != nil {
		v.Form = *form
	}
	chosen := map[string]bool{}
	for _, c := range v.Form.Places {
		chosen[c.Value] = c.Checked
	}
	v.Form.Places = nil
	for _, p := range places {
		v.Form.Places = append(v.Form.Places, checkItem{Value: p.ID, Label: placeLabel(p), Checked: chosen[p.ID]})
	}
	s.render(w, r, status, "bo_reseau", v)
}

// readAnimation reads the workshop form; the participants are kept only
// among the territory's places.
func (s *Server) readAnimation(r *http.Request, epci string) (*store.Animation, animationForm, map[string]string, error) {
	f := animationForm{ID: r.PathValue("id"), Date: strings.TrimSpace(r.PostFormValue("date")), Heure: strings.TrimSpace(r.PostFormValue("heure")),
		Theme: strings.TrimSpace(r.PostFormValue("theme")), Notes: strings.TrimSpace(r.PostFormValue("notes"))}
	places, err := s.networkPlaces(r, epci)
	if err != nil {
		return nil, f, nil, err
	}
	a := &store.Animation{ID: f.ID, EPCI: epci, Theme: f.Theme, Notes: f.Notes}
	picked := r.PostForm["participants"]
	for _, p := range places {
		if slices.Contains(picked, p.ID) {
			a.Participants = append(a.Participants, p.ID)
			f.Places = append(f.Places, checkItem{Value: p.ID, Checked: true})
		}
	}
	errs := map[string]string{}
	day, err := time.ParseInLocation(time.DateOnly, f.Date, place.Paris)
	if err != nil {
		errs["date"] = "Date : indiquez le jour de l'atelier ou de la rencontre (jj/mm/aaaa)."
	}
	if f.Heure != "" {
		if h, err := time.Parse("15:04", f.Heure); err != nil {
			errs["heure"] = "Heure : « " + f.Heure + " » n'est pas une heure (hh:mm)."
		} else {
			day = day.Add(time.Duration(h.Hour())*time.Hour + time.Duration(h.Minute())*time.Minute)
		}
	}
	a.At = day
	if f.Theme == "" {
		errs["theme"] = "Thème : obligatoire."
	} else if len([]rune(f.Theme)) > 200 {
		errs["theme"] = "Thème : 200 caractères au plus."
	}
	if len([]rune(f.Notes)) > 10000 {
		errs["notes"] = "Notes : 10 000 caractères au plus."
	}
	if len(errs) == 0 {
		errs = nil
	}
	return a, f, errs, nil
}

// postedAnimation reads a workshop form of the territory in the URL, or
// answers the request itself (another territory, a form with errors).
func (s *Server) postedAnimation(w http.ResponseWriter, r *http.Request, sess *session) (string, *store.Animation, bool) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return "", nil, false
	}
	a, form, errs, err := s.readAnimation(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return "", nil, false
	}
	if errs != nil {
		s.renderNetwork(w, r, sess, epci, http.StatusUnprocessableEntity, &form, errs)
		return "", nil, false
	}
	return epci, a, true
}

func (s *Server) createAnimation(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, a, ok := s.postedAnimation(w, r, sess)
	if !ok {
		return
	}
	a.CreatedBy = sess.User.Email
	if err := s.st.CreateAnimation(r.Context(), a); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/territoires/"+epci+"/reseau?ok=atelier-ajoute#atelier-"+a.ID, http.StatusSeeOther)
}

func (s *Server) updateAnimation(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, a, ok := s.postedAnimation(w, r, sess)
	if !ok {
		return
	}
	err := s.st.UpdateAnimation(r.Context(), a)
	if errors.Is(err, store.ErrNotFound) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/territoires/"+epci+"/reseau?ok=atelier-modifie#atelier-"+a.ID, http.StatusSeeOther)
}

func (s *Server) deleteAnimation(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	err := s.st.DeleteAnimation(r.Context(), epci, r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/territoires/"+epci+"/reseau?ok=atelier-supprime#journal", http.StatusSeeOther)
}

// saveDirectoryConsents records, for every place of the territory, whether
// it agreed to appear in the network's directory.
func (s *Server) saveDirectoryConsents(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	places, err := s.networkPlaces(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	consents, err := s.st.DirectoryConsents(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	agreed := r.PostForm["annuaire"]
	for _, p := range places {
		yes := slices.Contains(agreed, p.ID)
		if yes == consents[p.ID] {
			continue
		}
		if err := s.st.SetDirectoryConsent(r.Context(), p.ID, yes, sess.User.Email); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	http.Redirect(w, r, "/gestion/territoires/"+epci+"/reseau?ok=annuaire-enregistre#annuaire", http.StatusSeeOther)
}

// directoryPrint is the directory alone, to print.
func (s *Server) directoryPrint(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	dir, err := s.st.Directory(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := networkView{layoutView: s.bo(sess, "Annuaire du réseau — "+s.epciName(epci), "reseau"), EPCI: epci, EPCIName: s.epciName(epci),
		Directory: dir, Generated: s.now()}
	s.render(w, r, http.StatusOK, "bo_reseau_annuaire", v)
}

// directoryCSV sends the directory as a spreadsheet-safe CSV.
func (s *Server) directoryCSV(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	dir, err := s.st.Directory(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName(s.epciName(epci)+" annuaire du réseau", "csv")+`"`)
	w.Write([]byte("\ufeff")) // spreadsheets read UTF-8 with it
	cw := export.NewCSVWriter(w)
	cw.Write([]string{"Structure", "Commune", "Téléphone public", "Courriels publics", "Contact (privé)", "Courriel du contact (privé)",
		"Téléphone du contact (privé)", "Accord donné le"})
	for _, e := range dir {
		cw.Write([]string{e.Nom, e.Commune, e.Telephone, strings.Join(e.Courriels, " "), e.ContactNom, e.ContactEmail, e.ContactPhone, isoDate(e.ConsentAt)})
	}
	if err := cw.Flush(); err != nil {
		s.log.Error("directory csv", "epci", epci, "err", err)
	}
}

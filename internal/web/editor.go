package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/geocode"
	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/store"
)

// onBehalf labels an edit a referent types for the structure (after a
// phone call, an e-mail…), as the method asks.
const onBehalf = "saisi par le référent, au nom de la structure"

// editablePlace loads the place of the URL for a user who may edit it.
// A place of another territory answers 404, as if it did not exist.
func (s *Server) editablePlace(w http.ResponseWriter, r *http.Request, sess *session) (*place.Place, bool) {
	p, err := s.st.GetPlace(r.Context(), r.PathValue("id"))
	if err == nil && !sess.User.CanSee(p.EPCI) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", errorView{s.bo(sess, "Lieu introuvable", "lieux"), "Ce lieu n'existe pas ou ne fait pas partie de vos territoires."})
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return p, true
}

type checkItem struct {
	Value, Label string
	Checked      bool
}

type checkGroup struct {
	Field, Title, Help string
	Items              []checkItem
}

type extraInput struct {
	place.ExtraField
	Value   string
	Options []checkItem
}

type historyItem struct {
	place.HistoryEntry
	Who        string
	Revertable bool
}

type editorView struct {
	layoutView
	placeForm
	P        *place.Place
	New      bool
	EPCIName string
	Errors   place.Errors
	Saved    string
	// Conflict says the place changed since the form was opened: what was
	// typed is shown again, against the current version.
	Conflict     bool
	Statuses     []checkItem
	Lat, Lon     string
	Completeness int
	Missing      []string
	Freshness    place.Freshness
	History      []historyItem
	Duplicates   []duplicatePair
	Map          mapConfig
	ByPhone      bool // edits typed during a call (?methode=telephone)
	// Bounce is the last campaign message refused at the place's address,
	// while that address is still the one on record.
	Bounce *store.Bounce
}

// placeForm is what the form of a place's public record and complementary
// fields shows: the back-office editor and the personal update link share
// it (and readPublicFields, which reads it back).
type placeForm struct {
	Groups       []checkGroup
	Typologies   []checkItem
	Extra        []extraInput
	Courriels    string
	SitesWeb     string
	AutresLabels string
	ResumeMax    int
}

// placeFormOf fills the form with p, and the complementary fields of p's
// territory.
func (s *Server) placeFormOf(ctx context.Context, p *place.Place) (placeForm, error) {
	v := placeForm{ResumeMax: place.MaxResume,
		Courriels: strings.Join(p.Courriels, "\n"), SitesWeb: strings.Join(p.SitesWeb, "\n"), AutresLabels: strings.Join(p.AutresLabels, "\n")}
	for _, voc := range place.SetVocabs {
		g := checkGroup{Field: voc.Field, Title: voc.Title}
		set := *setOf(p, voc)
		for i, it := range voc.Items {
			g.Items = append(g.Items, checkItem{it.Code, it.Label, set.Has(i)})
		}
		v.Groups = append(v.Groups, g)
	}
	for _, t := range place.Typologies {
		v.Typologies = append(v.Typologies, checkItem{t.Code, t.Label + " (" + t.Code + ")", slices.Contains(p.Typologies, t.Code)})
	}
	fields, err := s.st.ExtraFields(ctx, p.EPCI)
	if err != nil {
		return v, err
	}
	for _, f := range fields {
		in := extraInput{ExtraField: f, Value: p.Extra[f.Key]}
		for _, o := range f.Options {
			in.Options = append(in.Options, checkItem{o, o, o == in.Value})
		}
		v.Extra = append(v.Extra, in)
	}
	return v, nil
}

// fieldHelp is the help text shown under the fields that need one.
var fieldHelp = map[string]string{
	"pivot":                    "SIRET (14 chiffres) ou RNA (W suivi de 9 chiffres) de la structure. Laissez vide si vous ne le connaissez pas.",
	"horaires":                 "Remplissez le tableau : le champ texte se met à jour tout seul.",
	"presentation_resume":      "Deux ou trois phrases, 280 caractères au plus : elles apparaissent dans les listes.",
	"source":                   "La structure qui a collecté ou fourni ces informations.",
	"fiche_acces_libre":        "Lien vers la fiche d'accessibilité du lieu sur acceslibre.beta.gouv.fr.",
	"prise_rdv":                "Lien de prise de rendez-vous en ligne, s'il existe.",
	"courriels":                "Une adresse par ligne. Elles sont publiques.",
	"site_web":                 "Une adresse par ligne, commençant par https://",
	"autres_formations_labels": "Un label par ligne.",
}

func (s *Server) editorView(r *http.Request, sess *session, p *place.Place, isNew bool) (editorView, error) {
	v := editorView{layoutView: s.bo(sess, p.Nom, "lieux"), P: p, New: isNew, EPCIName: s.epciName(p.EPCI),
		Completeness: place.Completeness(p), Missing: place.MissingFields(p), Freshness: place.FreshnessOf(p.DateMaj, s.now())}
	if isNew {
		v.Title = "Nouveau lieu"
	}
	if p.HasCoords {
		v.Lat, v.Lon = strconv.FormatFloat(p.Latitude, 'f', 6, 64), strconv.FormatFloat(p.Longitude, 'f', 6, 64)
	}
	for _, st := range []place.Status{place.StatusActive, place.StatusClosed, place.StatusGone} {
		v.Statuses = append(v.Statuses, checkItem{string(st), place.StatusLabels[st], p.Status == st})
	}
	var err error
	if v.placeForm, err = s.placeFormOf(r.Context(), p); err != nil {
		return v, err
	}
	if !isNew {
		hs, err := s.st.PlaceHistory(r.Context(), p.ID)
		if err != nil {
			return v, err
		}
		for i, h := range hs {
			v.History = append(v.History, historyItem{HistoryEntry: h, Who: actorLabel(h.Actor),
				Revertable: i < len(hs)-1 && len(h.Changes) > 0 && !onlyDate(h.Changes)})
		}
		if v.Duplicates, err = s.duplicatesOf(r, p); err != nil {
			return v, err
		}
		b, err := s.st.LastBounce(r.Context(), p.ID)
		switch {
		case err == nil && (b.Email == strings.ToLower(p.ContactEmail) || slices.Contains(p.Courriels, b.Email)):
			v.Bounce = b
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return v, err
		}
	}
	if v.Map, err = s.tileConfig(r.Context()); err != nil {
		return v, err
	}
	return v, nil
}

func onlyDate(cs []place.Change) bool { return len(cs) == 1 && cs[0].Field == "date_maj" }

// actorLabel says in French who made a change.
func actorLabel(a place.Actor) string {
	switch a.Kind {
	case place.ActorImport:
		return "import « " + a.Name + " »"
	case place.ActorCampaign:
		return "la structure, par son lien de mise à jour"
	case place.ActorPhone:
		return a.Name + ", par téléphone"
	case place.ActorSystem:
		return a.Name
	}
	return a.Name
}

func setOf(p *place.Place, v *place.Vocab) *place.Set {
	switch v {
	case place.Itinerance:
		return &p.Itinerance
	case place.Services:
		return &p.Services
	case place.Publics:
		return &p.Publics
	case place.PriseEnCharge:
		return &p.PriseEnCharge
	case place.Frais:
		return &p.Frais
	case place.Dispositifs:
		return &p.Dispositifs
	case place.FormationsLabels:
		return &p.FormationsLabels
	case place.ModalitesAcces:
		return &p.ModalitesAcces
	}
	return &p.ModalitesAccompagnement
}

func (s *Server) placeEditor(w http.ResponseWriter, r *http.Request, sess *session) {
	p, ok := s.editablePlace(w, r, sess)
	if !ok {
		return
	}
	s.renderEditor(w, r, sess, http.StatusOK, p, false, nil)
}

func (s *Server) renderEditor(w http.ResponseWriter, r *http.Request, sess *session, status int, p *place.Place, isNew bool, errs place.Errors) {
	s.renderEditorView(w, r, sess, status, p, isNew, errs, false)
}

// renderConflict shows the editor again with what was typed, after a save
// refused because the place changed since the form was opened.
func (s *Server) renderConflict(w http.ResponseWriter, r *http.Request, sess *session, p *place.Place) {
	s.renderEditorView(w, r, sess, http.StatusConflict, p, false, nil, true)
}

func (s *Server) renderEditorView(w http.ResponseWriter, r *http.Request, sess *session, status int, p *place.Place, isNew bool, errs place.Errors, conflict bool) {
	v, err := s.editorView(r, sess, p, isNew)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v.Errors, v.Conflict = errs, conflict
	v.ByPhone = r.FormValue("methode") == "telephone"
	switch r.URL.Query().Get("ok") {
	case "enregistre":
		v.Saved = "Modifications enregistrées."
	case "confirme":
		v.Saved = "Informations confirmées à jour aujourd'hui."
	case "annule":
		v.Saved = "Modification annulée."
	case "annule-partiel":
		v.Saved = "Modification annulée, sauf les champs modifiés depuis : ils sont restés tels quels."
	case "fusionne":
		v.Saved = "Fusion enregistrée : l'autre fiche est marquée comme doublon de celle-ci."
	case "pas-doublon":
		v.Saved = "C'est noté : ces deux lieux ne seront plus proposés comme doublons."
	}
	allowTiles(w, v.Map.Tiles, false)
	s.render(w, r, status, "bo_place", v)
}

func (s *Server) newPlaceForm(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryParam(r, sess)
	if !ok {
		s.chooseTerritory(w, r, sess, epci)
		return
	}
	p := &place.Place{EPCI: epci, Status: place.StatusActive}
	s.renderEditor(w, r, sess, http.StatusOK, p, true, nil)
}

// readPlaceForm builds the edited place from the back-office form over
// base, which keeps what the form does not carry (id, dates, duplicate
// link).
func readPlaceForm(r *http.Request, base *place.Place, extra []place.ExtraField) *place.Place {
	f := r.PostForm
	p := readPublicFields(f, base, extra)
	p.Source = f.Get("source")
	p.ContactNom, p.ContactEmail, p.ContactTelephone, p.Notes = f.Get("contact_nom"), f.Get("contact_email"), f.Get("contact_telephone"), f.Get("notes")
	if st := place.Status(f.Get("statut")); st == place.StatusActive || st == place.StatusClosed || st == place.StatusGone {
		p.Status = st
	}
	p.HasCoords = false
	lat, err1 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f.Get("latitude")), ",", "."), 64)
	lon, err2 := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSpace(f.Get("longitude")), ",", "."), 64)
	if err1 == nil && err2 == nil {
		p.Latitude, p.Longitude, p.HasCoords = lat, lon, true
	}
	return p
}

// readPublicFields builds a place from the fields of placeForm over base:
// the public record except its source and coordinates, and the
// complementary fields. Everything else (private fields, status,
// coordinates, source) stays base's: the personal update link reads its
// form with this alone.
func readPublicFields(f url.Values, base *place.Place, extra []place.ExtraField) *place.Place {
	p := *base
	// Browsers post a text area's line breaks as CRLF; the record keeps LF.
	text := func(k string) string { return strings.ReplaceAll(f.Get(k), "\r\n", "\n") }
	p.Pivot, p.Nom, p.Adresse, p.ComplementAdresse = f.Get("pivot"), f.Get("nom"), f.Get("adresse"), f.Get("complement_adresse")
	p.CodePostal, p.CodeInsee, p.Commune = f.Get("code_postal"), f.Get("code_insee"), f.Get("commune")
	p.Telephone, p.Horaires, p.Resume, p.Detail = f.Get("telephone"), text("horaires"), text("presentation_resume"), text("presentation_detail")
	p.StructureParente, p.FicheAccesLibre, p.PriseRdv = f.Get("structure_parente"), f.Get("fiche_acces_libre"), f.Get("prise_rdv")
	p.Courriels, p.SitesWeb, p.AutresLabels = lines(f.Get("courriels")), lines(f.Get("site_web")), lines(f.Get("autres_formations_labels"))
	p.Typologies = f["typologie"]
	for _, voc := range place.SetVocabs {
		var set place.Set
		for _, code := range f[voc.Field] {
			if i := voc.IndexOf(code); i >= 0 {
				set = set.With(i)
			}
		}
		*setOf(&p, voc) = set
	}
	p.Extra = map[string]string{}
	for _, x := range extra {
		if v := strings.TrimSpace(f.Get("extra." + x.Key)); v != "" {
			p.Extra[x.Key] = v
		}
	}
	return &p
}

func lines(s string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// checkEdited normalises and validates an edited place, and checks that
// its commune belongs to a territory of the user.
func (s *Server) checkEdited(p *place.Place, u *account.User, epci string) place.Errors {
	p.Normalize(s.ref)
	var errs place.Errors
	if err := p.Validate(s.ref, s.now()); err != nil {
		if !errors.As(err, &errs) {
			errs = place.Errors{{Field: "nom", Message: err.Error()}}
		}
	}
	if p.CodeInsee != "" && errs.For("code_insee") == "" {
		if p.EPCI == "" || !u.CanSee(p.EPCI) {
			errs = append(errs, place.FieldError{Field: "code_insee", Message: fmt.Sprintf("la commune %s n'appartient pas à %s : choisissez une commune de votre territoire", p.CodeInsee, s.epciName(epci))})
		}
	}
	return errs
}

func (s *Server) writeOf(sess *session, r *http.Request) store.Write {
	w := store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: sess.User.Email}, Confirm: r.PostFormValue("confirmer") == "oui"}
	if r.PostFormValue("au_nom") == "oui" {
		w.Summary = onBehalf
	}
	if r.PostFormValue("methode") == "telephone" {
		w.Actor.Kind = place.ActorPhone // typed during a call of the campaign's call list
	}
	return w
}

func (s *Server) savePlace(w http.ResponseWriter, r *http.Request, sess *session) {
	old, ok := s.editablePlace(w, r, sess)
	if !ok {
		return
	}
	fields, err := s.st.ExtraFields(r.Context(), old.EPCI)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := readPlaceForm(r, old, fields)
	if errs := s.checkEdited(p, sess.User, old.EPCI); len(errs) > 0 {
		s.renderEditor(w, r, sess, http.StatusUnprocessableEntity, p, false, errs)
		return
	}
	wr := s.writeOf(sess, r)
	// The version the form was opened on: a save over someone else's
	// later change is refused instead of silently undoing it.
	if v, err := time.Parse(time.RFC3339Nano, r.PostFormValue("version")); err == nil {
		p.UpdatedAt, wr.IfUnchanged = v, true
	}
	err = s.st.UpdatePlace(r.Context(), p, wr)
	if errors.Is(err, store.ErrConflict) {
		p.UpdatedAt = old.UpdatedAt // saving again, having looked, is allowed
		if cur, err := s.st.GetPlace(r.Context(), p.ID); err == nil {
			p.UpdatedAt = cur.UpdatedAt
		}
		s.renderConflict(w, r, sess, p)
		return
	}
	if err != nil {
		s.saveFailed(w, r, sess, p, false, err)
		return
	}
	if r.PostFormValue("methode") == "telephone" {
		http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?ok=enregistre&methode=telephone", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?ok=enregistre", http.StatusSeeOther)
}

// saveFailed answers a refused write: the store's field errors go back
// to the form with what was typed; anything else is a server error.
func (s *Server) saveFailed(w http.ResponseWriter, r *http.Request, sess *session, p *place.Place, isNew bool, err error) {
	var errs place.Errors
	if errors.As(err, &errs) {
		s.renderEditor(w, r, sess, http.StatusUnprocessableEntity, p, isNew, errs)
		return
	}
	s.serverError(w, r, err)
}

func (s *Server) createPlace(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryParam(r, sess)
	if !ok {
		s.forbidden(w, r, sess)
		return
	}
	fields, err := s.st.ExtraFields(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p := readPlaceForm(r, &place.Place{EPCI: epci, Status: place.StatusActive}, fields)
	if errs := s.checkEdited(p, sess.User, epci); len(errs) > 0 {
		s.renderEditor(w, r, sess, http.StatusUnprocessableEntity, p, true, errs)
		return
	}
	wr := s.writeOf(sess, r)
	wr.Confirm = true // a place typed in today is up to date today
	if err := s.st.CreatePlace(r.Context(), p, wr); err != nil {
		s.saveFailed(w, r, sess, p, true, err)
		return
	}
	http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?ok=enregistre#doublons", http.StatusSeeOther)
}

func (s *Server) confirmPlace(w http.ResponseWriter, r *http.Request, sess *session) {
	p, ok := s.editablePlace(w, r, sess)
	if !ok {
		return
	}
	wr := s.writeOf(sess, r)
	if err := s.st.ConfirmPlace(r.Context(), p.ID, wr); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?ok=confirme", http.StatusSeeOther)
}

func (s *Server) revertChange(w http.ResponseWriter, r *http.Request, sess *session) {
	p, ok := s.editablePlace(w, r, sess)
	if !ok {
		return
	}
	hid, err := strconv.ParseInt(r.PathValue("hid"), 10, 64)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	conflicts, err := s.st.RevertChange(r.Context(), p.ID, hid, store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: sess.User.Email}})
	switch {
	case errors.Is(err, store.ErrNotFound):
		http.NotFound(w, r)
	case errors.Is(err, store.ErrConflict):
		s.renderEditor(w, r, sess, http.StatusConflict, p, false, place.Errors{{Field: "historique",
			Message: "rien à annuler : tous les champs de cette modification ont été modifiés depuis"}})
	case err != nil:
		s.serverError(w, r, err)
	case len(conflicts) > 0:
		http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?ok=annule-partiel#historique", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?ok=annule#historique", http.StatusSeeOther)
	}
}

// hoursPreview checks an opening_hours string for the builder and says
// in French what it means: open now or not, and the coming week.
func (s *Server) hoursPreview(w http.ResponseWriter, r *http.Request, sess *session) {
	type day struct {
		Day  string `json:"day"`
		Text string `json:"text"`
	}
	out := struct {
		Valid   bool   `json:"valid"`
		Error   string `json:"error,omitempty"`
		OpenNow bool   `json:"open_now"`
		Status  string `json:"status,omitempty"`
		Week    []day  `json:"week"`
	}{Week: []day{}}
	oh, err := openinghours.Parse(r.URL.Query().Get("oh"))
	if err != nil {
		out.Error = err.Error()
		writeJSON(w, http.StatusOK, out)
		return
	}
	now := s.now().In(place.Paris)
	monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
	out.Valid, out.OpenNow, out.Status = true, oh.OpenAt(now), openStatus(oh, now)
	for i, d := range oh.Week(monday) {
		text := openinghours.FormatFrench(d)
		if text == "" {
			text = "Fermé"
		}
		out.Week = append(out.Week, day{openinghours.DayNamesFR[i], text})
	}
	writeJSON(w, http.StatusOK, out)
}

// geocodeAddress finds an address for the editor and says whether its
// commune belongs to the user's territories.
func (s *Server) geocodeAddress(w http.ResponseWriter, r *http.Request, sess *session) {
	ok, err := s.st.Allow(r.Context(), "geocodage:"+sess.User.ID, 120, time.Minute)
	if err != nil || !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"erreur": "trop de recherches d'adresse, réessayez dans une minute"})
		return
	}
	res, err := s.geo.Search(r.Context(), r.URL.Query().Get("q"), 5)
	if errors.Is(err, geocode.ErrUnavailable) {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"erreur": geocoderDown})
		return
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	type result struct {
		Label       string  `json:"label"`
		Adresse     string  `json:"adresse"`
		CodePostal  string  `json:"code_postal"`
		CodeInsee   string  `json:"code_insee"`
		Commune     string  `json:"commune"`
		Latitude    float64 `json:"latitude"`
		Longitude   float64 `json:"longitude"`
		InTerritory bool    `json:"dans_le_territoire"`
		Warning     string  `json:"avertissement,omitempty"`
	}
	out := []result{}
	for _, x := range res {
		it := result{Label: x.Label, Adresse: strings.TrimSpace(strings.TrimSuffix(x.Label, x.Postcode+" "+x.City)), CodePostal: x.Postcode,
			CodeInsee: x.CityCode, Commune: x.City, Latitude: x.Lat, Longitude: x.Lon}
		if e, ok := s.ref.EPCIOfCommune(x.CityCode); ok && sess.User.CanSee(e.SIREN) {
			it.InTerritory = true
		} else {
			it.Warning = x.City + " n'appartient pas à vos territoires"
		}
		out = append(out, it)
	}
	writeJSON(w, http.StatusOK, out)
}

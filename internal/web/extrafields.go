package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"portrea/internal/place"
	"portrea/internal/store"
)

// A territory's complementary fields ("données complémentaires locales"):
// the referents define, edit, order and retire them. Retired fields are
// no longer asked (editor, update link, census template) but their values
// are kept.

// extraKinds are the kinds in the order the form proposes them.
var extraKinds = []place.ExtraKind{place.ExtraText, place.ExtraNumber, place.ExtraBool, place.ExtraChoice, place.ExtraDate}

// extraFieldLabels name the fields of a definition in error messages.
var extraFieldLabels = map[string]string{"cle": "Clé", "libelle": "Libellé", "type": "Type", "choix": "Choix"}

// extraFieldForm is what the referent typed for a field.
type extraFieldForm struct {
	Label, Kind, Options, Help string
}

type extraFieldRow struct {
	store.ManagedExtraField
	KindLabel   string
	RetiredOn   string // the day it was retired, in Paris
	OptionsText string
	Values      int // places holding a value
	First, Last bool
	Open        bool // the edit form is shown, with Form and Errors
	Form        extraFieldForm
	Errors      map[string]string
}

type extraFieldsView struct {
	layoutView
	EPCI, EPCIName string
	Fields         []extraFieldRow
	Kinds          []option
	Form           extraFieldForm
	Errors         map[string]string
	Saved          string
}

var extraFieldsSaved = map[string]string{
	"cree":     "Champ ajouté : il est désormais demandé dans les fiches, le formulaire de mise à jour et le modèle de recensement.",
	"modifie":  "Champ modifié.",
	"deplace":  "Ordre des champs modifié.",
	"retire":   "Champ retiré : il n'est plus demandé, ses valeurs déjà saisies sont conservées.",
	"restaure": "Champ rétabli : il est de nouveau demandé, avec ses valeurs conservées.",
}

// territoryOf reads the territory of a /gestion/territoires/{siren}/…
// URL: a territory the user is in charge of, else a 404 is sent.
func (s *Server) territoryOf(w http.ResponseWriter, r *http.Request, sess *session) (string, bool) {
	epci := r.PathValue("siren")
	if _, known := s.ref.EPCI(epci); !known || !sess.User.CanSee(epci) {
		s.notFoundPage(w, r, sess)
		return "", false
	}
	return epci, true
}

func (s *Server) extraFieldsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	s.renderExtraFields(w, r, sess, epci, http.StatusOK, nil, nil, "", nil)
}

// renderExtraFields shows the page; newForm and newErrs are the refused
// new field, or editID, editForm and newErrs the refused edit.
func (s *Server) renderExtraFields(w http.ResponseWriter, r *http.Request, sess *session, epci string, status int,
	newForm *extraFieldForm, errs map[string]string, editID string, editForm *extraFieldForm) {
	all, err := s.st.AllExtraFields(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	counts, err := s.st.ExtraFieldValues(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := extraFieldsView{layoutView: s.bo(sess, "Champs complémentaires — "+s.epciName(epci), "reseau"),
		EPCI: epci, EPCIName: s.epciName(epci), Saved: extraFieldsSaved[r.URL.Query().Get("ok")]}
	if newForm != nil {
		v.Form, v.Errors = *newForm, errs
	}
	for i, f := range all {
		row := extraFieldRow{ManagedExtraField: f, KindLabel: place.ExtraKindLabels[f.Kind], OptionsText: strings.Join(f.Options, ", "),
			Values: counts[f.ID], First: i == 0, Last: i == len(all)-1,
			Form: extraFieldForm{Label: f.Label, Kind: string(f.Kind), Options: strings.Join(f.Options, "\n"), Help: f.Help}}
		if f.Retired() {
			row.RetiredOn = dateFR(f.RetiredAt.In(place.Paris))
		}
		if f.ID == editID && editForm != nil {
			row.Open, row.Form, row.Errors = true, *editForm, errs
		}
		v.Fields = append(v.Fields, row)
	}
	for _, k := range extraKinds {
		v.Kinds = append(v.Kinds, option{Value: string(k), Label: place.ExtraKindLabels[k], Selected: string(k) == v.Form.Kind})
	}
	s.render(w, r, status, "bo_champs", v)
}

func readExtraFieldForm(r *http.Request) extraFieldForm {
	return extraFieldForm{Label: strings.TrimSpace(r.PostFormValue("libelle")), Kind: r.PostFormValue("type"),
		Options: r.PostFormValue("choix"), Help: strings.TrimSpace(r.PostFormValue("aide"))}
}

// options reads the choices, one a line, without blanks or repeats.
func (f extraFieldForm) options() []string {
	var out []string
	seen := map[string]bool{}
	for _, line := range strings.Split(f.Options, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || seen[place.Fold(line)] {
			continue
		}
		seen[place.Fold(line)] = true
		out = append(out, line)
	}
	return out
}

// extraKey derives a field's key from its label: "Nombre de postes" gives
// "nombre-de-postes".
func extraKey(label string) string {
	var b strings.Builder
	dash := false
	for _, c := range place.Fold(label) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			b.WriteRune(c)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	key := strings.TrimRight(b.String(), "-")
	if len(key) > 56 { // room for a "-2" suffix within the 63 allowed
		key = strings.TrimRight(key[:56], "-")
	}
	return key
}

// fieldErrors turns a definition's problems into French messages by form
// field.
func fieldErrors(err error) (map[string]string, bool) {
	var errs place.Errors
	if !errors.As(err, &errs) {
		return nil, false
	}
	out := map[string]string{}
	for _, e := range errs {
		if _, done := out[e.Field]; !done {
			out[e.Field] = extraFieldLabels[e.Field] + " : " + e.Message
		}
	}
	return out, true
}

func (s *Server) createExtraField(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return
	}
	form := readExtraFieldForm(r)
	all, err := s.st.AllExtraFields(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	f := &place.ExtraField{EPCI: epci, Label: form.Label, Kind: place.ExtraKind(form.Kind), Help: form.Help, Position: len(all) + 1}
	if f.Kind == place.ExtraChoice {
		f.Options = form.options()
	}
	for _, o := range all {
		f.Position = max(f.Position, o.Position+1)
	}
	// The key is derived from the label; a taken key (even by a retired
	// field, whose values are kept) gets a number.
	base := extraKey(form.Label)
	f.Key = base
	for n := 2; base != "" && keyTaken(all, f.Key); n++ {
		f.Key = base + "-" + strconv.Itoa(n)
	}
	if base == "" && form.Label != "" {
		s.renderExtraFields(w, r, sess, epci, http.StatusUnprocessableEntity, &form,
			map[string]string{"libelle": "Libellé : il doit contenir au moins une lettre ou un chiffre."}, "", nil)
		return
	}
	err = s.st.CreateExtraField(r.Context(), f)
	if errs, ok := fieldErrors(err); ok {
		if base == "" {
			delete(errs, "cle") // the label's message says it
		}
		s.renderExtraFields(w, r, sess, epci, http.StatusUnprocessableEntity, &form, errs, "", nil)
		return
	}
	if errors.Is(err, store.ErrExtraFieldExists) { // typed twice at once
		s.renderExtraFields(w, r, sess, epci, http.StatusUnprocessableEntity, &form,
			map[string]string{"libelle": "Libellé : un champ de ce territoire porte déjà ce nom."}, "", nil)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/territoires/"+epci+"/champs?ok=cree#champ-"+f.ID, http.StatusSeeOther)
}

func keyTaken(all []store.ManagedExtraField, key string) bool {
	for _, f := range all {
		if f.Key == key {
			return true
		}
	}
	return false
}

// extraFieldOf finds the field of the URL among the territory's.
func (s *Server) extraFieldOf(w http.ResponseWriter, r *http.Request, sess *session) (string, *store.ManagedExtraField, bool) {
	epci, ok := s.territoryOf(w, r, sess)
	if !ok {
		return "", nil, false
	}
	all, err := s.st.AllExtraFields(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return "", nil, false
	}
	for _, f := range all {
		if f.ID == r.PathValue("id") {
			return epci, &f, true
		}
	}
	s.notFoundPage(w, r, sess)
	return "", nil, false
}

func (s *Server) updateExtraField(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, cur, ok := s.extraFieldOf(w, r, sess)
	if !ok {
		return
	}
	form := readExtraFieldForm(r)
	form.Kind = string(cur.Kind) // the kind never changes: stored values keep their meaning
	f := cur.ExtraField
	f.Label, f.Help = form.Label, form.Help
	if f.Kind == place.ExtraChoice {
		f.Options = form.options()
	}
	err := s.st.UpdateExtraField(r.Context(), &f)
	if errs, ok := fieldErrors(err); ok {
		s.renderExtraFields(w, r, sess, epci, http.StatusUnprocessableEntity, nil, errs, cur.ID, &form)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/territoires/"+epci+"/champs?ok=modifie#champ-"+f.ID, http.StatusSeeOther)
}

func (s *Server) moveExtraField(delta int) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		epci, cur, ok := s.extraFieldOf(w, r, sess)
		if !ok {
			return
		}
		if err := s.st.MoveExtraField(r.Context(), epci, cur.ID, delta); err != nil {
			s.serverError(w, r, err)
			return
		}
		http.Redirect(w, r, "/gestion/territoires/"+epci+"/champs?ok=deplace#champ-"+cur.ID, http.StatusSeeOther)
	}
}

func (s *Server) retireExtraField(retire bool) func(http.ResponseWriter, *http.Request, *session) {
	return func(w http.ResponseWriter, r *http.Request, sess *session) {
		epci, cur, ok := s.extraFieldOf(w, r, sess)
		if !ok {
			return
		}
		if err := s.st.RetireExtraField(r.Context(), epci, cur.ID, retire); err != nil {
			s.serverError(w, r, err)
			return
		}
		done := "restaure"
		if retire {
			done = "retire"
		}
		http.Redirect(w, r, "/gestion/territoires/"+epci+"/champs?ok="+done+"#champ-"+cur.ID, http.StatusSeeOther)
	}
}

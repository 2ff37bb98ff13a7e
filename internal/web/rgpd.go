package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portrea/internal/store"
)

// rgpdCategory is one line of the register, with its columns written out.
type rgpdCategory struct {
	store.DataCategory
	Columns []string
}

type rgpdView struct {
	layoutView
	Categories   []rgpdCategory
	Rules        []store.RetentionRule
	Last         store.RetentionReport
	HasLast      bool
	Unclassified []string
	Done         string
	Email, Error string
}

// rgpdPage is the register of the personal data PORTREA holds, with the
// retention rules, their last run, and the forms to export or erase one
// person's data.
func (s *Server) rgpdPage(w http.ResponseWriter, r *http.Request, sess *session) {
	v := rgpdView{}
	if n, err := strconv.Atoi(r.URL.Query().Get("efface")); err == nil && n >= 0 {
		v.Done = "Effacement fait : 1 personne, " + records(n) + " modifiés ou supprimés. Le journal de sécurité le note, sans les données de la personne."
		if n <= 1 {
			v.Done = "Effacement fait : 1 personne, " + records(n) + " modifié ou supprimé. Le journal de sécurité le note, sans les données de la personne."
		}
	}
	s.renderRGPD(w, r, sess, http.StatusOK, v)
}

func (s *Server) renderRGPD(w http.ResponseWriter, r *http.Request, sess *session, status int, v rgpdView) {
	v.layoutView = s.bo(sess, "Données personnelles", "rgpd")
	for _, c := range store.PersonalData {
		rc := rgpdCategory{DataCategory: c}
		for _, t := range c.Tables {
			for _, col := range t.Columns {
				rc.Columns = append(rc.Columns, t.Table+"."+col.Column+" ("+col.Label+")")
			}
		}
		rc.Columns = append(rc.Columns, c.Also...)
		v.Categories = append(v.Categories, rc)
	}
	v.Rules = store.RetentionRules
	last, err := s.st.LastRetention(r.Context())
	switch {
	case err == nil:
		v.Last, v.HasLast = last, true
	case !errors.Is(err, store.ErrNotFound):
		s.serverError(w, r, err)
		return
	}
	if v.Unclassified, err = s.st.UnclassifiedColumns(r.Context()); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, status, "bo_rgpd", v)
}

// rgpdEmail reads the address of the export and erasure forms.
func (s *Server) rgpdEmail(w http.ResponseWriter, r *http.Request, sess *session) (string, bool) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	if email == "" || !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n") {
		s.renderRGPD(w, r, sess, http.StatusUnprocessableEntity, rgpdView{Email: email,
			Error: "Saisissez l'adresse électronique de la personne, par exemple prenom.nom@exemple.fr."})
		return "", false
	}
	return email, true
}

// rgpdExport answers with everything held about one address, as a JSON
// file with French keys.
func (s *Server) rgpdExport(w http.ResponseWriter, r *http.Request, sess *session) {
	email, ok := s.rgpdEmail(w, r, sess)
	if !ok {
		return
	}
	exp, err := s.st.ExportPerson(r.Context(), email)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(exp); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "export RGPD", "", fmt.Sprintf("1 personne, %s", records(exp.Records())))
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="donnees-personnelles-%s.json"`, s.now().Format("2006-01-02")))
	buf.WriteTo(w)
}

// records writes "1 enregistrement", "1 234 enregistrements".
func records(n int) string {
	if n <= 1 {
		return fmt.Sprintf("%d enregistrement", n)
	}
	return thousands(n) + " enregistrements"
}

type rgpdConfirmView struct {
	layoutView
	Email      string
	Found      []rgpdFound
	Total      int
	Names      []string
	PhoneCount int
}

type rgpdFound struct {
	Title string
	Count int
}

// rgpdErasePreview shows what an erasure would change and asks to
// confirm it.
func (s *Server) rgpdErasePreview(w http.ResponseWriter, r *http.Request, sess *session) {
	email, ok := s.rgpdEmail(w, r, sess)
	if !ok {
		return
	}
	exp, err := s.st.ExportPerson(r.Context(), email)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := rgpdConfirmView{layoutView: s.bo(sess, "Effacer les données d'une personne", "rgpd"), Email: exp.Adresse,
		Total: exp.Records(), Names: exp.Noms, PhoneCount: len(exp.Telephones)}
	for _, c := range exp.Categories {
		if len(c.Enregistrements) > 0 {
			v.Found = append(v.Found, rgpdFound{c.Categorie, len(c.Enregistrements)})
		}
	}
	s.render(w, r, http.StatusOK, "bo_rgpd_effacement", v)
}

// rgpdErase erases one person, once confirmed, and records it in the
// journal without their data.
func (s *Server) rgpdErase(w http.ResponseWriter, r *http.Request, sess *session) {
	email, ok := s.rgpdEmail(w, r, sess)
	if !ok {
		return
	}
	if r.PostFormValue("confirmer") != "oui" {
		s.renderRGPD(w, r, sess, http.StatusUnprocessableEntity, rgpdView{Email: email,
			Error: "L'effacement n'a pas été fait : cochez la case de confirmation."})
		return
	}
	rep, err := s.st.ErasePerson(r.Context(), email)
	if errors.Is(err, store.ErrLastHub) {
		s.renderRGPD(w, r, sess, http.StatusConflict, rgpdView{
			Error: "Rien n'a été effacé : cette adresse est celle du dernier compte actif du hub. Ouvrez d'abord un autre compte d'administration du hub."})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "effacement RGPD", "", "1 personne, "+records(rep.Records))
	http.Redirect(w, r, "/gestion/donnees-personnelles?efface="+strconv.Itoa(rep.Records), http.StatusSeeOther)
}

// RunRetention applies the retention rules at start and then at every
// interval, until ctx ends.
func RunRetention(ctx context.Context, st *store.Store, every time.Duration, log interface {
	Error(string, ...any)
	Info(string, ...any)
}) {
	for {
		rep, err := st.ApplyRetention(ctx, st.Now())
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention", "err", err)
		case err == nil && rep.Total() > 0:
			log.Info("retention", "rows", rep.Total())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"portrea/internal/export"
	"portrea/internal/place"
	"portrea/internal/store"
)

// callOutcomes are the outcomes of a phone call, in the order offered.
var callOutcomes = []option{
	{Value: store.CallUnchanged, Label: "Rien n'a changé (fiche confirmée)"},
	{Value: store.CallUpdated, Label: "Mis à jour par téléphone (ouvre la fiche)"},
	{Value: store.CallBack, Label: "À rappeler"},
	{Value: store.CallNoAnswer, Label: "Injoignable"},
	{Value: store.CallGone, Label: "N'existe plus"},
}

var callLabels = map[string]string{
	store.CallUnchanged: "rien n'a changé",
	store.CallUpdated:   "mis à jour par téléphone",
	store.CallBack:      "à rappeler",
	store.CallNoAnswer:  "injoignable",
	store.CallGone:      "n'existe plus",
}

// maxCallNote bounds the note of a call.
const maxCallNote = 1000

// callRow is a place to call: it has not answered, or its message bounced.
type callRow struct {
	store.RecipientRow
	Reminded     store.Reminded
	OutcomeLabel string
}

type callsView struct {
	layoutView
	C         *store.Campaign
	Territory string
	Open      bool // the deadline has passed
	Rows      []callRow
	Outcomes  []option
	Saved     string
	Error     string
}

// callRows lists the places of a campaign to call.
func (s *Server) callRows(r *http.Request, c *store.Campaign) ([]callRow, error) {
	rs, err := s.st.CampaignRecipients(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	reminded, err := s.st.RemindersSentByPlace(r.Context(), c.ID)
	if err != nil {
		return nil, err
	}
	var out []callRow
	for _, rr := range rs {
		// Places that answered through their link are done; those whose
		// answer came by phone stay listed with the call's outcome.
		if rr.Answer != "" && rr.BouncedAt.IsZero() && rr.CallOutcome == "" {
			continue
		}
		out = append(out, callRow{RecipientRow: rr, Reminded: reminded[rr.PlaceID], OutcomeLabel: callLabels[rr.CallOutcome]})
	}
	return out, nil
}

// callsPage is the phone follow-up of a campaign: the places that did not
// answer, with what is known to call them. It opens at the deadline; a
// referent may use it earlier, with a warning.
func (s *Server) callsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	rows, err := s.callRows(r, c)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := callsView{layoutView: s.bo(sess, "Appels — "+c.Name, "campagnes"), C: c, Territory: s.epciName(c.EPCI),
		Open: !s.now().Before(c.Deadline), Rows: rows, Outcomes: callOutcomes}
	if r.URL.Query().Get("ok") == "appel" {
		v.Saved = "Appel enregistré."
		for _, row := range rows {
			if row.PlaceID == r.URL.Query().Get("lieu") {
				v.Saved = "Appel enregistré pour « " + row.PlaceName + " »."
			}
		}
	}
	s.render(w, r, http.StatusOK, "bo_calls", v)
}

// recordCall saves the outcome of a call. « Rien n'a changé » confirms the
// place and « n'existe plus » closes it, both in the same transaction and
// recorded in its history as said on the phone; « mis à jour » opens the
// editor, whose saves are then recorded as made by phone.
func (s *Server) recordCall(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	outcome, note := r.PostFormValue("resultat"), strings.TrimSpace(r.PostFormValue("note"))
	if _, known := callLabels[outcome]; !known || utf8.RuneCountInString(note) > maxCallNote {
		msg := "Choisissez le résultat de l'appel."
		if known {
			msg = "La note est trop longue (" + strconv.Itoa(maxCallNote) + " caractères au plus)."
		}
		s.render(w, r, http.StatusUnprocessableEntity, "error", errorView{s.bo(sess, "Appel non enregistré", "campagnes"), msg + " Revenez à la liste d'appels et recommencez."})
		return
	}
	p, err := s.st.GetPlace(r.Context(), r.PathValue("place"))
	if err == nil && !sess.User.CanSee(p.EPCI) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	wr := store.Write{Actor: place.Actor{Kind: place.ActorPhone, Name: sess.User.Email}}
	var next *place.Place
	switch outcome {
	case store.CallUnchanged:
		next, wr.Confirm, wr.Summary = p, true, "confirmation par téléphone"
	case store.CallGone:
		gone := *p
		gone.Status = place.StatusGone
		next, wr.Confirm, wr.Summary = &gone, true, "n'existe plus (appel téléphonique)"
	}
	err = s.st.RecordCall(r.Context(), c.ID, p.ID, outcome, note, next, wr)
	if errors.Is(err, store.ErrNotFound) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if outcome == store.CallUpdated {
		http.Redirect(w, r, "/gestion/lieux/"+p.ID+"?methode=telephone", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/gestion/campagnes/"+c.ID+"/appels?ok=appel&lieu="+p.ID+"#lieu-"+p.ID, http.StatusSeeOther)
}

// callsCSV exports the call list for a spreadsheet or another tool.
func (s *Server) callsCSV(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	rows, err := s.callRows(r, c)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+s.exportName(s.epciName(c.EPCI)+" appels", "csv")+`"`)
	w.Write([]byte("\ufeff")) // spreadsheets read UTF-8 with it
	cw := export.NewCSVWriter(w)
	cw.Write([]string{"Commune", "Lieu", "Téléphone public", "Contact (privé)", "Téléphone du contact (privé)", "Adresse écrite",
		"Envoyé le", "Relances envoyées", "Rebond", "Dernier appel", "Résultat de l'appel", "Note", "Fiche"})
	for _, row := range rows {
		bounce := ""
		if !row.BouncedAt.IsZero() {
			bounce = row.BounceReason
			if bounce == "" {
				bounce = "oui"
			}
		}
		cw.Write([]string{row.Commune, row.PlaceName, row.Telephone, row.ContactNom, row.ContactTelephone, row.Email,
			isoDate(row.SentAt), strconv.Itoa(row.Reminded.Count), bounce, isoDate(row.CalledAt), row.OutcomeLabel, row.CallNote,
			strings.TrimRight(s.cfg.BaseURL, "/") + "/gestion/lieux/" + row.PlaceID})
	}
	if err := cw.Flush(); err != nil {
		s.log.Error("calls csv", "campaign", c.ID, "err", err)
	}
}

// isoDate writes a moment as its day in Paris, "" for none.
func isoDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(place.Paris).Format(time.DateOnly)
}

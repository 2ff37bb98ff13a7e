package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"portrea/internal/campaign"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

var campaignOriginLabels = map[string]string{
	store.OriginCalendar: "calendrier",
	store.OriginReferent: "référent·e",
	store.OriginCommand:  "commande",
	store.OriginEvent:    "journée collaborative",
}

var campaignStatusLabels = map[string]string{
	store.CampaignSending: "en cours",
	store.CampaignPaused:  "en pause",
	store.CampaignDone:    "terminée",
}

var answerLabels = map[string]string{
	store.AnswerUnchanged: "rien n'a changé",
	store.AnswerUpdated:   "mis à jour",
	store.AnswerGone:      "n'existe plus",
	store.AnswerNoPublic:  "n'accueille plus de public",
}

// directChoices are the fields a campaign may let the actor change without
// review; every other change waits in « À traiter ».
var directChoices = []string{"horaires", "telephone", "courriels", "site_web", "prise_rdv", "presentation_resume"}

// Selections of a new campaign's places.
const (
	selectAll     = "toutes"
	selectStale   = "anciennes"
	selectCommune = "commune"
	selectService = "service"
)

// campaignForm is what a person types to start or edit a campaign.
type campaignForm struct {
	Selection, Commune, Service        string
	Subject, Body, Deadline, Reminders string
	SenderName, ReplyTo                string
	Direct                             []string
	TrackOpens                         bool
}

func readCampaignForm(r *http.Request) campaignForm {
	f := r.PostForm
	return campaignForm{Selection: f.Get("selection"), Commune: f.Get("commune"), Service: f.Get("service"),
		Subject: strings.TrimSpace(f.Get("objet")), Body: strings.ReplaceAll(f.Get("message"), "\r\n", "\n"),
		Deadline: strings.TrimSpace(f.Get("date_limite")), Reminders: strings.TrimSpace(f.Get("relances")),
		SenderName: strings.TrimSpace(f.Get("expediteur")), ReplyTo: strings.TrimSpace(f.Get("reponse_a")), Direct: f["directs"],
		TrackOpens: f.Get("suivi_ouverture") == "1"}
}

func formOf(c *store.Campaign) campaignForm {
	days := make([]string, len(c.Reminders))
	for i, d := range c.Reminders {
		days[i] = strconv.Itoa(d)
	}
	return campaignForm{Subject: c.Subject, Body: c.Body, Deadline: c.Deadline.Format(time.DateOnly), Reminders: strings.Join(days, ", "),
		SenderName: c.SenderName, ReplyTo: c.ReplyTo, Direct: c.DirectFields, TrackOpens: c.TrackOpens}
}

// apply checks the form and copies it to c; the error is French, for the
// person.
func (f campaignForm) apply(c *store.Campaign, now time.Time) error {
	if err := campaign.CheckTemplate(f.Subject, f.Body); err != nil {
		return frenchErrorf("Message refusé : %s.", err)
	}
	deadline, err := time.Parse(time.DateOnly, f.Deadline)
	if err != nil {
		return frenchError("Indiquez la date limite de réponse (jour, mois, année).")
	}
	today := place.Date(now)
	if !deadline.After(today) {
		return frenchError("La date limite doit être postérieure à aujourd'hui.")
	}
	span := int(deadline.Sub(today).Hours() / 24)
	reminders := []int{}
	for _, w := range strings.FieldsFunc(f.Reminders, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		d, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(w), "J+"))
		if err != nil || d < 1 {
			return frenchErrorf("Relances : « %s » n'est pas un nombre de jours après l'envoi (par exemple 7, 14).", w)
		}
		if d >= span {
			return frenchErrorf("Relances : une relance %d jours après l'envoi tomberait après la date limite (dans %d jours).", d, span)
		}
		if !slices.Contains(reminders, d) {
			reminders = append(reminders, d)
		}
	}
	slices.Sort(reminders)
	if f.ReplyTo != "" {
		if err := place.CheckEmail(f.ReplyTo); err != nil {
			return frenchErrorf("Adresse de réponse : %s.", err)
		}
	}
	var direct []string
	for _, d := range directChoices {
		if slices.Contains(f.Direct, d) {
			direct = append(direct, d)
		}
	}
	c.Subject, c.Body, c.Deadline, c.Reminders = f.Subject, f.Body, deadline, reminders
	c.SenderName, c.ReplyTo, c.DirectFields = f.SenderName, strings.ToLower(f.ReplyTo), direct
	c.TrackOpens = f.TrackOpens
	return nil
}

// frenchError is a sentence for the person who filled the form.
type frenchError string

func (e frenchError) Error() string { return string(e) }

func frenchErrorf(format string, args ...any) error { return frenchError(fmt.Sprintf(format, args...)) }

// campaignFields is what the form's partial needs.
type campaignFields struct {
	Form          campaignForm
	DirectChoices []checkItem
	MergeFields   []struct{ Field, Meaning string }
}

func newCampaignFields(f campaignForm) campaignFields {
	v := campaignFields{Form: f, MergeFields: campaign.Fields}
	for _, d := range directChoices {
		v.DirectChoices = append(v.DirectChoices, checkItem{d, place.FieldLabel(d), slices.Contains(f.Direct, d)})
	}
	return v
}

// campaignRow is a campaign in the list, with where it stands.
type campaignRow struct {
	*store.Campaign
	Territory, OriginLabel, StatusLabel string
	Sum                                 store.CampaignSummary
	AnsweredPercent                     int
}

func (s *Server) campaignRow(r *http.Request, c *store.Campaign) (campaignRow, error) {
	sum, err := s.st.SummarizeCampaign(r.Context(), c.ID)
	row := campaignRow{Campaign: c, Territory: s.epciName(c.EPCI), OriginLabel: campaignOriginLabels[c.Origin],
		StatusLabel: campaignStatusLabels[c.Status], Sum: sum}
	if sum.Recipients > 0 {
		row.AnsweredPercent = sum.Answered() * 100 / sum.Recipients
	}
	return row, err
}

type campaignsView struct {
	layoutView
	campaignFields
	Campaigns      []campaignRow
	Territories    []option
	EPCI, EPCIName string
	Communes       []option
	Services       []option
	Error          string
}

// campaignsPage lists the campaigns of the user's territories and offers
// to start one.
func (s *Server) campaignsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderCampaigns(w, r, sess, http.StatusOK, nil, "")
}

// renderCampaigns shows the list page; f is the form typed (nil: a blank
// one with the default template).
func (s *Server) renderCampaigns(w http.ResponseWriter, r *http.Request, sess *session, status int, f *campaignForm, errMsg string) {
	ch, err := s.territoryChoice(r, sess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	epci := ch.EPCI
	if !ch.Allowed {
		if errMsg == "" {
			errMsg = "Ce territoire ne vous est pas confié : choisissez l'un des vôtres."
			status = http.StatusForbidden
		}
		epci = ""
	}
	v := campaignsView{layoutView: s.bo(sess, "Campagnes de mise à jour", "campagnes"), EPCI: epci, EPCIName: s.epciName(epci), Error: errMsg,
		Territories: s.epciOptions(ch.Codes, epci)}
	cs, err := s.st.Campaigns(r.Context(), ch.Scope, 100)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range cs {
		row, err := s.campaignRow(r, c)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.Campaigns = append(v.Campaigns, row)
	}
	if f == nil {
		now := s.now()
		f = &campaignForm{Selection: selectAll, Subject: campaign.DefaultSubject, Body: campaign.DefaultBody,
			Deadline: place.Date(now.Add(campaign.DefaultDuration)).Format(time.DateOnly), Reminders: "7, 14", ReplyTo: sess.User.Email}
		if epci != "" {
			f.SenderName = "Inclusion numérique — " + v.EPCIName
		}
	}
	v.campaignFields = newCampaignFields(*f)
	if epci != "" {
		for _, c := range s.ref.CommunesOfEPCI(epci) {
			v.Communes = append(v.Communes, option{c.Code, c.Nom, c.Code == f.Commune})
		}
		for _, it := range place.Services.Items {
			v.Services = append(v.Services, option{it.Code, it.Label, it.Code == f.Service})
		}
	}
	s.render(w, r, status, "bo_campaigns", v)
}

// startCampaign creates a campaign from the form; its messages go out in
// the background.
func (s *Server) startCampaign(w http.ResponseWriter, r *http.Request, sess *session) {
	f := readCampaignForm(r)
	epci := r.PostFormValue("epci")
	if _, ok := s.ref.EPCI(epci); !ok || !sess.User.CanSee(epci) {
		s.renderCampaigns(w, r, sess, http.StatusForbidden, &f, "Ce territoire ne vous est pas confié : vous ne pouvez pas y lancer de campagne.")
		return
	}
	now := s.now()
	c := &store.Campaign{EPCI: epci, Origin: store.OriginReferent, CreatedBy: sess.User.Email}
	if err := f.apply(c, now); err != nil {
		s.renderCampaigns(w, r, sess, http.StatusUnprocessableEntity, &f, err.Error())
		return
	}
	var sel campaign.Selection
	switch f.Selection {
	case selectAll:
	case selectStale:
		sel.Stale = true
	case selectCommune:
		if !slices.ContainsFunc(s.ref.CommunesOfEPCI(epci), func(c territory.Commune) bool { return c.Code == f.Commune }) {
			s.renderCampaigns(w, r, sess, http.StatusUnprocessableEntity, &f, "Choisissez la commune des lieux à interroger.")
			return
		}
		sel.Commune = f.Commune
	case selectService:
		if place.Services.IndexOf(f.Service) < 0 {
			s.renderCampaigns(w, r, sess, http.StatusUnprocessableEntity, &f, "Choisissez le service des lieux à interroger.")
			return
		}
		sel.Service = f.Service
	default:
		s.renderCampaigns(w, r, sess, http.StatusUnprocessableEntity, &f, "Choisissez les lieux à interroger.")
		return
	}
	ps, err := s.st.TerritoryPlaces(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(campaign.Recipients(ps, sel, now)) == 0 {
		s.renderCampaigns(w, r, sess, http.StatusUnprocessableEntity, &f,
			"Aucun lieu actif de cette sélection n'a d'adresse électronique : aucune campagne n'a été créée. Élargissez la sélection, ou complétez les adresses des lieux.")
		return
	}
	n, err := campaign.Start(r.Context(), s.st, s.ref, c, sel, now)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "campagne lancée", c.ID, fmt.Sprintf("%s (%d lieux)", c.Name, n))
	http.Redirect(w, r, "/gestion/campagnes/"+c.ID+"?ok=lancee", http.StatusSeeOther)
}

// loadCampaign finds the campaign of the URL for a user in charge of its
// territory; any other answers 404, as if it did not exist.
func (s *Server) loadCampaign(w http.ResponseWriter, r *http.Request, sess *session) (*store.Campaign, bool) {
	c, err := s.st.GetCampaign(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || err == nil && !sess.User.CanSee(c.EPCI) {
		s.notFoundPage(w, r, sess)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return c, true
}

type recipientItem struct {
	store.RecipientRow
	AnswerLabel string
	Revoked     bool
}

type campaignView struct {
	layoutView
	campaignFields
	campaignRow
	InFlight  int // messages waiting or being sent
	Progress  int // invitations handled, in %
	SMTP      bool
	Rows      []recipientItem
	CallsOpen bool
	Saved     string
	Error     string
}

func (s *Server) campaignPage(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	s.renderCampaign(w, r, sess, http.StatusOK, c, nil, "")
}

var campaignSavedMessages = map[string]string{
	"lancee":   "Campagne lancée : les messages partent maintenant, au rythme permis par le serveur d'envoi.",
	"pause":    "Campagne mise en pause : plus aucun message ne part jusqu'à la reprise.",
	"envoi":    "Campagne reprise : les messages en attente repartent.",
	"terminee": "Campagne terminée : plus aucun message ne part. Les liens déjà envoyés restent valables jusqu'à leur expiration, sauf si vous les révoquez.",
	"modifiee": "Campagne modifiée : les prochains messages utiliseront ces réglages.",
	"revoque":  "Lien révoqué : il ne permet plus de modifier ce lieu.",
}

func (s *Server) renderCampaign(w http.ResponseWriter, r *http.Request, sess *session, status int, c *store.Campaign, f *campaignForm, errMsg string) {
	row, err := s.campaignRow(r, c)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if f == nil {
		ff := formOf(c)
		f = &ff
	}
	v := campaignView{layoutView: s.bo(sess, c.Name, "campagnes"), campaignFields: newCampaignFields(*f), campaignRow: row,
		SMTP: s.cfg.SMTPURL != "", CallsOpen: !s.now().Before(c.Deadline), Error: errMsg, Saved: campaignSavedMessages[r.URL.Query().Get("ok")]}
	v.InFlight = row.Sum.Waiting + row.Sum.MessagesInFlight
	if row.Sum.Recipients > 0 {
		v.Progress = (row.Sum.Sent + row.Sum.Failed + row.Sum.Skipped) * 100 / row.Sum.Recipients
	}
	rs, err := s.st.CampaignRecipients(r.Context(), c.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	revoked, err := s.st.RevokedPlaces(r.Context(), c.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, rr := range rs {
		v.Rows = append(v.Rows, recipientItem{RecipientRow: rr, AnswerLabel: answerLabels[rr.Answer], Revoked: revoked[rr.PlaceID]})
	}
	s.render(w, r, status, "bo_campaign", v)
}

// campaignProgress answers the polling of the campaign page while its
// messages go out.
func (s *Server) campaignProgress(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	sum, err := s.st.SummarizeCampaign(r.Context(), c.ID)
	if err != nil {
		s.log.Error("campaign progress", "campaign", c.ID, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	waiting := sum.Waiting + sum.MessagesInFlight
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(map[string]any{
		"statut": c.Status, "en_cours": c.Status == store.CampaignSending && waiting > 0,
		"destinataires": sum.Recipients, "traites": sum.Sent + sum.Failed + sum.Skipped, "envoyes": sum.Sent,
		"en_attente": waiting, "reponses": sum.Answered(),
	})
}

// setCampaignStatus pauses, resumes or closes a campaign.
func (s *Server) setCampaignStatus(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	next := r.PostFormValue("statut")
	allowed := map[string][]string{
		store.CampaignSending: {store.CampaignPaused, store.CampaignDone},
		store.CampaignPaused:  {store.CampaignSending, store.CampaignDone},
	}
	if !slices.Contains(allowed[c.Status], next) {
		s.renderCampaign(w, r, sess, http.StatusConflict, c, nil, "Cette campagne est "+campaignStatusLabels[c.Status]+" : ce changement n'est pas possible.")
		return
	}
	c.Status = next
	if err := s.st.UpdateCampaign(r.Context(), c); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "campagne "+campaignStatusLabels[next], c.ID, c.Name)
	http.Redirect(w, r, "/gestion/campagnes/"+c.ID+"?ok="+next, http.StatusSeeOther)
}

// editCampaign saves the texts, deadline and reminders of a campaign; the
// messages not sent yet use them.
func (s *Server) editCampaign(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	f := readCampaignForm(r)
	if c.Status == store.CampaignDone {
		s.renderCampaign(w, r, sess, http.StatusConflict, c, &f, "Cette campagne est terminée : elle ne peut plus être modifiée.")
		return
	}
	if err := f.apply(c, s.now()); err != nil {
		s.renderCampaign(w, r, sess, http.StatusUnprocessableEntity, c, &f, err.Error())
		return
	}
	if err := s.st.UpdateCampaign(r.Context(), c); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/campagnes/"+c.ID+"?ok=modifiee", http.StatusSeeOther)
}

// revokeLink ends the personal links of one place of a campaign (a message
// forwarded to the wrong person, a structure that changed hands…).
func (s *Server) revokeLink(w http.ResponseWriter, r *http.Request, sess *session) {
	c, ok := s.loadCampaign(w, r, sess)
	if !ok {
		return
	}
	placeID := r.PathValue("place")
	if err := s.st.RevokeLinks(r.Context(), c.ID, placeID); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "lien de campagne révoqué", c.ID, placeID)
	http.Redirect(w, r, "/gestion/campagnes/"+c.ID+"?ok=revoque#lieu-"+placeID, http.StatusSeeOther)
}

// territoryChoice is the territory a back-office list page works on:
// ?epci=, or the user's only territory.
type territoryChoice struct {
	Codes   []string // the user's territories
	Scope   []string // what the user may list (nil: everything, for the hub)
	EPCI    string
	Allowed bool // EPCI is empty, or a territory the user is in charge of
}

func (s *Server) territoryChoice(r *http.Request, sess *session) (territoryChoice, error) {
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		return territoryChoice{}, err
	}
	ch := territoryChoice{Codes: codes, EPCI: r.FormValue("epci")}
	if ch.EPCI == "" && len(codes) == 1 {
		ch.EPCI = codes[0]
	}
	_, known := s.ref.EPCI(ch.EPCI)
	ch.Allowed = ch.EPCI == "" || known && sess.User.CanSee(ch.EPCI)
	if !isHubUser(sess) {
		ch.Scope = codes
	}
	return ch, nil
}

// epciOptions lists territories for a select, one chosen.
func (s *Server) epciOptions(codes []string, chosen string) []option {
	out := make([]option, 0, len(codes))
	for _, c := range codes {
		out = append(out, option{c, s.epciName(c), c == chosen})
	}
	return out
}

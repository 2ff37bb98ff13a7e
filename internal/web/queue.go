package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/campaign"
	"portrea/internal/place"
	"portrea/internal/report"
	"portrea/internal/store"
)

type queueItem struct {
	report.Report
	PlaceName  string
	Categories []string
	Status     string
}

type queueView struct {
	layoutView
	EPCI, EPCIName string
	Pending, Done  []queueItem
	Proposals      []proposalItem
	Saved, Error   string
	Conflicts      []string // fields an accepted proposal left as they were
}

// proposalItem is a change an actor proposed through a campaign's link.
type proposalItem struct {
	*store.Proposal
	PlaceName, CampaignName string
	Rows                    []proposalChange
}

type proposalChange struct{ Label, Old, New string }

// queuePage lists the contributions waiting for the referent: the public's
// error reports and the changes actors proposed through a campaign.
func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryParam(r, sess)
	if !ok {
		s.chooseTerritory(w, r, sess, epci)
		return
	}
	s.renderQueue(w, r, sess, http.StatusOK, epci, "")
}

var proposalMessages = map[string]string{
	"acceptee": "Proposition acceptée : la fiche est mise à jour et confirmée aujourd'hui ; l'historique garde le détail.",
	"rejetee":  "Proposition rejetée : la fiche n'a pas changé.",
	"deja":     "Cette proposition avait déjà été traitée : rien n'a changé.",
}

func (s *Server) renderQueue(w http.ResponseWriter, r *http.Request, sess *session, status int, epci, errMsg string) {
	reps, err := s.st.Reports(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	q := r.URL.Query()
	v := queueView{layoutView: s.bo(sess, "À traiter — "+s.epciName(epci), "a-traiter"), EPCI: epci, EPCIName: s.epciName(epci),
		Saved: proposalMessages[q.Get("ok")], Error: errMsg}
	if q.Get("ok") == "acceptee" && q.Get("conflits") != "" {
		for _, f := range strings.Split(q.Get("conflits"), ",") {
			v.Conflicts = append(v.Conflicts, proposalFieldLabel(f))
		}
	}
	props, err := s.st.Proposals(r.Context(), epci, store.ProposalWaiting)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	campaigns := map[string]string{}
	for _, p := range props {
		it := proposalItem{Proposal: p}
		if pl, err := s.st.GetPlace(r.Context(), p.PlaceID); err == nil {
			it.PlaceName = pl.Nom
		}
		if name, ok := campaigns[p.CampaignID]; ok {
			it.CampaignName = name
		} else if c, err := s.st.GetCampaign(r.Context(), p.CampaignID); err == nil {
			it.CampaignName, campaigns[p.CampaignID] = c.Name, c.Name
		}
		for _, ch := range p.Changes {
			it.Rows = append(it.Rows, proposalChange{proposalFieldLabel(ch.Field), ch.Old, ch.New})
		}
		v.Proposals = append(v.Proposals, it)
	}
	for _, rp := range reps {
		it := queueItem{Report: rp, Status: report.StatusLabels[rp.Status]}
		if p, err := s.st.GetPlace(r.Context(), rp.PlaceID); err == nil {
			it.PlaceName = p.Nom
		}
		for _, c := range rp.Categories {
			it.Categories = append(it.Categories, report.Label(c))
		}
		if rp.Status == report.StatusNew {
			v.Pending = append(v.Pending, it)
		} else if len(v.Done) < 50 {
			v.Done = append(v.Done, it)
		}
	}
	s.render(w, r, status, "bo_queue", v)
}

func proposalFieldLabel(field string) string {
	return place.FieldLabel(strings.TrimPrefix(field, "extra."))
}

// decideProposal accepts or rejects a proposal. Accepting applies its
// changes to the current version of the place and confirms it; a field
// changed since the proposal was made keeps its current value, and the
// referent is told which.
func (s *Server) decideProposal(w http.ResponseWriter, r *http.Request, sess *session) {
	p, err := s.st.GetProposal(r.Context(), r.PathValue("id"))
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
	back := "/gestion/a-traiter?epci=" + p.EPCI
	accept := r.PostFormValue("decision") == "accepter"
	wr := store.Write{Actor: place.Actor{Kind: place.ActorPerson, Name: sess.User.Email}}
	var next *place.Place
	var conflicts []string
	if accept {
		cur, err := s.st.GetPlace(r.Context(), p.PlaceID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		// Revert undoes a change: swapped, it applies one, with the same
		// care for fields changed since.
		swapped := make([]place.Change, len(p.Changes))
		for i, ch := range p.Changes {
			swapped[i] = place.Change{Field: ch.Field, Old: ch.New, New: ch.Old}
		}
		var errs place.Errors
		next, conflicts, errs = place.Revert(cur, swapped)
		if len(errs) > 0 {
			s.renderQueue(w, r, sess, http.StatusUnprocessableEntity, p.EPCI, "Proposition non appliquée : "+errs.Error()+". Corrigez la fiche à la main, puis rejetez la proposition.")
			return
		}
		if next.CodeInsee != cur.CodeInsee {
			next.Derive(s.ref)
		}
		wr.Confirm, wr.Summary = true, "proposition de la structure acceptée"
	}
	err = s.st.DecideProposal(r.Context(), p.ID, accept, next, wr)
	var errs place.Errors
	switch {
	case errors.Is(err, store.ErrConflict):
		http.Redirect(w, r, back+"&ok=deja#propositions", http.StatusSeeOther)
		return
	case errors.As(err, &errs):
		s.renderQueue(w, r, sess, http.StatusUnprocessableEntity, p.EPCI, "Proposition non appliquée : "+errs.Error()+". Corrigez la fiche à la main, puis rejetez la proposition.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	if !accept {
		http.Redirect(w, r, back+"&ok=rejetee#propositions", http.StatusSeeOther)
		return
	}
	q := url.Values{"ok": {"acceptee"}}
	if len(conflicts) > 0 {
		q.Set("conflits", strings.Join(conflicts, ","))
	}
	http.Redirect(w, r, back+"&"+q.Encode()+"#propositions", http.StatusSeeOther)
}

// closeReport marks a report handled or rejected.
func (s *Server) closeReport(w http.ResponseWriter, r *http.Request, sess *session) {
	rp, err := s.st.Report(r.Context(), r.PathValue("id"))
	if err == nil && !sess.User.CanSee(rp.EPCI) {
		err = store.ErrNotFound
	}
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	status := report.StatusHandled
	if r.PostFormValue("decision") == "rejeter" {
		status = report.StatusRejected
	}
	if err := s.st.SetReportStatus(r.Context(), rp.ID, status); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/a-traiter?epci="+rp.EPCI, http.StatusSeeOther)
}

type userRow struct {
	*account.User
	RoleLabel   string
	Territories []string
}

type usersView struct {
	layoutView
	Users   []userRow
	EPCIs   []option
	Form    userForm
	Created string // one-time link shown once after creating an account
	Error   string
}

type userForm struct {
	Email, Name, Role, EPCI, Kind string
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderUsers(w, r, sess, http.StatusOK, usersView{})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, sess *session, status int, v usersView) {
	v.layoutView = s.bo(sess, "Comptes", "utilisateurs")
	us, err := s.st.Users(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, u := range us {
		row := userRow{User: u, RoleLabel: account.RoleLabels[u.Role]}
		for _, t := range u.Territories {
			row.Territories = append(row.Territories, s.epciName(t.EPCI)+" ("+account.KindLabels[t.Kind]+")")
		}
		v.Users = append(v.Users, row)
	}
	codes, err := s.territoriesOf(r, sess.User)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range codes {
		v.EPCIs = append(v.EPCIs, option{c, s.epciName(c), c == v.Form.EPCI})
	}
	s.render(w, r, status, "bo_users", v)
}

// createUser opens an account and sends its activation link; the link is
// also shown once, for when e-mail is not configured yet.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request, sess *session) {
	f := userForm{Email: account.NormalizeEmail(r.PostFormValue("email")), Name: r.PostFormValue("nom"),
		Role: r.PostFormValue("role"), EPCI: r.PostFormValue("epci"), Kind: r.PostFormValue("type")}
	u := &account.User{Email: f.Email, Name: f.Name, Role: account.Role(f.Role)}
	if u.Role == account.RoleReferent {
		u.Territories = []account.Territory{{EPCI: f.EPCI, Kind: f.Kind}}
	}
	link, err := s.openAccount(r, sess, u)
	var refused accountRefused
	if errors.As(err, &refused) {
		s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, usersView{Form: f, Error: string(refused)})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.renderUsers(w, r, sess, http.StatusOK, usersView{Created: link})
}

// accountRefused is the French reason an account was not opened.
type accountRefused string

func (e accountRefused) Error() string { return string(e) }

// openAccount checks and creates an account, queues its activation link
// and returns the link. It is shared by the accounts page and the
// deployment pipeline, which names a territory's referents.
func (s *Server) openAccount(r *http.Request, sess *session, u *account.User) (string, error) {
	if err := account.CheckNewUser(u, func(epci string) bool { _, ok := s.ref.EPCI(epci); return ok }); err != nil {
		return "", accountRefused(err.Error())
	}
	err := s.st.CreateUser(r.Context(), u)
	if errors.Is(err, store.ErrEmailTaken) {
		return "", accountRefused("Un compte existe déjà pour cette adresse.")
	}
	if err != nil {
		return "", err
	}
	secret, err := s.st.CreateLink(r.Context(), u.ID, account.PurposeActivation, account.ActivationTTL)
	if err != nil {
		return "", err
	}
	link := account.LinkURL(s.cfg.BaseURL, account.PurposeActivation, secret)
	subject, body := account.LinkMail(u, account.PurposeActivation, link)
	if err := s.st.QueueMail(r.Context(), u.Email, subject, body); err != nil {
		return "", err
	}
	s.audit(r, sess.User.Email, "compte créé", u.Email, describeRights(u))
	return link, nil
}

func describeRights(u *account.User) string {
	d := account.RoleLabels[u.Role]
	for _, t := range u.Territories {
		d += ", " + t.EPCI
		if t.Kind != "" {
			d += " (" + t.Kind + ")"
		}
	}
	return d
}

// toggleUser disables or re-enables an account; disabling ends its sessions.
func (s *Server) toggleUser(w http.ResponseWriter, r *http.Request, sess *session) {
	u, err := s.st.User(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if u.ID == sess.User.ID {
		s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, usersView{Error: "Vous ne pouvez pas désactiver votre propre compte."})
		return
	}
	u.Disabled = !u.Disabled
	if err := s.st.UpdateUser(r.Context(), u); err != nil {
		s.serverError(w, r, err)
		return
	}
	action := "compte réactivé"
	if u.Disabled {
		action = "compte désactivé"
	}
	s.audit(r, sess.User.Email, action, u.Email, describeRights(u))
	http.Redirect(w, r, "/gestion/utilisateurs", http.StatusSeeOther)
}

type auditView struct {
	layoutView
	Entries []store.AuditEntry
}

func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, sess *session) {
	es, err := s.st.AuditLog(r.Context(), 500)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bo_audit", auditView{layoutView: s.bo(sess, "Journal de sécurité", "journal"), Entries: es})
}

type outboxView struct {
	layoutView
	Mails []store.Mail
	SMTP  bool
	Now   time.Time
	// Campaign messages waiting for an SMTP server, and how many in all.
	CampaignMessages []waitingMessage
	CampaignWaiting  int
}

type waitingMessage struct {
	store.WaitingMessage
	KindLabel string
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, sess *session) {
	ms, err := s.st.Outbox(r.Context(), false, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := outboxView{layoutView: s.bo(sess, "Courriels", "courriels"), Mails: ms, SMTP: s.cfg.SMTPURL != ""}
	if !v.SMTP {
		ms, total, err := s.st.WaitingMessages(r.Context(), 200)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		v.CampaignWaiting = total
		for _, m := range ms {
			v.CampaignMessages = append(v.CampaignMessages, waitingMessage{m, messageKind(m.Kind)})
		}
	}
	s.render(w, r, http.StatusOK, "bo_outbox", v)
}

// messageKind names a campaign message: the invitation or its reminders.
func messageKind(kind string) string {
	if n, ok := strings.CutPrefix(kind, store.MessageReminder); ok {
		return "relance " + n
	}
	return "invitation"
}

type settingsView struct {
	layoutView
	Tiles, Attribution string
	Calendar           string // campaign dates, MM-JJ, comma-separated
	Saved              bool
	Error              string
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	m, err := s.tileConfig(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	cal, err := s.st.Setting(r.Context(), campaign.CalendarSetting, campaign.DefaultCalendar)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bo_settings", settingsView{layoutView: s.bo(sess, "Paramètres", "parametres"),
		Tiles: m.Tiles, Attribution: m.Attribution, Calendar: strings.ReplaceAll(cal, ",", ", "), Saved: r.URL.Query().Get("ok") == "1"})
}

// saveSettings stores the map tile server: an https URL template with
// {z}, {x} and {y}, so that the map's CSP can allow exactly its host.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request, sess *session) {
	v := settingsView{layoutView: s.bo(sess, "Paramètres", "parametres"),
		Tiles: strings.TrimSpace(r.PostFormValue("tuiles")), Attribution: strings.TrimSpace(r.PostFormValue("attribution"))}
	u, err := url.Parse(strings.ReplaceAll(v.Tiles, "{s}", "a"))
	if err != nil || u.Scheme != "https" || u.Host == "" || !strings.Contains(v.Tiles, "{z}") || !strings.Contains(v.Tiles, "{x}") || !strings.Contains(v.Tiles, "{y}") {
		v.Error = "Adresse des tuiles invalide : une adresse https contenant {z}, {x} et {y}, par exemple https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	} else if v.Attribution == "" {
		v.Error = "Indiquez l'attribution exigée par le fournisseur des tuiles."
	}
	settings := map[string]string{settingTiles: v.Tiles, settingAttribution: v.Attribution}
	// The campaign calendar: a form without the field leaves it as it is.
	if _, sent := r.PostForm["calendrier"]; sent {
		v.Calendar = strings.TrimSpace(r.PostFormValue("calendrier"))
		if cal, err := campaign.ParseCalendar(v.Calendar); err != nil {
			if v.Error == "" {
				v.Error = "Calendrier des campagnes : " + err.Error() + "."
			}
		} else {
			days := make([]string, len(cal))
			for i, md := range cal {
				days[i] = fmt.Sprintf("%02d-%02d", md[0], md[1])
			}
			settings[campaign.CalendarSetting] = strings.Join(days, ",")
		}
	} else if cal, err := s.st.Setting(r.Context(), campaign.CalendarSetting, campaign.DefaultCalendar); err == nil {
		v.Calendar = strings.ReplaceAll(cal, ",", ", ")
	}
	if v.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "bo_settings", v)
		return
	}
	for k, val := range settings {
		if err := s.st.SetSetting(r.Context(), k, val); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.audit(r, sess.User.Email, "paramètres modifiés", "carte et calendrier", v.Tiles+" ; "+settings[campaign.CalendarSetting])
	http.Redirect(w, r, "/gestion/parametres?ok=1", http.StatusSeeOther)
}

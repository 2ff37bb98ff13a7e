package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"portrea/internal/account"
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
}

// queuePage lists the contributions waiting for the referent: the public's
// error reports (self-updates join them with the campaigns).
func (s *Server) queuePage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.territoryParam(r, sess)
	if !ok {
		s.chooseTerritory(w, r, sess, epci)
		return
	}
	reps, err := s.st.Reports(r.Context(), epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := queueView{layoutView: s.bo(sess, "À traiter — "+s.epciName(epci), "a-traiter"), EPCI: epci, EPCIName: s.epciName(epci)}
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
	s.render(w, r, http.StatusOK, "bo_queue", v)
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
	if err := account.CheckNewUser(u, func(epci string) bool { _, ok := s.ref.EPCI(epci); return ok }); err != nil {
		s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, usersView{Form: f, Error: err.Error()})
		return
	}
	err := s.st.CreateUser(r.Context(), u)
	if errors.Is(err, store.ErrEmailTaken) {
		s.renderUsers(w, r, sess, http.StatusUnprocessableEntity, usersView{Form: f, Error: "Un compte existe déjà pour cette adresse."})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	secret, err := s.st.CreateLink(r.Context(), u.ID, account.PurposeActivation, account.ActivationTTL)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	link := account.LinkURL(s.cfg.BaseURL, account.PurposeActivation, secret)
	subject, body := account.LinkMail(u, account.PurposeActivation, link)
	if err := s.st.QueueMail(r.Context(), u.Email, subject, body); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "compte créé", u.Email, describeRights(u))
	s.renderUsers(w, r, sess, http.StatusOK, usersView{Created: link})
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
}

func (s *Server) outboxPage(w http.ResponseWriter, r *http.Request, sess *session) {
	ms, err := s.st.Outbox(r.Context(), false, 200)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bo_outbox", outboxView{layoutView: s.bo(sess, "Courriels", "courriels"), Mails: ms, SMTP: s.cfg.SMTPURL != ""})
}

type settingsView struct {
	layoutView
	Tiles, Attribution string
	Saved              bool
	Error              string
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	m, err := s.tileConfig(r.Context())
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "bo_settings", settingsView{layoutView: s.bo(sess, "Paramètres", "parametres"),
		Tiles: m.Tiles, Attribution: m.Attribution, Saved: r.URL.Query().Get("ok") == "1"})
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
	if v.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "bo_settings", v)
		return
	}
	for k, val := range map[string]string{settingTiles: v.Tiles, settingAttribution: v.Attribution} {
		if err := s.st.SetSetting(r.Context(), k, val); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.audit(r, sess.User.Email, "paramètres modifiés", "carte", v.Tiles)
	http.Redirect(w, r, "/gestion/parametres?ok=1", http.StatusSeeOther)
}

package web

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"strings"
	"time"

	qr "github.com/piglig/go-qr"

	"portrea/internal/campaign"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// The collaborative day (phase 3 of a territory's journey): the referent
// plans it, invites the census's places and other contacts by e-mail, each
// with a personal RSVP link; on the day, checks people in and hands every
// attending actor a QR code of its place's update link, so that its record
// is completed on site; afterwards, lists the invited places still
// incomplete for the consolidation phase.

// eventForm is the day's form as typed.
type eventForm struct {
	Title, Date, Start, End string
	Place, Room, Programme  string
	Meal                    bool
	// New is true on the page that plans a day, whose programme was
	// proposed from the territory's strategy.
	New bool
}

func readEventForm(r *http.Request) eventForm {
	f := r.PostForm
	return eventForm{Title: strings.TrimSpace(f.Get("titre")), Date: strings.TrimSpace(f.Get("date")),
		Start: strings.TrimSpace(f.Get("debut")), End: strings.TrimSpace(f.Get("fin")),
		Place: strings.TrimSpace(f.Get("lieu")), Room: strings.TrimSpace(f.Get("salle")),
		Programme: strings.TrimSpace(strings.ReplaceAll(f.Get("programme"), "\r\n", "\n")), Meal: f.Get("repas") == "oui"}
}

func eventFormOf(e *store.Event) eventForm {
	start, end := e.StartsAt.In(place.Paris), e.EndsAt.In(place.Paris)
	return eventForm{Title: e.Title, Date: start.Format(time.DateOnly), Start: start.Format("15:04"), End: end.Format("15:04"),
		Place: e.Place, Room: e.Room, Programme: e.Programme, Meal: e.Meal}
}

// apply checks the form and copies it into e, or says in French what is wrong.
func (f eventForm) apply(e *store.Event) error {
	if f.Title == "" || len(f.Title) > 200 {
		return frenchError("Donnez un titre à la journée (200 caractères au plus).")
	}
	start, err1 := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.Start, place.Paris)
	end, err2 := time.ParseInLocation("2006-01-02 15:04", f.Date+" "+f.End, place.Paris)
	if err1 != nil || err2 != nil {
		return frenchError("Indiquez la date (jj/mm/aaaa) et les heures de début et de fin (hh:mm).")
	}
	if !end.After(start) {
		return frenchError("L'heure de fin doit suivre l'heure de début.")
	}
	if f.Place == "" || len(f.Place) > 300 || len(f.Room) > 200 {
		return frenchError("Indiquez le lieu de la journée (adresse, 300 caractères au plus).")
	}
	if len(f.Programme) > 5000 {
		return frenchError("Le programme est trop long (5 000 caractères au plus).")
	}
	e.Title, e.StartsAt, e.EndsAt, e.Place, e.Room, e.Meal, e.Programme = f.Title, start, end, f.Place, f.Room, f.Meal, f.Programme
	return nil
}

type eventsView struct {
	layoutView
	Events      []eventRow
	Territories []option
	EPCI        string
	EPCIName    string
	Strategy    string
	Form        eventForm
	Error       string
}

type eventRow struct {
	*store.Event
	Territory string
}

// eventsPage lists the days of the user's territories and the form to plan one.
func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	s.renderEvents(w, r, sess, http.StatusOK, nil, "")
}

func (s *Server) renderEvents(w http.ResponseWriter, r *http.Request, sess *session, status int, f *eventForm, errMsg string) {
	ch, err := s.territoryChoice(r, sess)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	epci := ch.EPCI
	if !ch.Allowed {
		epci = ""
	}
	v := eventsView{layoutView: s.bo(sess, "Journées collaboratives", "journees"), EPCI: epci, EPCIName: s.epciName(epci), Error: errMsg,
		Territories: s.epciOptions(ch.Codes, epci)}
	es, err := s.st.Events(r.Context(), ch.Scope)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, e := range es {
		v.Events = append(v.Events, eventRow{e, s.epciName(e.EPCI)})
	}
	if epci != "" {
		strategy := territory.StrategyNone
		if d, err := s.st.Deployment(r.Context(), epci); err == nil {
			strategy = d.Strategy
		} else if !errors.Is(err, store.ErrNotFound) {
			s.serverError(w, r, err)
			return
		}
		v.Strategy = strategy.Label()
		if f == nil {
			day := place.Date(s.now().AddDate(0, 0, 35)).In(place.Paris)
			f = &eventForm{Title: "Journée collaborative de l'inclusion numérique — " + v.EPCIName, Date: day.Format(time.DateOnly),
				Start: "09:30", End: "12:30", Programme: campaign.Programme(strategy)}
		}
	}
	if f != nil {
		v.Form = *f
		v.Form.New = true
	}
	s.render(w, r, status, "bo_journees", v)
}

// createEvent plans a day, with the census's places as invitees and the
// campaign whose links collect data on the day.
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request, sess *session) {
	f := readEventForm(r)
	epci := r.PostFormValue("epci")
	if _, ok := s.ref.EPCI(epci); !ok || !sess.User.CanSee(epci) {
		s.notFoundPage(w, r, sess)
		return
	}
	e := &store.Event{EPCI: epci}
	if err := f.apply(e); err != nil {
		s.renderEvents(w, r, sess, http.StatusUnprocessableEntity, &f, err.Error())
		return
	}
	c := &store.Campaign{EPCI: epci, Origin: store.OriginEvent, Name: e.Title + " — " + campaign.FrenchDate(e.StartsAt.In(place.Paris)),
		Subject: e.Title, SenderName: "Inclusion numérique — " + s.epciName(epci), ReplyTo: sess.User.Email,
		Deadline: e.EndsAt.Add(campaign.EventLinkValidity), Reminders: []int{}, CreatedBy: sess.User.Email}
	if _, err := s.st.CreateCampaign(r.Context(), c, nil); err != nil {
		s.serverError(w, r, err)
		return
	}
	e.CampaignID = c.ID
	if err := s.st.CreateEvent(r.Context(), e); err != nil {
		s.serverError(w, r, err)
		return
	}
	n, err := s.addCensusInvitees(r, e)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "journée collaborative créée", e.ID, fmt.Sprintf("%s (%d invités du recensement)", e.Title, n))
	http.Redirect(w, r, "/gestion/journees/"+e.ID+"?ok=creee", http.StatusSeeOther)
}

// addCensusInvitees invites every active place of the territory that has
// an e-mail address (its private contact's, else its public one).
func (s *Server) addCensusInvitees(r *http.Request, e *store.Event) (int, error) {
	ps, err := s.st.TerritoryPlaces(r.Context(), e.EPCI)
	if err != nil {
		return 0, err
	}
	var is []store.Invitee
	for _, p := range ps {
		if email := campaign.RecipientEmail(p); p.Status == place.StatusActive && email != "" {
			is = append(is, store.Invitee{PlaceID: p.ID, Name: p.Nom, Email: email, Kind: store.InviteeActor})
		}
	}
	return s.st.AddInvitees(r.Context(), e.ID, is)
}

// loadEvent finds the day of the URL, if it is of the user's territories;
// otherwise it answers 404, as for a day that does not exist.
func (s *Server) loadEvent(w http.ResponseWriter, r *http.Request, sess *session) (*store.Event, bool) {
	e, err := s.st.GetEvent(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && !sess.User.CanSee(e.EPCI)) {
		s.notFoundPage(w, r, sess)
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return e, true
}

var inviteeKindLabels = map[string]string{
	store.InviteeActor: "Lieu du recensement", store.InviteeElected: "Élu·e",
	store.InviteePartner: "Partenaire", store.InviteeOther: "Autre",
}

var rsvpLabels = map[string]string{"": "Pas de réponse", store.RSVPYes: "Vient", store.RSVPNo: "Ne vient pas"}

type inviteeRow struct {
	*store.Invitee
	KindLabel, RSVPLabel string
	Attending            bool // has said yes or came
}

func newInviteeRow(i *store.Invitee) inviteeRow {
	return inviteeRow{i, inviteeKindLabels[i.Kind], rsvpLabels[i.RSVP], i.RSVP == store.RSVPYes || !i.CheckedInAt.IsZero()}
}

type incompleteRow struct {
	ID, Name     string
	Completeness int
	Missing      string
}

type eventView struct {
	layoutView
	E                         *store.Event
	Territory, Day, Hours     string
	Form                      eventForm
	Invitees                  []inviteeRow
	ToInvite, Yes, No, People int
	Incomplete                []incompleteRow
	Past                      bool
	Error, Saved              string
	Contact                   contactForm
	ContactError              string
}

type contactForm struct{ Name, Email, Kind string }

var eventSavedMessages = map[string]string{
	"creee":       "La journée est créée, avec les lieux du recensement qui ont une adresse électronique comme invités.",
	"modifiee":    "La journée est modifiée.",
	"contact":     "Le contact est ajouté aux invités.",
	"invitations": "Les invitations sont parties dans la file d'envoi des courriels.",
	"aucune":      "Tous les invités ont déjà reçu leur invitation.",
}

// eventPage shows a day: its details, invitees and answers, and afterwards
// the invited places still incomplete.
func (s *Server) eventPage(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	s.renderEvent(w, r, sess, http.StatusOK, e, nil, "", nil, "")
}

func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, sess *session, status int, e *store.Event, f *eventForm, errMsg string, cf *contactForm, contactErr string) {
	v := eventView{layoutView: s.bo(sess, e.Title, "journees"), E: e, Territory: s.epciName(e.EPCI),
		Day: dateFR(e.StartsAt.In(place.Paris)), Hours: campaign.Hour(e.StartsAt) + " à " + campaign.Hour(e.EndsAt),
		Past: !s.now().Before(e.StartsAt), Error: errMsg, ContactError: contactErr, Saved: eventSavedMessages[r.URL.Query().Get("ok")]}
	if f != nil {
		v.Form = *f
	} else {
		v.Form = eventFormOf(e)
	}
	if cf != nil {
		v.Contact = *cf
	} else {
		v.Contact.Kind = store.InviteePartner
	}
	is, err := s.st.Invitees(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ps, err := s.st.TerritoryPlaces(r.Context(), e.EPCI)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	byID := make(map[string]*place.Place, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	for _, i := range is {
		row := newInviteeRow(i)
		v.Invitees = append(v.Invitees, row)
		if i.InvitedAt.IsZero() {
			v.ToInvite++
		}
		switch i.RSVP {
		case store.RSVPYes:
			v.Yes++
			v.People += i.PartySize
		case store.RSVPNo:
			v.No++
		}
		if p := byID[i.PlaceID]; p != nil && p.Status == place.StatusActive {
			if c := place.Completeness(p); c < 100 {
				v.Incomplete = append(v.Incomplete, incompleteRow{p.ID, p.Nom, c, strings.Join(place.MissingFields(p), ", ")})
			}
		}
	}
	s.render(w, r, status, "bo_journee", v)
}

// saveEvent changes the day's details (and its links' deadline).
func (s *Server) saveEvent(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	f := readEventForm(r)
	if err := f.apply(e); err != nil {
		s.renderEvent(w, r, sess, http.StatusUnprocessableEntity, e, &f, err.Error(), nil, "")
		return
	}
	if err := s.st.UpdateEvent(r.Context(), e); err != nil {
		s.serverError(w, r, err)
		return
	}
	if c, err := s.st.GetCampaign(r.Context(), e.CampaignID); err == nil {
		c.Deadline = e.EndsAt.Add(campaign.EventLinkValidity)
		if err := s.st.UpdateCampaign(r.Context(), c); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.audit(r, sess.User.Email, "journée collaborative modifiée", e.ID, e.Title)
	http.Redirect(w, r, "/gestion/journees/"+e.ID+"?ok=modifiee", http.StatusSeeOther)
}

// addContact invites someone outside the census: an elected official, a
// partner.
func (s *Server) addContact(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	cf := contactForm{Name: strings.TrimSpace(r.PostFormValue("nom")), Email: strings.TrimSpace(r.PostFormValue("courriel")), Kind: r.PostFormValue("type")}
	if _, known := inviteeKindLabels[cf.Kind]; !known || cf.Kind == store.InviteeActor {
		cf.Kind = store.InviteeOther
	}
	if a, err := mail.ParseAddress(cf.Email); cf.Name == "" || len(cf.Name) > 200 || err != nil || a.Address != cf.Email {
		s.renderEvent(w, r, sess, http.StatusUnprocessableEntity, e, nil, "", &cf, "Indiquez le nom et une adresse électronique valide (nom@exemple.fr).")
		return
	}
	n, err := s.st.AddInvitees(r.Context(), e.ID, []store.Invitee{{Name: cf.Name, Email: cf.Email, Kind: cf.Kind}})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if n == 0 {
		s.renderEvent(w, r, sess, http.StatusUnprocessableEntity, e, nil, "", &cf, "Cette adresse est déjà parmi les invités.")
		return
	}
	http.Redirect(w, r, "/gestion/journees/"+e.ID+"?ok=contact#invites", http.StatusSeeOther)
}

// sendInvitations queues the invitation of every invitee not yet invited
// (the places added to the census since are invited too) in the day's
// campaign: the campaign sender delivers them, each with a new personal
// RSVP link; an invitee is never invited twice.
func (s *Server) sendInvitations(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	if _, err := s.addCensusInvitees(r, e); err != nil {
		s.serverError(w, r, err)
		return
	}
	is, err := s.st.Invitees(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	n := 0
	for _, i := range is {
		if !i.InvitedAt.IsZero() {
			continue
		}
		sent, err := s.st.Invite(r.Context(), e, i.ID)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if sent {
			n++
		}
	}
	ok2 := "invitations"
	if n == 0 {
		ok2 = "aucune"
	}
	s.audit(r, sess.User.Email, "invitations à la journée collaborative", e.ID, fmt.Sprintf("%d invitations", n))
	http.Redirect(w, r, "/gestion/journees/"+e.ID+"?ok="+ok2, http.StatusSeeOther)
}

type checkInView struct {
	layoutView
	E                                  *store.Event
	Day                                string
	Invitees                           []inviteeRow
	Invited, Yes, People, Present, Now int
}

// checkInPage is the list at the door, on the day.
func (s *Server) checkInPage(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	is, err := s.st.Invitees(r.Context(), e.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := checkInView{layoutView: s.bo(sess, "Accueil — "+e.Title, "journees"), E: e, Day: dateFR(e.StartsAt.In(place.Paris))}
	for _, i := range is {
		if i.InvitedAt.IsZero() && i.CheckedInAt.IsZero() {
			continue
		}
		v.Invited++
		if i.RSVP == store.RSVPYes {
			v.Yes++
			v.People += i.PartySize
		}
		if !i.CheckedInAt.IsZero() {
			v.Present++
		}
		v.Invitees = append(v.Invitees, newInviteeRow(i))
	}
	s.render(w, r, http.StatusOK, "bo_journee_accueil", v)
}

// checkIn marks an invitee present.
func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	id := r.PathValue("invitee")
	if err := s.st.CheckIn(r.Context(), e.ID, id); errors.Is(err, store.ErrNotFound) {
		s.notFoundPage(w, r, sess)
		return
	} else if err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/gestion/journees/"+e.ID+"/accueil#invite-"+id, http.StatusSeeOther)
}

// eventLinkSecret is the secret of a place's update link for a day's
// campaign. It is derived from the server's key rather than drawn at
// random, so that the printable QR page can be shown again without
// keeping the secret: only its hash is stored, as for every link.
func (s *Server) eventLinkSecret(campaignID, placeID string) string {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("journee-maj:" + campaignID + ":" + placeID))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

type qrView struct {
	layoutView
	E         *store.Event
	PlaceName string
	Link      string
	SVG       template.HTML
	Expires   time.Time
}

// qrPage is the printable QR code of an attending place's update link,
// valid a week after the day; the link is created the first time.
func (s *Server) qrPage(w http.ResponseWriter, r *http.Request, sess *session) {
	e, ok := s.loadEvent(w, r, sess)
	if !ok {
		return
	}
	i, err := s.st.GetInvitee(r.Context(), e.ID, r.PathValue("invitee"))
	if errors.Is(err, store.ErrNotFound) || (err == nil && (i.PlaceID == "" || e.CampaignID == "")) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, err := s.st.GetPlace(r.Context(), i.PlaceID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && p.EPCI != e.EPCI) {
		s.notFoundPage(w, r, sess)
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	secret := s.eventLinkSecret(e.CampaignID, p.ID)
	expires := e.EndsAt.Add(campaign.EventLinkValidity)
	if err := s.st.CreateCampaignLink(r.Context(), e.CampaignID, p.ID, campaign.HashLink(secret), expires); err != nil {
		s.serverError(w, r, err)
		return
	}
	link := s.cfg.BaseURL + "/maj/" + secret
	svg, err := qrSVG(link)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	s.render(w, r, http.StatusOK, "qr", qrView{layoutView: s.bo(sess, "QR code — "+p.Nom, "journees"), E: e, PlaceName: p.Nom, Link: link, SVG: svg, Expires: expires})
}

// qrSVG draws a QR code as inline SVG, one path of its dark modules with
// the quiet zone of four modules the standard asks for.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.EncodeText(text, qr.Medium)
	if err != nil {
		return "", fmt.Errorf("qr: %w", err)
	}
	n := code.Size()
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="288" height="288" shape-rendering="crispEdges" aria-hidden="true" focusable="false">`, n+8, n+8)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n+8, n+8)
	for y := range n {
		for x := range n {
			if code.Module(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+4, y+4)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil // only numbers go into it
}

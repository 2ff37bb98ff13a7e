package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"portrea/internal/campaign"
	"portrea/internal/place"
	"portrea/internal/store"
)

// The RSVP link of the collaborative day: each invitee's invitation carries
// /journee/{secret}; it answers yes or no, for how many, with a dietary
// note when a meal is offered, and may change the answer until the day
// starts. Like the personal update links (selfupdate.go), the secret is the
// only credential: same headers, the same page for every invalid link,
// the same rate limits, and a signed form token instead of a session.

// maxParty is the largest party an invitee may announce.
const maxParty = 20

// rsvpLink is a valid RSVP link, its invitee and day.
type rsvpLink struct {
	I    *store.Invitee
	E    *store.Event
	hash string
	path string // "/journee/{secret}"
}

func (l *rsvpLink) tokenSubject() string { return "journee:" + l.hash }

// withInvitation serves a page of an RSVP link; see withLink.
func (s *Server) withInvitation(next func(http.ResponseWriter, *http.Request, *rsvpLink)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		secret := r.PathValue("secret")
		hash := campaign.HashLink(secret)
		i, err := s.st.InviteeByToken(r.Context(), hash)
		var e *store.Event
		if err == nil {
			e, err = s.st.GetEvent(r.Context(), i.EventID)
		}
		if errors.Is(err, store.ErrNotFound) {
			s.invalidLink(w, r, "journee-invalide", "rsvp_invalide", "Ce lien n'est pas valable")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		next(w, r, &rsvpLink{I: i, E: e, hash: hash, path: "/journee/" + url.PathEscape(secret)})
	}
}

type rsvpView struct {
	layoutView
	Path, Token          string
	I                    *store.Invitee
	E                    *store.Event
	Territory, Day, Time string
	Programme            []string // one line an item
	Closed               bool
	Thanks, Problem      string
	// The form as typed (after an error) or as last answered.
	Answer, Party, Diet string
}

func (s *Server) rsvpPage(w http.ResponseWriter, r *http.Request, l *rsvpLink) {
	v := s.newRSVPView(l)
	if r.URL.Query().Get("merci") != "" && l.I.RSVP != "" {
		if l.I.RSVP == store.RSVPYes {
			v.Thanks = "Merci, votre réponse est enregistrée : vous venez"
			if l.I.PartySize > 1 {
				v.Thanks += ", à " + strconv.Itoa(l.I.PartySize)
			}
			v.Thanks += ". À bientôt !"
		} else {
			v.Thanks = "Merci, votre réponse est enregistrée : vous ne venez pas."
		}
	}
	s.render(w, r, http.StatusOK, "rsvp", v)
}

func (s *Server) newRSVPView(l *rsvpLink) rsvpView {
	v := rsvpView{layoutView: layoutView{Title: "Votre réponse : " + l.E.Title}, Path: l.path, Token: s.formToken(l.tokenSubject(), s.now()),
		I: l.I, E: l.E, Territory: s.epciName(l.E.EPCI), Day: dateFR(l.E.StartsAt.In(place.Paris)),
		Time: campaign.Hour(l.E.StartsAt) + " à " + campaign.Hour(l.E.EndsAt), Closed: !s.now().Before(l.E.StartsAt),
		Answer: l.I.RSVP, Diet: l.I.Diet, Party: "1"}
	for _, line := range strings.Split(l.E.Programme, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			v.Programme = append(v.Programme, line)
		}
	}
	if l.I.PartySize > 0 {
		v.Party = strconv.Itoa(l.I.PartySize)
	}
	return v
}

// saveRSVP records the answer, then shows it (post/redirect/get).
func (s *Server) saveRSVP(w http.ResponseWriter, r *http.Request, l *rsvpLink) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", errorView{layoutView{Title: "Formulaire refusé"}, "Le formulaire est trop long ou illisible."})
		return
	}
	allowed, err := s.st.Allow(r.Context(), "journee-envoi:"+l.hash, linkPostsPerLink, linkPostsWindow)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !allowed {
		s.tooManyLinkRequests(w, r, linkPostsWindow, "Trop d'envois en peu de temps avec ce lien : réessayez dans une heure.")
		return
	}
	v := s.newRSVPView(l)
	v.Answer, v.Party, v.Diet = r.PostFormValue("reponse"), strings.TrimSpace(r.PostFormValue("nombre")), strings.TrimSpace(r.PostFormValue("regime"))
	if !sameOrigin(r) || s.verifyFormToken(r.PostFormValue("jeton"), l.tokenSubject(), 0) != nil {
		s.log.Info("rsvp link: form refused", "event", l.E.ID)
		v.Problem = "La page était ouverte depuis trop longtemps, ou le formulaire ne vient pas de ce site : rien n'a été enregistré. Envoyez à nouveau votre réponse."
		s.render(w, r, http.StatusForbidden, "rsvp", v)
		return
	}
	if v.Closed {
		v.Problem = "La journée a commencé : les réponses sont closes. Contactez l'organisateur si besoin."
		s.render(w, r, http.StatusConflict, "rsvp", v)
		return
	}
	party, diet := 0, ""
	switch v.Answer {
	case store.RSVPYes:
		n, err := strconv.Atoi(v.Party)
		if err != nil || n < 1 || n > maxParty {
			v.Problem = "Indiquez combien vous serez, de 1 à " + strconv.Itoa(maxParty) + "."
			s.render(w, r, http.StatusUnprocessableEntity, "rsvp", v)
			return
		}
		party = n
		if l.E.Meal {
			if utf8.RuneCountInString(v.Diet) > 300 {
				v.Problem = "Le régime alimentaire tient en 300 caractères au plus."
				s.render(w, r, http.StatusUnprocessableEntity, "rsvp", v)
				return
			}
			diet = v.Diet
		}
	case store.RSVPNo:
	default:
		v.Problem = "Dites si vous venez : oui ou non."
		s.render(w, r, http.StatusUnprocessableEntity, "rsvp", v)
		return
	}
	if err := s.st.SaveRSVP(r.Context(), l.I.ID, v.Answer, party, diet); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, l.path+"?merci=1#reponse", http.StatusSeeOther)
}

package web

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/census"
	"portrea/internal/store"
)

// sessionCookie holds the session secret; the database keeps its hash.
const sessionCookie = "portrea_session"

// Login rate limits: per client address and per account, per quarter hour.
const (
	loginPerIP      = 20
	loginPerAccount = 8
	loginWindow     = 15 * time.Minute
)

// session is a signed-in user and the CSRF token of their session.
type session struct {
	User *account.User
	CSRF string
}

func (s *Server) secureCookies(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(s.cfg.BaseURL, "https://")
}

// currentSession returns the session of the request, or nil.
func (s *Server) currentSession(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	u, csrf, err := s.st.SessionUser(r.Context(), c.Value)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			s.log.Error("session", "err", err)
		}
		return nil
	}
	return &session{User: u, CSRF: csrf}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secureCookies(r), SameSite: http.SameSiteLaxMode})
}

// signedIn guards a back-office handler: it needs a live session, and a
// state-changing request must come from our own pages with the session's
// CSRF token.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		sess := s.currentSession(r)
		if sess == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/connexion?retour="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.render(w, r, http.StatusForbidden, "error", errorView{layoutView{Title: "Session expirée"},
				"Votre session a expiré : reconnectez-vous, puis recommencez."})
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			limit := int64(2 << 20)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit = census.MaxFileSize + 1<<20 // the file and the form's few fields
				if r.ContentLength > limit {
					s.tooLarge(w, r, sess)
					return
				}
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			if limit > 2<<20 {
				// A body sent without its length (chunked) meets the limit
				// only while the form is read: say so, not "token missing".
				var tooBig *http.MaxBytesError
				if err := r.ParseMultipartForm(32 << 20); errors.As(err, &tooBig) {
					s.tooLarge(w, r, sess)
					return
				}
			}
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = r.PostFormValue("csrf")
			}
			if !sameOrigin(r) || subtle.ConstantTimeCompare([]byte(token), []byte(sess.CSRF)) != 1 {
				s.log.Warn("csrf refused", "path", r.URL.Path, "user", sess.User.ID)
				s.render(w, r, http.StatusForbidden, "error", errorView{layoutView{Title: "Requête refusée", User: sess.User, CSRF: sess.CSRF},
					"Cette action n'a pas été faite : le jeton de sécurité du formulaire manque ou a expiré. Rechargez la page et recommencez."})
				return
			}
		}
		h(w, r, sess)
	}
}

// tooLarge answers an upload over the census file limit.
func (s *Server) tooLarge(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, r, http.StatusRequestEntityTooLarge, "error", errorView{s.bo(sess, "Fichier trop volumineux", "recensement"),
		fmt.Sprintf("Le fichier envoyé dépasse la limite de %d Mo : rien n'a été enregistré. Découpez-le en plusieurs fichiers (par commune par exemple).", census.MaxFileSize>>20)})
}

// hubOnly guards a page of the hub administrators.
func (s *Server) hubOnly(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return s.signedIn(func(w http.ResponseWriter, r *http.Request, sess *session) {
		if sess.User.Role != account.RoleHub {
			s.forbidden(w, r, sess)
			return
		}
		h(w, r, sess)
	})
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, sess *session) {
	s.render(w, r, http.StatusForbidden, "error", errorView{s.bo(sess, "Accès refusé", ""),
		"Cette page concerne un territoire ou une fonction qui ne vous est pas confiée."})
}

// safeReturn keeps a post-login destination inside the back office.
func safeReturn(v string) string {
	if strings.HasPrefix(v, "/gestion") && !strings.ContainsAny(v, "\\\r\n") {
		return v
	}
	return "/gestion"
}

type loginView struct {
	layoutView
	Email, Retour, Jeton string
	Error, Info          string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if sess := s.currentSession(r); sess != nil {
		http.Redirect(w, r, safeReturn(r.URL.Query().Get("retour")), http.StatusSeeOther)
		return
	}
	v := loginView{layoutView: layoutView{Title: "Connexion"}, Retour: safeReturn(r.URL.Query().Get("retour")), Jeton: s.formToken("connexion", s.now())}
	switch r.URL.Query().Get("message") {
	case "mot-de-passe":
		v.Info = "Votre mot de passe est enregistré : connectez-vous."
	case "deconnecte":
		v.Info = "Vous êtes déconnecté·e."
	}
	s.render(w, r, http.StatusOK, "login", v)
}

// login checks a password and opens a new session. The session secret is
// always created here, after the password check, so a secret planted in
// the browser beforehand is never promoted (no session fixation).
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	email := account.NormalizeEmail(r.PostFormValue("email"))
	pw := r.PostFormValue("mot_de_passe")
	v := loginView{layoutView: layoutView{Title: "Connexion"}, Email: email, Retour: safeReturn(r.PostFormValue("retour")), Jeton: s.formToken("connexion", s.now())}
	fail := func(status int, msg string) {
		v.Error = msg
		s.render(w, r, status, "login", v)
	}
	if !sameOrigin(r) || s.verifyFormToken(r.PostFormValue("jeton"), "connexion", 0) != nil {
		fail(http.StatusForbidden, "Le formulaire a expiré : saisissez à nouveau vos identifiants.")
		return
	}
	for _, lim := range []struct {
		key   string
		limit int
	}{{"connexion-ip:" + s.clientKey(r), loginPerIP}, {"connexion-compte:" + account.HashToken(email), loginPerAccount}} {
		ok, err := s.st.Allow(r.Context(), lim.key, lim.limit, loginWindow)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			s.audit(r, email, "connexion bloquée", email, "trop de tentatives")
			fail(http.StatusTooManyRequests, "Trop de tentatives de connexion : pour protéger le compte, réessayez dans un quart d'heure ou réinitialisez votre mot de passe.")
			return
		}
	}
	u, err := s.st.UserByEmail(r.Context(), email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	if u == nil || u.Disabled {
		account.VerifyAgainstNothing(pw)
		s.audit(r, email, "échec de connexion", email, "compte inconnu ou désactivé")
		fail(http.StatusUnauthorized, "Adresse électronique ou mot de passe incorrect.")
		return
	}
	if !account.VerifyPassword(pw, u.PasswordHash) {
		s.audit(r, email, "échec de connexion", email, "mot de passe incorrect")
		fail(http.StatusUnauthorized, "Adresse électronique ou mot de passe incorrect.")
		return
	}
	if old, err := r.Cookie(sessionCookie); err == nil && old.Value != "" {
		s.st.DeleteSession(r.Context(), old.Value)
	}
	secret, _, err := s.st.CreateSession(r.Context(), u.ID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.st.RecordLogin(r.Context(), u.ID); err != nil {
		s.log.Error("record login", "err", err)
	}
	s.audit(r, u.Email, "connexion", u.Email, "")
	s.setSessionCookie(w, r, secret, int(account.SessionTTL/time.Second))
	http.Redirect(w, r, v.Retour, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, sess *session) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.st.DeleteSession(r.Context(), c.Value); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.audit(r, sess.User.Email, "déconnexion", sess.User.Email, "")
	s.setSessionCookie(w, r, "", -1)
	http.Redirect(w, r, "/connexion?message=deconnecte", http.StatusSeeOther)
}

// audit records a security event; a failure is logged, not shown.
func (s *Server) audit(r *http.Request, actor, action, target, details string) {
	if err := s.st.Audit(r.Context(), actor, action, target, details); err != nil {
		s.log.Error("audit", "action", action, "err", err)
	}
}

type passwordView struct {
	layoutView
	Purpose, Action string
	Jeton, Email    string
	Error           string
	Invalid         bool
}

// passwordPurpose maps the two link pages to their purpose.
func passwordPurpose(r *http.Request) (purpose, action, title string) {
	if strings.HasSuffix(r.URL.Path, "/activer") {
		return account.PurposeActivation, "/compte/activer", "Choisir votre mot de passe"
	}
	return account.PurposeReset, "/compte/reinitialiser", "Nouveau mot de passe"
}

// passwordPage opens a one-time link: the token comes in the query, which
// request logs never record, and the page sends no referrer.
func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	purpose, action, title := passwordPurpose(r)
	v := passwordView{layoutView: layoutView{Title: title}, Purpose: purpose, Action: action, Jeton: r.URL.Query().Get("jeton")}
	ok, err := s.allowLink(r)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.render(w, r, http.StatusTooManyRequests, "error", errorView{layoutView{Title: title}, "Trop de tentatives : réessayez dans un quart d'heure."})
		return
	}
	u, err := s.st.LinkUser(r.Context(), v.Jeton, purpose)
	if err != nil {
		v.Invalid = true
		s.render(w, r, http.StatusNotFound, "password", v)
		return
	}
	v.Email = u.Email
	s.render(w, r, http.StatusOK, "password", v)
}

func (s *Server) allowLink(r *http.Request) (bool, error) {
	return s.st.Allow(r.Context(), "lien-compte:"+s.clientKey(r), 30, loginWindow)
}

func (s *Server) setPassword(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	purpose, action, title := passwordPurpose(r)
	v := passwordView{layoutView: layoutView{Title: title}, Purpose: purpose, Action: action, Jeton: r.PostFormValue("jeton")}
	if !sameOrigin(r) {
		v.Invalid = true
		s.render(w, r, http.StatusForbidden, "password", v)
		return
	}
	if ok, err := s.allowLink(r); err != nil || !ok {
		s.render(w, r, http.StatusTooManyRequests, "error", errorView{layoutView{Title: title}, "Trop de tentatives : réessayez dans un quart d'heure."})
		return
	}
	u, err := s.st.LinkUser(r.Context(), v.Jeton, purpose)
	if err != nil {
		v.Invalid = true
		s.render(w, r, http.StatusNotFound, "password", v)
		return
	}
	v.Email = u.Email
	pw := r.PostFormValue("mot_de_passe")
	if pw != r.PostFormValue("confirmation") {
		v.Error = "Les deux saisies du mot de passe sont différentes."
	} else if err := account.CheckPassword(pw, u.Email); err != nil {
		v.Error = "Mot de passe refusé : " + err.Error() + "."
	}
	if v.Error != "" {
		s.render(w, r, http.StatusUnprocessableEntity, "password", v)
		return
	}
	if _, err := s.st.UseLinkToSetPassword(r.Context(), v.Jeton, purpose, account.HashPassword(pw)); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			v.Invalid = true
			s.render(w, r, http.StatusNotFound, "password", v)
			return
		}
		s.serverError(w, r, err)
		return
	}
	s.audit(r, u.Email, "mot de passe défini", u.Email, purpose)
	http.Redirect(w, r, "/connexion?message=mot-de-passe", http.StatusSeeOther)
}

type forgotView struct {
	layoutView
	Email, Jeton string
	Sent         bool
	Error        string
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "forgot", forgotView{layoutView: layoutView{Title: "Mot de passe oublié"}, Jeton: s.formToken("oubli", s.now())})
}

// forgot sends a reset link. The answer is the same whether or not the
// address has an account, so the page tells nobody who is registered.
func (s *Server) forgot(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	email := account.NormalizeEmail(r.PostFormValue("email"))
	v := forgotView{layoutView: layoutView{Title: "Mot de passe oublié"}, Email: email, Jeton: s.formToken("oubli", s.now())}
	if !sameOrigin(r) || s.verifyFormToken(r.PostFormValue("jeton"), "oubli", 0) != nil {
		v.Error = "Le formulaire a expiré : saisissez à nouveau votre adresse."
		s.render(w, r, http.StatusForbidden, "forgot", v)
		return
	}
	for _, lim := range []struct {
		key   string
		limit int
	}{{"oubli-ip:" + s.clientKey(r), 10}, {"oubli-compte:" + account.HashToken(email), 3}} {
		ok, err := s.st.Allow(r.Context(), lim.key, lim.limit, time.Hour)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			v.Sent = true // same answer: the limit must not reveal accounts either
			s.render(w, r, http.StatusOK, "forgot", v)
			return
		}
	}
	u, err := s.st.UserByEmail(r.Context(), email)
	if err == nil && !u.Disabled {
		if err := s.sendAccountLink(r, u, account.PurposeReset); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.audit(r, u.Email, "demande de réinitialisation", u.Email, "")
	} else if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	v.Sent = true
	s.render(w, r, http.StatusOK, "forgot", v)
}

// sendAccountLink queues the e-mail carrying a one-time link.
func (s *Server) sendAccountLink(r *http.Request, u *account.User, purpose string) error {
	secret, err := s.st.CreateLink(r.Context(), u.ID, purpose, account.LinkTTL(purpose))
	if err != nil {
		return err
	}
	subject, body := account.LinkMail(u, purpose, account.LinkURL(s.cfg.BaseURL, purpose, secret))
	return s.st.QueueMail(r.Context(), u.Email, subject, body)
}

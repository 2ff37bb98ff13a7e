package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"portrea/internal/campaign"
	"portrea/internal/place"
	"portrea/internal/store"
)

// The personal update link: an update campaign e-mails each place
// /maj/{secret}; whoever holds it may check and correct that place's
// public record and complementary fields, and that place's only. The
// place comes from the link, never from the form. The secret is the only
// credential, so these pages are never cached, send no referrer, and the
// request log masks it.

// Rate limits of the personal links.
const (
	linkInvalidPerClient = 30               // unknown, expired or revoked links a client address may try…
	linkInvalidWindow    = 10 * time.Minute // …in this window
	linkPostsPerLink     = 20               // answers, edits and opt-outs posted to one link…
	linkPostsWindow      = time.Hour        // …in this window
)

// personalLink is a valid link, as the handlers behind withLink see it.
type personalLink struct {
	*store.Link
	hash string
	path string // "/maj/{secret}", for form actions and redirects
}

// withLink serves a page of a personal link: it sets the headers that keep
// the secret out of caches and referrers, and finds the link. Every invalid
// link (unknown, expired, revoked, malformed) gets the same page after the
// same single lookup, and counts against the client's limit. Valid links
// are not limited here: secrets are 256-bit, and a guesser sharing a
// town hall's address must not lock its staff out.
func (s *Server) withLink(next func(http.ResponseWriter, *http.Request, *personalLink)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Robots-Tag", "noindex, nofollow")
		secret := r.PathValue("secret")
		hash := campaign.HashLink(secret)
		l, err := s.st.LinkByToken(r.Context(), hash)
		if errors.Is(err, store.ErrLinkInvalid) {
			s.invalidLink(w, r, "maj-invalide", "maj_invalide", "Ce lien n'est plus valable")
			return
		}
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		next(w, r, &personalLink{Link: l, hash: hash, path: "/maj/" + url.PathEscape(secret)})
	}
}

func (s *Server) tooManyLinkRequests(w http.ResponseWriter, r *http.Request, retry time.Duration, msg string) {
	w.Header().Set("Retry-After", strconv.Itoa(int(retry/time.Second)))
	s.render(w, r, http.StatusTooManyRequests, "error", errorView{layoutView{Title: "Trop de tentatives"}, msg})
}

// redactPath masks the secret of a personal or RSVP link in a path, for logs.
func redactPath(p string) string {
	for _, prefix := range []string{"/maj/", "/journee/"} {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok {
			continue
		}
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			return prefix + "…" + rest[i:]
		}
		return prefix + "…"
	}
	return p
}

// invalidLink answers a secret link that opens nothing, and counts it:
// an address trying many links is refused for a while (guessing).
func (s *Server) invalidLink(w http.ResponseWriter, r *http.Request, limit, page, title string) {
	ok, err := s.st.Allow(r.Context(), limit+":"+s.clientKey(r), linkInvalidPerClient, linkInvalidWindow)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if !ok {
		s.tooManyLinkRequests(w, r, linkInvalidWindow, "Trop de liens essayés en peu de temps : réessayez dans une dizaine de minutes.")
		return
	}
	s.render(w, r, http.StatusNotFound, page, layoutView{Title: title})
}

// linkPlace loads the link's place. A place deleted since the message was
// sent makes the link invalid.
func (s *Server) linkPlace(w http.ResponseWriter, r *http.Request, l *personalLink) (*place.Place, bool) {
	p, err := s.st.GetPlace(r.Context(), l.PlaceID)
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "maj_invalide", layoutView{Title: "Ce lien n'est plus valable"})
		return nil, false
	}
	if err != nil {
		s.serverError(w, r, err)
		return nil, false
	}
	return p, true
}

func linkTokenSubject(l *personalLink) string { return "maj:" + l.hash }

// readLinkPost parses a form posted to a personal link and checks it: the
// link's limit (429), then a form token of this very link, sent from our
// own pages (403). oneClick accepts instead the RFC 8058 unsubscription a
// mail client posts from elsewhere, without a token: the secret in the URL
// is its credential. It answers and returns false when the post is refused.
func (s *Server) readLinkPost(w http.ResponseWriter, r *http.Request, l *personalLink, oneClick func(*http.Request) bool) bool {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseMultipartForm(64 << 10); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.render(w, r, http.StatusBadRequest, "error", errorView{layoutView{Title: "Formulaire refusé"}, "Le formulaire est trop long ou illisible."})
		return false
	}
	allowed, err := s.st.Allow(r.Context(), "maj-envoi:"+l.hash, linkPostsPerLink, linkPostsWindow)
	if err != nil {
		s.serverError(w, r, err)
		return false
	}
	if !allowed {
		s.tooManyLinkRequests(w, r, linkPostsWindow, "Trop d'envois en peu de temps avec ce lien : réessayez dans une heure.")
		return false
	}
	if oneClick != nil && oneClick(r) {
		return true
	}
	if !sameOrigin(r) || s.verifyFormToken(r.PostFormValue("jeton"), linkTokenSubject(l), 0) != nil {
		s.log.Info("personal link: form refused", "campaign", l.CampaignID, "place", l.PlaceID)
		return s.refuseLinkPost(w, r, l)
	}
	return true
}

// refuseLinkPost answers 403 to a post without a valid form token: the
// page again, with what was typed when it was the edit form.
func (s *Server) refuseLinkPost(w http.ResponseWriter, r *http.Request, l *personalLink) bool {
	const why = "La page était ouverte depuis trop longtemps, ou le formulaire ne vient pas de ce site : rien n'a été enregistré. "
	if strings.HasSuffix(r.URL.Path, "/desinscription") {
		s.renderOptOut(w, r, l, http.StatusForbidden, why+"Cliquez à nouveau sur le bouton.")
		return false
	}
	p, ok := s.linkPlace(w, r, l)
	if !ok {
		return false
	}
	msg := why + "Choisissez à nouveau votre réponse."
	if r.PostForm.Has("nom") {
		var err error
		if p, _, err = s.readLinkEdit(r, p); err != nil {
			s.serverError(w, r, err)
			return false
		}
		msg = why + "Vérifiez vos informations ci-dessous et envoyez-les à nouveau."
	}
	s.renderMaj(w, r, l, http.StatusForbidden, p, nil, msg)
	return false
}

// errorLink is one line of a form's error summary.
type errorLink struct {
	Href, Text string
}

type majView struct {
	layoutView
	placeForm
	Path         string
	Token        string
	P            *place.Place
	EPCIName     string
	Communes     []checkItem
	Deadline     time.Time
	ReplyTo      string
	DirectLabels []string
	// The one-click answers that apply at once rather than as a proposal.
	GoneDirect, NoPublicDirect bool
	Errors                     place.Errors
	ErrorLinks                 []errorLink
	Problem                    string // above the form: an expired form
}

// majPage shows the form of a personal link, filled with the place's
// public record and complementary fields (never its private ones).
func (s *Server) majPage(w http.ResponseWriter, r *http.Request, l *personalLink) {
	if err := s.st.MarkVisited(r.Context(), l.CampaignID, l.PlaceID); err != nil {
		s.serverError(w, r, err)
		return
	}
	p, ok := s.linkPlace(w, r, l)
	if !ok {
		return
	}
	s.renderMaj(w, r, l, http.StatusOK, p, nil, "")
}

func (s *Server) renderMaj(w http.ResponseWriter, r *http.Request, l *personalLink, status int, p *place.Place, errs place.Errors, problem string) {
	c, err := s.st.GetCampaign(r.Context(), l.CampaignID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := majView{layoutView: layoutView{Title: "Vos informations : " + p.Nom}, Path: l.path, Token: s.formToken(linkTokenSubject(l), s.now()),
		P: p, EPCIName: s.epciName(p.EPCI), Deadline: c.Deadline, ReplyTo: c.ReplyTo, Errors: errs, Problem: problem}
	if v.placeForm, err = s.placeFormOf(r.Context(), p); err != nil {
		s.serverError(w, r, err)
		return
	}
	for _, c := range s.ref.CommunesOfEPCI(p.EPCI) {
		v.Communes = append(v.Communes, checkItem{c.Code, c.Nom, c.Code == p.CodeInsee})
	}
	if !slices.ContainsFunc(v.Communes, func(c checkItem) bool { return c.Checked }) {
		// An arrondissement, or a commune outside the territory sent back
		// with an error: keep it selected.
		name := p.Commune
		if name == "" {
			name = p.CodeInsee
		}
		v.Communes = append([]checkItem{{p.CodeInsee, name, true}}, v.Communes...)
	}
	for _, f := range c.DirectFields {
		v.DirectLabels = append(v.DirectLabels, lowerFirst(place.FieldLabel(f)))
	}
	v.GoneDirect, v.NoPublicDirect = slices.Contains(c.DirectFields, "statut"), slices.Contains(c.DirectFields, "modalites_acces")
	for _, e := range errs {
		v.ErrorLinks = append(v.ErrorLinks, errorLink{"#" + fieldAnchor(e.Field), fieldName(e.Field, v.Extra) + " : " + e.Message})
	}
	if len(errs) > 0 {
		v.Title = "Erreurs dans le formulaire — " + v.Title
	}
	s.render(w, r, status, "maj", v)
}

// lowerFirst puts a label in the middle of a sentence: "Horaires" becomes
// "horaires", "SIRET ou RNA" stays.
func lowerFirst(s string) string {
	r := []rune(s)
	if len(r) > 1 && unicode.IsUpper(r[0]) && !unicode.IsUpper(r[1]) {
		r[0] = unicode.ToLower(r[0])
	}
	return string(r)
}

// fieldAnchor is the id of a field's first control in page_maj.html.
func fieldAnchor(field string) string {
	if key, ok := strings.CutPrefix(field, "extra."); ok {
		return "extra-" + key
	}
	switch {
	case field == "commune":
		return "code_insee" // the form has a list of communes, not their names
	case field == "typologie" || slices.ContainsFunc(place.SetVocabs, func(v *place.Vocab) bool { return v.Field == field }):
		return field + "-0" // the first box
	}
	return field
}

// fieldName names a field for the error summary.
func fieldName(field string, extra []extraInput) string {
	if key, ok := strings.CutPrefix(field, "extra."); ok {
		for _, x := range extra {
			if x.Key == key {
				return x.Label
			}
		}
	}
	if field == "code_insee" {
		return "Commune"
	}
	return place.FieldLabel(field)
}

// notByLink are the fields a link's form never changes, whatever is
// posted: the record's identity and dates, its status (the one-click
// answers propose that), its position and source (the referent's), and
// the private fields.
var notByLink = append([]string{"id", "date_maj", "statut", "doublon_de", "latitude", "longitude", "source"}, place.PrivateFields...)

// readLinkEdit reads the edit form over the current place, and returns the
// edited place and its problems, in French.
func (s *Server) readLinkEdit(r *http.Request, cur *place.Place) (*place.Place, place.Errors, error) {
	fields, err := s.st.ExtraFields(r.Context(), cur.EPCI)
	if err != nil {
		return nil, nil, err
	}
	p := readPublicFields(r.PostForm, cur, fields)
	// The form has a list of the territory's communes, not its name.
	if p.CodeInsee == cur.CodeInsee {
		p.Commune = cur.Commune
	}
	// Keep the values of complementary fields the territory no longer has.
	for k, v := range cur.Extra {
		if !slices.ContainsFunc(fields, func(f place.ExtraField) bool { return f.Key == k }) {
			p.Extra[k] = v
		}
	}
	p.Normalize(s.ref)
	var errs place.Errors
	if err := p.Validate(s.ref, s.now()); err != nil && !errors.As(err, &errs) {
		return nil, nil, err
	}
	// Problems of fields the form does not show are not the actor's to fix.
	errs = slices.DeleteFunc(errs, func(e place.FieldError) bool { return slices.Contains(notByLink, e.Field) })
	for _, f := range fields {
		v, err := f.CheckValue(p.Extra[f.Key])
		if err != nil {
			errs = append(errs, place.FieldError{Field: "extra." + f.Key, Message: strings.TrimPrefix(err.Error(), f.Label+" : ")})
			continue
		}
		if v == "" {
			delete(p.Extra, f.Key)
		} else {
			p.Extra[f.Key] = v
		}
	}
	if p.EPCI != cur.EPCI && errs.For("code_insee") == "" {
		errs = append(errs, place.FieldError{Field: "code_insee", Message: "choisissez une commune de " + s.epciName(cur.EPCI) + " : pour un déménagement hors du territoire, écrivez à votre référent·e"})
	}
	return p, errs, nil
}

// saveEdit answers the edit form: the changes of the campaign's direct
// fields apply at once, the others wait for the referent.
func (s *Server) saveEdit(w http.ResponseWriter, r *http.Request, l *personalLink) {
	if !s.readLinkPost(w, r, l, nil) {
		return
	}
	cur, ok := s.linkPlace(w, r, l)
	if !ok {
		return
	}
	p, errs, err := s.readLinkEdit(r, cur)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if len(errs) > 0 {
		s.renderMaj(w, r, l, http.StatusUnprocessableEntity, p, errs, "")
		return
	}
	changes := slices.DeleteFunc(place.Diff(cur, p), func(c place.Change) bool { return slices.Contains(notByLink, c.Field) })
	kind := store.AnswerUpdated
	if len(changes) == 0 {
		kind = store.AnswerUnchanged
	}
	s.answer(w, r, l, cur, kind, changes)
}

// quickAnswer records one of the one-click answers at the top of the form.
func (s *Server) quickAnswer(w http.ResponseWriter, r *http.Request, l *personalLink) {
	if !s.readLinkPost(w, r, l, nil) {
		return
	}
	cur, ok := s.linkPlace(w, r, l)
	if !ok {
		return
	}
	next := *cur
	kind := r.PostFormValue("reponse")
	switch kind {
	case store.AnswerUnchanged:
	case store.AnswerGone:
		next.Status = place.StatusGone
	case store.AnswerNoPublic:
		next.ModalitesAcces |= place.ModalitesAcces.Bit("pas-de-public")
	default:
		s.render(w, r, http.StatusBadRequest, "error", errorView{layoutView{Title: "Réponse inconnue"}, "Cette réponse n'existe pas : revenez au formulaire et choisissez un des boutons."})
		return
	}
	s.answer(w, r, l, cur, kind, place.Diff(cur, &next))
}

// answer records an answer with its changes, split between those applied
// at once (the campaign's direct fields) and the proposal for the
// referent, then redirects to the thank-you page.
func (s *Server) answer(w http.ResponseWriter, r *http.Request, l *personalLink, cur *place.Place, kind string, changes []place.Change) {
	c, err := s.st.GetCampaign(r.Context(), l.CampaignID)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	a := store.Answer{CampaignID: l.CampaignID, PlaceID: l.PlaceID, Kind: kind, Actor: place.Actor{Kind: place.ActorCampaign, Name: l.CampaignID}}
	var direct []place.Change
	for _, ch := range changes {
		if slices.Contains(c.DirectFields, ch.Field) {
			direct = append(direct, place.Change{Field: ch.Field, Old: ch.New, New: ch.Old}) // reverting the swap applies it
		} else {
			a.Proposed = append(a.Proposed, ch)
		}
	}
	switch {
	case kind == store.AnswerUnchanged:
		a.Direct = cur // a confirmation: date_maj moves
	case len(direct) > 0:
		next, conflicts, errs := place.Revert(cur, direct)
		if len(conflicts) > 0 || len(errs) > 0 {
			s.serverError(w, r, fmt.Errorf("web: apply %v to %s: conflicts %v, %v", direct, cur.ID, conflicts, errs))
			return
		}
		next.Derive(s.ref)
		a.Direct = next
	}
	if err := s.st.RecordAnswer(r.Context(), a); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.Info("personal link: answer", "campaign", l.CampaignID, "place", l.PlaceID, "answer", kind, "direct", len(direct), "proposed", len(a.Proposed))
	q := url.Values{"reponse": {kind}}
	switch {
	case len(direct) > 0 && len(a.Proposed) > 0:
		q.Set("suite", "mixte")
	case len(direct) > 0:
		q.Set("suite", "publiee")
	case len(a.Proposed) > 0:
		q.Set("suite", "verification")
	}
	http.Redirect(w, r, l.path+"/merci?"+q.Encode(), http.StatusSeeOther)
}

type majDoneView struct {
	layoutView
	Path   string
	Answer string // store.Answer*
	Next   string // publiee, verification, mixte, or "" (nothing changed)
	Until  time.Time
}

// majDone thanks for an answer and says what happens next.
func (s *Server) majDone(w http.ResponseWriter, r *http.Request, l *personalLink) {
	q := r.URL.Query()
	v := majDoneView{layoutView: layoutView{Title: "Merci pour votre réponse"}, Path: l.path, Answer: q.Get("reponse"), Next: q.Get("suite"),
		Until: l.ExpiresAt.Add(-time.Second)} // a campaign's dates are days at 0 h UTC: the last whole day
	s.render(w, r, http.StatusOK, "maj_merci", v)
}

// majHoursPreview is the hours builder's preview for the link's form.
func (s *Server) majHoursPreview(w http.ResponseWriter, r *http.Request, l *personalLink) {
	s.hoursPreview(w, r, nil)
}

type optOutView struct {
	layoutView
	Path, Token string
	PlaceName   string
	Done        bool
	Problem     string
}

// optOutPage asks to confirm that the link's address wants no more
// campaign e-mail, or says it is done.
func (s *Server) optOutPage(w http.ResponseWriter, r *http.Request, l *personalLink) {
	s.renderOptOut(w, r, l, http.StatusOK, "")
}

func (s *Server) renderOptOut(w http.ResponseWriter, r *http.Request, l *personalLink, status int, problem string) {
	email, err := s.recipientEmail(r, l)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	p, ok := s.linkPlace(w, r, l)
	if !ok {
		return
	}
	v := optOutView{layoutView: layoutView{Title: "Ne plus recevoir ces messages"}, Path: l.path, Token: s.formToken(linkTokenSubject(l), s.now()),
		PlaceName: p.Nom, Problem: problem}
	if v.Done, err = s.st.OptedOut(r.Context(), email); err != nil {
		s.serverError(w, r, err)
		return
	}
	if v.Done {
		v.Title = "Vous ne recevrez plus ces messages"
	}
	s.render(w, r, status, "maj_desinscription", v)
}

// optOut records that the link's recipient address wants no more campaign
// e-mail: from the page's button, or from a mail client's one-click
// unsubscription (RFC 8058).
func (s *Server) optOut(w http.ResponseWriter, r *http.Request, l *personalLink) {
	oneClick := func(r *http.Request) bool { return r.PostFormValue("List-Unsubscribe") == "One-Click" }
	if !s.readLinkPost(w, r, l, oneClick) {
		return
	}
	email, err := s.recipientEmail(r, l)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.st.OptOut(r.Context(), email); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.log.Info("personal link: opt-out", "campaign", l.CampaignID, "place", l.PlaceID)
	if oneClick(r) {
		s.renderOptOut(w, r, l, http.StatusOK, "")
		return
	}
	http.Redirect(w, r, l.path+"/desinscription", http.StatusSeeOther)
}

// recipientEmail is the address the link's campaign wrote to for its place.
func (s *Server) recipientEmail(r *http.Request, l *personalLink) (string, error) {
	rows, err := s.st.CampaignRecipients(r.Context(), l.CampaignID)
	if err != nil {
		return "", err
	}
	for _, row := range rows {
		if row.PlaceID == l.PlaceID {
			return row.Email, nil
		}
	}
	return "", fmt.Errorf("web: campaign %s has no recipient for place %s", l.CampaignID, l.PlaceID)
}

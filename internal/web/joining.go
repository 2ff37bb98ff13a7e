package web

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"portrea/internal/account"
	"portrea/internal/place"
	"portrea/internal/territory"
)

// Limits of the joining form.
const (
	joinMaxName  = 200
	joinMaxHopes = 2000
	joinPerHour  = 5  // per client address
	joinPerEPCI  = 10 // per territory and hour
)

// joinForm is what a person declares on the joining page.
type joinForm struct {
	Name, Organisation, OrgKind, EPCI string
	Email, Phone, Hopes               string
}

// epciGroup is the EPCIs of one département, for the territory select.
type epciGroup struct {
	Label   string
	Options []option
}

type joinView struct {
	layoutView
	Token        string
	F            joinForm
	Departement  string // the département whose EPCIs are listed; "" for the hub's région
	Departements []option
	Groups       []epciGroup
	OrgKinds     []option
	Errors       place.Errors
	Invalid      map[string]bool
	Sent         bool
	MaxHopes     int
}

// joinPage is the public page where a territory declares its interest.
func (s *Server) joinPage(w http.ResponseWriter, r *http.Request) {
	s.renderJoin(w, r, http.StatusOK, joinView{Departement: r.URL.Query().Get("departement"), Sent: r.URL.Query().Get("merci") == "1"})
}

func (s *Server) renderJoin(w http.ResponseWriter, r *http.Request, status int, v joinView) {
	v.layoutView = layoutView{Title: "Rejoindre PORTREA"}
	v.Token = s.formToken("rejoindre", s.now())
	v.MaxHopes = joinMaxHopes
	if v.Invalid == nil {
		v.Invalid = map[string]bool{}
	}
	for _, e := range v.Errors {
		v.Invalid[e.Field] = true
	}
	// The EPCIs of the hub's région by département, or of the chosen
	// département; the chosen EPCI stays listed.
	var depts []string
	if d, ok := s.ref.Departement(v.Departement); ok {
		depts = []string{d.Code}
	} else {
		v.Departement = ""
		for _, d := range s.ref.Departements() {
			if d.Region == hubRegion {
				depts = append(depts, d.Code)
			}
		}
	}
	if e, ok := s.ref.EPCI(v.F.EPCI); ok && len(e.Departements) > 0 && !slices.Contains(depts, e.Departements[0]) {
		depts = append(depts, e.Departements[0])
	}
	listed := map[string]bool{}
	all := s.ref.EPCIs()
	slices.SortFunc(all, func(a, b territory.EPCI) int { return cmp.Compare(place.Fold(a.Nom), place.Fold(b.Nom)) })
	for _, code := range depts {
		d, _ := s.ref.Departement(code)
		g := epciGroup{Label: d.Nom + " (" + d.Code + ")"}
		for _, e := range all {
			if !listed[e.SIREN] && slices.Contains(e.Departements, code) {
				listed[e.SIREN] = true
				g.Options = append(g.Options, option{e.SIREN, e.Nom, e.SIREN == v.F.EPCI})
			}
		}
		v.Groups = append(v.Groups, g)
	}
	for _, d := range s.ref.Departements() {
		v.Departements = append(v.Departements, option{d.Code, d.Code + " — " + d.Nom, d.Code == v.Departement})
	}
	for _, k := range territory.OrgKinds {
		v.OrgKinds = append(v.OrgKinds, option{k.Code, k.Label, k.Code == v.F.OrgKind})
	}
	s.render(w, r, status, "rejoindre", v)
}

// check validates a declaration, in French, field by field.
func (f *joinForm) check(knownEPCI func(string) bool) place.Errors {
	var errs place.Errors
	add := func(field, msg string) { errs = append(errs, place.FieldError{Field: field, Message: msg}) }
	f.Name, f.Organisation = strings.TrimSpace(f.Name), strings.TrimSpace(f.Organisation)
	f.Email, f.Hopes = account.NormalizeEmail(f.Email), strings.TrimSpace(f.Hopes)
	switch {
	case f.Name == "":
		add("nom", "Nom : indiquez votre nom.")
	case utf8.RuneCountInString(f.Name) > joinMaxName:
		add("nom", fmt.Sprintf("Nom : %d caractères au plus.", joinMaxName))
	}
	switch {
	case f.Organisation == "":
		add("organisation", "Organisation : indiquez votre structure.")
	case utf8.RuneCountInString(f.Organisation) > joinMaxName:
		add("organisation", fmt.Sprintf("Organisation : %d caractères au plus.", joinMaxName))
	}
	if territory.OrgKindLabel(f.OrgKind) == f.OrgKind {
		add("type_organisation", "Type de structure : choisissez EPCI, commune, association, département ou autre.")
	}
	if !knownEPCI(f.EPCI) {
		add("epci", "Territoire : choisissez une intercommunalité dans la liste.")
	}
	if f.Email == "" {
		add("email", "Courriel : indiquez une adresse pour que le hub vous réponde.")
	} else if err := place.CheckEmail(f.Email); err != nil {
		add("email", "Courriel : "+err.Error()+".")
	}
	if phone, err := place.NormalizePhone(f.Phone, ""); err != nil {
		add("telephone", "Téléphone : "+err.Error()+".")
	} else {
		f.Phone = phone
	}
	if n := utf8.RuneCountInString(f.Hopes); n > joinMaxHopes {
		add("attentes", fmt.Sprintf("Vos attentes : trop long, %d caractères pour %d au plus.", n, joinMaxHopes))
	}
	return errs
}

// join records a declaration of interest: the territory enters the
// pipeline in phase contact (never moved back) and the hub is told by
// e-mail. Protected like the public report form: signed form token with a
// minimum age, a honeypot field and rate limits.
func (s *Server) join(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "error", errorView{layoutView{Title: "Déclaration refusée"}, "Le formulaire est trop long ou illisible."})
		return
	}
	f := joinForm{Name: r.PostFormValue("nom"), Organisation: r.PostFormValue("organisation"), OrgKind: r.PostFormValue("type_organisation"),
		EPCI: r.PostFormValue("epci"), Email: r.PostFormValue("email"), Phone: r.PostFormValue("telephone"), Hopes: r.PostFormValue("attentes")}
	v := joinView{F: f, Departement: r.PostFormValue("departement")}
	// A robot fills every field; people do not see this one.
	if r.PostFormValue("site") != "" || !sameOrigin(r) {
		s.log.Info("interest refused: robot or cross-site")
		http.Redirect(w, r, "/rejoindre?merci=1#formulaire", http.StatusSeeOther)
		return
	}
	if err := s.checkFormToken(r.PostFormValue("jeton"), "rejoindre"); err != nil {
		v.Errors = place.Errors{{Field: "jeton", Message: "Le formulaire a expiré ou a été envoyé trop vite : vérifiez vos réponses et envoyez-les à nouveau."}}
		s.renderJoin(w, r, http.StatusBadRequest, v)
		return
	}
	if v.Errors = v.F.check(func(c string) bool { _, ok := s.ref.EPCI(c); return ok }); len(v.Errors) > 0 {
		s.renderJoin(w, r, http.StatusUnprocessableEntity, v)
		return
	}
	for _, lim := range []struct {
		key   string
		limit int
	}{{"rejoindre:" + s.clientKey(r), joinPerHour}, {"rejoindre-epci:" + v.F.EPCI, joinPerEPCI}} {
		ok, err := s.st.Allow(r.Context(), lim.key, lim.limit, time.Hour)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if !ok {
			v.Errors = place.Errors{{Field: "jeton", Message: "Trop de déclarations en peu de temps : réessayez dans une heure."}}
			s.renderJoin(w, r, http.StatusTooManyRequests, v)
			return
		}
	}
	i := &territory.Interest{EPCI: v.F.EPCI, Name: v.F.Name, Organisation: v.F.Organisation, OrgKind: v.F.OrgKind,
		Email: v.F.Email, Phone: v.F.Phone, Hopes: v.F.Hopes}
	created, err := s.st.DeclareInterest(r.Context(), i)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.notifyHub(r, i, created); err != nil {
		s.serverError(w, r, err)
		return
	}
	http.Redirect(w, r, "/rejoindre?merci=1#formulaire", http.StatusSeeOther)
}

// notifyHub queues an e-mail about a declaration to every hub account.
func (s *Server) notifyHub(r *http.Request, i *territory.Interest, created bool) error {
	users, err := s.st.Users(r.Context())
	if err != nil {
		return err
	}
	name := s.epciName(i.EPCI)
	subject := "Déclaration d'intérêt : " + name
	var b strings.Builder
	fmt.Fprintf(&b, "Bonjour,\n\nUne déclaration d'intérêt pour PORTREA vient d'arriver.\n\n")
	fmt.Fprintf(&b, "Territoire : %s (SIREN %s)\n", name, i.EPCI)
	if created {
		b.WriteString("Le territoire entre dans le suivi du déploiement, en phase Contact.\n")
	} else if d, err := s.st.Deployment(r.Context(), i.EPCI); err == nil {
		fmt.Fprintf(&b, "Le territoire est déjà suivi, en phase %s.\n", d.Phase.Label())
	}
	fmt.Fprintf(&b, "\nDe : %s, %s (%s)\nCourriel : %s\n", i.Name, i.Organisation, territory.OrgKindLabel(i.OrgKind), i.Email)
	if i.Phone != "" {
		fmt.Fprintf(&b, "Téléphone : %s\n", place.FormatPhone(i.Phone))
	}
	if i.Hopes != "" {
		fmt.Fprintf(&b, "\nCe qu'ils attendent :\n%s\n", i.Hopes)
	}
	fmt.Fprintf(&b, "\nSuivre le territoire : %s/gestion/deploiement/%s\n\nPORTREA\n", s.cfg.BaseURL, i.EPCI)
	var errs []error
	for _, u := range users {
		if u.Role == account.RoleHub && !u.Disabled {
			errs = append(errs, s.st.QueueMail(r.Context(), u.Email, subject, b.String()))
		}
	}
	return errors.Join(errs...)
}

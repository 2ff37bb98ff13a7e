package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"portrea/internal/account"
	"portrea/internal/place"
	"portrea/internal/store"
	"portrea/internal/territory"
)

// The strategy of a territory: the hub decides, its referents propose.
// A referent of the territory fills in the four factors and sees the
// recommendation; saving keeps it as a proposal and leaves the territory's
// strategy alone. The hub saves the factors and decides in one go: the
// recommended strategy, or another one with a reason, which is kept and
// sets the territory's strategy.

// strategyTerritory checks the {siren} of a deployment page: a known EPCI
// the user may see. Anything else is "not found", so that a referent
// cannot tell another territory's pages from missing ones.
func (s *Server) strategyTerritory(w http.ResponseWriter, r *http.Request, sess *session) (string, bool) {
	epci := r.PathValue("siren")
	if _, known := s.ref.EPCI(epci); !known || !sess.User.CanSee(epci) {
		s.notFoundPage(w, r, sess)
		return "", false
	}
	return epci, true
}

type levelChoice struct {
	Value   int
	Label   string
	Checked bool
}

type factorField struct {
	Key, Label, Question string
	Levels               []levelChoice
	Comment              string
}

type strategyChoice struct {
	Value, Label, Purpose string
	Checked               bool
}

// recommendationView is a strategy with what it means for the territory.
type recommendationView struct {
	Strategy territory.Strategy
	Label    string
	Purpose  string
	Reasons  []string
	Workload territory.Workload
	Support  []string
}

func recommendationOf(st territory.Strategy, reasons []string) *recommendationView {
	return &recommendationView{Strategy: st, Label: st.Label(), Purpose: st.Purpose(), Reasons: reasons, Workload: st.Workload(), Support: st.Support()}
}

type strategyView struct {
	layoutView
	EPCI, Name      string
	Phase, Current  string // the territory's phase and strategy
	Factors         []factorField
	Recommendation  *recommendationView
	Decision        *store.Assessment
	DecisionLabel   string
	DecisionReasons []string
	Choices         []strategyChoice
	Motive          string
	IsHub           bool
	Saved           string
	Error           string
}

func (s *Server) strategyPage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.strategyTerritory(w, r, sess)
	if !ok {
		return
	}
	a, err := s.st.Assessment(r.Context(), epci)
	if errors.Is(err, store.ErrNotFound) {
		a, err = &store.Assessment{EPCI: epci}, nil
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	saved := ""
	switch r.URL.Query().Get("enregistre") {
	case "proposition":
		saved = "Votre évaluation est enregistrée. Elle est proposée au hub, qui décide de la stratégie."
	case "decision":
		saved = "La stratégie du territoire est décidée et enregistrée."
	}
	s.renderStrategy(w, r, sess, http.StatusOK, a, a.Chosen, "", saved, "")
}

// renderStrategy shows the form filled from a (saved or just posted);
// chosen and motive are the hub's choice in the form.
func (s *Server) renderStrategy(w http.ResponseWriter, r *http.Request, sess *session, status int, a *store.Assessment, chosen territory.Strategy, motive, saved, errMsg string) {
	v := strategyView{layoutView: s.bo(sess, "Stratégie de déploiement — "+s.epciName(a.EPCI), "deploiement"),
		EPCI: a.EPCI, Name: s.epciName(a.EPCI), Motive: motive, IsHub: sess.User.Role == account.RoleHub, Saved: saved, Error: errMsg}
	v.Phase, v.Current = "Non suivi", territory.StrategyNone.Label()
	if d, err := s.st.Deployment(r.Context(), a.EPCI); err == nil {
		v.Phase, v.Current = d.Phase.Label(), d.Strategy.Label()
	} else if !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	for _, f := range territory.Factors {
		rt, rated := a.Factors[f]
		ff := factorField{Key: string(f), Label: f.Label(), Question: f.Question(), Comment: rt.Comment}
		for _, l := range territory.Levels {
			ff.Levels = append(ff.Levels, levelChoice{Value: int(l), Label: fmt.Sprintf("%d — %s", int(l), l.Label()), Checked: rated && rt.Level == l})
		}
		v.Factors = append(v.Factors, ff)
	}
	complete := a.Factors != nil
	for _, f := range territory.Factors {
		complete = complete && a.Factors[f].Level.Valid()
	}
	if complete {
		st, reasons := territory.Recommend(a.Factors)
		v.Recommendation = recommendationOf(st, reasons)
		if chosen == "" {
			chosen = st
		}
	}
	if a.DecidedBy != "" {
		v.Decision, v.DecisionLabel, v.DecisionReasons = a, a.Chosen.Label(), strings.Split(a.Reasons, "\n")
	}
	for _, st := range territory.Strategies {
		v.Choices = append(v.Choices, strategyChoice{Value: string(st), Label: st.Label(), Purpose: st.Purpose(), Checked: st == chosen})
	}
	s.render(w, r, status, "bo_strategie", v)
}

func (s *Server) saveStrategy(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.strategyTerritory(w, r, sess)
	if !ok {
		return
	}
	a := &store.Assessment{EPCI: epci, Factors: territory.Assessment{}}
	var missing []string
	for _, f := range territory.Factors {
		n, err := strconv.Atoi(r.PostFormValue("niveau_" + string(f)))
		comment := strings.TrimSpace(r.PostFormValue("commentaire_" + string(f)))
		if err != nil || !territory.Level(n).Valid() {
			missing = append(missing, "« "+f.Label()+" »")
			a.Factors[f] = territory.Rating{Level: -1, Comment: comment} // shown unchecked
			continue
		}
		a.Factors[f] = territory.Rating{Level: territory.Level(n), Comment: comment}
	}
	chosen := territory.Strategy(r.PostFormValue("strategie"))
	motive := strings.TrimSpace(r.PostFormValue("motif"))
	if len(missing) > 0 {
		s.renderStrategy(w, r, sess, http.StatusUnprocessableEntity, a, chosen, motive, "",
			"Rien n'a été enregistré : choisissez un niveau pour "+strings.Join(missing, ", ")+".")
		return
	}
	st, reasons := territory.Recommend(a.Factors)
	a.Recommended = st
	if sess.User.Role != account.RoleHub {
		if err := s.st.ProposeAssessment(r.Context(), a); err != nil {
			s.serverError(w, r, err)
			return
		}
		s.audit(r, sess.User.Email, "évaluation proposée", epci, "stratégie recommandée : "+st.Label())
		http.Redirect(w, r, "/gestion/deploiement/"+epci+"/strategie?enregistre=proposition", http.StatusSeeOther)
		return
	}
	if chosen == "" {
		chosen = st
	}
	if !chosen.Valid() {
		s.renderStrategy(w, r, sess, http.StatusUnprocessableEntity, a, "", motive, "", "Rien n'a été enregistré : choisissez l'une des trois stratégies.")
		return
	}
	switch {
	case chosen != st && motive == "":
		s.renderStrategy(w, r, sess, http.StatusUnprocessableEntity, a, chosen, motive, "",
			fmt.Sprintf("Rien n'a été enregistré : la stratégie %s n'est pas celle que recommande l'évaluation (%s). Indiquez le motif de ce choix.", chosen.Label(), st.Label()))
		return
	case motive != "":
		a.Reasons = motive
	default:
		a.Reasons = strings.Join(reasons, "\n")
	}
	a.Chosen, a.DecidedBy = chosen, sess.User.Email
	if err := s.st.DecideStrategy(r.Context(), a); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.audit(r, sess.User.Email, "stratégie décidée", epci, fmt.Sprintf("%s (recommandée : %s) — %s", chosen.Label(), st.Label(), a.Reasons))
	http.Redirect(w, r, "/gestion/deploiement/"+epci+"/strategie?enregistre=decision", http.StatusSeeOther)
}

// territoryStrategy is the strategy the supports follow: the territory's,
// else the recommendation of its assessment.
func (s *Server) territoryStrategy(r *http.Request, epci string) (territory.Strategy, error) {
	d, err := s.st.Deployment(r.Context(), epci)
	if err == nil && d.Strategy.Valid() {
		return d.Strategy, nil
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	a, err := s.st.Assessment(r.Context(), epci)
	if errors.Is(err, store.ErrNotFound) {
		return territory.StrategyNone, nil
	}
	if err != nil {
		return "", err
	}
	return a.Recommended, nil
}

// supportItem is one support of the method and where to find it.
type supportItem struct {
	Label, Detail, URL, Link string
	Ready                    bool
	State                    string
}

type supportsView struct {
	layoutView
	EPCI, Name string
	Strategy   *recommendationView // nil until a strategy is chosen or recommended
	Decided    bool
	Items      []supportItem
}

func (s *Server) supportsPage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.strategyTerritory(w, r, sess)
	if !ok {
		return
	}
	st, err := s.territoryStrategy(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	ev, err := s.st.NextEvent(r.Context(), epci)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.serverError(w, r, err)
		return
	}
	v := supportsView{layoutView: s.bo(sess, "Supports de la méthode — "+s.epciName(epci), "deploiement"), EPCI: epci, Name: s.epciName(epci)}
	if d, err := s.st.Deployment(r.Context(), epci); err == nil && d.Strategy.Valid() {
		v.Decided = true
	}
	if st.Valid() {
		v.Strategy = recommendationOf(st, nil)
	}
	base := "/gestion/deploiement/" + epci
	invitation := supportItem{Label: "Invitation à la journée collaborative", URL: base + "/documents/invitation", Link: "Ouvrir l'invitation",
		Detail: "Générée à partir des données du territoire, modifiable avant envoi."}
	if ev != nil {
		invitation.Ready, invitation.State = true, "Prête : journée du "+dateFR(ev.StartsAt.In(place.Paris))
	} else {
		invitation.State = "À compléter : la date de la journée est à préciser"
	}
	method := supportItem{Label: "Méthode d'animation et trame des diapositives", URL: base + "/documents/methode", Link: "Ouvrir la méthode",
		Detail: "Déroulé de la journée, étapes d'animation et plan des diapositives propres à la stratégie."}
	if st.Valid() {
		method.Ready, method.State = true, "Prête pour la stratégie "+st.Label()
	} else {
		method.State = "À compléter : la stratégie est à choisir"
	}
	v.Items = []supportItem{
		{Label: "Modèle de recensement des acteurs", URL: "/gestion/recensement/modele/" + epci, Link: "Télécharger le modèle (XLSX)",
			Detail: "Le tableur à remplir, puis à importer dans PORTREA.", Ready: true, State: "Prêt"},
		invitation,
		method,
		{Label: "Fiche portrait du territoire", URL: "/territoires/" + epci + "/portrait", Link: "Voir le portrait",
			Detail: "Calculée à partir des données du territoire, imprimable et en PDF.", Ready: true, State: "Prête"},
		{Label: "Guide d'utilisation de l'outil", URL: "/aide", Link: "Ouvrir le guide",
			Detail: "Recenser, lancer une campagne, relancer par téléphone, lire le portrait, la méthode.", Ready: true, State: "Prêt"},
	}
	s.render(w, r, http.StatusOK, "bo_supports", v)
}

// Generated documents.
const (
	docInvitation = "invitation"
	docMethode    = "methode"
)

type documentView struct {
	layoutView
	EPCI, Name, Doc string
	Heading         string
	Text            string
	Print           bool
}

// documentData is what the documents are made of.
type documentData struct {
	Name      string
	Strategy  territory.Strategy
	Referents []*account.User
	Event     *store.Event
}

func (s *Server) documentData(r *http.Request, epci string) (*documentData, error) {
	d := &documentData{Name: s.epciName(epci)}
	var err error
	if d.Strategy, err = s.territoryStrategy(r, epci); err != nil {
		return nil, err
	}
	if d.Referents, err = s.st.Referents(r.Context(), epci); err != nil {
		return nil, err
	}
	d.Event, err = s.st.NextEvent(r.Context(), epci)
	if errors.Is(err, store.ErrNotFound) {
		err = nil
	}
	return d, err
}

func documentHeading(doc string) string {
	if doc == docInvitation {
		return "Invitation à la journée collaborative"
	}
	return "Méthode d'animation de la journée collaborative"
}

func (s *Server) documentPage(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.strategyTerritory(w, r, sess)
	if !ok {
		return
	}
	doc := r.PathValue("doc")
	if doc != docInvitation && doc != docMethode {
		s.notFoundPage(w, r, sess)
		return
	}
	d, err := s.documentData(r, epci)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	text := d.invitation()
	if doc == docMethode {
		text = d.method()
	}
	switch r.URL.Query().Get("format") {
	case "txt":
		s.sendDocument(w, epci, doc, text)
		return
	}
	heading := documentHeading(doc)
	v := documentView{layoutView: s.bo(sess, heading+" — "+d.Name, "deploiement"), EPCI: epci, Name: d.Name, Doc: doc, Heading: heading, Text: text,
		Print: r.URL.Query().Get("vue") == "impression"}
	s.render(w, r, http.StatusOK, "bo_document", v)
}

// documentExport sends back the text as the referent edited it: as a
// .txt file, or as a printable page. Nothing is stored.
func (s *Server) documentExport(w http.ResponseWriter, r *http.Request, sess *session) {
	epci, ok := s.strategyTerritory(w, r, sess)
	if !ok {
		return
	}
	doc := r.PathValue("doc")
	if doc != docInvitation && doc != docMethode {
		s.notFoundPage(w, r, sess)
		return
	}
	text := strings.ReplaceAll(r.PostFormValue("texte"), "\r\n", "\n")
	if r.PostFormValue("action") == "imprimer" {
		heading := documentHeading(doc)
		s.render(w, r, http.StatusOK, "bo_document", documentView{layoutView: s.bo(sess, heading+" — "+s.epciName(epci), "deploiement"),
			EPCI: epci, Name: s.epciName(epci), Doc: doc, Heading: heading, Text: text, Print: true})
		return
	}
	s.sendDocument(w, epci, doc, text)
}

func (s *Server) sendDocument(w http.ResponseWriter, epci, doc, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s.txt"`, doc, epci))
	// Windows editors read a BOM-less file as ANSI and garble the accents.
	w.Write([]byte("\ufeff" + strings.ReplaceAll(text, "\n", "\r\n")))
}

const toBeSpecified = "[%s à préciser]"

func placeholder(what string) string { return fmt.Sprintf(toBeSpecified, what) }

// when is the date and times of the day, in French.
func (d *documentData) when() string {
	if d.Event == nil {
		return placeholder("date")
	}
	start, end := d.Event.StartsAt.In(place.Paris), d.Event.EndsAt.In(place.Paris)
	return fmt.Sprintf("le %s %s, de %s à %s", weekdaysFR[start.Weekday()], dateFR(start), clockFR(start), clockFR(end))
}

var weekdaysFR = [...]string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

func clockFR(t time.Time) string {
	if t.Minute() == 0 {
		return fmt.Sprintf("%d h", t.Hour())
	}
	return fmt.Sprintf("%d h %02d", t.Hour(), t.Minute())
}

func (d *documentData) where() string {
	if d.Event == nil || d.Event.Place == "" {
		return placeholder("lieu")
	}
	if d.Event.Room != "" {
		return d.Event.Place + ", " + d.Event.Room
	}
	return d.Event.Place
}

func (d *documentData) programme() []string {
	if d.Event != nil && strings.TrimSpace(d.Event.Programme) != "" {
		var out []string
		for _, l := range strings.Split(d.Event.Programme, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				out = append(out, l)
			}
		}
		return out
	}
	if d.Strategy.Valid() {
		return d.Strategy.FacilitationSteps()
	}
	return []string{placeholder("programme")}
}

func (d *documentData) strategyLabel() string {
	if d.Strategy.Valid() {
		return d.Strategy.Label()
	}
	return placeholder("stratégie")
}

func (d *documentData) signatures() (contacts, names []string) {
	for _, u := range d.Referents {
		name := u.Name
		if name == "" {
			name = u.Email
		}
		contacts = append(contacts, fmt.Sprintf("%s — %s", name, u.Email))
		names = append(names, name)
	}
	if len(contacts) == 0 {
		contacts, names = []string{placeholder("contact")}, []string{placeholder("signature")}
	}
	return contacts, names
}

func bullets(b *strings.Builder, items []string) {
	for _, it := range items {
		b.WriteString("  – " + it + "\n")
	}
}

func (d *documentData) invitation() string {
	var b strings.Builder
	contacts, names := d.signatures()
	fmt.Fprintf(&b, "Objet : invitation à la journée collaborative de l'inclusion numérique — %s\n\n", d.Name)
	b.WriteString("Madame, Monsieur,\n\n")
	fmt.Fprintf(&b, "%s recense les lieux et les acteurs de l'inclusion numérique de son territoire, pour que chacun sache qui fait quoi et que les habitants soient mieux orientés. Nous avons le plaisir de vous inviter à la journée collaborative qui réunira les acteurs de la médiation numérique.\n\n", d.Name)
	fmt.Fprintf(&b, "Date : %s\n", d.when())
	fmt.Fprintf(&b, "Lieu : %s\n", d.where())
	if d.Event != nil && d.Event.Meal {
		b.WriteString("Repas : un déjeuner est offert sur place.\n")
	} else if d.Event == nil {
		fmt.Fprintf(&b, "Repas : %s\n", placeholder("repas"))
	}
	b.WriteString("\nAu programme :\n")
	bullets(&b, d.programme())
	b.WriteString("\n")
	switch d.Strategy {
	case territory.StrategyGeneraliste:
		b.WriteString("Ensemble, nous découvrirons l'outil PORTREA et chacun pourra remplir ou vérifier la fiche de sa structure : c'est elle que les habitants et les professionnels consulteront.\n\n")
	case territory.StrategyOutil:
		b.WriteString("Nous vous présenterons la base des lieux déjà pré-remplie, et nous la compléterons ensemble à partir de cas concrets : venez avec les informations de votre structure (horaires, services, publics accueillis).\n\n")
	case territory.StrategyReseau:
		b.WriteString("Ce sera l'occasion de mieux nous connaître, d'échanger sur nos pratiques et de comprendre comment chacun intervient, pour mieux orienter les personnes.\n\n")
	}
	fmt.Fprintf(&b, "Merci de confirmer votre présence avant le %s auprès de :\n", placeholder("date limite"))
	bullets(&b, contacts)
	b.WriteString("\nBien cordialement,\n\n")
	b.WriteString(strings.Join(names, ", ") + "\n")
	fmt.Fprintf(&b, "Référent·es de l'inclusion numérique — %s\n", d.Name)
	return b.String()
}

func (d *documentData) method() string {
	var b strings.Builder
	_, names := d.signatures()
	fmt.Fprintf(&b, "Méthode d'animation de la journée collaborative — %s\n\n", d.Name)
	fmt.Fprintf(&b, "Stratégie : %s\n", d.strategyLabel())
	if d.Strategy.Valid() {
		w := d.Strategy.Workload()
		fmt.Fprintf(&b, "%s\n", d.Strategy.Purpose())
		fmt.Fprintf(&b, "Temps de référent·e : %d jour de recensement et de communication, puis %d jours d'animation du réseau.\n", w.Census, w.Animation)
	}
	fmt.Fprintf(&b, "Journée : %s\n", d.when())
	fmt.Fprintf(&b, "Lieu : %s\n", d.where())
	fmt.Fprintf(&b, "Référent·es : %s\n\n", strings.Join(names, ", "))

	b.WriteString("1. Avant la journée\n")
	before := []string{"Recenser les acteurs à mobiliser avec le modèle de recensement, puis l'importer dans PORTREA."}
	if d.Strategy == territory.StrategyOutil {
		before = append(before, "Pré-remplir la base à partir des jeux de données existants, et noter les manques à combler pendant la séance.")
	}
	before = append(before, "Fixer la date, réserver la salle (et le repas), envoyer l'invitation et suivre les réponses.",
		"Préparer la fiche portrait du territoire et la projection de la carte.")
	bullets(&b, before)

	b.WriteString("\n2. Programme\n")
	if d.Event != nil && strings.TrimSpace(d.Event.Programme) != "" {
		bullets(&b, d.programme())
	} else {
		fmt.Fprintf(&b, "  %s : les étapes d'animation ci-dessous peuvent servir de programme.\n", placeholder("programme"))
	}

	b.WriteString("\n3. Étapes d'animation\n")
	steps := []string{placeholder("stratégie")}
	if d.Strategy.Valid() {
		steps = d.Strategy.FacilitationSteps()
	}
	for i, st := range steps {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, st)
	}

	b.WriteString("\n4. Trame des diapositives\n")
	slides := []string{placeholder("stratégie")}
	if d.Strategy.Valid() {
		slides = d.Strategy.Slides()
	}
	for i, sl := range slides {
		fmt.Fprintf(&b, "  Diapositive %d : %s\n", i+1, sl)
	}

	b.WriteString("\n5. Après la journée\n")
	bullets(&b, []string{
		"Consolider les données : vérifier et compléter les fiches pour que chaque acteur puisse s'y fier.",
		"Faire vivre la base : campagnes de mise à jour des 1er mars, 1er juillet et 1er novembre, relances par téléphone.",
		"Présenter la fiche portrait aux élus et aux acteurs.",
	})
	return b.String()
}

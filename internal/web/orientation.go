package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"portrea/internal/geocode"
	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/store"
)

// The orientation mode walks a helper (social worker, town-hall agent,
// aidant) through the person's need, where, when and specific needs, to
// ranked places and a printable referral sheet. Answers travel in the URL
// from step to step; nothing about the person is stored on the server.

// moments are the parts of a day the "when" step offers.
var moments = []struct {
	Code, Label string
	From, To    int // minutes
}{
	{"matin", "le matin", 8 * 60, 12 * 60},
	{"apres-midi", "l'après-midi", 12 * 60, 18 * 60},
	{"soir", "en soirée", 18 * 60, 21 * 60},
}

var orientationDays = []string{"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}

// distances offered for "how far", in km.
var distances = []int{2, 5, 10, 20, 50}

type orientationView struct {
	layoutView
	Step     int
	Hidden   []hiddenField // answers of the other steps
	Back     string        // link to the previous step
	Needs    []choiceGroup
	Where    string
	Rayon    int
	Rayons   []option
	Place    string // resolved location, for display
	Choices  []whereChoice
	WhenNow  bool
	When     []choiceGroup
	Specific []choiceGroup
	Free     bool
	Error    string
	Results  []orientationResult
	Total    int
	Summary  []string
}

type hiddenField struct{ Name, Value string }

type whereChoice struct{ Label, URL string }

type orientationResult struct {
	P        *place.Place
	Distance string
	Status   string
	Matching []string
	Fiche    string
}

// orientation serves every step; the step comes from the answers given.
func (s *Server) orientation(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := orientationView{layoutView: layoutView{Title: "Orienter une personne"}}
	v.Step, _ = strconv.Atoi(q.Get("etape"))
	v.Step = max(1, min(v.Step, 5))
	v.Rayon, _ = strconv.Atoi(q.Get("rayon"))
	if v.Rayon == 0 {
		v.Rayon = 10
	}
	// Step 2 sends a place in words: resolve it to a point once, here.
	if v.Step >= 3 && q.Get("autour") == "" {
		label, point, choices, msg := s.resolveWhere(r, q.Get("ou"))
		switch {
		case len(choices) > 1:
			v.Step, v.Choices = 2, nil
			for _, c := range choices {
				u := cloneValues(q)
				u.Set("autour", c.point)
				u.Set("lieu", c.label)
				v.Choices = append(v.Choices, whereChoice{c.label, "/orientation?" + u.Encode()})
			}
			v.Error = "Plusieurs lieux correspondent : choisissez le bon."
		case point == "":
			v.Step, v.Error = 2, msg
		default:
			q.Set("autour", point)
			q.Set("lieu", label)
		}
	}
	v.Where, v.Place = q.Get("ou"), q.Get("lieu")
	for _, d := range distances {
		v.Rayons = append(v.Rayons, option{strconv.Itoa(d), fmt.Sprintf("%d km", d), d == v.Rayon})
	}
	ff := s.filterForm(q)
	v.Needs = ff.Services
	for _, g := range ff.Others {
		if g.Title == place.Publics.Title || g.Title == place.PriseEnCharge.Title {
			v.Specific = append(v.Specific, g)
		}
	}
	v.Free = checked(q, "frais", "gratuit", place.Frais)
	v.WhenNow = checked(q, "quand", "maintenant", nil)
	for _, m := range moments {
		g := choiceGroup{Title: "Disponible " + m.Label}
		for _, d := range orientationDays {
			code := d + "-" + m.Code
			g.Choices = append(g.Choices, choice{"quand", code, strings.ToUpper(d[:1]) + d[1:], checked(q, "quand", code, nil)})
		}
		v.When = append(v.When, g)
	}
	own := map[int][]string{1: {"services"}, 2: {"ou", "rayon", "autour", "lieu"}, 3: {"quand"}, 4: {"publics", "prise_en_charge", "frais"}}
	for k, vals := range q {
		if k == "etape" || contains(own[v.Step], k) || (v.Step == 2 && (k == "autour" || k == "lieu")) {
			continue
		}
		for _, x := range vals {
			v.Hidden = append(v.Hidden, hiddenField{k, x})
		}
	}
	if v.Step > 1 {
		back := cloneValues(q)
		back.Set("etape", strconv.Itoa(v.Step-1))
		v.Back = "/orientation?" + back.Encode()
	}
	if v.Step == 5 {
		if err := s.orientationResults(r, q, &v); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "orientation", v)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func cloneValues(q url.Values) url.Values {
	out := url.Values{}
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

type resolved struct{ label, point string }

// resolveWhere finds the point of "where" typed by the helper: a postcode
// or a commune name from the built-in reference, otherwise an address
// through the geocoder. It returns several choices when the words are
// ambiguous, and a French message when nothing is found.
func (s *Server) resolveWhere(r *http.Request, where string) (string, string, []resolved, string) {
	where = strings.TrimSpace(where)
	if where == "" {
		return "", "", nil, "Indiquez une adresse, une commune ou un code postal."
	}
	var found []resolved
	add := func(label string, lat, lon float64) {
		found = append(found, resolved{label, fmt.Sprintf("%.5f,%.5f", lat, lon)})
	}
	if len(where) == 5 && strings.Trim(where, "0123456789") == "" {
		for _, c := range s.ref.CommunesByPostcode(where) {
			if c.Lat != 0 {
				add(c.Nom+" ("+where+")", c.Lat, c.Lon)
			}
		}
	} else {
		key := place.Fold(where)
		for _, c := range s.ref.Communes() {
			if place.Fold(c.Nom) == key && c.Lat != 0 {
				add(fmt.Sprintf("%s (%s)", c.Nom, c.Departement), c.Lat, c.Lon)
			}
		}
	}
	if len(found) == 1 {
		return found[0].label, found[0].point, nil, ""
	}
	if len(found) > 1 {
		return "", "", found, ""
	}
	res, err := s.geo.Search(r.Context(), where, 5)
	if errors.Is(err, geocode.ErrUnavailable) {
		return "", "", nil, "La recherche d'adresse est indisponible pour le moment : indiquez le nom de la commune ou son code postal."
	}
	if err != nil || len(res) == 0 {
		return "", "", nil, fmt.Sprintf("« %s » n'a pas été trouvé : vérifiez l'adresse, ou indiquez la commune ou le code postal.", where)
	}
	return res[0].Label, fmt.Sprintf("%.5f,%.5f", res[0].Lat, res[0].Lon), nil, ""
}

// slotsOf turns the "when" answers into weekly slots.
func slotsOf(q url.Values) []store.Slot {
	var out []store.Slot
	for _, code := range values(q, "quand") {
		day, moment, ok := strings.Cut(code, "-")
		if !ok {
			continue
		}
		for d, name := range orientationDays {
			if name != day {
				continue
			}
			for _, m := range moments {
				if m.Code == moment {
					out = append(out, store.Slot{Day: d, From: m.From, To: m.To})
				}
			}
		}
	}
	return out
}

func (s *Server) orientationResults(r *http.Request, q url.Values, v *orientationView) error {
	fq := url.Values{"services": q["services"], "publics": q["publics"], "prise_en_charge": q["prise_en_charge"],
		"frais": q["frais"], "autour": {q.Get("autour")}, "rayon": {strconv.Itoa(v.Rayon)}}
	f, err := s.filterFromQuery(fq)
	var br badRequest
	if errors.As(err, &br) {
		v.Error = br.msg
		return nil
	} else if err != nil {
		return err
	}
	f.Slots = slotsOf(q)
	if v.WhenNow {
		f.OpenAt = s.now()
	}
	f.Limit = 20
	page, err := s.st.ListPublicPlaces(r.Context(), f)
	if err != nil {
		return err
	}
	v.Total = page.Total
	now := s.now().In(place.Paris)
	for i, p := range page.Places {
		res := orientationResult{P: p, Distance: kmFR(page.Distances[i])}
		if oh, err := openinghours.Parse(p.Horaires); err == nil {
			res.Status = openStatus(oh, now)
		} else {
			res.Status = "Horaires non renseignés : téléphonez avant de vous déplacer"
		}
		res.Matching = place.Services.Labels(p.Services & f.Services)
		fiche := url.Values{"lieu": {p.ID}, "services": q["services"]}
		res.Fiche = "/orientation/fiche?" + fiche.Encode()
		v.Results = append(v.Results, res)
	}
	if labels := place.Services.Labels(f.Services); len(labels) > 0 {
		v.Summary = append(v.Summary, "Besoin : "+strings.Join(labels, ", "))
	}
	v.Summary = append(v.Summary, fmt.Sprintf("À moins de %d km de %s", v.Rayon, v.Place))
	var when []string
	if v.WhenNow {
		when = append(when, "maintenant")
	}
	for _, g := range v.When {
		for _, c := range g.Choices {
			if c.Checked {
				when = append(when, strings.ToLower(c.Label)+" "+strings.TrimPrefix(g.Title, "Disponible "))
			}
		}
	}
	if len(when) > 0 {
		v.Summary = append(v.Summary, "Disponible : "+strings.Join(when, ", "))
	}
	if labels := append(place.Publics.Labels(f.Publics), place.PriseEnCharge.Labels(f.PriseEnCharge)...); len(labels) > 0 {
		v.Summary = append(v.Summary, "Besoins particuliers : "+strings.Join(labels, ", "))
	}
	return nil
}

// kmFR writes a distance the French way: "850 m", "2,4 km", "12 km".
func kmFR(km float64) string {
	switch {
	case km < 1:
		return fmt.Sprintf("%d m", int(km*100+0.5)*10)
	case km < 10:
		return strings.Replace(fmt.Sprintf("%.1f km", km), ".", ",", 1)
	}
	return fmt.Sprintf("%.0f km", km)
}

type ficheView struct {
	layoutView
	P        *place.Place
	Services []string
	Acces    []string
	Frais    []string
	Week     []dayView
	Status   string
	Bring    string
	// Filled in by the helper, never stored.
	Person, Prescriber, Structure, Note string
	Printable                           bool
}

// toBring suggests what the person should take along, from their needs.
func toBring(services place.Set) string {
	var lines []string
	if services&place.Services.Bit("aide-demarches") != 0 {
		lines = append(lines, "une pièce d'identité", "les identifiants des comptes en ligne (CAF, impôts, Ameli, France Travail…)", "les courriers et justificatifs utiles à la démarche")
	}
	if services&(place.Services.Bit("outils-quotidien")|place.Services.Bit("usage-securise")) != 0 {
		lines = append(lines, "son téléphone ou sa tablette, chargé, avec ses codes")
	}
	if services&place.Services.Bit("insertion-pro") != 0 {
		lines = append(lines, "son CV et ses identifiants France Travail")
	}
	if services&place.Services.Bit("materiel-solidaire") != 0 {
		lines = append(lines, "un justificatif de ressources (certains lieux le demandent)")
	}
	return strings.Join(lines, "\n")
}

// orientationSheet shows the form of the referral sheet (GET) and the
// sheet to print (POST). The names typed go into the page and nowhere
// else: the request body is neither logged nor stored.
func (s *Server) orientationSheet(w http.ResponseWriter, r *http.Request) {
	id := r.URL.Query().Get("lieu")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
		if err := r.ParseForm(); err != nil {
			http.Error(w, "formulaire illisible", http.StatusBadRequest)
			return
		}
		id = r.PostFormValue("lieu")
	}
	p, err := s.st.GetPublicPlace(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", errorView{layoutView{Title: "Lieu introuvable"}, "Ce lieu n'existe pas ou n'est plus publié."})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	needs, _ := place.Services.ParseList(values(r.URL.Query(), "services"))
	v := ficheView{layoutView: layoutView{Title: "Fiche d'orientation — " + p.Nom}, P: p,
		Services: place.Services.Labels(p.Services), Frais: place.Frais.Labels(p.Frais),
		Acces: place.ModalitesAcces.Labels(p.ModalitesAcces &^ place.ModalitesAcces.Bit("pas-de-public")),
		Bring: toBring(needs & p.Services)}
	if v.Bring == "" {
		v.Bring = toBring(p.Services)
	}
	now := s.now().In(place.Paris)
	if oh, err := openinghours.Parse(p.Horaires); err == nil {
		v.Status = openStatus(oh, now)
		monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
		for i, d := range oh.Week(monday) {
			v.Week = append(v.Week, dayView{Name: openinghours.DayNamesFR[i], Hours: openinghours.FormatFrench(d)})
		}
	}
	if r.Method == http.MethodPost {
		v.Printable = true
		v.Person = strings.TrimSpace(r.PostFormValue("personne"))
		v.Prescriber = strings.TrimSpace(r.PostFormValue("prescripteur"))
		v.Structure = strings.TrimSpace(r.PostFormValue("structure"))
		v.Bring = strings.TrimSpace(r.PostFormValue("apporter"))
		v.Note = strings.TrimSpace(r.PostFormValue("note"))
		// The sheet holds personal data: no cache may keep it.
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, http.StatusOK, "fiche", v)
}

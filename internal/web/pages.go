package web

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"portrea/internal/openinghours"
	"portrea/internal/place"
	"portrea/internal/store"
)

//go:embed templates
var templateFiles embed.FS

// pages holds one parsed template set per page, each with the layout.
type pages struct {
	byName map[string]*template.Template
}

func parsePages(as *assets) (*pages, error) {
	funcs := template.FuncMap{
		"asset":     as.url,
		"dateFR":    dateFR,
		"phoneFR":   place.FormatPhone,
		"thousands": thousands,
	}
	layout, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFiles, "templates/layout.html")
	if err != nil {
		return nil, fmt.Errorf("web: layout: %w", err)
	}
	names, err := fs.Glob(templateFiles, "templates/page_*.html")
	if err != nil {
		return nil, err
	}
	pg := &pages{byName: map[string]*template.Template{}}
	for _, n := range names {
		t, err := template.Must(layout.Clone()).ParseFS(templateFiles, n)
		if err != nil {
			return nil, fmt.Errorf("web: %s: %w", n, err)
		}
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/page_"), ".html")
		pg.byName[name] = t
	}
	return pg, nil
}

// render executes a page into a buffer first, so that a template error
// gives a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	t, ok := s.pages.byName[name]
	if !ok {
		s.log.Error("render: unknown page", "page", name)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", view); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, "erreur interne", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	buf.WriteTo(w)
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}

// dateFR writes a date the French way: "2 avril 2024".
func dateFR(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	day := strconv.Itoa(t.Day())
	if t.Day() == 1 {
		day = "1er"
	}
	return fmt.Sprintf("%s %s %d", day, monthsFR[t.Month()-1], t.Year())
}

// thousands writes an integer with the French thousands separator
// (a narrow no-break space): 100 000.
func thousands(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + thousands(-n)
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteRune('\u202f')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// layoutView is what the layout needs from every page.
type layoutView struct {
	Title string
}

type homeView struct {
	layoutView
	Q        string
	Total    int
	Places   []*place.Place
	Page     int
	Pages    int
	PrevURL  string
	NextURL  string
	Services []place.Item
}

const homePageSize = 20

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	pageNo, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if pageNo < 1 {
		pageNo = 1
	}
	res, err := s.st.ListPublicPlaces(r.Context(), store.PlaceFilter{Q: q, Limit: homePageSize, Offset: (pageNo - 1) * homePageSize})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := homeView{layoutView: layoutView{Title: "Lieux d'inclusion numérique"}, Q: q, Total: res.Total, Places: res.Places, Page: pageNo}
	v.Pages = (res.Total + homePageSize - 1) / homePageSize
	link := func(n int) string {
		vals := url.Values{}
		if q != "" {
			vals.Set("q", q)
		}
		if n > 1 {
			vals.Set("page", strconv.Itoa(n))
		}
		if len(vals) == 0 {
			return "/"
		}
		return "/?" + vals.Encode()
	}
	if pageNo > 1 {
		v.PrevURL = link(pageNo - 1)
	}
	if pageNo < v.Pages {
		v.NextURL = link(pageNo + 1)
	}
	s.render(w, r, http.StatusOK, "home", v)
}

type dayView struct {
	Name  string
	Hours string
	Today bool
}

type placeView struct {
	layoutView
	P             *place.Place
	Services      []string
	Publics       []string
	PriseEnCharge []string
	Frais         []string
	Acces         []string
	Accomp        []string
	Dispositifs   []string
	Labels        []string
	Typologies    []string
	Week          []dayView
	OpenNow       bool
	HasHours      bool
	Comments      []string
}

func (s *Server) placeSheet(w http.ResponseWriter, r *http.Request) {
	p, err := s.st.GetPublicPlace(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "error", errorView{layoutView{Title: "Lieu introuvable"}, "Ce lieu n'existe pas ou n'est plus publié."})
		return
	}
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	v := placeView{
		layoutView:    layoutView{Title: p.Nom},
		P:             p,
		Services:      place.Services.Labels(p.Services),
		Publics:       place.Publics.Labels(p.Publics),
		PriseEnCharge: place.PriseEnCharge.Labels(p.PriseEnCharge),
		Frais:         place.Frais.Labels(p.Frais),
		Acces:         place.ModalitesAcces.Labels(p.ModalitesAcces),
		Accomp:        place.ModalitesAccompagnement.Labels(p.ModalitesAccompagnement),
		Dispositifs:   place.Dispositifs.Labels(p.Dispositifs),
		Labels:        append(place.FormationsLabels.Labels(p.FormationsLabels), p.AutresLabels...),
		Typologies:    place.TypologyLabels(p.Typologies),
	}
	if oh, err := openinghours.Parse(p.Horaires); err == nil {
		now := s.now().In(place.Paris)
		monday := now.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7))
		week := oh.Week(monday)
		v.HasHours, v.OpenNow, v.Comments = true, oh.OpenAt(now), oh.Comments()
		for i, d := range week {
			v.Week = append(v.Week, dayView{Name: openinghours.DayNamesFR[i], Hours: openinghours.FormatFrench(d), Today: i == (int(now.Weekday())+6)%7})
		}
	}
	s.render(w, r, http.StatusOK, "place", v)
}

type errorView struct {
	layoutView
	Message string
}

func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("page", "path", r.URL.Path, "err", err)
	s.render(w, r, http.StatusInternalServerError, "error", errorView{layoutView{Title: "Erreur"}, "Une erreur est survenue de notre côté. Réessayez dans quelques instants."})
}

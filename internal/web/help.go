package web

import "net/http"

// The built-in user guide: static pages, readable without signing in
// (they hold no private data) and linked from every back-office page.

// helpPage is one page of the guide.
type helpPage struct {
	Slug, Title string
}

// helpPages lists the guide in reading order; the first is the index.
var helpPages = []helpPage{
	{"", "Guide d'utilisation"},
	{"recensement", "Recenser les acteurs"},
	{"campagnes", "Lancer une campagne de mise à jour"},
	{"appels", "Relancer par téléphone"},
	{"portrait", "Lire le portrait du territoire"},
	{"methode", "La méthode de déploiement"},
	{"donnees-personnelles", "Les données personnelles"},
}

type helpLink struct {
	URL, Title string
	Current    bool
}

type helpView struct {
	layoutView
	Page, Heading string
	Pages         []helpLink
}

func (s *Server) helpPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("page")
	v := helpView{Page: slug}
	found := false
	for _, p := range helpPages {
		url := "/aide"
		if p.Slug != "" {
			url += "/" + p.Slug
		}
		if p.Slug == slug {
			found, v.Title, v.Heading = true, p.Title, p.Title
		}
		v.Pages = append(v.Pages, helpLink{URL: url, Title: p.Title, Current: p.Slug == slug})
	}
	// Signed in, the guide keeps the back-office header.
	if sess := s.currentSession(r); sess != nil {
		w.Header().Set("Cache-Control", "no-store") // the page holds the session's CSRF token
		v.User, v.CSRF, v.Nav = sess.User, sess.CSRF, "aide"
	}
	if !found {
		s.render(w, r, http.StatusNotFound, "error", errorView{layoutView{Title: "Page introuvable", User: v.User, CSRF: v.CSRF},
			"Cette page du guide n'existe pas. Retrouvez toutes les pages sur /aide."})
		return
	}
	if slug != "" {
		v.Title += " — Aide"
	}
	s.render(w, r, http.StatusOK, "aide", v)
}

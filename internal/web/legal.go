package web

import "net/http"

// The legal pages every French public service publishes: what personal
// data it holds, and its accessibility declaration. Static text, linked
// from the footer of every page.

// accessibilityAuditedPages are the pages the browser tests check with
// axe-core; the accessibility declaration lists them.
var accessibilityAuditedPages = []string{
	"la carte et l'annuaire (/)",
	"la fiche publique d'un lieu",
	"l'orientation d'une personne et ses résultats",
	"la carte intégrée (/embed) et le générateur d'intégration (/integrer)",
	"le portrait de territoire",
	"la page Rejoindre, la connexion et le mot de passe oublié",
	"le guide d'utilisation (/aide)",
	"le formulaire de mise à jour d'un lieu (lien personnel), sa confirmation et la page de lien invalide",
	"la réponse à une invitation à une journée collaborative et sa confirmation",
	"les pages Données personnelles et Accessibilité",
	"l'espace de gestion : tableau de bord, lieux, éditeur d'un lieu, doublons, signalements, recensement, import, campagnes, journées, réseau, déploiement",
}

type legalView struct {
	layoutView
	Audited []string
}

func (s *Server) personalDataPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "donnees_personnelles", legalView{layoutView: layoutView{Title: "Données personnelles"}})
}

func (s *Server) accessibilityPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "accessibilite", legalView{layoutView: layoutView{Title: "Déclaration d'accessibilité"}, Audited: accessibilityAuditedPages})
}

package web

import "net/http"

// routes declares every URL of PORTREA, grouped by area.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Operations.
	mux.HandleFunc("GET /healthz", s.healthz)

	// Public site.
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /lieux/{id}", s.placeSheet)
	mux.HandleFunc("POST /lieux/{id}/signaler", s.reportError)
	mux.HandleFunc("GET /orientation", s.orientation)
	mux.HandleFunc("GET /orientation/fiche", s.orientationSheet)
	mux.HandleFunc("POST /orientation/fiche", s.orientationSheet)
	mux.HandleFunc("GET /embed", s.embed)
	mux.HandleFunc("GET /integrer", s.integrer)
	mux.HandleFunc("GET /rejoindre", s.joinPage)
	mux.HandleFunc("POST /rejoindre", s.join)
	mux.HandleFunc("GET /maj/{secret}/o.gif", s.openPixel)
	mux.HandleFunc("GET /territoires/{siren}/portrait", s.portraitPage)
	mux.HandleFunc("GET /territoires/{siren}/portrait.pdf", s.portraitPDF)
	mux.Handle("GET /static/{hash}/{path...}", s.assets)

	// Personal update links.
	mux.HandleFunc("GET /maj/{secret}", s.withLink(s.majPage))
	mux.HandleFunc("POST /maj/{secret}", s.withLink(s.saveEdit))
	mux.HandleFunc("POST /maj/{secret}/reponse", s.withLink(s.quickAnswer))
	mux.HandleFunc("GET /maj/{secret}/merci", s.withLink(s.majDone))
	mux.HandleFunc("GET /maj/{secret}/horaires/apercu", s.withLink(s.majHoursPreview))
	mux.HandleFunc("GET /maj/{secret}/desinscription", s.withLink(s.optOutPage))
	mux.HandleFunc("POST /maj/{secret}/desinscription", s.withLink(s.optOut))

	// Public API.
	mux.HandleFunc("GET /api/openapi.json", s.openAPI)
	mux.HandleFunc("GET /api/v1/lieux", s.apiPlaces)
	mux.HandleFunc("GET /api/v1/lieux.geojson", s.apiPlacesGeoJSON)
	mux.HandleFunc("GET /api/v1/lieux/{id}", s.apiPlace)
	mux.HandleFunc("GET /api/v1/carte", s.apiMap)
	mux.HandleFunc("GET /api/v1/adresses", s.apiAddresses)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.csv", s.exportStandardCSV)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.json", s.exportStandardJSON)
	mux.HandleFunc("GET /api/v1/export/lieux-de-mediation-numerique.geojson", s.exportGeoJSON)
	mux.HandleFunc("GET /api/v1/export/data-inclusion.json", s.exportDataInclusion)

	// Accounts.
	mux.HandleFunc("GET /connexion", s.loginPage)
	mux.HandleFunc("POST /connexion", s.login)
	mux.HandleFunc("POST /deconnexion", s.signedIn(s.logout))
	mux.HandleFunc("GET /compte/activer", s.passwordPage)
	mux.HandleFunc("POST /compte/activer", s.setPassword)
	mux.HandleFunc("GET /compte/reinitialiser", s.passwordPage)
	mux.HandleFunc("POST /compte/reinitialiser", s.setPassword)
	mux.HandleFunc("GET /compte/oubli", s.forgotPage)
	mux.HandleFunc("POST /compte/oubli", s.forgot)

	// Back office: referents (their territories) and the hub (all).
	mux.HandleFunc("GET /gestion", s.signedIn(s.dashboard))
	mux.HandleFunc("GET /gestion/lieux", s.signedIn(s.placeList))
	mux.HandleFunc("POST /gestion/lieux", s.signedIn(s.createPlace))
	mux.HandleFunc("GET /gestion/lieux/nouveau", s.signedIn(s.newPlaceForm))
	mux.HandleFunc("POST /gestion/lieux/export", s.signedIn(s.exportSelection))
	mux.HandleFunc("GET /gestion/lieux/{id}", s.signedIn(s.placeEditor))
	mux.HandleFunc("POST /gestion/lieux/{id}", s.signedIn(s.savePlace))
	mux.HandleFunc("POST /gestion/lieux/{id}/confirmer", s.signedIn(s.confirmPlace))
	mux.HandleFunc("POST /gestion/lieux/{id}/historique/{hid}/annuler", s.signedIn(s.revertChange))
	mux.HandleFunc("GET /gestion/horaires/apercu", s.signedIn(s.hoursPreview))
	mux.HandleFunc("GET /gestion/geocodage", s.signedIn(s.geocodeAddress))
	mux.HandleFunc("GET /gestion/doublons", s.signedIn(s.duplicatesPage))
	mux.HandleFunc("GET /gestion/doublons/{a}/{b}", s.signedIn(s.mergePage))
	mux.HandleFunc("POST /gestion/doublons/{a}/{b}/fusionner", s.signedIn(s.merge))
	mux.HandleFunc("POST /gestion/doublons/{a}/{b}/distincts", s.signedIn(s.notDuplicate))
	mux.HandleFunc("GET /gestion/a-traiter", s.signedIn(s.queuePage))
	mux.HandleFunc("POST /gestion/a-traiter/{id}", s.signedIn(s.closeReport))
	mux.HandleFunc("POST /gestion/portraits/{siren}/avant-propos", s.signedIn(s.saveForeword))
	mux.HandleFunc("POST /gestion/portraits/{siren}/contours", s.signedIn(s.refreshOutlines))
	mux.HandleFunc("GET /gestion/recensement", s.signedIn(s.censusPage))
	mux.HandleFunc("GET /gestion/recensement/modele/{epci}", s.signedIn(s.censusTemplate))
	mux.HandleFunc("POST /gestion/recensement/imports", s.signedIn(s.uploadImport))
	mux.HandleFunc("GET /gestion/recensement/imports/{id}", s.signedIn(s.importPage))
	mux.HandleFunc("GET /gestion/recensement/imports/{id}/etat", s.signedIn(s.importProgress))
	mux.HandleFunc("GET /gestion/recensement/imports/{id}/colonnes", s.signedIn(s.mappingPage))
	mux.HandleFunc("POST /gestion/recensement/imports/{id}/colonnes", s.signedIn(s.saveMapping))
	mux.HandleFunc("POST /gestion/recensement/imports/{id}/apercu", s.signedIn(s.rerunPreview))
	mux.HandleFunc("POST /gestion/recensement/imports/{id}/valider", s.signedIn(s.commitImport))
	mux.HandleFunc("GET /gestion/recensement/imports/{id}/rapport.csv", s.signedIn(s.importReport))
	mux.HandleFunc("GET /gestion/exports", s.signedIn(s.exportsPage))
	mux.HandleFunc("GET /gestion/exports/{epci}/xlsx", s.signedIn(s.exportWorkbook))

	// Back office: complementary fields, network.
	mux.HandleFunc("GET /gestion/reseau", s.signedIn(s.networkHome))
	mux.HandleFunc("GET /gestion/territoires/{siren}/champs", s.signedIn(s.extraFieldsPage))
	mux.HandleFunc("POST /gestion/territoires/{siren}/champs", s.signedIn(s.createExtraField))
	mux.HandleFunc("POST /gestion/territoires/{siren}/champs/{id}", s.signedIn(s.updateExtraField))
	mux.HandleFunc("POST /gestion/territoires/{siren}/champs/{id}/monter", s.signedIn(s.moveExtraField(-1)))
	mux.HandleFunc("POST /gestion/territoires/{siren}/champs/{id}/descendre", s.signedIn(s.moveExtraField(1)))
	mux.HandleFunc("POST /gestion/territoires/{siren}/champs/{id}/retirer", s.signedIn(s.retireExtraField(true)))
	mux.HandleFunc("POST /gestion/territoires/{siren}/champs/{id}/restaurer", s.signedIn(s.retireExtraField(false)))
	mux.HandleFunc("GET /gestion/territoires/{siren}/reseau", s.signedIn(s.networkPage))
	mux.HandleFunc("POST /gestion/territoires/{siren}/reseau/ateliers", s.signedIn(s.createAnimation))
	mux.HandleFunc("POST /gestion/territoires/{siren}/reseau/ateliers/{id}", s.signedIn(s.updateAnimation))
	mux.HandleFunc("POST /gestion/territoires/{siren}/reseau/ateliers/{id}/supprimer", s.signedIn(s.deleteAnimation))
	mux.HandleFunc("POST /gestion/territoires/{siren}/reseau/annuaire", s.signedIn(s.saveDirectoryConsents))
	mux.HandleFunc("GET /gestion/territoires/{siren}/reseau/annuaire", s.signedIn(s.directoryPrint))
	mux.HandleFunc("GET /gestion/territoires/{siren}/reseau/annuaire.csv", s.signedIn(s.directoryCSV))

	// Back office: campaigns.
	mux.HandleFunc("GET /gestion/campagnes", s.signedIn(s.campaignsPage))
	mux.HandleFunc("POST /gestion/campagnes", s.signedIn(s.startCampaign))
	mux.HandleFunc("GET /gestion/campagnes/{id}", s.signedIn(s.campaignPage))
	mux.HandleFunc("GET /gestion/campagnes/{id}/etat", s.signedIn(s.campaignProgress))
	mux.HandleFunc("POST /gestion/campagnes/{id}/statut", s.signedIn(s.setCampaignStatus))
	mux.HandleFunc("POST /gestion/campagnes/{id}/modifier", s.signedIn(s.editCampaign))
	mux.HandleFunc("POST /gestion/campagnes/{id}/lieux/{place}/revoquer", s.signedIn(s.revokeLink))
	mux.HandleFunc("GET /gestion/campagnes/{id}/appels", s.signedIn(s.callsPage))
	mux.HandleFunc("GET /gestion/campagnes/{id}/appels.csv", s.signedIn(s.callsCSV))
	mux.HandleFunc("POST /gestion/campagnes/{id}/appels/{place}", s.signedIn(s.recordCall))
	mux.HandleFunc("POST /gestion/a-traiter/propositions/{id}", s.signedIn(s.decideProposal))

	// Collaborative day.
	mux.HandleFunc("GET /gestion/journees", s.signedIn(s.eventsPage))
	mux.HandleFunc("POST /gestion/journees", s.signedIn(s.createEvent))
	mux.HandleFunc("GET /gestion/journees/{id}", s.signedIn(s.eventPage))
	mux.HandleFunc("POST /gestion/journees/{id}", s.signedIn(s.saveEvent))
	mux.HandleFunc("POST /gestion/journees/{id}/contacts", s.signedIn(s.addContact))
	mux.HandleFunc("POST /gestion/journees/{id}/invitations", s.signedIn(s.sendInvitations))
	mux.HandleFunc("GET /gestion/journees/{id}/accueil", s.signedIn(s.checkInPage))
	mux.HandleFunc("POST /gestion/journees/{id}/accueil/{invitee}", s.signedIn(s.checkIn))
	mux.HandleFunc("GET /gestion/journees/{id}/qr/{invitee}", s.signedIn(s.qrPage))
	mux.HandleFunc("GET /journee/{secret}", s.withInvitation(s.rsvpPage))
	mux.HandleFunc("POST /journee/{secret}", s.withInvitation(s.saveRSVP))

	// Back office: strategy, supports, help.
	mux.HandleFunc("GET /gestion/deploiement/{siren}/strategie", s.signedIn(s.strategyPage))
	mux.HandleFunc("POST /gestion/deploiement/{siren}/strategie", s.signedIn(s.saveStrategy))
	mux.HandleFunc("GET /gestion/deploiement/{siren}/supports", s.signedIn(s.supportsPage))
	mux.HandleFunc("GET /gestion/deploiement/{siren}/documents/{doc}", s.signedIn(s.documentPage))
	mux.HandleFunc("POST /gestion/deploiement/{siren}/documents/{doc}", s.signedIn(s.documentExport))
	mux.HandleFunc("GET /aide", s.helpPage)
	mux.HandleFunc("GET /aide/{page}", s.helpPage)

	// Back office: the hub only.
	mux.HandleFunc("GET /gestion/utilisateurs", s.hubOnly(s.usersPage))
	mux.HandleFunc("POST /gestion/utilisateurs", s.hubOnly(s.createUser))
	mux.HandleFunc("POST /gestion/utilisateurs/{id}/activation", s.hubOnly(s.toggleUser))
	mux.HandleFunc("GET /gestion/journal", s.hubOnly(s.auditPage))
	mux.HandleFunc("GET /gestion/courriels", s.hubOnly(s.outboxPage))
	mux.HandleFunc("GET /gestion/parametres", s.hubOnly(s.settingsPage))
	mux.HandleFunc("POST /gestion/parametres", s.hubOnly(s.saveSettings))

	// Hub: deployment pipeline.
	mux.HandleFunc("GET /gestion/deploiement", s.hubOnly(s.pipelinePage))
	mux.HandleFunc("GET /gestion/deploiement.csv", s.hubOnly(s.pipelineCSV))
	mux.HandleFunc("GET /gestion/deploiement/{siren}", s.hubOnly(s.timelinePage))
	mux.HandleFunc("POST /gestion/deploiement/{siren}/phase", s.hubOnly(s.changePhase))
	mux.HandleFunc("POST /gestion/deploiement/{siren}/journal", s.hubOnly(s.recordJournal))
	mux.HandleFunc("POST /gestion/deploiement/{siren}/referents", s.hubOnly(s.nameReferent))

	return s.logRequests(securityHeaders(compress(mux)))
}

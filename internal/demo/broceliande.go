package demo

// seedPlace describes one demo place compactly; lists are codes of the
// place vocabularies separated by spaces.
type seedPlace struct {
	insee, nom, adresse, complement string
	typ                             string // typology codes
	services                        string
	publics, pec, frais             string
	acces, accomp                   string
	dispositifs, labels             string
	hours                           string
	resume                          string
	ageMonths                       int    // months since the record was last confirmed
	contact                         string // private contact person ("" for none)
	itinerant                       bool
	noPivot                         bool // SIRET unknown
	noPosition                      bool // not geocoded yet
	noEmail                         bool // no public e-mail
	closed                          bool
}

// broceliande is the demo territory: CC Brocéliande Communauté (SIREN
// 243500618), 8 communes of Ille-et-Vilaine. Names, addresses and people
// are invented but typical of a rural Breton EPCI; some records have gaps
// and old dates on purpose, so that quality features have work to show.
var broceliande = []seedPlace{
	// Plélan-le-Grand, seat of the EPCI.
	{insee: "35223", nom: "France Services Brocéliande", adresse: "1 rue des Korrigans", typ: "RFS",
		services: "aide-demarches outils-quotidien usage-securise", frais: "gratuit",
		acces: "se-presenter telephoner rdv-en-ligne", accomp: "individuel",
		dispositifs: "france-services aidants-connect conseillers-numeriques caf",
		hours:       "Mo-Fr 09:00-12:30,13:30-17:30; Sa 09:00-12:00; PH off",
		resume:      "Accompagnement gratuit dans vos démarches administratives en ligne (CAF, impôts, ANTS, retraite, santé) avec des agents formés et une conseillère numérique.",
		ageMonths:   2, contact: "Soizic Le Guen"},
	{insee: "35223", nom: "Médiathèque L'Arbre à lire", adresse: "6 place du Gal", typ: "BIB",
		services: "outils-quotidien comprehension loisirs-creations acces-materiel", frais: "gratuit",
		acces: "se-presenter telephoner", accomp: "autonomie atelier-collectif individuel",
		dispositifs: "conseillers-numeriques", hours: "Tu 16:00-18:30; We 10:00-12:30,14:00-18:30; Fr 16:00-18:30; Sa 10:00-12:30,14:00-17:00",
		resume:    "Postes informatiques en accès libre, ateliers tablette et smartphone le mercredi matin, initiation à la photo numérique.",
		ageMonths: 4, contact: "Erwan Daniel"},
	{insee: "35223", nom: "Mairie de Plélan-le-Grand", adresse: "1 place de la Mairie", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00; PH off", ageMonths: 9, contact: "Martine Rolland"},
	{insee: "35223", nom: "Brocéliande Communauté — Espace emploi", adresse: "1 rue des Korrigans", complement: "1er étage", typ: "CC",
		services: "insertion-pro outils-quotidien", frais: "gratuit", publics: "jeunes",
		acces: "telephoner contacter-par-mail", accomp: "individuel atelier-collectif",
		hours: "Mo-Th 09:00-12:30,13:30-17:00; Fr 09:00-12:30", ageMonths: 14,
		resume: "Aide à la recherche d'emploi en ligne : CV, candidatures, espace France Travail.", contact: "Yann Hamon"},
	{insee: "35223", nom: "Mission locale — permanence de Plélan-le-Grand", adresse: "1 rue des Korrigans", typ: "ML",
		services: "insertion-pro aide-demarches", publics: "jeunes", frais: "gratuit", acces: "telephoner rdv-en-ligne",
		accomp: "individuel", hours: `Tu 09:00-12:00,14:00-17:00 "sur rendez-vous"`, ageMonths: 30, noEmail: true},
	{insee: "35223", nom: "Centre social Ti Lien", adresse: "3 rue de l'Hermine", typ: "CS",
		services: "outils-quotidien parentalite aide-demarches usage-securise", publics: "familles", frais: "gratuit gratuit-sous-condition",
		acces: "se-presenter telephoner", accomp: "atelier-collectif individuel", dispositifs: "conseillers-numeriques",
		hours: "Mo-Fr 09:00-12:00,14:00-18:00", ageMonths: 5,
		resume: "Ateliers parents-enfants autour des écrans, aide aux démarches et café numérique le jeudi.", contact: "Nolwenn Briand"},
	{insee: "35223", nom: "Bus numérique de Brocéliande", adresse: "1 rue des Korrigans", complement: "Stationnement sur les marchés du territoire", typ: "ENM",
		services: "aide-demarches outils-quotidien usage-securise", frais: "gratuit", acces: "se-presenter telephoner",
		accomp: "individuel atelier-collectif", dispositifs: "conseillers-numeriques", itinerant: true,
		hours:  `Mo 09:00-12:00; We 14:00-17:00; Th 09:00-12:00 "tournée dans les communes, calendrier sur le site"`,
		resume: "Le bus numérique sillonne les 8 communes : aide aux démarches et ateliers au plus près de chez vous.", ageMonths: 1, contact: "Gaëlle Morvan"},
	{insee: "35223", nom: "Ressourcerie de Brocéliande", adresse: "ZA de la Pointe", typ: "RESSOURCERIE",
		services: "materiel-solidaire acces-materiel", frais: "payant", acces: "se-presenter", accomp: "autonomie",
		hours: "We 14:00-18:00; Sa 10:00-12:30,14:00-18:00", ageMonths: 20,
		resume: "Ordinateurs et téléphones reconditionnés à petit prix, réparation et conseils.", contact: "Thierry Lemoine"},
	{insee: "35223", nom: "La Poste — Plélan-le-Grand", adresse: "12 rue de Rennes", typ: "LA_POSTE",
		services: "aide-demarches outils-quotidien", frais: "gratuit", acces: "se-presenter", accomp: "autonomie individuel",
		labels: "etapes-numeriques", hours: "Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00", ageMonths: 40, noEmail: true},
	{insee: "35223", nom: "Coordination numérique de Brocéliande Communauté", adresse: "1 rue des Korrigans", typ: "CC",
		acces: "pas-de-public", hours: "", ageMonths: 3, contact: "Soizic Le Guen",
		resume: "Coordination du réseau des acteurs de l'inclusion numérique du territoire. Ce service n'accueille pas de public."},

	// Bréal-sous-Montfort.
	{insee: "35037", nom: "Médiathèque de Bréal-sous-Montfort", adresse: "2 rue de la Libération", typ: "BIB",
		services: "outils-quotidien comprehension loisirs-creations acces-materiel", frais: "gratuit",
		acces: "se-presenter", accomp: "autonomie atelier-collectif", dispositifs: "bnr",
		hours: "Tu 15:00-18:30; We 10:00-12:30,14:00-18:30; Fr 15:00-18:30; Sa 10:00-13:00,14:00-17:00; PH off", ageMonths: 7, contact: "Anne-Sophie Guillard"},
	{insee: "35037", nom: "Mairie de Bréal-sous-Montfort", adresse: "Place de l'Église", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Mo-Fr 08:30-12:00,13:30-17:30; Sa 09:00-12:00", ageMonths: 11},
	{insee: "35037", nom: "CCAS de Bréal-sous-Montfort", adresse: "Place de l'Église", typ: "CCAS",
		services: "aide-demarches outils-quotidien", publics: "seniors", frais: "gratuit", acces: "telephoner",
		accomp: "individuel", hours: "Mo,Th 09:00-12:00", ageMonths: 26, contact: "Françoise Hervé"},
	{insee: "35037", nom: "Espace jeunes de Bréal", adresse: "5 allée des Sports", typ: "PIJ_BIJ",
		services: "usage-securise loisirs-creations insertion-pro", publics: "jeunes", frais: "gratuit",
		acces: "se-presenter", accomp: "autonomie atelier-collectif",
		dispositifs: "promeneurs-du-net", hours: "We 14:00-18:30; Fr 17:00-19:00; Sa 14:00-18:00", ageMonths: 8},
	{insee: "35037", nom: "Bréal Informatique Loisirs", adresse: "12 rue du Stade", complement: "Salle des associations", typ: "ASSO",
		services: "outils-quotidien usage-securise loisirs-creations", publics: "seniors", frais: "payant",
		acces: "telephoner contacter-par-mail", accomp: "atelier-collectif",
		hours: "Mo 14:00-17:00; Th 14:00-17:00", ageMonths: 36, contact: "Jean-Claude Pichon",
		resume: "Club informatique : initiation à l'ordinateur, retouche photo, sécurité sur internet. Adhésion annuelle."},

	// Paimpont.
	{insee: "35211", nom: "Médiathèque de Paimpont", adresse: "4 rue du Général de Gaulle", typ: "BIB",
		services: "outils-quotidien acces-materiel", frais: "gratuit", acces: "se-presenter", accomp: "autonomie",
		hours: "We 14:00-18:00; Sa 10:00-12:00", ageMonths: 15},
	{insee: "35211", nom: "Mairie de Paimpont", adresse: "1 esplanade de Brocéliande", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Mo-Fr 09:00-12:00; Tu,Th 14:00-17:00", ageMonths: 6},
	{insee: "35211", nom: "Tiers-lieu La Canopée", adresse: "Le Bourg", complement: "Ancienne école", typ: "TIERS_LIEUX FABLAB",
		services: "loisirs-creations comprehension acces-materiel", frais: "gratuit-sous-condition payant",
		acces: "se-presenter contacter-par-mail", accomp: "autonomie atelier-collectif",
		hours: "Tu-Fr 09:30-18:00; Sa 10:00-16:00", ageMonths: 3, contact: "Maël Caradec",
		resume:  "Espace de coworking et fablab associatif : impression 3D, découpe laser, ateliers de fabrication numérique.",
		noPivot: true},
	{insee: "35211", nom: "Association Forêt numérique", adresse: "La Moutte", typ: "ASSO",
		services: "comprehension usage-securise", publics: "seniors", frais: "gratuit", acces: "telephoner",
		accomp: "atelier-collectif", ageMonths: 50, noPivot: true, noPosition: true},

	// Maxent.
	{insee: "35169", nom: "Bibliothèque municipale de Maxent", adresse: "2 rue de la Forge", typ: "BIB",
		services: "acces-materiel outils-quotidien", frais: "gratuit", acces: "se-presenter", accomp: "autonomie",
		hours: "We 15:00-18:00; Sa 10:00-12:00", ageMonths: 18},
	{insee: "35169", nom: "Mairie de Maxent", adresse: "1 place de l'Église", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Mo,Tu,Th,Fr 09:00-12:00; We 14:00-17:00", ageMonths: 10},
	{insee: "35169", nom: "Générations Maxent", adresse: "6 rue des Écoles", typ: "ASSO",
		services: "outils-quotidien", publics: "seniors", frais: "gratuit", acces: "telephoner",
		accomp: "atelier-collectif", hours: "Tu 14:00-16:30", ageMonths: 28, contact: "Monique Boulanger"},

	// Saint-Thurial.
	{insee: "35319", nom: "Bibliothèque de Saint-Thurial", adresse: "3 rue de la Mairie", typ: "BIB",
		services: "acces-materiel loisirs-creations", frais: "gratuit", acces: "se-presenter", accomp: "autonomie",
		hours: "We 16:00-18:30; Sa 10:00-12:30", ageMonths: 12},
	{insee: "35319", nom: "Mairie de Saint-Thurial", adresse: "1 rue de la Mairie", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Mo-Fr 09:00-12:00; We 14:00-17:30", ageMonths: 16},
	{insee: "35319", nom: "Familles rurales de Saint-Thurial", adresse: "8 rue du Lavoir", typ: "ASSO",
		services: "parentalite usage-securise", publics: "familles", frais: "gratuit-sous-condition",
		acces: "contacter-par-mail telephoner", accomp: "atelier-collectif", ageMonths: 22, contact: "Céline Gautier"},

	// Monterfil.
	{insee: "35187", nom: "Bibliothèque de Monterfil", adresse: "Rue de la Fontaine", typ: "BIB",
		services: "acces-materiel", frais: "gratuit", acces: "se-presenter", accomp: "autonomie",
		hours: "We 14:00-17:00; Sa 10:00-12:00", ageMonths: 33},
	{insee: "35187", nom: "Mairie de Monterfil", adresse: "2 place de l'Église", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Mo-Fr 09:00-12:00; Sa 09:00-11:30", ageMonths: 5},

	// Treffendel.
	{insee: "35340", nom: "Bibliothèque de Treffendel", adresse: "Rue du Tertre", typ: "BIB",
		services: "acces-materiel outils-quotidien", frais: "gratuit", acces: "se-presenter", accomp: "autonomie individuel",
		hours: "We 10:00-12:00,15:00-18:00; Sa 10:00-12:00", ageMonths: 4, contact: "Aurélie Texier"},
	{insee: "35340", nom: "Mairie de Treffendel", adresse: "1 place de la Mairie", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter", accomp: "individuel",
		hours: "Mo-Fr 09:00-12:00", ageMonths: 27},
	{insee: "35340", nom: "Club des aînés de Treffendel", adresse: "Salle polyvalente", typ: "ASSO",
		services: "outils-quotidien", publics: "seniors", frais: "gratuit", acces: "telephoner",
		accomp: "atelier-collectif", ageMonths: 60, noPivot: true, closed: true},

	// Saint-Péran.
	{insee: "35305", nom: "Mairie de Saint-Péran", adresse: "Le Bourg", typ: "MUNI",
		services: "aide-demarches", frais: "gratuit", acces: "se-presenter telephoner", accomp: "individuel",
		hours: "Tu,Fr 09:00-12:00", ageMonths: 19},
	{insee: "35305", nom: "Point lecture de Saint-Péran", adresse: "Le Bourg", typ: "RELAIS_LECTURE",
		services: "acces-materiel", frais: "gratuit", acces: "se-presenter", accomp: "autonomie",
		hours: "Sa 10:30-12:00", ageMonths: 45, noEmail: true},

	// Département and network services present on the territory.
	{insee: "35223", nom: "CDAS du Pays de Brocéliande — permanence", adresse: "3 rue de l'Hermine", typ: "CDAS",
		services: "aide-demarches", frais: "gratuit", acces: "telephoner", accomp: "individuel",
		hours: `Th 09:00-12:00 "sur rendez-vous"`, ageMonths: 13, noEmail: true},
	{insee: "35037", nom: "Secours populaire — antenne de Bréal", adresse: "7 rue de Rennes", typ: "ASSO",
		services: "materiel-solidaire aide-demarches", frais: "gratuit", acces: "se-presenter",
		accomp: "individuel", hours: "Sa 09:30-12:00", ageMonths: 24, contact: "Patrick Lebreton"},
	{insee: "35211", nom: "Espace multimédia du camping de Paimpont", adresse: "Rue du Chevalier Lancelot du Lac", typ: "Autre",
		services: "acces-materiel", frais: "payant", acces: "se-presenter", accomp: "autonomie",
		hours: "Apr-Sep Mo-Su 09:00-19:00", ageMonths: 38, noEmail: true,
		resume: "Deux postes connectés et le wifi, d'avril à septembre."},
	{insee: "35223", nom: "Collège Saint-Joseph — atelier parents", adresse: "4 rue de Montfort", typ: "Autre",
		services: "parentalite", publics: "familles", frais: "gratuit", acces: "contacter-par-mail",
		accomp: "atelier-collectif", hours: "Sa[1] 09:30-11:30", ageMonths: 10},
}

package demo

// montfort is CC Montfort Communauté (243500550), in phase "déploiement":
// the referents have started the census before the collaborative day, so
// only a few places are known, most of them incomplete.
var montfort = []seedPlace{
	{insee: "35188", nom: "Médiathèque Lagirafe", adresse: "2 boulevard Carré Rouxel", typ: "BIB",
		services: "outils-quotidien loisirs-creations acces-materiel", frais: "gratuit", acces: "se-presenter",
		accomp: "autonomie atelier-collectif", hours: "Tu 14:00-18:00; We 10:00-12:30,14:00-18:00; Fr 14:00-19:00; Sa 10:00-12:30,14:00-17:00",
		ageMonths: 1, contact: "Laurence Bouvier"},
	{insee: "35188", nom: "France Services Montfort Communauté", adresse: "4 place du Tribunal", typ: "RFS",
		services: "aide-demarches outils-quotidien", frais: "gratuit", acces: "se-presenter telephoner rdv-en-ligne",
		accomp: "individuel", dispositifs: "france-services aidants-connect",
		hours: "Mo-Fr 08:30-12:30,13:30-17:00; PH off", ageMonths: 1, contact: "Hugo Perrin"},
	{insee: "35133", nom: "Mairie d'Iffendic", adresse: "1 place de l'Église", typ: "MUNI",
		services: "aide-demarches", ageMonths: 1, noEmail: true},
	{insee: "35023", nom: "Espace jeunes de Bédée", adresse: "Rue de Rennes", typ: "PIJ_BIJ",
		services: "usage-securise loisirs-creations", publics: "jeunes", ageMonths: 1, noPivot: true, noPosition: true},
	{insee: "35040", nom: "Bibliothèque de Breteil", adresse: "Rue de Montfort", typ: "BIB",
		ageMonths: 1, noPivot: true},
	{insee: "35227", nom: "Association Pleumeleuc Numérique", adresse: "Salle des fêtes", typ: "ASSO",
		services: "outils-quotidien", publics: "seniors", ageMonths: 1, noPivot: true, contact: "Bernard Chevalier"},
}

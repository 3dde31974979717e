//! The words of the results page that are not about the profile itself: sections, next
//! steps, privacy notice and the explanations for links that cannot be read.
//!
//! The profile sentences come from `domain::wording`; the page only fills in names.

use crate::domain::text::Text;

/// Every page text, by the key the page script looks it up with.
pub fn all() -> Vec<(&'static str, Text)> {
    vec![
        // French puts a space before the colon, English does not.
        ("colon", Text::new(" : ", ": ", " : ")),
        (
            "brand",
            Text::new(
                "Le Klub extraordinaire",
                "Le Klub extraordinaire",
                "Le Klub extraordinaire",
            ),
        ),
        (
            "skip",
            Text::new("Aller au contenu", "Skip to content", "Aller au contenu"),
        ),
        (
            "lang_nav",
            Text::new(
                "Langue et lecture",
                "Language and reading",
                "Langue et lecture",
            ),
        ),
        (
            "print",
            Text::new("Imprimer cette page", "Print this page", "Imprimer"),
        ),
        (
            "intro",
            Text::new(
                "Voici ce que tu as montré au Klub, et des métiers à découvrir. Ce sont des idées, pas un verdict : c'est toi qui choisis.",
                "Here is what you showed at the Klub, and some trades to discover. These are ideas, not a verdict: you choose.",
                "Voici ce que tu as aimé au Klub. Voici des métiers à découvrir. C'est toi qui choisis.",
            ),
        ),
        (
            "stop",
            Text::new("Le Klub à {town}", "The Klub in {town}", "Le Klub à {town}"),
        ),
        (
            "strengths_title",
            Text::new("Ce qui te plaît", "What you enjoy", "Ce que tu aimes"),
        ),
        (
            "trades_title",
            Text::new(
                "Des métiers à découvrir",
                "Trades to discover",
                "Des métiers pour toi",
            ),
        ),
        (
            "rome",
            Text::new("Fiche ROME", "ROME job sheet", "Fiche ROME"),
        ),
        (
            "school_routes",
            Text::new(
                "Pour y aller pendant tes études",
                "Routes while studying",
                "Pour apprendre ce métier à l'école",
            ),
        ),
        (
            "adult_routes",
            Text::new(
                "Pour y aller quand on est adulte",
                "Routes for adults",
                "Pour apprendre ce métier quand on est adulte",
            ),
        ),
        (
            "explored_title",
            Text::new(
                "Les métiers que tu as essayés au Klub",
                "Trades you tried at the Klub",
                "Les métiers que tu as essayés",
            ),
        ),
        (
            "next_title",
            Text::new("Et maintenant ?", "What next?", "Et après ?"),
        ),
        (
            "next_intro",
            Text::new(
                "Ces personnes peuvent t'aider, gratuitement. Montre-leur cette page.",
                "These people can help you, free of charge. Show them this page.",
                "Ces personnes peuvent t'aider. C'est gratuit. Montre-leur cette page.",
            ),
        ),
        (
            "cio_name",
            Text::new(
                "Le CIO (centre d'information et d'orientation)",
                "The CIO (careers guidance centre)",
                "Le CIO : un lieu pour choisir ses études",
            ),
        ),
        (
            "cio_for",
            Text::new(
                "Pour les collégiens, lycéens et étudiants : on t'aide à choisir une formation.",
                "For pupils and students: help choosing a course.",
                "Pour les élèves. On t'aide à choisir tes études.",
            ),
        ),
        (
            "mission_locale_name",
            Text::new(
                "La Mission Locale",
                "The Mission Locale (youth support centre)",
                "La Mission Locale",
            ),
        ),
        (
            "mission_locale_for",
            Text::new(
                "Pour les 16–25 ans : formation, emploi, et aussi logement ou santé.",
                "For 16 to 25 year olds: training, jobs, and also housing or health.",
                "Pour les jeunes de 16 à 25 ans. On t'aide à trouver une formation ou un travail.",
            ),
        ),
        (
            "france_travail_name",
            Text::new(
                "France Travail",
                "France Travail (public employment service)",
                "France Travail",
            ),
        ),
        (
            "france_travail_for",
            Text::new(
                "Pour les personnes qui cherchent un emploi : un conseiller ou une conseillère t'aide à construire ton projet.",
                "For job seekers: an adviser helps you build your plan.",
                "Tu cherches un travail ? Une personne t'aide.",
            ),
        ),
        (
            "cep_name",
            Text::new(
                "Le conseil en évolution professionnelle (CEP)",
                "Career development advice (CEP)",
                "Le CEP : de l'aide pour changer de métier",
            ),
        ),
        (
            "cep_for",
            Text::new(
                "Pour les salariés qui pensent à changer de métier : gratuit et confidentiel.",
                "For employees thinking about a change of trade: free and confidential.",
                "Tu travailles et tu veux changer de métier ? On t'aide. C'est gratuit.",
            ),
        ),
        (
            "contact_nearest",
            Text::new(
                "Cherche le plus proche de chez toi, ou demande à l'équipe du Klub.",
                "Look for the nearest one, or ask the Klub's team.",
                "Cherche le plus près de chez toi. Tu peux aussi demander au Klub.",
            ),
        ),
        (
            "immersion_title",
            Text::new(
                "Essayer un métier en vrai",
                "Try a trade for real",
                "Essayer un métier",
            ),
        ),
        (
            "stage_about",
            Text::new(
                "Stage d'observation (collège, lycée) : quelques jours dans une entreprise pour voir un métier. Il faut une convention signée : ton établissement ou le CIO t'aide à la préparer.",
                "Observation placement (for pupils): a few days in a workplace to see a trade. It needs a signed agreement: your school or the CIO helps you prepare it.",
                "Stage d'observation : tu vas quelques jours dans une entreprise. Tu regardes un métier. Ton école ou le CIO t'aide à l'organiser.",
            ),
        ),
        (
            "pmsmp_about",
            Text::new(
                "PMSMP (pour les adultes) : quelques jours en entreprise pour découvrir un métier. Il faut une convention signée : France Travail, la Mission Locale ou ton conseiller la prépare avec toi.",
                "PMSMP (for adults): a few days in a workplace to discover a trade. It needs a signed agreement: France Travail, the Mission Locale or your adviser prepares it with you.",
                "PMSMP : pour les adultes. Tu vas quelques jours dans une entreprise pour découvrir un métier. France Travail ou la Mission Locale t'aide à l'organiser.",
            ),
        ),
        (
            "offers_near",
            Text::new(
                "Près du Klub à {town} :",
                "Near the Klub in {town}:",
                "Près du Klub à {town} :",
            ),
        ),
        (
            "offer_via",
            Text::new("à demander à :", "ask:", "demande à :"),
        ),
        (
            "offer_related",
            Text::new(
                "lié à une de tes pistes",
                "linked to one of your leads",
                "pour un de tes métiers",
            ),
        ),
        (
            "privacy_title",
            Text::new("Tes données", "Your data", "Tes informations"),
        ),
        (
            "privacy",
            Text::new(
                "Tes résultats sont écrits dans ce lien, après le signe #. Ce morceau du lien reste sur ton téléphone : il n'est envoyé à personne, même pas à nous. Il n'y a pas ton nom, pas de photo : juste ce que tu as aimé et des métiers. Personne d'autre n'a ce lien. Si tu le partages, la personne verra tes résultats.",
                "Your results are written in this link, after the # sign. That part of the link stays on your phone: it is sent to nobody, not even to us. It has no name and no photo: just what you enjoyed and some trades. Nobody else has this link. If you share it, that person will see your results.",
                "Tes résultats sont dans ce lien. Ils restent sur ton téléphone. Ils ne sont envoyés à personne. Il n'y a pas ton nom. Personne d'autre n'a ce lien. Tu choisis à qui tu le montres.",
            ),
        ),
        (
            "err_title",
            Text::new(
                "On n'arrive pas à lire ce lien",
                "We can't read this link",
                "On ne peut pas lire ce lien",
            ),
        ),
        (
            "err_empty_title",
            Text::new("Bienvenue !", "Welcome!", "Bienvenue !"),
        ),
        (
            "err_empty",
            Text::new(
                "Cette page montre tes résultats du Klub extraordinaire. Pour les voir, scanne le QR code que la borne t'a donné, ou ouvre le lien en entier.",
                "This page shows your results from Le Klub extraordinaire. To see them, scan the QR code the station gave you, or open the whole link.",
                "Ici, tu vois tes résultats du Klub. Scanne le QR code de la borne pour les voir.",
            ),
        ),
        (
            "err_cut",
            Text::new(
                "Ce lien est incomplet : il a sans doute été coupé, par exemple par une messagerie. Copie le lien en entier, ou scanne à nouveau le QR code de ton ticket.",
                "This link is incomplete: it was probably cut, for example by a messaging app. Copy the whole link, or scan the QR code on your ticket again.",
                "Le lien est coupé. Il manque un morceau. Scanne encore le QR code de ton ticket.",
            ),
        ),
        (
            "err_damaged",
            Text::new(
                "Ce lien est abîmé : des caractères ont changé. Scanne à nouveau le QR code de ton ticket, ou copie le lien en entier, sans rien modifier.",
                "This link is damaged: some characters have changed. Scan the QR code on your ticket again, or copy the whole link without changing it.",
                "Le lien est abîmé. Scanne encore le QR code de ton ticket.",
            ),
        ),
        (
            "err_foreign",
            Text::new(
                "Ce lien ne contient pas de résultats du Klub extraordinaire. Vérifie que tu as ouvert le bon lien, ou scanne le QR code que la borne t'a donné.",
                "This link holds no results from Le Klub extraordinaire. Check you opened the right link, or scan the QR code the station gave you.",
                "Ce lien ne vient pas du Klub. Scanne le QR code de la borne.",
            ),
        ),
        (
            "err_version",
            Text::new(
                "Ce lien vient d'une version plus récente des bornes du Klub : cette page doit encore être mise à jour. Réessaie dans quelques jours, ou demande à l'équipe du Klub.",
                "This link comes from a newer version of the Klub's stations: this page still needs an update. Try again in a few days, or ask the Klub's team.",
                "Cette page est trop ancienne pour ton lien. Réessaie plus tard.",
            ),
        ),
        (
            "err_catalogue",
            Text::new(
                "Cette page ne connaît pas la liste de métiers de ton lien, alors elle ne peut pas montrer tes métiers. Ce qui te plaît s'affiche quand même ci-dessous. Demande à l'équipe du Klub pour la suite.",
                "This page doesn't know the list of trades your link was made with, so it can't show your trades. What you enjoy is still shown below. Ask the Klub's team about the rest.",
                "Cette page ne connaît pas tes métiers. Tu vois quand même ce que tu aimes. Demande au Klub pour les métiers.",
            ),
        ),
        (
            "err_unexpected",
            Text::new(
                "Un problème est survenu en affichant tes résultats. Recharge la page ; si cela continue, montre ce lien à l'équipe du Klub.",
                "Something went wrong while showing your results. Reload the page; if it goes on, show this link to the Klub's team.",
                "Il y a un problème. Recharge la page.",
            ),
        ),
    ]
}

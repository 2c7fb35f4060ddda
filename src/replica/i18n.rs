//! The replica in the account's display language. LinkedIn's UI language follows the
//! account's setting, carried by the session's `lang` cookie (`v=2&lang=fr-fr`); the
//! replica reads it from each request and serves every generation's pages in that
//! language: the visible texts, the accessible names (`aria-label`), option values and
//! the client's own texts (dialogs, errors, confirmations), with `<html lang>` set. The
//! field names the replica records submissions by (`data-replica-label`) stay English,
//! so a test asserts the same keys in every language; the values are what the page
//! showed (an answer "Oui" in French).
//!
//! The translations are ours, written as LinkedIn's French, German, Spanish and
//! Portuguese interfaces word them where the reference knows the phrase (the apply
//! control, Next/Review/Submit, "applied", "sent", yes/no), and as a careful
//! translator would elsewhere. A language without a column (Italian, say) is served in
//! English with its `<html lang>`: the worker must stop before acting on it.

use axum::http::HeaderMap;

use super::model::esc;

/// A display language: its primary subtag and, when the replica has its texts, the
/// column of [`TEXTS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lang {
    /// the `<html lang>` the page carries (`fr-FR`)
    pub tag: String,
    column: Option<usize>,
}

/// The languages the replica speaks, by column of [`TEXTS`] (English first).
pub const LANGUAGES: [&str; 5] = ["en", "fr", "de", "es", "pt"];

impl Lang {
    /// English: the replica's language when a session says nothing.
    pub fn english() -> Self {
        Self {
            tag: "en".into(),
            column: Some(0),
        }
    }

    /// A language from a BCP 47 tag (`fr-fr`, `pt_BR`, `de`).
    pub fn from_tag(tag: &str) -> Self {
        let tag = tag.trim().replace('_', "-");
        let mut parts = tag.split('-');
        let primary = parts.next().unwrap_or_default().to_ascii_lowercase();
        let region = parts.next().map(str::to_ascii_uppercase);
        Self {
            column: LANGUAGES.iter().position(|l| *l == primary),
            tag: match region {
                Some(r) if !r.is_empty() => format!("{primary}-{r}"),
                _ => primary,
            },
        }
    }

    /// The language a request's session asks for: its `lang` cookie, else English.
    pub fn of_request(headers: &HeaderMap) -> Self {
        headers
            .get_all(axum::http::header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == "lang")
            .and_then(|(_, value)| {
                value
                    .trim_matches('"')
                    .split('&')
                    .filter_map(|p| p.split_once('='))
                    .find(|(k, _)| *k == "lang")
                    .map(|(_, v)| Self::from_tag(v))
            })
            .unwrap_or_else(Self::english)
    }

    /// `text` in this language: a whole phrase of [`TEXTS`], or a pattern's (`{}` holds
    /// a company, a number); else unchanged.
    pub fn say(&self, text: &str) -> Option<String> {
        let column = self.column.filter(|c| *c > 0)?;
        TEXTS.iter().find_map(|row| fill(row[0], row[column], text))
    }

    /// The whole table for the client's script: English phrase → this language's.
    fn dictionary(&self) -> serde_json::Value {
        let map = match self.column.filter(|c| *c > 0) {
            Some(c) => TEXTS
                .iter()
                .map(|row| (row[0].to_owned(), serde_json::Value::from(row[c])))
                .collect(),
            None => serde_json::Map::new(),
        };
        serde_json::Value::Object(map)
    }

    /// A page of the replica (written in English) in this language.
    pub fn localize(&self, html: &str) -> String {
        let html = html.replacen(
            r#"<html lang="en">"#,
            &format!(r#"<html lang="{}">"#, self.tag),
            1,
        );
        let dictionary = format!(
            r#"<script id="replica-i18n" type="application/json">{}</script><script src="/replica/static/replica.js">"#,
            self.dictionary().to_string().replace('<', "\\u003c")
        );
        let html = html.replacen(
            r#"<script src="/replica/static/replica.js">"#,
            &dictionary,
            1,
        );
        if self.column.is_none_or(|c| c == 0) {
            return html;
        }
        self.translate(&html)
    }

    /// Translates the text between tags and the attributes a person hears or picks,
    /// leaving scripts and the replica's own attributes alone.
    fn translate(&self, html: &str) -> String {
        let mut out = String::with_capacity(html.len() + html.len() / 8);
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            out.push_str(&self.text(&rest[..open]));
            rest = &rest[open..];
            if rest.starts_with("<script") {
                let end = rest
                    .find("</script>")
                    .map_or(rest.len(), |e| e + "</script>".len());
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            let end = rest.find('>').map_or(rest.len(), |e| e + 1);
            out.push_str(&self.tag_attributes(&rest[..end]));
            rest = &rest[end..];
        }
        out.push_str(&self.text(rest));
        out
    }

    fn text(&self, segment: &str) -> String {
        let trimmed = segment.trim();
        if trimmed.is_empty() {
            return segment.to_owned();
        }
        // a required question's text may end in its own " *" (October 2026)
        let (words, star) = match trimmed.strip_suffix(" *") {
            Some(words) => (words, " *"),
            None => (trimmed, ""),
        };
        match self.say(&unescape(words)) {
            Some(said) => segment.replacen(trimmed, &format!("{}{star}", esc(&said)), 1),
            None => segment.to_owned(),
        }
    }

    fn tag_attributes(&self, tag: &str) -> String {
        const HEARD: [&str; 6] = [
            " aria-label=\"",
            " value=\"",
            " placeholder=\"",
            " title=\"",
            " data-replica-text=\"",
            " data-test-text-selectable-option__label=\"",
        ];
        let mut tag = tag.to_owned();
        for attribute in HEARD {
            let Some(start) = tag.find(attribute).map(|s| s + attribute.len()) else {
                continue;
            };
            let Some(len) = tag[start..].find('"') else {
                continue;
            };
            if let Some(said) = self.say(&unescape(&tag[start..start + len])) {
                tag.replace_range(start..start + len, &esc(&said));
            }
        }
        tag
    }
}

/// `text` as `to` says it, when it is `from` (a `{}` in `from` stands for any text,
/// carried into the same place of `to`).
fn fill(from: &str, to: &str, text: &str) -> Option<String> {
    if !from.contains("{}") {
        return (from == text).then(|| to.to_owned());
    }
    let parts: Vec<&str> = from.split("{}").collect();
    let mut rest = text.strip_prefix(parts[0])?;
    let mut held = Vec::new();
    for part in &parts[1..] {
        let at = if part.is_empty() {
            rest.len()
        } else {
            rest.find(part)?
        };
        if at == 0 {
            return None;
        }
        held.push(&rest[..at]);
        rest = &rest[at + part.len()..];
    }
    if !rest.is_empty() {
        return None;
    }
    let mut said = to.to_owned();
    for value in held {
        said = said.replacen("{}", value, 1);
    }
    Some(said)
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Every English text of the replica and how French, German, Spanish and Portuguese
/// LinkedIn show it (`{}`: a company, a title, a number, in the same order).
pub const TEXTS: &[[&str; 5]] = &[
    // the navigation, the top card, the job's states
    ["Me", "Vous", "Ich", "Yo", "Eu"],
    ["Home", "Accueil", "Startseite", "Inicio", "Início"],
    ["Jobs", "Emplois", "Jobs", "Empleos", "Vagas"],
    [
        "Easy Apply",
        "Candidature simplifiée",
        "Einfach bewerben",
        "Solicitud sencilla",
        "Candidatura simplificada",
    ],
    [
        "Easy Apply to {} at {}",
        "Candidature simplifiée pour {} chez {}",
        "Einfach bewerben: {} bei {}",
        "Solicitud sencilla para {} en {}",
        "Candidatura simplificada para {} na {}",
    ],
    [
        "Easy Apply to this job",
        "Candidature simplifiée pour cette offre",
        "Einfach bewerben auf diese Stelle",
        "Solicitud sencilla para este empleo",
        "Candidatura simplificada para esta vaga",
    ],
    [
        "LinkedIn Apply",
        "Candidature simplifiée",
        "Einfach bewerben",
        "Solicitud sencilla",
        "Candidatura simplificada",
    ],
    [
        "LinkedIn Apply filter",
        "Filtre de candidature simplifiée",
        "Filter für Einfach bewerben",
        "Filtro de solicitud sencilla",
        "Filtro de candidatura simplificada",
    ],
    [
        "Search filters",
        "Filtres de recherche",
        "Suchfilter",
        "Filtros de búsqueda",
        "Filtros de pesquisa",
    ],
    [
        "Apply",
        "Postuler",
        "Bewerben",
        "Solicitar",
        "Candidatar-se",
    ],
    [
        "Apply to {} on company website",
        "Postuler sur le site de l'entreprise : {}",
        "Auf Unternehmenswebsite bewerben: {}",
        "Solicitar en el sitio web de la empresa: {}",
        "Candidatar-se no site da empresa: {}",
    ],
    [
        "Applied 3 days ago",
        "Candidature envoyée il y a 3 jours",
        "Vor 3 Tagen beworben",
        "Solicitado hace 3 días",
        "Candidatou-se há 3 dias",
    ],
    [
        "Applied",
        "Candidature envoyée",
        "Beworben",
        "Solicitado",
        "Candidatou-se",
    ],
    [
        "2 days ago",
        "il y a 2 jours",
        "vor 2 Tagen",
        "hace 2 días",
        "há 2 dias",
    ],
    [
        "See application",
        "Voir la candidature",
        "Bewerbung ansehen",
        "Ver solicitud",
        "Ver candidatura",
    ],
    [
        "No longer accepting applications",
        "Ne reçoit plus de candidatures",
        "Bewerbungen werden nicht mehr angenommen",
        "Ya no se aceptan solicitudes",
        "Não está mais aceitando candidaturas",
    ],
    [
        "About the job",
        "À propos de l'offre d'emploi",
        "Über den Job",
        "Acerca del empleo",
        "Sobre a vaga",
    ],
    [
        "Lisbon, Portugal · 3 days ago · 40 applicants",
        "Lisbonne, Portugal · il y a 3 jours · 40 candidats",
        "Lissabon, Portugal · vor 3 Tagen · 40 Bewerber",
        "Lisboa, Portugal · hace 3 días · 40 solicitantes",
        "Lisboa, Portugal · há 3 dias · 40 candidaturas",
    ],
    [
        "Join a small team that ships reliable software to thousands of users. You will own services end to end, from design to on-call.",
        "Rejoignez une petite équipe qui livre des logiciels fiables à des milliers d'utilisateurs. Vous serez responsable de services de bout en bout, de la conception à l'astreinte.",
        "Werden Sie Teil eines kleinen Teams, das zuverlässige Software für Tausende Nutzer liefert. Sie verantworten Dienste von Anfang bis Ende, vom Entwurf bis zur Rufbereitschaft.",
        "Únete a un pequeño equipo que entrega software fiable a miles de usuarios. Serás responsable de servicios de principio a fin, del diseño a las guardias.",
        "Junte-se a uma pequena equipe que entrega software confiável a milhares de usuários. Você será responsável por serviços de ponta a ponta, do design ao plantão.",
    ],
    // the form's frame and buttons
    [
        "Apply to {}",
        "Postuler chez {}",
        "Bewerbung bei {}",
        "Solicitar en {}",
        "Candidatar-se para {}",
    ],
    ["Dismiss", "Ignorer", "Schließen", "Cerrar", "Fechar"],
    ["Close", "Fermer", "Schließen", "Cerrar", "Fechar"],
    ["Next", "Suivant", "Weiter", "Siguiente", "Avançar"],
    ["Review", "Vérifier", "Überprüfen", "Revisar", "Revisar"],
    [
        "Submit application",
        "Envoyer la candidature",
        "Bewerbung senden",
        "Enviar solicitud",
        "Enviar candidatura",
    ],
    [
        "Continue to next step",
        "Passer à l'étape suivante",
        "Weiter zum nächsten Schritt",
        "Continuar al siguiente paso",
        "Avançar para a próxima etapa",
    ],
    [
        "Review your application",
        "Vérifier votre candidature",
        "Bewerbung überprüfen",
        "Revisar tu solicitud",
        "Revisar sua candidatura",
    ],
    [
        "Contact info",
        "Coordonnées",
        "Kontaktinfo",
        "Información de contacto",
        "Informações de contato",
    ],
    [
        "Additional questions",
        "Questions supplémentaires",
        "Zusätzliche Fragen",
        "Preguntas adicionales",
        "Perguntas adicionais",
    ],
    ["Resume", "CV", "Lebenslauf", "Currículum", "Currículo"],
    [
        "Upload resume",
        "Importer un CV",
        "Lebenslauf hochladen",
        "Cargar currículum",
        "Carregar currículo",
    ],
    [
        "Select this resume",
        "Sélectionner ce CV",
        "Diesen Lebenslauf auswählen",
        "Seleccionar este currículum",
        "Selecionar este currículo",
    ],
    [
        "Last used on 3/11/2026",
        "Utilisé pour la dernière fois le 11/03/2026",
        "Zuletzt verwendet am 11.03.2026",
        "Usado por última vez el 11/03/2026",
        "Usado pela última vez em 11/03/2026",
    ],
    [
        "Uploaded just now",
        "Importé à l'instant",
        "Gerade hochgeladen",
        "Cargado justo ahora",
        "Carregado agora mesmo",
    ],
    [
        "Select an option",
        "Sélectionnez une option",
        "Option auswählen",
        "Selecciona una opción",
        "Selecione uma opção",
    ],
    // the questions and their options
    ["First name", "Prénom", "Vorname", "Nombre", "Nome"],
    ["Last name", "Nom", "Nachname", "Apellidos", "Sobrenome"],
    [
        "Phone country code",
        "Indicatif du pays",
        "Ländervorwahl",
        "Código de país",
        "Código do país",
    ],
    [
        "Mobile phone number",
        "Numéro de téléphone mobile",
        "Mobiltelefonnummer",
        "Número de teléfono móvil",
        "Número de celular",
    ],
    [
        "Email address",
        "Adresse e-mail",
        "E-Mail-Adresse",
        "Correo electrónico",
        "Endereço de e-mail",
    ],
    [
        "United Kingdom (+44)",
        "Royaume-Uni (+44)",
        "Vereinigtes Königreich (+44)",
        "Reino Unido (+44)",
        "Reino Unido (+44)",
    ],
    [
        "Germany (+49)",
        "Allemagne (+49)",
        "Deutschland (+49)",
        "Alemania (+49)",
        "Alemanha (+49)",
    ],
    [
        "United States (+1)",
        "États-Unis (+1)",
        "Vereinigte Staaten (+1)",
        "Estados Unidos (+1)",
        "Estados Unidos (+1)",
    ],
    [
        "How many years of experience do you have with {}?",
        "Combien d'années d'expérience avez-vous avec {}\u{a0}?",
        "Wie viele Jahre Erfahrung haben Sie mit {}?",
        "¿Cuántos años de experiencia tienes con {}?",
        "Quantos anos de experiência você tem com {}?",
    ],
    [
        "What is your notice period?",
        "Quelle est la durée de votre préavis\u{a0}?",
        "Wie lang ist Ihre Kündigungsfrist?",
        "¿Cuál es tu periodo de preaviso?",
        "Qual é o seu aviso prévio?",
    ],
    ["{} days", "{} jours", "{} Tage", "{} días", "{} dias"],
    [
        "Are you legally authorized to work in Germany?",
        "Êtes-vous légalement autorisé(e) à travailler en Allemagne\u{a0}?",
        "Haben Sie eine gültige Arbeitserlaubnis für Deutschland?",
        "¿Estás legalmente autorizado para trabajar en Alemania?",
        "Você está legalmente autorizado a trabalhar na Alemanha?",
    ],
    [
        "Will you now or in the future require sponsorship for employment visa status?",
        "Aurez-vous besoin, maintenant ou à l'avenir, d'un parrainage pour un visa de travail\u{a0}?",
        "Benötigen Sie jetzt oder künftig ein Sponsoring für ein Arbeitsvisum?",
        "¿Necesitarás ahora o en el futuro patrocinio para un visado de trabajo?",
        "Você precisará, agora ou no futuro, de patrocínio para visto de trabalho?",
    ],
    ["Yes", "Oui", "Ja", "Sí", "Sim"],
    ["No", "Non", "Nein", "No", "Não"],
    [
        "I consent to the processing of my personal data for this application",
        "J'accepte le traitement de mes données personnelles pour cette candidature",
        "Ich willige in die Verarbeitung meiner personenbezogenen Daten für diese Bewerbung ein",
        "Acepto el tratamiento de mis datos personales para esta solicitud",
        "Autorizo o tratamento dos meus dados pessoais para esta candidatura",
    ],
    [
        "I agree",
        "J'accepte",
        "Ich stimme zu",
        "Acepto",
        "Concordo",
    ],
    ["City", "Ville", "Stadt", "Ciudad", "Cidade"],
    [
        "What is your expected annual salary (EUR)?",
        "Quelles sont vos prétentions salariales annuelles (EUR)\u{a0}?",
        "Was ist Ihr erwartetes Jahresgehalt (EUR)?",
        "¿Cuál es tu expectativa de salario anual (EUR)?",
        "Qual é a sua pretensão salarial anual (EUR)?",
    ],
    [
        "Which shift do you prefer?",
        "Quelle équipe préférez-vous\u{a0}?",
        "Welche Schicht bevorzugen Sie?",
        "¿Qué turno prefieres?",
        "Qual turno você prefere?",
    ],
    ["Day", "Jour", "Tag", "Día", "Dia"],
    ["Night", "Nuit", "Nacht", "Noche", "Noite"],
    [
        "Anything else you would like us to know?",
        "Souhaitez-vous nous dire autre chose\u{a0}?",
        "Möchten Sie uns noch etwas mitteilen?",
        "¿Algo más que quieras contarnos?",
        "Algo mais que você gostaria que soubéssemos?",
    ],
    [
        "Which office would you work from?",
        "Dans quel bureau travailleriez-vous\u{a0}?",
        "In welchem Büro würden Sie arbeiten?",
        "¿Desde qué oficina trabajarías?",
        "Em qual escritório você trabalharia?",
    ],
    ["Lisbon", "Lisbonne", "Lissabon", "Lisboa", "Lisboa"],
    [
        "Country of residence",
        "Pays de résidence",
        "Wohnsitzland",
        "País de residencia",
        "País de residência",
    ],
    [
        "Afghanistan",
        "Afghanistan",
        "Afghanistan",
        "Afganistán",
        "Afeganistão",
    ],
    [
        "Germany",
        "Allemagne",
        "Deutschland",
        "Alemania",
        "Alemanha",
    ],
    [
        "United Kingdom",
        "Royaume-Uni",
        "Vereinigtes Königreich",
        "Reino Unido",
        "Reino Unido",
    ],
    [
        "What is your level of proficiency in English?",
        "Quel est votre niveau d'anglais\u{a0}?",
        "Wie gut sind Ihre Englischkenntnisse?",
        "¿Cuál es tu nivel de inglés?",
        "Qual é o seu nível de proficiência em inglês?",
    ],
    ["None", "Aucune", "Keine", "Ninguno", "Nenhum"],
    [
        "Conversational",
        "Conversation",
        "Konversationssicher",
        "Conversacional",
        "Conversação",
    ],
    [
        "Professional",
        "Professionnel",
        "Verhandlungssicher",
        "Profesional",
        "Profissional",
    ],
    [
        "Native or bilingual",
        "Langue maternelle ou bilingue",
        "Muttersprache oder zweisprachig",
        "Nativo o bilingüe",
        "Nativo ou bilíngue",
    ],
    [
        "Which of these cloud platforms have you used? Select all that apply.",
        "Lesquelles de ces plateformes cloud avez-vous utilisées\u{a0}? Sélectionnez toutes les réponses applicables.",
        "Welche dieser Cloud-Plattformen haben Sie genutzt? Wählen Sie alle zutreffenden aus.",
        "¿Cuáles de estas plataformas en la nube has usado? Selecciona todas las que correspondan.",
        "Quais destas plataformas de nuvem você já usou? Selecione todas as opções aplicáveis.",
    ],
    [
        "Stay in touch",
        "Restons en contact",
        "In Kontakt bleiben",
        "Mantente en contacto",
        "Fique em contato",
    ],
    [
        "Keep me informed about new jobs and events at this company by e-mail",
        "Me tenir informé(e) par e-mail des offres et événements de cette entreprise",
        "Mich per E-Mail über neue Jobs und Veranstaltungen dieses Unternehmens informieren",
        "Mantenerme informado por correo electrónico sobre empleos y eventos de esta empresa",
        "Manter-me informado por e-mail sobre vagas e eventos desta empresa",
    ],
    [
        "Follow this company to stay up to date with their page.",
        "Suivre cette entreprise pour rester informé(e) de son actualité.",
        "Diesem Unternehmen folgen, um auf dem Laufenden zu bleiben.",
        "Seguir a esta empresa para estar al día de su página.",
        "Seguir esta empresa para se manter atualizado sobre a página.",
    ],
    [
        "Follow {} to stay up to date with their page.",
        "Suivre {} pour rester informé(e) de son actualité.",
        "{} folgen, um auf dem Laufenden zu bleiben.",
        "Seguir a {} para estar al día de su página.",
        "Seguir {} para se manter atualizado sobre a página.",
    ],
    // the client's answers: errors, dialogs, confirmations
    [
        "Please make a selection",
        "Veuillez faire une sélection",
        "Bitte treffen Sie eine Auswahl",
        "Haz una selección",
        "Faça uma seleção",
    ],
    [
        "Please enter a valid answer",
        "Veuillez saisir une réponse valide",
        "Bitte geben Sie eine gültige Antwort ein",
        "Introduce una respuesta válida",
        "Insira uma resposta válida",
    ],
    [
        "Enter a whole number between 0 and {}",
        "Saisissez un nombre entier entre 0 et {}",
        "Geben Sie eine ganze Zahl zwischen 0 und {} ein",
        "Introduce un número entero entre 0 y {}",
        "Insira um número inteiro entre 0 e {}",
    ],
    [
        "Please select a location from the list",
        "Veuillez choisir un lieu dans la liste",
        "Bitte wählen Sie einen Ort aus der Liste",
        "Selecciona una ubicación de la lista",
        "Selecione um local da lista",
    ],
    [
        "A resume is required",
        "Un CV est requis",
        "Ein Lebenslauf ist erforderlich",
        "Se requiere un currículum",
        "É necessário um currículo",
    ],
    [
        "Your application was sent to {}!",
        "Votre candidature a été envoyée à {}\u{a0}!",
        "Ihre Bewerbung wurde an {} gesendet!",
        "Se ha enviado tu solicitud a {}.",
        "Sua candidatura foi enviada para {}!",
    ],
    [
        "Your application was sent to {}",
        "Votre candidature a été envoyée à {}",
        "Ihre Bewerbung wurde an {} gesendet",
        "Se ha enviado tu solicitud a {}",
        "Sua candidatura foi enviada para {}",
    ],
    [
        "You can keep track of it in My jobs.",
        "Vous pouvez la suivre dans Mes emplois.",
        "Sie können sie unter „Meine Jobs“ verfolgen.",
        "Puedes seguirla en Mis empleos.",
        "Você pode acompanhá-la em Minhas vagas.",
    ],
    [
        "Application sent",
        "Candidature envoyée",
        "Bewerbung gesendet",
        "Solicitud enviada",
        "Candidatura enviada",
    ],
    [
        "Job search safety reminder",
        "Rappel de sécurité pour la recherche d'emploi",
        "Sicherheitshinweis zur Jobsuche",
        "Recordatorio de seguridad en la búsqueda de empleo",
        "Lembrete de segurança na busca de vagas",
    ],
    [
        "Be careful of job offers that ask for payment.",
        "Méfiez-vous des offres d'emploi qui demandent un paiement.",
        "Seien Sie vorsichtig bei Jobangeboten, die eine Zahlung verlangen.",
        "Ten cuidado con las ofertas que piden un pago.",
        "Cuidado com vagas que pedem pagamento.",
    ],
    [
        "Be careful of job offers that ask for payment or personal financial information.",
        "Méfiez-vous des offres d'emploi qui demandent un paiement ou des informations financières personnelles.",
        "Seien Sie vorsichtig bei Jobangeboten, die eine Zahlung oder persönliche Finanzdaten verlangen.",
        "Ten cuidado con las ofertas que piden un pago o información financiera personal.",
        "Cuidado com vagas que pedem pagamento ou informações financeiras pessoais.",
    ],
    [
        "Continue applying",
        "Continuer la candidature",
        "Bewerbung fortsetzen",
        "Continuar solicitud",
        "Continuar candidatura",
    ],
    [
        "Continue\u{a0}applying",
        "Continuer\u{a0}la candidature",
        "Bewerbung\u{a0}fortsetzen",
        "Continuar\u{a0}solicitud",
        "Continuar\u{a0}candidatura",
    ],
    [
        "Your profile is missing some required qualifications",
        "Il manque certaines qualifications requises à votre profil",
        "In Ihrem Profil fehlen einige der erforderlichen Qualifikationen",
        "A tu perfil le faltan algunas de las aptitudes requeridas",
        "Ao seu perfil faltam algumas das qualificações exigidas",
    ],
    [
        "You can still apply, but the hiring team may prefer other applicants.",
        "Vous pouvez quand même postuler, mais le recruteur pourrait préférer d'autres candidats.",
        "Sie können sich trotzdem bewerben, aber das Team bevorzugt vielleicht andere Bewerber.",
        "Puedes solicitarlo igualmente, pero el equipo podría preferir a otros candidatos.",
        "Você ainda pode se candidatar, mas a equipe pode preferir outros candidatos.",
    ],
    ["Cancel", "Annuler", "Abbrechen", "Cancelar", "Cancelar"],
    ["Continue", "Continuer", "Weiter", "Continuar", "Continuar"],
    [
        "Do you have a valid driver's license?",
        "Avez-vous un permis de conduire valide ?",
        "Haben Sie einen gültigen Führerschein?",
        "¿Tienes una licencia de conducir vigente?",
        "Você tem carteira de motorista válida?",
    ],
    [
        "We must fill this position urgently. Can you start immediately?",
        "Nous devons pourvoir ce poste rapidement. Pouvez-vous commencer immédiatement ?",
        "Wir müssen diese Stelle dringend besetzen. Können Sie sofort beginnen?",
        "Debemos cubrir este puesto con urgencia. ¿Puedes empezar inmediatamente?",
        "Precisamos preencher esta vaga com urgência. Você pode começar imediatamente?",
    ],
    [
        "What is your earliest start date?",
        "Quelle est votre date de début au plus tôt ?",
        "Was ist Ihr frühestmöglicher Eintrittstermin?",
        "¿Cuál es tu fecha de incorporación más temprana?",
        "Qual é a sua data de início mais próxima?",
    ],
    // the date picker's layout, as each language's pages show it
    [
        "mm/dd/yyyy",
        "jj/mm/aaaa",
        "TT.MM.JJJJ",
        "dd/mm/aaaa",
        "dd/mm/aaaa",
    ],
    [
        "Please enter a valid date",
        "Veuillez saisir une date valide",
        "Bitte geben Sie ein gültiges Datum ein",
        "Introduce una fecha válida",
        "Insira uma data válida",
    ],
    [
        "Are you comfortable working in a hybrid setting?",
        "Êtes-vous à l'aise avec un mode de travail hybride ?",
        "Sind Sie mit hybridem Arbeiten einverstanden?",
        "¿Te sientes cómodo trabajando en un entorno híbrido?",
        "Você se sente confortável trabalhando em um modelo híbrido?",
    ],
    [
        "Have you completed the following level of education: Bachelor's Degree?",
        "Avez-vous obtenu le niveau d'études suivant : Bachelor ?",
        "Haben Sie den folgenden Bildungsabschluss erreicht: Bachelor?",
        "¿Has completado el siguiente nivel de estudios: Bachelor?",
        "Você concluiu o seguinte nível de escolaridade: Bachelor?",
    ],
    [
        "Do you have the following license or certification: AWS Certified Solutions Architect?",
        "Avez-vous la licence ou certification suivante : AWS Certified Solutions Architect ?",
        "Besitzen Sie die folgende Lizenz oder Zertifizierung: AWS Certified Solutions Architect?",
        "¿Tienes la siguiente licencia o certificación: AWS Certified Solutions Architect?",
        "Você possui a seguinte licença ou certificação: AWS Certified Solutions Architect?",
    ],
    [
        "What is your level of proficiency in German?",
        "Quel est votre niveau en allemand ?",
        "Wie sind Ihre Sprachkenntnisse in Deutsch?",
        "¿Cuál es tu nivel de alemán?",
        "Qual é o seu nível de alemão?",
    ],
    [
        "Are you legally authorized to work in the United Kingdom?",
        "Êtes-vous légalement autorisé(e) à travailler au Royaume-Uni ?",
        "Sind Sie berechtigt, im Vereinigten Königreich zu arbeiten?",
        "¿Está legalmente autorizado para trabajar en el Reino Unido?",
        "Você está legalmente autorizado a trabalhar no Reino Unido?",
    ],
    [
        "Stand out with Premium",
        "Démarquez-vous avec Premium",
        "Heben Sie sich mit Premium ab",
        "Destaca con Premium",
        "Destaque-se com o Premium",
    ],
    [
        "Try Premium for free",
        "Essayez Premium gratuitement",
        "Premium kostenlos testen",
        "Prueba Premium gratis",
        "Experimente o Premium grátis",
    ],
    [
        "Not now",
        "Pas maintenant",
        "Nicht jetzt",
        "Ahora no",
        "Agora não",
    ],
    [
        "Get alerts for similar jobs",
        "Recevez des alertes pour des offres similaires",
        "Benachrichtigungen für ähnliche Jobs erhalten",
        "Recibe alertas de empleos similares",
        "Receba alertas de vagas semelhantes",
    ],
    [
        "Turn on alerts",
        "Activer les alertes",
        "Benachrichtigungen aktivieren",
        "Activar alertas",
        "Ativar alertas",
    ],
    [
        "No thanks",
        "Non merci",
        "Nein danke",
        "No, gracias",
        "Não, obrigado",
    ],
    [
        "Save this application?",
        "Enregistrer cette candidature\u{a0}?",
        "Diese Bewerbung speichern?",
        "¿Guardar esta solicitud?",
        "Salvar esta candidatura?",
    ],
    [
        "Save to return to this application later.",
        "Enregistrez-la pour y revenir plus tard.",
        "Speichern Sie sie, um später fortzufahren.",
        "Guárdala para volver a ella más tarde.",
        "Salve para voltar a ela mais tarde.",
    ],
    [
        "Discard",
        "Supprimer",
        "Verwerfen",
        "Descartar",
        "Descartar",
    ],
    ["Save", "Enregistrer", "Speichern", "Guardar", "Salvar"],
    [
        super::jobs::DAILY_LIMIT,
        // the wording a public bot met on LinkedIn in French ("Nous limitons le nombre
        // d'envois quotidiens… postulez demain"); it says "limite" nowhere
        "Nous limitons le nombre d\u{2019}envois quotidiens pour que chaque candidature reçoive l\u{2019}attention qu\u{2019}elle mérite. Enregistrez cette offre et postulez demain.",
        "Sie haben das Tageslimit für Einfach bewerben erreicht. Wir begrenzen die täglichen Bewerbungen, damit jede Bewerbung die nötige Aufmerksamkeit erhält. Speichern Sie diesen Job und bewerben Sie sich morgen.",
        "Has alcanzado el límite diario de solicitudes sencillas. Limitamos las solicitudes diarias para que cada candidato reciba la atención adecuada. Guarda este empleo y solicítalo mañana.",
        "Você atingiu o limite diário de candidaturas simplificadas. Limitamos as candidaturas diárias para que cada candidato receba a devida atenção. Salve esta vaga e candidate-se amanhã.",
    ],
    [
        super::jobs::DAILY_LIMIT_2026,
        "Vous avez atteint la limite du jour pour la candidature simplifiée. Enregistrez cette offre et revenez demain pour continuer.",
        "Sie haben das tägliche Bewerbungslimit erreicht. Speichern Sie diesen Job und kommen Sie morgen wieder.",
        "Has alcanzado el límite diario de solicitudes. Guarda este empleo y vuelve mañana para continuar.",
        "Você atingiu o limite diário de candidaturas. Salve esta vaga e volte amanhã para continuar.",
    ],
    [
        super::jobs::THROTTLE,
        "Nous avons remarqué que vous postulez à un rythme soutenu\u{a0}\u{2026} Nous avons suspendu temporairement la candidature simplifiée par mesure de protection contre les activités automatisées non authentiques. Continuer pourrait exposer votre compte à une restriction.",
        "Wir haben bemerkt, dass Sie sich in schnellem Tempo bewerben\u{a0}\u{2026} Wir haben Einfach bewerben vorübergehend pausiert, um automatisierte, nicht authentische Aktivitäten zu verhindern. Wenn Sie fortfahren, kann Ihr Konto eingeschränkt werden.",
        "Hemos notado que estás solicitando a un ritmo rápido\u{a0}\u{2026} Hemos pausado temporalmente la solicitud sencilla como medida contra actividades automatizadas no auténticas. Continuar puede suponer un riesgo de restricción para tu cuenta.",
        "Percebemos que você está se candidatando em um ritmo acelerado\u{a0}\u{2026} Pausamos temporariamente a candidatura simplificada como proteção contra atividades automatizadas não autênticas. Continuar pode colocar sua conta em risco de restrição.",
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_cookie_names_the_language() {
        let mut headers = HeaderMap::new();
        headers.insert(
            axum::http::header::COOKIE,
            "li_at=x; lang=\"v=2&lang=fr-fr\"".parse().unwrap(),
        );
        let lang = Lang::of_request(&headers);
        assert_eq!(lang.tag, "fr-FR");
        assert_eq!(lang.say("Next").as_deref(), Some("Suivant"));
        assert_eq!(Lang::of_request(&HeaderMap::new()), Lang::english());
        assert_eq!(
            Lang::from_tag("it-it").say("Next"),
            None,
            "no Italian texts"
        );
    }

    #[test]
    fn patterns_carry_their_values_and_only_heard_text_is_translated() {
        let de = Lang::from_tag("de");
        assert_eq!(
            de.say("Easy Apply to Rust Engineer at Acme").as_deref(),
            Some("Einfach bewerben: Rust Engineer bei Acme")
        );
        assert_eq!(de.say("30 days").as_deref(), Some("30 Tage"));
        let page = r#"<html lang="en"><body><label for="a">Next</label><input data-replica-label="Next" aria-label="Next" value="Yes"><script>var x = "Next";</script><script src="/replica/static/replica.js"></script></body></html>"#;
        let html = de.localize(page);
        assert!(html.starts_with(r#"<html lang="de">"#), "{html}");
        assert!(
            html.contains(r#"<label for="a">Weiter</label><input data-replica-label="Next" aria-label="Weiter" value="Ja">"#),
            "{html}"
        );
        assert!(html.contains(r#"var x = "Next";"#), "scripts untouched");
        assert!(
            html.contains(r#""Next":"Weiter""#),
            "the client's dictionary"
        );
    }
}

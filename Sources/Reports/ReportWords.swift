import Model

/// The report's own words, Dutch first (shared/UI.md); the sections' words are the plugins'.
enum ReportWords {
    static func words(_ lang: Language) -> [String: String] {
        var w: [String: String] = [:]
        for (key, nl, en) in table { w[key] = lang == .nl ? nl : en }
        return w
    }

    static let table: [(String, String, String)] = [
        ("report", "Verslag", "Report"),
        ("code", "Code", "Code"),
        ("status", "Status", "Status"),
        ("status.draft", "nog niet gestart", "not started yet"),
        ("status.open", "loopt", "running"),
        ("status.closed", "gesloten", "closed"),
        ("series", "Reeks", "Series"),
        ("started", "gestart", "started"),
        ("closed", "gesloten", "closed"),
        ("generated", "Gemaakt", "Made"),
        ("agenda", "Agenda en tijden", "Agenda and timings"),
        ("activity", "Activiteit", "Activity"),
        ("tool", "Werkvorm", "Tool"),
        ("start", "Begin", "Start"),
        ("duration", "Duur", "Duration"),
        ("now", "nu bezig", "now running"),
        ("noAgenda", "Deze sessie heeft geen agenda.", "This session has no agenda."),
        ("attendance", "Aanwezigheid", "Attendance"),
        ("participants", "deelnemers", "participants"),
        ("byFunction", "Naar functie", "By function"),
        ("byOrganisation", "Naar organisatie", "By organisation"),
        ("notGiven", "niet opgegeven", "not given"),
        ("count", "Aantal", "Count"),
        ("results", "Resultaten", "Results"),
        ("fromView", "Nog geen verslag van deze activiteit: de stand zoals de zaal die ziet.", "No report from this activity yet: where it stands as the room sees it."),
        ("noResults", "Nog geen resultaten.", "No results yet."),
        ("label", "Onderdeel", "Item"),
        ("value", "Waarde", "Value"),
        ("produced", "Kennisbank en gereedschapskist", "Kennisbank and toolkit"),
        ("noProduced", "Deze sessie heeft (nog) niets in de kennisbank of de gereedschapskist gezet.", "This session has not filed anything in the kennisbank or the toolkit (yet)."),
        ("kennisbank", "Kennisbank", "Kennisbank"),
        ("gereedschapskist", "Gereedschapskist", "Toolkit"),
        ("from", "uit", "from"),
        ("seriesReport", "Verslag van de reeks", "Series report"),
        ("sessions", "Bijeenkomsten", "Sessions"),
        ("session", "Bijeenkomst", "Session"),
        ("when", "Wanneer", "When"),
        ("where", "Waar", "Where"),
        ("attendanceTotal", "aanwezigen over alle bijeenkomsten", "attendances over all sessions"),
        ("themes", "Thema's", "Themes"),
        ("noThemes", "Nog geen thema's gekozen.", "No themes chosen yet."),
        ("toolkitItems", "Gereedschapskist", "Toolkit"),
        ("noToolkit", "De reeks heeft (nog) niets in de gereedschapskist gezet.", "The series has not filed anything in the toolkit (yet)."),
        ("noSessions", "Deze reeks heeft nog geen bijeenkomsten.", "This series has no sessions yet."),
        ("continuingTitle", "Deelnemers die doorgaan", "Participants who continue"),
        ("continuingText", "deelnemers doen mee met één identiteit over de reeks.", "participants take part with one identity across the series."),
        ("atSessions", "bij", "at"),
        ("sessionsWord", "bijeenkomst(en)", "session(s)"),
        ("triosKept", "trio('s) gevormd en bewaard voor de volgende bijeenkomsten.", "trio(s) formed and kept for the next sessions."),
        ("noContinuing", "Niemand doet (nog) mee met één identiteit over de reeks.", "No one takes part with one identity across the series (yet)."),
        ("confidential", "Vertrouwelijke inbreng (zoals intervisiecasussen) staat nooit in dit verslag.", "Confidential input (such as peer consultation cases) is never in this report."),
    ]
}

import PluginSDK

/// An intervisie method as data: a named list of steps, each with a purpose, a prompt per role, a
/// suggested duration, who may write in it and which kinds of cards. Every group runs the method's steps
/// between two fixed stages of the plugin: `intake` (propose and choose the case) and `leerpunten`
/// (formulate, tag, consent, publish). docs/CASE-REVIEW.md lists the built-in methods.
struct Method: Sendable, Hashable, Encodable {
    var id: String
    var title: LocalizedText
    var steps: [Step]
}

struct Step: Sendable, Hashable, Encodable {
    var id: String
    var title: LocalizedText
    var purpose: LocalizedText
    /// What each role is asked to do in this step (`inbrenger`, `voorzitter`, `notulist`, `adviseur`).
    var prompts: [String: LocalizedText]
    var minutes: Int
    /// The roles that may write cards in this step.
    var who: [String]
    /// The card kinds allowed in this step (`question`, `hypothesis`, `advice`, `note`).
    var kinds: [String]
}

enum Roles {
    static let inbrenger = "inbrenger"
    static let chair = "voorzitter"
    static let notes = "notulist"
    static let adviser = "adviseur"
    static let all = [inbrenger, chair, notes, adviser]
    static let others = [chair, notes, adviser]
}

enum CardKinds {
    static let all = ["question", "hypothesis", "advice", "note"]
}

enum Barriers {
    /// The belemmeringen a leerpunt can address (the facet values of the gereedschapskist; `other` is "anders").
    static let all = ["wet-en-regelgeving", "budget", "cultuurverschillen", "samenwerking", "other"]
    /// Dutch spellings that name the same values.
    static let aliases = ["anders": "other", "wet- en regelgeving": "wet-en-regelgeving"]
}

extension LocalizedText {
    init(_ nl: String, _ en: String) { self.init(nl: nl, en: en) }
}

/// A step whose writers get one prompt and whose listeners another.
private func step(_ id: String, _ title: LocalizedText, _ purpose: LocalizedText, minutes: Int, who: [String], kinds: [String],
                  write: LocalizedText, listen: LocalizedText) -> Step {
    var prompts: [String: LocalizedText] = [:]
    for r in Roles.all { prompts[r] = who.contains(r) ? write : listen }
    return Step(id: id, title: title, purpose: purpose, prompts: prompts, minutes: minutes, who: who, kinds: kinds)
}

private let inbrengerListens = LocalizedText("Luister en schrijf mee voor jezelf; je reageert later.", "Listen and take notes for yourself; you respond later.")
private let othersListen = LocalizedText("Luister naar de inbrenger; je schrijft in deze stap niets.", "Listen to the case owner; you write nothing in this step.")

enum BuiltInMethods {
    static let incident = Method(id: "incident", title: LocalizedText("Incidentmethode", "Incident method"), steps: [
        step("terugblik", LocalizedText("Terugblik", "Look back"),
             LocalizedText("Kort terugkijken op de adviezen van de vorige keer: wat is ermee gedaan?", "Briefly look back at last time's advice: what came of it?"),
             minutes: 5, who: Roles.all, kinds: ["note"],
             write: LocalizedText("Wat heb je gedaan met het advies van de vorige keer?", "What did you do with last time's advice?"), listen: othersListen),
        step("vragen", LocalizedText("Informatieve vragen", "Informative questions"),
             LocalizedText("Alleen vragen naar feiten: geen advies, geen oordeel.", "Only questions about facts: no advice, no judgement."),
             minutes: 10, who: Roles.others, kinds: ["question"],
             write: LocalizedText("Stel een vraag naar de feiten. Geen advies, geen oordeel.", "Ask about the facts. No advice, no judgement."),
             listen: LocalizedText("Beantwoord de vragen kort en feitelijk.", "Answer the questions briefly and factually.")),
        step("analyse", LocalizedText("Analyse", "Analysis"),
             LocalizedText("De groep analyseert de casus; de inbrenger luistert alleen.", "The group analyses the case; the case owner only listens."),
             minutes: 10, who: Roles.others, kinds: ["hypothesis", "note"],
             write: LocalizedText("Wat speelt hier volgens jou? Schrijf een hypothese.", "What is going on here, in your view? Write a hypothesis."), listen: inbrengerListens),
        step("advies", LocalizedText("Adviesronde", "Advice round"),
             LocalizedText("Iedereen geeft advies; de inbrenger luistert en reageert nog niet.", "Everyone gives advice; the case owner listens and does not respond yet."),
             minutes: 10, who: Roles.others, kinds: ["advice"],
             write: LocalizedText("Geef één concreet advies: wat zou jij doen?", "Give one concrete piece of advice: what would you do?"), listen: inbrengerListens),
        step("reactie", LocalizedText("Reactie van de inbrenger", "The case owner responds"),
             LocalizedText("De inbrenger zegt welk advies bruikbaar is en wat hij of zij gaat doen.", "The case owner says which advice is useful and what they will do."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Markeer de bruikbare adviezen en schrijf wat je gaat doen.", "Mark the useful advice and write what you will do."),
             listen: LocalizedText("Luister naar de inbrenger.", "Listen to the case owner.")),
    ])

    static let roddel = Method(id: "roddel", title: LocalizedText("Roddelmethode", "Gossip method"), steps: [
        step("inbreng", LocalizedText("Casus toelichten", "Present the case"),
             LocalizedText("De inbrenger vertelt de casus en de vraag.", "The case owner tells the case and the question."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Vertel kort je casus en wat je van de groep wilt.", "Tell your case briefly and what you want from the group."), listen: othersListen),
        step("vragen", LocalizedText("Vragen", "Questions"),
             LocalizedText("De groep stelt verhelderende vragen.", "The group asks clarifying questions."),
             minutes: 10, who: Roles.others, kinds: ["question"],
             write: LocalizedText("Stel een verhelderende vraag.", "Ask a clarifying question."),
             listen: LocalizedText("Beantwoord de vragen.", "Answer the questions.")),
        step("roddelen", LocalizedText("Respectvol roddelen", "Respectful gossip"),
             LocalizedText("De inbrenger draait zich om; de groep praat over de casus alsof hij of zij er niet is.", "The case owner turns their back; the group talks about the case as if they were not there."),
             minutes: 15, who: Roles.others, kinds: ["hypothesis", "note"],
             write: LocalizedText("Praat over de casus alsof de inbrenger er niet is. Respectvol.", "Talk about the case as if the case owner were not there. Respectfully."),
             listen: LocalizedText("Draai je om en luister alleen.", "Turn your back and only listen.")),
        step("reactie", LocalizedText("Reactie", "Response"),
             LocalizedText("De inbrenger reageert op wat hij of zij hoorde.", "The case owner responds to what they heard."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Wat raakte je in wat je hoorde?", "What struck you in what you heard?"),
             listen: LocalizedText("Luister naar de inbrenger.", "Listen to the case owner.")),
        step("advies", LocalizedText("Schriftelijk advies", "Written advice"),
             LocalizedText("Iedereen schrijft een advies voor de inbrenger.", "Everyone writes advice for the case owner."),
             minutes: 10, who: Roles.others, kinds: ["advice"],
             write: LocalizedText("Schrijf één advies voor de inbrenger.", "Write one piece of advice for the case owner."),
             listen: LocalizedText("Markeer de adviezen die je bruikbaar vindt.", "Mark the advice you find useful.")),
    ])

    static let vijfstappen = Method(id: "vijfstappen", title: LocalizedText("Vijfstappenmethode", "Five-step method"), steps: [
        step("introductie", LocalizedText("Vraagintroductie", "Introducing the question"),
             LocalizedText("De inbrenger introduceert de vraag.", "The case owner introduces the question."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Wat is je vraag aan de groep?", "What is your question to the group?"), listen: othersListen),
        step("verkennen", LocalizedText("Probleem verkennen", "Exploring the problem"),
             LocalizedText("De groep verkent het probleem met vragen.", "The group explores the problem with questions."),
             minutes: 10, who: Roles.others, kinds: ["question"],
             write: LocalizedText("Welke vraag helpt het probleem te begrijpen?", "Which question helps to understand the problem?"),
             listen: LocalizedText("Beantwoord de vragen.", "Answer the questions.")),
        step("kern", LocalizedText("Kern benoemen", "Naming the core"),
             LocalizedText("Samen de kern van het probleem benoemen.", "Name the core of the problem together."),
             minutes: 10, who: Roles.all, kinds: ["hypothesis"],
             write: LocalizedText("Wat is volgens jou de kern?", "What is the core, in your view?"), listen: othersListen),
        step("advies", LocalizedText("Adviesronde", "Advice round"),
             LocalizedText("Iedereen geeft advies bij de kern.", "Everyone gives advice on the core."),
             minutes: 10, who: Roles.others, kinds: ["advice"],
             write: LocalizedText("Geef één concreet advies.", "Give one concrete piece of advice."), listen: inbrengerListens),
        step("evaluatie", LocalizedText("Evaluatie", "Evaluation"),
             LocalizedText("Wat heeft de inbrenger eraan, en hoe ging het gesprek?", "What did the case owner gain, and how did the conversation go?"),
             minutes: 5, who: Roles.all, kinds: ["note"],
             write: LocalizedText("Wat neem je mee?", "What do you take away?"), listen: othersListen),
    ])

    static let tienstappen = Method(id: "tienstappen", title: LocalizedText("Tienstappenmethode", "Ten-step method"), steps: [
        step("beschrijven", LocalizedText("Casus beschrijven", "Describing the case"),
             LocalizedText("De inbrenger beschrijft de casus.", "The case owner describes the case."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Beschrijf je casus.", "Describe your case."), listen: othersListen),
        step("verhelderen", LocalizedText("Verhelderende vragen", "Clarifying questions"),
             LocalizedText("De anderen stellen verhelderende vragen, nog zonder antwoord.", "The others ask clarifying questions, not answered yet."),
             minutes: 10, who: Roles.others, kinds: ["question"],
             write: LocalizedText("Stel een verhelderende vraag.", "Ask a clarifying question."), listen: inbrengerListens),
        step("waarderen", LocalizedText("Vragen waarderen en beantwoorden", "Valuing and answering the questions"),
             LocalizedText("De inbrenger zegt welke vragen het meest helpen en beantwoordt ze.", "The case owner says which questions help most and answers them."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Welke vragen helpen je het meest? Beantwoord ze.", "Which questions help you most? Answer them."), listen: othersListen),
        step("extra", LocalizedText("Extra vragenronde", "Extra round of questions"),
             LocalizedText("Een extra ronde vragen.", "An extra round of questions."),
             minutes: 5, who: Roles.others, kinds: ["question"],
             write: LocalizedText("Wat wil je nog weten?", "What else do you want to know?"),
             listen: LocalizedText("Beantwoord de vragen.", "Answer the questions.")),
        step("kern", LocalizedText("Kern definiëren", "Defining the core"),
             LocalizedText("De groep definieert de kern van het probleem.", "The group defines the core of the problem."),
             minutes: 10, who: Roles.others, kinds: ["hypothesis"],
             write: LocalizedText("Wat is de kern van het probleem?", "What is the core of the problem?"), listen: inbrengerListens),
        step("herdefinieren", LocalizedText("Probleem herdefiniëren", "Redefining the problem"),
             LocalizedText("De inbrenger herdefinieert het probleem.", "The case owner redefines the problem."),
             minutes: 5, who: [Roles.inbrenger], kinds: ["note"],
             write: LocalizedText("Hoe zie je je probleem nu?", "How do you see your problem now?"), listen: othersListen),
        step("aanpak", LocalizedText("Nieuwe aanpak", "New approach"),
             LocalizedText("De groep denkt mee over een nieuwe aanpak.", "The group thinks along about a new approach."),
             minutes: 10, who: Roles.others, kinds: ["advice"],
             write: LocalizedText("Welke aanpak stel je voor?", "Which approach do you propose?"), listen: inbrengerListens),
        step("tips", LocalizedText("Tips", "Tips"),
             LocalizedText("Korte, concrete tips voor de inbrenger.", "Short, concrete tips for the case owner."),
             minutes: 5, who: Roles.others, kinds: ["advice"],
             write: LocalizedText("Geef een korte tip.", "Give a short tip."),
             listen: LocalizedText("Markeer de tips die je bruikbaar vindt.", "Mark the tips you find useful.")),
        step("inzichten", LocalizedText("Persoonlijke inzichten", "Personal insights"),
             LocalizedText("De anderen vertellen wat zij zelf van de casus leren.", "The others say what they themselves learn from the case."),
             minutes: 5, who: Roles.others, kinds: ["note"],
             write: LocalizedText("Wat leer jij zelf van deze casus?", "What do you learn from this case yourself?"),
             listen: LocalizedText("Luister naar wat de anderen leren.", "Listen to what the others learn.")),
        step("evaluatie", LocalizedText("Evaluatie", "Evaluation"),
             LocalizedText("De inbrenger zegt wat hij of zij meeneemt; de groep kijkt terug op het proces.", "The case owner says what they take away; the group looks back on the process."),
             minutes: 5, who: Roles.all, kinds: ["note"],
             write: LocalizedText("Wat neem je mee uit deze intervisie?", "What do you take away from this peer consultation?"), listen: othersListen),
    ])

    static let all: [String: Method] = [
        "incident": incident, "roddel": roddel, "vijfstappen": vijfstappen, "tienstappen": tienstappen,
    ]
    /// Aliases: the Dutch names (`incidentmethode`, `roddelmethode`, …) and English ids (`gossip`, `five-step`, `ten-step`).
    static let english = ["gossip": "roddel", "five-step": "vijfstappen", "ten-step": "tienstappen"]
    static func named(_ id: String) -> Method? {
        all[id] ?? english[id].flatMap { all[$0] } ?? (id.hasSuffix("methode") ? all[String(id.dropLast("methode".count))] : nil)
    }
}

/// The two fixed stages every method runs between.
enum Stages {
    static let intake = Step(
        id: "intake", title: LocalizedText("Casus kiezen", "Choosing a case"),
        purpose: LocalizedText("Iedereen kan kort een casus inbrengen; de groep kiest er één.", "Everyone may briefly bring a case; the group chooses one."),
        prompts: Dictionary(uniqueKeysWithValues: Roles.all.map { ($0, LocalizedText("Breng een casus in: titel, korte beschrijving en je vraag.", "Bring a case: title, short description and your question.")) }),
        minutes: 10, who: Roles.all, kinds: [])
    static let leerpunten = Step(
        id: "leerpunten", title: LocalizedText("Leerpunten", "Lessons learned"),
        purpose: LocalizedText("Wat leren we? Schrijf leerpunten en tips, kies de belemmering; de inbrenger geeft toestemming om te delen.", "What do we learn? Write lessons and tips, choose the barrier; the case owner consents to sharing."),
        prompts: Dictionary(uniqueKeysWithValues: Roles.all.map { ($0, $0 == Roles.inbrenger
            ? LocalizedText("Geef per leerpunt toestemming om het te delen in de gereedschapskist.", "Give consent per lesson to share it in the toolkit.")
            : LocalizedText("Schrijf een leerpunt zonder vertrouwelijke details van de casus.", "Write a lesson without confidential details of the case.")) }),
        minutes: 10, who: Roles.all, kinds: [])
}

/// Reads `config.method`: a built-in id, or a custom method object (the manifest's schema checks its
/// shape at session creation; this checks what a schema cannot: duplicate step ids, an unknown id).
enum MethodReader {
    static func text(_ v: JSONValue?) -> LocalizedText? {
        if let s = v?.stringValue { return LocalizedText(s, s) }
        guard let o = v?.objectValue else { return nil }
        let nl = o["nl"]?.stringValue, en = o["en"]?.stringValue
        guard let any = nl ?? en else { return nil }
        return LocalizedText(nl ?? any, en ?? any)
    }

    /// The method, or the problems that stop it (each `path: message`).
    static func read(_ value: JSONValue?) -> (Method?, [String]) {
        guard let value else { return (BuiltInMethods.incident, []) }
        if let id = value.stringValue {
            guard let m = BuiltInMethods.named(id) else {
                return (nil, ["config.method: unknown method `\(id)`; built in: \(BuiltInMethods.all.keys.sorted().joined(separator: ", "))"])
            }
            return (m, [])
        }
        guard let o = value.objectValue else { return (nil, ["config.method: must be a method id or a method object"]) }
        var problems: [String] = []
        let id = o["id"]?.stringValue ?? "custom"
        let title = text(o["title"]) ?? LocalizedText(id, id)
        var steps: [Step] = []
        var seen: [String: Int] = [:]
        let raw = o["steps"]?.arrayValue ?? []
        if raw.isEmpty { problems.append("config.method.steps: must have at least 1 step") }
        for (i, s) in raw.enumerated() {
            let at = "config.method.steps[\(i)]"
            guard let sid = s["id"]?.stringValue, !sid.isEmpty else { problems.append("\(at).id: is required"); continue }
            if sid == Stages.intake.id || sid == Stages.leerpunten.id {
                problems.append("\(at).id: `\(sid)` is reserved for the plugin's own stage")
            }
            if let j = seen[sid] { problems.append("\(at).id: `\(sid)` is already the id of steps[\(j)]") } else { seen[sid] = i }
            let who = (s["who"]?.arrayValue ?? []).compactMap(\.stringValue)
            if who.isEmpty { problems.append("\(at).who: must name at least one role") }
            for r in who where !Roles.all.contains(r) { problems.append("\(at).who: unknown role `\(r)`; roles: \(Roles.all.joined(separator: ", "))") }
            let kinds = (s["kinds"]?.arrayValue ?? []).compactMap(\.stringValue)
            if kinds.isEmpty { problems.append("\(at).kinds: must name at least one card kind") }
            for k in kinds where !CardKinds.all.contains(k) { problems.append("\(at).kinds: unknown card kind `\(k)`; kinds: \(CardKinds.all.joined(separator: ", "))") }
            var prompts: [String: LocalizedText] = [:]
            for (r, p) in s["prompts"]?.objectValue ?? [:] {
                if !Roles.all.contains(r) { problems.append("\(at).prompts.\(r): unknown role") }
                if let t = text(p) { prompts[r] = t }
            }
            let minutes = Int(s["minutes"]?.intValue ?? 10)
            if !(1...240).contains(minutes) { problems.append("\(at).minutes: must be 1 to 240") }
            let stitle = text(s["title"]) ?? LocalizedText(sid, sid)
            steps.append(Step(id: sid, title: stitle, purpose: text(s["purpose"]) ?? stitle, prompts: prompts,
                              minutes: minutes, who: who.filter(Roles.all.contains), kinds: kinds.filter(CardKinds.all.contains)))
        }
        return problems.isEmpty ? (Method(id: id, title: title, steps: steps), []) : (nil, problems)
    }
}

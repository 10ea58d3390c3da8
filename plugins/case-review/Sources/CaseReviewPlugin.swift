import PluginSDK

/// Intervisie in groups (docs/CASE-REVIEW.md): every group proposes and chooses its own case, walks the
/// steps of one method (built in or from the agenda) at its own pace or in lock-step, writes cards per
/// step by the roles the step allows, and ends with leerpunten that the case owner consents to share;
/// published ones leave the group as gereedschapskist items. Case content only ever goes to
/// `group:<id>`; `public` and `facilitator` carry progress (step, deadline, counts). Time comes only
/// from `event.at`; every collection is sorted or kept in event order before it reaches a view.
enum CaseReviewPlugin: ActivityPlugin {
    static let name = "case-review"
    static let version = "1.0.0"

    struct Config: Decodable, Sendable {
        /// A built-in method id (`incident`, `roddel`, `vijfstappen`, `tienstappen`) or a method object.
        var method: JSONValue?
        /// Total minutes for the method's steps: the steps' suggested minutes are scaled to it.
        var minutes: Int?
        var intakeMinutes: Int?
        var leerpuntenMinutes: Int?
        /// `own` (default): each group moves at its own pace. `lockstep`: only the facilitator advances, all groups at once.
        var pace: String?
        /// `chair` (default): the chair picks the case. `vote`: the members vote; the most votes win when the group advances.
        var choice: String?
        /// In a series: ask the inbrenger at the end whether to keep a follow-up question for the next session (FollowUp.swift).
        var followUp: Bool?
    }

    struct Proposal: Sendable, Hashable {
        var id: String
        var by: String
        var title: String
        var description: String
        var question: String
    }

    struct Card: Sendable, Hashable, Encodable {
        var id: String
        var step: String
        var kind: String
        var text: String
        var role: String
        var by: String
        var useful: Bool
    }

    struct Leerpunt: Sendable, Hashable {
        var id: String
        var seq: Int64
        var by: String
        var title: String
        var text: String
        var kind: String
        var barriers: [String]
        var consent = false
        var consentSeq: Int64?
        var shareCase = false
        var published = false
    }

    struct Group: Sendable, Hashable {
        var id: String
        var members: [String]
        var chair: String?
        var notes: String?
        /// Who brought the case (the `inbrenger` role).
        var inbrenger: String?
        /// 0 = intake, 1…n = the method's steps, n + 1 = leerpunten.
        var stage = 0
        var stageAt: Int64
        var proposals: [Proposal] = []
        var votes: [String: String] = [:]
        var caseId: String?
        var cards: [Card] = []
        var leerpunten: [Leerpunt] = []
        var published = 0
        /// The inbrenger's answer to keeping a follow-up question for the next session (nil: not answered).
        var followUp: Bool?

        func role(of p: String) -> String {
            if p == inbrenger { return Roles.inbrenger }
            if p == chair { return Roles.chair }
            if p == notes { return Roles.notes }
            return Roles.adviser
        }

        var chosen: Proposal? { proposals.first { $0.id == caseId } }

        /// The first member who is neither the case owner nor `except`.
        func firstFree(except: String? = nil) -> String? { members.first { $0 != inbrenger && $0 != except } }
    }

    struct State: Sendable {
        var method: Method?
        var problems: [String]
        /// intake, the method's steps (minutes scaled), leerpunten.
        var stages: [Step]
        var lockstep: Bool
        var byVote: Bool
        var groups: [String: Group] = [:]
        var memberOf: [String: String] = [:]
        var closing = false
        /// The follow-ups the previous session of the series kept, by group id (`context.from`; FollowUp.swift).
        var lookBack: [String: FollowUp] = [:]
        /// `config.followUp`: the inbrenger is asked to keep a follow-up question.
        var askFollowUp = false
        /// The consenting groups of the last `follow-up` result emitted.
        var followUpsEmitted: [String] = []
    }

    static func start(config: Config, anonymity: Anonymity, context: JSONValue) -> (State, Views) {
        var (method, problems) = MethodReader.read(config.method)
        if let p = config.pace, p != "own" && p != "lockstep" { problems.append("config.pace: must be own or lockstep") }
        if let c = config.choice, c != "chair" && c != "vote" { problems.append("config.choice: must be chair or vote") }
        if !problems.isEmpty { method = nil }
        var steps = method?.steps ?? []
        if let total = config.minutes, total > 0, !steps.isEmpty {
            let sum = steps.reduce(0) { $0 + $1.minutes }
            for i in steps.indices { steps[i].minutes = max(1, Int((Double(steps[i].minutes * total) / Double(sum)).rounded())) }
        }
        var intake = Stages.intake, closing = Stages.leerpunten
        intake.minutes = max(1, config.intakeMinutes ?? intake.minutes)
        closing.minutes = max(1, config.leerpuntenMinutes ?? closing.minutes)
        var state = State(method: method, problems: problems, stages: [intake] + steps + [closing],
                          lockstep: config.pace == "lockstep", byVote: config.choice == "vote")
        state.lookBack = lookBack(context)
        state.askFollowUp = config.followUp == true
        return (state, views(state))
    }

    static func reject(_ code: String, _ nl: String, _ en: String) -> Rejection { Rejection(code, nl: nl, en: en) }

    static func text(_ p: JSONValue, _ key: String, max: Int, min: Int = 1) -> String? {
        guard let raw = p[key]?.stringValue else { return min == 0 ? "" : nil }
        let t = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        return (min...max).contains(t.count) ? t : nil
    }

    static func reduce(_ state: inout State, event: PluginEvent, config: Config) throws(Rejection) -> Views {
        let who = event.actor.id
        switch event.type {
        case "$groups":
            let before = state.memberOf.keys.sorted()
            regroup(&state, event.payload["groups"]?.objectValue ?? [:], at: event.at)
            var v = views(state, me: true)
            for p in before where state.memberOf[p] == nil { v.set("participant:\(p)", Me(id: p, group: nil)) }
            return v
        case "$leave":
            if let p = event.payload["participant"]?.stringValue, let g = state.memberOf[p] {
                state.memberOf[p] = nil
                state.groups[g]?.members.removeAll { $0 == p }
                fixRoles(&state.groups[g]!)
                var v = views(state, me: true)
                v.set("participant:\(p)", Me(id: p, group: nil))
                return v
            }
            return Views()
        case "$phase":
            let phase = event.payload["phase"]?.stringValue
            if phase == "closing" || phase == "closed" {
                state.closing = true
                let last = state.stages.count - 1
                for id in state.groups.keys.sorted() where state.groups[id]!.caseId != nil && state.groups[id]!.stage < last {
                    state.groups[id]!.stage = last
                    state.groups[id]!.stageAt = event.at
                }
            } else {
                state.closing = false
            }
            var v = views(state)
            v.report(reportSection(state))
            return v
        case "$join", "$reveal":
            return Views()
        default:
            break
        }
        guard state.method != nil else {
            throw reject("bad_method", "De methode van deze intervisie klopt niet; de facilitator moet de agenda aanpassen.",
                         "This peer consultation's method is invalid; the facilitator must fix the agenda.")
        }
        if event.actor.role == .facilitator {
            try facilitatorInput(&state, event)
            return views(state)
        }
        guard let gid = state.memberOf[who], var g = state.groups[gid] else {
            throw reject("not_in_group", "Je zit (nog) niet in een groep. Wacht tot de facilitator groepen maakt.",
                         "You are not in a group (yet). Wait for the facilitator to form groups.")
        }
        let p = event.payload
        let last = state.stages.count - 1
        switch event.type {
        case "propose":
            guard g.stage == 0 else { throw reject("not_intake", "De casus is al gekozen.", "The case has already been chosen.") }
            guard let title = text(p, "title", max: 120), let question = text(p, "question", max: 500),
                  let description = text(p, "description", max: 2000, min: 0) else {
                throw reject("bad_proposal", "Geef een titel (tot 120 tekens), een korte beschrijving en je vraag (tot 500 tekens).",
                             "Give a title (up to 120 characters), a short description and your question (up to 500 characters).")
            }
            if let i = g.proposals.firstIndex(where: { $0.by == who }) {
                g.proposals[i].title = title
                g.proposals[i].description = description
                g.proposals[i].question = question
            } else {
                g.proposals.append(Proposal(id: "c\(event.seq)", by: who, title: title, description: description, question: question))
            }
        case "vote-case":
            guard g.stage == 0 else { throw reject("not_intake", "De casus is al gekozen.", "The case has already been chosen.") }
            guard let id = p["proposal"]?.stringValue, g.proposals.contains(where: { $0.id == id }) else {
                throw reject("no_such_proposal", "Die casus bestaat niet in jouw groep.", "That case does not exist in your group.")
            }
            g.votes[who] = id
        case "choose-case":
            guard g.stage == 0 else { throw reject("not_intake", "De casus is al gekozen.", "The case has already been chosen.") }
            guard who == g.chair else { throw notChair }
            guard !state.byVote else { throw reject("choice_by_vote", "In deze intervisie kiest de groep de casus met stemmen.", "In this peer consultation the group chooses the case by voting.") }
            guard let id = p["proposal"]?.stringValue, g.proposals.contains(where: { $0.id == id }) else {
                throw reject("no_such_proposal", "Die casus bestaat niet in jouw groep.", "That case does not exist in your group.")
            }
            choose(&g, id)
        case "card":
            guard g.stage > 0 && g.stage < last else {
                throw reject("no_cards_now", "In deze fase schrijf je geen kaartjes.", "You do not write cards in this stage.")
            }
            let step = state.stages[g.stage]
            let role = g.role(of: who)
            guard step.who.contains(role) else {
                throw reject("not_your_turn", "In deze stap schrijven alleen: \(step.who.joined(separator: ", ")).",
                             "In this step only these roles write: \(step.who.joined(separator: ", ")).")
            }
            let kind = p["kind"]?.stringValue ?? step.kinds.first ?? "note"
            guard step.kinds.contains(kind) else {
                throw reject("bad_kind", "In deze stap kun je alleen dit schrijven: \(step.kinds.joined(separator: ", ")).",
                             "In this step you can only write: \(step.kinds.joined(separator: ", ")).")
            }
            guard let t = text(p, "text", max: 1000) else { throw reject("bad_text", "Schrijf 1 tot 1000 tekens.", "Write 1 to 1000 characters.") }
            guard g.cards.count < 500 else { throw reject("too_many", "Deze groep heeft genoeg kaartjes.", "This group has enough cards.") }
            g.cards.append(Card(id: "k\(event.seq)", step: step.id, kind: kind, text: t, role: role, by: who, useful: false))
        case "mark-useful":
            guard who == g.inbrenger else {
                throw reject("not_case_owner", "Alleen de inbrenger markeert bruikbaar advies.", "Only the case owner marks useful advice.")
            }
            guard let id = p["card"]?.stringValue, let i = g.cards.firstIndex(where: { $0.id == id }) else {
                throw reject("no_such_card", "Dat kaartje bestaat niet in jouw groep.", "That card does not exist in your group.")
            }
            guard g.cards[i].kind == "advice" else { throw reject("not_advice", "Alleen adviezen kun je als bruikbaar markeren.", "Only advice can be marked useful.") }
            g.cards[i].useful = p["useful"]?.boolValue ?? true
        case "advance":
            guard !state.lockstep else {
                throw reject("lockstep", "De groepen gaan samen verder; de facilitator zet de volgende stap.", "The groups move together; the facilitator starts the next step.")
            }
            guard who == g.chair else { throw notChair }
            try advance(&g, state: state, at: event.at)
        case "assign-role":
            guard who == g.chair else { throw notChair }
            try assign(&g, p)
        case "leerpunt":
            guard g.stage == last else {
                throw reject("not_leerpunten", "Leerpunten schrijf je in de laatste stap.", "Lessons are written in the last step.")
            }
            guard let title = text(p, "title", max: 120), let body = text(p, "text", max: 2000) else {
                throw reject("bad_text", "Geef een titel (tot 120 tekens) en een tekst (tot 2000 tekens).", "Give a title (up to 120 characters) and a text (up to 2000 characters).")
            }
            let kind = p["kind"]?.stringValue ?? "les"
            guard kind == "les" || kind == "tip" else { throw reject("bad_kind", "Kies les of tip.", "Choose lesson or tip.") }
            guard let raw = p["barriers"]?.arrayValue, !raw.isEmpty, raw.count <= Barriers.all.count,
                  case let barriers = raw.compactMap({ $0.stringValue.map { Barriers.aliases[$0] ?? $0 } }), barriers.count == raw.count,
                  barriers.allSatisfy(Barriers.all.contains), Set(barriers).count == barriers.count else {
                throw reject("bad_barrier", "Kies één of meer belemmeringen: \(Barriers.all.joined(separator: ", ")).",
                             "Choose one or more barriers: \(Barriers.all.joined(separator: ", ")).")
            }
            guard g.leerpunten.count < 50 else { throw reject("too_many", "Deze groep heeft genoeg leerpunten.", "This group has enough lessons.") }
            g.leerpunten.append(Leerpunt(id: "l\(event.seq)", seq: event.seq, by: who, title: title, text: body, kind: kind,
                                         barriers: Barriers.all.filter(barriers.contains)))
        case "consent":
            guard who == g.inbrenger else {
                throw reject("not_case_owner", "Alleen de inbrenger geeft toestemming om te delen.", "Only the case owner consents to sharing.")
            }
            guard let id = p["leerpunt"]?.stringValue, let i = g.leerpunten.firstIndex(where: { $0.id == id }) else {
                throw reject("no_such_leerpunt", "Dat leerpunt bestaat niet in jouw groep.", "That lesson does not exist in your group.")
            }
            guard !g.leerpunten[i].published else { throw reject("already_published", "Dit leerpunt is al gedeeld.", "This lesson has already been shared.") }
            g.leerpunten[i].consent = p["consent"]?.boolValue ?? true
            g.leerpunten[i].shareCase = g.leerpunten[i].consent && p["shareCase"]?.boolValue == true
            g.leerpunten[i].consentSeq = event.seq
        case "follow-up":
            guard state.askFollowUp else {
                throw reject("no_follow_up", "Deze intervisie bewaart geen vervolgvraag.", "This case review keeps no follow-up question.")
            }
            guard who == g.inbrenger else {
                throw reject("not_case_owner", "Alleen de inbrenger beslist over een vervolgvraag.", "Only the case owner decides on a follow-up question.")
            }
            guard let consent = p["consent"]?.boolValue else {
                throw reject("bad_consent", "Antwoord met ja of nee (consent: true of false).", "Answer yes or no (consent: true or false).")
            }
            g.followUp = consent
            state.groups[gid] = g
            var v = views(state, only: gid)
            emitFollowUps(&v, &state)
            return v
        case "publish":
            guard who == g.chair || who == g.inbrenger else {
                throw reject("not_chair", "Alleen de voorzitter of de inbrenger deelt de leerpunten.", "Only the chair or the case owner shares the lessons.")
            }
            let ready = g.leerpunten.indices.filter { g.leerpunten[$0].consent && !g.leerpunten[$0].published }
            guard !ready.isEmpty else {
                throw reject("nothing_to_publish", "Er is geen leerpunt met toestemming van de inbrenger dat nog niet gedeeld is.",
                             "There is no lesson with the case owner's consent that has not been shared yet.")
            }
            var v = Views()
            for i in ready {
                g.leerpunten[i].published = true
                v.emit("gereedschapskist.item", record(g.leerpunten[i], group: g, method: state.method!))
            }
            g.published += ready.count
            state.groups[gid] = g
            var all = views(state, only: gid)
            all.outputs = v.outputs
            all.report(reportSection(state))
            return all
        default:
            throw reject("unknown_input", "Dit kan hier niet.", "This is not possible here.")
        }
        state.groups[gid] = g
        return views(state, only: gid)
    }

    static let notChair = Rejection("not_chair", nl: "Alleen de voorzitter van de groep (of de facilitator) kan dit.",
                                    en: "Only the group's chair (or the facilitator) can do this.")

    static func facilitatorInput(_ state: inout State, _ event: PluginEvent) throws(Rejection) {
        let p = event.payload
        let gid = p["group"]?.stringValue
        if let gid, state.groups[gid] == nil {
            throw reject("no_such_group", "Die groep bestaat niet.", "That group does not exist.")
        }
        switch event.type {
        case "advance":
            let ids = gid.map { [$0] } ?? state.groups.keys.sorted().filter { !state.groups[$0]!.members.isEmpty }
            guard !ids.isEmpty else { throw reject("no_groups", "Er zijn nog geen groepen.", "There are no groups yet.") }
            if state.lockstep && gid != nil {
                throw reject("lockstep", "De groepen gaan samen verder: zet de stap voor alle groepen.", "The groups move together: advance all groups.")
            }
            var next = state.groups
            let last = state.stages.count - 1
            for id in ids where !(gid == nil && next[id]!.stage == last) {
                try advance(&next[id]!, state: state, at: event.at)
            }
            state.groups = next
        case "assign-role":
            guard let gid else { throw reject("no_such_group", "Noem de groep.", "Name the group.") }
            try assign(&state.groups[gid]!, p)
        default:
            throw reject("unknown_input", "Dit kan hier niet.", "This is not possible here.")
        }
    }

    static func advance(_ g: inout Group, state: State, at: Int64) throws(Rejection) {
        let last = state.stages.count - 1
        guard g.stage < last else { throw reject("last_step", "Dit is de laatste stap.", "This is the last step.") }
        if g.stage == 0 && g.caseId == nil {
            // By vote (or when the chair did not pick): the most votes, ties to the earliest proposal.
            var best: (id: String, votes: Int)?
            for prop in g.proposals {
                let n = g.votes.values.filter { $0 == prop.id }.count
                if n > 0 && n > (best?.votes ?? 0) { best = (prop.id, n) }
            }
            guard let best else {
                throw reject("no_case", "Groep \(g.id) heeft nog geen casus gekozen.", "Group \(g.id) has not chosen a case yet.")
            }
            choose(&g, best.id)
        }
        g.stage += 1
        g.stageAt = at
    }

    static func choose(_ g: inout Group, _ id: String) {
        g.caseId = id
        g.inbrenger = g.proposals.first { $0.id == id }?.by
        if g.notes == g.inbrenger { g.notes = nil }
        if g.chair == g.inbrenger { g.chair = g.firstFree(except: g.notes) ?? g.firstFree() }
    }

    static func assign(_ g: inout Group, _ p: JSONValue) throws(Rejection) {
        guard let role = p["role"]?.stringValue, [Roles.chair, Roles.notes, Roles.adviser].contains(role) else {
            throw reject("bad_role", "Kies voorzitter, notulist of adviseur. De inbrenger is wie de casus inbracht.",
                         "Choose voorzitter, notulist or adviseur. The case owner is who brought the case.")
        }
        guard let m = p["participant"]?.stringValue, g.members.contains(m) else {
            throw reject("not_member", "Die deelnemer zit niet in deze groep.", "That participant is not in this group.")
        }
        guard m != g.inbrenger else { throw reject("owner_has_role", "De inbrenger houdt die rol.", "The case owner keeps that role.") }
        switch role {
        case Roles.chair:
            if g.notes == m { g.notes = nil }
            g.chair = m
        case Roles.notes:
            guard m != g.chair else { throw reject("chair_has_role", "Wijs eerst een andere voorzitter aan.", "Appoint another chair first.") }
            g.notes = m
        default:
            guard m != g.chair else { throw reject("chair_has_role", "Wijs eerst een andere voorzitter aan.", "Appoint another chair first.") }
            if g.notes == m { g.notes = nil }
        }
    }

    static func regroup(_ state: inout State, _ groups: [String: JSONValue], at: Int64) {
        state.memberOf = [:]
        for id in state.groups.keys.sorted() { state.groups[id]!.members = [] }
        for (id, list) in groups.sorted(by: { $0.key < $1.key }) {
            let members = (list.arrayValue ?? []).compactMap(\.stringValue)
            var g = state.groups[id] ?? Group(id: id, members: [], stageAt: at)
            g.members = members
            for m in members { state.memberOf[m] = id }
            state.groups[id] = g
        }
        for id in state.groups.keys.sorted() { fixRoles(&state.groups[id]!) }
    }

    /// A chair who left is replaced by the first member who is not the case owner; a note taker who left is dropped.
    static func fixRoles(_ g: inout Group) {
        if let n = g.notes, !g.members.contains(n) { g.notes = nil }
        if g.chair == nil || !g.members.contains(g.chair!) { g.chair = g.firstFree(except: g.notes) ?? g.firstFree() }
    }

    // MARK: outputs

    struct ProvenanceEntry: Encodable {
        var session: String
        var seqs: [Int64]
    }

    struct ToolkitRecord: Encodable {
        var kind: String
        var title: String
        var body: String
        var audience: [String]
        var barriers: [String]
        var provenance: [ProvenanceEntry]
    }

    /// A leerpunt as a gereedschapskist item: its own text, and the case's title and question only when the
    /// case owner consented to share them. Provenance: the leerpunt's and the consent's seqs; the hub fills in the session.
    static func record(_ l: Leerpunt, group g: Group, method: Method) -> ToolkitRecord {
        var body = l.text
        if l.shareCase, let c = g.chosen {
            body += "\n\nCasus (gedeeld met toestemming van de inbrenger): \(c.title). Vraag: \(c.question)"
            if !c.description.isEmpty { body += "\n\(c.description)" }
        }
        body += "\n\nLeerpunt uit intervisie (\(method.title.nl))."
        let seqs = [l.seq] + (l.consentSeq.map { [$0] } ?? [])
        return ToolkitRecord(kind: l.kind, title: l.title, body: body, audience: ["wijkprofessionals"], barriers: l.barriers,
                             provenance: [ProvenanceEntry(session: "", seqs: seqs)])
    }

    // MARK: views

    struct Me: Encodable {
        var id: String
        var group: String?
    }

    struct MethodInfo: Encodable, Sendable, Hashable {
        var id: String
        var title: LocalizedText
    }

    struct Progress: Encodable {
        var group: String
        var members: Int
        var stage: Int
        var step: String
        var title: LocalizedText
        var deadline: Int64
        var caseChosen: Bool
        var proposals: Int
        var cards: Int
        var leerpunten: Int
        var consented: Int
        var published: Int
        /// Who holds which role, by the ids the plugin sees (no names, no texts): the facilitator's `assign-role`
        /// needs a member to point at.
        var roles: [MemberView]
    }

    struct PublicView: Encodable {
        var method: MethodInfo?
        var stages: [Step]
        var pace: String
        var choice: String
        var closing: Bool
        var problems: [String]
        var groups: [PublicProgress]
        /// Whether the inbrenger is asked to keep a follow-up question (`config.followUp`).
        var followUp: Bool
    }

    struct PublicProgress: Encodable {
        var group: String
        var stage: Int
        var deadline: Int64
    }

    struct FacilitatorView: Encodable {
        var groups: [Progress]
        var problems: [String]
    }

    struct MemberView: Encodable {
        var id: String
        var role: String
    }

    struct ProposalView: Encodable {
        var id: String
        var by: String
        var title: String
        var description: String
        var question: String
        var votes: Int
    }

    struct LeerpuntView: Encodable {
        var id: String
        var by: String
        var title: String
        var text: String
        var kind: String
        var barriers: [String]
        var consent: Bool
        var shareCase: Bool
        var published: Bool
    }

    struct GroupView: Encodable {
        var group: String
        var members: [MemberView]
        var stage: Int
        var step: String
        var deadline: Int64
        var proposals: [ProposalView]
        var votes: [String: String]
        /// The chosen case (`null` during intake until chosen).
        var `case`: ProposalView?
        var cards: [Card]
        var leerpunten: [LeerpuntView]
        var published: Int
        /// The inbrenger's answer on keeping a follow-up question (null: not answered; docs/CASE-REVIEW.md).
        var followUp: Bool?
        /// What the previous session of the series kept for this group: the follow-up question (null: nothing).
        var lookBack: FollowUp?
    }

    static func deadline(_ g: Group, _ state: State) -> Int64 {
        let s = state.stages[min(g.stage, state.stages.count - 1)]
        return g.stageAt + Int64(s.minutes) * 60_000
    }

    static func proposalView(_ p: Proposal, _ g: Group) -> ProposalView {
        ProposalView(id: p.id, by: p.by, title: p.title, description: p.description, question: p.question,
                     votes: g.votes.values.filter { $0 == p.id }.count)
    }

    /// `public` and `facilitator`, and the group views: all of them, or `only` the one an input changed (the
    /// others keep their view). The `me` views change only when groups do.
    static func views(_ state: State, only: String? = nil, me: Bool = false) -> Views {
        var v = Views()
        let ids = state.groups.keys.sorted { ($0.count, $0) < ($1.count, $1) }
        let active = ids.filter { !state.groups[$0]!.members.isEmpty || state.groups[$0]!.caseId != nil }
        v.set("public", PublicView(
            method: state.method.map { MethodInfo(id: $0.id, title: $0.title) }, stages: state.stages,
            pace: state.lockstep ? "lockstep" : "own", choice: state.byVote ? "vote" : "chair", closing: state.closing,
            problems: state.problems,
            groups: active.map { PublicProgress(group: $0, stage: state.groups[$0]!.stage, deadline: deadline(state.groups[$0]!, state)) },
            followUp: state.askFollowUp))
        v.set("facilitator", FacilitatorView(groups: active.map { id in
            let g = state.groups[id]!
            let s = state.stages[min(g.stage, state.stages.count - 1)]
            return Progress(group: id, members: g.members.count, stage: g.stage, step: s.id, title: s.title, deadline: deadline(g, state),
                            caseChosen: g.caseId != nil, proposals: g.proposals.count, cards: g.cards.count, leerpunten: g.leerpunten.count,
                            consented: g.leerpunten.filter(\.consent).count, published: g.published,
                            roles: g.members.map { MemberView(id: $0, role: g.role(of: $0)) })
        }, problems: state.problems))
        for id in ids where only == nil || id == only {
            let g = state.groups[id]!
            let s = state.stages[min(g.stage, state.stages.count - 1)]
            v.set("group:\(id)", GroupView(
                group: id, members: g.members.map { MemberView(id: $0, role: g.role(of: $0)) }, stage: g.stage, step: s.id,
                deadline: deadline(g, state), proposals: g.proposals.map { proposalView($0, g) }, votes: g.votes,
                case: g.chosen.map { proposalView($0, g) }, cards: g.cards,
                leerpunten: g.leerpunten.map { LeerpuntView(id: $0.id, by: $0.by, title: $0.title, text: $0.text, kind: $0.kind, barriers: $0.barriers,
                                                             consent: $0.consent, shareCase: $0.shareCase, published: $0.published) },
                published: g.published, followUp: g.followUp, lookBack: state.lookBack[id]))
            if me { for m in g.members { v.set("participant:\(m)", Me(id: m, group: id)) } }
        }
        return v
    }
}

@main
enum Main {
    static func main() { PluginRunner.main(CaseReviewPlugin.self) }
}

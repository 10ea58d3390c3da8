import Foundation
import GRDB
import Model

/// How plugin outputs become kennisbank and gereedschapskist records (docs/PLUGINS.md "Output records").
/// Pure rules here; the store applies them inside the transaction that keeps the output.
public enum OutputFiling {
    public static let interventionKind = "kennisbank.intervention"
    public static let toolkitKind = "gereedschapskist.item"

    /// Every output of one activity without an id is a version of one description.
    public static func interventionId(instance: String) -> String {
        "kb-" + hex(fnv1a64(instance))
    }

    /// Each toolkit output without an id is an item of its own.
    public static func toolkitId(instance: String, seq: Int64, index: Int) -> String {
        "tk-" + hex(fnv1a64("\(instance)#\(seq)#\(index)"))
    }

    /// Entries with an empty session are this activity's (the plugin lists the seqs its record came from);
    /// without any entry for this session, the publishing event is the provenance.
    public static func completeProvenance(_ provenance: [Provenance]?, session: String, activity: String, seq: Int64) -> [Provenance] {
        var result = (provenance ?? []).map { p -> Provenance in
            guard p.session.isEmpty else { return p }
            return Provenance(session: session, activity: p.activity ?? activity, seqs: p.seqs ?? [seq])
        }
        if !result.contains(where: { $0.session == session }) {
            result.append(Provenance(session: session, activity: activity, seqs: [seq]))
        }
        return result
    }

    /// A record without `id` gets the derived one before decoding, so the decoder's required field holds.
    public static func withId(_ record: JSONValue, _ id: @autoclosure () -> String) -> JSONValue {
        guard case .object(var o) = record else { return record }
        if o["id"]?.stringValue?.isEmpty ?? true { o["id"] = .string(id()) }
        return .object(o)
    }

    /// A record ready to store, or why the output is not one (`Filing.invalid`).
    public enum Prepared<Record: Sendable>: Sendable {
        case ready(Record)
        case invalid(reason: String)
    }

    /// The activity id of an output's instance (`session/activity`).
    public static func activity(of output: StoredOutput) -> String {
        output.instance.split(separator: "/", maxSplits: 1).last.map(String.init) ?? output.instance
    }

    /// A `kennisbank.intervention` output as the description to store: its derived id, its provenance completed,
    /// checked against the kennisbank's rules (`effects`: the ids of the effectordening).
    public static func intervention(from output: StoredOutput, session: String, effects: @autoclosure () throws -> Set<String>) rethrows -> Prepared<Intervention> {
        let record = withId(output.record, interventionId(instance: output.instance))
        var intervention: Intervention
        do { intervention = try JSONCoding.decode(Intervention.self, from: JSONCoding.encode(record)) } catch {
            return .invalid(reason: KennisbankFormats.describeError(error))
        }
        intervention.provenance = completeProvenance(intervention.provenance, session: session, activity: activity(of: output), seq: output.seq)
        let problems = KennisbankFormats.validate(intervention, effects: try effects())
        return problems.isEmpty ? .ready(intervention) : .invalid(reason: problems.joined(separator: "; "))
    }

    /// A `gereedschapskist.item` output as the item to store: its derived id, its provenance completed, checked.
    public static func toolkitItem(from output: StoredOutput, session: String) -> Prepared<ToolkitItem> {
        let record = withId(output.record, toolkitId(instance: output.instance, seq: output.seq, index: output.index))
        var item: ToolkitItem
        do { item = try JSONCoding.decode(ToolkitItem.self, from: JSONCoding.encode(record)) } catch {
            return .invalid(reason: KennisbankFormats.describeError(error))
        }
        item.provenance = completeProvenance(item.provenance, session: session, activity: activity(of: output), seq: output.seq)
        let problems = KennisbankFormats.validate(item)
        return problems.isEmpty ? .ready(item) : .invalid(reason: problems.joined(separator: "; "))
    }

    /// A stable, non-cryptographic digest: ids must not change between releases, and nothing is secret here.
    static func fnv1a64(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in text.utf8 {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        return h
    }

    static func hex(_ v: UInt64) -> String {
        let s = String(v, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}

extension SQLiteStore {
    /// Files one newly stored output; returns what it became (a record version) or why not, or nil for kinds
    /// that stay with the session only.
    func file(_ db: Database, _ output: StoredOutput, session: String) throws -> Filing? {
        let author = try String.fetchOne(db, sql: "SELECT created_by FROM sessions WHERE id = ?", arguments: [session])
        switch output.kind {
        case OutputFiling.interventionKind:
            switch try OutputFiling.intervention(from: output, session: session, effects: Set(try Self.domains(db).keys)) {
            case .invalid(let reason): return .invalid(reason: reason)
            case .ready(let intervention):
                let (_, stored) = try put(db, intervention, author: author, keepBookkeeping: false)
                return .filed(as: "\(stored.id)@\(stored.version ?? 1)")
            }
        case OutputFiling.toolkitKind:
            switch OutputFiling.toolkitItem(from: output, session: session) {
            case .invalid(let reason): return .invalid(reason: reason)
            case .ready(let item):
                let (_, stored) = try put(db, item, author: author, keepBookkeeping: false)
                return .filed(as: "\(stored.id)@\(stored.version ?? 1)")
            }
        default:
            return nil
        }
    }
}

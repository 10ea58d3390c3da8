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
        let activity = output.instance.split(separator: "/", maxSplits: 1).last.map(String.init) ?? output.instance
        let author = try String.fetchOne(db, sql: "SELECT created_by FROM sessions WHERE id = ?", arguments: [session])
        switch output.kind {
        case OutputFiling.interventionKind:
            let record = OutputFiling.withId(output.record, OutputFiling.interventionId(instance: output.instance))
            var intervention: Intervention
            do { intervention = try JSONCoding.decode(Intervention.self, from: JSONCoding.encode(record)) } catch {
                return .invalid(reason: KennisbankFormats.describeError(error))
            }
            intervention.provenance = OutputFiling.completeProvenance(intervention.provenance, session: session, activity: activity, seq: output.seq)
            let effects = Set(try Self.domains(db).keys)
            let problems = KennisbankFormats.validate(intervention, effects: effects)
            if !problems.isEmpty { return .invalid(reason: problems.joined(separator: "; ")) }
            let (_, stored) = try put(db, intervention, author: author, keepBookkeeping: false)
            return .filed(as: "\(stored.id)@\(stored.version ?? 1)")
        case OutputFiling.toolkitKind:
            let record = OutputFiling.withId(output.record, OutputFiling.toolkitId(instance: output.instance, seq: output.seq, index: output.index))
            var item: ToolkitItem
            do { item = try JSONCoding.decode(ToolkitItem.self, from: JSONCoding.encode(record)) } catch {
                return .invalid(reason: KennisbankFormats.describeError(error))
            }
            item.provenance = OutputFiling.completeProvenance(item.provenance, session: session, activity: activity, seq: output.seq)
            let problems = KennisbankFormats.validate(item)
            if !problems.isEmpty { return .invalid(reason: problems.joined(separator: "; ")) }
            let (_, stored) = try put(db, item, author: author, keepBookkeeping: false)
            return .filed(as: "\(stored.id)@\(stored.version ?? 1)")
        default:
            return nil
        }
    }
}

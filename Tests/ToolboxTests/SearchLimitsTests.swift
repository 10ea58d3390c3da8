import Foundation
import Testing
@testable import Toolbox

/// Issue 13, finding 3: a query's words become FTS5 prefix terms, so their number and the text's length are capped.
@Suite struct SearchLimitsTests {
    @Test func sixteenWordsAnd256CharactersPass() throws {
        #expect(try FacetedIndex.match(Array(repeating: "buurt", count: 16).joined(separator: " ")) == Array(repeating: "\"buurt\"*", count: 16).joined(separator: " "))
        #expect(try FacetedIndex.match(String(repeating: "b", count: 256)) != nil)
        #expect(try FacetedIndex.match("\"quoted\" (AND) -- ") == "\"quoted\"* \"AND\"*")
        #expect(try FacetedIndex.match(" ,.; ") == nil)
    }

    @Test func moreIsRefusedNeverCut() {
        #expect(throws: SearchError.tooManyTerms(17)) { try FacetedIndex.match(Array(repeating: "a", count: 17).joined(separator: " ")) }
        #expect(throws: SearchError.tooManyCharacters(257)) { try FacetedIndex.match(String(repeating: "b", count: 257)) }
        #expect(throws: SearchError.tooManyCharacters(1999)) { try FacetedIndex.match(Array(repeating: "a", count: 1000).joined(separator: " ")) }
    }

    @Test func aSlowSearchIsStoppedAtItsBudget() async throws {
        await #expect(throws: SearchError.timedOut(.milliseconds(20))) {
            try await withSearchTimeout(.milliseconds(20)) { try await Task.sleep(for: .seconds(30)); return 1 }
        }
        #expect(try await withSearchTimeout(.seconds(30)) { 7 } == 7)
    }
}

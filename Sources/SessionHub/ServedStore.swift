import Toolbox

/// Everything `HubServer` needs of its store (issue 21): the SQLite file (`SQLiteStore`) or PostgreSQL (the
/// `PostgresStore` module, which `hubctl serve --store postgres://…` opens through `HubConfiguration.openStore`,
/// so that this module does not link postgres-nio). Backups are the SQLite store's alone (Backups.swift).
public typealias ServedStore = HubStore & KennisbankStore & ToolkitStore & RetentionStore & PersonalDataStore & SeriesStore

using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using CalSync.Engine.Sync;

namespace CalSync.Store;

/// <summary>
/// The per-user store, all under one root (<see cref="StoreRoot"/>): sync definitions (<see cref="Definitions"/>),
/// link state (<see cref="States"/>), run history (<see cref="History"/>), connections (<see cref="Connections"/>),
/// lock files (<see cref="Locks"/>) and the secret fallback (<see cref="SecretsDirectory"/>, see <see cref="SecretStore"/>).
/// Every file carries a schema number. Whole files are written atomically (temp file, flush to disk, rename). A file
/// that cannot be read (damaged, truncated, newer schema) gives a <see cref="StoreException"/> and is never
/// overwritten by a save: saves check the file they would replace and refuse, unless the caller passes
/// <c>replaceUnreadable: true</c>, which first moves the old file aside as <c>&lt;file&gt;.corrupt-&lt;time&gt;</c>
/// (or <c>.newer-&lt;time&gt;</c>). On Unix directories are 0700 and files 0600. Thread-safe for different syncs; for
/// one sync, hold its lock while changing its state. A run reaches it through the engine's <see cref="IRunPersistence"/>.
/// </summary>
public sealed class CalSyncStore : IRunPersistence
{
    private readonly StoreFiles _files;

    /// <summary>Opens the store at <paramref name="root"/>, or at the per-user default (<see cref="StoreRoot.Resolve()"/>) when null.</summary>
    public CalSyncStore(string? root = null) : this(root, StoreFileSystem.Default)
    {
    }

    internal CalSyncStore(string? root, StoreFileSystem fs)
    {
        var location = root is null ? StoreRoot.Resolve() : new StoreLocation(Path.GetFullPath(root), "explicit path");
        _files = new StoreFiles(location.Path, location.Source, fs);
        _files.EnsureDirectory(Root, isRoot: true);
        Definitions = new SyncDefinitions(_files);
        States = new SyncStates(_files);
        History = new RunHistory(_files);
        Connections = new Connections(_files);
        Locks = new SyncLocks(_files);
        Probes = new ProbeRecords(_files);
    }

    public string Root => _files.Root;

    /// <summary>Where <see cref="Root"/> came from ("CALSYNC_HOME", "XDG_DATA_HOME", "HOME", ...).</summary>
    public string RootSource => _files.RootSource;

    public SyncDefinitions Definitions { get; }
    public SyncStates States { get; }
    public RunHistory History { get; }
    public Connections Connections { get; }
    public SyncLocks Locks { get; }
    /// <summary>The latest conformance probe of each connection (Test-CalSyncService).</summary>
    public ProbeRecords Probes { get; }

    public string SecretsDirectory => Path.Combine(Root, "secrets");

    /// <summary>
    /// Removes the definition, state, history, and lock files of a sync. Fails with <see cref="StoreErrorKind.Locked"/>
    /// while a run holds the sync. Returns false when there was nothing to remove.
    /// </summary>
    public bool RemoveSync(string name)
    {
        var removed = false;
        using (Locks.Acquire(name, TimeSpan.Zero, CancellationToken.None))
        {
            removed |= Definitions.Remove(name);
            removed |= States.Remove(name);
            removed |= History.Remove(name);
        }
        Locks.Remove(name);
        return removed;
    }

    internal void EnsureDirectory(string directory) => _files.EnsureDirectory(directory);

    IDisposable IRunPersistence.AcquireLock(string syncName, TimeSpan wait, CancellationToken cancellationToken) => Locks.Acquire(syncName, wait, cancellationToken);
    SyncState IRunPersistence.LoadState(string syncName) => States.Load(syncName);
    void IRunPersistence.SaveState(string syncName, SyncState state) => States.Save(syncName, state);
    void IRunPersistence.AppendHistory(RunRecord record) => History.Append(record);
    IReadOnlyCollection<string> IRunPersistence.SyncNames() => Definitions.Names();
    IReadOnlyList<RunRecord> IRunPersistence.ReadHistory(string name, int? last, DateTimeOffset? since) => History.Read(name, last, since);
}

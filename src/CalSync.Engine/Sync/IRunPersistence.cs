using System;
using System.Collections.Generic;
using System.Threading;

namespace CalSync.Engine.Sync;

/// <summary>What a run (and an undo) needs from the store: the lock, the link state and the history.</summary>
public interface IRunPersistence
{
    IDisposable AcquireLock(string syncName, TimeSpan wait, CancellationToken cancellationToken);
    SyncState LoadState(string syncName);
    /// <summary>Atomic: the previous state stays whole if this fails.</summary>
    void SaveState(string syncName, SyncState state);
    void AppendHistory(RunRecord record);
    /// <summary>The names of every defined sync (any case): copies another of them stamped are left alone.</summary>
    IReadOnlyCollection<string> SyncNames();
    /// <summary>The run records, oldest first (an undo finds the copies runs made through them when the state is lost).</summary>
    System.Collections.Generic.IReadOnlyList<RunRecord> ReadHistory(string name, int? last = null, DateTimeOffset? since = null);
}

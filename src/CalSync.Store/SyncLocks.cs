using System;
using System.IO;
using System.Threading;

namespace CalSync.Store;

/// <summary>
/// The cross-process lock of each sync: <c>locks/&lt;name&gt;.lock</c>, held open and locked by the run, and
/// <c>locks/&lt;name&gt;.owner</c>, which names the holder.
/// </summary>
public sealed class SyncLocks : StoreFolder
{

    internal SyncLocks(StoreFiles files) : base(files, "locks", "sync", ".lock")
    {
    }

    private string OwnerPath(string name) => Path.Combine(Directory, StoreFiles.Stem(name, "sync") + ".owner");

    /// <summary>
    /// Takes the lock of a sync, waiting up to <paramref name="wait"/> (TimeSpan.Zero: try once).
    /// Held past the wait → <see cref="StoreErrorKind.Locked"/> naming the holder's process, host and start.
    /// A lock of a process that died is free again (the OS drops it with the process).
    /// </summary>
    public SyncLock Acquire(string syncName, TimeSpan wait, CancellationToken ct = default)
    {
        var lockPath = PathOf(syncName);
        Files.EnsureDirectory(Directory);
        return SyncLock.Acquire(Files.FileSystem, lockPath, OwnerPath(syncName), syncName, wait, ct);
    }

    /// <summary>Who holds the sync's lock now, or null when nobody does.</summary>
    public LockHolder? HolderOf(string syncName)
    {
        try
        {
            using var probe = Acquire(syncName, TimeSpan.Zero, CancellationToken.None);
            return null;
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.Locked)
        {
            return e.Holder ?? new LockHolder { SyncName = syncName };
        }
    }

    /// <summary>Deletes the lock file of a sync no one holds (a run that opened it meanwhile keeps a working lock on its handle).</summary>
    internal void Remove(string syncName)
    {
        var lockPath = PathOf(syncName);
        if (File.Exists(lockPath)) AtomicFile.TryDelete(lockPath);
    }
}

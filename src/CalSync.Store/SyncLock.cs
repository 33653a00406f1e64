using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Threading;

namespace CalSync.Store;

/// <summary>Who holds a sync's lock (written to <c>locks/&lt;name&gt;.owner</c> by the holder).</summary>
public sealed record LockHolder
{
    public const int CurrentSchema = 1;

    public int Schema { get; set; } = CurrentSchema;
    public string SyncName { get; set; } = "";
    public int ProcessId { get; set; }
    public string Host { get; set; } = "";
    public string? User { get; set; }
    public DateTimeOffset Since { get; set; }
}

/// <summary>
/// A held sync lock; dispose to release. The lock is an open <c>locks/&lt;name&gt;.lock</c> with FileShare.None:
/// on Windows a sharing lock, on Unix .NET takes flock(LOCK_EX) on it. Both belong to the open handle, so the OS
/// releases them when the process ends in any way (crash, SIGKILL, power loss): a lock file left behind by a killed
/// run is just a file, and the next run takes it. The holder's pid/host/start are in a separate
/// <c>.owner</c> file because the locked file cannot be read by others on every platform.
/// </summary>
public sealed class SyncLock : IDisposable
{
    private FileStream? _stream;
    private readonly string _ownerPath;

    private SyncLock(FileStream stream, string ownerPath, LockHolder holder)
    {
        _stream = stream;
        _ownerPath = ownerPath;
        Holder = holder;
    }

    public LockHolder Holder { get; }

    public string LockPath => _stream?.Name ?? "";

    public bool IsHeld => _stream is not null;

    internal static SyncLock Acquire(StoreFileSystem fs, string lockPath, string ownerPath, string syncName, TimeSpan wait, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + (wait < TimeSpan.Zero ? TimeSpan.Zero : wait);
        var delay = 50;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var stream = TryOpen(lockPath);
            if (stream is not null)
            {
                try
                {
                    UnixPermissions.SetFile(lockPath);
                    var holder = new LockHolder
                    {
                        SyncName = syncName,
                        ProcessId = CurrentProcessId(),
                        Host = Environment.MachineName,
                        User = Environment.UserName,
                        Since = DateTimeOffset.Now,
                    };
                    var bytes = StoreJson.Serialize(holder, indented: false);
                    // For people looking at the lock file itself; others read the .owner copy.
                    stream.SetLength(0);
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush();
                    AtomicFile.Write(fs, ownerPath, bytes);
                    return new SyncLock(stream, ownerPath, holder);
                }
                catch
                {
                    stream.Dispose();
                    throw;
                }
            }
            var now = DateTime.UtcNow;
            if (now >= deadline) throw Locked(syncName, lockPath, ownerPath);
            var sleep = TimeSpan.FromMilliseconds(Math.Min(delay, Math.Max(1, (deadline - now).TotalMilliseconds)));
            if (ct.WaitHandle.WaitOne(sleep)) ct.ThrowIfCancellationRequested();
            delay = Math.Min(delay * 2, 500);
        }
    }

    private static FileStream? TryOpen(string lockPath)
    {
        try
        {
            return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException(StoreErrorKind.AccessDenied, $"Could not open the lock file '{lockPath}': access was denied. Check the permissions of the CalSync store.", lockPath, e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not open the lock file '{lockPath}': its directory is missing.", lockPath, e);
        }
        catch (IOException e) when (!AtomicFile.IsDiskFull(e))
        {
            // Sharing violation (Windows) / EWOULDBLOCK from flock (Unix): someone holds it.
            return null;
        }
        catch (IOException e)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not create the lock file '{lockPath}': the disk is full. Free some disk space and run again.", lockPath, e);
        }
    }

    internal static LockHolder? ReadHolder(string ownerPath)
    {
        try { return StoreJson.ReadFile<LockHolder>(ownerPath, LockHolder.CurrentSchema, ""); }
        catch (StoreException) { return null; }
    }

    private static StoreException Locked(string syncName, string lockPath, string ownerPath)
    {
        var holder = ReadHolder(ownerPath);
        string who;
        if (holder is null) who = "another process";
        else
        {
            var since = holder.Since.ToLocalTime();
            var when = since.Date == DateTimeOffset.Now.Date
                ? since.ToString("HH:mm:ss", CultureInfo.InvariantCulture)
                : since.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            who = $"process {holder.ProcessId} on {holder.Host} since {when}";
        }
        return new StoreException(StoreErrorKind.Locked,
            $"Sync '{syncName}' is being run by {who}; wait for it or stop it. (Lock file: '{lockPath}'.)", lockPath)
        {
            Holder = holder,
        };
    }

    private static int CurrentProcessId()
    {
        using var p = Process.GetCurrentProcess();
        return p.Id;
    }

    public void Dispose()
    {
        var stream = Interlocked.Exchange(ref _stream, null);
        if (stream is null) return;
        // Remove the owner note first (while still holding), then release. The lock file itself stays:
        // deleting it could let two processes lock two different files of the same name.
        AtomicFile.TryDelete(_ownerPath);
        stream.Dispose();
    }
}

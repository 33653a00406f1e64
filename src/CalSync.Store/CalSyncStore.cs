using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using CalSync.Engine.Sync;

namespace CalSync.Store;

/// <summary>
/// The per-user store: sync definitions (<c>syncs/</c>), link state (<c>state/</c>), run history (<c>history/</c>),
/// connections (<c>connections/</c>), lock files (<c>locks/</c>) and the secret fallback (<c>secrets/</c>), all under
/// one root (<see cref="StoreRoot"/>). Every file carries a schema number. Whole files are written atomically
/// (temp file, flush to disk, rename). A file that cannot be read (damaged, truncated, newer schema) gives a
/// <see cref="StoreException"/> and is never overwritten by a save: saves check the file they would replace and
/// refuse, unless the caller passes <c>replaceUnreadable: true</c>, which first moves the old file aside as
/// <c>&lt;file&gt;.corrupt-&lt;time&gt;</c> (or <c>.newer-&lt;time&gt;</c>). On Unix directories are 0700 and files 0600.
/// Thread-safe for different syncs; for one sync, hold its <see cref="AcquireLock"/> while changing its state.
/// </summary>
public sealed class CalSyncStore : IRunPersistence
{
    private const string StateAdvice = "Restore it from a backup, or delete it to start over (the next run is then a first run; use an initial merge with avoid-duplicates to re-match existing meetings).";
    private const string DefinitionAdvice = "Restore it from a backup, fix it in an editor, or delete it and define the sync again.";
    private const string ConnectionAdvice = "Restore it from a backup, fix it in an editor, or delete it and connect again.";
    private const string HistoryAdvice = "Restore it from a backup or delete it.";

    private readonly StoreFileSystem _fs;
    // State files this store read or wrote, by (length, last write time): replacing one that is unchanged since needs
    // no second parse to know it is a file CalSync understands (a no-op run at 10,000 links saves a 5 MB state).
    private readonly ConcurrentDictionary<string, (long Length, DateTime Written)> _understood = new(StringComparer.Ordinal);
    // Cursor parts this store read and checked, with their file names: a side that hands back the same array (its
    // snapshot did not change) is saved without hashing megabytes again.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<byte[], string> _cursorNames = new();

    /// <summary>Opens the store at <paramref name="root"/>, or at the per-user default (<see cref="StoreRoot.Resolve()"/>) when null.</summary>
    public CalSyncStore(string? root = null) : this(root, StoreFileSystem.Default)
    {
    }

    internal CalSyncStore(string? root, StoreFileSystem fs)
    {
        _fs = fs;
        var location = root is null ? StoreRoot.Resolve() : new StoreLocation(Path.GetFullPath(root), "explicit path");
        Root = location.Path;
        RootSource = location.Source;
        EnsureDirectory(Root, isRoot: true);
    }

    public string Root { get; }

    /// <summary>Where <see cref="Root"/> came from ("CALSYNC_HOME", "XDG_DATA_HOME", "HOME", ...).</summary>
    public string RootSource { get; }

    public string SyncsDirectory => Path.Combine(Root, "syncs");
    public string StateDirectory => Path.Combine(Root, "state");
    public string HistoryDirectory => Path.Combine(Root, "history");
    public string ConnectionsDirectory => Path.Combine(Root, "connections");
    public string LocksDirectory => Path.Combine(Root, "locks");
    public string SecretsDirectory => Path.Combine(Root, "secrets");

    public string SyncPath(string name) => Path.Combine(SyncsDirectory, Stem(name, "sync") + ".json");
    public string StatePath(string name) => Path.Combine(StateDirectory, Stem(name, "sync") + ".json");
    public string HistoryPath(string name) => Path.Combine(HistoryDirectory, Stem(name, "sync") + ".jsonl");
    public string ConnectionPath(string name) => Path.Combine(ConnectionsDirectory, Stem(name, "connection") + ".json");
    public string LockPath(string name) => Path.Combine(LocksDirectory, Stem(name, "sync") + ".lock");
    private string OwnerPath(string name) => Path.Combine(LocksDirectory, Stem(name, "sync") + ".owner");

    // ---- sync definitions -------------------------------------------------------------------------------

    /// <summary>
    /// The definitions whose name matches <paramref name="wildcardPattern"/> (PowerShell wildcards, case-insensitive;
    /// null: all), ordered by name. An unreadable file throws, unless <paramref name="onUnreadable"/> is given:
    /// then it is reported there and the others are still returned.
    /// </summary>
    public IReadOnlyList<SyncDefinition> GetSyncs(string? wildcardPattern = null, Action<StoreException>? onUnreadable = null) =>
        List(SyncsDirectory, wildcardPattern, onUnreadable,
            path => StoreJson.ReadFile<SyncDefinition>(path, SyncDefinition.CurrentSchema, DefinitionAdvice), d => d.Name);

    /// <summary>The names of the defined syncs in lower case (their file names; names are case-insensitive), without reading the files.</summary>
    public IReadOnlyCollection<string> SyncNames() =>
        Directory.Exists(SyncsDirectory)
            ? Directory.EnumerateFiles(SyncsDirectory, "*.json").Select(p => Path.GetFileNameWithoutExtension(p)).Where(StoreNames.IsValid).ToArray()
            : Array.Empty<string>();

    /// <summary>The definition, or null when there is none.</summary>
    public SyncDefinition? GetSync(string name) =>
        StoreJson.ReadFile<SyncDefinition>(SyncPath(name), SyncDefinition.CurrentSchema, DefinitionAdvice);

    public void SaveSync(SyncDefinition definition, bool replaceUnreadable = false)
    {
        if (definition is null) throw new ArgumentNullException(nameof(definition));
        var path = SyncPath(definition.Name);
        SaveDocument(path, definition, indented: true, replaceUnreadable,
            p => StoreJson.ReadFile<SyncDefinition>(p, SyncDefinition.CurrentSchema, DefinitionAdvice));
    }

    /// <summary>
    /// Removes the definition, state, history, and lock files of a sync. Fails with <see cref="StoreErrorKind.Locked"/>
    /// while a run holds the sync. Returns false when there was nothing to remove.
    /// </summary>
    public bool RemoveSync(string name)
    {
        var lockPath = LockPath(name);
        var removed = false;
        using (AcquireLock(name, TimeSpan.Zero, CancellationToken.None))
        {
            foreach (var path in new[] { SyncPath(name), StatePath(name), HistoryPath(name) })
                removed |= Delete(path);
            RemoveCursorFiles(Stem(name, "sync"));
        }
        // After releasing: a racing run that opened the lock file meanwhile keeps a working lock on its handle.
        if (File.Exists(lockPath)) AtomicFile.TryDelete(lockPath);
        return removed;
    }

    // ---- state --------------------------------------------------------------------------------------------

    /// <summary>The link state; a new, empty <see cref="SyncState"/> when the sync has none yet.</summary>
    public SyncState LoadState(string name)
    {
        var path = StatePath(name);
        var stamp = Stamp(path); // before reading: a file changed meanwhile is checked again when it is replaced
        var state = StoreJson.ReadFile<SyncState>(path, SyncState.CurrentSchema, StateAdvice);
        if (state is null) return new SyncState();
        if (stamp is { } s) _understood[path] = s;
        if (state.OutlookCursorFile is null && state.Bitrix24CursorFile is null) return state;
        var warnings = new List<string>();
        var stem = Stem(name, "sync");
        state.OutlookCursorData = ReadCursorFile(stem, "outlook", "Outlook", state.OutlookCursorFile, warnings);
        state.Bitrix24CursorData = ReadCursorFile(stem, "bitrix24", "Bitrix24", state.Bitrix24CursorFile, warnings);
        state.LoadWarnings = warnings;
        return state;
    }

    /// <summary>
    /// Saves the link state atomically. Refuses (Corrupt / NewerSchema) to replace a state file it cannot read,
    /// unless <paramref name="replaceUnreadable"/>, which keeps the old file as <c>.corrupt-&lt;time&gt;</c> first.
    /// </summary>
    void IRunPersistence.SaveState(string syncName, SyncState state) => SaveState(syncName, state);

    public void SaveState(string name, SyncState state, bool replaceUnreadable = false)
    {
        if (state is null) throw new ArgumentNullException(nameof(state));
        var path = StatePath(name);
        var stem = Stem(name, "sync");
        // The cursors' binary parts first, each in a file named by its content (an unchanged one is not written again):
        // until the state below is in place the old state still names the old files, which stay until then.
        try
        {
            state = state with
            {
                OutlookCursorFile = WriteCursorFile(stem, "outlook", state.OutlookCursorData),
                Bitrix24CursorFile = WriteCursorFile(stem, "bitrix24", state.Bitrix24CursorData),
            };
        }
        catch (StoreException e) when (e.InnerException is IOException or UnauthorizedAccessException)
        {
            // Reported as a failed save of the state (which it is: the state file is unchanged), naming that file.
            throw AtomicFile.SaveFailed(path, e.InnerException);
        }
        var known = _understood.TryGetValue(path, out var understood) && Stamp(path) == understood;
        SaveDocument(path, state, indented: false, replaceUnreadable,
            p => known ? null : StoreJson.ReadFile<SyncState>(p, SyncState.CurrentSchema, StateAdvice));
        if (Stamp(path) is { } written) _understood[path] = written;
        RemoveCursorFiles(stem, state.OutlookCursorFile, state.Bitrix24CursorFile);
    }

    // ---- cursor files -------------------------------------------------------------------------------------
    //
    // A side's cursor can carry a binary snapshot of its window (megabytes). It is kept next to the state file as
    // state/<sync>.<side>.<hash>.cursor: written atomically (temp file, flush, rename; 0600) before the state that
    // names it, and the files the saved state no longer names are deleted after it. A crash at any point leaves a
    // state file whose cursor file is whole and present; at worst an unused one stays until the next save. The name
    // carries the first 128 bits of the content's SHA-256: a file that does not match its name (damaged) or is missing
    // is not used, and that side reads its window in full (a cursor is a cache: the links are in the state file).

    private static readonly Regex CursorFileName = new(@"^(?<stem>.+)\.(?<side>outlook|bitrix24)\.(?<hash>[0-9a-f]{32})\.cursor$", RegexOptions.CultureInvariant);

    /// <summary>The file name of a cursor part, from its content.</summary>
    internal static string CursorFileNameOf(string stem, string side, byte[] data)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(data);
        return stem + "." + side + "." + Convert.ToHexString(hash, 0, 16).ToLowerInvariant() + ".cursor";
    }

    private string? WriteCursorFile(string stem, string side, byte[]? data)
    {
        if (data is null) return null;
        if (!_cursorNames.TryGetValue(data, out var name)) name = CursorFileNameOf(stem, side, data);
        var path = Path.Combine(StateDirectory, name);
        // Named by its content: a whole file of that name and length holds these bytes (a no-op run writes nothing).
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == data.Length) return name;
        EnsureDirectory(StateDirectory);
        AtomicFile.Write(_fs, path, data);
        return name;
    }

    /// <summary>The cursor part the state names, or null (with a warning) when it is missing or damaged.</summary>
    private byte[]? ReadCursorFile(string stem, string side, string sideName, string? name, List<string> warnings)
    {
        if (name is null) return null;
        var match = CursorFileName.Match(name);
        if (!match.Success || match.Groups["stem"].Value != stem || match.Groups["side"].Value != side)
        {
            warnings.Add($"The state of this sync names '{name}' as its {sideName} read cursor, which is not a cursor file of this sync; {sideName} is read in full this run.");
            return null;
        }
        var path = Path.Combine(StateDirectory, name);
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            warnings.Add($"The {sideName} read cursor '{path}' is missing; {sideName} is read in full this run (nothing is lost: the links are in the state file).");
            return null;
        }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException(StoreErrorKind.AccessDenied, $"Could not read '{path}': access was denied. Check the permissions of the CalSync store.", path, e);
        }
        catch (IOException e)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not read '{path}': {e.Message}", path, e);
        }
        if (CursorFileNameOf(stem, side, data) == name)
        {
            _cursorNames.Add(data, name); // a fresh array: never in the table yet
            return data;
        }
        string aside;
        try { aside = "; it was kept as '" + AtomicFile.KeepAside(path, "corrupt") + "'"; }
        catch (StoreException) { aside = ""; }
        warnings.Add($"The {sideName} read cursor '{path}' is damaged (its content does not match its name){aside}; {sideName} is read in full this run (nothing is lost: the links are in the state file).");
        return null;
    }

    /// <summary>Deletes this sync's cursor files other than <paramref name="keep"/> (all of them when none is given).</summary>
    private void RemoveCursorFiles(string stem, params string?[] keep)
    {
        try
        {
            if (!Directory.Exists(StateDirectory)) return;
            foreach (var file in Directory.GetFiles(StateDirectory, stem + ".*.cursor"))
            {
                var name = Path.GetFileName(file);
                var match = CursorFileName.Match(name);
                if (!match.Success || match.Groups["stem"].Value != stem || Array.IndexOf(keep, name) >= 0) continue;
                AtomicFile.TryDelete(file);
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private static (long Length, DateTime Written)? Stamp(string path)
    {
        var info = new FileInfo(path);
        return info.Exists ? (info.Length, info.LastWriteTimeUtc) : null;
    }

    // ---- history ------------------------------------------------------------------------------------------

    /// <summary>
    /// Appends one run record as one line with a single write, flushed to disk. A torn last line left by a crash
    /// is not extended: the new record starts on a line of its own.
    /// </summary>
    public void AppendHistory(RunRecord record)
    {
        if (record is null) throw new ArgumentNullException(nameof(record));
        var path = HistoryPath(record.SyncName);
        EnsureDirectory(HistoryDirectory);
        var line = StoreJson.Serialize(record, indented: false);
        var existed = File.Exists(path);
        try
        {
            using var stream = _fs.OpenAppend(path);
            if (!existed) UnixPermissions.SetFile(path);
            var needsNewLine = false;
            if (stream.Length > 0)
            {
                stream.Seek(-1, SeekOrigin.End);
                needsNewLine = stream.ReadByte() != '\n';
            }
            var bytes = new byte[line.Length + 1 + (needsNewLine ? 1 : 0)];
            var offset = 0;
            if (needsNewLine) bytes[offset++] = (byte)'\n';
            Buffer.BlockCopy(line, 0, bytes, offset, line.Length);
            bytes[bytes.Length - 1] = (byte)'\n';
            var end = stream.Seek(0, SeekOrigin.End);
            try
            {
                stream.Write(bytes, 0, bytes.Length);
                _fs.FlushToDisk(stream);
            }
            catch (IOException)
            {
                // A partial line from a failed write (disk full) is cut off again, so the file stays whole lines.
                try { stream.SetLength(end); } catch (IOException) { }
                throw;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw AtomicFile.SaveFailed(path, e);
        }
    }

    /// <summary>
    /// The run records of a sync, oldest first: those that started at or after <paramref name="since"/>, and of those
    /// the <paramref name="last"/> newest. Lines that are not valid JSON (a write torn by a crash) are skipped; a line of
    /// a newer schema throws <see cref="StoreErrorKind.NewerSchema"/>. No history: an empty list.
    /// </summary>
    public IReadOnlyList<RunRecord> ReadHistory(string name, int? last = null, DateTimeOffset? since = null)
    {
        var path = HistoryPath(name);
        byte[] bytes;
        try
        {
            if (!File.Exists(path)) return Array.Empty<RunRecord>();
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            bytes = new byte[stream.Length];
            var read = 0;
            while (read < bytes.Length)
            {
                var n = stream.Read(bytes, read, bytes.Length - read);
                if (n == 0) break;
                read += n;
            }
            if (read < bytes.Length) Array.Resize(ref bytes, read);
        }
        catch (FileNotFoundException) { return Array.Empty<RunRecord>(); }
        catch (UnauthorizedAccessException e)
        {
            throw new StoreException(StoreErrorKind.AccessDenied, $"Could not read '{path}': access was denied.", path, e);
        }
        catch (IOException e)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not read '{path}': {e.Message}", path, e);
        }

        var records = new List<RunRecord>();
        var start = 0;
        var lineNo = 0;
        while (start < bytes.Length)
        {
            var nl = Array.IndexOf(bytes, (byte)'\n', start);
            var end = nl < 0 ? bytes.Length : nl;
            lineNo++;
            var memory = new ReadOnlyMemory<byte>(bytes, start, end - start);
            start = end + 1;
            if (IsBlank(memory.Span)) continue;
            RunRecord record;
            try
            {
                record = StoreJson.Parse<RunRecord>(memory, path, RunRecord.CurrentSchema, HistoryAdvice, lineNo);
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.Corrupt)
            {
                SkippedHistoryLines++;
                continue;
            }
            if (since is null || record.Start >= since.Value) records.Add(record);
        }
        if (last is { } n2 && n2 >= 0 && records.Count > n2) records.RemoveRange(0, records.Count - n2);
        return records;
    }

    /// <summary>How many damaged history lines the reads of this instance skipped (diagnostics).</summary>
    public int SkippedHistoryLines { get; private set; }

    // ---- connections --------------------------------------------------------------------------------------

    public IReadOnlyList<ConnectionRecord> GetConnections(string? wildcardPattern = null, Action<StoreException>? onUnreadable = null) =>
        List(ConnectionsDirectory, wildcardPattern, onUnreadable,
            path => StoreJson.ReadFile<ConnectionRecord>(path, ConnectionRecord.CurrentSchema, ConnectionAdvice), c => c.Name);

    public ConnectionRecord? GetConnection(string name) =>
        StoreJson.ReadFile<ConnectionRecord>(ConnectionPath(name), ConnectionRecord.CurrentSchema, ConnectionAdvice);

    /// <summary>
    /// Saves a connection. Refuses (<see cref="StoreErrorKind.SecretInClearText"/>) a record that looks like it carries a
    /// secret: a Bitrix24 webhook URL (its path holds the key) or a setting named like a secret.
    /// </summary>
    public void SaveConnection(ConnectionRecord connection, bool replaceUnreadable = false)
    {
        if (connection is null) throw new ArgumentNullException(nameof(connection));
        var path = ConnectionPath(connection.Name);
        CheckNoSecret(connection);
        if (connection.SecretKey is not null) StoreNames.Validate(connection.SecretKey, "secret");
        SaveDocument(path, connection, indented: true, replaceUnreadable,
            p => StoreJson.ReadFile<ConnectionRecord>(p, ConnectionRecord.CurrentSchema, ConnectionAdvice));
    }

    /// <summary>Removes a connection file; when <paramref name="secrets"/> is given, also its secret. False when there was none.</summary>
    public bool RemoveConnection(string name, ISecretStore? secrets = null)
    {
        var path = ConnectionPath(name);
        if (secrets is not null)
        {
            ConnectionRecord? record = null;
            try { record = GetConnection(name); } catch (StoreException) { }
            if (record?.SecretKey is { } key) secrets.Remove(key);
        }
        return Delete(path);
    }

    private static readonly Regex WebhookPath = new(@"/rest/\d+/[^/\s]{6,}", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private static readonly Regex SecretName = new("secret|token|password|passwd|webhook|apikey|api_key|credential", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    private void CheckNoSecret(ConnectionRecord c)
    {
        foreach (var (field, value) in new[] { ("endpoint", c.Endpoint), ("portal", c.Portal), ("account", c.Account) })
            if (value is not null && WebhookPath.IsMatch(value))
                throw new StoreException(StoreErrorKind.SecretInClearText,
                    $"The {field} of connection '{c.Name}' looks like a Bitrix24 webhook URL, which contains its secret key. Keep only the portal address there and give the webhook URL as the connection's secret.");
        foreach (var pair in c.Settings)
            if (SecretName.IsMatch(pair.Key) || WebhookPath.IsMatch(pair.Value))
                throw new StoreException(StoreErrorKind.SecretInClearText,
                    $"The setting {StoreNames.Quote(pair.Key)} of connection '{c.Name}' looks like a secret; store secrets with the secret store, not in the connection file.");
    }

    // ---- lock ---------------------------------------------------------------------------------------------

    /// <summary>
    /// Takes the cross-process lock of a sync, waiting up to <paramref name="wait"/> (TimeSpan.Zero: try once).
    /// Held past the wait → <see cref="StoreErrorKind.Locked"/> naming the holder's process, host and start.
    /// A lock of a process that died is free again (the OS drops it with the process).
    /// </summary>
    public IDisposable AcquireLock(string syncName, TimeSpan wait, CancellationToken ct = default) =>
        AcquireSyncLock(syncName, wait, ct);

    /// <summary>As <see cref="AcquireLock"/>, typed.</summary>
    public SyncLock AcquireSyncLock(string syncName, TimeSpan wait, CancellationToken ct = default)
    {
        var lockPath = LockPath(syncName);
        EnsureDirectory(LocksDirectory);
        return SyncLock.Acquire(_fs, lockPath, OwnerPath(syncName), syncName, wait, ct);
    }

    /// <summary>Who holds the sync's lock now, or null when nobody does.</summary>
    public LockHolder? GetLockHolder(string syncName)
    {
        EnsureDirectory(LocksDirectory);
        try
        {
            using var probe = SyncLock.Acquire(_fs, LockPath(syncName), OwnerPath(syncName), syncName, TimeSpan.Zero, CancellationToken.None);
            return null;
        }
        catch (StoreException e) when (e.Kind == StoreErrorKind.Locked)
        {
            return e.Holder ?? new LockHolder { SyncName = syncName };
        }
    }

    // ---- plumbing -----------------------------------------------------------------------------------------

    private static string Stem(string name, string what)
    {
        StoreNames.Validate(name, what);
        return StoreNames.FileStem(name);
    }

    private void SaveDocument<T>(string path, T value, bool indented, bool replaceUnreadable, Func<string, T?> read) where T : class
    {
        EnsureDirectory(Path.GetDirectoryName(path)!);
        try
        {
            read(path); // the file we would replace must be one we understand
        }
        catch (StoreException e) when (e.Kind is StoreErrorKind.Corrupt or StoreErrorKind.NewerSchema)
        {
            if (!replaceUnreadable) throw;
            AtomicFile.KeepAside(path, e.Kind == StoreErrorKind.Corrupt ? "corrupt" : "newer");
        }
        AtomicFile.Write(_fs, path, stream => StoreJson.Write(stream, value, indented));
    }

    private IReadOnlyList<T> List<T>(string directory, string? pattern, Action<StoreException>? onUnreadable, Func<string, T?> read, Func<T, string> nameOf)
        where T : class
    {
        var match = StoreNames.Wildcard(pattern);
        var result = new List<T>();
        string[] files;
        try
        {
            if (!Directory.Exists(directory)) return result;
            files = Directory.GetFiles(directory, "*.json");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not list '{directory}': {e.Message}", directory, e);
        }
        foreach (var file in files.OrderBy(f => f, StringComparer.OrdinalIgnoreCase))
        {
            var fileName = Path.GetFileName(file);
            if (!fileName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || fileName.StartsWith(".", StringComparison.Ordinal)) continue;
            var stem = Path.GetFileNameWithoutExtension(file);
            if (!StoreNames.IsValid(stem) || !match(stem)) continue;
            try
            {
                var item = read(file);
                if (item is not null) result.Add(item);
            }
            catch (StoreException e) when (onUnreadable is not null)
            {
                onUnreadable(e);
            }
        }
        return result.OrderBy(nameOf, StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static bool Delete(string path)
    {
        try
        {
            if (!File.Exists(path)) return false;
            File.Delete(path);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(e is UnauthorizedAccessException ? StoreErrorKind.AccessDenied : StoreErrorKind.Io,
                $"Could not delete '{path}': {e.Message}", path, e);
        }
    }

    internal void EnsureDirectory(string directory, bool isRoot = false)
    {
        try
        {
            var existed = Directory.Exists(directory);
            if (!existed) Directory.CreateDirectory(directory);
            if (!existed || isRoot) UnixPermissions.SetDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var why = isRoot ? $" (the store location comes from {RootSource ?? "the default"})" : "";
            throw new StoreException(isRoot ? StoreErrorKind.NoStoreRoot : StoreErrorKind.Io,
                $"Could not create the CalSync store directory '{directory}'{why}: {e.Message} Set {StoreRoot.EnvironmentVariable} to a directory this user can write.",
                directory, e);
        }
    }

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != 0) return false;
        return true;
    }

}

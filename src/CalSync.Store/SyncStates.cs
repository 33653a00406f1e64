using System;
using System.Collections.Generic;
using System.IO;
using System.Text.RegularExpressions;
using CalSync.Engine.Sync;

namespace CalSync.Store;

/// <summary>
/// The link state of each sync, <c>state/&lt;name&gt;.json</c>, and the binary parts of its read cursors beside it.
/// A side's cursor can carry a binary snapshot of its window (megabytes). It is kept as
/// <c>state/&lt;sync&gt;.&lt;side&gt;.&lt;hash&gt;.cursor</c>: written atomically (temp file, flush, rename; 0600) before the
/// state that names it, and the files the saved state no longer names are deleted after it. A crash at any point
/// leaves a state file whose cursor file is whole and present; at worst an unused one stays until the next save. The
/// name carries the first 128 bits of the content's SHA-256: a file that does not match its name (damaged) or is
/// missing is not used, and that side reads its window in full (a cursor is a cache: the links are in the state file).
/// </summary>
public sealed class SyncStates : StoreFolder
{
    private const string Advice = "Restore it from a backup, or delete it to start over (the next run is then a first run; use an initial merge with avoid-duplicates to re-match existing meetings).";
    private static readonly Regex CursorFileName = new(@"^(?<stem>.+)\.(?<side>outlook|bitrix24)\.(?<hash>[0-9a-f]{32})\.cursor$", RegexOptions.CultureInvariant);

    internal SyncStates(StoreFiles files) : base(files, "state", "sync", ".json")
    {
    }

    /// <summary>The link state; a new, empty <see cref="SyncState"/> when the sync has none yet.</summary>
    public SyncState Load(string name)
    {
        var state = Read(PathOf(name));
        if (state is null) return new SyncState();
        if (state.OutlookCursorFile is null && state.Bitrix24CursorFile is null) return state;
        var warnings = new List<string>();
        var stem = StoreFiles.Stem(name, "sync");
        state.OutlookCursorData = ReadCursorFile(stem, "outlook", "Outlook", state.OutlookCursorFile, warnings);
        state.Bitrix24CursorData = ReadCursorFile(stem, "bitrix24", "Bitrix24", state.Bitrix24CursorFile, warnings);
        state.LoadWarnings = warnings;
        return state;
    }

    /// <summary>
    /// Saves the link state atomically. Refuses (Corrupt / NewerSchema) to replace a state file it cannot read,
    /// unless <paramref name="replaceUnreadable"/>, which keeps the old file as <c>.corrupt-&lt;time&gt;</c> first.
    /// </summary>
    public void Save(string name, SyncState state, bool replaceUnreadable = false)
    {
        if (state is null) throw new ArgumentNullException(nameof(state));
        var path = PathOf(name);
        var stem = StoreFiles.Stem(name, "sync");
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
        Files.SaveDocument(path, state, indented: false, replaceUnreadable, Read);
        RemoveCursorFiles(stem, state.OutlookCursorFile, state.Bitrix24CursorFile);
    }

    /// <summary>Deletes the state file and every cursor file of a sync; false when there was no state file.</summary>
    internal bool Remove(string name)
    {
        var removed = StoreFiles.Delete(PathOf(name));
        RemoveCursorFiles(StoreFiles.Stem(name, "sync"));
        return removed;
    }

    /// <summary>The file name of a cursor part, from its content.</summary>
    internal static string CursorFileNameOf(string stem, string side, byte[] data) =>
        stem + "." + side + "." + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data), 0, 16).ToLowerInvariant() + ".cursor";

    private static SyncState? Read(string path) => StoreJson.ReadFile<SyncState>(path, SyncState.CurrentSchema, Advice);

    private string? WriteCursorFile(string stem, string side, byte[]? data)
    {
        if (data is null) return null;
        var name = CursorFileNameOf(stem, side, data);
        var path = Path.Combine(Directory, name);
        // Named by its content: a whole file of that name and length holds these bytes (a no-op run writes nothing).
        var existing = new FileInfo(path);
        if (existing.Exists && existing.Length == data.Length) return name;
        Files.EnsureDirectory(Directory);
        AtomicFile.Write(Files.FileSystem, path, data);
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
        var path = Path.Combine(Directory, name);
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
        if (CursorFileNameOf(stem, side, data) == name) return data;
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
            if (!System.IO.Directory.Exists(Directory)) return;
            foreach (var file in System.IO.Directory.GetFiles(Directory, stem + ".*.cursor"))
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
}

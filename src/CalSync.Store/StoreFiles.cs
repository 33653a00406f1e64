using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;

namespace CalSync.Store;

/// <summary>
/// What every part of the store does with its files the same way: directories created owner-only, names checked and
/// turned into file stems, whole documents saved only over a file CalSync understands, folders listed by wildcard.
/// </summary>
internal sealed class StoreFiles
{
    public StoreFiles(string root, string rootSource, StoreFileSystem fs)
    {
        Root = root;
        RootSource = rootSource;
        FileSystem = fs;
    }

    public string Root { get; }
    public string RootSource { get; }
    public StoreFileSystem FileSystem { get; }

    /// <summary>The file stem of a checked sync, connection or secret name (<paramref name="what"/> names it in the error).</summary>
    public static string Stem(string name, string what)
    {
        StoreNames.Validate(name, what);
        return StoreNames.FileStem(name);
    }

    /// <summary>
    /// Writes <paramref name="value"/> atomically. The file it replaces must be one <paramref name="read"/> understands;
    /// one it cannot read (Corrupt / NewerSchema) is refused, or with <paramref name="replaceUnreadable"/> kept aside first.
    /// </summary>
    public void SaveDocument<T>(string path, T value, bool indented, bool replaceUnreadable, Func<string, T?> read) where T : class
    {
        EnsureDirectory(Path.GetDirectoryName(path)!);
        try
        {
            read(path);
        }
        catch (StoreException e) when (e.Kind is StoreErrorKind.Corrupt or StoreErrorKind.NewerSchema)
        {
            if (!replaceUnreadable) throw;
            AtomicFile.KeepAside(path, e.Kind == StoreErrorKind.Corrupt ? "corrupt" : "newer");
        }
        AtomicFile.Write(FileSystem, path, stream => StoreJson.Write(stream, value, indented));
    }

    /// <summary>
    /// The documents in <paramref name="directory"/> whose name matches <paramref name="pattern"/> (PowerShell
    /// wildcards, case-insensitive; null: all), ordered by name. An unreadable file throws, unless
    /// <paramref name="onUnreadable"/> is given: then it is reported there and the others are still returned.
    /// </summary>
    public IReadOnlyList<T> List<T>(string directory, string? pattern, Action<StoreException>? onUnreadable, Func<string, T?> read, Func<T, string> nameOf)
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

    /// <summary>Deletes a file; false when there was none.</summary>
    public static bool Delete(string path)
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

    /// <summary>Creates <paramref name="directory"/> owner-only (0700) when missing; the root's mode is set every time.</summary>
    public void EnsureDirectory(string directory, bool isRoot = false)
    {
        try
        {
            var existed = Directory.Exists(directory);
            if (!existed) Directory.CreateDirectory(directory);
            if (!existed || isRoot) UnixPermissions.SetDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            var why = isRoot ? $" (the store location comes from {RootSource})" : "";
            throw new StoreException(isRoot ? StoreErrorKind.NoStoreRoot : StoreErrorKind.Io,
                $"Could not create the CalSync store directory '{directory}'{why}: {e.Message} Set {StoreRoot.EnvironmentVariable} to a directory this user can write.",
                directory, e);
        }
    }
}

using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace CalSync.Store;

/// <summary>
/// Writes a whole file so that a crash, a kill or a full disk leaves either the old file or the new one:
/// the content goes to a temp file in the same directory (same file system, so the rename is atomic),
/// is flushed to the disk, then renamed over the target. On failure the temp file is deleted and the
/// target is untouched. Temp files are named <c>.&lt;file&gt;.&lt;random&gt;.tmp</c>; readers never look at
/// them and stale ones (from a killed process) are removed by the next save of the same file.
/// </summary>
internal static class AtomicFile
{
    private static readonly TimeSpan StaleTempAge = TimeSpan.FromMinutes(10);

    public static void Write(StoreFileSystem fs, string path, byte[] content) =>
        Write(fs, path, stream => stream.Write(content, 0, content.Length));

    /// <summary>Writes what <paramref name="write"/> puts into the stream (a big document goes to the disk without a copy in memory).</summary>
    public static void Write(StoreFileSystem fs, string path, Action<Stream> write)
    {
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        var temp = Path.Combine(dir, "." + name + "." + Guid.NewGuid().ToString("N").Substring(0, 12) + ".tmp");
        try
        {
            using (var stream = fs.CreateNew(temp))
            {
                // Owner-only before any content is in it.
                UnixPermissions.SetFile(temp);
                write(stream);
                fs.FlushToDisk(stream);
            }
            fs.MoveOver(temp, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or StoreException)
        {
            TryDelete(temp);
            if (e is StoreException) throw;
            throw SaveFailed(path, e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        RemoveStaleTemps(dir, name);
    }

    internal static StoreException SaveFailed(string path, Exception e)
    {
        if (e is UnauthorizedAccessException)
            return new StoreException(StoreErrorKind.AccessDenied,
                $"Could not save '{path}': access was denied. The previous version of the file is unchanged. Check the permissions of the CalSync store.",
                path, e);
        var full = IsDiskFull(e);
        return new StoreException(StoreErrorKind.Io,
            full
                ? $"Could not save '{path}': the disk is full. The previous version of the file is unchanged. Free some disk space and run again."
                : $"Could not save '{path}': {e.Message} The previous version of the file is unchanged.",
            path, e);
    }

    /// <summary>ENOSPC (28) on Unix, ERROR_DISK_FULL (112) / ERROR_HANDLE_DISK_FULL (39) on Windows.</summary>
    internal static bool IsDiskFull(Exception e)
    {
        var code = e.HResult & 0xFFFF;
        return code == 28 || code == 112 || code == 39
               || e.Message.IndexOf("No space left", StringComparison.OrdinalIgnoreCase) >= 0
               || e.Message.IndexOf("not enough space", StringComparison.OrdinalIgnoreCase) >= 0;
    }

    internal static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void RemoveStaleTemps(string dir, string name)
    {
        try
        {
            foreach (var temp in Directory.GetFiles(dir, "." + name + ".*.tmp"))
                if (DateTime.UtcNow - File.GetLastWriteTimeUtc(temp) > StaleTempAge) TryDelete(temp);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    /// <summary>Moves an unreadable file aside as <c>&lt;file&gt;.corrupt-&lt;UTC time&gt;</c> and returns the new path.</summary>
    internal static string KeepAside(string path, string suffix)
    {
        var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture);
        var aside = path + "." + suffix + "-" + stamp;
        try
        {
            File.Move(path, aside);
            UnixPermissions.SetFile(aside);
            return aside;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StoreException(StoreErrorKind.Io, $"Could not move the unreadable file '{path}' aside to '{aside}': {e.Message} Nothing was changed.", path, e);
        }
    }

    internal static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}

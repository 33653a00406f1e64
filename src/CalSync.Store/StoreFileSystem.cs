using System;
using System.IO;

namespace CalSync.Store;

/// <summary>
/// The few file operations the store's writes go through. Tests subclass it to make a write fail part-way
/// (a full disk, a crash) without needing a full device; production uses it as is.
/// </summary>
internal class StoreFileSystem
{
    public static readonly StoreFileSystem Default = new();

    /// <summary>Creates a new, empty file (never an existing one) for writing.</summary>
    public virtual Stream CreateNew(string path) =>
        new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None);

    /// <summary>Flushes the stream's data to the disk (not only to the OS).</summary>
    public virtual void FlushToDisk(Stream stream)
    {
        if (stream is FileStream fs) fs.Flush(flushToDisk: true);
        else stream.Flush();
    }

    /// <summary>Puts <paramref name="source"/> in place of <paramref name="target"/> in one step (rename).</summary>
    public virtual void MoveOver(string source, string target)
    {
        if (File.Exists(target))
        {
            // rename(2) on Unix, ReplaceFile on Windows: readers see the old or the new file, never a mix.
            File.Replace(source, target, destinationBackupFileName: null, ignoreMetadataErrors: true);
        }
        else
        {
            File.Move(source, target);
        }
    }

    /// <summary>Opens a file to append to (created if missing).</summary>
    public virtual Stream OpenAppend(string path) =>
        // FileShare.Read: readers of the history may read while a run appends (on Unix this takes no flock).
        new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read, 4096, FileOptions.None);
}

using System.Runtime.InteropServices;
using CalSync.Store;

namespace CalSync.Store.Tests;

/// <summary>A store in a fresh temp directory, deleted afterwards.</summary>
public sealed class TempStore : IDisposable
{
    public TempStore()
    {
        Directory = Path.Combine(Path.GetTempPath(), "calsync-store-tests", Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Directory, "home");
        Store = new CalSyncStore(Root);
    }

    public string Directory { get; }
    public string Root { get; }
    public CalSyncStore Store { get; }

    internal CalSyncStore WithFileSystem(StoreFileSystem fs) => new(Root, fs);

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A file system seam whose writes fail like a full disk after <see cref="FailAfterBytes"/> bytes.</summary>
internal sealed class FailingFileSystem : StoreFileSystem
{
    public long FailAfterBytes { get; init; }
    public bool FailOnMove { get; init; }
    public bool FailOnAppend { get; init; }
    public List<string> TempFilesCreated { get; } = new();

    public override Stream CreateNew(string path)
    {
        TempFilesCreated.Add(path);
        return new FullDiskStream(base.CreateNew(path), FailAfterBytes);
    }

    public override Stream OpenAppend(string path) =>
        FailOnAppend ? new FullDiskStream(base.OpenAppend(path), FailAfterBytes) : base.OpenAppend(path);

    public override void MoveOver(string source, string target)
    {
        if (FailOnMove) throw new IOException("Simulated I/O error during rename");
        base.MoveOver(source, target);
    }
}

/// <summary>Writes through until the budget is used, then writes the part that fits and throws ENOSPC as .NET does.</summary>
internal sealed class FullDiskStream(Stream inner, long budget) : Stream
{
    private long _left = budget;
    public override bool CanRead => inner.CanRead;
    public override bool CanSeek => inner.CanSeek;
    public override bool CanWrite => true;
    public override long Length => inner.Length;
    public override long Position { get => inner.Position; set => inner.Position = value; }
    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);
    public override void SetLength(long value) => inner.SetLength(value);

    public override void Write(byte[] buffer, int offset, int count)
    {
        var fits = (int)Math.Min(count, Math.Max(0, _left));
        inner.Write(buffer, offset, fits);
        inner.Flush();
        _left -= fits;
        if (fits < count)
            throw new IOException("No space left on device : '" + ((inner as FileStream)?.Name ?? "?") + "'", 28);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}

/// <summary>A process killed in the middle of a save: not an IOException, so nothing handles it as a failed write.</summary>
internal sealed class ProcessDiedException : Exception;

/// <summary>Every write of every file counts against one budget of bytes; past it the process "dies" (the rest is not written).</summary>
internal sealed class DyingFileSystem(long budget) : StoreFileSystem
{
    private long _left = budget;

    public override Stream CreateNew(string path) => new Dying(base.CreateNew(path), this);

    private sealed class Dying(Stream inner, DyingFileSystem fs) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => inner.Length;
        public override long Position { get => inner.Position; set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count)
        {
            var fits = (int)Math.Min(count, Math.Max(0, fs._left));
            inner.Write(buffer, offset, fits);
            inner.Flush();
            fs._left -= fits;
            if (fits < count) throw new ProcessDiedException();
        }
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}

internal static class Modes
{
    public static bool IsUnix => !RuntimeInformation.IsOSPlatform(OSPlatform.Windows);

    public static string Of(string path) =>
        OperatingSystem.IsWindows() ? "n/a" : Convert.ToString((int)File.GetUnixFileMode(path) & 0x1FF, 8);
}

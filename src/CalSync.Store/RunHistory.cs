using System;
using System.Collections.Generic;
using System.IO;
using CalSync.Engine.Sync;

namespace CalSync.Store;

/// <summary>The run history of each sync: <c>history/&lt;name&gt;.jsonl</c>, one run record per line, appended.</summary>
public sealed class RunHistory : StoreFolder
{
    private const string Advice = "Restore it from a backup or delete it.";

    internal RunHistory(StoreFiles files) : base(files, "history", "sync", ".jsonl")
    {
    }

    /// <summary>
    /// Appends one run record as one line with a single write, flushed to disk. A torn last line left by a crash
    /// is not extended: the new record starts on a line of its own.
    /// </summary>
    public void Append(RunRecord record)
    {
        if (record is null) throw new ArgumentNullException(nameof(record));
        var path = PathOf(record.SyncName);
        Files.EnsureDirectory(Directory);
        var line = StoreJson.Serialize(record, indented: false);
        var existed = File.Exists(path);
        try
        {
            using var stream = Files.FileSystem.OpenAppend(path);
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
                Files.FileSystem.FlushToDisk(stream);
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
    public IReadOnlyList<RunRecord> Read(string name, int? last = null, DateTimeOffset? since = null)
    {
        var path = PathOf(name);
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
                record = StoreJson.Parse<RunRecord>(memory, path, RunRecord.CurrentSchema, Advice, lineNo);
            }
            catch (StoreException e) when (e.Kind == StoreErrorKind.Corrupt)
            {
                SkippedLines++;
                continue;
            }
            if (since is null || record.Start >= since.Value) records.Add(record);
        }
        if (last is { } n2 && n2 >= 0 && records.Count > n2) records.RemoveRange(0, records.Count - n2);
        return records;
    }

    /// <summary>How many damaged history lines the reads of this instance skipped (diagnostics).</summary>
    public int SkippedLines { get; private set; }

    internal bool Remove(string name) => StoreFiles.Delete(PathOf(name));

    private static bool IsBlank(ReadOnlySpan<byte> span)
    {
        foreach (var b in span)
            if (b != (byte)' ' && b != (byte)'\t' && b != (byte)'\r' && b != 0) return false;
        return true;
    }
}

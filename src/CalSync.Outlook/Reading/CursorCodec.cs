using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;
using CalSync.Engine.Model;
using CalSync.Outlook.Wire;

namespace CalSync.Outlook.Reading;

/// <summary>
/// The cursor's two parts: fields in a fixed order through a BinaryWriter into gzip, no JSON text or reflection in
/// between. Strings that repeat across items (types, zones, series ids, locations, categories, attendees) are
/// written once and referred to by number afterwards. Any damage (base64, gzip CRC, a short or overlong part,
/// an absurd count) throws, and <see cref="OutlookCursor.TryDecode"/> turns that into a full pass.
/// </summary>
internal static class CursorCodec
{
    /// <summary>More items than any window holds: a count above it is damage, not a calendar.</summary>
    private const int MaxCount = 10_000_000;

    [Flags]
    private enum ItemFlags : byte
    {
        Thin = 1, AllDay = 2, Cancelled = 4, StampKnown = 8, OriginalStart = 16, Reminder = 32, Recurrence = 64, OtherId = 128,
    }

    public static string Pack(Action<Writer> write) => Convert.ToBase64String(PackBytes(write));

    /// <summary>The part as gzip bytes (the snapshot: kept by the store in a file of its own, never as base64 text).</summary>
    public static byte[] PackBytes(Action<Writer> write)
    {
        using var buffer = new MemoryStream();
        // Written on every run that changed something: Fastest costs a fraction of Optimal's CPU for ~15% more bytes.
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        using (var buffered = new BufferedStream(gzip, 64 * 1024))
        using (var writer = new Writer(buffered))
            write(writer);
        return buffer.ToArray();
    }

    public static void Unpack(string base64, Action<Reader> read) => Unpack(Convert.FromBase64String(base64), read);

    public static void Unpack(byte[] packed, Action<Reader> read)
    {
        using var gzip = new GZipStream(new MemoryStream(packed, writable: false), CompressionMode.Decompress);
        using var buffered = new BufferedStream(gzip, 64 * 1024);
        using var reader = new Reader(buffered);
        read(reader);
        // Reading to the end makes gzip check its CRC; bytes left over mean a part that is not what it claims.
        if (buffered.ReadByte() != -1) throw new InvalidDataException("The cursor part has bytes after its end.");
    }

    public static void WriteHeader(Writer w, OutlookCursor c)
    {
        w.Write(c.WindowStartUtc.ToBinary());
        w.Write(c.WindowEndUtc.ToBinary());
        w.Str(c.CalendarId);
        w.Str(c.DeltaLink);
        w.Write(c.FullPassUtc.ToBinary());
        w.Write(HeaderTail);
        w.Str(c.Mailbox);
        w.Write(c.DeltaRefused);
    }

    public static void ReadHeader(Reader r, OutlookCursor c)
    {
        c.WindowStartUtc = DateTime.FromBinary(r.ReadInt64());
        c.WindowEndUtc = DateTime.FromBinary(r.ReadInt64());
        c.CalendarId = r.Str();
        c.DeltaLink = r.Str();
        c.FullPassUtc = DateTime.FromBinary(r.ReadInt64());
        var tail = r.BaseStream.ReadByte();
        if (tail != HeaderTail) throw new InvalidDataException($"The cursor header has an unknown part {tail}.");
        c.Mailbox = r.Str();
        c.DeltaRefused = r.ReadBoolean();
    }

    private const byte HeaderTail = 1;

    public static void WriteSnapshot(Writer w, Dictionary<string, StoredItem> items, Dictionary<string, StoredItem> masters)
    {
        foreach (var part in new[] { items, masters })
        {
            w.Count(part.Count);
            foreach (var pair in part) WriteItem(w, pair.Key, pair.Value);
        }
    }

    public static void ReadSnapshot(Reader r, Dictionary<string, StoredItem> items, Dictionary<string, StoredItem> masters)
    {
        foreach (var part in new[] { items, masters })
        {
            for (var n = r.Count(); n > 0; n--)
            {
                var (key, item) = ReadItem(r);
                part[key] = item;
            }
        }
    }

    private static void WriteItem(Writer w, string key, StoredItem item)
    {
        var flags = (item.Thin ? ItemFlags.Thin : 0) | (item.IsAllDay ? ItemFlags.AllDay : 0) | (item.IsCancelled ? ItemFlags.Cancelled : 0)
                    | (item.StampKnown ? ItemFlags.StampKnown : 0) | (item.OriginalStartUtc is not null ? ItemFlags.OriginalStart : 0)
                    | (item.ReminderMinutes is not null ? ItemFlags.Reminder : 0) | (item.Recurrence is not null ? ItemFlags.Recurrence : 0)
                    | (item.Id != key ? ItemFlags.OtherId : 0);
        w.Write((byte)flags);
        w.Str(key);
        if (item.Id != key) w.Str(item.Id);
        w.Shared(item.Type);
        w.Shared(item.SeriesMasterId);
        w.Str(item.ChangeKey);
        if (item.OriginalStartUtc is { } original) w.Write(original.ToBinary());
        w.Str(item.Subject);
        w.Str(item.Body);
        w.Shared(item.Location);
        w.Write(item.Start.ToBinary());
        w.Write(item.End.ToBinary());
        w.Shared(item.StartZone);
        w.Shared(item.EndZone);
        w.Count((int)item.ShowAs);
        w.Count((int)item.Sensitivity);
        w.Count((int)item.Importance);
        if (item.ReminderMinutes is { } minutes) w.Write(minutes);
        w.Count(item.Categories.Count);
        foreach (var category in item.Categories) w.Shared(category);
        w.Count(item.Attendees.Count);
        foreach (var a in item.Attendees)
        {
            w.Shared(a.Name);
            w.Shared(a.Email);
            w.Write(a.Required);
            w.Count((int)a.Response);
        }
        w.Write(item.LastModified.Ticks);
        w.Write((short)item.LastModified.Offset.TotalMinutes);
        if (item.Recurrence is { } rec)
        {
            w.Count((int)rec.Kind);
            w.Write(rec.Interval);
            w.Count(rec.DaysOfWeek.Count);
            foreach (var day in rec.DaysOfWeek) w.Count((int)day);
            w.Write(rec.DayOfMonth);
            w.Write(rec.Month);
            w.Count((int)rec.Index);
            w.Count((int)rec.FirstDayOfWeek);
            w.Write(rec.Count ?? -1);
            w.Write(rec.Until?.ToBinary() ?? long.MinValue);
            w.Shared(rec.Zone);
        }
        w.Count(item.CancelledDates.Count);
        foreach (var date in item.CancelledDates) w.Write(date.ToBinary());
        w.Str(item.Stamp);
    }

    private static (string Key, StoredItem Item) ReadItem(Reader r)
    {
        var flags = (ItemFlags)r.ReadByte();
        var key = r.Str() ?? throw new InvalidDataException("A cursor item has no id.");
        var item = new StoredItem
        {
            Id = (flags & ItemFlags.OtherId) != 0 ? r.Str()! : key,
            Type = r.Shared()!,
            SeriesMasterId = r.Shared(),
            ChangeKey = r.Str(),
            Thin = (flags & ItemFlags.Thin) != 0,
            IsAllDay = (flags & ItemFlags.AllDay) != 0,
            IsCancelled = (flags & ItemFlags.Cancelled) != 0,
            StampKnown = (flags & ItemFlags.StampKnown) != 0,
        };
        if ((flags & ItemFlags.OriginalStart) != 0) item.OriginalStartUtc = DateTime.FromBinary(r.ReadInt64());
        item.Subject = r.Str()!;
        item.Body = r.Str()!;
        item.Location = r.Shared()!;
        item.Start = DateTime.FromBinary(r.ReadInt64());
        item.End = DateTime.FromBinary(r.ReadInt64());
        item.StartZone = r.Shared()!;
        item.EndZone = r.Shared()!;
        item.ShowAs = (ShowAs)r.Count();
        item.Sensitivity = (Sensitivity)r.Count();
        item.Importance = (Importance)r.Count();
        if ((flags & ItemFlags.Reminder) != 0) item.ReminderMinutes = r.ReadInt32();
        // Lists only filled when the item has entries (StoredItem starts with empty ones).
        var categories = r.Count();
        for (var i = 0; i < categories; i++) item.Categories.Add(r.Shared()!);
        var attendees = r.Count();
        for (var i = 0; i < attendees; i++)
            item.Attendees.Add(new StoredAttendee { Name = r.Shared()!, Email = r.Shared()!, Required = r.ReadBoolean(), Response = (AttendeeResponse)r.Count() });
        var ticks = r.ReadInt64();
        item.LastModified = new DateTimeOffset(ticks, TimeSpan.FromMinutes(r.ReadInt16()));
        if ((flags & ItemFlags.Recurrence) != 0)
        {
            var rec = new StoredRecurrence { Kind = (RecurrenceKind)r.Count(), Interval = r.ReadInt32() };
            var days = r.Count();
            for (var i = 0; i < days; i++) rec.DaysOfWeek.Add((DayOfWeek)r.Count());
            rec.DayOfMonth = r.ReadInt32();
            rec.Month = r.ReadInt32();
            rec.Index = (WeekIndex)r.Count();
            rec.FirstDayOfWeek = (DayOfWeek)r.Count();
            var count = r.ReadInt32();
            rec.Count = count < 0 ? null : count;
            var until = r.ReadInt64();
            rec.Until = until == long.MinValue ? null : DateTime.FromBinary(until);
            rec.Zone = r.Shared();
            item.Recurrence = rec;
        }
        var cancelled = r.Count();
        for (var i = 0; i < cancelled; i++) item.CancelledDates.Add(DateTime.FromBinary(r.ReadInt64()));
        item.Stamp = r.Str();
        return (key, item);
    }

    internal sealed class Writer : BinaryWriter
    {
        private readonly Dictionary<string, int> _shared = new(StringComparer.Ordinal);
        private byte[] _bytes = new byte[256];

        public Writer(Stream stream) : base(stream, new UTF8Encoding(false, true), leaveOpen: true) { }

        public void Count(int value) => Write7BitEncodedInt(value);

        /// <summary>A string or null (0), else its length + 1 and UTF-8 bytes.</summary>
        public void Str(string? value)
        {
            if (value is null) { Write7BitEncodedInt(0); return; }
            var length = Encoding.UTF8.GetMaxByteCount(value.Length);
            if (_bytes.Length < length) _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
            length = Encoding.UTF8.GetBytes(value, 0, value.Length, _bytes, 0);
            Write7BitEncodedInt(length + 1);
            Write(_bytes, 0, length);
        }

        /// <summary>0 null, n a string written before (n − 1), or the next number followed by the string.</summary>
        public void Shared(string? value)
        {
            if (value is null) { Write7BitEncodedInt(0); return; }
            if (_shared.TryGetValue(value, out var index)) { Write7BitEncodedInt(index + 1); return; }
            _shared[value] = _shared.Count;
            Write7BitEncodedInt(_shared.Count);
            Str(value);
        }
    }

    internal sealed class Reader : BinaryReader
    {
        private readonly List<string> _shared = new();
        private byte[] _bytes = new byte[256];

        public Reader(Stream stream) : base(stream, new UTF8Encoding(false, true), leaveOpen: true) { }

        public int Count()
        {
            var value = Read7BitEncodedInt();
            if (value < 0 || value > MaxCount) throw new InvalidDataException($"The cursor holds a count of {value}.");
            return value;
        }

        public string? Str()
        {
            var length = Count();
            if (length == 0) return null;
            length--;
            if (_bytes.Length < length) _bytes = new byte[Math.Max(length, _bytes.Length * 2)];
            for (var read = 0; read < length;)
            {
                var more = Read(_bytes, read, length - read); // may return less than asked at a buffer boundary
                if (more == 0) throw new EndOfStreamException("The cursor part ends inside a string.");
                read += more;
            }
            return Encoding.UTF8.GetString(_bytes, 0, length);
        }

        public string? Shared()
        {
            var number = Count();
            if (number == 0) return null;
            if (number <= _shared.Count) return _shared[number - 1];
            if (number != _shared.Count + 1) throw new InvalidDataException($"The cursor refers to shared string {number} of {_shared.Count}.");
            var value = Str() ?? throw new InvalidDataException("A shared cursor string is null.");
            _shared.Add(value);
            return value;
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace CalSync.Outlook.Http;

/// <summary>
/// Outlook allows 4 concurrent requests per app and mailbox. One gate per mailbox, shared by every client in the
/// process. A $batch takes every slot (Outlook runs up to 4 of its inner requests in parallel), so batches to one
/// mailbox go one at a time and nothing else runs beside them.
/// </summary>
internal sealed class MailboxGate
{
    private static readonly ConcurrentDictionary<string, MailboxGate> Gates = new(StringComparer.Ordinal);

    private readonly SemaphoreSlim _slots;
    private readonly SemaphoreSlim _multi = new(1, 1);
    private int _inFlight;
    private int _maxInFlight;

    private MailboxGate(int slots)
    {
        Slots = slots;
        _slots = new SemaphoreSlim(slots, slots);
    }

    public int Slots { get; }

    /// <summary>The most slots ever held at once (for tests and diagnostics).</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public static MailboxGate For(string mailboxKey, int slots) =>
        Gates.GetOrAdd(mailboxKey + "#" + slots, _ => new MailboxGate(Math.Max(1, slots)));

    public async Task<IDisposable> EnterAsync(int weight, CancellationToken cancellationToken)
    {
        weight = Math.Min(Math.Max(1, weight), Slots);
        if (weight == 1)
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await _multi.WaitAsync(cancellationToken).ConfigureAwait(false);
            var taken = 0;
            try
            {
                for (; taken < weight; taken++) await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (taken > 0) _slots.Release(taken);
                throw;
            }
            finally { _multi.Release(); }
        }
        var now = Interlocked.Add(ref _inFlight, weight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen) { }
        return new Lease(this, weight);
    }

    private sealed class Lease : IDisposable
    {
        private MailboxGate? _gate;
        private readonly int _weight;

        public Lease(MailboxGate gate, int weight) { _gate = gate; _weight = weight; }

        public void Dispose()
        {
            var gate = Interlocked.Exchange(ref _gate, null);
            if (gate is null) return;
            Interlocked.Add(ref gate._inFlight, -_weight);
            gate._slots.Release(_weight);
        }
    }
}

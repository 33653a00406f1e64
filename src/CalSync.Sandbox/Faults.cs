using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.Features;

namespace CalSync.Sandbox;

/// <summary>
/// Fault knobs shared by both stand-ins. Tests set them in-process; the control API
/// (<c>POST /_sandbox/faults</c> on each service) sets them over HTTP.
/// </summary>
public sealed class FaultKnobs
{
    private readonly object _gate = new();
    private Random _random = new(1);

    /// <summary>Added before every API request is answered.</summary>
    public TimeSpan Latency { get; set; }
    /// <summary>Share of API requests answered with a 5xx (0..1).</summary>
    public double ServerErrorRate { get; set; }
    /// <summary>Share of API requests that stall for <see cref="StallDuration"/> first (0..1).</summary>
    public double StallRate { get; set; }
    public TimeSpan StallDuration { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>Share of API requests whose connection is dropped without an answer (0..1).</summary>
    public double DropRate { get; set; }
    /// <summary>After this many accepted writes, every further write is answered 503 (null: never).</summary>
    public int? FailAfterWrites { get; set; }

    public void Reseed(int seed) { lock (_gate) _random = new Random(seed); }

    internal bool Roll(double rate)
    {
        if (rate <= 0) return false;
        lock (_gate) return _random.NextDouble() < rate;
    }

    public void Reset()
    {
        Latency = TimeSpan.Zero; ServerErrorRate = 0; StallRate = 0; DropRate = 0; FailAfterWrites = null;
        StallDuration = TimeSpan.FromSeconds(2);
    }
}

/// <summary>One request as the stand-in saw it (for request counting, canaries and crash harnesses).</summary>
public sealed record RecordedRequest(long Sequence, string Method, string PathAndQuery, string Body, bool IsWrite, DateTimeOffset At);

/// <summary>Every API request a stand-in received, in order, with a hook fired on each write.</summary>
public sealed class RequestJournal
{
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();
    private long _sequence;
    private long _writes;

    /// <summary>Raised after a write request has been handled (before its answer is sent).</summary>
    public event Action<RecordedRequest>? WriteHandled;

    public IReadOnlyList<RecordedRequest> Requests => _requests.ToArray();
    public long WriteCount => Interlocked.Read(ref _writes);
    public long Count => Interlocked.Read(ref _sequence);

    public RecordedRequest Record(string method, string pathAndQuery, string body, bool isWrite)
    {
        var request = new RecordedRequest(Interlocked.Increment(ref _sequence), method, pathAndQuery, body, isWrite, DateTimeOffset.UtcNow);
        _requests.Enqueue(request);
        return request;
    }

    public void OnWriteHandled(RecordedRequest request)
    {
        Interlocked.Increment(ref _writes);
        WriteHandled?.Invoke(request);
    }

    private long _answerBytes;

    /// <summary>Bytes of the API answers sent so far (what a client downloads).</summary>
    public long AnswerBytes => Interlocked.Read(ref _answerBytes);

    public void OnAnswered(int bytes) => Interlocked.Add(ref _answerBytes, bytes);

    public void Clear() { while (_requests.TryDequeue(out _)) { } Interlocked.Exchange(ref _writes, 0); Interlocked.Exchange(ref _answerBytes, 0); }
}

/// <summary>Applies <see cref="FaultKnobs"/> to a request. Returns false when the request was already answered or dropped.</summary>
public static class FaultInjection
{
    public static async Task<bool> BeforeAsync(HttpContext context, FaultKnobs knobs, bool isWrite, long writesSoFar, Func<HttpContext, Task> writeServerError)
    {
        if (knobs.Latency > TimeSpan.Zero) await Task.Delay(knobs.Latency, context.RequestAborted);
        if (knobs.Roll(knobs.StallRate)) await Task.Delay(knobs.StallDuration, context.RequestAborted);
        if (knobs.Roll(knobs.DropRate))
        {
            context.Features.Get<IHttpRequestLifetimeFeature>()?.Abort();
            return false;
        }
        if (knobs.Roll(knobs.ServerErrorRate) || (isWrite && knobs.FailAfterWrites is int n && writesSoFar >= n))
        {
            await writeServerError(context);
            return false;
        }
        return true;
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using CalSync.Engine.Model;
using CalSync.Engine.Sides;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;

namespace CalSync.Outlook.Http;

/// <summary>One request inside a $batch. <see cref="RelativeUrl"/> has its path segments percent-encoded once (ids with / + =).</summary>
internal sealed record BatchStep(string Method, string RelativeUrl, RequestInformation? Body = null, bool NotFoundIsSuccess = false);

/// <summary>What came back for one step. <see cref="Attempted"/> is false for steps never run (halted or given up before sending).</summary>
internal sealed record BatchStepResult(int Status, JsonElement? Body, string? Error, bool Attempted = true)
{
    public bool Succeeded => Attempted && Error is null;

    public string? GetString(string property) =>
        Body is { ValueKind: JsonValueKind.Object } body && body.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>
/// Runs requests through Graph JSON batching (the SDK's BatchRequestContent): up to 20 per $batch, one $batch at a
/// time per mailbox (the gate gives a batch every slot), throttled inner requests (429, 503, 504) re-sent after their
/// own Retry-After. Sequential mode chains the steps with dependsOn so nothing runs after a failure.
/// </summary>
internal sealed class GraphBatch
{
    private readonly OutlookGraphClient _graph;

    public GraphBatch(OutlookGraphClient graph) => _graph = graph;

    /// <summary>How many $batch requests were posted (diagnostics and tests).</summary>
    public int BatchesSent { get; private set; }

    /// <summary>Runs the steps and disposes their bodies once they are answered.</summary>
    public async Task<IReadOnlyList<BatchStepResult>> RunAsync(IReadOnlyList<BatchStep> steps, bool sequential, CancellationToken cancellationToken)
    {
        try { return await RunRoundsAsync(steps, sequential, cancellationToken).ConfigureAwait(false); }
        finally
        {
            // The SDK serialises each body into a pooled stream with a 128 KB block: returned now, the next body reuses
            // it; left to the finalizer, every create took a new block from the large-object heap (gen2 collections).
            foreach (var step in steps) step.Body?.Content?.Dispose();
        }
    }

    private async Task<IReadOnlyList<BatchStepResult>> RunRoundsAsync(IReadOnlyList<BatchStep> steps, bool sequential, CancellationToken cancellationToken)
    {
        var results = new BatchStepResult?[steps.Count];
        var pending = Enumerable.Range(0, steps.Count).ToList();
        var size = Math.Max(1, Math.Min(20, _graph.Options.BatchSize));
        for (var round = 0; pending.Count > 0; round++)
        {
            var retry = new List<int>();
            var wait = TimeSpan.Zero;
            var halted = false;
            for (var offset = 0; offset < pending.Count && !halted; offset += size)
            {
                var chunk = pending.Skip(offset).Take(size).ToList();
                var answers = await SendAsync(steps, chunk, sequential, cancellationToken).ConfigureAwait(false);
                for (var k = 0; k < chunk.Count; k++)
                {
                    var index = chunk[k];
                    var (status, body, retryAfter) = answers[k];
                    if (status == 401)
                        throw new SideUnavailableException(Side.Outlook, "Outlook rejected the sign-in (401) inside a batch. Run Connect-OutlookCalendar to sign in again.", isAuthentication: true);
                    if (status is 429 or 503 or 504 || (status == 424 && sequential && retry.Count > 0))
                    {
                        retry.Add(index);
                        if (retryAfter > wait) wait = retryAfter;
                        if (sequential)
                        {
                            // everything after it waits for its retry, in order
                            retry.AddRange(chunk.Skip(k + 1));
                            retry.AddRange(pending.Skip(offset + chunk.Count));
                            halted = true;
                            break;
                        }
                        continue;
                    }
                    if (status >= 200 && status < 300 || (status == 404 && steps[index].NotFoundIsSuccess))
                    {
                        results[index] = new BatchStepResult(status, body, null);
                        continue;
                    }
                    results[index] = new BatchStepResult(status, body, Describe(status, body));
                    if (sequential)
                    {
                        foreach (var later in chunk.Skip(k + 1).Concat(pending.Skip(offset + chunk.Count)))
                            results[later] = new BatchStepResult(0, null, "Not attempted: an earlier write failed.", Attempted: false);
                        halted = true;
                        break;
                    }
                }
            }
            pending = retry.Distinct().ToList();
            if (pending.Count == 0) break;
            if (round >= _graph.Options.ThrottleRetries)
            {
                foreach (var index in pending)
                    results[index] = new BatchStepResult(429, null, $"Outlook kept throttling this request (429/503) after {round + 1} attempts; it will be retried next run.");
                break;
            }
            if (wait <= TimeSpan.Zero) wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, round)));
            _graph.Options.Log?.Invoke($"Outlook throttled {pending.Count} batched request(s); waiting {wait.TotalSeconds:0.###} s (Retry-After).");
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
        return results.Select(r => r ?? new BatchStepResult(0, null, "Not attempted.", Attempted: false)).ToList();
    }

    private async Task<List<(int Status, JsonElement? Body, TimeSpan RetryAfter)>> SendAsync(IReadOnlyList<BatchStep> steps, List<int> chunk, bool sequential, CancellationToken cancellationToken)
    {
        var client = _graph.Client;
        var content = new BatchRequestContentCollection(client, 20); // one $batch: the chunk is <= 20
        string? previous = null;
        foreach (var index in chunk)
        {
            var step = steps[index];
            HttpRequestMessage message;
            if (step.Body is not null)
            {
                if (step.Body.Content is { CanSeek: true } stream) stream.Position = 0; // a re-sent step serializes its body again
                message = await client.RequestAdapter.ConvertToNativeRequestAsync<HttpRequestMessage>(step.Body, cancellationToken).ConfigureAwait(false)
                          ?? throw new InvalidOperationException("The SDK made no HTTP request for a batch step.");
            }
            else
                message = new HttpRequestMessage(new HttpMethod(step.Method), _graph.BaseUrl);
            message.Method = new HttpMethod(step.Method);
            if (step.Method == "GET") message.Headers.TryAddWithoutValidation("Prefer", "outlook.timezone=\"UTC\", outlook.body-content-type=\"text\"");
            // The SDK serializer takes PathAndQuery minus "/v1.0" and un-escapes it once; escape once more so ids
            // with %2F/%2B/%3D reach the service still encoded (an unescaped '/' would split the id).
            message.RequestUri = new Uri(_graph.BaseUrl + step.RelativeUrl.Replace("%", "%25"));
            var id = index.ToString(CultureInfo.InvariantCulture);
            var dependsOn = sequential && previous is not null ? new List<string> { previous } : null;
            content.AddBatchRequestStep(new BatchRequestStep(id, message, dependsOn));
            previous = id;
        }
        BatchesSent++;
        var response = await client.Batch.PostAsync(content, cancellationToken).ConfigureAwait(false);
        var answers = new List<(int, JsonElement?, TimeSpan)>();
        foreach (var index in chunk)
        {
            using var message = await response.GetResponseByIdAsync(index.ToString(CultureInfo.InvariantCulture)).ConfigureAwait(false);
            if (message is null) { answers.Add((424, null, TimeSpan.Zero)); continue; }
            JsonElement? body = null;
            if (message.Content is not null)
            {
                // Straight from the UTF-8 bytes (no string in between), and the document's pooled buffers returned.
                var bytes = await message.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                if (bytes.Length > 0)
                {
                    try
                    {
                        using var document = JsonDocument.Parse(bytes);
                        body = document.RootElement.Clone();
                    }
                    catch (JsonException) { }
                }
            }
            answers.Add(((int)message.StatusCode, body, RetryAfterOf(message)));
        }
        return answers;
    }

    private static TimeSpan RetryAfterOf(HttpResponseMessage message)
    {
        var retryAfter = message.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta) return delta;
        if (retryAfter?.Date is { } date) return date - DateTimeOffset.UtcNow;
        if (message.Headers.TryGetValues("Retry-After", out var values) || (message.Content is not null && message.Content.Headers.TryGetValues("Retry-After", out values)))
        {
            var text = values.FirstOrDefault();
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds)) return TimeSpan.FromSeconds(Math.Min(seconds, 180));
        }
        return TimeSpan.Zero;
    }

    /// <summary>"404 ErrorItemNotFound: The specified object was not found in the store."</summary>
    internal static string Describe(int status, JsonElement? body)
    {
        if (body is { ValueKind: JsonValueKind.Object } b && b.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.Object)
        {
            var code = error.TryGetProperty("code", out var c) ? c.GetString() : null;
            var message = error.TryGetProperty("message", out var m) ? m.GetString() : null;
            return $"{status} {code}: {message}".Trim();
        }
        return $"HTTP {status}";
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// <c>batch</c> (BITRIX24.md §4): up to 50 <c>method?query</c> commands decoded with parse_str, <c>$result[key][path]</c>
/// references to earlier answers, <c>halt</c>, and the five result maps serialised the PHP way (<c>[]</c> when empty).
/// </summary>
internal sealed partial class BatchRunner(RestDispatcher dispatcher, Portal portal, RequestJournal journal, FaultKnobs faults)
{
    public const int MaxCommands = 50;

    [GeneratedRegex(@"\$(result|next|total|time|error)\[([^\]]+)\]((?:\[[^\]]*\])*)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"\[([^\]]*)\]")]
    private static partial Regex PathSegment();

    /// <summary>The commands of a batch request (for deciding whether it writes).</summary>
    public static IEnumerable<(string Key, string Command)> Commands(RestParams p)
    {
        // Batch parameter names are case-insensitive (array_change_key_case).
        var cmd = p.Values.FirstOrDefault(kv => kv.Key.Equals("cmd", StringComparison.OrdinalIgnoreCase)).Value;
        return cmd switch
        {
            JsonArray array => array.Select((v, i) => (i.ToString(CultureInfo.InvariantCulture), RestParams.ToScalarString(v) ?? "")),
            JsonObject map => map.Select(kv => (kv.Key, RestParams.ToScalarString(kv.Value) ?? "")),
            _ => [],
        };
    }

    public static string MethodOf(string command)
    {
        var q = command.IndexOf('?');
        var method = (q < 0 ? command : command[..q]).Trim().ToLowerInvariant();
        return method.EndsWith(".json", StringComparison.Ordinal) ? method[..^5] : method;
    }

    public JsonObject Run(RestParams p, Caller caller)
    {
        var halt = RestParams.IsTruthy(p.Values.FirstOrDefault(kv => kv.Key.Equals("halt", StringComparison.OrdinalIgnoreCase)).Value);
        var maps = new Dictionary<string, List<(string Key, JsonNode? Value)>>
        {
            ["result"] = [], ["error"] = [], ["total"] = [], ["next"] = [], ["time"] = [],
        };
        var index = 0;
        foreach (var (key, command) in Commands(p))
        {
            if (index++ >= MaxCommands)
            {
                maps["error"].Add((key, Envelope.Error(new Bitrix24RestException("ERROR_BATCH_LENGTH_EXCEEDED", "Max batch length exceeded"))));
                continue;
            }
            var start = portal.Clock.GetUtcNow();
            try
            {
                var method = MethodOf(command);
                var q = command.IndexOf('?');
                var parameters = PhpQuery.Parse(q < 0 ? "" : command[(q + 1)..]);
                if (!portal.BatchIgnoresResultReferences) Substitute(parameters, maps);
                if (method == "batch")
                    throw new Bitrix24RestException("ERROR_BATCH_METHOD_NOT_ALLOWED", "Method is not allowed for batch usage", 405);

                RecordedRequest? write = null;
                if (dispatcher.IsWrite(method))
                {
                    write = journal.Record("BATCH", command, parameters.ToJsonString(), isWrite: true);
                    if (faults.FailAfterWrites is int limit && journal.WriteCount >= limit)
                        throw new Bitrix24RestException("INTERNAL_SERVER_ERROR", "Internal server error", 500);
                }
                var (result, processing, _, _) = dispatcher.Invoke(method, new RestParams(parameters), caller);
                // A crash harness may kill the client right here, after the write is applied and before the answer.
                if (write is not null) journal.OnWriteHandled(write);
                maps["result"].Add((key, result));
                maps["time"].Add((key, Envelope.Time(portal, start, processing)));
            }
            catch (Bitrix24RestException error)
            {
                maps["error"].Add((key, Envelope.Error(error)));
                if (halt) break;
            }
        }

        return new JsonObject
        {
            ["result"] = PhpArray(maps["result"]),
            ["result_error"] = PhpArray(maps["error"]),
            ["result_total"] = PhpArray(maps["total"]),
            ["result_next"] = PhpArray(maps["next"]),
            ["result_time"] = PhpArray(maps["time"]),
        };
    }

    /// <summary>
    /// Replaces <c>$result[key][path]</c> references in every value: a whole-value reference takes the raw node
    /// (even an array), a reference inside a longer string only a scalar. An unresolvable path keeps the last node found.
    /// </summary>
    private static void Substitute(JsonObject parameters, Dictionary<string, List<(string Key, JsonNode? Value)>> maps)
    {
        foreach (var (name, value) in parameters.ToList())
        {
            switch (value)
            {
                case JsonObject nested:
                    Substitute(nested, maps);
                    break;
                case JsonValue leaf when RestParams.ToScalarString(leaf) is { } text && text.Contains('$'):
                    var whole = Reference().Match(text);
                    if (whole.Success && whole.Length == text.Length)
                    {
                        if (Resolve(whole, maps) is { Found: true } resolved) parameters[name] = resolved.Node?.DeepClone();
                        break;
                    }
                    parameters[name] = Reference().Replace(text, m =>
                        Resolve(m, maps) is { Found: true, Node: JsonValue scalar } ? RestParams.ToScalarString(scalar) ?? m.Value : m.Value);
                    break;
            }
        }
    }

    private static (bool Found, JsonNode? Node) Resolve(Match reference, Dictionary<string, List<(string Key, JsonNode? Value)>> maps)
    {
        var map = maps[reference.Groups[1].Value];
        var entry = map.FindLast(e => e.Key == reference.Groups[2].Value);
        if (entry.Key is null) return (false, null);
        var node = entry.Value;
        foreach (Match segment in PathSegment().Matches(reference.Groups[3].Value))
        {
            var key = segment.Groups[1].Value;
            JsonNode? next = node switch
            {
                JsonObject obj => obj[key],
                JsonArray array when int.TryParse(key, out var i) && i >= 0 && i < array.Count => array[i],
                _ => null,
            };
            if (next is null) break;
            node = next;
        }
        return (true, node);
    }

    /// <summary>PHP json_encode of an array: <c>[]</c> when empty, a list for keys 0..n-1, otherwise an object.</summary>
    private static JsonNode PhpArray(List<(string Key, JsonNode? Value)> entries)
    {
        var sequential = entries.Select((e, i) => e.Key == i.ToString(CultureInfo.InvariantCulture)).All(x => x);
        if (sequential) return new JsonArray(entries.Select(e => e.Value).ToArray());
        var o = new JsonObject();
        foreach (var (key, value) in entries) o[key] = value;
        return o;
    }
}

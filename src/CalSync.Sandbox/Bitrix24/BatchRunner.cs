using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace CalSync.Sandbox.Bitrix24;

/// <summary>
/// <c>batch</c> (docs/bitrix24-api.md, "Batch"): up to 50 <c>method?query</c> commands decoded with parse_str, <c>$result[key][path]</c>
/// references to earlier answers, <c>halt</c>, and the five result maps serialised the PHP way (<c>[]</c> when empty).
/// </summary>
internal sealed partial class BatchRunner(RestDispatcher dispatcher, Portal portal, RequestJournal journal, FaultKnobs faults)
{
    public const int MaxCommands = 50;

    // processBatchElement's pattern: case-insensitive, and greedy up to the next whitespace.
    [GeneratedRegex(@"\$(result|next|total|time|error)(\S*)", RegexOptions.IgnoreCase)]
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
    /// Replaces <c>$result[key][path]</c> references in every value as <c>CRestUtil::processBatchElement</c> does
    /// (docs/bitrix24-api.md, "Batch"): a reference that is the whole value takes the node it reaches, even an array; inside a
    /// longer value only a string or number is put in, anything else leaves the text as it is.
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
                    parameters[name] = Element(text, maps);
                    break;
            }
        }
    }

    private static JsonNode? Element(string text, Dictionary<string, List<(string Key, JsonNode? Value)>> maps)
    {
        var current = text;
        foreach (Match reference in Reference().Matches(text))
        {
            var path = PathSegment().Matches(reference.Groups[2].Value).Select(m => m.Groups[1].Value).ToList();
            if (path.Count == 0) continue;
            var node = Resolve(reference.Groups[1].Value, path, maps);
            if (reference.Value == current) return node;
            if (node is JsonValue scalar && scalar.GetValueKind() is JsonValueKind.String or JsonValueKind.Number)
                current = current.Replace(reference.Value, RestParams.ToScalarString(scalar));
        }
        return current;
    }

    /// <summary>
    /// Walks the path while each key is set (PHP <c>isset</c>: a null value is not); it stops at the last node found, so an
    /// unknown key gives the whole map of that kind. The maps' names are lower case, so <c>$RESULT</c> reaches nothing.
    /// </summary>
    private static JsonNode? Resolve(string kind, List<string> path, Dictionary<string, List<(string Key, JsonNode? Value)>> maps)
    {
        if (!maps.TryGetValue(kind, out var map)) return null;
        var entry = map.FindLast(e => e.Key == path[0]);
        if (entry.Value is null) return PhpArray(map.Select(e => (e.Key, e.Value?.DeepClone())).ToList());
        var node = entry.Value;
        foreach (var key in path.Skip(1))
        {
            JsonNode? next = node switch
            {
                JsonObject obj => obj[key],
                JsonArray array when int.TryParse(key, out var i) && i >= 0 && i < array.Count => array[i],
                // A string offset is set too: "abc"[1] is "b".
                JsonValue text when text.GetValueKind() == JsonValueKind.String && int.TryParse(key, out var i) && i >= 0 && i < text.GetValue<string>().Length
                    => JsonValue.Create(text.GetValue<string>()[i].ToString()),
                _ => null,
            };
            if (next is null) break;
            node = next;
        }
        return node.DeepClone();
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
